//! Gateway calls recorded for the health view, and the report built from them.
//!
//! Every client the connection makes notes its calls in one in-memory [`CallLog`]; a thread of
//! its own writes them to the cache database every [`FLUSH_EVERY`], and so do the report (first,
//! so it is current), the end of the workbench and a process about to exit (see
//! [`Workbench::calls_flusher`]). A batch never waits for the disk.
//!
//! Calls and cache lookups are kept under the gateway they concerned, and the report covers the
//! one connected now; demo mode's simulated faults are chosen here too.

use std::sync::{mpsc, Arc, Weak};
use std::time::Duration;

use chrono::Utc;
use pifa_core::health::{
    self, HealthGateway, HealthReport, HealthWindow, ReportInput, Target, TargetKey, TargetState,
    ThresholdOverrides, Thresholds,
};
use pifa_core::DemoFaults;
use serde::Serialize;
use ts_rs::TS;

use crate::{locked, CommandError, Inner, Workbench};

/// How often recorded calls are written while the workbench is open.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Writes what was recorded to the cache database; what cannot be written waits for the next
/// flush (the log holds at most `metrics::MAX_PENDING`).
pub(crate) fn flush(inner: &Inner) -> Result<usize, CommandError> {
    if inner.calls.is_empty() {
        return Ok(0);
    }
    // Without a cache database nothing can keep them; they are dropped with the log.
    let cache = locked(&inner.cache)?;
    write(inner, &cache)
}

fn write(inner: &Inner, cache: &pifa_core::store::Cache) -> Result<usize, CommandError> {
    let records = inner.calls.take();
    if records.is_empty() {
        return Ok(0);
    }
    match cache.record_calls(&records, Utc::now()) {
        Ok(()) => Ok(records.len()),
        Err(e) => {
            inner.calls.restore(records);
            Err(e.into())
        }
    }
}

/// How long a process about to exit waits for the cache to be free to flush.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// [`flush`] for a process about to end, from wherever it ends: it waits [`EXIT_WAIT`] at most
/// for the cache, so an exit from code that holds the cache itself gives up rather than hangs.
fn flush_at_exit(inner: &Inner) -> Result<usize, CommandError> {
    let Ok(mutex) = inner.cache.as_ref() else {
        return Ok(0);
    };
    let deadline = std::time::Instant::now() + EXIT_WAIT;
    loop {
        match mutex.try_lock() {
            Ok(cache) => return write(inner, &cache),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => {
                return write(inner, &poisoned.into_inner())
            }
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(CommandError::internal(
                    "the cache stayed busy until the process ended",
                ))
            }
        }
    }
}

/// Has the cache count its lookups under the gateway connected at the time.
pub(crate) fn count_lookups_per_gateway(workbench: &Workbench) {
    if let Ok(mut cache) = locked(&workbench.inner.cache) {
        cache.count_lookups_for(workbench.inner.connection.current_gateway());
    }
}

/// Starts the thread that flushes every [`FLUSH_EVERY`] until the workbench is gone: `stopped`
/// ends when `Inner`'s sender drops.
pub(crate) fn start_flushing(workbench: &Workbench, stopped: mpsc::Receiver<()>) {
    let weak: Weak<Inner> = Arc::downgrade(&workbench.inner);
    let spawned = std::thread::Builder::new()
        .name("pifa-call-flush".into())
        .spawn(move || loop {
            match stopped.recv_timeout(FLUSH_EVERY) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            let Some(inner) = weak.upgrade() else {
                return;
            };
            if let Err(e) = flush(&inner) {
                tracing::warn!(code = %e.code, "recorded gateway calls could not be written yet: {}", e.message);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("recorded gateway calls are written only with a report and at the end: {e}");
    }
}

/// The health part of Settings as the Settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthSettings {
    /// Every threshold in effect: the user's where set, else the brief's.
    pub thresholds: ThresholdOverrides,
    /// The brief's, for "reset" and to mark the user's own.
    pub brief: ThresholdOverrides,
    /// A desktop notification when a target becomes breached.
    pub notify: bool,
    /// The faults the demo gateway simulates, as chosen in Settings.
    pub demo_faults: DemoFaults,
    /// The ones in effect; `null` when `PIFA_DEMO_FAULTS` names none that exists.
    pub demo_faults_in_effect: Option<DemoFaults>,
    /// `--demo-faults` or `PIFA_DEMO_FAULTS` when either overrides the Settings choice.
    pub demo_faults_forced_by: Option<String>,
}

/// The window the navigation badge and the desktop notification judge: the last day, so a
/// breach fades once the day it happened in has passed.
pub const ALARM_WINDOW: HealthWindow = HealthWindow::Day;

/// The targets in `now` that were not breached in `before`: what deserves a notification.
/// A target breached in both rounds was told already; one that recovered and breaches again
/// is told again.
pub fn newly_breached<'a>(before: &[TargetKey], now: &'a [Target]) -> Vec<&'a Target> {
    now.iter()
        .filter(|t| t.state == TargetState::Breached && !before.contains(&t.key))
        .collect()
}

/// What a desktop has been told of breaches: the last round's, none before the first round, so
/// breaches that stand at start are noted, not told.
#[derive(Debug, Default)]
pub struct BreachNotices {
    told: Option<Vec<TargetKey>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Err(e) = flush(self) {
            tracing::warn!(code = %e.code, "recorded gateway calls were lost at exit: {}", e.message);
        }
    }
}

impl Workbench {
    /// Writes the gateway calls recorded so far to the cache database; how many. A process
    /// about to exit calls it (dropping the last workbench does too).
    pub fn flush_calls(&self) -> Result<usize, CommandError> {
        flush(&self.inner)
    }

    /// [`flush_calls`](Self::flush_calls) for a process that may end without dropping the
    /// workbench (`process::exit`): it does not keep the workbench alive, and does nothing once
    /// the workbench is gone (its drop has flushed).
    pub fn calls_flusher(&self) -> impl Fn() + Send + Sync + 'static {
        let weak = Arc::downgrade(&self.inner);
        move || {
            if let Some(inner) = weak.upgrade() {
                if let Err(e) = flush_at_exit(&inner) {
                    tracing::warn!(code = %e.code, "gateway calls were lost at exit: {}", e.message);
                }
            }
        }
    }

    /// The gateway the health figures cover now: the one connected, with its simulated faults.
    pub fn health_gateway(&self) -> HealthGateway {
        let connection = &self.inner.connection;
        let faults = connection
            .demo_faults()
            .map_or(DemoFaults::Off, |f| f.faults);
        HealthGateway::of(&connection.current_gateway().get(), faults)
    }

    /// The brief's targets over `window`: value, threshold, state and trend of each, the error
    /// log by class, cache lookups by kind. Recorded calls are written first.
    pub fn health_report(&self, window: HealthWindow) -> Result<HealthReport, CommandError> {
        if let Err(e) = self.flush_calls() {
            tracing::warn!(code = %e.code, "the newest gateway calls are not in this report: {}", e.message);
        }
        let settings = self.settings();
        let interval = pifa_core::watch::check_interval(&settings);
        let input = ReportInput {
            thresholds: Thresholds::from(&settings.health_thresholds),
            ..ReportInput::now(window, self.health_gateway(), interval)
        };
        let (store, cache) = (self.store()?, self.cache()?);
        Ok(health::report(&cache, &store, &input)?)
    }
}

impl Workbench {
    /// The thresholds in effect, the brief's, whether a breach is notified, and the demo
    /// gateway's simulated faults.
    pub fn health_settings(&self) -> HealthSettings {
        let settings = self.settings();
        let in_effect = self.inner.connection.demo_faults();
        HealthSettings {
            thresholds: settings.health_thresholds.effective(),
            brief: ThresholdOverrides::brief(),
            notify: settings.health_notify,
            demo_faults: settings.demo_faults,
            demo_faults_in_effect: in_effect.as_ref().ok().map(|f| f.faults),
            demo_faults_forced_by: match in_effect {
                Ok(f) => f.forced_by.map(str::to_owned),
                Err(_) => Some(crate::connection::DEMO_FAULTS_VARIABLE.to_owned()),
            },
        }
    }

    /// Saves which faults the demo gateway simulates. In demo mode they apply from the next
    /// call: the double is started again with them, no restart needed. A live gateway is never
    /// touched.
    pub async fn set_demo_faults(
        &self,
        faults: DemoFaults,
    ) -> Result<HealthSettings, CommandError> {
        let (store, _) = self.settings_store()?;
        store.update(|s| s.demo_faults = faults)?;
        self.inner.connection.set_demo_faults_setting(faults).await;
        Ok(self.health_settings())
    }

    /// `--demo-faults PROFILE`: the demo gateway simulates these whatever Settings and
    /// `PIFA_DEMO_FAULTS` say. A name that is no profile is refused, naming the flag.
    pub fn force_demo_faults(&self, profile: &str) -> Result<(), CommandError> {
        let faults = crate::connection::parse_demo_faults(profile, "--demo-faults")?;
        self.inner.connection.force_demo_faults(faults);
        Ok(())
    }

    /// The in-process double demo mode is connected to, if connected: what it saw, for tests
    /// that compare recorded figures with it.
    pub async fn demo_gateway(&self) -> Option<Arc<pifa_gateway::Gateway>> {
        self.inner.connection.demo_double().await
    }

    /// Saves the user's thresholds (each checked against its range; `null`, or the brief's
    /// value, is the brief's) and the notification choice. All `null` resets to the brief.
    pub fn set_health_settings(
        &self,
        thresholds: ThresholdOverrides,
        notify: bool,
    ) -> Result<HealthSettings, CommandError> {
        let thresholds = thresholds.checked()?;
        let (store, _) = self.settings_store()?;
        store.update(|s| {
            s.health_thresholds = thresholds;
            s.health_notify = notify;
        })?;
        Ok(self.health_settings())
    }

    /// One round of breach notifications: the targets newly breached since the last round, when
    /// the user asked for notifications (Settings), else none. The first round only notes.
    pub fn breaches_to_tell(
        &self,
        notices: &mut BreachNotices,
    ) -> Result<Vec<Target>, CommandError> {
        let breaches = self.health_breaches()?;
        let new = match &notices.told {
            Some(before) if self.settings().health_notify => newly_breached(before, &breaches)
                .into_iter()
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        notices.told = Some(breaches.iter().map(|t| t.key).collect());
        Ok(new)
    }

    /// The targets breached over [`ALARM_WINDOW`]: what the navigation badge counts.
    pub fn health_breaches(&self) -> Result<Vec<Target>, CommandError> {
        let report = self.health_report(ALARM_WINDOW)?;
        Ok(report
            .targets
            .into_iter()
            .filter(|t| t.state == TargetState::Breached)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(key: TargetKey, state: TargetState) -> Target {
        Target {
            key,
            value: Some(1.0),
            threshold: None,
            state,
            trend: Vec::new(),
        }
    }

    #[test]
    fn only_a_target_that_was_not_breached_before_is_new() {
        let now = [
            target(TargetKey::SuccessRate, TargetState::Breached),
            target(TargetKey::CacheHitRate, TargetState::Breached),
            target(TargetKey::LatencyMeanMs, TargetState::Warning),
        ];
        let keys = |found: Vec<&Target>| found.iter().map(|t| t.key).collect::<Vec<_>>();
        assert_eq!(
            keys(newly_breached(&[], &now)),
            [TargetKey::SuccessRate, TargetKey::CacheHitRate]
        );
        assert_eq!(
            keys(newly_breached(&[TargetKey::CacheHitRate], &now)),
            [TargetKey::SuccessRate]
        );
        assert!(
            newly_breached(&[TargetKey::SuccessRate, TargetKey::CacheHitRate], &now).is_empty()
        );
    }
}
