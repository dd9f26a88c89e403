//! The health report on real database files with a fixed clock: the cache hit rate from a
//! known sequence of lookups, the update lag of watched offers, calls rolled up into targets
//! and trends, each gateway's figures apart.

mod common;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use common::{filled, fixture, id, t0};
use pifa_core::health::{
    report, GatewayKind, HealthGateway, HealthWindow, ReportInput, TargetKey, TargetState,
    Thresholds,
};
use pifa_core::metrics::{CallRecord, CurrentGateway, GatewayKey, Outcome};
use pifa_core::protocol::ApiError;
use pifa_core::store::{Cache, Lookup, Store};
use pifa_core::DemoFaults;

fn input(window: HealthWindow, now: DateTime<Utc>) -> ReportInput {
    ReportInput {
        window,
        gateway: HealthGateway::of(&GatewayKey::demo(), DemoFaults::Realistic),
        now,
        today_from: now - Duration::hours(8),
        watch_interval: Duration::hours(1),
        thresholds: Thresholds::default(),
    }
}

fn value(report: &pifa_core::health::HealthReport, key: TargetKey) -> Option<f64> {
    report.target(key).unwrap().value
}

#[test]
fn the_cache_hit_rate_counts_fresh_hits_only_over_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let mut cache = Cache::open(tmp.path().join("cache.db")).unwrap();
    cache.count_lookups_for(CurrentGateway::new(GatewayKey::demo()));
    let now = t0() + Duration::minutes(30);
    // 8 fresh, 1 stale, 1 miss in the last day; a week ago, 10 misses.
    for (n, lookup) in [(8, Lookup::Hit), (1, Lookup::Stale), (1, Lookup::Miss)] {
        for _ in 0..n {
            cache.count_at("detail", lookup, now - Duration::hours(2));
        }
    }
    for _ in 0..10 {
        cache.count_at("search", Lookup::Miss, now - Duration::days(3));
    }
    let day = report(&cache, &store, &input(HealthWindow::Day, now)).unwrap();
    assert_eq!(value(&day, TargetKey::CacheHitRate), Some(80.0));
    let target = day.target(TargetKey::CacheHitRate).unwrap();
    assert_eq!(target.state, TargetState::Warning, "80% is at the edge");
    assert_eq!(day.lookups.len(), 1);
    assert_eq!(
        (
            day.lookups[0].fresh,
            day.lookups[0].stale,
            day.lookups[0].misses
        ),
        (8, 1, 1)
    );
    assert_eq!(target.trend.len(), 24);
    assert_eq!(target.trend[21].value, Some(80.0), "{:?}", target.trend);
    assert_eq!(target.trend[23].value, None);

    let week = report(&cache, &store, &input(HealthWindow::Week, now)).unwrap();
    assert_eq!(value(&week, TargetKey::CacheHitRate), Some(40.0));
    assert_eq!(
        week.target(TargetKey::CacheHitRate).unwrap().state,
        TargetState::Breached
    );
    assert_eq!(week.target(TargetKey::CacheHitRate).unwrap().trend.len(), 7);
}

#[test]
fn update_lag_is_how_far_each_watched_price_is_behind_its_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
    // Both fetched at t0; one fetched again 20 minutes later.
    store
        .watch_offer(&id("624516873409"), 100, None, t0())
        .unwrap();
    store
        .watch_offer(&id("655443322110"), 10, None, t0())
        .unwrap();
    let none = report(&cache, &store, &input(HealthWindow::Day, t0())).unwrap();
    assert_eq!(none.watched, 2);
    assert_eq!(value(&none, TargetKey::UpdateLagMaxMinutes), Some(0.0));
    store
        .import_answer(
            &fixture("query_product_detail.json"),
            t0() + Duration::minutes(20),
        )
        .unwrap();

    // An hour's interval: at t0 + 1h25 one is 25 minutes late, the other 5.
    let now = t0() + Duration::minutes(85);
    let late = report(&cache, &store, &input(HealthWindow::Day, now)).unwrap();
    assert_eq!(value(&late, TargetKey::UpdateLagMaxMinutes), Some(25.0));
    assert_eq!(value(&late, TargetKey::UpdateLagP95Minutes), Some(25.0));
    let worst = late.target(TargetKey::UpdateLagMaxMinutes).unwrap();
    assert_eq!(worst.state, TargetState::Breached);
    assert_eq!(worst.threshold.unwrap().limit, 10.0);

    let lag = pifa_core::health::update_lag(
        &(0..100)
            .map(|m| now - Duration::hours(1) - Duration::minutes(m))
            .collect::<Vec<_>>(),
        now,
        Duration::hours(1),
    );
    assert_eq!((lag.max_minutes, lag.p95_minutes), (Some(99.0), Some(94.0)));
}

#[test]
fn recorded_calls_become_the_success_latency_and_throttling_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
    let now = t0() + Duration::minutes(30);
    let call = |at, result: Result<(), ApiError>, ms| CallRecord {
        at,
        gateway: Some(GatewayKey::demo()),
        ..CallRecord::new(
            "product.search.queryProductDetail",
            result.as_ref().map(|_| ()),
            StdDuration::from_millis(ms),
            1,
        )
    };
    let mut records = Vec::new();
    for _ in 0..196 {
        records.push(call(now - Duration::hours(1), Ok(()), 100));
    }
    records.push(call(now, Err(ApiError::NotFound("商品不存在".into())), 100));
    records.push(call(now, Err(ApiError::Transient("HTTP 502".into())), 1100));
    for _ in 0..2 {
        records.push(call(now, Err(ApiError::Throttled("frequency".into())), 100));
    }
    // Throttled before "today" began: in the window, not in today's count.
    records.push(call(
        now - Duration::hours(9),
        Err(ApiError::Throttled("f".into())),
        100,
    ));
    // A live gateway's calls, and the demo gateway's from before Pifa kept the gateway: in
    // neither report of the other.
    let live = GatewayKey::live("https://relay.example/1688");
    for gateway in [Some(live.clone()), None] {
        records.push(CallRecord {
            gateway,
            ..call(now, Err(ApiError::Throttled("frequency".into())), 100)
        });
    }
    cache.record_calls(&records, now).unwrap();

    let day = report(&cache, &store, &input(HealthWindow::Day, now)).unwrap();
    assert_eq!(day.gateway.kind, GatewayKind::Demo);
    assert_eq!(day.gateway.simulated_faults, DemoFaults::Realistic);
    assert_eq!(day.calls, 201);
    // 196 ok and one proper "no such offer" of 201.
    let success = value(&day, TargetKey::SuccessRate).unwrap();
    assert!((success - 197.0 * 100.0 / 201.0).abs() < 1e-9, "{success}");
    assert_eq!(
        day.target(TargetKey::SuccessRate).unwrap().state,
        TargetState::Breached
    );
    let mean = value(&day, TargetKey::LatencyMeanMs).unwrap();
    // 200 calls of 100 ms and one of 1100 ms.
    assert!((mean - 21_100.0 / 201.0).abs() < 1e-9, "{mean}");
    let p95 = value(&day, TargetKey::LatencyP95Ms).unwrap();
    assert!((p95 - 100.0).abs() < 5.0, "{p95}");
    assert_eq!(value(&day, TargetKey::ThrottledToday), Some(2.0));
    let classes: Vec<(Outcome, u64)> = day.errors.iter().map(|c| (c.outcome, c.count)).collect();
    assert_eq!(
        classes,
        [
            (Outcome::Throttled, 3),
            (Outcome::Transient, 1),
            (Outcome::NotFound, 1)
        ]
    );
    assert_eq!(
        day.errors[1].latest[0].message,
        "1688 could not be reached or failed for a moment: HTTP 502"
    );
    let trend = &day.target(TargetKey::ThrottledToday).unwrap().trend;
    assert_eq!(trend.iter().filter_map(|p| p.value).sum::<f64>(), 3.0);
    assert!(day.breached());

    let relay = ReportInput {
        gateway: HealthGateway::of(&live, DemoFaults::Realistic),
        ..input(HealthWindow::Day, now)
    };
    let relay = report(&cache, &store, &relay).unwrap();
    assert_eq!(relay.gateway.kind, GatewayKind::Custom);
    assert_eq!(relay.gateway.key, "https://relay.example/1688");
    assert_eq!(
        relay.gateway.simulated_faults,
        DemoFaults::Off,
        "never for a live gateway"
    );
    assert_eq!(relay.calls, 1);
    assert_eq!(value(&relay, TargetKey::ThrottledToday), Some(1.0));
    assert_eq!(value(&relay, TargetKey::SuccessRate), Some(0.0));
}
