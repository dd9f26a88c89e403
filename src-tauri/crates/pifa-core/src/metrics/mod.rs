//! Measuring the gateway: every call on the wire becomes a small [`CallRecord`] pushed into an
//! in-memory [`CallLog`], which its owner drains into the cache database in batches
//! (`Cache::record_calls`). Pushing takes a short uncontended lock and no I/O, so recording never
//! holds up a batch; see `pifa-cli/benches/recording.rs` for what it costs.
//!
//! Every record and cache lookup is kept under the gateway it concerned ([`GatewayKey`]), and a
//! health report covers one gateway: the demo double's generated figures never pass for live ones.

mod histogram;

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::ApiError;

pub use histogram::{LatencyHistogram, BUCKETS};

/// How one call on the wire ended, derived from [`ApiError`]'s kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "CallOutcome")]
pub enum Outcome {
    Ok,
    /// The gateway's frequency limit (`gw.Qos*FrequencyLimit`, HTTP 429).
    Throttled,
    /// 5xx, a timeout, a dropped or cut-off connection.
    Transient,
    /// An answer that is not JSON, or too large.
    Malformed,
    /// The gateway answered properly that the offer does not exist.
    NotFound,
    /// A refused or expired token (401, `invalid_grant`).
    Authorization,
    /// The app's settings were refused (signature, app key, ACL, time stamp).
    Configuration,
    /// The app's call quota is spent.
    Quota,
    /// A business refusal (bad arguments and the like).
    Refused,
    /// A 3xx, never followed.
    Redirected,
}

impl Outcome {
    pub const ALL: [Outcome; 10] = [
        Outcome::Ok,
        Outcome::Throttled,
        Outcome::Transient,
        Outcome::Malformed,
        Outcome::NotFound,
        Outcome::Authorization,
        Outcome::Configuration,
        Outcome::Quota,
        Outcome::Refused,
        Outcome::Redirected,
    ];

    pub fn of(result: Result<(), &ApiError>) -> Outcome {
        match result {
            Ok(()) => Outcome::Ok,
            Err(ApiError::Throttled(_)) => Outcome::Throttled,
            Err(ApiError::Transient(_)) => Outcome::Transient,
            Err(ApiError::Malformed(_)) => Outcome::Malformed,
            Err(ApiError::NotFound(_)) => Outcome::NotFound,
            Err(ApiError::NeedsAuthorization(_)) => Outcome::Authorization,
            Err(
                ApiError::Configuration { .. } | ApiError::BadGateway(_) | ApiError::ClockSkew(_),
            ) => Outcome::Configuration,
            Err(ApiError::QuotaSpent(_)) => Outcome::Quota,
            Err(ApiError::Business { .. }) => Outcome::Refused,
            Err(ApiError::Redirected(_)) => Outcome::Redirected,
        }
    }

    /// The name kept in the database and shown to operators.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Throttled => "throttled",
            Outcome::Transient => "transient",
            Outcome::Malformed => "malformed",
            Outcome::NotFound => "not_found",
            Outcome::Authorization => "authorization",
            Outcome::Configuration => "configuration",
            Outcome::Quota => "quota",
            Outcome::Refused => "refused",
            Outcome::Redirected => "redirected",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// The gateway did its job: an answer Pifa could use, or a proper "no such offer". What
    /// the success rate counts as success.
    pub fn answered(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NotFound)
    }
}

/// Which gateway figures belong to: `demo` for the built-in double (whatever port it has this
/// run), else the live gateway's checked address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GatewayKey(Arc<str>);

impl GatewayKey {
    pub const DEMO: &'static str = "demo";
    /// Kept for records from before Pifa noted the gateway: they may be demo or live, so no
    /// report counts them (generated figures must not pass for live ones).
    pub const UNKNOWN: &'static str = "unknown";

    pub fn demo() -> GatewayKey {
        GatewayKey(Arc::from(GatewayKey::DEMO))
    }

    pub fn unknown() -> GatewayKey {
        GatewayKey(Arc::from(GatewayKey::UNKNOWN))
    }

    /// A live gateway by its address (as `protocol::check_gateway` gives it).
    pub fn live(address: &str) -> GatewayKey {
        match address.trim() {
            "" => GatewayKey::unknown(),
            address => GatewayKey(Arc::from(address)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_demo(&self) -> bool {
        &*self.0 == GatewayKey::DEMO
    }
}

impl std::fmt::Display for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The gateway connected now, shared by the connection (which sets it whenever the mode or
/// gateway changes) and the cache (which counts its lookups under it).
#[derive(Debug, Clone)]
pub struct CurrentGateway(Arc<RwLock<GatewayKey>>);

impl Default for CurrentGateway {
    /// Nobody has said yet: lookups are counted under no gateway's figures.
    fn default() -> CurrentGateway {
        CurrentGateway::new(GatewayKey::unknown())
    }
}

impl CurrentGateway {
    pub fn new(key: GatewayKey) -> CurrentGateway {
        CurrentGateway(Arc::new(RwLock::new(key)))
    }

    pub fn get(&self) -> GatewayKey {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set(&self, key: GatewayKey) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = key;
    }
}

/// One call on the wire (each retry is one; token and clock calls included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub at: DateTime<Utc>,
    /// The gateway called; `None` (kept as [`GatewayKey::UNKNOWN`]) until a [`Tagged`] sink
    /// notes it.
    pub gateway: Option<GatewayKey>,
    /// The API's name (`product.search.queryProductDetail`, `getToken`, …).
    pub api: &'static str,
    pub outcome: Outcome,
    pub latency: Duration,
    /// 1 for the first try of a call, 2 for its first retry, …
    pub attempt: u32,
    /// What went wrong, for the error log: never a secret (see [`safe_message`]).
    pub message: Option<String>,
}

impl CallRecord {
    pub fn new(
        api: &'static str,
        result: Result<(), &ApiError>,
        latency: Duration,
        attempt: u32,
    ) -> CallRecord {
        CallRecord {
            at: Utc::now(),
            gateway: None,
            api,
            outcome: Outcome::of(result),
            latency,
            attempt,
            message: result.err().map(|e| safe_message(&e.to_string())),
        }
    }
}

/// The longest message kept in the error log.
pub const MAX_MESSAGE_CHARS: usize = 240;

/// A message fit for the error log: cut to [`MAX_MESSAGE_CHARS`], and anything after a key that
/// names a secret blanked. Pifa's own messages carry none, but the gateway's text is echoed in
/// them and the gateway is not trusted.
pub fn safe_message(message: &str) -> String {
    let mut kept: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let lower = kept.to_ascii_lowercase();
    let first_secret = [
        "access_token",
        "refresh_token",
        "client_secret",
        "_aop_signature",
        "code=",
    ]
    .iter()
    .filter_map(|key| lower.find(key).map(|at| at + key.len()))
    .min();
    if let Some(at) = first_secret {
        kept.truncate(at);
        kept.push_str(" [removed]");
    }
    kept
}

/// Where a client sends its call records.
pub trait CallSink: Send + Sync {
    fn record(&self, call: CallRecord);
}

/// Notes which gateway a client's calls went to before passing them on. Each client is made
/// for one gateway, so its records keep that one even when the app switches mode meanwhile.
pub struct Tagged {
    gateway: GatewayKey,
    sink: Arc<dyn CallSink>,
}

impl Tagged {
    pub fn wrap(gateway: GatewayKey, sink: Arc<dyn CallSink>) -> Arc<dyn CallSink> {
        Arc::new(Tagged { gateway, sink })
    }
}

impl CallSink for Tagged {
    fn record(&self, mut call: CallRecord) {
        call.gateway = Some(self.gateway.clone());
        self.sink.record(call);
    }
}

/// Most records held between flushes; past it new ones are dropped and counted (a flush that
/// keeps failing must not grow memory without bound).
pub const MAX_PENDING: usize = 100_000;

/// Call records waiting to be written, in the order they came.
#[derive(Default)]
pub struct CallLog {
    pending: Mutex<Vec<CallRecord>>,
    dropped: std::sync::atomic::AtomicU64,
}

impl CallLog {
    pub fn new() -> CallLog {
        CallLog::default()
    }

    /// Everything recorded since the last take.
    pub fn take(&self) -> Vec<CallRecord> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts back records a flush could not write, ahead of newer ones.
    pub fn restore(&self, mut records: Vec<CallRecord>) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        records.append(&mut pending);
        let surplus = records.len().saturating_sub(MAX_PENDING);
        records.truncate(MAX_PENDING);
        self.dropped
            .fetch_add(surplus as u64, std::sync::atomic::Ordering::Relaxed);
        *pending = records;
    }

    pub fn len(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Records lost because too many waited for a flush.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl CallSink for CallLog {
    fn record(&self, call: CallRecord) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.len() >= MAX_PENDING {
            self.dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        pending.push(call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_error_kinds_and_round_trip() {
        let throttled = ApiError::Throttled("m".into());
        assert_eq!(Outcome::of(Err(&throttled)), Outcome::Throttled);
        assert_eq!(Outcome::of(Ok(())), Outcome::Ok);
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert!(Outcome::NotFound.answered() && !Outcome::Transient.answered());
    }

    #[test]
    fn messages_lose_anything_after_a_secret_name() {
        let kept = safe_message("refused: access_token=abc123 is invalid");
        assert!(!kept.contains("abc123"), "{kept}");
        assert!(kept.starts_with("refused: access_token"), "{kept}");
        assert_eq!(
            safe_message(&"长".repeat(500)).chars().count(),
            MAX_MESSAGE_CHARS
        );
    }

    #[test]
    fn the_log_is_bounded_and_keeps_order_across_a_failed_flush() {
        let log = CallLog::new();
        let record = |attempt| CallRecord::new("getToken", Ok(()), Duration::ZERO, attempt);
        log.record(record(1));
        let taken = log.take();
        log.record(record(2));
        log.restore(taken);
        let attempts: Vec<u32> = log.take().iter().map(|r| r.attempt).collect();
        assert_eq!(attempts, [1, 2]);
        assert!(log.is_empty());
    }

    #[test]
    fn a_tagged_sink_notes_its_gateway_and_the_current_one_can_change() {
        let log = Arc::new(CallLog::new());
        let live = GatewayKey::live("https://gw.open.1688.com");
        let sink = Tagged::wrap(live.clone(), Arc::clone(&log) as Arc<dyn CallSink>);
        sink.record(CallRecord::new("getToken", Ok(()), Duration::ZERO, 1));
        assert_eq!(log.take()[0].gateway.as_ref(), Some(&live));
        assert_eq!(GatewayKey::live(" ").as_str(), GatewayKey::UNKNOWN);

        let current = CurrentGateway::default();
        let shared = current.clone();
        assert_eq!(shared.get(), GatewayKey::unknown());
        current.set(GatewayKey::demo());
        assert!(shared.get().is_demo());
    }
}
