//! Fills a data directory with offers of the double's catalog, as if fetched: what the app
//! benchmark (`.dev/bench-app`) opens. `cargo run --release -p pifa-cli --example fill_store --
//! DATA_DIR [OFFERS]`.

use chrono::Utc;
use pifa_core::store::Store;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::GatewayConfig;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: fill_store DATA_DIR [OFFERS]");
    let offers: u64 = args
        .next()
        .map_or(100_000, |n| n.parse().expect("OFFERS is a number"));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = Catalog::new(GatewayConfig::default().seed, offers);
    let mut store = Store::open(std::path::Path::new(&dir).join("pifa.db")).unwrap();
    let stored = store.offer_count().unwrap();
    for i in stored..offers {
        let raw = catalog.detail_of_either_shape(i);
        store.import_answer(&raw, Utc::now()).unwrap();
    }
    println!("{offers} offers in {dir}");
}
