//! Price history that lasts: compaction of old observations into days (real SQLite file, fixed
//! clock), the migration of existing history, and charts that read the same before and after.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{fixture, id};
use pifa_core::history::{HistoryRange, PriceSeries, SeriesOf};
use pifa_core::store::{create_at_version, Store, USER_MIGRATIONS};
use serde_json::Value;

const LONG: std::time::Duration = std::time::Duration::from_secs(60);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
}

/// The tiered fixture with the 100- and 1000-piece tiers at these prices.
fn tiered(p100: String, p1000: String) -> Value {
    let mut answer = fixture("query_product_detail.json");
    let tiers = &mut answer["result"]["result"]["productSaleInfo"]["priceRangeList"];
    tiers[0]["price"] = p100.into();
    tiers[2]["price"] = p1000.into();
    answer
}

/// The per-SKU fixture with its two SKUs at these prices.
fn sku_priced(a: String, b: String) -> Value {
    let mut answer = fixture("simple_get.json");
    answer["productInfo"]["skuInfos"][0]["price"] = a.parse::<f64>().unwrap().into();
    answer["productInfo"]["skuInfos"][1]["price"] = b.parse::<f64>().unwrap().into();
    answer
}

fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn line(store: &Store, offer: &str, qty: u32) -> PriceSeries {
    let history = store
        .price_history_of(&id(offer), HistoryRange::All, Some(qty), now())
        .unwrap();
    history.series.into_iter().next().unwrap()
}

fn of_sku(store: &Store, sku: &str) -> PriceSeries {
    let history = store
        .price_history_of(&id("655443322110"), HistoryRange::All, None, now())
        .unwrap();
    history
        .series
        .into_iter()
        .find(|s| matches!(&s.of, SeriesOf::Sku { sku_id, .. } if sku_id == sku))
        .unwrap()
}

/// 200 days of observations twice a day of a tiered offer and an offer priced per SKU.
fn two_hundred_days(store: &mut Store) {
    let start = now() - Duration::days(200);
    for i in 0..400_i64 {
        let at = start + Duration::hours(12 * i);
        let p100 = match i {
            50 => 555,
            300 => 1_999,
            i => 1_000 + (i * 37) % 97,
        };
        let p1000 = 900 + (i * 53) % 89;
        store
            .import_answer(&tiered(yuan(p100), yuan(p1000)), at)
            .unwrap();
        let (a, b) = (1_800 + (i * 7) % 50, 1_700 + (i * 11) % 60);
        store
            .import_answer(&sku_priced(yuan(a), yuan(b)), at)
            .unwrap();
    }
}

#[test]
fn compaction_keeps_90_days_whole_and_older_days_without_losing_a_price() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pifa.db");
    let mut store = Store::open(&path).unwrap();
    two_hundred_days(&mut store);
    let quantities = [1, 2, 50, 100, 700, 1000, 5000];
    let before: Vec<_> = quantities
        .iter()
        .map(|q| line(&store, "624516873409", *q))
        .collect();
    let skus_before = [of_sku(&store, "3901"), of_sku(&store, "3902")];
    assert_eq!(before[3].observations, 400);
    assert_eq!(before[3].low.unwrap().price.to_string(), "5.55");
    assert_eq!(before[3].high.unwrap().price.to_string(), "19.99");

    let report = store.compact_history(now(), LONG).unwrap();
    assert!(report.done);
    // Whole days before now − 90 days went: 110 days of two observations, for two offers.
    assert_eq!(report.points, 2 * 110 * 2, "{report:?}");
    assert_eq!(store.row_count("price_points").unwrap(), 2 * 90 * 2);
    assert!(store.row_count("price_days").unwrap() > 0);

    // Twice a day, a day's open, low, high and close are every observation: the chart reads the
    // same at any quantity, per tier and per SKU.
    for (q, was) in quantities.iter().zip(&before) {
        let now_line = line(&store, "624516873409", *q);
        assert_eq!(now_line.points, was.points, "at {q}");
        assert_eq!(
            (now_line.low, now_line.high, now_line.current),
            (was.low, was.high, was.current)
        );
    }
    for (sku, was) in ["3901", "3902"].iter().zip(&skus_before) {
        assert_eq!(of_sku(&store, sku).points, was.points, "SKU {sku}");
    }
    // A tier break's line is the schedule priced at the break.
    let tiers = store
        .price_history_of(&id("624516873409"), HistoryRange::All, Some(1), now())
        .unwrap();
    let tier100 = tiers
        .series
        .iter()
        .find(|s| s.of == SeriesOf::Tier { min_qty: 100 })
        .unwrap();
    assert_eq!(tier100.points, before[3].points);

    // Again: nothing left to do, and the watch's first price survives.
    let again = store.compact_history(now(), LONG).unwrap();
    assert_eq!((again.points, again.done), (0, true));
    let full = store.price_history(&id("624516873409"), 100).unwrap();
    assert_eq!(
        full.first().unwrap().unit_price.unwrap().to_string(),
        "10.00"
    );

    // A year of the 1y range reads only what lies in it.
    let year = store
        .price_history_of(&id("624516873409"), HistoryRange::Week, Some(100), now())
        .unwrap();
    assert_eq!(year.series[0].observations, 14);
}

#[test]
fn a_busy_day_keeps_its_open_low_high_and_close_even_when_the_tiers_change() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let day = now() - Duration::days(120);
    let day = day.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let prices = [1_100, 1_050, 990, 1_200, 1_010, 1_030];
    for (h, p) in prices.iter().enumerate() {
        let at = day + Duration::hours(2 * h as i64 + 1);
        store
            .import_answer(&tiered(yuan(*p), "9.80".into()), at)
            .unwrap();
    }
    // The last observation of the day has other breaks: 2 and 500 pieces.
    let mut other = fixture("query_product_detail.json");
    other["result"]["result"]["productSaleInfo"]["priceRangeList"] = serde_json::json!([
        {"startQuantity": 2, "price": "12"}, {"startQuantity": 500, "price": "8.88"}
    ]);
    store
        .import_answer(&other, day + Duration::hours(20))
        .unwrap();
    let before: Vec<_> = [100, 700, 1000]
        .iter()
        .map(|q| line(&store, "624516873409", *q))
        .collect();

    store.compact_history(now(), LONG).unwrap();
    assert_eq!(store.row_count("price_points").unwrap(), 0);
    for (q, was) in [100, 700, 1000].iter().zip(&before) {
        let after = line(&store, "624516873409", *q);
        assert_eq!(
            (after.low, after.high, after.current),
            (was.low, was.high, was.current),
            "at {q}"
        );
        assert_eq!(after.points.first(), was.points.first(), "open at {q}");
        assert!(
            after.points.iter().all(|p| was.points.contains(p)),
            "real observations at {q}"
        );
        assert!(after.points.len() <= 4);
    }
    let at100 = line(&store, "624516873409", 100);
    assert_eq!(at100.low.unwrap().price.to_string(), "9.90");
    assert_eq!(at100.high.unwrap().price.to_string(), "12.00");
    assert_eq!(
        line(&store, "624516873409", 700)
            .current
            .unwrap()
            .price
            .to_string(),
        "8.88"
    );
}

#[test]
fn a_store_from_before_keeps_its_history_folded_into_days() {
    let version = USER_MIGRATIONS
        .iter()
        .position(|sql| sql.contains("CREATE TABLE price_days"))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pifa.db");
    create_at_version(&path, version).unwrap();
    let stamp = |days: i64, hour: i64| {
        (Utc::now() - Duration::days(days) + Duration::hours(hour))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO offers (offer_id, title, source, fetched_at, cleaner_version)
         VALUES ('624516873409', '纯棉T恤', 'queryProductDetail', ?1, 1)",
        [stamp(0, 0)],
    )
    .unwrap();
    let tiers = |p100: &str| {
        format!(r#"[{{"minQty":2,"price":"12.5"}},{{"minQty":100,"price":"{p100}"}}]"#)
    };
    // A year ago, twice; 200 days ago; and last week.
    for (days, hour, p100) in [
        (365, 1, "11"),
        (365, 2, "10.2"),
        (200, 0, "10.8"),
        (7, 0, "10.5"),
    ] {
        conn.execute(
            "INSERT INTO price_points (offer_id, observed_at, lowest_price, tiers) VALUES ('624516873409', ?1, 98000, ?2)",
            [stamp(days, hour), tiers(p100)],
        )
        .unwrap();
    }
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        USER_MIGRATIONS.len() as i64
    );
    assert_eq!(
        store.row_count("price_points").unwrap(),
        1,
        "last week's stays as it was"
    );
    let full = store.price_history(&id("624516873409"), 100).unwrap();
    let prices: Vec<String> = full
        .iter()
        .map(|p| p.unit_price.unwrap().to_string())
        .collect();
    assert_eq!(prices, ["11.00", "10.20", "10.80", "10.50"]);
    let history = store
        .price_history_of(
            &id("624516873409"),
            HistoryRange::All,
            Some(100),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(history.series[0].low.unwrap().price.to_string(), "10.20");
}
