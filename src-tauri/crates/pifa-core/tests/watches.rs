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
        .replace(r#""price":"11.00""#, r#""price":"10.45""#);
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
    assert_eq!(store.alerts(true).unwrap(), [alert]);
    assert_eq!(store.mark_alerts_seen(t0()).unwrap(), 1);
    assert!(store.alerts(true).unwrap().is_empty());
}
