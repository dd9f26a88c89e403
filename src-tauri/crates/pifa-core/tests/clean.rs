//! The cleaner on the documented answer shapes and on the edge cases 1688 is known for.

use chrono::{TimeZone, Utc};
use pifa_core::offer::{
    clean_answer, clean_search_item, Badges, CleanError, Dimensions, MixedBatch, QuoteType,
    ServiceScores, SourceApi, Spec, Tier,
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
            "https://cbu01.alicdn.com/img/ibank/O1CN01c.jpg",
            "https://cbu01.alicdn.com/img/ibank/O1CN01pEsVS41Bs2uny9oka_!!0-0-cib.jpg"
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
    assert_eq!(
        offer.skus[0].image.as_deref(),
        Some("https://cbu01.alicdn.com/img/ibank/O1CN01white.jpg")
    );
    assert_eq!(offer.skus[1].sku_id, "4883012345002", "a string skuId too");
    let supplier = offer.supplier.as_ref().unwrap();
    assert_eq!(supplier.name.as_deref(), Some("义乌市某某服饰有限公司"));
    assert_eq!(
        supplier.open_id.as_deref(),
        Some("BBBspz8Z4AmsyZ5SmwYL4Xi_A")
    );
    assert_eq!(
        supplier.province.as_deref(),
        Some("浙江"),
        "from the origin"
    );
    assert_eq!(supplier.city.as_deref(), Some("金华市"));
    assert_eq!(supplier.tp_years, None, "details carry no 诚信通 years");
    assert_eq!(
        supplier.badges,
        Some(Badges {
            power_merchant: true,
            super_factory: true,
            tp_member: true
        }),
        "Chinese words split on , and ，"
    );
    assert_eq!(supplier.trade_medal_level, Some(4));
    assert_eq!(
        supplier.scores,
        ServiceScores {
            composite: Some(45),
            logistics: Some(40),
            dispute: Some(35),
            offer: Some(40),
            after_sales: Some(30),
            consulting: Some(50),
        }
    );
    assert_eq!(
        supplier.repurchase_rate.unwrap().basis_points,
        4666,
        "a fraction"
    );
    assert_eq!(
        supplier.pickup_48h_rate.unwrap().basis_points,
        9700,
        "a fraction"
    );
    assert_eq!(
        supplier.quality_refund_rate.unwrap().basis_points,
        200,
        "a percent"
    );
    assert_eq!(offer.shipping.origin.as_deref(), Some("浙江省 金华市"));
    assert_eq!(offer.shipping.unit_weight_grams, Some(210));
    assert_eq!(
        offer.shipping.dimensions,
        Some(Dimensions {
            length_mm: Some(305),
            width_mm: Some(250),
            height_mm: Some(30)
        })
    );
    assert_eq!(offer.shipping.dispatch_hours, Some(48));
    assert_eq!(offer.month_sold, None, "not in the detail doc");
    assert_eq!(offer.sold_count, Some(12342), "soldOut is a digit string");
    assert_eq!(offer.trade_score_tenths, Some(50));
    assert_eq!(
        offer.mixed_batch,
        Some(MixedBatch {
            allowed: true,
            min_amount_yuan: Some(100),
            min_pieces: Some(2)
        })
    );
    assert_eq!(offer.one_piece_dropship, Some(true), "from tagInfoList");
    assert!(!offer.is_delisted());
    // 08:00 in Beijing is midnight UTC.
    assert_eq!(
        offer.listed_at,
        Some(Utc.with_ymd_and_hms(2024, 5, 24, 0, 0, 0).unwrap())
    );
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
        Some("广东"),
        "taken from the shipping origin, without 省"
    );
    assert_eq!(offer.lowest_price(), Some(m("17.8")));
}

#[test]
fn search_items_are_partial_offers_with_their_supplier_signals() {
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
        first.repurchase_rate.unwrap().basis_points,
        3500,
        "the offer's own"
    );
    assert_eq!(first.trade_score_tenths, Some(45));
    assert_eq!(first.one_piece_dropship, Some(true));
    assert_eq!(
        first.category.as_ref().unwrap().id.as_deref(),
        Some("127380009")
    );
    let supplier = first.supplier.as_ref().unwrap();
    assert_eq!(supplier.tp_years, Some(6));
    assert!(supplier.power_merchant() && !supplier.super_factory());
    assert_eq!(
        supplier.repurchase_rate.unwrap().basis_points,
        1100,
        "\"11\" is a percent here"
    );
    assert_eq!(supplier.scores.composite, Some(40));
    assert_eq!(first.shipping.dispatch_hours, Some(24));
    assert_eq!(
        first.shipping.perfect_fulfilment_30d.unwrap().basis_points,
        9912
    );
    assert_eq!(
        first.shipping.pickup_24h_30d.unwrap().basis_points,
        0,
        "empty means 0"
    );
    assert_eq!(first.shipping.quality_return_30d.unwrap().basis_points, 12);
    assert_eq!(
        first.shipping.delayed_shipping_7d.unwrap().basis_points,
        1234
    );
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);

    let second = clean_answer(&items[1], t0()).unwrap();
    assert_eq!(second.offer_id.as_str(), "700000000002");
    assert_eq!(second.moq, Some(50));
    assert_eq!(second.month_sold, Some(120));
    assert_eq!(second.repurchase_rate.unwrap().basis_points, 5000);
    assert_eq!(
        second.one_piece_dropship,
        Some(false),
        "the onePsale spelling"
    );
    let supplier = second.supplier.unwrap();
    assert!(supplier.power_merchant() && supplier.super_factory());
    assert_eq!(supplier.tp_years, None);
}

/// The one real capture of this item model (`1688-answers.md` §2.6), verbatim.
#[test]
fn the_real_capture_reads_without_warnings() {
    let capture = fixture("offer_recommend_capture.json");
    let items = capture["result"].as_array().unwrap();
    let offers: Vec<_> = items
        .iter()
        .map(|item| clean_search_item(item, t0()).unwrap())
        .collect();
    assert_eq!(offers[0].offer_id.as_str(), "666353603800");
    assert_eq!(offers[0].listed_price, Some(m("1.70")));
    assert_eq!(offers[0].month_sold, Some(4861));
    assert_eq!(offers[0].repurchase_rate.unwrap().basis_points, 2200);
    assert_eq!(offers[0].one_piece_dropship, Some(false));
    assert_eq!(
        offers[0].supplier.as_ref().and_then(|s| s.badges),
        Some(Badges::default()),
        "an empty list says: no badge"
    );
    assert_eq!(offers[2].listed_price, Some(m("26")));
    assert_eq!(offers[3].repurchase_rate.unwrap().basis_points, 400);
    let badges = offers[3].supplier.as_ref().unwrap().badges.unwrap();
    assert!(badges.super_factory && badges.power_merchant && !badges.tp_member);
    assert!(offers.iter().all(|o| o.warnings.is_empty()));
    assert!(offers[1].images[0].ends_with("14732861201_1132645567.jpg"));
}

#[test]
fn badge_notations_all_read() {
    let item = |identities: Value| json!({"offerId": 624516873401_i64, "priceInfo": {"price": "1"}, "sellerIdentities": identities});
    let badges_of = |v: Value| {
        clean_search_item(&item(v), t0())
            .unwrap()
            .supplier
            .and_then(|s| s.badges)
    };
    let legend = json!(["super_factory-超级工厂 powerful_merchants-实力商家 tp_member-诚信通会员"]);
    assert_eq!(
        badges_of(legend),
        Some(Badges {
            power_merchant: true,
            super_factory: true,
            tp_member: true
        })
    );
    assert_eq!(
        badges_of(json!(["powerful_merchants"])).map(|b| (b.power_merchant, b.super_factory)),
        Some((true, false))
    );
    let words = |text: &str| {
        let answer = detail(json!({"offerId": 624516873401_i64, "offerIdentities": [text]}));
        clean_answer(&answer, t0())
            .unwrap()
            .supplier
            .and_then(|s| s.badges)
    };
    assert!(words("实力商家，诚信通").unwrap().power_merchant);
    assert!(words("超级工厂").unwrap().super_factory);
    assert!(!words("诚信通").unwrap().power_merchant);
    // No list: nothing said, so nothing known.
    let none = clean_answer(
        &detail(json!({"offerId": 624516873401_i64, "companyName": "某厂"})),
        t0(),
    )
    .unwrap();
    assert_eq!(none.supplier.unwrap().badges, None);
}

#[test]
fn success_as_a_string_and_business_failures() {
    let ok = json!({"result": {"success": "true", "code": "200", "result": {"offerId": "624516873405"}}});
    assert_eq!(
        clean_answer(&ok, t0()).unwrap().offer_id.as_str(),
        "624516873405"
    );
    let failed = json!({"result": {"success": "false", "code": "500", "message": "商品不存在"}});
    assert!(matches!(
        clean_answer(&failed, t0()),
        Err(CleanError::Business { .. })
    ));
    let empty = json!({"result": {"success": true, "code": "200", "result": null}});
    assert!(matches!(
        clean_answer(&empty, t0()),
        Err(CleanError::Business { .. })
    ));
}

#[test]
fn delisted_offers_are_kept_as_such_and_never_quoted() {
    for status in [
        "expired",
        "member expired",
        "auto expired",
        "member deleted",
        "TBD",
    ] {
        let answer = detail(json!({"offerId": 624516873409_i64, "status": status,
            "productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": "3.5"}]}}));
        let offer = clean_answer(&answer, t0()).unwrap();
        assert_eq!(offer.status.as_deref(), Some(status), "spaces kept");
        assert!(offer.is_delisted());
        assert!(matches!(
            pifa_core::offer::tiers::quote(&offer, 10, None),
            Err(pifa_core::offer::tiers::QuoteError::Delisted { .. })
        ));
    }
}

#[test]
fn each_rate_is_read_in_its_own_notation() {
    let rates = |data: Value| {
        let answer = detail(json!({"offerId": 624516873401_i64, "sellerDataInfo": data}));
        let s = clean_answer(&answer, t0()).unwrap().supplier.unwrap();
        (
            s.repurchase_rate.map(|p| p.basis_points),
            s.pickup_48h_rate.map(|p| p.basis_points),
            s.quality_refund_rate.map(|p| p.basis_points),
        )
    };
    // Detail: repurchase and 48h pickup are fractions; the refund rate a percent.
    assert_eq!(
        rates(
            json!({"repeatPurchasePercent": "0.4666", "collect30DayWithin48HPercent": "1", "qualityRefundWithin30Day": "2"})
        ),
        (Some(4666), Some(10_000), Some(200))
    );
    // Every documented form is accepted: a `%` sign, or a value above 1, is a percentage.
    assert_eq!(
        rates(
            json!({"repeatPurchasePercent": "46.66%", "collect30DayWithin48HPercent": "97", "qualityRefundWithin30Day": "0.5%"})
        ),
        (Some(4666), Some(9700), Some(50))
    );
    // Out of range is a warning, not a value.
    let answer = detail(
        json!({"offerId": 624516873401_i64, "sellerDataInfo": {"repeatPurchasePercent": "250"}}),
    );
    let offer = clean_answer(&answer, t0()).unwrap();
    assert_eq!(offer.supplier.and_then(|s| s.repurchase_rate), None);
    assert_eq!(offer.warnings.len(), 1);
}

#[test]
fn a_price_range_is_a_warning_not_a_price() {
    let item = json!({"offerId": 624516873401_i64, "priceInfo": {"price": "1.5-2.0"}});
    let offer = clean_search_item(&item, t0()).unwrap();
    assert_eq!(offer.listed_price, None);
    let warning = &offer.warnings[0];
    assert!(warning.problem.contains("range"));
    // The app words it from the catalog in the user's language; the English is for the CLI.
    assert_eq!(warning.code, "clean.priceRange");
    assert_eq!(warning.params["value"], "\"1.5-2.0\"");
    let phrase = pifa_core::words::Phrase {
        code: warning.code.clone(),
        params: warning.params.clone(),
    };
    assert_eq!(phrase.text(pifa_core::Language::English), warning.problem);
    assert_eq!(
        phrase.text(pifa_core::Language::SimplifiedChinese),
        "\"1.5-2.0\" 是价格区间而不是单一价格，已留空"
    );
}

#[test]
fn a_warning_stored_before_codes_reads_back_with_an_empty_code() {
    let old: pifa_core::offer::CleanWarning =
        serde_json::from_value(json!({"field": "price", "problem": "not a price"})).unwrap();
    assert_eq!((old.code.as_str(), old.params.len()), ("", 0));
}

#[test]
fn hostile_text_is_capped() {
    let long = "标".repeat(100_000);
    let item = json!({"offerId": 624516873401_i64, "priceInfo": {"price": {"x": "y".repeat(100_000)}},
        "subject": long, "companyName": long});
    let offer = clean_search_item(&item, t0()).unwrap();
    assert!(offer.title.as_ref().unwrap().chars().count() <= 501);
    assert!(offer.supplier.unwrap().name.unwrap().chars().count() <= 201);
    assert!(offer
        .warnings
        .iter()
        .all(|w| w.problem.chars().count() <= 201
            && w.field.chars().count() <= 201
            && w.params.values().all(|v| v.chars().count() <= 81)));
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
        &detail(json!({"offerId": "624516873409", "productImage": {"images": ["javascript:alert(1)", "data:x", 5, "a.jpg", "a.jpg",
            "https://tracker.example/p.gif", "//tracker.example/p.gif", "http://cbu01.alicdn.com/b.jpg"]}})),
        t0(),
    )
    .unwrap();
    // Only 1688's image hosts, always over https.
    assert_eq!(
        offer.images,
        [
            "https://cbu01.alicdn.com/a.jpg",
            "https://cbu01.alicdn.com/b.jpg"
        ]
    );
    assert_eq!(offer.warnings.len(), 4);
}

#[test]
fn each_sku_keeps_its_own_weight_and_size_in_the_units_section_7_names() {
    let mut answer = fixture("query_product_detail.json");
    let shipping_warnings = |offer: &pifa_core::offer::Offer| {
        offer
            .warnings
            .iter()
            .filter(|w| w.field.contains("skuShipping"))
            .map(|w| w.field.clone())
            .collect::<Vec<_>>()
    };
    let sku = |offer: &pifa_core::offer::Offer, id: &str| {
        let sku = offer.skus.iter().find(|s| s.sku_id == id).unwrap().clone();
        (
            sku.weight_grams,
            sku.dimensions
                .map(|d| (d.length_mm, d.width_mm, d.height_mm)),
        )
    };
    let cleaned = clean_answer(&answer, t0()).unwrap();
    // skuShippingDetails: 0.21 kg, 30 × 25 × 3 cm, its skuId a string.
    assert_eq!(
        sku(&cleaned, "4883012345001"),
        (Some(210), Some((Some(300), Some(250), Some(30))))
    );
    assert_eq!(sku(&cleaned, "4883012345002"), (None, None));
    assert_eq!(shipping_warnings(&cleaned), Vec::<String>::new());

    // Only skuShippingInfoList, its skuId a number: its weight is grams.
    let shipping = answer
        .pointer_mut("/result/result/productShippingInfo")
        .unwrap();
    shipping
        .as_object_mut()
        .unwrap()
        .remove("skuShippingDetails");
    shipping["skuShippingInfoList"][0]["weight"] = json!(95);
    let cleaned = clean_answer(&answer, t0()).unwrap();
    assert_eq!(
        sku(&cleaned, "4883012345001"),
        (Some(95), Some((Some(300), Some(250), Some(30))))
    );

    // Where both say, the details' kilograms win over the list's disputed unit.
    let shipping = answer
        .pointer_mut("/result/result/productShippingInfo")
        .unwrap();
    shipping["skuShippingInfoList"][0]["weight"] = json!(0.5);
    shipping["skuShippingDetails"] =
        json!([{"skuId": "4883012345001", "weight": "0.5", "length": 0, "width": null}]);
    let cleaned = clean_answer(&answer, t0()).unwrap();
    assert_eq!(
        sku(&cleaned, "4883012345001"),
        (Some(500), Some((Some(300), Some(250), Some(30))))
    );

    // A weight that is no measure is a warning naming the field, never a guess.
    let shipping = answer
        .pointer_mut("/result/result/productShippingInfo")
        .unwrap();
    shipping["skuShippingDetails"][0]["weight"] = json!("约半斤");
    shipping
        .as_object_mut()
        .unwrap()
        .remove("skuShippingInfoList");
    let cleaned = clean_answer(&answer, t0()).unwrap();
    assert_eq!(sku(&cleaned, "4883012345001"), (None, None));
    assert_eq!(
        shipping_warnings(&cleaned),
        ["productShippingInfo.skuShippingDetails[0].weight"]
    );
}
