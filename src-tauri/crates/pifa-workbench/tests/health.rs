//! The workbench records every call its connection makes (here the in-process double of demo
//! mode) and its health report counts them, with the cache lookups of the same actions; what is
//! still in memory reaches cache.db when the workbench ends. Faults simulated in demo mode are
//! recorded as the double saw them.

mod common;
use common::demo;

use pifa_core::health::{HealthWindow, TargetKey, TargetState};
use pifa_core::metrics::Outcome;
use pifa_core::protocol::KeywordSearch;
use pifa_workbench::{BreachNotices, Workbench};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_through_the_workbench_are_in_its_health_report_and_survive_it() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let search = KeywordSearch {
        page_size: 3,
        ..KeywordSearch::new("保温杯")
    };
    workbench.search_1688(&search, false).await.unwrap();
    workbench.search_1688(&search, false).await.unwrap();

    let report = workbench.health_report(HealthWindow::Day).unwrap();
    // The demo authorization's getToken and one keywordQuery; the second search was cached.
    assert_eq!(report.calls, 2, "{report:?}");
    assert_eq!(
        report.target(TargetKey::SuccessRate).unwrap().value,
        Some(100.0)
    );
    assert_eq!(
        report.target(TargetKey::CacheHitRate).unwrap().value,
        Some(50.0)
    );
    assert_eq!(
        report.target(TargetKey::CacheHitRate).unwrap().state,
        TargetState::Breached
    );
    assert_eq!(
        report.target(TargetKey::UpdateLagMaxMinutes).unwrap().state,
        TargetState::NoData
    );

    // Recorded but not yet flushed when the workbench goes: written on the way out.
    workbench.search_1688(&search, true).await.unwrap();
    drop(workbench);
    let reopened = demo(tmp.path());
    assert_eq!(reopened.health_report(HealthWindow::Week).unwrap().calls, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_from_settings_judge_the_targets_and_the_badge_counts_breaches() {
    use pifa_core::health::ThresholdOverrides;

    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let brief = workbench.health_settings();
    assert_eq!(brief.thresholds, ThresholdOverrides::brief());
    assert_eq!(brief.brief, ThresholdOverrides::brief());
    assert!(!brief.notify, "a breach is not notified unless asked");
    assert!(workbench.health_breaches().unwrap().is_empty());

    let search = KeywordSearch {
        page_size: 3,
        ..KeywordSearch::new("保温杯")
    };
    workbench.search_1688(&search, false).await.unwrap();
    workbench.search_1688(&search, false).await.unwrap();
    // One fresh hit of two lookups: 50%, under the brief's 80%.
    let keys = |w: &Workbench| -> Vec<TargetKey> {
        w.health_breaches().unwrap().iter().map(|t| t.key).collect()
    };
    assert_eq!(keys(&workbench), [TargetKey::CacheHitRate]);
    // Notifications are off, and a first round only notes what stands already.
    let mut notices = BreachNotices::default();
    assert!(workbench.breaches_to_tell(&mut notices).unwrap().is_empty());

    // Out of range: refused by name, nothing saved.
    let bad = ThresholdOverrides {
        cache_hit_rate_bp: Some(10_001),
        ..ThresholdOverrides::default()
    };
    let err = workbench.set_health_settings(bad, true).unwrap_err();
    assert_eq!(err.code, "settings.bad_threshold");
    assert!(!workbench.health_settings().notify);

    let mine = ThresholdOverrides {
        cache_hit_rate_bp: Some(5_000),
        ..ThresholdOverrides::brief()
    };
    let saved = workbench.set_health_settings(mine, true).unwrap();
    assert!(saved.notify);
    assert_eq!(saved.thresholds.cache_hit_rate_bp, Some(5_000));
    // Only the user's own value is kept; the rest follow the brief.
    let on_disk = std::fs::read_to_string(tmp.path().join("settings.json")).unwrap();
    assert!(on_disk.contains("\"cacheHitRateBp\": 5000"), "{on_disk}");
    assert!(!on_disk.contains("9950"), "{on_disk}");
    assert!(keys(&workbench).is_empty(), "50% meets a 50% threshold");
    let report = workbench.health_report(HealthWindow::Day).unwrap();
    assert_eq!(
        report
            .target(TargetKey::CacheHitRate)
            .unwrap()
            .threshold
            .unwrap()
            .limit,
        50.0
    );

    // Met under the user's threshold: the next breach is new, and told once.
    assert!(workbench.breaches_to_tell(&mut notices).unwrap().is_empty());
    let reset = workbench
        .set_health_settings(ThresholdOverrides::default(), true)
        .unwrap();
    assert_eq!(reset.thresholds, ThresholdOverrides::brief());
    assert_eq!(keys(&workbench), [TargetKey::CacheHitRate]);
    let told: Vec<TargetKey> = workbench
        .breaches_to_tell(&mut notices)
        .unwrap()
        .iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(told, [TargetKey::CacheHitRate]);
    assert!(workbench.breaches_to_tell(&mut notices).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_faults_chosen_in_settings_are_recorded_as_the_double_saw_them() {
    use pifa_core::DemoFaults;
    use pifa_gateway::catalog::Catalog;
    use std::sync::Arc;

    if std::env::var_os("PIFA_DEMO_FAULTS").is_some() {
        eprintln!("skipped: PIFA_DEMO_FAULTS is set for this run");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let search = KeywordSearch {
        page_size: 3,
        ..KeywordSearch::new("保温杯")
    };
    workbench.search_1688(&search, false).await.unwrap();
    let clean = workbench
        .demo_gateway()
        .await
        .expect("connected to the double");
    assert_eq!(workbench.health_settings().demo_faults, DemoFaults::Off);

    // Chosen in Settings: kept, in effect at once, with no restart: the next call meets a new
    // double with the faults.
    let settings = workbench
        .set_demo_faults(DemoFaults::Realistic)
        .await
        .unwrap();
    assert_eq!(settings.demo_faults, DemoFaults::Realistic);
    assert_eq!(settings.demo_faults_in_effect, Some(DemoFaults::Realistic));
    assert_eq!(settings.demo_faults_forced_by, None);
    let on_disk = std::fs::read_to_string(tmp.path().join("settings.json")).unwrap();
    assert!(
        on_disk.contains("\"demoFaults\": \"realistic\""),
        "{on_disk}"
    );
    let catalog = Catalog::new(1688, 5_000);
    let ids: Vec<String> = (0..150).map(|i| catalog.offer_id(i)).collect();
    let counts = workbench
        .run_batch(&ids.join("\n"), 8, None, |_, _| {})
        .await
        .unwrap();
    let faulty = workbench.demo_gateway().await.unwrap();
    assert!(
        !Arc::ptr_eq(&clean, &faulty),
        "a new double with the faults"
    );

    let report = workbench.health_report(HealthWindow::Day).unwrap();
    assert_eq!(report.gateway.kind, pifa_core::health::GatewayKind::Demo);
    assert_eq!(report.gateway.simulated_faults, DemoFaults::Realistic);
    // What the two doubles decided for the business calls they got, and the two token calls.
    let seen = |fate: &str| clean.fates(fate) + faulty.fates(fate);
    let fates = [
        "Serve",
        "Throttled",
        "QuotaSpent",
        "ServerError",
        "Timeout",
        "Malformed",
        "Truncated",
        "Dropped",
        "Oversized",
    ];
    let business: u64 = fates.iter().map(|f| seen(f)).sum();
    let detail = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";
    assert_eq!(
        faulty.calls(detail),
        faulty.fates("Serve")
            + faulty.fates("Throttled")
            + faulty.fates("ServerError")
            + faulty.fates("Truncated")
            + faulty.fates("Dropped"),
        "no other fate"
    );
    assert!(
        seen("ServerError") > 0 && seen("Dropped") + seen("Truncated") > 0,
        "the faults were met: {counts:?}"
    );
    assert_eq!(report.calls, business + 2, "{report:?}");
    let class = |outcome: Outcome| {
        report
            .errors
            .iter()
            .find(|c| c.outcome == outcome)
            .map_or(0, |c| c.count)
    };
    assert_eq!(
        class(Outcome::Transient),
        seen("ServerError") + seen("Dropped") + seen("Truncated"),
        "{report:?}"
    );
    assert_eq!(class(Outcome::Throttled), seen("Throttled"));
    assert_eq!(
        report.target(TargetKey::ThrottledToday).unwrap().value,
        Some(seen("Throttled") as f64)
    );
    let success = report.target(TargetKey::SuccessRate).unwrap();
    let expected = (seen("Serve") + 2) as f64 * 100.0 / (business + 2) as f64;
    assert!(
        (success.value.unwrap() - expected).abs() < 1e-9,
        "{success:?} vs {expected}"
    );
    assert_eq!(success.state, TargetState::Breached);
    assert!(workbench
        .health_breaches()
        .unwrap()
        .iter()
        .any(|t| t.key == TargetKey::SuccessRate));
    // The error log has the messages, never the demo secret.
    let transient = report
        .errors
        .iter()
        .find(|c| c.outcome == Outcome::Transient)
        .unwrap();
    assert!(!transient.latest.is_empty());
    let secret = pifa_gateway::demo::credentials().app_secret;
    assert!(!format!("{report:?}").contains(&secret));

    // Off again: the next double is clean.
    workbench.set_demo_faults(DemoFaults::Off).await.unwrap();
    workbench.search_1688(&search, true).await.unwrap();
    let again = workbench.demo_gateway().await.unwrap();
    assert!(!Arc::ptr_eq(&faulty, &again));
    assert_eq!(again.fates("Serve"), 1);
}
