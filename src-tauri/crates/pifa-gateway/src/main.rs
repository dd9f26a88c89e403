//! `pifa-gateway`: the 1688-compatible gateway double as a program. Its first line of output is
//! its base URL; it serves until interrupted.

use std::time::Duration;

use clap::Parser;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};

#[derive(Parser)]
#[command(
    name = "pifa-gateway",
    version,
    about = "A 1688-compatible gateway double on loopback"
)]
struct Args {
    /// Where to listen; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    #[arg(long, default_value = DEMO_APP_KEY)]
    app_key: String,
    #[arg(long, default_value = DEMO_APP_SECRET, env = "PIFA_GATEWAY_APP_SECRET", hide_env_values = true)]
    app_secret: String,
    /// Catalog seed: the same seed gives the same offers.
    #[arg(long, default_value_t = 1688)]
    seed: u64,
    /// How many offers the catalog holds.
    #[arg(long, default_value_t = 5_000)]
    offers: u64,
    /// Latency added to every business answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Up to this many more milliseconds, at random.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Percent of business calls answered 502.
    #[arg(long, default_value_t = 0)]
    error_rate: u32,
    /// Percent of business calls held (see --timeout-hold-ms) and answered 504.
    #[arg(long, default_value_t = 0)]
    timeout_rate: u32,
    #[arg(long, default_value_t = 30_000)]
    timeout_hold_ms: u64,
    /// Percent of business calls answered with broken JSON.
    #[arg(long, default_value_t = 0)]
    malformed_rate: u32,
    /// Business calls per second per app key before gw.QosAppFrequencyLimit; 0 = unlimited.
    #[arg(long, default_value_t = 0)]
    qps: u32,
    /// Business calls allowed in all before gw.NoUsageLeftError.
    #[arg(long)]
    quota: Option<u64>,
    /// Access token lifetime in seconds (live: 36000).
    #[arg(long, default_value_t = 36_000)]
    access_ttl_s: u64,
    /// Simulated seconds per real second, for token expiry and price drift.
    #[arg(long, default_value_t = 1.0)]
    clock_speed: f64,
    /// The largest daily price move, in percent.
    #[arg(long, default_value_t = 3)]
    drift_percent: u32,
}

fn main() {
    let args = Args::parse();
    let config = GatewayConfig {
        app_key: args.app_key,
        app_secret: args.app_secret,
        seed: args.seed,
        offers: args.offers,
        latency: Duration::from_millis(args.latency_ms),
        jitter: Duration::from_millis(args.jitter_ms),
        error_5xx_percent: args.error_rate,
        timeout_percent: args.timeout_rate,
        timeout_hold: Duration::from_millis(args.timeout_hold_ms),
        malformed_percent: args.malformed_rate,
        qps_limit: args.qps,
        quota: args.quota,
        access_ttl: Duration::from_secs(args.access_ttl_s),
        clock_speed: args.clock_speed,
        daily_drift_percent: args.drift_percent,
        ..GatewayConfig::default()
    };
    match spawn(config, &args.addr) {
        Ok(handle) => {
            println!("{}", handle.base_url);
            eprintln!(
                "pifa-gateway: serving a generated 1688 catalog on {} (Ctrl-C stops)",
                handle.base_url
            );
            // Serve until the process is stopped; dropping the handle would stop the server.
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("pifa-gateway: cannot listen on {}: {e}", args.addr);
            std::process::exit(2);
        }
    }
}
