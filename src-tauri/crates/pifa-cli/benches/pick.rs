//! `pifa-cli pick` over 3 search pages (150 candidates) against the double at 20 ms latency:
//! prints the wall time beside the latency-bound limit — the search pages one after another
//! (each page's total decides whether there is a next), then the candidates' details at the
//! workbench's batch concurrency. Asserts nothing. Run with `cargo bench -p pifa-cli --bench pick`.

use std::process::Command;
use std::time::{Duration, Instant};

use pifa_core::protocol::keyword_query::MAX_SEARCH_PAGE_SIZE;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_workbench::BATCH_CONCURRENCY;

/// Large enough that the keyword below matches more than three pages.
const OFFERS: u64 = 20_000;
const LATENCY_MS: u64 = 20;
const PAGES: u64 = 3;
const KEYWORD: &str = "保温杯";
const RUNS: usize = 3;

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

    let candidates = PAGES * u64::from(MAX_SEARCH_PAGE_SIZE);
    let details = candidates.div_ceil(BATCH_CONCURRENCY as u64);
    let limit = Duration::from_millis((PAGES + details) * LATENCY_MS);
    let mut walls = Vec::new();
    for _ in 0..RUNS {
        // A fresh data directory each run: every candidate's detail is fetched, none cached.
        let tmp = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_pifa-cli"))
            .arg("--data-dir")
            .arg(tmp.path())
            .args(["--gateway", &gateway.base_url, "--rate", "10000", "--json"])
            .args([
                "pick",
                KEYWORD,
                "--qty",
                "500",
                "--pages",
                &PAGES.to_string(),
            ])
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
        assert!(
            output.status.success(),
            "pifa-cli pick failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let found = report["candidates"].as_u64().unwrap_or(0);
        if found != candidates {
            println!(
                "pick: {found} candidates, not {candidates}: the figure below is not comparable"
            );
        }
        walls.push(wall);
    }
    walls.sort();
    let median = walls[walls.len() / 2];
    println!(
        "pick: {PAGES} pages, {candidates} candidates at {LATENCY_MS} ms latency, concurrency {BATCH_CONCURRENCY}: \
         wall {:.2} s (median of {RUNS}); latency-bound limit {:.2} s ({PAGES} pages + {details} rounds of details; {:.0}% of it)",
        median.as_secs_f64(),
        limit.as_secs_f64(),
        limit.as_secs_f64() / median.as_secs_f64() * 100.0
    );
}
