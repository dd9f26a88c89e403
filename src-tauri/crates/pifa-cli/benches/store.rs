//! Store and cleaner figures: `cargo bench -p pifa-cli`. Prints measurements; asserts nothing.
//!
//! - cleaning: raw answers (JSON text) parsed and cleaned per second;
//! - import: offers stored per second, one transaction each;
//! - local search over 100k stored offers: p50/p95 per query kind;
//! - opening one stored offer: p50/p95.

use std::time::{Duration, Instant};

use chrono::Utc;
use pifa_core::offer::{clean_answer, Percent};
use pifa_core::store::{OfferQuery, OfferSort, Store};
use pifa_core::{Money, OfferId};
use pifa_gateway::catalog::{Catalog, Rng};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let offers: u64 = std::env::var("PIFA_BENCH_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let catalog = Catalog::new(42, offers);

    // Cleaning: 10k answers of both detail shapes, as text, parsed and cleaned.
    let answers: Vec<String> = (0..10_000u64)
        .map(|i| {
            if i % 3 == 0 {
                catalog.simple_get(i)
            } else {
                catalog.query_product_detail(i)
            }
            .to_string()
        })
        .collect();
    let started = Instant::now();
    let mut cleaned = 0;
    for text in &answers {
        let raw: serde_json::Value = serde_json::from_str(text).unwrap();
        cleaned += usize::from(clean_answer(&raw, Utc::now()).is_ok());
    }
    let elapsed = started.elapsed();
    assert_eq!(cleaned, answers.len());
    println!(
        "clean: {} answers in {} → {:.0} answers/s (parse + clean)",
        answers.len(),
        ms(elapsed),
        answers.len() as f64 / elapsed.as_secs_f64()
    );

    // Import: every offer through the cleaner into a real file, one transaction per offer.
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let started = Instant::now();
    for i in 0..offers {
        let raw = if i % 3 == 0 {
            catalog.simple_get(i)
        } else {
            catalog.query_product_detail(i)
        };
        store.import_answer(&raw, Utc::now()).unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "import: {offers} offers in {:.1} s → {:.0} offers/s",
        elapsed.as_secs_f64(),
        offers as f64 / elapsed.as_secs_f64()
    );
    let size: u64 = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "store size: {:.1} MiB for {offers} offers (with WAL)",
        size as f64 / 1048576.0
    );

    // Local search, one kind at a time.
    let page = |q: OfferQuery| OfferQuery { page_size: 50, ..q };
    let kinds: Vec<(&str, OfferQuery)> = vec![
        ("no text, newest", page(OfferQuery::default())),
        (
            "2-char Chinese (LIKE)",
            page(OfferQuery {
                text: Some("男士".into()),
                ..Default::default()
            }),
        ),
        (
            "3+ char Chinese (trigram)",
            page(OfferQuery {
                text: Some("保温杯".into()),
                ..Default::default()
            }),
        ),
        (
            "English, relevance",
            page(OfferQuery {
                text: Some("cotton".into()),
                ..Default::default()
            }),
        ),
        (
            "price at 500 pcs, sorted",
            page(OfferQuery {
                quantity: Some(500),
                sort: OfferSort::PriceAsc,
                ..Default::default()
            }),
        ),
        (
            "filters + price range at 100",
            page(OfferQuery {
                quantity: Some(100),
                max_price: Some(Money::from_fen(2000)),
                power_merchant: true,
                provinces: vec!["浙江".into(), "广东".into()],
                min_repurchase: Some(Percent { basis_points: 3000 }),
                min_sold: Some(100),
                sort: OfferSort::PriceAsc,
                ..Default::default()
            }),
        ),
        (
            "text + page 20",
            OfferQuery {
                text: Some("T恤".into()),
                page: 20,
                page_size: 50,
                ..Default::default()
            },
        ),
    ];
    for (name, query) in kinds {
        let mut samples = Vec::new();
        let mut total = 0;
        for _ in 0..30 {
            let started = Instant::now();
            total = store.search_offers(&query).unwrap().total;
            samples.push(started.elapsed());
        }
        println!(
            "search over {offers}: {name:<30} p50 {} p95 {} ({total} matches)",
            ms(percentile(&mut samples, 0.5)),
            ms(percentile(&mut samples, 0.95))
        );
    }

    // Opening one stored offer (offer row, supplier, tiers, SKUs).
    let mut rng = Rng::new(7);
    let mut samples = Vec::new();
    for _ in 0..2_000 {
        let id = OfferId::parse(&catalog.offer_id(rng.below(0, offers))).unwrap();
        let started = Instant::now();
        store.offer(&id).unwrap();
        samples.push(started.elapsed());
    }
    println!(
        "open one offer: p50 {} p95 {}",
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.95))
    );

    // A shortlist of 200 offers compared at 500 pieces (every offer read and priced), then
    // written as CSV.
    let list = store
        .create_shortlist("bench", Utc::now())
        .unwrap()
        .shortlist_id;
    for _ in 0..200 {
        let id = OfferId::parse(&catalog.offer_id(rng.below(0, offers))).unwrap();
        store.add_to_shortlist(list, &id, Utc::now()).unwrap();
    }
    let mut samples = Vec::new();
    let mut rows = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        rows = store.shortlist_rows(list, Some(500)).unwrap();
        samples.push(started.elapsed());
    }
    println!(
        "compare a shortlist of {} offers at 500 pcs: p50 {} p95 {}",
        rows.len(),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.95))
    );
    let started = Instant::now();
    let mut csv = Vec::new();
    pifa_core::export::write_shortlist_csv(&rows, pifa_core::Language::SimplifiedChinese, &mut csv)
        .unwrap();
    println!(
        "export it as CSV: {} ({} KiB)",
        ms(started.elapsed()),
        csv.len() / 1024
    );
}
