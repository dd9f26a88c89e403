//! What recording gateway calls costs (issue 13: "recording must not slow a batch measurably"):
//! pushing 100,000 records into the in-memory log through the sink that notes their gateway (as
//! the workbench's clients do), alone and from 8 threads at once; writing
//! them to a real cache.db in one flush; and 2,000 detail calls against the double at zero
//! latency with and without a recorder, six rounds each, alternating which goes first. Prints; asserts nothing.
//! Run with `cargo bench -p pifa-cli --bench recording`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pifa_core::metrics::{CallLog, CallRecord, CallSink, GatewayKey, Tagged};
use pifa_core::protocol::{ApiError, AppCredentials, ClientConfig, GatewayClient};
use pifa_core::store::Cache;
use pifa_core::OfferId;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};

const RECORDS: usize = 100_000;
const CALLS: u64 = 2_000;
const CONCURRENCY: usize = 16;
const ROUNDS: usize = 6;

fn record(n: usize) -> CallRecord {
    let throttled = ApiError::Throttled("App call exceeds limited frequency".into());
    let result = if n % 50 == 0 { Err(&throttled) } else { Ok(()) };
    CallRecord::new(
        "product.search.queryProductDetail",
        result,
        Duration::from_micros(20_000 + (n as u64 % 5_000)),
        1,
    )
}

fn per_record(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e9 / RECORDS as f64
}

fn pushes() -> Vec<CallRecord> {
    let log = Arc::new(CallLog::new());
    let sink = Tagged::wrap(GatewayKey::demo(), Arc::clone(&log) as Arc<dyn CallSink>);
    let started = Instant::now();
    for n in 0..RECORDS {
        sink.record(record(n));
    }
    let alone = started.elapsed();
    let records = log.take();

    let shared = Tagged::wrap(GatewayKey::demo(), Arc::new(CallLog::new()));
    let started = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let sink = Arc::clone(&shared);
            std::thread::spawn(move || {
                for n in 0..RECORDS / 8 {
                    sink.record(record(t * RECORDS + n));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let contended = started.elapsed();
    println!(
        "recording: {RECORDS} pushes (record made and pushed) {:.0} ns each alone, {:.0} ns each from 8 threads at once",
        per_record(alone),
        per_record(contended)
    );
    records
}

fn flush(records: &[CallRecord]) {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
    let started = Instant::now();
    cache.record_calls(records, chrono::Utc::now()).unwrap();
    let elapsed = started.elapsed();
    println!(
        "recording: one flush of {RECORDS} records to cache.db {:.0} ms ({:.1} µs each, on the flushing thread, never a batch's)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / RECORDS as f64
    );
}

async fn calls(client: Arc<GatewayClient>, ids: &[OfferId]) -> Duration {
    let started = Instant::now();
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut running = tokio::task::JoinSet::new();
    for id in ids {
        let id = id.clone();
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
        let client = Arc::clone(&client);
        running.spawn(async move {
            let answer = client.offer_detail(&id).await;
            drop(permit);
            answer.map(drop)
        });
    }
    while let Some(done) = running.join_next().await {
        done.unwrap().unwrap();
    }
    started.elapsed()
}

fn client_rounds() {
    let gateway = spawn(
        GatewayConfig {
            offers: CALLS,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tokens = gateway.authorized_tokens().unwrap();
    let catalog = Catalog::new(GatewayConfig::default().seed, CALLS);
    let ids: Vec<OfferId> = (0..CALLS)
        .map(|i| OfferId::parse(&catalog.offer_id(i)).unwrap())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut plain, mut recorded) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Which goes first alternates, so a machine warming up or busy elsewhere favours neither.
        let order = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for recording in order {
            let mut config = ClientConfig::new(
                &gateway.base_url,
                AppCredentials {
                    app_key: DEMO_APP_KEY.into(),
                    app_secret: DEMO_APP_SECRET.into(),
                },
            );
            config.rate_per_second = std::num::NonZeroU32::new(100_000).unwrap();
            config.burst = config.rate_per_second;
            let mut client = GatewayClient::new(config).unwrap();
            let log = Arc::new(CallLog::new());
            if recording {
                client = client.recording(Tagged::wrap(
                    GatewayKey::demo(),
                    Arc::clone(&log) as Arc<dyn CallSink>,
                ));
            }
            let elapsed = runtime.block_on(async {
                client.set_tokens(Some(tokens.clone())).await;
                calls(Arc::new(client), &ids).await
            });
            if recording {
                assert_eq!(log.len() as u64, CALLS);
                recorded.push(elapsed);
            } else {
                plain.push(elapsed);
            }
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (plain, recorded) = (median(&mut plain), median(&mut recorded));
    println!(
        "recording: {CALLS} detail calls at concurrency {CONCURRENCY} against the double (zero latency), median of {ROUNDS}: {:.0} ms plain, {:.0} ms recorded ({:+.1}%)",
        plain.as_secs_f64() * 1e3,
        recorded.as_secs_f64() * 1e3,
        (recorded.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
    );
}

fn main() {
    let records = pushes();
    flush(&records);
    client_rounds();
}
