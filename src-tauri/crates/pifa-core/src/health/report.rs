//! The health report: the brief's targets over a window, each with its value, threshold, state
//! and a trend, and the error log by outcome class. Built from the cache database's call and
//! lookup roll-ups and the user database's watches; the dashboard and `pifa-cli health` show
//! the same report. It covers one gateway, the one connected: demo figures are never counted
//! with live ones.

use chrono::{DateTime, Duration, Local, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::targets::{judge, TargetKey, TargetState, Threshold, Thresholds};
use crate::metrics::{GatewayKey, LatencyHistogram, Outcome};
use crate::protocol::LIVE_GATEWAY;
use crate::store::{hour_of, Cache, CallHour, Lookup, LookupHour, Store};
use crate::{DemoFaults, Result};

/// What kind of gateway a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum GatewayKind {
    /// Pifa's built-in double: generated figures.
    Demo,
    /// 1688's own gateway.
    Live,
    /// Another 1688-compatible gateway, by its address.
    Custom,
}

/// The gateway a report covers, as the dashboard names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthGateway {
    /// What its figures are kept under: `demo`, or the gateway's address.
    pub key: String,
    pub kind: GatewayKind,
    /// The faults the demo gateway simulates; always `off` for any other.
    pub simulated_faults: DemoFaults,
}

impl HealthGateway {
    /// `faults` counts only for the demo gateway.
    pub fn of(key: &GatewayKey, faults: DemoFaults) -> HealthGateway {
        let kind = if key.is_demo() {
            GatewayKind::Demo
        } else if key.as_str() == LIVE_GATEWAY {
            GatewayKind::Live
        } else {
            GatewayKind::Custom
        };
        HealthGateway {
            key: key.as_str().to_owned(),
            kind,
            simulated_faults: match kind {
                GatewayKind::Demo => faults,
                _ => DemoFaults::Off,
            },
        }
    }

    fn figures_key(&self) -> GatewayKey {
        match self.kind {
            GatewayKind::Demo => GatewayKey::demo(),
            _ => GatewayKey::live(&self.key),
        }
    }
}

/// The span a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum HealthWindow {
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
}

impl HealthWindow {
    pub fn parse(text: &str) -> Option<HealthWindow> {
        match text.trim() {
            "24h" | "1d" => Some(HealthWindow::Day),
            "7d" | "168h" => Some(HealthWindow::Week),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HealthWindow::Day => "24h",
            HealthWindow::Week => "7d",
        }
    }

    fn span(self) -> Duration {
        match self {
            HealthWindow::Day => Duration::hours(24),
            HealthWindow::Week => Duration::days(7),
        }
    }

    /// One trend point per hour over a day, per day over a week.
    fn step(self) -> Duration {
        match self {
            HealthWindow::Day => Duration::hours(1),
            HealthWindow::Week => Duration::days(1),
        }
    }
}

/// One point of a trend: the figure over `[at, at + step)`, `null` when nothing was measured.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "HealthTarget")]
pub struct Target {
    pub key: TargetKey,
    /// `null` when nothing was measured.
    pub value: Option<f64>,
    /// `null` for figures shown beside the targets.
    pub threshold: Option<Threshold>,
    pub state: TargetState,
    /// Oldest first; empty for figures with no history (the update lag is measured now).
    pub trend: Vec<TrendPoint>,
}

/// A failed call as the error log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorEntry {
    pub at: DateTime<Utc>,
    pub api: String,
    pub attempt: u32,
    /// Never a secret: see `metrics::safe_message`.
    pub message: String,
}

/// The calls of one outcome class in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorClass {
    pub outcome: Outcome,
    #[ts(type = "number")]
    pub count: u64,
    /// The newest few, newest first.
    pub latest: Vec<ErrorEntry>,
}

/// Cache lookups of one kind in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LookupCounts {
    pub kind: String,
    #[ts(type = "number")]
    pub fresh: u64,
    #[ts(type = "number")]
    pub stale: u64,
    #[ts(type = "number")]
    pub misses: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthReport {
    pub window: HealthWindow,
    /// The gateway whose calls and lookups the figures count.
    pub gateway: HealthGateway,
    /// The hours covered: `[from, to)`, `to` the end of the current hour.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    /// The five targets and the figures shown beside them, in [`TARGET_ORDER`].
    pub targets: Vec<Target>,
    /// Calls on the wire in the window.
    #[ts(type = "number")]
    pub calls: u64,
    /// Every outcome class but `ok` that occurred, the most frequent first.
    pub errors: Vec<ErrorClass>,
    pub lookups: Vec<LookupCounts>,
    /// Watched offers the update lag is measured over.
    pub watched: u32,
}

impl HealthReport {
    pub fn target(&self, key: TargetKey) -> Option<&Target> {
        self.targets.iter().find(|t| t.key == key)
    }

    /// Whether any target is breached: what `pifa-cli health --check` exits 1 for.
    pub fn breached(&self) -> bool {
        self.targets
            .iter()
            .any(|t| t.state == TargetState::Breached)
    }
}

pub const TARGET_ORDER: [TargetKey; 7] = [
    TargetKey::SuccessRate,
    TargetKey::LatencyMeanMs,
    TargetKey::LatencyP95Ms,
    TargetKey::CacheHitRate,
    TargetKey::ThrottledToday,
    TargetKey::UpdateLagMaxMinutes,
    TargetKey::UpdateLagP95Minutes,
];

/// The newest failed calls shown per class.
pub const LATEST_PER_CLASS: usize = 5;

/// How far watched offers' prices are behind their schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpdateLag {
    pub max_minutes: Option<f64>,
    pub p95_minutes: Option<f64>,
    pub watched: u32,
}

/// For each watched offer fetched last at `fetched`: now − that − the check interval, at least
/// zero; the worst and the 95th percentile (nearest rank).
pub fn update_lag(fetched: &[DateTime<Utc>], now: DateTime<Utc>, interval: Duration) -> UpdateLag {
    let mut lags: Vec<f64> = fetched
        .iter()
        .map(|at| ((now - *at - interval).num_milliseconds().max(0) as f64) / 60_000.0)
        .collect();
    lags.sort_by(f64::total_cmp);
    let rank = ((lags.len() as f64) * 0.95).ceil() as usize;
    UpdateLag {
        max_minutes: lags.last().copied(),
        p95_minutes: rank.checked_sub(1).and_then(|i| lags.get(i)).copied(),
        watched: lags.len() as u32,
    }
}

/// What goes into a report besides the databases.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub window: HealthWindow,
    /// The gateway to cover: the one connected.
    pub gateway: HealthGateway,
    pub now: DateTime<Utc>,
    /// From when "today" counts, for the throttled-calls target: local midnight.
    pub today_from: DateTime<Utc>,
    pub watch_interval: Duration,
    pub thresholds: Thresholds,
}

impl ReportInput {
    /// Now, in this computer's time zone, with the brief's thresholds.
    pub fn now(
        window: HealthWindow,
        gateway: HealthGateway,
        watch_interval: Duration,
    ) -> ReportInput {
        let now = Utc::now();
        ReportInput {
            window,
            gateway,
            now,
            today_from: local_midnight(now),
            watch_interval,
            thresholds: Thresholds::default(),
        }
    }
}

/// The start of the local day `now` falls in, in UTC.
pub fn local_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&Local).date_naive();
    today
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(Local).earliest())
        .map_or(now - Duration::hours(24), |t| t.with_timezone(&Utc))
}

fn percent(part: u64, all: u64) -> Option<f64> {
    (all > 0).then(|| part as f64 * 100.0 / all as f64)
}

/// Call figures over some hours.
#[derive(Default)]
struct CallFigures {
    all: u64,
    answered: u64,
    throttled: u64,
    latency_us: u64,
    histogram: LatencyHistogram,
}

impl CallFigures {
    fn add(&mut self, hour: &CallHour) {
        self.all += hour.count;
        if hour.outcome.answered() {
            self.answered += hour.count;
        }
        if hour.outcome == Outcome::Throttled {
            self.throttled += hour.count;
        }
        self.latency_us += hour.latency_us;
        self.histogram.merge(&hour.histogram);
    }

    fn success_rate(&self) -> Option<f64> {
        percent(self.answered, self.all)
    }

    fn latency_mean_ms(&self) -> Option<f64> {
        (self.all > 0).then(|| self.latency_us as f64 / self.all as f64 / 1000.0)
    }

    fn latency_p95_ms(&self) -> Option<f64> {
        self.histogram.quantile_ms(0.95)
    }
}

#[derive(Default)]
struct LookupFigures {
    fresh: u64,
    all: u64,
}

impl LookupFigures {
    fn add(&mut self, hour: &LookupHour) {
        self.all += hour.count;
        if hour.lookup == Lookup::Hit {
            self.fresh += hour.count;
        }
    }

    fn hit_rate(&self) -> Option<f64> {
        percent(self.fresh, self.all)
    }
}

/// Builds the report for `input.window` ending with the current hour.
pub fn report(cache: &Cache, store: &Store, input: &ReportInput) -> Result<HealthReport> {
    let window = input.window;
    let to = hour_of(input.now) + Duration::hours(1);
    let from = to - window.span();
    let points = (window.span().num_hours() / window.step().num_hours()) as usize;
    let slot = |at: DateTime<Utc>| {
        (((at - from).num_hours() / window.step().num_hours()) as usize).min(points - 1)
    };
    let starts: Vec<DateTime<Utc>> = (0..points)
        .map(|i| from + window.step() * i as i32)
        .collect();

    let gateway = input.gateway.figures_key();
    let call_hours = cache.call_hours(&gateway, from, to)?;
    let mut calls = CallFigures::default();
    let mut call_trend: Vec<CallFigures> = (0..points).map(|_| CallFigures::default()).collect();
    let mut classes: Vec<(Outcome, u64)> = Vec::new();
    for hour in &call_hours {
        calls.add(hour);
        call_trend[slot(hour.hour)].add(hour);
        if hour.outcome != Outcome::Ok {
            match classes.iter_mut().find(|(o, _)| *o == hour.outcome) {
                Some((_, count)) => *count += hour.count,
                None => classes.push((hour.outcome, hour.count)),
            }
        }
    }

    let lookup_hours = cache.lookup_hours(&gateway, from, to)?;
    let mut lookup_figures = LookupFigures::default();
    let mut lookup_trend: Vec<LookupFigures> =
        (0..points).map(|_| LookupFigures::default()).collect();
    let mut lookups: Vec<LookupCounts> = Vec::new();
    for hour in &lookup_hours {
        lookup_figures.add(hour);
        lookup_trend[slot(hour.hour)].add(hour);
        let index = match lookups.iter().position(|l| l.kind == hour.kind) {
            Some(index) => index,
            None => {
                lookups.push(LookupCounts {
                    kind: hour.kind.clone(),
                    ..LookupCounts::default()
                });
                lookups.len() - 1
            }
        };
        let counts = &mut lookups[index];
        match hour.lookup {
            Lookup::Hit => counts.fresh += hour.count,
            Lookup::Stale => counts.stale += hour.count,
            Lookup::Miss => counts.misses += hour.count,
        }
    }
    lookups.sort_by(|a, b| a.kind.cmp(&b.kind));

    let throttled_today = cache.calls_since(&gateway, input.today_from, Outcome::Throttled)?;
    let lag = update_lag(
        &store.watched_fetched_at()?,
        input.now,
        input.watch_interval,
    );

    let trend = |value: &dyn Fn(usize) -> Option<f64>| -> Vec<TrendPoint> {
        starts
            .iter()
            .enumerate()
            .map(|(i, at)| TrendPoint {
                at: *at,
                value: value(i),
            })
            .collect()
    };
    let mut targets = Vec::with_capacity(TARGET_ORDER.len());
    for key in TARGET_ORDER {
        let (value, points) = match key {
            TargetKey::SuccessRate => (
                calls.success_rate(),
                trend(&|i| call_trend[i].success_rate()),
            ),
            TargetKey::LatencyMeanMs => (
                calls.latency_mean_ms(),
                trend(&|i| call_trend[i].latency_mean_ms()),
            ),
            TargetKey::LatencyP95Ms => (
                calls.latency_p95_ms(),
                trend(&|i| call_trend[i].latency_p95_ms()),
            ),
            TargetKey::CacheHitRate => (
                lookup_figures.hit_rate(),
                trend(&|i| lookup_trend[i].hit_rate()),
            ),
            // Always measured: zero throttled calls is a value, not a lack of one.
            TargetKey::ThrottledToday => (
                Some(throttled_today as f64),
                trend(&|i| Some(call_trend[i].throttled as f64)),
            ),
            TargetKey::UpdateLagMaxMinutes => (lag.max_minutes, Vec::new()),
            TargetKey::UpdateLagP95Minutes => (lag.p95_minutes, Vec::new()),
        };
        let threshold = input.thresholds.of(key);
        targets.push(Target {
            key,
            value,
            threshold,
            state: judge(value, threshold),
            trend: points,
        });
    }

    let latest = cache.latest_failures(&gateway, from, LATEST_PER_CLASS)?;
    classes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let errors = classes
        .into_iter()
        .map(|(outcome, count)| ErrorClass {
            outcome,
            count,
            latest: latest
                .iter()
                .filter(|f| f.outcome == outcome)
                .map(|f| ErrorEntry {
                    at: f.at,
                    api: f.api.clone(),
                    attempt: f.attempt,
                    message: f.message.clone(),
                })
                .collect(),
        })
        .collect();

    Ok(HealthReport {
        window,
        gateway: input.gateway.clone(),
        from,
        to,
        generated_at: input.now,
        targets,
        calls: calls.all,
        errors,
        lookups,
        watched: lag.watched,
    })
}
