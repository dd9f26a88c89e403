//! keywordQuery's own parameters over real HTTP (`1688-answers.md` §2.1): price bounds, categories,
//! filter codes, a sort that orders only the page, the 2000-record cap, paging that cannot
//! overflow, and the duplicate-offer fault.

mod common;

use std::collections::BTreeSet;

use common::*;
use pifa_gateway::catalog::{categories, subcategories};
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle};
use serde_json::{json, Value};

/// In most titles (a suffix of the generated ones).
const KEYWORD: &str = "批发";

fn page(gw: &GatewayHandle, token: &str, extra: Value) -> Value {
    let mut query = json!({"keyword": KEYWORD, "beginPage": 1, "pageSize": 50, "country": "en"});
    for (k, v) in extra.as_object().unwrap() {
        query[k] = v.clone();
    }
    search_json(gw, token, &query)["result"]["result"].clone()
}

/// Every offer a search finds, over all its pages.
fn found(gw: &GatewayHandle, token: &str, extra: Value) -> Vec<Value> {
    let mut items = Vec::new();
    for number in 1.. {
        let mut extra = extra.clone();
        extra["beginPage"] = json!(number);
        let data = page(gw, token, extra)["data"].as_array().unwrap().clone();
        if data.is_empty() {
            return items;
        }
        items.extend(data);
    }
    items
}

fn ids(items: &[Value]) -> BTreeSet<u64> {
    items
        .iter()
        .map(|i| i["offerId"].as_u64().unwrap())
        .collect()
}

fn rate(text: &str) -> f64 {
    // "" means 0 (§2.4).
    text.trim_end_matches('%').parse().unwrap_or(0.0)
}

fn gateway(offers: u64) -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

#[test]
fn price_bounds_are_yuan_strings_against_the_listed_price() {
    let gw = gateway(800);
    let token = access(&gw);
    let all = found(&gw, &token, json!({}));
    let bounded = found(&gw, &token, json!({"priceStart": "10", "priceEnd": "20.5"}));
    assert!(!bounded.is_empty() && bounded.len() < all.len());
    for item in &bounded {
        let price = fen(item["priceInfo"]["price"].as_str().unwrap());
        assert!((1_000..=2_050).contains(&price), "{item}");
    }
    let expected: BTreeSet<u64> = all
        .iter()
        .filter(|i| (1_000..=2_050).contains(&fen(i["priceInfo"]["price"].as_str().unwrap())))
        .map(|i| i["offerId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids(&bounded), expected);
    // A bound that is not a number is ignored, as an empty one is.
    assert_eq!(
        found(&gw, &token, json!({"priceStart": "cheap"})).len(),
        all.len()
    );
}

#[test]
fn categories_filter_at_every_level_and_lists_are_unions() {
    let gw = gateway(800);
    let token = access(&gw);
    let all = found(&gw, &token, json!({}));
    let mut total = 0;
    for (id, _) in categories() {
        let items = found(&gw, &token, json!({"categoryId": id}));
        assert!(!items.is_empty(), "nothing in {id}");
        assert!(items.iter().all(|i| i["topCategoryId"] == json!(id)));
        total += items.len();
    }
    assert_eq!(total, all.len(), "the five categories cover the catalog");
    let (second, _, _) = subcategories()[0];
    let items = found(&gw, &token, json!({"categoryId": second}));
    assert!(!items.is_empty() && items.iter().all(|i| i["secondCategoryId"] == json!(second)));
    let (toys, hardware) = (categories()[3].0, categories()[4].0);
    let union = found(
        &gw,
        &token,
        json!({"categoryIdList": format!("{toys},{hardware}")}),
    );
    let each = ids(&found(&gw, &token, json!({"categoryId": toys})))
        .union(&ids(&found(&gw, &token, json!({"categoryId": hardware}))))
        .copied()
        .collect::<BTreeSet<_>>();
    assert_eq!(ids(&union), each);
}

#[test]
fn filter_codes_narrow_the_results_as_their_names_say() {
    let gw = gateway(1_000);
    let token = access(&gw);
    let all = found(&gw, &token, json!({}));
    let everything = ids(&all);
    type Check = fn(&Value) -> bool;
    let checks: &[(&str, Check)] = &[
        ("shipIn24Hours", |i| {
            i["productSimpleShippingInfo"]["shippingTimeGuarantee"] == "shipIn24Hours"
        }),
        ("shipIn48Hours", |i| {
            i["productSimpleShippingInfo"]["shippingTimeGuarantee"]
                .as_str()
                .is_some_and(|g| g == "shipIn24Hours" || g == "shipIn48Hours")
        }),
        ("shipInToday", |i| {
            i["productSimpleShippingInfo"]["shippingTimeGuarantee"] == "shipIn24Hours"
        }),
        ("certifiedFactory", |i| {
            i["sellerIdentities"]
                .as_array()
                .unwrap()
                .contains(&json!("super_factory"))
        }),
        ("isOnePsale", |i| {
            i.get("isOnePsale").or(i.get("onePsale")) == Some(&json!(true))
        }),
        ("isOnePsaleFreePost", |i| {
            i.get("isOnePsale").or(i.get("onePsale")) == Some(&json!(true))
        }),
        ("jxhy", |i| i["isJxhy"] == true),
        ("noReason7DReturn", |_| true),
        ("new30", |_| true),
        ("qrr0", |i| {
            rate(
                i["productSimpleShippingInfo"]["qualityReturnRate30d"]
                    .as_str()
                    .unwrap(),
            ) == 0.0
        }),
        ("qrr1", |i| {
            rate(
                i["productSimpleShippingInfo"]["qualityReturnRate30d"]
                    .as_str()
                    .unwrap(),
            ) <= 1.0
        }),
        ("qrr5", |i| {
            rate(
                i["productSimpleShippingInfo"]["qualityReturnRate30d"]
                    .as_str()
                    .unwrap(),
            ) <= 5.0
        }),
        ("getRate24HLv2", |i| {
            rate(
                i["productSimpleShippingInfo"]["pickupWithin24hRate30d"]
                    .as_str()
                    .unwrap(),
            ) >= 95.0
        }),
        ("getRate48HLv1", |_| true),
        ("totalEpScoreLv3", |i| {
            i["sellerDataInfo"]["compositeServiceScore"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap()
                >= 4.0
        }),
    ];
    for (code, check) in checks {
        let items = found(&gw, &token, json!({"filter": code}));
        let narrowed = ids(&items);
        assert!(!narrowed.is_empty(), "{code} found nothing");
        assert!(narrowed.len() < everything.len(), "{code} filtered nothing");
        assert!(narrowed.is_subset(&everything), "{code}");
        for item in &items {
            assert!(check(item), "{code}: {item}");
        }
    }
    // Codes combine as an intersection; unknown ones are ignored, as 1688 does.
    let both = ids(&found(
        &gw,
        &token,
        json!({"filter": "shipIn48Hours,isOnePsale"}),
    ));
    let separately: BTreeSet<u64> = ids(&found(&gw, &token, json!({"filter": "shipIn48Hours"})))
        .intersection(&ids(&found(&gw, &token, json!({"filter": "isOnePsale"}))))
        .copied()
        .collect();
    assert_eq!(both, separately);
    assert_eq!(
        ids(&found(&gw, &token, json!({"filter": "ksCiphertext,JPFL"}))),
        everything
    );
    // Higher levels are stricter.
    let level = |code: &str| found(&gw, &token, json!({"filter": code})).len();
    assert!(level("totalEpScoreLv1") >= level("totalEpScoreLv2"));
    assert!(level("totalEpScoreLv3") >= level("totalEpScoreLv4"));
    assert!(level("new30") >= level("new7"));
}

#[test]
fn the_48_hour_pickup_filter_agrees_with_the_details() {
    let gw = gateway(300);
    let token = access(&gw);
    for item in found(&gw, &token, json!({"filter": "getRate48HLv2"})) {
        let answer: Value = detail(&gw, &token, &item["offerId"].to_string())
            .json()
            .unwrap();
        let fraction: f64 = answer["result"]["result"]["sellerDataInfo"]
            ["collect30DayWithin48HPercent"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(fraction >= 0.95, "{fraction}");
    }
}

#[test]
fn sort_orders_only_the_page_it_selected() {
    let gw = gateway(800);
    let token = access(&gw);
    type Measure = fn(&Value) -> f64;
    let keys: [(&str, Measure); 3] = [
        ("price", |i| {
            fen(i["priceInfo"]["price"].as_str().unwrap()) as f64
        }),
        ("rePurchaseRate", |i| {
            rate(i["repurchaseRate"].as_str().unwrap())
        }),
        ("monthSold", |i| i["monthSold"].as_f64().unwrap()),
    ];
    for (key, value) in keys {
        for direction in ["asc", "desc"] {
            for number in [1, 2] {
                let plain = page(&gw, &token, json!({"beginPage": number, "pageSize": 20}));
                let sorted = page(
                    &gw,
                    &token,
                    json!({"beginPage": number, "pageSize": 20, "sort": json!({key: direction}).to_string()}),
                );
                let (plain, sorted) = (
                    plain["data"].as_array().unwrap(),
                    sorted["data"].as_array().unwrap(),
                );
                assert_eq!(ids(plain), ids(sorted), "the same page, reordered");
                let values: Vec<f64> = sorted.iter().map(value).collect();
                let ordered = values.windows(2).all(|w| {
                    if direction == "asc" {
                        w[0] <= w[1]
                    } else {
                        w[0] >= w[1]
                    }
                });
                assert!(ordered, "{key} {direction}: {values:?}");
            }
        }
    }
    // The whole result is not sorted: page 2 holds cheaper offers than page 1's dearest.
    let sort = json!({"price": "asc"}).to_string();
    let first = page(&gw, &token, json!({"pageSize": 20, "sort": sort}));
    let second = page(
        &gw,
        &token,
        json!({"beginPage": 2, "pageSize": 20, "sort": sort}),
    );
    let price = |i: &Value| fen(i["priceInfo"]["price"].as_str().unwrap());
    let dearest_first = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(price)
        .max()
        .unwrap();
    let cheapest_second = second["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(price)
        .min()
        .unwrap();
    assert!(cheapest_second < dearest_first);
}

#[test]
fn total_records_stop_at_2000_and_paging_cannot_overflow() {
    let gw = gateway(5_000);
    let token = access(&gw);
    // "e" is in nearly every English title.
    let query = |extra: Value| {
        let mut query = json!({"keyword": "e", "beginPage": 1, "pageSize": 50, "country": "en"});
        for (k, v) in extra.as_object().unwrap() {
            query[k] = v.clone();
        }
        search_json(&gw, &token, &query)["result"]["result"].clone()
    };
    let first = query(json!({}));
    assert_eq!(first["totalRecords"], 2_000);
    assert_eq!(first["totalPage"], 40);
    assert_eq!(
        query(json!({"beginPage": 40}))["data"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    assert!(query(json!({"beginPage": 41}))["data"]
        .as_array()
        .unwrap()
        .is_empty());
    for extra in [
        json!({"beginPage": 1e30}),
        json!({"beginPage": "1e30", "pageSize": 1e30}),
        json!({"beginPage": 18_446_744_073_709_551_615u64}),
        json!({"beginPage": -5, "pageSize": -5}),
        json!({"beginPage": "abc", "pageSize": null}),
    ] {
        let page = query(extra.clone());
        assert!(page["data"].is_array(), "{extra}: {page}");
        assert!(
            page["pageSize"]
                .as_u64()
                .is_some_and(|s| (1..=50).contains(&s)),
            "{extra}"
        );
    }
    assert_eq!(query(json!({"pageSize": 1e30}))["pageSize"], 50);
}

#[test]
fn the_duplicate_fault_repeats_an_offer_within_a_page() {
    let gw = spawn(
        GatewayConfig {
            offers: 300,
            duplicate_percent: 100,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let token = access(&gw);
    let data = page(&gw, &token, json!({"pageSize": 10}))["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(data.len(), 11);
    assert_eq!(ids(&data).len(), 10, "one offer twice");
    let clean = start(GatewayConfig::default());
    let token = access(&clean);
    let data = page(&clean, &token, json!({"pageSize": 10}))["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ids(&data).len(), data.len(), "no fault, no repeats");
}
