//! The team's rate limit on a real PostgreSQL: many desktops on one app key together never go
//! over the rate (by the server's own timestamps), a throttle slows all of them, two app keys
//! do not meet, and a lost database leaves calls on the local limit rather than stopped.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use pifa_team::testing::TestDatabase;
use pifa_team::{TeamAddress, TeamGate, Turn};

fn per_second(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

async fn gate(db: &TestDatabase, app_key: &str, rate: u32) -> TeamGate {
    let gate = TeamGate::connect(
        &db.address,
        Some(&db.password),
        app_key,
        per_second(rate),
        per_second(rate),
    )
    .await;
    assert!(gate.is_shared(), "the gate reached the test database");
    gate
}

fn slot(turn: Turn) -> DateTime<Utc> {
    match turn {
        Turn::Team(slot) => slot,
        Turn::Local => panic!("a call went on the local limit with the database up"),
    }
}

/// The most slots in any one-second window (half open, as a per-second limit counts).
fn busiest_second(slots: &mut [DateTime<Utc>]) -> usize {
    slots.sort();
    let second = chrono::Duration::seconds(1);
    (0..slots.len())
        .map(|i| {
            slots[i..]
                .iter()
                .take_while(|s| **s - slots[i] < second)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_desktops_together_never_exceed_the_rate() {
    const RATE: u32 = 20;
    let db = TestDatabase::create("rate_five").await;
    let mut desktops = Vec::new();
    for _ in 0..5 {
        desktops.push(gate(&db, "app-1", RATE).await);
    }
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    // Each desktop runs four calls at once, twelve each: 60 calls in all.
    for desktop in &desktops {
        for _ in 0..4 {
            let desktop = desktop.clone();
            calls.spawn(async move {
                let mut slots = Vec::new();
                for _ in 0..3 {
                    let turn = desktop.wait_turn().await;
                    slots.push((slot(turn), Utc::now()));
                }
                slots
            });
        }
    }
    let mut slots = Vec::new();
    let mut released = Vec::new();
    while let Some(done) = calls.join_next().await {
        for (slot, at) in done.unwrap() {
            slots.push(slot);
            released.push((slot, at));
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(slots.len(), 60);
    // The slots leave a tenth of each second free for calls that leave late (`rate.rs`).
    let busiest = busiest_second(&mut slots);
    assert!(
        (RATE as usize * 9 / 10..=RATE as usize).contains(&busiest),
        "{busiest} calls in one second: at most {RATE}, and the rate less its margin is reached"
    );
    // Five desktops at 20 a second each would be done in well under a second; together they
    // take the 59 intervals the shared limit asks for, and not much more.
    assert!(
        elapsed >= Duration::from_millis(2_900) && elapsed < Duration::from_millis(4_500),
        "{elapsed:?}"
    );
    // No call went before its slot (one clock: the server is on this computer).
    for (slot, at) in released {
        assert!(
            at >= slot - chrono::Duration::milliseconds(2),
            "{at} before {slot}"
        );
    }
}

#[tokio::test]
async fn a_throttle_from_1688_slows_every_desktop() {
    let db = TestDatabase::create("rate_throttle").await;
    let (one, other) = (gate(&db, "app-1", 50).await, gate(&db, "app-1", 50).await);
    let first = slot(one.wait_turn().await);
    other.slow_down().await;
    let started = Instant::now();
    let next = slot(one.wait_turn().await);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the desktop that was not throttled waited too: {:?}",
        started.elapsed()
    );
    let client = db.inspect().await;
    let row = client
        .query_one(
            "SELECT throttles, last_throttled FROM pifa.rate_limits WHERE app_key = 'app-1'",
            &[],
        )
        .await
        .unwrap();
    let (throttles, throttled_at): (i64, DateTime<Utc>) = (row.get(0), row.get(1));
    assert_eq!(throttles, 1);
    // Two readings of the server's clock in one statement: microseconds apart.
    let pushed = throttled_at + chrono::Duration::seconds(1) - chrono::Duration::milliseconds(1);
    assert!(next >= pushed, "{next} vs {throttled_at}");
    assert!(next - first >= chrono::Duration::seconds(1));
}

#[tokio::test]
async fn two_app_keys_have_limits_of_their_own() {
    let db = TestDatabase::create("rate_two_keys").await;
    let (busy, quiet) = (
        gate(&db, "app-busy", 2).await,
        gate(&db, "app-quiet", 2).await,
    );
    for _ in 0..3 {
        busy.wait_turn().await;
    }
    // The busy key's next slot is a second and a half away; the other key's is now.
    let started = Instant::now();
    quiet.wait_turn().await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    busy.wait_turn().await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let client = db.inspect().await;
    let keys: Vec<String> = client
        .query("SELECT app_key FROM pifa.rate_limits ORDER BY app_key", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(keys, ["app-busy", "app-quiet"]);
}

#[tokio::test]
async fn a_lost_database_leaves_calls_on_the_local_limit_until_it_is_back() {
    let db = TestDatabase::create("rate_lost").await;
    let gate = gate(&db, "app-1", 100).await;
    gate.set_reconnect_after(Duration::from_millis(200));
    assert!(matches!(gate.wait_turn().await, Turn::Team(_)));
    // The server drops every connection to the database, the gate's among them.
    db.inspect()
        .await
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut turns = Vec::new();
    for _ in 0..5 {
        turns.push(gate.wait_turn().await);
    }
    assert!(turns.contains(&Turn::Local), "{turns:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "calls did not stop"
    );
    // Back after the pause: the team's limit again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if matches!(gate.wait_turn().await, Turn::Team(_)) {
            break;
        }
        assert!(Instant::now() < deadline, "the gate never reconnected");
    }
}

#[tokio::test]
async fn a_database_out_of_reach_from_the_start_still_lets_calls_through() {
    // Nothing listens on port 1.
    let (address, _) = TeamAddress::parse("postgresql://pifa@127.0.0.1:1/none").unwrap();
    let gate = TeamGate::connect(&address, None, "app-1", per_second(100), per_second(100)).await;
    assert!(!gate.is_shared());
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(gate.wait_turn().await, Turn::Local);
    }
    gate.slow_down().await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// A proxy to the test cluster that can go quiet: it stops passing bytes on without closing
/// anything, as a network that drops packets does.
async fn quiet_able_proxy(
    db: &TestDatabase,
) -> (TeamAddress, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut url = url::Url::parse(db.address.as_str()).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    url.set_port(Some(listener.local_addr().unwrap().port()))
        .unwrap();
    let quiet = Arc::new(AtomicBool::new(false));
    let going_quiet = Arc::clone(&quiet);
    tokio::spawn(async move {
        loop {
            let (inbound, _) = listener.accept().await.unwrap();
            let outbound = tokio::net::TcpStream::connect(&upstream).await.unwrap();
            let (in_read, in_write) = inbound.into_split();
            let (out_read, out_write) = outbound.into_split();
            for (mut from, mut to) in [(in_read, out_write), (out_read, in_write)] {
                let quiet = Arc::clone(&going_quiet);
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 16 * 1024];
                    loop {
                        let n = match from.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if quiet.load(Ordering::SeqCst) {
                            // Hold everything, close nothing.
                            std::future::pending::<()>().await;
                        }
                        if to.write_all(&buffer[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        }
    });
    let (address, _) = TeamAddress::parse(url.as_str()).unwrap();
    (address, quiet)
}

#[tokio::test]
async fn a_database_gone_quiet_holds_calls_up_two_seconds_at_most() {
    let db = TestDatabase::create("rate_quiet").await;
    let (address, quiet) = quiet_able_proxy(&db).await;
    let gate = TeamGate::connect(
        &address,
        Some(&db.password),
        "app-1",
        per_second(100),
        per_second(100),
    )
    .await;
    assert!(matches!(gate.wait_turn().await, Turn::Team(_)));
    quiet.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    assert_eq!(gate.wait_turn().await, Turn::Local);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // The calls after it do not wait at all.
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(gate.wait_turn().await, Turn::Local);
    }
    assert!(started.elapsed() < Duration::from_millis(500));
}
