//! Helpers shared by the integration tests: the documented answers and a fixed clock.
// Each test crate compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use pifa_core::store::Store;
use pifa_core::OfferId;
use serde_json::Value;

/// A documented 1688 answer from `tests/fixtures`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
}

pub fn id(text: &str) -> OfferId {
    OfferId::parse(text).unwrap()
}

/// A store holding the three fixture shapes: two detail offers (tiers; per-SKU prices) and two
/// search items (listed prices).
pub fn filled(dir: &std::path::Path) -> Store {
    let mut store = Store::open(dir.join("pifa.db")).unwrap();
    store
        .import_answer(&fixture("query_product_detail.json"), t0())
        .unwrap();
    store
        .import_answer(&fixture("simple_get.json"), t0())
        .unwrap();
    for item in fixture("keyword_query.json")
        .pointer("/result/result/data")
        .unwrap()
        .as_array()
        .unwrap()
    {
        store.import_answer(item, t0()).unwrap();
    }
    store
}
