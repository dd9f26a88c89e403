//! Checking watched offers: due ones are fetched like a batch (bounded concurrency, the pause
//! rule, one result each) and every check is noted on its watch. Alerts are raised where the
//! fetched detail is stored (see [`rules`] and `store/alerts.rs`), as for any other fetch; the
//! round reports those raised meanwhile. A failure that no watch could avoid (the app's
//! settings, quota or authorization, a full disk) ends the round at once with one error, and
//! pauses no watched offer.

pub mod rules;

use std::sync::{Arc, PoisonError};

use chrono::{Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::batch::{run_batch, BatchInput, BatchStatus, BatchStop, BatchStorage};
use crate::protocol::GatewayClient;
use crate::store::{Alert, Store};
use crate::OfferId;

/// How often a watched offer is checked unless the user chose otherwise.
pub const DEFAULT_CHECK_INTERVAL: Duration = Duration::hours(1);

/// How often watches are checked under these settings.
pub fn check_interval(settings: &crate::Settings) -> Duration {
    settings
        .watch_interval_minutes
        .map_or(DEFAULT_CHECK_INTERVAL, |m| Duration::minutes(m.into()))
}

/// Calls in flight while checking watches: below a batch's, so watches leave room for the user.
pub const CONCURRENCY: usize = 4;

/// What one round of checks did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WatchCheck {
    pub checked: u32,
    pub failed: u32,
    pub alerts: Vec<Alert>,
    /// Why the round ended early, if it did; the watches not checked are due again.
    pub stopped: Option<BatchStop>,
}

impl WatchCheck {
    /// Whether the round looked at any watch: a round with nothing due is not news.
    pub fn checked_any(&self) -> bool {
        self.checked + self.failed > 0
    }

    /// What the window is told after a background round: the round if it checked anything,
    /// else the alerts raised meanwhile by other fetches (an offer page, a batch, `pifa-cli`),
    /// else nothing.
    pub fn with_alerts_raised_meanwhile(mut self, raised: Vec<Alert>) -> Option<WatchCheck> {
        match (self.checked_any(), raised.is_empty()) {
            (true, _) => Some(self),
            (false, false) => {
                self.alerts = raised;
                Some(self)
            }
            (false, true) => None,
        }
    }
}

/// Fetches and stores each offer, notes the check on its watch and raises alerts for moves.
pub async fn check(
    client: Arc<GatewayClient>,
    storage: BatchStorage<'_>,
    offer_ids: Vec<OfferId>,
    cancel: tokio::sync::watch::Receiver<bool>,
) -> WatchCheck {
    let store = storage.store;
    let mut report = WatchCheck::default();
    let before = lock(store).last_alert_id();
    let input = BatchInput {
        offer_ids,
        ..BatchInput::default()
    };
    let counts = run_batch(client, storage, input, CONCURRENCY, cancel, |item, _| {
        let Some(offer_id) = item
            .offer_id
            .as_deref()
            .and_then(|id| OfferId::parse(id).ok())
        else {
            return;
        };
        if item.status == BatchStatus::Cancelled {
            return;
        }
        let mut store = lock(store);
        let error =
            (item.status == BatchStatus::Failed).then(|| item.message.clone().unwrap_or_default());
        let failure = error
            .as_deref()
            .map(|message| (item.code.as_deref().unwrap_or("internal"), message));
        // A failure to note the check only means it is tried again sooner.
        if let Err(e) = store.record_watch_check(&offer_id, failure, Utc::now()) {
            tracing::warn!(%offer_id, code = e.code(), "a watch check could not be noted: {e}");
        }
        if let Some(error) = &error {
            tracing::warn!(%offer_id, code = item.code.as_deref().unwrap_or_default(), "checking a watched offer failed: {error}");
            report.failed += 1;
            return;
        }
        report.checked += 1;
    })
    .await;
    report.stopped = counts.stopped;
    // The alerts are stored whatever happens here; a failure to list them only leaves them out
    // of this report.
    match before.and_then(|before| lock(store).alerts_after(before)) {
        Ok(alerts) => report.alerts = alerts,
        Err(e) => tracing::warn!(code = e.code(), "the new alerts could not be read: {e}"),
    }
    report
}

fn lock(store: &std::sync::Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}
