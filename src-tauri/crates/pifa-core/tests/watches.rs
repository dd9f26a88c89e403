//! Watches on a real database file: alert rules weighed wherever a fresh detail is stored (the
//! write path every fetch shares), once per event, across reopening the file; snooze and the
//! daily cap hold events back without losing them.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use common::{filled, fixture, id, t0};
use pifa_core::history::HistoryRange;
use pifa_core::offer::tiers::order_quote;
use pifa_core::offer::Percent;
use pifa_core::store::{AlertKind, Store, USER_MIGRATIONS};
use pifa_core::watch::rules::{MoveDirection, MoveRule, Seen, StockRule, WatchRules};
use pifa_core::{Money, OfferId};
use serde_json::Value;

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn tee() -> OfferId {
    id("624516873409")
}

/// The fixture detail with the 100-piece tier at `price` (¥11 as stored at the start).
fn at_price(price: &str) -> Value {
    edited(|answer| {
        answer["result"]["result"]["productSaleInfo"]["priceRangeList"][0]["price"] = price.into();
    })
}

fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut answer = fixture("query_product_detail.json");
    edit(&mut answer);
    answer
}

/// Stores an answer fetched `hours` after the start, as any fetch would.
fn observe(store: &mut Store, answer: &Value, hours: i64) {
    store
        .import_answer(answer, t0() + Duration::hours(hours))
        .unwrap();
}

fn kinds(store: &Store) -> Vec<AlertKind> {
    let mut alerts = store.alerts(false).unwrap();
    alerts.reverse();
    alerts.iter().map(|a| a.kind).collect()
}

fn only(rules: WatchRules) -> WatchRules {
    WatchRules {
        moves: None,
        ..rules
    }
}

fn set(store: &mut Store, rules: &WatchRules) {
    store.set_watch(&tee(), 100, rules, t0()).unwrap();
}

fn at(hours: i64) -> DateTime<Utc> {
    t0() + Duration::hours(hours)
}

#[test]
fn a_move_past_the_threshold_alerts_once_whichever_fetch_stored_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    store
        .watch_offer(&tee(), 100, Some(Percent { basis_points: 300 }), t0())
        .unwrap();
    let watch = store.watch(&tee(), t0()).unwrap().unwrap();
    assert_eq!((watch.target_qty, watch.points), (100, 1));
    assert_eq!(watch.current_price, Some(m("11.00")));
    assert_eq!(watch.state.baseline_price, Some(m("11.00")));
    assert!(store.watch(&id("655443322110"), t0()).unwrap().is_none());

    // The same answer saved again (a cached copy) is no new observation.
    observe(&mut store, &fixture("query_product_detail.json"), 0);
    assert!(store.alerts(false).unwrap().is_empty());

    // The supplier cuts the 100-piece tier from ¥11.00 to ¥10.45 (-5%): storing the answer is
    // enough, nothing needs to ask for alerts.
    observe(&mut store, &at_price("10.45"), 1);
    let [alert] = store.alerts(false).unwrap().try_into().unwrap();
    assert_eq!(alert.kind, AlertKind::PriceDrop);
    assert_eq!(
        (alert.old_price, alert.new_price, alert.change_bp),
        (Some(m("11.00")), Some(m("10.45")), Some(-500))
    );
    assert_eq!(alert.at, at(1));
    assert_eq!(alert.target_qty, Some(100));
    assert!(alert.title.as_deref().unwrap().contains("纯棉"));
    assert!(
        alert.message.contains("from ¥11.00 to ¥10.45"),
        "{}",
        alert.message
    );

    // Reopening the file and storing the same observation again raises nothing new.
    drop(store);
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    observe(&mut store, &at_price("10.45"), 1);
    observe(&mut store, &at_price("10.45"), 2);
    assert_eq!(store.alerts(false).unwrap(), std::slice::from_ref(&alert));

    assert_eq!(store.alerts(true).unwrap().len(), 1);
    assert!(store.mark_alert_seen(alert.alert_id, t0()).unwrap());
    assert!(!store.mark_alert_seen(alert.alert_id, t0()).unwrap());
    assert!(store.alerts(true).unwrap().is_empty());

    // The alert's prices are for 100 pieces whatever the watch becomes.
    store.watch_offer(&tee(), 5, None, t0()).unwrap();
    assert_eq!(store.alerts(false).unwrap()[0].target_qty, Some(100));
    store.unwatch_offer(&tee()).unwrap();
    assert_eq!(store.alerts(false).unwrap()[0].target_qty, Some(100));
}

/// The fixture detail sold in lots of 300, its 1,000-piece tier at `price` (¥9.80 at first).
fn in_lots(price: &str) -> Value {
    edited(|answer| {
        let detail = &mut answer["result"]["result"];
        detail["batchNumber"] = 300.into();
        detail["productSaleInfo"]["priceRangeList"][2]["price"] = price.into();
    })
}

#[test]
fn a_watch_prices_whole_lots_as_the_offer_page_the_list_and_the_chart_do() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    observe(&mut store, &in_lots("9.80"), 0);
    // 950 pieces are four lots, 1,200 pieces: the 1,000-piece tier, not the 100-piece one.
    store
        .set_watch(&tee(), 950, &WatchRules::default(), at(0))
        .unwrap();
    let quoted = |store: &Store| {
        let offer = store.offer(&tee()).unwrap();
        order_quote(&offer, 950, None).quote.unwrap().unit_price
    };
    assert_eq!(quoted(&store), m("9.80"));
    let listed = |store: &Store| store.watch(&tee(), at(1)).unwrap().unwrap().current_price;
    let charted = |store: &Store| {
        let chart = store
            .price_history_of(&tee(), HistoryRange::All, None, at(1))
            .unwrap();
        chart.series[0].current.map(|mark| mark.price)
    };
    assert_eq!(listed(&store), Some(m("9.80")));
    assert_eq!(charted(&store), Some(m("9.80")));
    // The list says which order the price is for.
    let order = store.watch(&tee(), at(1)).unwrap().unwrap().order.unwrap();
    assert_eq!(
        (order.requested_qty, order.order_qty, order.lot_size),
        (950, 1200, Some(300))
    );
    // Whole lots already: nothing to say.
    store
        .set_watch(&tee(), 900, &WatchRules::default(), at(0))
        .unwrap();
    assert_eq!(store.watch(&tee(), at(1)).unwrap().unwrap().order, None);
    store
        .set_watch(&tee(), 950, &WatchRules::default(), at(0))
        .unwrap();

    // The tier the lots reach drops 8.2%: an alert, though the 950-piece tier did not move.
    observe(&mut store, &in_lots("9.00"), 1);
    let [alert] = store.alerts(false).unwrap().try_into().unwrap();
    assert_eq!(alert.kind, AlertKind::PriceDrop);
    assert_eq!(
        (alert.old_price, alert.new_price),
        (Some(m("9.80")), Some(m("9.00")))
    );
    assert_eq!(quoted(&store), m("9.00"));
    assert_eq!(listed(&store), Some(m("9.00")));
    assert_eq!(charted(&store), Some(m("9.00")));
}

#[test]
fn stock_for_a_watch_must_cover_the_order_in_whole_lots() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    // 1,000 in stock covers 950 pieces, but not the 1,200 that lots of 300 make of them.
    let answer = edited(|answer| {
        let detail = &mut answer["result"]["result"];
        detail["batchNumber"] = 300.into();
        detail["productSkuInfos"][0]["amountOnSale"] = 1000.into();
    });
    observe(&mut store, &answer, 0);
    let offer = store.offer(&tee()).unwrap();
    let sku = "4883012345001";
    let short = |qty| Seen::of(&offer, qty, Some(sku)).out_of_stock.unwrap();
    assert!(short(900).is_empty(), "900 pieces are three whole lots");
    assert_eq!(short(950), BTreeSet::from([sku.to_owned()]));
}

#[test]
fn creep_alerts_once_it_adds_up_and_directions_filter() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(&mut store, &WatchRules::default());
    observe(&mut store, &at_price("11.44"), 1); // +4%
    assert!(store.alerts(false).unwrap().is_empty());
    observe(&mut store, &at_price("11.90"), 2); // +4% again: +8.2% from ¥11
    let [alert] = store.alerts(false).unwrap().try_into().unwrap();
    assert_eq!(alert.kind, AlertKind::PriceRise);
    assert_eq!(
        (alert.old_price, alert.new_price),
        (Some(m("11")), Some(m("11.90")))
    );
    observe(&mut store, &at_price("12.10"), 3); // +1.7% from the price alerted about
    assert_eq!(store.alerts(false).unwrap().len(), 1);
    let watch = store.watch(&tee(), at(3)).unwrap().unwrap();
    assert_eq!(watch.state.baseline_price, Some(m("11.90")));

    // Drops only: a rise says nothing, a drop from the price last heard of does.
    let down = WatchRules {
        moves: Some(MoveRule {
            threshold: Percent { basis_points: 500 },
            direction: MoveDirection::Down,
        }),
        ..WatchRules::default()
    };
    set(&mut store, &down);
    observe(&mut store, &at_price("13.00"), 4);
    observe(&mut store, &at_price("11.20"), 5);
    assert_eq!(
        kinds(&store),
        [AlertKind::PriceRise, AlertKind::PriceDrop],
        "-5.9% from ¥11.90"
    );
}

#[test]
fn a_missing_price_is_no_move_and_a_search_item_is_weighed_by_no_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(
        &mut store,
        &WatchRules {
            target_price: Some(m("10")),
            stock: Some(StockRule { sku: None }),
            tiers: true,
            delisting: true,
            ..WatchRules::default()
        },
    );
    // No price at all for the quantity: no tiers, no SKU prices.
    let unpriced = edited(|a| {
        let detail = &mut a["result"]["result"];
        detail["productSaleInfo"]["priceRangeList"] = Value::Array(vec![]);
        for sku in detail["productSkuInfos"].as_array_mut().unwrap() {
            sku["price"] = Value::Null;
        }
    });
    observe(&mut store, &unpriced, 1);
    observe(&mut store, &fixture("query_product_detail.json"), 2);
    let moves: Vec<_> = kinds(&store)
        .into_iter()
        .filter(|k| matches!(k, AlertKind::PriceDrop | AlertKind::PriceRise))
        .collect();
    assert!(moves.is_empty(), "no price is not a move to zero and back");

    // A search item lists a price (here far below the target) but no tiers or SKUs.
    let before = store.alerts(false).unwrap().len();
    let mut item = fixture("keyword_query.json")["result"]["result"]["data"][0].clone();
    item["offerId"] = Value::from(624516873409_u64);
    item["priceInfo"] = serde_json::json!({ "price": "1.00" });
    store.import_answer(&item, at(3)).unwrap();
    assert_eq!(store.alerts(false).unwrap().len(), before);
}

#[test]
fn a_target_alerts_once_until_the_price_rises_clear_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(
        &mut store,
        &only(WatchRules {
            target_price: Some(m("10.50")),
            ..WatchRules::default()
        }),
    );
    observe(&mut store, &at_price("10.50"), 1);
    let [alert] = store.alerts(false).unwrap().try_into().unwrap();
    assert_eq!(alert.kind, AlertKind::AtOrBelowTarget);
    assert_eq!(
        (alert.old_price, alert.new_price, alert.target_price),
        (Some(m("11")), Some(m("10.50")), Some(m("10.50")))
    );
    observe(&mut store, &at_price("10.55"), 2); // within 1% of the target: not re-armed
    observe(&mut store, &at_price("10.40"), 3);
    assert_eq!(store.alerts(false).unwrap().len(), 1);
    observe(&mut store, &at_price("11.00"), 4); // clear of it
    observe(&mut store, &at_price("10.00"), 5);
    assert_eq!(
        kinds(&store),
        [AlertKind::AtOrBelowTarget, AlertKind::AtOrBelowTarget]
    );
}

#[test]
fn stock_tiers_and_delisting_alert_on_each_change() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let white = "4883012345001";
    set(
        &mut store,
        &only(WatchRules {
            stock: Some(StockRule {
                sku: Some(white.into()),
            }),
            tiers: true,
            delisting: true,
            // Six events in a few hours: more than the default cap.
            daily_cap: 10,
            ..WatchRules::default()
        }),
    );
    // White XL falls to 80 pieces: it cannot supply 100. (Black L had none from the start and
    // is not the watched SKU.)
    let short = edited(|a| a["result"]["result"]["productSkuInfos"][0]["amountOnSale"] = 80.into());
    observe(&mut store, &short, 1);
    observe(&mut store, &short, 2);
    let [alert] = store.alerts(false).unwrap().try_into().unwrap();
    assert_eq!(alert.kind, AlertKind::OutOfStock);
    assert_eq!(alert.sku.as_deref(), Some(white));
    assert_eq!(alert.sku_specs.as_deref(), Some("白色 / XL"));
    let watch = store.watch(&tee(), at(2)).unwrap().unwrap();
    assert_eq!(watch.state.out_of_stock, [white]);
    observe(&mut store, &fixture("query_product_detail.json"), 3);

    // The 100-piece break moves to 200.
    let moved = edited(|a| {
        a["result"]["result"]["productSaleInfo"]["priceRangeList"][0]["startQuantity"] = 200.into();
    });
    observe(&mut store, &moved, 4);
    let delisted = edited(|a| a["result"]["result"]["status"] = "auditing".into());
    observe(&mut store, &delisted, 5);
    observe(&mut store, &fixture("query_product_detail.json"), 6);
    assert_eq!(
        kinds(&store),
        [
            AlertKind::OutOfStock,
            AlertKind::BackInStock,
            AlertKind::TiersChanged,
            AlertKind::Delisted,
            AlertKind::Relisted,
            // Relisted with the original tiers: the break went back to 100.
            AlertKind::TiersChanged,
        ]
    );
    let alerts = store.alerts(false).unwrap();
    let tiers = alerts
        .iter()
        .find(|a| a.at == at(4))
        .expect("the tier alert");
    assert_eq!(tiers.old_tiers.as_ref().unwrap().breaks, [2, 100, 1000]);
    assert_eq!(tiers.new_tiers.as_ref().unwrap().breaks, [2, 200, 1000]);
    let gone = alerts.iter().find(|a| a.at == at(5)).unwrap();
    assert_eq!(gone.status.as_deref(), Some("auditing"));

    // Any SKU: black L has no stock, so a new "any SKU" rule starts knowing it is out, and
    // only a change alerts.
    set(
        &mut store,
        &only(WatchRules {
            stock: Some(StockRule { sku: None }),
            daily_cap: 10,
            ..WatchRules::default()
        }),
    );
    let refilled =
        edited(|a| a["result"]["result"]["productSkuInfos"][1]["amountOnSale"] = 500.into());
    observe(&mut store, &refilled, 7);
    let newest = &store.alerts(false).unwrap()[0];
    assert_eq!(newest.kind, AlertKind::BackInStock);
    assert_eq!(newest.sku.as_deref(), Some("4883012345002"));
}

#[test]
fn the_daily_cap_holds_alerts_back_until_the_day_has_room() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(
        &mut store,
        &WatchRules {
            daily_cap: 1,
            ..WatchRules::default()
        },
    );
    observe(&mut store, &at_price("12.00"), 1); // +9%: alerted
    observe(&mut store, &at_price("13.00"), 2); // +8% from ¥12: held back
    observe(&mut store, &at_price("13.10"), 3);
    assert_eq!(store.alerts(false).unwrap().len(), 1);
    assert_eq!(
        store
            .watch(&tee(), at(3))
            .unwrap()
            .unwrap()
            .state
            .alerts_today,
        1
    );
    // A day after the first alert the move is still news, measured from what was heard.
    observe(&mut store, &at_price("13.10"), 26);
    let alerts = store.alerts(false).unwrap();
    assert_eq!(alerts.len(), 2);
    assert_eq!(
        (alerts[0].old_price, alerts[0].new_price),
        (Some(m("12")), Some(m("13.10")))
    );
}

#[test]
fn a_snooze_holds_alerts_for_its_time_or_until_the_target_is_crossed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(
        &mut store,
        &WatchRules {
            target_price: Some(m("10")),
            ..WatchRules::default()
        },
    );
    store.snooze_watch(&tee(), Some(at(10)), false).unwrap();
    assert_eq!(
        store
            .watch(&tee(), t0())
            .unwrap()
            .unwrap()
            .state
            .snoozed_until,
        Some(at(10))
    );
    observe(&mut store, &at_price("12.00"), 1);
    observe(&mut store, &at_price("11.00"), 2); // back where the buyer last heard: no news
    observe(&mut store, &at_price("12.00"), 3);
    assert!(store.alerts(false).unwrap().is_empty());
    observe(&mut store, &at_price("12.00"), 11);
    assert_eq!(kinds(&store), [AlertKind::PriceRise]);

    // Until the target: moves wait until the price crosses ¥10.
    store.snooze_watch(&tee(), None, true).unwrap();
    observe(&mut store, &at_price("13.00"), 12);
    assert_eq!(store.alerts(false).unwrap().len(), 1);
    observe(&mut store, &at_price("9.90"), 13);
    assert_eq!(
        kinds(&store),
        [
            AlertKind::PriceRise,
            AlertKind::PriceDrop,
            AlertKind::AtOrBelowTarget
        ]
    );
    let watch = store.watch(&tee(), at(13)).unwrap().unwrap();
    assert!(!watch.state.snoozed_until_target);
    assert!(watch.state.at_or_below_target);

    // A snooze needs a watch, and "until the target" a target.
    assert_eq!(
        store
            .snooze_watch(&id("655443322110"), None, false)
            .unwrap_err()
            .code(),
        "watch.not_found"
    );
    watch_default_then_snooze_needs_target(&mut store);
}

fn watch_default_then_snooze_needs_target(store: &mut Store) {
    set(store, &WatchRules::default());
    assert_eq!(
        store.snooze_watch(&tee(), None, true).unwrap_err().code(),
        "watch.bad_rule"
    );
    let bad_sku = WatchRules {
        stock: Some(StockRule {
            sku: Some("999".into()),
        }),
        ..WatchRules::default()
    };
    assert_eq!(
        store
            .set_watch(&tee(), 100, &bad_sku, t0())
            .unwrap_err()
            .code(),
        "watch.bad_rule"
    );
}

#[test]
fn a_watch_from_before_the_rules_keeps_working_with_the_defaults() {
    let rules_version = USER_MIGRATIONS
        .iter()
        .position(|sql| sql.contains("ADD COLUMN move_direction"))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("pifa.db");
    pifa_core::store::create_at_version(&old, rules_version).unwrap();
    // A watch as the version before wrote it, with its first price point.
    let conn = rusqlite::Connection::open(&old).unwrap();
    conn.execute_batch(
        "INSERT INTO offers (offer_id, title, source, fetched_at, cleaner_version)
             VALUES ('624516873409', '纯棉T恤', 'queryProductDetail', '2026-11-28T08:00:00.000Z', 1);
         INSERT INTO watches (offer_id, target_qty, alert_threshold_bp, created_at)
             VALUES ('624516873409', 100, 300, '2026-11-28T08:00:00.000Z');
         INSERT INTO price_points (offer_id, observed_at, lowest_price, tiers)
             VALUES ('624516873409', '2026-11-28T08:00:00.000Z', 98000,
                     '[{\"minQty\":2,\"price\":\"12.5\"},{\"minQty\":100,\"price\":\"11\"}]');",
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&old).unwrap();
    let watch = store.watch(&tee(), t0()).unwrap().unwrap();
    assert_eq!(
        watch.rules.moves,
        Some(MoveRule {
            threshold: Percent { basis_points: 300 },
            direction: MoveDirection::Either
        })
    );
    assert_eq!(watch.rules.daily_cap, 5);
    // The first observation after the upgrade starts the watch; the next one that moves alerts.
    observe(&mut store, &fixture("query_product_detail.json"), 1);
    assert!(store.alerts(false).unwrap().is_empty());
    observe(&mut store, &at_price("10.50"), 2);
    assert_eq!(kinds(&store), [AlertKind::PriceDrop]);
}

#[test]
fn a_failed_check_keeps_its_code_for_the_app_and_a_good_one_clears_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    store.watch_offer(&tee(), 100, None, t0()).unwrap();
    let failure = ("gateway.not_found", "1688 has no offer 624516873409");
    store
        .record_watch_check(&tee(), Some(failure), t0())
        .unwrap();
    let watch = store.watch(&tee(), t0()).unwrap().unwrap();
    assert_eq!(
        (
            watch.last_error_code.as_deref(),
            watch.last_error.as_deref()
        ),
        (Some(failure.0), Some(failure.1))
    );
    assert!(
        store.alerts(false).unwrap().is_empty(),
        "a failure is no observation"
    );
    store.record_watch_check(&tee(), None, t0()).unwrap();
    let watch = store.watch(&tee(), t0()).unwrap().unwrap();
    assert_eq!((watch.last_error_code, watch.last_error), (None, None));
}

#[test]
fn every_alert_is_notified_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    set(&mut store, &WatchRules::default());
    observe(&mut store, &at_price("12.00"), 1);
    let [fresh] = store
        .take_unnotified_alerts(at(1))
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(fresh.kind, AlertKind::PriceRise);
    drop(store);
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    assert!(store.take_unnotified_alerts(at(2)).unwrap().is_empty());
}
