//! Store and cleaner figures: `cargo bench -p pifa-cli --bench store`. Prints measurements
//! beside their targets (issue 14); asserts nothing.
//!
//! - cleaning: answers (JSON text) parsed and cleaned per second, beside the product brief's
//!   design in plain Python (`benches/python/brief_design.py clean`: `json.loads` and a dict
//!   cleaner) over the same answers; target at least 5× its rate;
//! - import: offers stored per second from answers as text, as `pifa-cli import` stores them
//!   (several offers per transaction, each whole or absent after a kill), the median of three
//!   runs; target 20,000/s;
//! - store size per 100,000 offers, by table; target at most 150 MiB;
//! - opening one stored offer: p50/p95.
//!
//! `PIFA_BENCH_OFFERS=N` changes the store size (100,000 by default); `PIFA_BENCH_DATA=DIR`
//! keeps the store it made and the answers it imported (`offers.jsonl`) in `DIR`, which must not
//! hold a store yet, to look into afterwards.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use pifa_core::offer::clean_answer_text;
use pifa_core::store::{Store, IMPORT_GROUP};
use pifa_core::OfferId;
use pifa_gateway::catalog::{Catalog, Rng};

// Cleaning is measured in this process: with the allocator `pifa-cli` and the app run with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLEAN_RATIO_TARGET: f64 = 5.0;
const IMPORT_TARGET: f64 = 20_000.0;
const MIB_PER_100K_TARGET: f64 = 150.0;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The bench's answers: both detail shapes, as 1688 sends them (one in three simple.get).
fn answer(catalog: &Catalog, i: u64) -> String {
    catalog.detail_of_either_shape(i).to_string()
}

/// The Python design's cleaning rate over the answers in `file`, if python3 runs it.
fn python_clean_rate(file: &Path) -> Option<f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/brief_design.py");
    let output = Command::new("python3")
        .arg(script)
        .arg("clean")
        .arg(file)
        .output()
        .ok()?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    Some(report["answers"].as_f64()? / report["seconds"].as_f64()?)
}

fn main() {
    let offers: u64 = std::env::var("PIFA_BENCH_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let catalog = Catalog::new(42, offers);

    // Cleaning: 10k answers as text, parsed and cleaned; the best of three passes, as the
    // Python side is too.
    let answers: Vec<String> = (0..10_000u64).map(|i| answer(&catalog, i)).collect();
    let bytes: usize = answers.iter().map(String::len).sum();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let mut cleaned = 0;
        for text in &answers {
            cleaned += usize::from(clean_answer_text(text, Utc::now()).is_ok());
        }
        best = best.min(started.elapsed());
        assert_eq!(cleaned, answers.len());
    }
    let rate = answers.len() as f64 / best.as_secs_f64();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("answers.jsonl");
    std::fs::write(&file, answers.join("\n")).unwrap();
    let python = (0..3)
        .filter_map(|_| python_clean_rate(&file))
        .reduce(f64::max);
    print!(
        "clean: {} answers of {:.1} KB on average in {} → {rate:.0} answers/s (parse + clean)",
        answers.len(),
        bytes as f64 / answers.len() as f64 / 1000.0,
        ms(best),
    );
    match python {
        Some(python) => println!(
            "; Python brief design (json.loads + dict cleaner) {python:.0} answers/s → {:.1}× (target ≥ {CLEAN_RATIO_TARGET}×)",
            rate / python
        ),
        None => println!("; the Python design did not run (is python3 installed?)"),
    }
    drop(answers);

    // Import: every offer from a file of answers (one per line) by `pifa-cli import`, which
    // cleans and compresses a group of lines on one thread while the group before is written
    // on another; writing the file is not timed.
    let kept = std::env::var_os("PIFA_BENCH_DATA").map(std::path::PathBuf::from);
    let data = kept.clone().unwrap_or_else(|| tmp.path().join("data"));
    std::fs::create_dir_all(&data).unwrap();
    let answers = data.join("offers.jsonl");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&answers).unwrap());
        for i in 0..offers {
            writeln!(out, "{}", answer(&catalog, i)).unwrap();
        }
        out.flush().unwrap();
    }
    // The median of three imports, each into a fresh store (the first is the one kept and
    // measured below): a single run on this shared 2-core machine moves by a fifth.
    let import = |into: &Path| {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_pifa-cli"))
            .arg("--data-dir")
            .arg(into)
            .arg("import")
            .arg(&answers)
            .arg("--json")
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        assert_eq!(
            report["imported"],
            offers,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        elapsed
    };
    let mut runs = vec![import(&data)];
    for _ in 0..2 {
        let other = tempfile::tempdir().unwrap();
        runs.push(import(other.path()));
    }
    runs.sort();
    let elapsed = runs[1];
    if kept.is_none() {
        std::fs::remove_file(&answers).unwrap();
    }
    let rate = offers as f64 / elapsed.as_secs_f64();
    println!(
        "import: {offers} offers in {:.1} s (median of 3: {}) → {rate:.0} offers/s (target ≥ {IMPORT_TARGET:.0}/s), `pifa-cli import`, {IMPORT_GROUP} per transaction",
        elapsed.as_secs_f64(),
        runs.iter().map(|r| format!("{:.1} s", r.as_secs_f64())).collect::<Vec<_>>().join(", "),
    );
    print_size(&data.join("pifa.db"), offers);
    let mut store = Store::open(data.join("pifa.db")).unwrap();

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

/// The database's size once its log is folded in, per 100,000 offers, and the largest tables.
fn print_size(path: &Path, offers: u64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let size = std::fs::metadata(path).unwrap().len() as f64;
    let per_100k = |bytes: f64| bytes / 1048576.0 * 100_000.0 / offers as f64;
    let mut tables = conn
        .prepare(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING SUM(pgsize) > 65536
             ORDER BY 2 DESC",
        )
        .unwrap();
    let tables: Vec<String> = tables
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|t| {
            let (name, bytes) = t.unwrap();
            format!("{name} {:.1}", per_100k(bytes as f64))
        })
        .collect();
    println!(
        "store size: {:.1} MiB for {offers} offers → {:.1} MiB per 100,000 (target ≤ {MIB_PER_100K_TARGET}); MiB per 100,000 by table and index: {}",
        size / 1048576.0,
        per_100k(size),
        tables.join(", ")
    );
}
