//! A brief fuzz run over the cleaner: arbitrary JSON, and the documented answers with parts
//! swapped for arbitrary values. The cleaner must never panic, and whatever it returns must
//! hold the model's promises (sorted, positive, de-duplicated tiers), reading the answer's text
//! as it reads the parsed answer. A longer run:
//! `PROPTEST_CASES=100000 cargo test -p pifa-core --test fuzz_clean`.

use chrono::Utc;
use pifa_core::offer::{clean_answer, clean_answer_text};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("12.50"),
            Just("-1"),
            Just("1e400"),
            Just("NaN"),
            Just("0.00001"),
            Just("￥3"),
            Just("颜色:红;;尺码")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("offerId".to_string()),
                    Just("price".to_string()),
                    Just("startQuantity".to_string()),
                    Just("skuId".to_string()),
                    Just("result".to_string()),
                    Just("productInfo".to_string()),
                    "[a-zA-Z]{1,10}"
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every JSON pointer inside a value.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

fn check(raw: &Value) {
    if let Ok(offer) = clean_answer(raw, Utc::now()) {
        assert!(
            offer.tiers.windows(2).all(|w| w[0].min_qty < w[1].min_qty),
            "{:?}",
            offer.tiers
        );
        assert!(offer
            .tiers
            .iter()
            .all(|t| t.price.is_positive() && t.min_qty > 0));
        assert!(offer
            .skus
            .iter()
            .filter_map(|s| s.price)
            .all(|p| p.is_positive()));
        assert!(offer
            .images
            .iter()
            .all(|u| u.starts_with("https://") || u.starts_with("http://")));
    }
}

/// The cleaner reads an answer's text in one pass (batches, imports, recheck) and a parsed
/// `Value` otherwise (search pages, older callers): both must clean alike.
fn text_reads_as_value(raw: &Value) {
    let text = raw.to_string();
    // Compared on the text parsed again: a float need not survive the trip through text.
    let parsed: Value = serde_json::from_str(&text).unwrap();
    let at = Utc::now();
    assert_eq!(
        clean_answer_text(&text, at),
        clean_answer(&parsed, at),
        "{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(raw in any_json()) {
        check(&raw);
        text_reads_as_value(&raw);
    }

    #[test]
    fn mutated_documented_answers_never_panic(
        which in 0usize..4,
        picks in prop::collection::vec((any::<prop::sample::Index>(), any_json()), 1..6),
    ) {
        let mut raw = [
            fixture("query_product_detail.json"),
            fixture("simple_get.json"),
            fixture("keyword_query.json").pointer("/result/result/data/0").unwrap().clone(),
            fixture("offer_recommend_capture.json").pointer("/result/3").unwrap().clone(),
        ][which].clone();
        for (index, replacement) in picks {
            let mut all = Vec::new();
            pointers(&raw, String::new(), &mut all);
            if all.is_empty() {
                break;
            }
            if let Some(slot) = raw.pointer_mut(&all[index.index(all.len())]) {
                *slot = replacement;
            }
        }
        check(&raw);
        text_reads_as_value(&raw);
    }
}
