use chrono::Utc;
use proptest::prelude::*;

use super::*;
use crate::offer::{Badges, ServiceScores, Sku, SourceApi, Supplier, Tier};

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn pct(whole: u32) -> Percent {
    Percent {
        basis_points: whole * 100,
    }
}

/// A live offer priced ¥10 from 1, ¥8 from 100, fully described.
fn offer(id: &str) -> Offer {
    let mut offer = Offer::new(
        OfferId::parse(id).unwrap(),
        SourceApi::QueryProductDetail,
        Utc::now(),
    );
    offer.title = Some(format!("保温杯 {id}"));
    offer.status = Some("published".into());
    offer.moq = Some(2);
    offer.tiers = vec![
        Tier {
            min_qty: 1,
            price: m("10"),
        },
        Tier {
            min_qty: 100,
            price: m("8"),
        },
    ];
    offer.month_sold = Some(500);
    offer.repurchase_rate = Some(pct(40));
    offer.skus = vec![Sku {
        sku_id: "1".into(),
        spec_id: None,
        specs: Vec::new(),
        price: None,
        stock: Some(1_000),
        available: true,
        image: None,
        weight_grams: None,
        dimensions: None,
    }];
    offer.supplier = Some(Supplier {
        name: Some("义乌杯业".into()),
        province: Some("浙江".into()),
        tp_years: Some(6),
        badges: Some(Badges {
            power_merchant: true,
            super_factory: true,
            tp_member: true,
        }),
        scores: ServiceScores {
            composite: Some(45),
            ..ServiceScores::default()
        },
        pickup_48h_rate: Some(pct(95)),
        quality_refund_rate: Some(pct(1)),
        ..Supplier::default()
    });
    offer
}

fn request(qty: u32) -> PickRequest {
    PickRequest {
        keywords: "保温杯".into(),
        quantity: qty,
        ..PickRequest::default()
    }
}

fn supplier(offer: &mut Offer) -> &mut Supplier {
    offer.supplier.as_mut().unwrap()
}

#[test]
fn each_constraint_excludes_with_its_own_reason_and_is_counted() {
    let strict = PickRequest {
        max_unit_price: Some(m("9")),
        max_moq: Some(10),
        power_merchant: true,
        super_factory: true,
        provinces: vec!["浙江省".into(), "广东".into()],
        min_tp_years: Some(3),
        min_repurchase: Some(pct(30)),
        min_sold: Some(100),
        min_pickup_48h: Some(pct(90)),
        max_quality_refund: Some(pct(2)),
        in_stock: true,
        ..request(100)
    };
    let good = offer("600000000001");
    type Spoil = Box<dyn Fn(&mut Offer)>;
    let cases: Vec<(Reason, Spoil)> = vec![
        (Reason::OverPrice, Box::new(|o| o.tiers[1].price = m("9.5"))),
        (Reason::MoqTooHigh, Box::new(|o| o.moq = Some(20))),
        (
            Reason::NotPowerMerchant,
            Box::new(|o| supplier(o).badges.as_mut().unwrap().power_merchant = false),
        ),
        (
            Reason::NotSuperFactory,
            Box::new(|o| {
                supplier(o).badges = Some(Badges {
                    power_merchant: true,
                    ..Badges::default()
                })
            }),
        ),
        (
            Reason::Province,
            Box::new(|o| supplier(o).province = Some("江苏".into())),
        ),
        (Reason::TpYears, Box::new(|o| supplier(o).tp_years = None)),
        (
            Reason::Repurchase,
            Box::new(|o| o.repurchase_rate = Some(pct(20))),
        ),
        (
            Reason::Pickup,
            Box::new(|o| supplier(o).pickup_48h_rate = Some(pct(80))),
        ),
        (
            Reason::QualityRefund,
            Box::new(|o| supplier(o).quality_refund_rate = Some(pct(5))),
        ),
        (Reason::OutOfStock, Box::new(|o| o.skus[0].stock = Some(99))),
        (
            Reason::Delisted,
            Box::new(|o| o.status = Some("expired".into())),
        ),
        (Reason::NoPrice, Box::new(|o| o.tiers.clear())),
    ];
    for (reason, spoil) in &cases {
        let mut bad = offer("600000000002");
        spoil(&mut bad);
        let outcome = evaluate(&[good.clone(), bad], &strict, &Weights::default());
        assert_eq!(outcome.candidates, 2, "{reason:?}");
        assert_eq!(outcome.picks.len(), 1, "{reason:?}");
        assert_eq!(outcome.picks[0].offer_id.as_str(), "600000000001");
        let [excluded] = outcome.excluded.try_into().unwrap();
        assert_eq!(excluded.reasons, vec![*reason]);
        assert_eq!(outcome.counts, BTreeMap::from([(*reason, 1)]));
    }
    // Below the sales floor a repurchase rate does not count, however high.
    let mut few = offer("600000000003");
    few.month_sold = Some(50);
    let outcome = evaluate(&[few], &strict, &Weights::default());
    assert_eq!(outcome.excluded[0].reasons, vec![Reason::Repurchase]);
}

#[test]
fn reasons_add_up_and_serialize_as_stable_codes() {
    let mut bad = offer("600000000002");
    bad.moq = Some(500);
    supplier(&mut bad).badges = None;
    let mut gone = offer("600000000003");
    gone.status = Some("member deleted".into());
    let req = PickRequest {
        max_moq: Some(100),
        power_merchant: true,
        ..request(10)
    };
    let mut outcome = evaluate(
        &[bad, gone, offer("600000000004")],
        &req,
        &Weights::default(),
    );
    outcome.exclude_unfetched(
        OfferId::parse("600000000005").unwrap(),
        None,
        "gateway.transient",
    );
    assert_eq!(outcome.candidates, 4);
    assert_eq!(outcome.qualified, 1);
    assert_eq!(
        serde_json::to_value(&outcome.counts).unwrap(),
        serde_json::json!({"moq_too_high": 1, "not_power_merchant": 1, "delisted": 1, "fetch_failed": 1})
    );
    let failed = outcome.excluded.last().unwrap();
    assert_eq!(failed.code.as_deref(), Some("gateway.transient"));
    for reason in [Reason::OverPrice, Reason::FetchFailed, Reason::TpYears] {
        assert_eq!(serde_json::to_value(reason).unwrap(), reason.code());
    }
}

#[test]
fn parts_are_explainable_and_missing_values_score_zero() {
    let cheap = offer("600000000001");
    let mut dear = offer("600000000002");
    dear.tiers[0].price = m("12");
    dear.month_sold = None;
    dear.repurchase_rate = None;
    supplier(&mut dear).scores.composite = None;
    supplier(&mut dear).quality_refund_rate = None;
    supplier(&mut dear).tp_years = Some(3);
    let outcome = evaluate(&[dear, cheap], &request(10), &Weights::default());
    let [first, second] = outcome.picks.try_into().unwrap();
    assert_eq!(first.offer_id.as_str(), "600000000001");
    assert_eq!(
        (first.unit_price, first.order_qty, first.total),
        (m("10"), 10, m("100"))
    );
    assert_eq!(first.parts.price, 1.0);
    assert_eq!(first.parts.sales, 1.0);
    assert_eq!(first.parts.service, 0.9);
    assert_eq!(first.parts.repurchase, 0.4);
    assert_eq!(first.parts.pickup, 0.95);
    assert_eq!(first.parts.quality_refund, 0.99);
    assert_eq!(first.parts.tp_years, 1.0);
    let p = second.parts;
    assert_eq!(
        (p.price, p.sales, p.service, p.repurchase, p.quality_refund),
        (0.0, 0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!(p.tp_years, 0.5);
    // The score is the weighted mean of the parts.
    let w = Weights::default();
    assert!((first.score - first.parts.score(&w)).abs() < 1e-12);
    assert!(first.score <= 1.0 && second.score >= 0.0);
    // A lone candidate is the cheapest there is; the order is raised to the minimum.
    let alone = evaluate(&[offer("600000000003")], &request(1), &w);
    assert_eq!(alone.picks[0].parts.price, 1.0);
    assert_eq!(
        (alone.picks[0].order_qty, alone.picks[0].total),
        (2, m("20"))
    );
}

#[test]
fn new_weights_reorder_the_same_candidates() {
    let cheap = {
        let mut o = offer("600000000001");
        o.month_sold = Some(10);
        o
    };
    let popular = {
        let mut o = offer("600000000002");
        o.tiers[0].price = m("11");
        o.month_sold = Some(50_000);
        o
    };
    let candidates = [cheap, popular];
    let by_price = Weights {
        price: 5.0,
        sales: 0.0,
        ..Weights::default()
    };
    let mut by_sales = by_price;
    by_sales.set("price", 0.0).unwrap();
    by_sales.set("sales", 5.0).unwrap();
    let first = |w: &Weights| {
        evaluate(&candidates, &request(10), w).picks[0]
            .offer_id
            .to_string()
    };
    assert_eq!(first(&by_price), "600000000001");
    assert_eq!(first(&by_sales), "600000000002");
    assert!(by_sales.clone().set("speed", 1.0).is_err());
    assert!(Weights::default().set("tp-years", -1.0).is_err());
    let mut zero = Weights::default();
    for name in CRITERIA {
        let _ = zero.set(name, 0.0);
    }
    assert!(zero.check().is_err());
}

#[test]
fn ties_break_by_price_then_offer_id_and_top_cuts() {
    // Equal on every part: price decides only through the tie-break when weights ignore it.
    let a = offer("600000000003");
    let b = offer("600000000001");
    let mut c = offer("600000000002");
    c.tiers[0].price = m("10.5");
    let only_service = Weights {
        price: 0.0,
        sales: 0.0,
        repurchase: 0.0,
        pickup: 0.0,
        quality_refund: 0.0,
        tp_years: 0.0,
        service: 1.0,
    };
    let outcome = evaluate(
        &[a, b, c],
        &PickRequest {
            top: 2,
            ..request(10)
        },
        &only_service,
    );
    let ids: Vec<&str> = outcome.picks.iter().map(|p| p.offer_id.as_str()).collect();
    assert_eq!(ids, ["600000000001", "600000000003"]);
    assert_eq!(outcome.qualified, 3);
    assert_eq!(outcome.picks[1].rank, 2);
}

#[test]
fn requests_and_defaults_are_checked() {
    assert!(request(10).check().is_ok());
    assert_eq!(PickRequest::default().pages, 3);
    assert_eq!(PickRequest::default().top, 10);
    assert_eq!(request(0).check().unwrap_err().code(), "pick.bad_request");
    assert_eq!(
        PickRequest {
            pages: 11,
            ..request(1)
        }
        .check()
        .unwrap_err()
        .code(),
        "pick.bad_request"
    );
    assert_eq!(
        PickRequest::default().check().unwrap_err().code(),
        "search.empty_keyword"
    );
    assert!(Weights::default().check().is_ok());
}

/// One candidate from drawn values; `None` is unknown.
fn drawn(id: u32, v: &Values) -> Offer {
    let mut o = offer(&format!("6000000{id:05}"));
    o.tiers = vec![Tier {
        min_qty: 1,
        price: Money::from_fen(i64::from(v.0)),
    }];
    o.month_sold = v.1;
    o.repurchase_rate = v.2.map(pct);
    let s = supplier(&mut o);
    s.scores.composite = v.3;
    s.pickup_48h_rate = v.4.map(pct);
    s.quality_refund_rate = v.5.map(pct);
    s.tp_years = v.6;
    o
}

type Values = (
    u32,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
);

fn values() -> impl Strategy<Value = Values> {
    (
        100u32..5_000,
        proptest::option::of(0u32..100_000),
        proptest::option::of(0u32..=100),
        proptest::option::of(0u32..=50),
        proptest::option::of(0u32..=100),
        proptest::option::of(0u32..=100),
        proptest::option::of(0u32..30),
    )
}

/// `a` is at least as good as `b` on every criterion (unknown is the worst).
fn dominates(a: &Values, b: &Values, floor: u32) -> bool {
    let ge = |x: Option<u32>, y: Option<u32>| y.is_none() || x >= y;
    let le = |x: Option<u32>, y: Option<u32>| y.is_none() || (x.is_some() && x <= y);
    let counted = |v: &Values| v.2.map(|r| if v.1.unwrap_or(0) < floor { 0 } else { r });
    a.0 <= b.0
        && ge(a.1, b.1)
        && ge(counted(a), counted(b))
        && ge(a.3, b.3)
        && ge(a.4, b.4)
        && le(a.5, b.5)
        && ge(a.6, b.6)
}

fn weights() -> impl Strategy<Value = Weights> {
    proptest::array::uniform7(0.0f64..10.0).prop_map(|w| Weights {
        price: w[0] + 0.01,
        sales: w[1],
        service: w[2],
        repurchase: w[3],
        pickup: w[4],
        quality_refund: w[5],
        tp_years: w[6],
    })
}

proptest! {
    #[test]
    fn an_offer_at_least_as_good_everywhere_never_ranks_below(
        drawn_values in proptest::collection::vec(values(), 2..12),
        w in weights(),
        floor in 0u32..200,
    ) {
        let candidates: Vec<Offer> = drawn_values.iter().enumerate().map(|(i, v)| drawn(i as u32, v)).collect();
        let req = PickRequest { min_sold: Some(floor), top: 100, ..request(10) };
        let outcome = evaluate(&candidates, &req, &w);
        prop_assert_eq!(outcome.picks.len(), candidates.len());
        let rank = |i: usize| outcome.picks.iter().position(|p| p.offer_id == candidates[i].offer_id).unwrap();
        for (i, a) in drawn_values.iter().enumerate() {
            for (j, b) in drawn_values.iter().enumerate() {
                // Equal on everything, one of the two must come first: the ID decides.
                if i != j && dominates(a, b, floor) && !dominates(b, a, floor) {
                    prop_assert!(rank(i) < rank(j), "{:?} ranks below {:?}", a, b);
                }
            }
        }
        for pick in &outcome.picks {
            prop_assert!((0.0..=1.0).contains(&pick.score));
        }
    }
}

#[test]
fn a_pick_carries_its_picture_supplier_and_the_minimum_order_it_was_raised_to() {
    let mut small = offer("600000000011");
    small.images = vec!["https://cbu01.alicdn.com/a.jpg".into(), "b.jpg".into()];
    small.title_en = Some("Insulated cup".into());
    let mut big = offer("600000000012");
    big.moq = Some(50);
    big.images.clear();
    let outcome = evaluate(&[small, big], &request(20), &Weights::default());
    let of = |id: &str| {
        outcome
            .picks
            .iter()
            .find(|p| p.offer_id.as_str() == id)
            .unwrap()
    };
    let small = of("600000000011");
    assert_eq!(
        small.image.as_deref(),
        Some("https://cbu01.alicdn.com/a.jpg")
    );
    assert_eq!(small.title_en.as_deref(), Some("Insulated cup"));
    assert_eq!((small.minimum_order, small.order_qty), (2, 20));
    assert!(!small.below_moq);
    let summary = small.supplier.as_ref().unwrap();
    assert_eq!(summary.name.as_deref(), Some("义乌杯业"));
    assert!(summary.power_merchant && summary.super_factory);
    assert_eq!(summary.service_score_tenths, Some(45));
    assert_eq!(summary.pickup_48h_rate, Some(pct(95)));
    let big = of("600000000012");
    assert_eq!(big.image, None);
    assert_eq!((big.minimum_order, big.order_qty), (50, 50));
    assert!(big.below_moq);
    assert_eq!(big.total, m("500"));
}

#[test]
fn a_run_saved_before_picks_carried_pictures_still_reads() {
    let old = serde_json::json!({
        "rank": 1, "offerId": "600000000011", "title": "杯", "unitPrice": "8.00",
        "orderQty": 100, "total": "800.00", "score": 0.5,
        "parts": { "price": 1.0, "sales": 0.0, "service": 0.0, "repurchase": 0.0,
                   "pickup": 0.0, "qualityRefund": 0.0, "tpYears": 0.0 }
    });
    let pick: Pick = serde_json::from_value(old).unwrap();
    assert_eq!(
        (pick.image, pick.supplier, pick.below_moq),
        (None, None, false)
    );
}
