//! What a gateway double run looks like.

use std::time::Duration;

use pifa_core::DemoFaults;

/// The demo app key and secret the standalone double accepts by default. They open only the
/// double: the live gateway knows nothing of them. Documented in the README. The in-process
/// double of demo mode uses a per-process secret instead (see [`crate::demo`]).
pub const DEMO_APP_KEY: &str = "1688001";
pub const DEMO_APP_SECRET: &str = "pifa-demo-secret";

#[derive(Clone)]
pub struct GatewayConfig {
    pub app_key: String,
    pub app_secret: String,
    /// Catalog seed and size (at most `catalog::MAX_OFFERS`).
    pub seed: u64,
    pub offers: u64,
    /// How long access and refresh tokens live.
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Simulated seconds per real second (1 = real time); drives token expiry and price drift.
    pub clock_speed: f64,
    /// The largest daily price move, in percent.
    pub daily_drift_percent: u32,
    /// Fixed latency plus up to `jitter` more, on every answer.
    pub latency: Duration,
    pub jitter: Duration,
    /// Fault rates in percent of business calls that passed the gateway's checks.
    pub error_5xx_percent: u32,
    pub timeout_percent: u32,
    /// A complete answer whose JSON does not parse.
    pub malformed_percent: u32,
    /// The connection is closed before any answer.
    pub drop_percent: u32,
    /// The answer stops mid-body, short of its `Content-Length`, and the connection closes.
    pub truncate_percent: u32,
    /// A valid answer padded past 8 MiB, sent without a length, as a hostile gateway might
    /// (review H3): what a client's size cap is for.
    pub oversize_percent: u32,
    /// Answered `gw.QosAppFrequencyLimit` at random, besides the QPS limit.
    pub throttle_percent: u32,
    /// keywordQuery pages that list one of their offers twice.
    pub duplicate_percent: u32,
    /// Every access token is revoked at every this many business calls (0 = never); refresh
    /// tokens survive, so one refresh recovers.
    pub revoke_every: u64,
    /// How long a "timeout" holds the request before answering.
    pub timeout_hold: Duration,
    /// Business calls per second allowed per app key; 0 = unlimited.
    pub qps_limit: u32,
    /// Business calls allowed in all; `None` = unlimited.
    pub quota: Option<u64>,
    /// Accepted distance between `_aop_timestamp` and the double's clock.
    pub timestamp_tolerance: Duration,
    /// How long a connection may take to send a request head, idle keep-alive time included.
    pub header_timeout: Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// How many detail answers the double keeps rendered, to serve again without making them
    /// anew, as a real gateway's cache would; 0 = none (the default: the app's demo double
    /// keeps no memory for it). Benchmarks keep theirs, so the double's own work on the
    /// shared CPU does not weigh on the client being measured.
    pub keep_rendered: usize,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            app_key: DEMO_APP_KEY.to_owned(),
            app_secret: DEMO_APP_SECRET.to_owned(),
            seed: 1688,
            offers: 5_000,
            access_ttl: Duration::from_secs(10 * 3600),
            refresh_ttl: Duration::from_secs(180 * 24 * 3600),
            clock_speed: 1.0,
            daily_drift_percent: 3,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            error_5xx_percent: 0,
            timeout_percent: 0,
            malformed_percent: 0,
            drop_percent: 0,
            truncate_percent: 0,
            oversize_percent: 0,
            throttle_percent: 0,
            duplicate_percent: 0,
            revoke_every: 0,
            timeout_hold: Duration::from_secs(30),
            qps_limit: 0,
            quota: None,
            timestamp_tolerance: Duration::from_secs(15 * 60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            keep_rendered: 0,
        }
    }
}

impl GatewayConfig {
    /// This double with `faults`' rates of injected faults (demo mode's "simulate faults"
    /// setting); `Off` leaves the rates as they are.
    pub fn with_demo_faults(self, faults: DemoFaults) -> GatewayConfig {
        match faults {
            DemoFaults::Off => self,
            DemoFaults::Realistic => GatewayConfig {
                error_5xx_percent: 10,
                drop_percent: 3,
                truncate_percent: 2,
                throttle_percent: 1,
                ..self
            },
        }
    }

    /// The longest a business request may run: its latency, a held "timeout" and a margin.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.latency
            .saturating_add(self.jitter)
            .saturating_add(self.timeout_hold)
            .saturating_add(self.body_timeout)
            .saturating_add(Duration::from_secs(5))
    }
}

/// Everything but the secret, which must not reach a log (review L10).
impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("seed", &self.seed)
            .field("offers", &self.offers)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("clock_speed", &self.clock_speed)
            .field("daily_drift_percent", &self.daily_drift_percent)
            .field("latency", &self.latency)
            .field("jitter", &self.jitter)
            .field("error_5xx_percent", &self.error_5xx_percent)
            .field("timeout_percent", &self.timeout_percent)
            .field("malformed_percent", &self.malformed_percent)
            .field("drop_percent", &self.drop_percent)
            .field("truncate_percent", &self.truncate_percent)
            .field("oversize_percent", &self.oversize_percent)
            .field("throttle_percent", &self.throttle_percent)
            .field("duplicate_percent", &self.duplicate_percent)
            .field("revoke_every", &self.revoke_every)
            .field("timeout_hold", &self.timeout_hold)
            .field("qps_limit", &self.qps_limit)
            .field("quota", &self.quota)
            .field("timestamp_tolerance", &self.timestamp_tolerance)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_realistic_profile_sets_the_fault_rates_and_off_none() {
        let realistic = GatewayConfig::default().with_demo_faults(DemoFaults::Realistic);
        assert_eq!(
            (
                realistic.error_5xx_percent,
                realistic.drop_percent,
                realistic.truncate_percent,
                realistic.throttle_percent
            ),
            (10, 3, 2, 1)
        );
        let off = GatewayConfig::default().with_demo_faults(DemoFaults::Off);
        assert_eq!(
            format!("{off:?}"),
            format!("{:?}", GatewayConfig::default())
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let config = GatewayConfig {
            app_secret: "s3cr3t-value".into(),
            ..GatewayConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t-value") && shown.contains("<redacted>"));
    }
}
