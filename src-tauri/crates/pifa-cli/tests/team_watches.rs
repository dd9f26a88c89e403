//! Team watches across processes, on a real PostgreSQL (`.dev/with-postgres`) and the OS
//! keyring (`.dev/with-keyring`): ten `pifa-cli team worker --once` at once check each due
//! watch exactly once per round (the double counts detail calls per offer), and a worker
//! killed while it holds claims loses no alert and repeats none.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_team::testing::TestDatabase;
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

/// For the database side of the tests: the double's own calls block, so the tests are not
/// async themselves.
fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}

fn keyring_session() -> bool {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return false;
    }
    true
}

fn gateway(latency: Duration) -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers: 200,
            latency,
            access_ttl: Duration::from_secs(10_000 * 24 * 3600),
            refresh_ttl: Duration::from_secs(20_000 * 24 * 3600),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

/// One desktop (or worker host): its data directory and keyring service, on one gateway.
struct Desk {
    dir: tempfile::TempDir,
    service: String,
    gateway: String,
    token: String,
}

impl Desk {
    fn new(name: &str, gateway: &GatewayHandle) -> Desk {
        Desk {
            dir: tempfile::tempdir().unwrap(),
            service: format!("app.pifa.team-watch-test-{name}-{}", std::process::id()),
            gateway: gateway.base_url.clone(),
            token: gateway.authorized_tokens().unwrap().access_token,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(CLI);
        command
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--gateway", &self.gateway, "--rate", "1000"])
            .args(args)
            .env("PIFA_KEYRING_SERVICE", &self.service)
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
            .env("PIFA_ACCESS_TOKEN", &self.token)
            .env_remove("PIFA_TEAM_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// As `run`, with the team database at an address nothing answers at.
    fn offline(&self, args: &[&str]) -> Output {
        self.command(args)
            .env(
                "PIFA_TEAM_DATABASE_URL",
                "postgresql://pifa:x@127.0.0.1:9/none",
            )
            .output()
            .unwrap()
    }

    /// As `json`, while the team database is out of reach.
    fn offline_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.offline(&all);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn worker(&self, lease_seconds: u32) -> Child {
        self.command(&[
            "team",
            "worker",
            "--once",
            "--lease",
            &lease_seconds.to_string(),
        ])
        .spawn()
        .unwrap()
    }
}

/// A team on `db`: `lin` creates it, stores offers and watches `wanted` of them, listed ones,
/// at a target price they are already under (so the first check alerts exactly once);
/// `workers` desks join it. Returns the watched offers too.
fn team_with_watches(
    db: &TestDatabase,
    gateway: &GatewayHandle,
    wanted: usize,
    workers: usize,
) -> (Desk, Vec<Desk>, Vec<String>) {
    let lin = Desk::new("lin", gateway);
    let created = lin.json(&[
        "team",
        "init",
        "--name",
        "义乌采购组",
        "--member",
        "林采购",
        "--url",
        &db.url_with_password(),
    ]);
    let code = created["code"].as_str().unwrap().to_owned();
    let catalog = Catalog::new(1688, 200);
    let candidates: Vec<String> = (0..wanted as u64 * 2)
        .map(|i| catalog.offer_id(i))
        .collect();
    let mut item = vec!["item"];
    item.extend(candidates.iter().map(String::as_str));
    let stored = lin.json(&item);
    // A delisted offer has no price to be under a target.
    let offers: Vec<String> = stored["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"].is_null() || o["status"] == "published")
        .map(|o| o["offerId"].as_str().unwrap().to_owned())
        .take(wanted)
        .collect();
    assert_eq!(offers.len(), wanted, "the catalog lists enough offers");
    for offer in &offers {
        lin.json(&[
            "watch",
            "add",
            offer,
            "--qty",
            "10",
            "--no-moves",
            "--below",
            "100000",
        ]);
    }
    let desks: Vec<Desk> = (0..workers)
        .map(|i| {
            let desk = Desk::new(&format!("worker{i}"), gateway);
            desk.json(&[
                "team",
                "join",
                &code,
                "--member",
                &format!("worker {i}"),
                "--url",
                &db.url_with_password(),
            ]);
            desk
        })
        .collect();
    (lin, desks, offers)
}

fn detail_calls(gateway: &GatewayHandle, offers: &[String]) -> Vec<u64> {
    offers
        .iter()
        .map(|o| gateway.gateway.detail_calls(o))
        .collect()
}

/// The sum of "N checked" over the workers' round lines.
fn checked_in(output: &Output) -> u64 {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .filter_map(|line| line.split("round: ").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn all_succeed(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            output
        })
        .collect()
}

/// How many alerts the team database holds per offer.
fn alerts_per_offer(db: &TestDatabase, offers: &[String]) -> Vec<i64> {
    block_on(async {
        let client = db.inspect().await;
        let mut counts = Vec::new();
        for offer in offers {
            let row = client
                .query_one(
                    "SELECT count(*) FROM pifa.alerts WHERE offer_id = $1",
                    &[offer],
                )
                .await
                .unwrap();
            counts.push(row.get(0));
        }
        counts
    })
}

/// Runs one statement on the team database, as an administrator would; its rows' first
/// column as text.
fn sql(db: &TestDatabase, statement: &str) -> Vec<String> {
    block_on(async {
        let rows = db.inspect().await.query(statement, &[]).await.unwrap();
        rows.iter().map(|row| row.get(0)).collect()
    })
}

#[test]
fn ten_workers_at_once_check_each_due_watch_exactly_once_per_round() {
    if !keyring_session() {
        return;
    }
    let db = block_on(TestDatabase::create("cli_ten_workers"));
    let gateway = gateway(Duration::from_millis(20));
    let (lin, desks, watched) = team_with_watches(&db, &gateway, 40, 10);
    let before = detail_calls(&gateway, &watched);

    let outputs = all_succeed(desks.iter().map(|d| d.worker(300)).collect());
    let after = detail_calls(&gateway, &watched);
    let calls: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert!(
        calls.iter().all(|&n| n == 1),
        "detail calls per offer: {calls:?}"
    );
    assert_eq!(outputs.iter().map(checked_in).sum::<u64>(), 40);
    assert!(
        outputs.iter().filter(|o| checked_in(o) > 0).count() > 1,
        "the round was shared between workers"
    );
    let alerts = alerts_per_offer(&db, &watched);
    assert_eq!(alerts, vec![1; 40]);

    // At once again: nothing is due, nothing is fetched.
    all_succeed(desks.iter().map(|d| d.worker(300)).collect());
    assert_eq!(detail_calls(&gateway, &watched), after);

    // The next round (every watch due again): once more each, and no alert repeated (the
    // price is still under the target, which was told).
    sql(
        &db,
        "UPDATE pifa.watches SET next_check_at = now() RETURNING offer_id",
    );
    all_succeed(desks.iter().map(|d| d.worker(300)).collect());
    let second = detail_calls(&gateway, &watched);
    let calls: Vec<u64> = second.iter().zip(&after).map(|(a, b)| a - b).collect();
    assert!(calls.iter().all(|&n| n == 1), "second round: {calls:?}");
    assert_eq!(alerts_per_offer(&db, &watched), vec![1; 40]);

    // Every member sees the team's alerts, raised by the workers.
    let alerts = lin.json(&["watch", "alerts"]);
    assert_eq!(alerts.as_array().unwrap().len(), 40, "{alerts}");
    let watches = lin.json(&["watch", "list"]);
    for watch in watches.as_array().unwrap() {
        assert!(watch["lastCheckedAt"].is_string(), "{watch}");
        assert_eq!(watch["state"]["atOrBelowTarget"], true, "{watch}");
    }
}

fn leased(db: &TestDatabase) -> i64 {
    sql(
        db,
        "SELECT count(*)::text FROM pifa.watches WHERE lease_until > now()",
    )[0]
    .parse()
    .unwrap()
}

#[test]
fn a_worker_killed_mid_check_loses_no_alert_and_repeats_none() {
    if !keyring_session() {
        return;
    }
    let db = block_on(TestDatabase::create("cli_killed_worker"));
    // Slow answers: the first worker is still fetching when it is killed.
    let gateway = gateway(Duration::from_millis(1_500));
    let (_lin, desks, watched) = team_with_watches(&db, &gateway, 6, 3);
    let lease = 4;

    let mut doomed = desks[0].worker(lease);
    let deadline = Instant::now() + Duration::from_secs(30);
    while leased(&db) < watched.len() as i64 {
        assert!(
            Instant::now() < deadline,
            "the worker never claimed the watches"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    doomed.kill().unwrap(); // SIGKILL: no chance to give its claims back
    let killed = doomed.wait_with_output().unwrap();
    assert!(!killed.status.success());
    let killed_at = Instant::now();
    assert_eq!(alerts_per_offer(&db, &watched), vec![0; 6]);

    // While its claims hold, another worker leaves them alone.
    let early = all_succeed(vec![desks[1].worker(lease)]);
    if killed_at.elapsed() < Duration::from_secs(lease.into()) {
        assert_eq!(checked_in(&early[0]), 0);
    }
    // Once they run out, another worker takes the checks up: each alert once.
    let wait = Duration::from_secs(lease.into()).saturating_sub(killed_at.elapsed());
    std::thread::sleep(wait + Duration::from_millis(200));
    let taken_up = all_succeed(vec![desks[2].worker(lease)]);
    assert_eq!(
        checked_in(&taken_up[0]),
        6,
        "{}",
        String::from_utf8_lossy(&taken_up[0].stderr)
    );
    assert_eq!(alerts_per_offer(&db, &watched), vec![1; 6]);
    assert_eq!(leased(&db), 0);
    let raised_by = sql(&db, "SELECT DISTINCT raised_by_name FROM pifa.alerts");
    assert_eq!(raised_by, ["worker 2"]);
}

#[test]
fn a_watch_edit_the_team_database_cannot_take_is_refused_and_its_last_copy_is_read() {
    if !keyring_session() {
        return;
    }
    let db = block_on(TestDatabase::create("cli_team_watch_offline"));
    let gateway = gateway(Duration::ZERO);
    let (lin, desks, watched) = team_with_watches(&db, &gateway, 2, 1);
    let checked = lin.json(&["watch", "check", "--all"]);
    assert_eq!(checked["alerts"].as_array().unwrap().len(), 2, "{checked}");
    // A member who never opened the watches has them too: every copy round keeps them.
    let wang = &desks[0];
    wang.json(&["shortlist", "list"]);
    let copied = wang.offline_json(&["watch", "list"]);
    let copied = copied.as_array().unwrap();
    assert_eq!(copied.len(), 2, "{copied:?}");
    assert!(copied
        .iter()
        .all(|w| w["setBy"] == "林采购" && w["lastCheckedBy"] == "林采购"));
    let copied = wang.offline_json(&["watch", "alerts"]);
    let copied = copied.as_array().unwrap();
    assert_eq!(copied.len(), 2, "{copied:?}");
    assert!(copied
        .iter()
        .all(|a| a["raisedBy"] == "林采购" && a["seen"] == false));
    let edits: [&[&str]; 4] = [
        &["watch", "add", &watched[0], "--qty", "50"],
        &["watch", "remove", &watched[1]],
        &["watch", "snooze", &watched[0], "--for", "3h"],
        &["watch", "alerts", "--seen"],
    ];
    for edit in edits {
        let refused = lin.offline(edit);
        assert_eq!(refused.status.code(), Some(2), "{edit:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("[team.offline]"), "{edit:?}: {said}");
    }
    // Reading shows the last team watches read, for as long as the team is out of reach.
    let last = lin.offline_json(&["watch", "list"]);
    assert_eq!(last.as_array().unwrap().len(), 2, "{last}");
    // Back online: the team's watches are as they were, and nothing was kept here meanwhile.
    let watches = lin.json(&["watch", "list"]);
    let watches = watches.as_array().unwrap();
    assert_eq!(watches.len(), 2);
    assert!(watches
        .iter()
        .all(|w| w["targetQty"] == 10 && w["state"]["snoozedUntil"].is_null()));
}

#[test]
fn a_worker_service_checks_in_rounds_and_stops_cleanly_on_sigterm() {
    if !keyring_session() {
        return;
    }
    let db = block_on(TestDatabase::create("cli_worker_sigterm"));
    let gateway = gateway(Duration::ZERO);
    let (_lin, desks, watched) = team_with_watches(&db, &gateway, 1, 1);
    let mut service = desks[0]
        .command(&["team", "worker", "--every", "1"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while gateway.gateway.detail_calls(&watched[0]) < 2 {
        assert!(
            Instant::now() < deadline,
            "the worker never checked the watch"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let terminated = Command::new("kill")
        .args(["-TERM", &service.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while service.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            service.kill().unwrap();
            panic!("the worker did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = service.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("round: 1 checked"), "{said}");
    assert!(said.contains("stopped"), "{said}");
    // One check in all (stored once by `lin`, checked once since): the next rounds found
    // nothing due.
    assert_eq!(gateway.gateway.detail_calls(&watched[0]), 2);
}

#[test]
fn a_worker_without_a_keyring_joins_from_its_environment_and_checks() {
    if !keyring_session() {
        return;
    }
    let db = block_on(TestDatabase::create("cli_worker_no_keyring"));
    let gateway = gateway(Duration::ZERO);
    let (lin, _, watched) = team_with_watches(&db, &gateway, 1, 0);
    let code = lin.json(&["team", "code"])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // A server with no keyring (no session bus): everything comes from the environment.
    let host = Desk::new("headless", &gateway);
    let headless = |args: &[&str]| {
        host.command(args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("PIFA_TEAM_DATABASE_URL", db.url_with_password())
            .output()
            .unwrap()
    };
    let joined = headless(&["team", "join", &code, "--member", "机房服务器"]);
    let said = String::from_utf8_lossy(&joined.stderr);
    assert!(joined.status.success(), "{said}");
    assert!(said.contains("no keyring"), "{said}");
    let round = headless(&["team", "worker", "--once"]);
    let said = String::from_utf8_lossy(&round.stderr);
    assert!(round.status.success(), "{said}");
    assert!(said.contains("round: 1 checked"), "{said}");
    assert_eq!(gateway.gateway.detail_calls(&watched[0]), 2);
    // What the worker observed reaches 林's copy too (a point on his chart when the price
    // moved, as for his own fetches).
    let watches = lin.json(&["watch", "list"]);
    assert_eq!(watches[0]["offerId"], watched[0].as_str());
    let observed = watches[0]["state"]["observedAt"].clone();
    let offers = lin.json(&["offers"]);
    let held = offers["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["offerId"] == watched[0].as_str())
        .map(|o| o["fetchedAt"].clone());
    assert_eq!(held, Some(observed));
    // The others see it as a member.
    let status = lin.json(&["team", "status"]);
    let names: Vec<&str> = status["info"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"机房服务器"), "{names:?}");
    // The database password never reached the data directory.
    let settings = std::fs::read_to_string(host.dir.path().join("settings.json")).unwrap();
    assert!(!settings.contains(&db.password), "{settings}");
}
