//! Tier math: worked examples and properties.

use chrono::Utc;
use pifa_core::offer::tiers::{
    minimum_order, next_break, order_quote, quote, quote_in_lots, rank_by_cost, tier_at,
    OrderPricing, PriceBasis, QuoteError,
};
use pifa_core::offer::{Offer, OfferId, QuoteType, Sku, SourceApi, Tier};
use pifa_core::Money;
use proptest::prelude::*;

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

fn offer(id: &str, moq: Option<u32>, tiers: &[(u32, &str)]) -> Offer {
    Offer {
        moq,
        quote_type: Some(QuoteType::ByQuantity),
        tiers: tiers
            .iter()
            .map(|(q, p)| Tier {
                min_qty: *q,
                price: m(p),
            })
            .collect(),
        ..Offer::new(
            OfferId::parse(id).unwrap(),
            SourceApi::QueryProductDetail,
            Utc::now(),
        )
    }
}

fn sku(id: &str, price: Option<&str>) -> Sku {
    Sku {
        sku_id: id.into(),
        spec_id: None,
        specs: vec![],
        price: price.map(m),
        stock: Some(10),
        available: true,
        image: None,
        weight_grams: None,
        dimensions: None,
    }
}

#[test]
fn worked_example_with_tiers() {
    let o = offer(
        "100001",
        Some(2),
        &[(2, "12.5"), (100, "11"), (1000, "9.8")],
    );
    let q = quote(&o, 150, None).unwrap();
    assert_eq!(
        (q.billed_qty, q.unit_price, q.total, q.below_moq),
        (150, m("11"), m("1650"), false)
    );
    assert_eq!(q.basis, PriceBasis::Tier);
    let brk = next_break(&o, 150).unwrap();
    assert_eq!(
        (
            brk.order_more,
            brk.at_qty,
            brk.unit_price,
            brk.saving_per_piece
        ),
        (850, 1000, m("9.8"), m("1.2"))
    );
    assert_eq!(next_break(&o, 5000), None);
}

#[test]
fn below_moq_is_raised_and_flagged() {
    let o = offer("100001", Some(50), &[(10, "3"), (100, "2.5")]);
    let q = quote(&o, 5, None).unwrap();
    assert!(q.below_moq);
    assert_eq!(
        (q.requested_qty, q.billed_qty, q.unit_price, q.total),
        (5, 50, m("3"), m("150"))
    );
    // The first tier is the minimum in effect when it is above the MOQ.
    let o = offer("100002", Some(1), &[(20, "3")]);
    assert_eq!(minimum_order(&o), 20);
    assert_eq!(quote(&o, 1, None).unwrap().billed_qty, 20);
}

#[test]
fn per_sku_prices_versus_tiers() {
    let mut o = offer("100003", Some(10), &[]);
    o.quote_type = Some(QuoteType::BySku);
    o.skus = vec![
        sku("a", Some("18.5")),
        sku("b", Some("17.8")),
        sku("c", None),
    ];
    let q = quote(&o, 10, Some("a")).unwrap();
    assert_eq!(
        (q.unit_price, q.basis, q.total),
        (m("18.5"), PriceBasis::Sku, m("185"))
    );
    let q = quote(&o, 10, None).unwrap();
    assert_eq!((q.unit_price, q.basis), (m("17.8"), PriceBasis::LowestSku));
    assert!(matches!(
        quote(&o, 10, Some("c")),
        Err(QuoteError::SkuWithoutPrice { .. })
    ));
    assert!(matches!(
        quote(&o, 10, Some("zz")),
        Err(QuoteError::UnknownSku { .. })
    ));
    // quoteType 2: SKUs share the tiers, whatever SKU is chosen.
    let mut o = offer("100004", None, &[(1, "5"), (10, "4")]);
    o.quote_type = Some(QuoteType::SkuByQuantity);
    o.skus = vec![sku("a", Some("5"))];
    assert_eq!(quote(&o, 12, Some("a")).unwrap().unit_price, m("4"));
}

#[test]
fn retail_and_consign_prices_never_stand_in() {
    let mut o = offer("100005", None, &[]);
    o.retail_price = Some(m("30"));
    o.consign_price = Some(m("20"));
    assert!(matches!(quote(&o, 1, None), Err(QuoteError::NoPrice(_))));
    o.listed_price = Some(m("15.8"));
    assert_eq!(quote(&o, 1, None).unwrap().basis, PriceBasis::Listed);
}

#[test]
fn cheapest_at_a_quantity_counts_what_the_buyer_must_order() {
    let a = offer("200001", Some(1), &[(1, "5")]); // 100 × 5 = 500
    let b = offer("200002", Some(500), &[(500, "2")]); // must buy 500: 1000
    let c = offer("200003", Some(1), &[(1, "6"), (100, "4.5")]); // 100 × 4.5 = 450
    let d = offer("200004", None, &[]); // no price
    let offers = [a, b, c, d];
    let ranked: Vec<&str> = rank_by_cost(&offers, 100)
        .iter()
        .map(|(o, _)| o.offer_id.as_str())
        .collect();
    assert_eq!(ranked, ["200003", "200001", "200002", "200004"]);
    let ranked: Vec<&str> = rank_by_cost(&offers, 1000)
        .iter()
        .map(|(o, _)| o.offer_id.as_str())
        .collect();
    assert_eq!(ranked, ["200002", "200003", "200001", "200004"]);
}

fn tiers_strategy() -> impl Strategy<Value = Vec<Tier>> {
    prop::collection::btree_map(1u32..100_000, 1i64..100_000_000, 1..6).prop_map(|map| {
        map.into_iter()
            .map(|(q, p)| Tier {
                min_qty: q,
                price: Money::from_units(p),
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn totals_are_exact(tiers in tiers_strategy(), moq in prop::option::of(1u32..5_000), qty in 1u32..1_000_000) {
        let mut o = offer("300001", moq, &[]);
        o.tiers = tiers;
        let q = quote(&o, qty, None).unwrap();
        prop_assert_eq!(i128::from(q.total.units()), i128::from(q.unit_price.units()) * i128::from(q.billed_qty));
        prop_assert_eq!(q.below_moq, q.billed_qty > qty);
        prop_assert!(q.billed_qty >= qty);
    }

    #[test]
    fn the_tier_used_has_the_largest_start_not_above_the_order(tiers in tiers_strategy(), qty in 1u32..200_000) {
        let mut o = offer("300002", None, &[]);
        o.tiers = tiers.clone();
        let q = quote(&o, qty, None).unwrap();
        let expected = tiers.iter().filter(|t| t.min_qty <= q.billed_qty).max_by_key(|t| t.min_qty).copied();
        prop_assert_eq!(q.tier, expected);
        prop_assert_eq!(tier_at(&tiers, q.billed_qty), expected);
        prop_assert!(q.billed_qty >= tiers[0].min_qty);
    }

    #[test]
    fn a_price_break_is_really_cheaper_and_above(tiers in tiers_strategy(), qty in 1u32..200_000) {
        let mut o = offer("300003", None, &[]);
        o.tiers = tiers;
        let now = quote(&o, qty, None).unwrap();
        if let Some(brk) = next_break(&o, qty) {
            let then = quote(&o, brk.at_qty, None).unwrap();
            prop_assert!(brk.at_qty > now.billed_qty);
            prop_assert_eq!(brk.order_more, brk.at_qty - now.billed_qty);
            prop_assert_eq!(then.unit_price, brk.unit_price);
            prop_assert_eq!(now.unit_price.checked_sub(then.unit_price).unwrap(), brk.saving_per_piece);
            prop_assert!(brk.saving_per_piece.is_positive());
        }
    }
}

#[test]
fn an_order_quote_gives_the_quote_the_minimum_and_the_next_break_or_says_why_not() {
    let o = offer(
        "624516873409",
        Some(3),
        &[(2, "5.00"), (50, "4.50"), (200, "4.00")],
    );
    let at_10 = order_quote(&o, 10, None);
    assert_eq!(at_10.problem, None);
    assert_eq!(at_10.minimum_order, 3);
    let q = at_10.quote.unwrap();
    assert_eq!(
        (q.billed_qty, q.unit_price, q.total),
        (10, m("5.00"), m("50.00"))
    );
    let next = at_10.next_break.unwrap();
    assert_eq!(
        (next.order_more, next.at_qty, next.saving_per_piece),
        (40, 50, m("0.50"))
    );

    let mut per_sku = offer("624516873410", None, &[]);
    per_sku.quote_type = Some(QuoteType::BySku);
    per_sku.skus = vec![sku("红色", Some("7.20")), sku("蓝色", None)];
    let blue = order_quote(&per_sku, 5, Some("蓝色"));
    assert_eq!(blue.quote, None);
    let problem = blue.problem.unwrap();
    assert_eq!(
        (problem.code.as_str(), problem.params["sku"].as_str()),
        ("quote.skuWithoutPrice", "蓝色")
    );
    assert_eq!(
        problem.text(pifa_core::Language::English),
        "SKU 蓝色 has no price of its own."
    );
    assert_eq!(
        problem.text(pifa_core::Language::SimplifiedChinese),
        "SKU 蓝色 没有单独的价格。"
    );
    assert_eq!(blue.next_break, None);
    assert_eq!(
        order_quote(&per_sku, 5, Some("红色")).quote.unwrap().total,
        m("36.00")
    );
}

#[test]
fn lots_round_the_order_up_and_say_so() {
    use pifa_core::offer::tiers::{order_size, quote_in_lots};
    let mut o = offer("100001", Some(50), &[(50, "3"), (600, "2.5")]);
    o.batch_size = Some(200);
    let size = order_size(&o, 500).unwrap();
    assert_eq!(
        (
            size.order_qty,
            size.lot_size,
            size.rounded_to_lot,
            size.raised_to_minimum
        ),
        (600, Some(200), true, false)
    );
    // The minimum order is whole lots too.
    let small = order_size(&o, 10).unwrap();
    assert_eq!((small.minimum_order, small.order_qty), (200, 200));
    assert!(small.raised_to_minimum && !small.rounded_to_lot);
    // Priced at the rounded quantity, which here reaches the cheaper tier.
    let q = quote_in_lots(&o, 500, None).unwrap();
    assert_eq!(
        (q.requested_qty, q.billed_qty, q.unit_price, q.total),
        (500, 600, m("2.5"), m("1500"))
    );
    assert!(!q.below_moq);
    // A whole number of lots stays as it is.
    assert_eq!(order_size(&o, 800).unwrap().order_qty, 800);
}

proptest! {
    #[test]
    fn without_a_lot_size_quote_in_lots_is_quote(qty in 1u32..100_000, moq in 1u32..500) {
        let o = offer("100001", Some(moq), &[(1, "5"), (100, "4.5"), (1000, "4")]);
        prop_assert_eq!(quote_in_lots(&o, qty, None).unwrap(), quote(&o, qty, None).unwrap());
    }

    #[test]
    fn lot_orders_are_whole_lots_at_least_the_request(qty in 1u32..100_000, moq in 1u32..500, lot in 2u32..300) {
        use pifa_core::offer::tiers::order_size;
        let mut o = offer("100001", Some(moq), &[(1, "5"), (100, "4.5")]);
        o.batch_size = Some(lot);
        let size = order_size(&o, qty).unwrap();
        prop_assert_eq!(size.order_qty % lot, 0);
        prop_assert!(size.order_qty >= qty.max(moq));
        prop_assert!(size.order_qty - qty.max(moq) < lot);
    }
}

#[test]
fn the_next_break_in_lots_is_reached_in_whole_lots() {
    use pifa_core::offer::tiers::next_break_in_lots;
    let mut o = offer("100001", Some(1), &[(1, "3"), (250, "2.8"), (1000, "2.5")]);
    assert_eq!(
        next_break_in_lots(&o, 120),
        next_break(&o, 120),
        "no lots: the same"
    );
    o.batch_size = Some(100);
    let brk = next_break_in_lots(&o, 120).unwrap();
    assert_eq!(
        (
            brk.order_more,
            brk.at_qty,
            brk.unit_price,
            brk.saving_per_piece
        ),
        (100, 300, m("2.8"), m("0.2"))
    );
    let page = order_quote(&o, 120, None);
    assert_eq!(page.quote.unwrap().billed_qty, 200);
    assert_eq!(page.next_break.unwrap().at_qty, 300);
}

/// Any offer a strategy draws: tiers or none, SKUs with and without prices, any quote type, a
/// lot size, a listed price.
fn any_offer() -> impl Strategy<Value = Offer> {
    let skus = prop::collection::vec(prop::option::of(1i64..1_000_000), 0..5);
    let quote_type = prop::option::of(prop::sample::select(vec![
        QuoteType::ByQuantity,
        QuoteType::BySku,
        QuoteType::SkuByQuantity,
        QuoteType::SkuPriceRange,
    ]));
    (
        prop::collection::vec((1u32..2_000, 1i64..1_000_000), 0..5),
        skus,
        quote_type,
        prop::option::of(1u32..500),
        prop::option::of(0u32..300),
        prop::option::of(1i64..1_000_000),
    )
        .prop_map(|(tiers, skus, quote_type, moq, lot, listed)| {
            let mut tiers: Vec<Tier> = tiers
                .into_iter()
                .map(|(q, units)| Tier {
                    min_qty: q,
                    price: Money::from_units(units),
                })
                .collect();
            tiers.sort_by_key(|t| t.min_qty);
            tiers.dedup_by_key(|t| t.min_qty);
            Offer {
                quote_type,
                batch_size: lot,
                listed_price: listed.map(Money::from_units),
                skus: skus
                    .iter()
                    .enumerate()
                    .map(|(i, units)| Sku {
                        price: units.map(Money::from_units),
                        ..sku(&format!("s{i}"), None)
                    })
                    .collect(),
                tiers,
                ..offer("100001", moq, &[])
            }
        })
}

proptest! {
    /// A watch, the watch list and the price chart price what the offer page quotes.
    #[test]
    fn an_observation_priced_under_the_offers_terms_is_the_offer_pages_quote(
        offer in any_offer(),
        qty in 1u32..5_000,
    ) {
        let sku_low = offer.skus.iter().filter_map(|s| s.price).min();
        let priced = OrderPricing::of(&offer, qty).unit_price(&offer.tiers, sku_low, offer.lowest_price());
        let quoted = quote_in_lots(&offer, qty, None).ok().map(|q| q.unit_price);
        prop_assert_eq!(priced, quoted);
    }
}

#[test]
fn an_order_in_lots_is_priced_at_the_tier_its_whole_lots_reach() {
    let lots = Offer {
        batch_size: Some(200),
        ..offer("100001", Some(100), &[(100, "5"), (600, "4.5")])
    };
    let pricing = OrderPricing::of(&lots, 500);
    assert_eq!(pricing.order_qty(), Some(600));
    assert_eq!(pricing.unit_price(&lots.tiers, None, None), Some(m("4.5")));
    // An older observation with other tiers is priced at the same order.
    let older = [Tier {
        min_qty: 100,
        price: m("5.2"),
    }];
    assert_eq!(pricing.unit_price(&older, None, None), Some(m("5.2")));
    assert_eq!(
        pricing.unit_price(&[], None, None),
        None,
        "a missing price stays missing"
    );
}
