//! Chart data for a watch with two years of hourly price points: stored through the real write
//! path (an hourly check whose prices move every hour), compacted as the app does (every point
//! for 90 days, a day's open/low/high/close before), then read for each range the offer page
//! offers. Prints the median read time beside the target ("a few milliseconds" for a
//! year; 5 ms here), and the time of a page of 50 sparklines. Asserts nothing.
//! Run with `cargo bench -p pifa-cli --bench history`.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pifa_core::history::HistoryRange;
use pifa_core::store::Store;
use pifa_core::OfferId;
use serde_json::Value;

const HOURS: i64 = 2 * 365 * 24;
const RUNS: usize = 50;
const TARGET: Duration = Duration::from_millis(5);

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let fixture: Value = serde_json::from_str(include_str!(
        "../../pifa-core/tests/fixtures/query_product_detail.json"
    ))
    .unwrap();
    let offer = OfferId::parse("624516873409").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    let start = now - chrono::Duration::hours(HOURS);
    let began = Instant::now();
    for hour in 0..HOURS {
        let mut answer = fixture.clone();
        let tiers = &mut answer["result"]["result"]["productSaleInfo"]["priceRangeList"];
        tiers[0]["price"] = format!("{:.2}", 10.0 + ((hour * 37) % 211) as f64 / 100.0).into();
        tiers[2]["price"] = format!("{:.2}", 9.0 + ((hour * 53) % 89) as f64 / 100.0).into();
        store
            .import_answer(&answer, start + chrono::Duration::hours(hour))
            .unwrap();
    }
    println!(
        "stored {HOURS} hourly observations in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let began = Instant::now();
    let report = store
        .compact_history(now, Duration::from_secs(600))
        .unwrap();
    println!(
        "compacted {} observations into {} day rows in {:.0} ms ({} points kept)",
        report.points,
        report.days,
        began.elapsed().as_secs_f64() * 1e3,
        store.row_count("price_points").unwrap()
    );
    store.watch_offer(&offer, 500, None, now).unwrap();

    for range in HistoryRange::ALL {
        let mut times = Vec::with_capacity(RUNS);
        let mut points = 0;
        for _ in 0..RUNS {
            let began = Instant::now();
            let history = store.price_history_of(&offer, range, None, now).unwrap();
            times.push(began.elapsed());
            points = history
                .series
                .iter()
                .map(|s| s.points.len())
                .max()
                .unwrap_or(0);
        }
        times.sort();
        let median = times[RUNS / 2];
        println!(
            "{:>4}: median {:>6.2} ms (target ≤ {} ms{}), at most {points} points per series",
            range.as_str(),
            median.as_secs_f64() * 1e3,
            TARGET.as_millis(),
            if median <= TARGET { "" } else { ": MISSED" }
        );
    }
    let page: Vec<_> = (0..50).map(|_| (offer.clone(), None)).collect();
    let began = Instant::now();
    let sparks = store.sparklines(&page, now).unwrap();
    println!(
        "50 sparklines (30 days each, {} points each): {:.2} ms",
        sparks[0].points.len(),
        began.elapsed().as_secs_f64() * 1e3
    );
}
