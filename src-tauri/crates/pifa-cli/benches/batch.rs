//! `pifa-cli batch` of 1,000 offers against the double at 20 ms latency and concurrency 16:
//! prints the wall time beside the latency-bound limit (1000 × 20 ms / 16). Asserts nothing.
//! Run with `cargo bench -p pifa-cli --bench batch`.

use std::process::Command;
use std::time::{Duration, Instant};

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};

const OFFERS: u64 = 1_000;
const LATENCY_MS: u64 = 20;
const CONCURRENCY: u64 = 16;

fn main() {
    let gateway = spawn(
        GatewayConfig {
            offers: OFFERS,
            latency: Duration::from_millis(LATENCY_MS),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tokens = gateway.authorized_tokens().unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let catalog = Catalog::new(GatewayConfig::default().seed, OFFERS);
    let ids: Vec<String> = (0..OFFERS).map(|i| catalog.offer_id(i)).collect();
    let file = tmp.path().join("ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();

    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_pifa-cli"))
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--gateway", &gateway.base_url, "--rate", "10000", "batch"])
        .arg(&file)
        .args(["--concurrency", &CONCURRENCY.to_string(), "--json"])
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env("PIFA_ACCESS_TOKEN", &tokens.access_token)
        .env(
            "PIFA_REFRESH_TOKEN",
            tokens.refresh_token.as_deref().unwrap(),
        )
        .output()
        .unwrap();
    let wall = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let limit = Duration::from_millis(OFFERS * LATENCY_MS / CONCURRENCY);
    println!(
        "batch: {} offers ({} ok, {} failed) at {LATENCY_MS} ms latency, concurrency {CONCURRENCY}: wall {:.2} s; latency-bound limit {:.2} s ({:.0}% of it)",
        OFFERS,
        report["stored"],
        report["failed"],
        wall.as_secs_f64(),
        limit.as_secs_f64(),
        limit.as_secs_f64() / wall.as_secs_f64() * 100.0
    );
}
