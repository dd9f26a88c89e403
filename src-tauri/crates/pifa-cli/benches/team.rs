//! Team mode on PostgreSQL (issue 15), one section per figure, each printed beside what it is
//! held against. Asserts nothing. It needs a PostgreSQL cluster and a keyring (team codes go
//! there); run it as
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench bash .dev/with-keyring bash .dev/with-postgres \
//!     cargo bench -p pifa-cli --bench team
//! ```
//!
//! `.dev/with-postgres` starts a throwaway cluster (the distribution's PostgreSQL) and sets
//! `PIFA_TEST_POSTGRES_URL`/`PIFA_TEST_POSTGRES_PASSWORD`; without them the bench stops and
//! says so. Figures taken while the machine builds something else are noisy.
//!
//! Sections:
//! - rate limit: calls per second reached by five desktops (`pifa-cli batch` processes, offers
//!   of their own each) through one gateway double, against the app key's configured limit;
//!   the same five without a team for comparison.
//! - watch claims: ten workers claiming and finishing the team's due watches, in claims per
//!   second: first the database alone (ten connections in this process, no fetching), then
//!   ten `pifa-cli team worker --once` processes fetching through one gateway double.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pifa_core::protocol::TokenSet;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_team::testing::TestDatabase;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

/// Stops the bench, saying how to give it a cluster, when none was given.
fn require_cluster() {
    if std::env::var_os("PIFA_TEST_POSTGRES_URL").is_none()
        || std::env::var_os("PIFA_TEST_POSTGRES_PASSWORD").is_none()
    {
        eprintln!(
            "the team bench needs a PostgreSQL cluster: run it as\n  CARGO_TARGET_DIR=/work/target-bench bash .dev/with-keyring bash .dev/with-postgres cargo bench -p pifa-cli --bench team"
        );
        std::process::exit(2);
    }
}

fn main() {
    require_cluster();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    rate_limit::run(&runtime);
    watch_claims::run(&runtime);
}

/// Five desktops sharing one app key's limit.
mod rate_limit {
    use super::*;

    const DESKTOPS: u64 = 5;
    const OFFERS_EACH: u64 = 40;
    /// The app key's calls per second (`--rate`).
    const LIMIT: u64 = 20;

    struct Desk {
        dir: PathBuf,
        ids: PathBuf,
    }

    fn cli(desk: &Desk, gateway: &GatewayHandle, tokens: &TokenSet) -> Command {
        let mut command = Command::new(CLI);
        command
            .arg("--data-dir")
            .arg(&desk.dir)
            .args(["--gateway", &gateway.base_url, "--rate", &LIMIT.to_string()])
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
            .env("PIFA_ACCESS_TOKEN", &tokens.access_token)
            .env(
                "PIFA_REFRESH_TOKEN",
                tokens.refresh_token.as_deref().unwrap_or_default(),
            )
            .env_remove("PIFA_TEAM_DATABASE_URL")
            .env_remove("PIFA_GATEWAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn desks(root: &Path) -> Vec<Desk> {
        let catalog = Catalog::new(GatewayConfig::default().seed, 1_000);
        (0..DESKTOPS)
            .map(|n| {
                let dir = root.join(format!("desk-{n}"));
                std::fs::create_dir_all(&dir).unwrap();
                let ids: Vec<String> = (0..OFFERS_EACH)
                    .map(|i| catalog.offer_id(n * OFFERS_EACH + i))
                    .collect();
                let file = dir.join("ids.txt");
                std::fs::write(&file, ids.join("\n")).unwrap();
                Desk { dir, ids: file }
            })
            .collect()
    }

    fn gateway() -> GatewayHandle {
        spawn(
            GatewayConfig {
                offers: 1_000,
                ..GatewayConfig::default()
            },
            "127.0.0.1:0",
        )
        .unwrap()
    }

    fn ok(mut command: Command) -> String {
        let output = command.output().unwrap();
        if !output.status.success() {
            panic!("{}", String::from_utf8_lossy(&output.stderr));
        }
        String::from_utf8(output.stdout).unwrap()
    }

    /// When each detail call went, as the desktops recorded them for their health figures.
    fn call_times(desks: &[Desk]) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
        let mut times = Vec::new();
        for desk in desks {
            let Ok(conn) = rusqlite::Connection::open(desk.dir.join("cache.db")) else {
                continue;
            };
            let Ok(mut statement) = conn
                .prepare("SELECT at FROM calls WHERE api = 'product.search.queryProductDetail'")
            else {
                continue;
            };
            let rows = statement.query_map([], |r| r.get::<_, String>(0)).unwrap();
            times.extend(
                rows.flatten()
                    .filter_map(|at| chrono::DateTime::parse_from_rfc3339(&at).ok()),
            );
        }
        times.sort();
        times
    }

    /// The five batches at once: calls per second over the span of the calls (from the first
    /// to the last one sent; the wall time if the calls were not recorded), the busiest whole
    /// second at the double, and the wall time.
    fn fetch_together(
        desks: &[Desk],
        gateway: &GatewayHandle,
        tokens: &TokenSet,
    ) -> (f64, u64, Duration) {
        let started = Instant::now();
        let running: Vec<Child> = desks
            .iter()
            .map(|desk| {
                let mut command = cli(desk, gateway, tokens);
                command.arg("batch").arg(&desk.ids).arg("--json");
                command.spawn().unwrap()
            })
            .collect();
        for child in running {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let wall = started.elapsed();
        let calls = (DESKTOPS * OFFERS_EACH) as f64;
        let times = call_times(desks);
        let rate = match (times.first(), times.last()) {
            (Some(first), Some(last)) if times.len() as f64 == calls && last > first => {
                (calls - 1.0) / (*last - *first).to_std().unwrap().as_secs_f64()
            }
            _ => calls / wall.as_secs_f64(),
        };
        (rate, gateway.gateway.busiest_second(), wall)
    }

    pub fn run(runtime: &tokio::runtime::Runtime) {
        let db = runtime.block_on(TestDatabase::create("bench_team_rate"));
        let tmp = tempfile::tempdir().unwrap();

        let alone = gateway();
        let tokens = alone.authorized_tokens().unwrap();
        let (alone_rate, alone_busiest, _) =
            fetch_together(&desks(&tmp.path().join("alone")), &alone, &tokens);

        let shared = gateway();
        let tokens = shared.authorized_tokens().unwrap();
        let desks = desks(&tmp.path().join("team"));
        let url = db.url_with_password();
        let mut init = cli(&desks[0], &shared, &tokens);
        init.args(["team", "init", "--name", "bench", "--url", &url, "--json"]);
        let created: serde_json::Value = serde_json::from_str(&ok(init)).unwrap();
        let code = created["code"].as_str().unwrap().to_owned();
        for desk in &desks[1..] {
            let mut join = cli(desk, &shared, &tokens);
            join.args(["team", "join", &code, "--url", &url, "--json"]);
            ok(join);
        }
        let (rate, busiest, wall) = fetch_together(&desks, &shared, &tokens);
        println!(
            "team rate limit: five desktops in a team reached {rate:.2} calls/s together against the configured limit of {LIMIT}/s ({:.1}% of it; the gate leaves 2.5% for calls arriving unevenly late); busiest second at the double {busiest} (limit {LIMIT}); {} calls in {:.1} s wall",
            rate / LIMIT as f64 * 100.0,
            DESKTOPS * OFFERS_EACH,
            wall.as_secs_f64()
        );
        println!(
            "team rate limit, for comparison: the same five without a team reached {alone_rate:.1} calls/s, busiest second {alone_busiest} ({:.1}× the limit)",
            alone_busiest as f64 / LIMIT as f64
        );
    }
}

/// Ten workers sharing the team's watch checks.
mod watch_claims {
    use super::*;
    use pifa_core::watch::rules::WatchRules;
    use pifa_team::{CheckOutcome, Member, TeamDb};

    const WORKERS: usize = 10;
    /// Watches due at once for the database-only run.
    const WATCHES: i32 = 5_000;
    /// Watches due at once for the ten processes.
    const PROCESS_WATCHES: u64 = 400;
    /// What a team needs: 50 buyers with 200 watches each, checked hourly, is 2.8 checks a
    /// second; the target is a hundred times that, so claiming never limits a team.
    const TARGET: f64 = 280.0;
    const NEED: f64 = 50.0 * 200.0 / 3600.0;
    const LEASE: Duration = Duration::from_secs(300);
    const INTERVAL: Duration = Duration::from_secs(3600);

    /// Every watch due now, straight into the team database (the workers need nothing stored
    /// beforehand: they fetch each offer).
    async fn due_watches(db: &TestDatabase, offers: &[String]) {
        let rules = serde_json::to_string(&WatchRules::default()).unwrap();
        db.inspect()
            .await
            .execute(
                "INSERT INTO pifa.watches (offer_id, target_qty, rules, told, set_by, set_by_name)
                 SELECT o, 10, $1::text::jsonb, '{}'::jsonb, 'bench', 'bench'
                 FROM unnest($2::text[]) AS o",
                &[&rules, &offers],
            )
            .await
            .unwrap();
    }

    fn database_alone(runtime: &tokio::runtime::Runtime) {
        let db = runtime.block_on(TestDatabase::create("bench_watch_claims"));
        let (claimed, elapsed) = runtime.block_on(async {
            let mut teams = Vec::new();
            for _ in 0..WORKERS {
                teams.push(
                    TeamDb::connect(&db.address, Some(&db.password))
                        .await
                        .unwrap(),
                );
            }
            let offers: Vec<String> = (0..WATCHES)
                .map(|i| (600_000_000_000_i64 + i64::from(i)).to_string())
                .collect();
            due_watches(&db, &offers).await;
            let started = Instant::now();
            let workers: Vec<_> = teams
                .into_iter()
                .enumerate()
                .map(|(i, team)| {
                    tokio::spawn(async move {
                        let me = Member::new(&format!("worker {i}"), "bench");
                        let mut claimed = 0u64;
                        loop {
                            let claims = team.claim_due(&me, 8, LEASE, false).await.unwrap();
                            if claims.is_empty() {
                                return claimed;
                            }
                            for claim in &claims {
                                let outcome = CheckOutcome::Observed {
                                    observed_at: chrono::Utc::now(),
                                    told: claim.told.clone(),
                                    snooze_until_target: false,
                                    title: None,
                                    alerts: Vec::new(),
                                };
                                team.finish_check(&me, claim, &outcome, INTERVAL)
                                    .await
                                    .unwrap();
                                claimed += 1;
                            }
                        }
                    })
                })
                .collect();
            let mut claimed = 0;
            for worker in workers {
                claimed += worker.await.unwrap();
            }
            (claimed, started.elapsed())
        });
        let rate = claimed as f64 / elapsed.as_secs_f64();
        println!(
            "team watch claims, database alone: ten workers claimed and finished {claimed} due watches (of {WATCHES}) at {rate:.0} claims/s (target at least {TARGET:.0}/s, a hundred times a 50-buyer team's {NEED:.1}/s), {:.2} s",
            elapsed.as_secs_f64()
        );
    }

    fn cli(dir: &Path, gateway: &GatewayHandle, tokens: &TokenSet) -> Command {
        let mut command = Command::new(CLI);
        command
            .arg("--data-dir")
            .arg(dir)
            .args(["--gateway", &gateway.base_url, "--rate", "1000"])
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
            .env("PIFA_ACCESS_TOKEN", &tokens.access_token)
            .env_remove("PIFA_TEAM_DATABASE_URL")
            .env_remove("PIFA_GATEWAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn ok(mut command: Command) -> String {
        let output = command.output().unwrap();
        if !output.status.success() {
            panic!("{}", String::from_utf8_lossy(&output.stderr));
        }
        String::from_utf8(output.stdout).unwrap()
    }

    fn processes(runtime: &tokio::runtime::Runtime) {
        let db = runtime.block_on(TestDatabase::create("bench_watch_workers"));
        let gateway = spawn(
            GatewayConfig {
                offers: 1_000,
                ..GatewayConfig::default()
            },
            "127.0.0.1:0",
        )
        .unwrap();
        let tokens = gateway.authorized_tokens().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = (0..WORKERS)
            .map(|i| tmp.path().join(format!("worker-{i}")))
            .collect();
        let url = db.url_with_password();
        let mut init = cli(&dirs[0], &gateway, &tokens);
        init.args(["team", "init", "--name", "bench", "--url", &url, "--json"]);
        let created: serde_json::Value = serde_json::from_str(&ok(init)).unwrap();
        let code = created["code"].as_str().unwrap().to_owned();
        for dir in &dirs[1..] {
            let mut join = cli(dir, &gateway, &tokens);
            join.args(["team", "join", &code, "--url", &url, "--json"]);
            ok(join);
        }
        let catalog = Catalog::new(GatewayConfig::default().seed, 1_000);
        let offers: Vec<String> = (0..PROCESS_WATCHES).map(|i| catalog.offer_id(i)).collect();
        runtime.block_on(due_watches(&db, &offers));
        let started = Instant::now();
        let workers: Vec<Child> = dirs
            .iter()
            .map(|dir| {
                let mut worker = cli(dir, &gateway, &tokens);
                worker.args(["team", "worker", "--once"]);
                worker.spawn().unwrap()
            })
            .collect();
        for worker in workers {
            let output = worker.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let elapsed = started.elapsed();
        let once = offers
            .iter()
            .filter(|o| gateway.gateway.detail_calls(o) == 1)
            .count();
        println!(
            "team watch claims, ten `pifa-cli team worker --once` processes: {PROCESS_WATCHES} due watches fetched and finished in {:.2} s wall (start-up included), {:.0} checks/s (a 50-buyer team needs {NEED:.1}/s); fetched exactly once: {once} of {PROCESS_WATCHES}",
            elapsed.as_secs_f64(),
            PROCESS_WATCHES as f64 / elapsed.as_secs_f64()
        );
    }

    pub fn run(runtime: &tokio::runtime::Runtime) {
        database_alone(runtime);
        processes(runtime);
    }
}
