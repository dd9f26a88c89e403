//! Watches on a real database file: one watch looked up by offer, history at the target
//! quantity, and an alert raised once when a fresh answer moves the price past the threshold.

mod common;

use chrono::Duration;
use common::{filled, fixture, id, t0};
use pifa_core::offer::Percent;
use pifa_core::store::AlertKind;

#[test]
fn a_price_move_past_the_threshold_raises_one_alert() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let tee = id("624516873409");
    store
        .watch_offer(&tee, 100, Some(Percent { basis_points: 300 }), t0())
        .unwrap();
    let watch = store.watch(&tee, t0()).unwrap().unwrap();
    assert_eq!((watch.target_qty, watch.points), (100, 1));
    assert_eq!(watch.current_price.unwrap().to_string(), "11.00");
    assert!(store.watch(&id("655443322110"), t0()).unwrap().is_none());
    assert_eq!(
        store.check_watch_alert(&tee).unwrap(),
        None,
        "one point: nothing to compare"
    );

    // The supplier cuts the 100-piece tier from ¥11.00 to ¥10.45 (-5%).
    let mut answer = fixture("query_product_detail.json");
    let text = answer
        .to_string()
        .replace(r#""price":"11""#, r#""price":"10.45""#);
    answer = serde_json::from_str(&text).unwrap();
    store
        .import_answer(&answer, t0() + Duration::hours(1))
        .unwrap();

    let alert = store
        .check_watch_alert(&tee)
        .unwrap()
        .expect("a 5% drop passes 3%");
    assert_eq!(alert.kind, AlertKind::PriceDrop);
    assert_eq!(
        (
            alert.old_price.unwrap().to_string(),
            alert.new_price.unwrap().to_string()
        ),
        ("11.00".to_owned(), "10.45".to_owned())
    );
    assert!(alert.title.as_deref().unwrap().contains("纯棉"));
    assert_eq!(
        store.check_watch_alert(&tee).unwrap(),
        None,
        "once per price point"
    );
    assert_eq!(alert.target_qty, Some(100));
    assert_eq!(store.alerts(true).unwrap(), [alert]);
    assert_eq!(store.mark_alerts_seen(t0()).unwrap(), 1);
    assert!(store.alerts(true).unwrap().is_empty());

    // The alert's prices are for 100 pieces whatever the watch becomes.
    store.watch_offer(&tee, 5, None, t0()).unwrap();
    assert_eq!(store.alerts(false).unwrap()[0].target_qty, Some(100));
    store.unwatch_offer(&tee).unwrap();
    assert_eq!(store.alerts(false).unwrap()[0].target_qty, Some(100));
}

#[test]
fn a_failed_check_keeps_its_code_for_the_app_and_a_good_one_clears_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let tee = id("624516873409");
    store.watch_offer(&tee, 100, None, t0()).unwrap();
    let failure = ("gateway.not_found", "1688 has no offer 624516873409");
    store.record_watch_check(&tee, Some(failure), t0()).unwrap();
    let watch = store.watch(&tee, t0()).unwrap().unwrap();
    assert_eq!(
        (
            watch.last_error_code.as_deref(),
            watch.last_error.as_deref()
        ),
        (Some(failure.0), Some(failure.1))
    );
    store.record_watch_check(&tee, None, t0()).unwrap();
    let watch = store.watch(&tee, t0()).unwrap().unwrap();
    assert_eq!((watch.last_error_code, watch.last_error), (None, None));
}

#[test]
fn a_chart_of_a_very_long_history_is_capped_and_keeps_its_extremes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = filled(tmp.path());
    let offer = id("655443322110");
    // 100,000 recorded answers, written straight into the file: years of a busy watch.
    let mut conn = rusqlite::Connection::open(tmp.path().join("pifa.db")).unwrap();
    let tx = conn.transaction().unwrap();
    let at = |n: i64| {
        (t0() + Duration::minutes(n + 1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let price = |n: i64| match n {
        54_321 => 1,
        77_777 => 999_999,
        n => 1_000 + n % 997,
    };
    for n in 0..100_000 {
        tx.execute(
            "INSERT INTO price_points (offer_id, observed_at, lowest_price, tiers) VALUES (?1, ?2, ?3, '[]')",
            rusqlite::params![offer.as_str(), at(n), price(n)],
        )
        .unwrap();
    }
    tx.commit().unwrap();

    let full = store.price_history(&offer, 1).unwrap();
    assert!(full.len() > 100_000);
    let chart = store.price_chart(&offer, 1).unwrap();
    assert!(
        chart.len() <= pifa_core::store::CHART_POINTS,
        "{}",
        chart.len()
    );
    assert_eq!(chart.first(), full.first());
    assert_eq!(chart.last(), full.last());
    let prices: Vec<_> = chart.iter().filter_map(|p| p.unit_price).collect();
    assert_eq!(
        prices.iter().min(),
        full.iter().filter_map(|p| p.unit_price).min().as_ref()
    );
    assert_eq!(prices.iter().max().unwrap().units(), 999_999);
    assert!(chart.windows(2).all(|w| w[0].at < w[1].at), "oldest first");
}
