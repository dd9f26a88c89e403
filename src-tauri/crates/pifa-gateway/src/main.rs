//! `pifa-gateway`: the 1688-compatible gateway double as a program. Its first line of output is
//! its base URL; it serves until interrupted.

use std::net::ToSocketAddrs;
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
    /// Where to listen; port 0 picks a free one. Loopback only, unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    /// Listen on a non-loopback --addr: anyone who reaches it gets tokens with the public demo
    /// credentials.
    #[arg(long)]
    allow_remote: bool,
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
    /// Percent of business calls answered in full with JSON that does not parse.
    #[arg(long, default_value_t = 0)]
    malformed_rate: u32,
    /// Percent of business calls whose connection is closed with no answer.
    #[arg(long, default_value_t = 0)]
    drop_rate: u32,
    /// Percent of business calls whose answer stops halfway, short of its Content-Length.
    #[arg(long, default_value_t = 0)]
    truncate_rate: u32,
    /// Percent of business calls answered in full, padded past 8 MiB with no Content-Length.
    #[arg(long, default_value_t = 0)]
    oversize_rate: u32,
    /// Percent of business calls answered gw.QosAppFrequencyLimit at random (besides --qps).
    #[arg(long, default_value_t = 0)]
    throttle_rate: u32,
    /// Percent of keywordQuery pages that list one of their offers twice.
    #[arg(long, default_value_t = 0)]
    duplicate_rate: u32,
    /// Revoke every access token at every N business calls (refresh tokens survive); 0 = never.
    #[arg(long, default_value_t = 0)]
    revoke_every: u64,
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

/// Whether every address `addr` names is a loopback one.
fn is_loopback(addr: &str) -> bool {
    addr.to_socket_addrs()
        .map(|addrs| addrs.collect::<Vec<_>>())
        .is_ok_and(|addrs| !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()))
}

fn main() {
    let args = Args::parse();
    if !args.allow_remote && !is_loopback(&args.addr) {
        eprintln!(
            "pifa-gateway: {} is not a loopback address; the demo credentials are public, so \
             anyone who reaches it could get tokens. Pass --allow-remote to listen there anyway.",
            args.addr
        );
        std::process::exit(2);
    }
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
        drop_percent: args.drop_rate,
        truncate_percent: args.truncate_rate,
        oversize_percent: args.oversize_rate,
        throttle_percent: args.throttle_rate,
        duplicate_percent: args.duplicate_rate,
        revoke_every: args.revoke_every,
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
