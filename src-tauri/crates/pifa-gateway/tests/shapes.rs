//! The answers' shapes over real HTTP, against `shared/docs/1688-answers.md`: the documented keys
//! with the documented JSON types (§2.3–2.4 search items, §3 details), nothing undocumented such
//! as `sellerInfo`, the §1 irregularities across a sample, and one supplier telling the same
//! story in its search items and its details.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use pifa_gateway::catalog::{categories, subcategories, Catalog, DELISTED_STATUSES};
use pifa_gateway::{GatewayConfig, GatewayHandle};
use serde_json::{json, Value};

/// Every keyword a catalog title carries, one per product, so the searches reach every offer.
const KEYWORDS: &[&str] = &[
    "T恤",
    "连衣裙",
    "短裤",
    "卫衣",
    "袜",
    "保温杯",
    "收纳盒",
    "毛巾",
    "保鲜盖",
    "数据线",
    "手机壳",
    "充电器",
    "耳机",
    "积木",
    "毛绒",
    "捏捏乐",
    "螺丝",
    "扳手",
    "胶带",
];

fn at<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(value, |v, key| &v[key])
}

/// Asserts each `(path, type)` the doc's tables give; `?` marks a field absent on some offers.
fn assert_types(what: &str, value: &Value, table: &[(&str, &str)]) {
    for (path, expected) in table {
        let (path, optional) = match path.strip_suffix('?') {
            Some(path) => (path, true),
            None => (*path, false),
        };
        let found = at(value, path);
        if optional && found.is_null() {
            continue;
        }
        assert_eq!(kind(found), *expected, "{what}: {path} in {value}");
    }
}

/// Every item of every page of `keyword`, with `extra` search parameters.
fn all_items(gw: &GatewayHandle, token: &str, keyword: &str, extra: &Value) -> Vec<Value> {
    let mut items = Vec::new();
    for page in 1.. {
        let mut query =
            json!({"keyword": keyword, "beginPage": page, "pageSize": 50, "country": "en"});
        for (k, v) in extra.as_object().unwrap() {
            query[k] = v.clone();
        }
        let answer = search_json(gw, token, &query);
        let data = answer["result"]["result"]["data"]
            .as_array()
            .unwrap()
            .clone();
        if data.is_empty() {
            break;
        }
        items.extend(data);
    }
    items
}

fn detail_json(gw: &GatewayHandle, token: &str, offer_id: &Value) -> Value {
    let answer = detail(gw, token, &offer_id.to_string());
    assert_eq!(answer.status(), 200);
    answer.json().unwrap()
}

fn strip_class_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("class");
            map.values_mut().for_each(strip_class_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_class_keys),
        _ => {}
    }
}

fn contains_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| contains_key(v, key)),
        Value::Array(items) => items.iter().any(|v| contains_key(v, key)),
        _ => false,
    }
}

#[test]
fn search_items_carry_the_documented_keys_and_types() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut items = 0;
    for keyword in KEYWORDS {
        for mut item in all_items(&gw, &token, keyword, &json!({})) {
            strip_class_keys(&mut item);
            items += 1;
            assert_types(
                "search item",
                &item,
                &[
                    ("offerId", "number"),
                    ("subject", "string"),
                    ("subjectTrans", "string"),
                    ("imageUrl", "string"),
                    ("whiteImage?", "string"),
                    ("isJxhy", "boolean"),
                    ("priceInfo", "object"),
                    ("priceInfo.price", "string"),
                    ("priceInfo.consignPrice?", "string"),
                    ("priceInfo.jxhyPrice?", "string"),
                    ("priceInfo.pfJxhyPrice?", "string"),
                    ("priceInfo.promotionPrice?", "string"),
                    ("repurchaseRate", "string"),
                    ("monthSold", "number"),
                    ("traceInfo", "string"),
                    ("sellerIdentities", "array"),
                    ("offerIdentities", "array"),
                    ("tradeScore", "string"),
                    ("promotionModel?", "object"),
                    ("promotionModel.hasPromotion?", "boolean"),
                    ("topCategoryId", "number"),
                    ("secondCategoryId", "number"),
                    ("thirdCategoryId", "number"),
                    ("isPatentProduct", "boolean"),
                    ("createDate", "string"),
                    ("modifyDate", "string"),
                    ("isSelect", "boolean"),
                    ("minOrderQuantity", "number"),
                    ("sellerDataInfo", "object"),
                    ("sellerDataInfo.tradeMedalLevel", "string"),
                    ("sellerDataInfo.compositeServiceScore", "string"),
                    ("sellerDataInfo.logisticsExperienceScore", "string"),
                    ("sellerDataInfo.disputeComplaintScore", "string"),
                    ("sellerDataInfo.offerExperienceScore", "string"),
                    ("sellerDataInfo.afterSalesExperienceScore", "string"),
                    ("sellerDataInfo.consultingExperienceScore", "string"),
                    ("sellerDataInfo.repeatPurchasePercent", "string"),
                    ("sellerDataInfo.tpYear", "number"),
                    ("productSimpleShippingInfo", "object"),
                    ("productSimpleShippingInfo.shippingTimeGuarantee?", "string"),
                    (
                        "productSimpleShippingInfo.perfectFulfillmentRate30d",
                        "string",
                    ),
                    ("productSimpleShippingInfo.pickupWithin24hRate30d", "string"),
                    ("productSimpleShippingInfo.qualityReturnRate30d", "string"),
                    (
                        "productSimpleShippingInfo.perfectFulfillmentRate7d",
                        "string",
                    ),
                    ("productSimpleShippingInfo.pickupWithin24hRate7d", "string"),
                    ("productSimpleShippingInfo.delayedShippingRate7d", "string"),
                    ("promotionURL", "string"),
                    ("sales7d", "string"),
                ],
            );
            let one_psale = item.get("isOnePsale").or(item.get("onePsale"));
            assert_eq!(one_psale.map(kind), Some("boolean"), "{item}");
            let price = item["priceInfo"]["price"].as_str().unwrap();
            assert!(fen(price) > 0, "{price}");
            let rate = item["repurchaseRate"].as_str().unwrap();
            assert!(
                rate.ends_with('%') && rate.trim_end_matches('%').parse::<u32>().is_ok(),
                "{rate}"
            );
            let seller_rate = item["sellerDataInfo"]["repeatPurchasePercent"]
                .as_str()
                .unwrap();
            assert!(
                seller_rate.parse::<u32>().is_ok_and(|r| r <= 100),
                "{seller_rate}"
            );
            for (_, rate) in item["productSimpleShippingInfo"].as_object().unwrap() {
                let rate = rate.as_str().unwrap();
                assert!(
                    rate.is_empty() || rate.starts_with("shipIn") || rate.ends_with('%'),
                    "{rate}"
                );
            }
            for code in item["sellerIdentities"].as_array().unwrap() {
                assert!(["super_factory", "powerful_merchants", "tp_member"]
                    .contains(&code.as_str().unwrap()));
            }
            for tag in item["offerIdentities"].as_array().unwrap() {
                assert!(["yx", "select"].contains(&tag.as_str().unwrap()));
            }
            for absent in [
                "sellerInfo",
                "province",
                "city",
                "companyName",
                "companyAddress",
                "status",
            ] {
                assert!(!contains_key(&item, absent), "{absent} in {item}");
            }
            for key in ["whiteImage", "onePsale", "promotionModel"] {
                if contains_key(&item, key) {
                    *seen.entry(key).or_default() += 1;
                }
            }
            if item["sellerIdentities"].as_array().unwrap().is_empty() {
                *seen.entry("no badges").or_default() += 1;
            }
            if item["productSimpleShippingInfo"]
                .as_object()
                .unwrap()
                .values()
                .any(|v| v == "")
            {
                *seen.entry("empty rate").or_default() += 1;
            }
            for key in ["consignPrice", "jxhyPrice", "promotionPrice"] {
                if item["priceInfo"].get(key).is_some() {
                    *seen.entry(key).or_default() += 1;
                }
            }
        }
    }
    assert!(items >= 250, "the searches reached {items} of 300 offers");
    for key in [
        "whiteImage",
        "onePsale",
        "promotionModel",
        "empty rate",
        "consignPrice",
        "jxhyPrice",
        "promotionPrice",
    ] {
        assert!(
            seen.get(key).is_some_and(|n| *n > 0),
            "{key} never seen: {seen:?}"
        );
    }
    assert!(
        seen["no badges"] * 2 > items,
        "badges are the exception: {seen:?}"
    );
}

#[test]
fn details_carry_the_documented_keys_and_types() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    let catalog = Catalog::new(1688, 300);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for index in 0..120 {
        let mut answer = detail_json(&gw, &token, &json!(catalog.offer_id(index)));
        strip_class_keys(&mut answer);
        assert_eq!(answer["result"]["success"], true, "{answer}");
        assert_eq!(answer["result"]["code"], "200");
        let d = &answer["result"]["result"];
        assert_types(
            "detail",
            d,
            &[
                ("offerId", "number"),
                ("categoryId", "number"),
                ("categoryName", "string"),
                ("topCategoryId", "number"),
                ("secondCategoryId", "number"),
                ("thirdCategoryId", "number"),
                ("subject", "string"),
                ("subjectTrans", "string"),
                ("description", "string"),
                ("productImage.images", "array"),
                ("productImage.whiteImage?", "string"),
                ("productAttribute", "array"),
                ("productSkuInfos", "array"),
                ("productSaleInfo.amountOnSale", "number"),
                ("productSaleInfo.priceRangeList", "array"),
                ("productSaleInfo.quoteType", "number"),
                ("productSaleInfo.unitInfo.unit", "string"),
                ("productSaleInfo.unitInfo.transUnit", "string"),
                ("productSaleInfo.retailPrice?", "string"),
                ("productShippingInfo.sendGoodsAddressText", "string"),
                ("productShippingInfo.weight", "number"),
                ("productShippingInfo.width", "number"),
                ("productShippingInfo.height", "number"),
                ("productShippingInfo.length", "number"),
                ("productShippingInfo.shippingTimeGuarantee?", "string"),
                ("productShippingInfo.skuShippingInfoList?", "array"),
                ("productShippingInfo.skuShippingDetails?", "array"),
                ("isJxhy", "boolean"),
                ("sellerOpenId", "string"),
                ("companyName", "string"),
                ("minOrderQuantity", "number"),
                ("batchNumber?", "number"),
                ("status", "string"),
                ("tagInfoList", "array"),
                ("traceInfo", "string"),
                ("sellerMixSetting.generalHunpi", "boolean"),
                ("sellerMixSetting.mixAmount?", "number"),
                ("sellerMixSetting.mixNumber?", "number"),
                ("productCargoNumber", "string"),
                ("sellerDataInfo.tradeMedalLevel", "string"),
                ("sellerDataInfo.compositeServiceScore", "string"),
                ("sellerDataInfo.logisticsExperienceScore", "string"),
                ("sellerDataInfo.disputeComplaintScore", "string"),
                ("sellerDataInfo.offerExperienceScore", "string"),
                ("sellerDataInfo.consultingExperienceScore", "string"),
                ("sellerDataInfo.afterSalesExperienceScore", "string"),
                ("sellerDataInfo.repeatPurchasePercent", "string"),
                ("sellerDataInfo.collect30DayWithin48HPercent", "string"),
                ("sellerDataInfo.qualityRefundWithin30Day", "string"),
                ("soldOut", "string"),
                ("tradeScore", "string"),
                ("offerIdentities?", "array"),
                ("createDate", "string"),
                ("isSelect", "string"),
                ("promotionUrl", "string"),
            ],
        );
        for absent in [
            "sellerInfo",
            "monthSold",
            "orderCount",
            "responseRate",
            "tpYear",
            "promotionURL",
        ] {
            assert!(!contains_key(d, absent), "{absent} in {d}");
        }
        assert!(d["soldOut"]
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit()));
        assert!(["true", "false"].contains(&d["isSelect"].as_str().unwrap()));
        let fraction = d["sellerDataInfo"]["repeatPurchasePercent"]
            .as_str()
            .unwrap();
        assert!(
            fraction.starts_with("0.") && fraction.len() == 6,
            "a fraction: {fraction}"
        );
        let status = d["status"].as_str().unwrap();
        assert!(
            status == "published" || DELISTED_STATUSES.contains(&status),
            "{status}"
        );
        for attribute in d["productAttribute"].as_array().unwrap() {
            assert_eq!(kind(&attribute["attributeId"]), "string", "{attribute}");
        }
        for sku in d["productSkuInfos"].as_array().unwrap() {
            assert_types(
                "sku",
                sku,
                &[
                    ("skuId", "number"),
                    ("specId", "string"),
                    ("amountOnSale", "number"),
                    ("price?", "string"),
                    ("retailPrice?", "string"),
                    ("cargoNumber", "string"),
                    ("fenxiaoPriceInfo.onePiecePrice?", "string"),
                    ("fenxiaoPriceInfo.offerPrice?", "string"),
                    ("skuAttributes", "array"),
                ],
            );
            assert_eq!(sku["specId"].as_str().unwrap().len(), 32);
            for attribute in sku["skuAttributes"].as_array().unwrap() {
                assert_types(
                    "sku attribute",
                    attribute,
                    &[
                        ("attributeId", "number"),
                        ("attributeName", "string"),
                        ("attributeNameTrans", "string"),
                        ("value", "string"),
                        ("valueTrans", "string"),
                        ("skuImageUrl?", "string"),
                    ],
                );
            }
        }
        for tier in d["productSaleInfo"]["priceRangeList"].as_array().unwrap() {
            assert_types(
                "tier",
                tier,
                &[("startQuantity", "number"), ("price", "string")],
            );
        }
        for tag in d["tagInfoList"].as_array().unwrap() {
            assert_types("tag", tag, &[("key", "string"), ("value", "boolean")]);
        }
        let shipping = &d["productShippingInfo"];
        if let (Some(list), Some(details)) = (
            shipping["skuShippingInfoList"].as_array(),
            shipping["skuShippingDetails"].as_array(),
        ) {
            *seen.entry("per-SKU shipping").or_default() += 1;
            for (grams, kilos) in list.iter().zip(details) {
                // A number (Long) in grams beside a string skuId and kilograms (§3.6).
                assert!(
                    grams["skuId"].is_u64() && grams["weight"].is_u64(),
                    "{grams}"
                );
                assert_eq!(kind(&kilos["skuId"]), "string", "{kilos}");
                assert_eq!(kilos["skuId"].as_str().unwrap(), grams["skuId"].to_string());
                let kg = kilos["weight"].as_f64().unwrap();
                assert!(
                    (kg * 1000.0 - grams["weight"].as_f64().unwrap()).abs() < 0.5,
                    "{kilos} {grams}"
                );
            }
        }
        let address = shipping["sendGoodsAddressText"].as_str().unwrap();
        assert!(
            address.contains('省') && address.contains('市'),
            "{address}"
        );
        for (key, present) in [
            ("batchNumber", d.get("batchNumber").is_some()),
            ("whiteImage", d["productImage"].get("whiteImage").is_some()),
            ("offerIdentities", d.get("offerIdentities").is_some()),
            ("no offerIdentities", d.get("offerIdentities").is_none()),
            (
                "mixAmount",
                d["sellerMixSetting"].get("mixAmount").is_some(),
            ),
            (
                "shippingTimeGuarantee",
                shipping.get("shippingTimeGuarantee").is_some(),
            ),
            (
                "no SKU price",
                d["productSkuInfos"][0].get("price").is_none(),
            ),
            ("SKU price", d["productSkuInfos"][0].get("price").is_some()),
        ] {
            if present {
                *seen.entry(key).or_default() += 1;
            }
        }
    }
    for key in [
        "batchNumber",
        "whiteImage",
        "offerIdentities",
        "no offerIdentities",
        "mixAmount",
        "shippingTimeGuarantee",
        "per-SKU shipping",
        "no SKU price",
        "SKU price",
    ] {
        assert!(
            seen.get(key).is_some_and(|n| *n > 0),
            "{key} never seen: {seen:?}"
        );
    }
}

#[test]
fn the_irregularities_of_section_1_appear_across_a_sample() {
    // Through the library for breadth: every answer the HTTP side serves is one of these.
    let catalog = Catalog::new(1688, 2_000);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for index in 0..2_000 {
        let answer = catalog.query_product_detail(index);
        let text = answer.to_string();
        let envelope = &answer["result"];
        let d = &envelope["result"];
        if envelope.get("class").is_some() {
            assert_eq!(d["class"], "com.alibaba.cbu.offer.model.ProductDetailModel");
            assert!(text.contains("\"class\":\"com.alibaba.cbu.offer.model.ProductSkuInfo\""));
            seen.insert("class keys");
        }
        match envelope.get("message") {
            None => seen.insert("no message"),
            Some(_) => seen.insert("message"),
        };
        let status = d["status"].as_str().unwrap();
        if status.contains(' ') {
            seen.insert("status with a space");
        }
        if status != "published" {
            seen.insert("delisted");
        }
        let trace = d["traceInfo"].as_str().unwrap();
        seen.insert(if trace.contains("%40") {
            "encoded traceInfo"
        } else {
            "plain traceInfo"
        });
        for tier in d["productSaleInfo"]["priceRangeList"].as_array().unwrap() {
            let price = tier["price"].as_str().unwrap();
            seen.insert(match price.split_once('.') {
                None => "price like 10",
                Some((_, cents)) if cents.len() == 1 => "price like 14.9",
                Some(_) => "price like 1.70",
            });
        }
        if let Some(words) = d["offerIdentities"].as_array() {
            let words: Vec<&str> = words.iter().map(|w| w.as_str().unwrap()).collect();
            if words.len() > 1 {
                seen.insert("badges split over elements");
            }
            if words.iter().any(|w| w.contains(',')) {
                seen.insert("badges joined by ,");
            }
            if words.iter().any(|w| w.contains('，')) {
                seen.insert("badges joined by ，");
            }
            for word in words.iter().flat_map(|w| w.split([',', '，'])) {
                assert!(["超级工厂", "实力商家", "诚信通"].contains(&word), "{word}");
            }
        }
        if d["productSaleInfo"]["quoteType"] == 1
            && d["productSaleInfo"]["priceRangeList"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        {
            seen.insert("quoteType 1 with a tier");
        }
    }
    let all = [
        "class keys",
        "no message",
        "message",
        "status with a space",
        "delisted",
        "encoded traceInfo",
        "plain traceInfo",
        "price like 10",
        "price like 14.9",
        "price like 1.70",
        "badges split over elements",
        "badges joined by ,",
        "badges joined by ，",
        "quoteType 1 with a tier",
    ];
    for irregularity in all {
        assert!(
            seen.contains(irregularity),
            "{irregularity} never seen: {seen:?}"
        );
    }
}

#[test]
fn search_answers_are_dressed_irregularly_too() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for (n, keyword) in KEYWORDS.iter().cycle().take(60).enumerate() {
        let query =
            json!({"keyword": keyword, "beginPage": 1, "pageSize": 10 + n % 7, "country": "en"});
        let answer = search_json(&gw, &token, &query);
        let envelope = &answer["result"];
        assert_eq!(kind(&envelope["code"]), "string");
        seen.insert(if envelope.get("message").is_some() {
            "message"
        } else {
            "no message"
        });
        if envelope.get("class").is_some() {
            seen.insert("class keys");
            for item in envelope["result"]["data"].as_array().unwrap() {
                assert_eq!(
                    item["class"],
                    "com.alibaba.cbu.offer.model.ProductInfoModel"
                );
                assert_eq!(
                    item["priceInfo"]["class"],
                    "com.alibaba.cbu.offer.model.PriceInfo"
                );
            }
        }
        for item in envelope["result"]["data"].as_array().unwrap() {
            seen.insert(if item.get("onePsale").is_some() {
                "onePsale"
            } else {
                "isOnePsale"
            });
            let trace = item["traceInfo"].as_str().unwrap();
            if trace.starts_with("object_id%40") {
                seen.insert("encoded traceInfo");
            }
        }
    }
    for irregularity in [
        "message",
        "no message",
        "class keys",
        "onePsale",
        "isOnePsale",
        "encoded traceInfo",
    ] {
        assert!(
            seen.contains(irregularity),
            "{irregularity} never seen: {seen:?}"
        );
    }
}

#[test]
fn a_supplier_tells_the_same_story_in_search_and_in_detail() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    let mut compared = 0;
    let mut factories_by_search = BTreeSet::new();
    for keyword in KEYWORDS {
        for item in all_items(&gw, &token, keyword, &json!({})) {
            let answer = detail_json(&gw, &token, &item["offerId"]);
            let d = &answer["result"]["result"];
            compared += 1;
            let codes: BTreeSet<&str> = item["sellerIdentities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            let words: BTreeSet<&str> = d["offerIdentities"]
                .as_array()
                .map(|words| {
                    words
                        .iter()
                        .flat_map(|w| w.as_str().unwrap().split([',', '，']))
                        .collect()
                })
                .unwrap_or_default();
            let as_words: BTreeSet<&str> = codes
                .iter()
                .map(|code| match *code {
                    "super_factory" => "超级工厂",
                    "powerful_merchants" => "实力商家",
                    _ => "诚信通",
                })
                .collect();
            assert_eq!(as_words, words, "{item}\n{d}");
            let (found, told) = (&item["sellerDataInfo"], &d["sellerDataInfo"]);
            for score in [
                "tradeMedalLevel",
                "compositeServiceScore",
                "logisticsExperienceScore",
                "disputeComplaintScore",
                "offerExperienceScore",
                "consultingExperienceScore",
                "afterSalesExperienceScore",
            ] {
                assert_eq!(found[score], told[score], "{score}");
            }
            // The same rate in two notations: "16" on search, "0.1586" on detail (§7).
            let percent: f64 = found["repeatPurchasePercent"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            let fraction: f64 = told["repeatPurchasePercent"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                (percent - fraction * 100.0).abs() <= 0.5,
                "{percent} vs {fraction}"
            );
            for key in [
                "topCategoryId",
                "secondCategoryId",
                "thirdCategoryId",
                "tradeScore",
                "minOrderQuantity",
            ] {
                assert_eq!(item[key], d[key], "{key}");
            }
            assert_eq!(d["categoryId"], d["thirdCategoryId"]);
            assert_eq!(
                item["productSimpleShippingInfo"].get("shippingTimeGuarantee"),
                d["productShippingInfo"].get("shippingTimeGuarantee")
            );
            // The listed price is the lowest price of the detail, read as decimals.
            let listed = fen(item["priceInfo"]["price"].as_str().unwrap());
            let lowest = d["productSaleInfo"]["priceRangeList"]
                .as_array()
                .unwrap()
                .iter()
                .chain(d["productSkuInfos"].as_array().unwrap())
                .filter_map(|p| p["price"].as_str())
                .map(fen)
                .min()
                .unwrap();
            assert_eq!(listed, lowest, "{item}\n{d}");
            if codes.contains("super_factory") {
                factories_by_search.insert(item["offerId"].as_u64().unwrap());
            }
        }
    }
    assert!(compared >= 250, "compared {compared} of 300");
    // The badge filter finds the same factories as the badges read off the items.
    let filtered: BTreeSet<u64> = KEYWORDS
        .iter()
        .flat_map(|k| all_items(&gw, &token, k, &json!({"filter": "certifiedFactory"})))
        .map(|item| item["offerId"].as_u64().unwrap())
        .collect();
    assert!(!filtered.is_empty());
    assert_eq!(filtered, factories_by_search);
}

#[test]
fn categories_are_stable_and_documented() {
    let table: Vec<(u64, &str)> = categories().to_vec();
    assert_eq!(
        table,
        [
            (127_380_009, "服装"),
            (1_036_610, "家居日用"),
            (1_043_351, "数码配件"),
            (1_813, "玩具"),
            (1_031_919, "五金工具"),
        ]
    );
    for (id, parent, name) in subcategories() {
        assert!(!name.is_empty());
        let parent_known = categories().iter().any(|(top, _)| top == parent)
            || subcategories().iter().any(|(sub, _, _)| sub == parent);
        assert!(parent_known, "{id} has an unknown parent {parent}");
    }
}

#[test]
fn an_unsupported_country_answers_untranslated() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    let id = Catalog::new(1688, 300).offer_id(3);
    let answer: Value = call(
        &gw,
        CROSSBORDER,
        "product.search.queryProductDetail",
        p(&[
            (
                "offerDetailParam",
                &format!(r#"{{"offerId":{id},"country":"korean"}}"#),
            ),
            ("access_token", &token),
        ]),
        pifa_gateway::DEMO_APP_SECRET,
    )
    .json()
    .unwrap();
    let d = &answer["result"]["result"];
    assert_eq!(answer["result"]["success"], true);
    assert_eq!(
        d["subjectTrans"], d["subject"],
        "§1.12: success, untranslated"
    );
    let translated: Value = detail(&gw, &token, &id).json().unwrap();
    assert_ne!(translated["result"]["result"]["subjectTrans"], d["subject"]);
}
