//! What a gateway double run looks like.

use std::time::Duration;

/// The demo app key and secret the double accepts by default. They open only the double: the
/// live gateway knows nothing of them. Documented in the README.
pub const DEMO_APP_KEY: &str = "1688001";
pub const DEMO_APP_SECRET: &str = "pifa-demo-secret";

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub app_key: String,
    pub app_secret: String,
    /// Catalog seed and size.
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
    /// Fault rates in percent of business calls.
    pub error_5xx_percent: u32,
    pub timeout_percent: u32,
    pub malformed_percent: u32,
    /// How long a "timeout" holds the request before answering.
    pub timeout_hold: Duration,
    /// Business calls per second allowed per app key; 0 = unlimited.
    pub qps_limit: u32,
    /// Business calls allowed in all; `None` = unlimited.
    pub quota: Option<u64>,
    /// Accepted distance between `_aop_timestamp` and the double's clock.
    pub timestamp_tolerance: Duration,
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
            timeout_hold: Duration::from_secs(30),
            qps_limit: 0,
            quota: None,
            timestamp_tolerance: Duration::from_secs(15 * 60),
        }
    }
}
