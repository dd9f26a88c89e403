//! The app key's rate limit across a team (issue 15): five `pifa-cli batch` processes, each
//! fetching offers of its own through one gateway double that counts calls per second, all
//! joined to one team database, never exceed the limit together; the same five without a team,
//! each holding only to its own limit, do.
//!
//! Needs a PostgreSQL and a keyring: `bash .dev/with-keyring bash .dev/with-postgres cargo test
//! -p pifa-cli --test team_rate`.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use pifa_core::protocol::TokenSet;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_team::testing::TestDatabase;
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");
const DESKTOPS: u64 = 5;
const OFFERS_EACH: u64 = 20;
/// Calls per second for the app key (`--rate`): each desktop's, and the team's.
const LIMIT: u64 = 10;

/// `pifa-cli` on `data_dir`, calling `gateway` with the double's app and tokens, never a team
/// database from the environment.
fn cli(data_dir: &Path, gateway: &GatewayHandle, tokens: &TokenSet) -> Command {
    let mut command = Command::new(CLI);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--gateway", &gateway.base_url, "--rate", &LIMIT.to_string()])
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env("PIFA_ACCESS_TOKEN", &tokens.access_token)
        .env(
            "PIFA_REFRESH_TOKEN",
            tokens.refresh_token.as_deref().unwrap(),
        )
        .env_remove("PIFA_TEAM_DATABASE_URL")
        .env_remove("PIFA_GATEWAY");
    command
}

fn succeeded(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Five desktops (data directories), each with a file of offers no other one fetches.
fn desktops(root: &Path, catalog: &Catalog) -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    (0..DESKTOPS)
        .map(|desk| {
            let dir = root.join(format!("desk-{desk}"));
            std::fs::create_dir_all(&dir).unwrap();
            let ids: Vec<String> = (0..OFFERS_EACH)
                .map(|i| catalog.offer_id(desk * OFFERS_EACH + i))
                .collect();
            let file = dir.join("ids.txt");
            std::fs::write(&file, ids.join("\n")).unwrap();
            (dir, file)
        })
        .collect()
}

/// Runs every desktop's batch at once; the busiest second the double counted.
fn fetch_together(
    gateway: &GatewayHandle,
    tokens: &TokenSet,
    desks: &[(std::path::PathBuf, std::path::PathBuf)],
) -> u64 {
    let running: Vec<Child> = desks
        .iter()
        .map(|(dir, ids)| {
            cli(dir, gateway, tokens)
                .arg("batch")
                .arg(ids)
                .arg("--json")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running {
        let report = succeeded(&child.wait_with_output().unwrap());
        assert_eq!(report["stored"], OFFERS_EACH, "{report}");
    }
    gateway.gateway.busiest_second()
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

#[test]
fn five_desktops_in_a_team_never_exceed_the_app_keys_limit_together() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDatabase::create("team_rate_cli"));
    let catalog = Catalog::new(GatewayConfig::default().seed, 1_000);
    let tmp = tempfile::tempdir().unwrap();

    // Without a team: each desktop holds to its own limit, and together they go over it.
    let alone = gateway();
    let tokens = alone.authorized_tokens().unwrap();
    let busiest_alone = fetch_together(
        &alone,
        &tokens,
        &desktops(&tmp.path().join("alone"), &catalog),
    );
    assert!(
        busiest_alone > 2 * LIMIT,
        "five desktops on their own limits reached only {busiest_alone} calls in a second"
    );

    // One team: the first desktop creates it, the others join with its code.
    let desks = desktops(&tmp.path().join("team"), &catalog);
    let shared = gateway();
    let tokens = shared.authorized_tokens().unwrap();
    let url = db.url_with_password();
    let created = succeeded(
        &cli(&desks[0].0, &shared, &tokens)
            .args([
                "team",
                "init",
                "--name",
                "义乌采购组",
                "--member",
                "desk-0",
                "--url",
                &url,
                "--json",
            ])
            .output()
            .unwrap(),
    );
    let code = created["code"].as_str().unwrap().to_owned();
    for (index, (dir, _)) in desks.iter().enumerate().skip(1) {
        succeeded(
            &cli(dir, &shared, &tokens)
                .args([
                    "team",
                    "join",
                    &code,
                    "--member",
                    &format!("desk-{index}"),
                    "--url",
                    &url,
                    "--json",
                ])
                .output()
                .unwrap(),
        );
    }
    let started = std::time::Instant::now();
    let busiest_together = fetch_together(&shared, &tokens, &desks);
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!(
        "busiest second at the double: {busiest_alone} calls for five desktops alone, {busiest_together} for five in a team (limit {LIMIT}); the team's {} calls took {elapsed:.1} s",
        DESKTOPS * OFFERS_EACH
    );
    assert!(
        busiest_together <= LIMIT,
        "five desktops of one team made {busiest_together} calls in one second, over the limit of {LIMIT}"
    );
    // And they did use the limit: 100 calls take about ten seconds, not much more.
    let calls = (DESKTOPS * OFFERS_EACH) as f64;
    assert!(
        elapsed < calls / LIMIT as f64 * 1.6,
        "{calls} calls took {elapsed:.1} s"
    );
    let rows: i64 = runtime.block_on(async {
        db.inspect()
            .await
            .query_one(
                "SELECT count(*) FROM pifa.rate_limits WHERE app_key = $1",
                &[&DEMO_APP_KEY],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(rows, 1, "one limit for the app key, shared");
}
