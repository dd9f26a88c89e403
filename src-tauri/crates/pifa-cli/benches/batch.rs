//! `pifa-cli batch` of 1,000 offers against the double (in this process, on loopback), each
//! figure beside its target (issue 14). Asserts nothing. Run with
//! `cargo bench -p pifa-cli --bench batch`.
//!
//! - Latency-bound: 20 ms gateway latency, concurrency 16, against the bound
//!   1,000 × 20 ms / 16 = 1.25 s; target within 1.05× of it. Beside it, what this double on
//!   this machine allows at all: the same 1,000 calls from Pifa's `GatewayClient` in this
//!   process, 16 at a time, with nothing done with the answers (no cleaning, no store, no
//!   process to start).
//! - CPU-bound: no latency, concurrency 16, against the product brief's design in plain Python
//!   (`benches/python/brief_design.py`: sign, fetch, `json.loads`, a dict cleaner, one SQLite
//!   row per offer) on the same double in the same run; target at most a third of its time.
//!
//! Each figure is the median of [`RUNS`] runs, Pifa and Python taking turns, each run with a
//! fresh, empty store, made (schema and all) before the clock starts, as a user's is; the wall
//! time is the whole process's, start-up included. The double runs in this process, on the
//! same two cores: it keeps its answers rendered, as a real gateway's cache would, and an
//! untimed run first renders them, so what is measured is the client's work, not the
//! double's. The CPU time
//! (user + system) of each process is printed too: on a busy machine it moves less than the
//! wall time; and so is the span of the calls themselves (from what `pifa-cli` recorded for
//! its health figures), which leaves out starting and ending the process.
//! `PIFA_BENCH_CLI=path` measures another `pifa-cli` build (a debug one, say).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pifa_core::protocol::{AppCredentials, ClientConfig, GatewayClient, TokenSet};
use pifa_core::OfferId;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};

// The double in this process allocates like the CLI does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const OFFERS: u64 = 1_000;
const CONCURRENCY: u64 = 16;
const RUNS: usize = 5;

/// One run of a process: its wall time, the CPU time it used, and for `pifa-cli` the span of
/// the batch itself (first call sent to last answer, from the calls it recorded).
#[derive(Debug, Clone, Copy)]
struct Run {
    wall: Duration,
    cpu: Duration,
    calls: Option<Duration>,
}

/// User and system time of this process's waited-for children so far (`/proc/self/stat`).
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // cutime and cstime are fields 16 and 17 of the whole line, in clock ticks (100 a second).
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

fn timed(command: &mut Command) -> (Run, std::process::Output) {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command.output().unwrap();
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    (
        Run {
            wall,
            cpu,
            calls: None,
        },
        output,
    )
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    runs[runs.len() / 2]
}

struct Double {
    gateway: GatewayHandle,
    tokens: TokenSet,
    ids: PathBuf,
    offer_ids: Vec<OfferId>,
    _dir: tempfile::TempDir,
}

fn double(latency: Duration) -> Double {
    let gateway = spawn(
        GatewayConfig {
            offers: OFFERS,
            latency,
            keep_rendered: OFFERS as usize,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tokens = gateway.authorized_tokens().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::new(GatewayConfig::default().seed, OFFERS);
    let ids: Vec<String> = (0..OFFERS).map(|i| catalog.offer_id(i)).collect();
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();
    Double {
        gateway,
        tokens,
        ids: file,
        offer_ids: ids.iter().map(|id| OfferId::parse(id).unwrap()).collect(),
        _dir: dir,
    }
}

/// The calls alone: every offer's detail fetched by Pifa's client, [`CONCURRENCY`] at a time,
/// the answers dropped. The best of three runs.
fn fetch_only(double: &Double) -> Duration {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = ClientConfig::new(
        double.gateway.base_url.clone(),
        AppCredentials {
            app_key: DEMO_APP_KEY.into(),
            app_secret: DEMO_APP_SECRET.into(),
        },
    );
    config.rate_per_second = 10_000.try_into().unwrap();
    config.burst = (CONCURRENCY as u32).try_into().unwrap();
    let client = Arc::new(GatewayClient::new(config).unwrap());
    let ids = Arc::new(double.offer_ids.clone());
    runtime.block_on(client.set_tokens(Some(double.tokens.clone())));
    (0..3)
        .map(|_| {
            let next = Arc::new(AtomicUsize::new(0));
            let started = Instant::now();
            runtime.block_on(async {
                let slots: Vec<_> = (0..CONCURRENCY)
                    .map(|_| {
                        let (client, ids, next) = (client.clone(), ids.clone(), next.clone());
                        tokio::spawn(async move {
                            while let Some(id) = ids.get(next.fetch_add(1, Ordering::Relaxed)) {
                                client.offer_detail_text(id).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for slot in slots {
                    slot.await.unwrap();
                }
            });
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn pifa(double: &Double) -> Run {
    let cli = std::env::var_os("PIFA_BENCH_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_pifa-cli")));
    let data = tempfile::tempdir().unwrap();
    let made = Command::new(&cli)
        .arg("--data-dir")
        .arg(data.path())
        .args(["offers", "--json"])
        .output()
        .unwrap();
    assert!(made.status.success(), "pifa-cli offers: {made:?}");
    let (mut run, output) = timed(
        Command::new(cli)
            .arg("--data-dir")
            .arg(data.path())
            .args([
                "--gateway",
                &double.gateway.base_url,
                "--rate",
                "10000",
                "batch",
            ])
            .arg(&double.ids)
            .args(["--concurrency", &CONCURRENCY.to_string(), "--json"])
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
            .env("PIFA_ACCESS_TOKEN", &double.tokens.access_token)
            .env(
                "PIFA_REFRESH_TOKEN",
                double.tokens.refresh_token.as_deref().unwrap(),
            ),
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(
        report["stored"],
        OFFERS,
        "pifa-cli batch: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    run.calls = calls_span(&data.path().join("cache.db"));
    run
}

/// From the first call's start to the last call's end, as `pifa-cli` recorded them (health).
fn calls_span(cache: &Path) -> Option<Duration> {
    let conn = rusqlite::Connection::open(cache).ok()?;
    let (first, last): (String, String) = conn
        .query_row(
            "SELECT MIN(at), MAX(strftime('%Y-%m-%dT%H:%M:%fZ', at, '+' || (latency_us / 1e6) || ' seconds'))
             FROM calls WHERE api = 'product.search.queryProductDetail'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()?;
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).ok();
    (at(&last)? - at(&first)?).to_std().ok()
}

fn python(double: &Double) -> Option<Run> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/brief_design.py");
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new("python3");
    command
        .arg(script)
        .arg("fetch")
        .args(["--gateway", &double.gateway.base_url])
        .args(["--app-key", DEMO_APP_KEY, "--secret", DEMO_APP_SECRET])
        .args(["--token", &double.tokens.access_token])
        .arg("--ids")
        .arg(&double.ids)
        .arg("--db")
        .arg(data.path().join("offers.db"))
        .args(["--concurrency", &CONCURRENCY.to_string()]);
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command.output().ok()?;
    let run = Run {
        wall: started.elapsed(),
        cpu: children_cpu().saturating_sub(cpu_before),
        calls: None,
    };
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    (report["stored"] == OFFERS).then_some(run)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let latency = Duration::from_millis(20);
    let bound = latency * OFFERS as u32 / CONCURRENCY as u32;
    let slow = double(latency);
    pifa(&slow); // renders the double's answers
    let run = median((0..RUNS).map(|_| pifa(&slow)).collect());
    let calls = run.calls.unwrap_or_default();
    println!(
        "batch, latency-bound: {OFFERS} offers at {} ms, concurrency {CONCURRENCY}: wall {} (cpu {}), the calls themselves {}; bound {} → {:.3}× the bound, the calls {:.3}× (target ≤ 1.05×)",
        latency.as_millis(),
        seconds(run.wall),
        seconds(run.cpu),
        seconds(calls),
        seconds(bound),
        run.wall.as_secs_f64() / bound.as_secs_f64(),
        calls.as_secs_f64() / bound.as_secs_f64(),
    );
    let floor = fetch_only(&slow);
    println!(
        "  what this double allows here: the same calls alone (Pifa's client in this process, answers dropped; best of 3) {} → {:.3}× the bound",
        seconds(floor),
        floor.as_secs_f64() / bound.as_secs_f64(),
    );
    drop(slow);

    let fast = double(Duration::ZERO);
    pifa(&fast); // renders the double's answers
    let mut pifa_runs = Vec::new();
    let mut python_runs = Vec::new();
    for _ in 0..RUNS {
        pifa_runs.push(pifa(&fast));
        python_runs.extend(python(&fast));
    }
    let run = median(pifa_runs);
    print!(
        "batch, CPU-bound: {OFFERS} offers at 0 ms, concurrency {CONCURRENCY}: pifa-cli wall {} (cpu {})",
        seconds(run.wall),
        seconds(run.cpu),
    );
    if python_runs.is_empty() {
        println!("; the Python design did not run (is python3 installed?)");
        return;
    }
    let python = median(python_runs);
    println!(
        "; Python brief design wall {} (cpu {}) → pifa-cli takes {:.2}× its time (target ≤ 0.33×; cpu {:.2}×)",
        seconds(python.wall),
        seconds(python.cpu),
        run.wall.as_secs_f64() / python.wall.as_secs_f64(),
        run.cpu.as_secs_f64() / python.cpu.as_secs_f64().max(0.001),
    );
}
