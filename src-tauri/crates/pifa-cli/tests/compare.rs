//! `pifa-cli compare` end to end against the in-process demo gateway (`--demo`).

mod common;
use common::{cli, ok_json};

use std::path::Path;

use pifa_core::Money;
use serde_json::Value;

const OFFERS: [&str; 3] = ["668800000011", "668800000031", "668800000051"];

fn money(value: &Value) -> Money {
    value
        .as_str()
        .expect("money is a decimal string")
        .parse()
        .unwrap()
}

fn compare(data: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--json", "compare"];
    args.extend(OFFERS);
    args.extend(["--qty", "500"]);
    args.extend(extra);
    ok_json(&cli(data, &args))
}

#[test]
fn three_offers_compare_at_one_quantity_with_exact_totals_and_one_cheapest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fetch = vec!["item"];
    fetch.extend(OFFERS);
    assert!(cli(tmp.path(), &fetch).status.success());

    let report = compare(tmp.path(), &[]);
    assert_eq!(report["qty"], 500);
    let offers = report["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 3);
    let mut totals = Vec::new();
    for (offer, id) in offers.iter().zip(OFFERS) {
        assert_eq!(offer["offerId"], id, "IDs are strings, in the order given");
        let order_qty = offer["orderQty"].as_u64().unwrap();
        assert!(order_qty >= 500);
        if let Some(lot) = offer["order"]["lotSize"].as_u64() {
            assert_eq!(order_qty % lot, 0, "whole lots");
        }
        let (unit, total) = (money(&offer["unitPrice"]), money(&offer["total"]));
        assert_eq!(unit.times(order_qty).unwrap(), total, "exact money");
        assert!(offer["cheapest"].is_boolean());
        assert_eq!(offer["stale"], false, "just fetched");
        totals.push((total, offer["cheapest"].as_bool().unwrap()));
    }
    let lowest = totals.iter().map(|(t, _)| *t).min().unwrap();
    for (total, cheapest) in &totals {
        assert_eq!(*cheapest, *total == lowest);
    }
    assert_eq!(report["chart"]["lines"].as_array().unwrap().len(), 3);
    assert!(report["chart"]["x"].as_array().unwrap().len() >= 2);

    // A chosen SKU is priced instead of the default.
    let with_skus = offers
        .iter()
        .find(|o| o["skus"].as_array().unwrap().len() > 1)
        .expect("a demo offer with SKUs");
    let id = with_skus["offerId"].as_str().unwrap();
    let default_sku = with_skus["skuId"].as_str().unwrap();
    let other = with_skus["skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["skuId"].as_str().unwrap())
        .find(|s| *s != default_sku)
        .unwrap();
    let chosen = compare(tmp.path(), &["--sku", &format!("{id}={other}")]);
    let column = chosen["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["offerId"] == id)
        .unwrap();
    assert_eq!(column["skuId"], other);
    assert_eq!(column["skuChosen"], true);
}

#[test]
fn refresh_fetches_all_first_and_the_count_and_sku_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    // Nothing stored yet: --refresh fetches every offer, then compares.
    let report = compare(tmp.path(), &["--refresh"]);
    assert_eq!(report["offers"].as_array().unwrap().len(), 3);
    assert!(report["offers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["ageMinutes"] == 0));

    let one = cli(tmp.path(), &["compare", OFFERS[0], "--qty", "5"]);
    assert_eq!(one.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&one.stderr).contains("[compare.count]"));

    let stray = cli(
        tmp.path(),
        &[
            "compare",
            OFFERS[0],
            OFFERS[1],
            "--qty",
            "5",
            "--sku",
            "668800000099=1",
        ],
    );
    assert_eq!(stray.status.code(), Some(2));

    // Text output marks the cheapest.
    let text = cli(
        tmp.path(),
        &["compare", OFFERS[0], OFFERS[1], "--qty", "500"],
    );
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("[cheapest]"));
}

#[test]
fn lots_round_the_order_and_a_shortlist_checks_its_suppliers_mixed_batch() {
    // One demo supplier's offers, sold in lots of 10, 12 and 10, with 混批 from ¥50 or 3 pieces.
    let ids = ["668800000153", "668800000155", "668800000157"];
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["--json", "compare"];
    args.extend(ids);
    args.extend(["--qty", "25", "--refresh"]);
    let report = ok_json(&cli(tmp.path(), &args));
    let orders: Vec<&Value> = report["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["order"])
        .collect();
    assert_eq!(orders[1]["orderQty"], 36, "25 in lots of 12");
    assert_eq!(orders[1]["roundedToLot"], true);
    assert_eq!(orders[0]["orderQty"], 50, "raised to the minimum order");
    assert_eq!(orders[0]["raisedToMinimum"], true);

    assert!(cli(tmp.path(), &["shortlist", "create", "同一家"])
        .status
        .success());
    let mut add = vec!["shortlist", "add", "同一家"];
    add.extend(ids);
    assert!(cli(tmp.path(), &add).status.success());
    let shown = ok_json(&cli(
        tmp.path(),
        &["--json", "shortlist", "show", "同一家", "--qty", "25"],
    ));
    let rows = shown.as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    // Priced offers count (one of the three is delisted in the demo catalog: never priced).
    let totals: Vec<Money> = rows
        .iter()
        .filter(|row| !row["quote"]["quote"].is_null())
        .map(|row| money(&row["quote"]["quote"]["total"]))
        .collect();
    assert!(!totals.is_empty());
    let amount = totals
        .iter()
        .fold(Money::ZERO, |sum, t| sum.checked_add(*t).unwrap());
    for row in rows {
        let mix = &row["mix"];
        assert_eq!(mix["terms"]["minAmountYuan"], 50);
        assert_eq!(mix["offers"], 3);
        assert_eq!(mix["counted"], totals.len());
        assert_eq!(money(&mix["amount"]), amount, "the offers' totals together");
        assert_eq!(mix["met"], amount >= "50".parse::<Money>().unwrap());
    }
}
