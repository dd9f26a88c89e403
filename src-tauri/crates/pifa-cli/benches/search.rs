//! Local search figures: `cargo bench -p pifa-cli --bench search`. Prints each kind of search
//! over the stored offers (100,000 by default, `PIFA_BENCH_OFFERS`) with its p50 and p95 beside
//! the 20 ms target (issue 14); asserts nothing. The first search of a store builds its
//! in-memory index and is reported apart.
//!
//! Building the store imports every offer and takes a while: `PIFA_BENCH_STORE=path/pifa.db`
//! keeps it and opens it again on the next run (upgrading it if it is older).

use std::time::{Duration, Instant};

use chrono::Utc;
use pifa_core::offer::Percent;
use pifa_core::store::{OfferQuery, OfferSort, Store};
use pifa_core::Money;
use pifa_gateway::catalog::Catalog;

const TARGET: Duration = Duration::from_millis(20);
const RUNS: usize = 30;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The store to search: the kept one when there is one, else every catalog offer imported.
fn store(offers: u64) -> (Store, Option<tempfile::TempDir>) {
    let kept = std::env::var_os("PIFA_BENCH_STORE").map(std::path::PathBuf::from);
    if let Some(path) = kept.as_ref().filter(|p| p.exists()) {
        let started = Instant::now();
        let store = Store::open(path).unwrap();
        println!(
            "store: {} ({} offers, kept; opened, and upgraded if older, in {})",
            path.display(),
            store.offer_count().unwrap(),
            ms(started.elapsed())
        );
        return (store, None);
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = kept.unwrap_or_else(|| tmp.path().join("pifa.db"));
    let mut store = Store::open(&path).unwrap();
    let catalog = Catalog::new(42, offers);
    let started = Instant::now();
    for i in 0..offers {
        let raw = catalog.detail_of_either_shape(i);
        store.import_answer(&raw, Utc::now()).unwrap();
    }
    println!(
        "store: {offers} offers imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (store, Some(tmp))
}

/// The database file and its journals, in MiB.
fn size_mib(store: &Store) -> f64 {
    let path = store.path();
    let bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            std::fs::metadata(file).ok().map(|m| m.len())
        })
        .sum();
    bytes as f64 / 1048576.0
}

/// This process's resident memory (Linux), to show what an index holds.
fn resident_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0 / 1048576.0)
}

fn main() {
    let offers: u64 = std::env::var("PIFA_BENCH_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (store, _tmp) = store(offers);
    let offers = store.offer_count().unwrap();
    println!(
        "store size: {:.1} MiB for {offers} offers (with WAL)",
        size_mib(&store)
    );

    let page = |q: OfferQuery| OfferQuery {
        page_size: 50,
        page: q.page.max(1),
        ..q
    };
    let text = |t: &str| OfferQuery {
        text: Some(t.into()),
        ..Default::default()
    };
    let by_price = |qty: u32, sort: OfferSort| OfferQuery {
        quantity: Some(qty),
        sort,
        ..Default::default()
    };
    let filters = OfferQuery {
        power_merchant: true,
        provinces: vec!["浙江".into(), "广东".into()],
        min_repurchase: Some(Percent { basis_points: 3000 }),
        ..Default::default()
    };
    let kinds: Vec<(&str, OfferQuery)> = vec![
        ("no text, newest", OfferQuery::default()),
        ("1-char Chinese", text("杯")),
        ("2-char Chinese", text("男士")),
        ("3+ char Chinese", text("保温杯")),
        ("English, relevance", text("cotton")),
        (
            "English + filters",
            OfferQuery {
                text: Some("stainless".into()),
                ..filters.clone()
            },
        ),
        (
            "price at 500 pcs, sorted",
            by_price(500, OfferSort::PriceAsc),
        ),
        ("price at 37 pcs, sorted", by_price(37, OfferSort::PriceAsc)),
        (
            "price at 5000 pcs, dearest first",
            by_price(5000, OfferSort::PriceDesc),
        ),
        (
            "filters + price range at 100",
            OfferQuery {
                quantity: Some(100),
                max_price: Some(Money::from_fen(2000)),
                sort: OfferSort::PriceAsc,
                ..filters.clone()
            },
        ),
        (
            "price range at 250, newest",
            OfferQuery {
                quantity: Some(250),
                min_price: Some(Money::from_fen(500)),
                max_price: Some(Money::from_fen(1500)),
                ..Default::default()
            },
        ),
        (
            "text + page 20",
            OfferQuery {
                page: 20,
                ..text("T恤")
            },
        ),
        (
            "page 200, newest",
            OfferQuery {
                page: 200,
                ..Default::default()
            },
        ),
        (
            "page 200, price at 37",
            OfferQuery {
                page: 200,
                ..by_price(37, OfferSort::PriceAsc)
            },
        ),
        (
            "sorted by 诚信通 years",
            OfferQuery {
                sort: OfferSort::TpYearsDesc,
                ..Default::default()
            },
        ),
    ];

    // The first search builds the index from the store, on a reader of its own as the app has
    // one: from the disk after opening, then again with the store in the page cache.
    let before = resident_mib();
    let mut readers = Vec::new();
    for when in ["after opening", "cached store"] {
        let reader = store.reader().unwrap();
        let started = Instant::now();
        reader.search_offers(&page(OfferQuery::default())).unwrap();
        println!(
            "first search, {when} (builds the index of {offers} offers): {}",
            ms(started.elapsed())
        );
        readers.push(reader);
    }
    if let (Some(before), Some(after)) = (before, resident_mib()) {
        println!(
            "index memory: about {:.0} MiB resident each",
            (after - before) / readers.len() as f64
        );
    }
    let reader = readers.pop().unwrap();
    drop(readers);

    let mut met = 0;
    for (name, query) in &kinds {
        let query = page(query.clone());
        let mut samples = Vec::new();
        let mut total = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            total = reader.search_offers(&query).unwrap().total;
            samples.push(started.elapsed());
        }
        let p95 = percentile(&mut samples, 0.95);
        met += usize::from(p95 < TARGET);
        println!(
            "search over {offers}: {name:<34} p50 {:>9} p95 {:>9}  target < {} {}  ({total} matches)",
            ms(percentile(&mut samples, 0.5)),
            ms(p95),
            ms(TARGET),
            if p95 < TARGET { "met" } else { "MISSED" },
        );
    }
    println!(
        "search kinds under {} at p95: {met} of {}",
        ms(TARGET),
        kinds.len()
    );

    // A search right after another connection stored an offer: the index reads that change.
    let catalog = Catalog::new(42, offers.max(1));
    let mut writer = store;
    let mut samples = Vec::new();
    for i in 0..RUNS as u64 {
        writer
            .import_answer(&catalog.query_product_detail(i % offers.max(1)), Utc::now())
            .unwrap();
        let started = Instant::now();
        reader.search_offers(&page(text("保温杯"))).unwrap();
        samples.push(started.elapsed());
    }
    println!(
        "search after a write elsewhere (3+ char Chinese): p50 {} p95 {}  target < {}",
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.95)),
        ms(TARGET)
    );
}
