//! The cleaner on the documented answer shapes and on the edge cases 1688 is known for.

use chrono::{TimeZone, Utc};
use pifa_core::offer::{
    clean_answer, clean_search_item, CleanError, QuoteType, SourceApi, Spec, Tier,
};
use pifa_core::Money;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
}

#[test]
fn query_product_detail_is_read_whole() {
    let offer = clean_answer(&fixture("query_product_detail.json"), t0()).unwrap();
    assert_eq!(offer.offer_id.as_str(), "624516873409");
    assert_eq!(offer.source, SourceApi::QueryProductDetail);
    assert_eq!(
        offer.title.as_deref(),
        Some("纯棉短袖T恤男士夏季宽松圆领打底衫 批发")
    );
    assert!(offer
        .title_en
        .as_deref()
        .unwrap()
        .starts_with("Pure cotton"));
    assert_eq!(
        offer.category.as_ref().unwrap().name.as_deref(),
        Some("男式T恤")
    );
    assert_eq!(
        offer.images,
        [
            "https://cbu01.alicdn.com/img/ibank/O1CN01a.jpg",
            "https://cbu01.alicdn.com/img/ibank/O1CN01b.jpg",
            "https://cbu01.alicdn.com/img/ibank/O1CN01c.jpg"
        ]
    );
    assert_eq!(offer.unit.as_deref(), Some("件"));
    assert_eq!(offer.moq, Some(2));
    assert_eq!(offer.batch_size, None, "a batch of 1 is no batch");
    assert_eq!(offer.quote_type, Some(QuoteType::SkuByQuantity));
    // Unsorted in the answer; sorted here. Strings parsed exactly.
    assert_eq!(
        offer.tiers,
        [
            Tier {
                min_qty: 2,
                price: m("12.5")
            },
            Tier {
                min_qty: 100,
                price: m("11")
            },
            Tier {
                min_qty: 1000,
                price: m("9.8")
            }
        ]
    );
    assert_eq!(offer.retail_price, Some(m("25")));
    assert_eq!(offer.consign_price, Some(m("13.9")));
    assert_eq!(offer.skus.len(), 2);
    assert_eq!(offer.skus[0].sku_id, "4883012345001");
    assert_eq!(
        offer.skus[0].specs,
        [
            Spec {
                name: "颜色".into(),
                value: "白色".into()
            },
            Spec {
                name: "尺码".into(),
                value: "XL".into()
            }
        ]
    );
    assert!(offer.skus[0].available);
    assert!(!offer.skus[1].available, "no stock, not available");
    let supplier = offer.supplier.as_ref().unwrap();
    assert_eq!(supplier.name.as_deref(), Some("义乌市某某服饰有限公司"));
    assert_eq!(supplier.login_id.as_deref(), Some("yiwu_fushi"));
    assert_eq!(supplier.province.as_deref(), Some("浙江"));
    assert_eq!(supplier.tp_years, Some(8));
    assert_eq!(supplier.trust_score_tenths, Some(45));
    assert!(supplier.power_merchant && supplier.manufacturer && !supplier.super_factory);
    assert_eq!(supplier.repurchase_rate.unwrap().basis_points, 4200);
    assert_eq!(supplier.order_count, Some(15820));
    assert_eq!(supplier.response_rate.unwrap().basis_points, 9800);
    assert_eq!(offer.shipping.origin.as_deref(), Some("浙江省 金华市"));
    assert_eq!(offer.shipping.unit_weight_grams, Some(210));
    assert_eq!(offer.month_sold, Some(3521));
    assert!(offer.warnings.is_empty(), "{:?}", offer.warnings);
}

#[test]
fn simple_get_is_read_with_number_prices_and_relative_images() {
    let offer = clean_answer(&fixture("simple_get.json"), t0()).unwrap();
    assert_eq!(offer.source, SourceApi::SimpleGet);
    assert_eq!(offer.offer_id.as_str(), "655443322110");
    assert_eq!(
        offer.images,
        ["https://cbu01.alicdn.com/img/ibank/2018/123/456/789.jpg"]
    );
    assert_eq!(offer.quote_type, Some(QuoteType::BySku));
    assert!(offer.tiers.is_empty(), "quoteType 1 without tiers");
    assert_eq!(offer.skus[0].price, Some(m("18.5")));
    assert_eq!(offer.skus[1].price, Some(m("17.8")));
    assert_eq!(
        offer.skus[0].specs,
        [Spec {
            name: "颜色".into(),
            value: "红色".into()
        }]
    );
    assert_eq!(offer.retail_price, Some(m("29")));
    assert_eq!(offer.moq, Some(10));
    assert_eq!(offer.batch_size, Some(5));
    assert_eq!(offer.unit.as_deref(), Some("个"));
    assert_eq!(offer.shipping.unit_weight_grams, Some(350));
    let supplier = offer.supplier.as_ref().unwrap();
    assert_eq!(supplier.login_id.as_deref(), Some("szcup2018"));
    assert_eq!(
        supplier.province.as_deref(),
        Some("广东省"),
        "taken from the shipping origin"
    );
    assert_eq!(offer.lowest_price(), Some(m("17.8")));
}

#[test]
fn search_items_are_partial_offers() {
    let page = fixture("keyword_query.json");
    let items = page
        .pointer("/result/result/data")
        .unwrap()
        .as_array()
        .unwrap();
    let first = clean_search_item(&items[0], t0()).unwrap();
    assert_eq!(first.source, SourceApi::KeywordQuery);
    assert_eq!(first.listed_price, Some(m("15.8")));
    assert!(first.tiers.is_empty() && first.skus.is_empty());
    assert_eq!(
        first
            .supplier
            .unwrap()
            .repurchase_rate
            .unwrap()
            .basis_points,
        3500
    );
    let second = clean_answer(&items[1], t0()).unwrap();
    assert_eq!(second.offer_id.as_str(), "700000000002");
    assert_eq!(second.moq, Some(50));
    assert_eq!(second.month_sold, Some(120));
    assert_eq!(
        second
            .supplier
            .unwrap()
            .repurchase_rate
            .unwrap()
            .basis_points,
        5000
    );
}

fn detail(result: Value) -> Value {
    json!({"result": {"success": true, "code": "200", "result": result}})
}

#[test]
fn bad_prices_are_dropped_with_warnings_never_zeroed() {
    let offer = clean_answer(
        &detail(json!({
            "offerId": "624516873409",
            "productSaleInfo": {"priceRangeList": [
                {"startQuantity": 1, "price": "-3"},
                {"startQuantity": 10, "price": "NaN"},
                {"startQuantity": 50, "price": "99999999999"},
                {"startQuantity": 100, "price": "abc"},
                {"startQuantity": 200, "price": "0"},
                {"startQuantity": 500, "price": "￥4.20"},
                {"startQuantity": "x", "price": "4"},
                {"price": "3.9"}
            ], "retailPrice": null, "consignPrice": ""}
        })),
        t0(),
    )
    .unwrap();
    assert_eq!(
        offer.tiers,
        [Tier {
            min_qty: 500,
            price: m("4.2")
        }]
    );
    assert_eq!(offer.retail_price, None);
    assert_eq!(offer.consign_price, None);
    let fields: Vec<&str> = offer.warnings.iter().map(|w| w.field.as_str()).collect();
    for expected in [
        "productSaleInfo.priceRangeList[0].price",
        "productSaleInfo.priceRangeList[1].price",
        "productSaleInfo.priceRangeList[2].price",
        "productSaleInfo.priceRangeList[3].price",
        "productSaleInfo.priceRangeList[4].price",
        "productSaleInfo.priceRangeList[6].startQuantity",
        "productSaleInfo.priceRangeList[7].startQuantity",
    ] {
        assert!(
            fields.contains(&expected),
            "no warning for {expected}: {fields:?}"
        );
    }
}

#[test]
fn duplicate_tiers_collapse_and_conflicts_keep_the_lower_price_with_a_warning() {
    let offer = clean_answer(
        &detail(json!({
            "offerId": 624516873409u64,
            "productSaleInfo": {"priceRangeList": [
                {"startQuantity": 10, "price": 5}, {"startQuantity": 10, "price": "5.00"},
                {"startQuantity": 50, "price": 4.5}, {"startQuantity": 50, "price": 4.4},
                {"startQuantity": 0, "price": 6}
            ]}
        })),
        t0(),
    )
    .unwrap();
    assert_eq!(
        offer.tiers,
        [
            Tier {
                min_qty: 1,
                price: m("6")
            },
            Tier {
                min_qty: 10,
                price: m("5")
            },
            Tier {
                min_qty: 50,
                price: m("4.4")
            }
        ]
    );
    assert_eq!(offer.warnings.len(), 2, "{:?}", offer.warnings);
}

#[test]
fn a_missing_supplier_and_missing_prices_stay_missing() {
    let offer = clean_answer(
        &detail(json!({"offerId": "624516873409", "subject": "  "})),
        t0(),
    )
    .unwrap();
    assert_eq!(offer.supplier, None);
    assert_eq!(offer.title, None);
    assert!(offer.tiers.is_empty());
    assert_eq!(offer.lowest_price(), None);
    assert!(offer.warnings.is_empty());
}

#[test]
fn spec_strings_with_stray_and_full_width_separators() {
    let offer = clean_answer(
        &detail(json!({
            "offerId": "624516873409",
            "productSkuInfos": [
                {"skuId": 1, "specAttrs": "颜色:红色;尺码:XL"},
                {"skuId": 2, "specAttrs": ";;颜色：蓝色；;尺码: M ;:空;无值:;"},
                {"skuId": 3, "specAttrs": "garbage"},
                {"skuId": 1, "specAttrs": "颜色:重复"},
                {"specAttrs": "颜色:无ID"}
            ]
        })),
        t0(),
    )
    .unwrap();
    let specs: Vec<Vec<(String, String)>> = offer
        .skus
        .iter()
        .map(|s| {
            s.specs
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect()
        })
        .collect();
    assert_eq!(
        specs,
        [
            vec![("颜色".into(), "红色".into()), ("尺码".into(), "XL".into())],
            vec![("颜色".into(), "蓝色".into()), ("尺码".into(), "M".into())],
            vec![]
        ]
    );
    assert_eq!(
        offer.warnings.len(),
        2,
        "the duplicate and the SKU without ID: {:?}",
        offer.warnings
    );
}

#[test]
fn business_errors_and_unknown_shapes_are_errors() {
    let missing = json!({"productInfo": null, "errMsg": "商品[624516873409]不存在"});
    assert!(matches!(
        clean_answer(&missing, t0()),
        Err(CleanError::Business { message, .. }) if message.contains("不存在")
    ));
    let failed =
        json!({"result": {"success": false, "code": "500", "message": "offer is offline"}});
    assert!(matches!(
        clean_answer(&failed, t0()),
        Err(CleanError::Business { .. })
    ));
    let gateway =
        json!({"error_code": "gw.SignatureInvalid", "error_message": "Signature invalid"});
    assert!(matches!(
        clean_answer(&gateway, t0()),
        Err(CleanError::Business { code: Some(code), .. }) if code == "gw.SignatureInvalid"
    ));
    assert_eq!(
        clean_answer(&json!([1, 2]), t0()),
        Err(CleanError::NotAnObject)
    );
    assert_eq!(
        clean_answer(&json!({"hello": 1}), t0()),
        Err(CleanError::UnknownShape)
    );
    assert_eq!(
        clean_answer(&detail(json!({"subject": "x"})), t0()),
        Err(CleanError::MissingOfferId)
    );
    assert!(matches!(
        clean_answer(&detail(json!({"offerId": "12ab"})), t0()),
        Err(CleanError::BadOfferId(id)) if id == "12ab"
    ));
}

#[test]
fn images_that_are_not_web_urls_are_refused() {
    let offer = clean_answer(
        &detail(json!({"offerId": "624516873409", "productImage": {"images": ["javascript:alert(1)", "data:x", 5, "a.jpg", "a.jpg"]}})),
        t0(),
    )
    .unwrap();
    assert_eq!(offer.images, ["https://cbu01.alicdn.com/a.jpg"]);
    assert_eq!(offer.warnings.len(), 2);
}
