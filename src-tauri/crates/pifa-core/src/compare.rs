//! Side-by-side comparison of 2–8 offers at one quantity: what each offer really takes (minimum
//! order, whole lots), which SKU, what it costs, the next price break, stock, supplier signals,
//! 混批 terms and how old the stored copy is, with the best value of every fact marked. Also
//! the tiers as step series for one chart. All decided here; the UI only words and draws it.

mod export;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::offer::tiers::{
    next_break_in_lots, order_size, quote_in_lots, OrderSize, PriceBasis, Quote,
};
use crate::offer::{MixedBatch, Offer, OfferId, Percent, Spec, Supplier};
use crate::sourcing::CacheTtls;
use crate::words::Phrase;
use crate::{Error, Money, Result};

pub use export::write_comparison_csv;

/// Offers compared at once, at least and at most.
pub const MIN_COMPARED: usize = 2;
pub const MAX_COMPARED: usize = 8;

/// A fact compared across offers; a column lists the facts it is best at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Fact {
    /// The smallest order that covers the quantity.
    OrderQty,
    UnitPrice,
    Total,
    /// The largest saving per piece at the next break.
    NextBreak,
    /// Stock covers the order (and the most of it).
    Stock,
    /// The most supplier badges (实力商家, 超级工厂, 诚信通).
    Badges,
    ServiceScore,
    Repurchase,
    Pickup48h,
    /// The lowest quality-refund rate.
    QualityRefund,
    TpYears,
    /// The freshest stored copy.
    Age,
}

/// One SKU the buyer can choose, with its price for this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SkuOption {
    pub sku_id: String,
    pub specs: Vec<Spec>,
    /// The unit price of this SKU for the order; `null` when it has none.
    pub unit_price: Option<Money>,
    pub stock: Option<u32>,
    pub available: bool,
}

/// The next price break in whole lots, and what reaching it saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NextBreak {
    /// Order this many pieces (whole lots)…
    pub at_qty: u32,
    /// …this many more than now…
    pub order_more: u32,
    /// …at this unit price…
    pub unit_price: Money,
    /// …which is this much less per piece…
    pub saving_per_piece: Money,
    /// …and this much less for those pieces than at today's unit price.
    pub saving_on_order: Money,
}

/// One offer's column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CompareColumn {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub image: Option<String>,
    pub unit: Option<String>,
    /// The order after the minimum order and whole lots (`null` only past what Pifa counts).
    pub order: Option<OrderSize>,
    pub order_qty: Option<u32>,
    pub unit_price: Option<Money>,
    pub total: Option<Money>,
    pub basis: Option<PriceBasis>,
    /// Why there is no price, as a catalog phrase.
    pub problem: Option<Phrase>,
    /// The SKU priced; `null` for an offer without SKUs.
    pub sku_id: Option<String>,
    /// The buyer chose the SKU (else: the cheapest in stock for the order).
    pub sku_chosen: bool,
    pub skus: Vec<SkuOption>,
    /// Stock of the SKU priced, else of all SKUs; `null` when 1688 did not say.
    pub stock: Option<u32>,
    /// Whether that stock covers the order; `null` when unknown.
    pub stock_covers: Option<bool>,
    pub next_break: Option<NextBreak>,
    pub supplier: Option<Supplier>,
    /// Where goods ship from.
    pub origin: Option<String>,
    pub mixed_batch: Option<MixedBatch>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub age_minutes: i64,
    /// Older than the detail cache lifetime: refresh before deciding.
    pub stale: bool,
    /// Only a search result is stored: no tiers or SKUs yet.
    pub partial: bool,
    /// Facts where this offer is best (ties all marked; nothing marked when all agree).
    pub best: Vec<Fact>,
    /// The lowest total.
    pub cheapest: bool,
}

/// One offer's tiers on the shared x axis of [`CompareChart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChartLine {
    pub offer_id: OfferId,
    /// The unit price from each x on; `null` below the offer's minimum order.
    pub prices: Vec<Option<Money>>,
}

/// Every offer's unit price over quantity as steps, and the quantity compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CompareChart {
    /// Quantities where some offer's price changes (rising), ending past the last break.
    pub x: Vec<u32>,
    pub lines: Vec<ChartLine>,
    /// Drawn as a vertical line.
    pub chosen_qty: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Comparison {
    pub qty: u32,
    pub offers: Vec<CompareColumn>,
    pub chart: CompareChart,
    /// The detail cache lifetime `stale` is judged by.
    pub detail_ttl_minutes: u32,
}

/// Checks how many offers are compared.
pub fn check_count(count: usize) -> Result<()> {
    if (MIN_COMPARED..=MAX_COMPARED).contains(&count) {
        Ok(())
    } else {
        Err(Error::CompareCount(count))
    }
}

/// Compares `offers` at `qty` pieces. `skus` maps an offer ID to the SKU the buyer chose.
pub fn compare(
    offers: &[Offer],
    qty: u32,
    skus: &BTreeMap<String, String>,
    ttls: CacheTtls,
    now: DateTime<Utc>,
) -> Result<Comparison> {
    check_count(offers.len())?;
    let qty = qty.max(1);
    let mut columns: Vec<CompareColumn> = offers
        .iter()
        .map(|offer| column(offer, qty, skus.get(offer.offer_id.as_str()), ttls, now))
        .collect();
    mark_best(&mut columns);
    let chart = chart(offers, &columns, qty);
    Ok(Comparison {
        qty,
        offers: columns,
        chart,
        detail_ttl_minutes: ttls.detail.num_minutes().max(0) as u32,
    })
}

/// The SKUs to price, with their quotes: every one, priced for the order.
fn sku_options(offer: &Offer, qty: u32) -> Vec<(SkuOption, Option<Quote>)> {
    offer
        .skus
        .iter()
        .map(|sku| {
            let quote = quote_in_lots(offer, qty, Some(&sku.sku_id)).ok();
            let option = SkuOption {
                sku_id: sku.sku_id.clone(),
                specs: sku.specs.clone(),
                unit_price: quote.as_ref().map(|q| q.unit_price),
                stock: sku.stock,
                available: sku.available,
            };
            (option, quote)
        })
        .collect()
}

/// The default SKU: the cheapest whose stock is known to cover the order, else the cheapest
/// available one whose stock is unknown, else the cheapest at all. Ties keep 1688's order.
fn default_sku(options: &[(SkuOption, Option<Quote>)], order_qty: u32) -> Option<usize> {
    let rank = |o: &SkuOption| match (o.available, o.stock) {
        (true, Some(stock)) if stock >= order_qty => 0,
        (true, None) => 1,
        _ => 2,
    };
    options
        .iter()
        .enumerate()
        .filter_map(|(i, (option, quote))| {
            quote.as_ref().map(|q| ((rank(option), q.unit_price, i), i))
        })
        .min()
        .map(|(_, i)| i)
}

fn column(
    offer: &Offer,
    qty: u32,
    chosen: Option<&String>,
    ttls: CacheTtls,
    now: DateTime<Utc>,
) -> CompareColumn {
    let order = order_size(offer, qty).ok();
    let order_qty = order.map(|o| o.order_qty);
    let options = sku_options(offer, qty);
    let (sku_index, sku_chosen) = match chosen {
        Some(id) => (options.iter().position(|(o, _)| &o.sku_id == id), true),
        None => (default_sku(&options, order_qty.unwrap_or(qty)), false),
    };
    // A chosen SKU the offer does not have is priced as such, so the column says why.
    let sku_id = match (chosen, sku_index) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(i)) => Some(options[i].0.sku_id.clone()),
        (None, None) => None,
    };
    let priced = quote_in_lots(offer, qty, sku_id.as_deref());
    let (quote, problem) = match &priced {
        Ok(q) => (Some(q.clone()), None),
        Err(e) => (None, Some(e.phrase())),
    };
    let stock = match sku_index {
        Some(i) => options[i].0.stock,
        None if offer.skus.is_empty() => None,
        // No SKU could be priced: what all of them hold, if 1688 said for each.
        None => offer.skus.iter().map(|s| s.stock).sum(),
    };
    let stock_covers = stock.zip(order_qty).map(|(s, q)| s >= q);
    let next_break = quote.as_ref().and_then(|_| lot_break(offer, qty));
    let age_minutes = (now - offer.fetched_at).num_minutes().max(0);
    CompareColumn {
        offer_id: offer.offer_id.clone(),
        title: offer.title.clone(),
        title_en: offer.title_en.clone(),
        image: offer.images.first().cloned(),
        unit: offer.unit.clone(),
        order,
        order_qty,
        unit_price: quote.as_ref().map(|q| q.unit_price),
        total: quote.as_ref().map(|q| q.total),
        basis: quote.as_ref().map(|q| q.basis),
        problem,
        sku_id,
        sku_chosen,
        skus: options.into_iter().map(|(o, _)| o).collect(),
        stock,
        stock_covers,
        next_break,
        supplier: offer.supplier.clone(),
        origin: offer.shipping.origin.clone(),
        mixed_batch: offer.mixed_batch,
        fetched_at: offer.fetched_at,
        age_minutes,
        stale: now - offer.fetched_at > ttls.detail,
        partial: !offer.source.is_detail(),
        best: Vec::new(),
        cheapest: false,
    }
}

/// The next break above the order in whole lots (the same as the offer page's), and what it
/// saves on the pieces ordered there.
fn lot_break(offer: &Offer, qty: u32) -> Option<NextBreak> {
    let tier = next_break_in_lots(offer, qty)?;
    Some(NextBreak {
        at_qty: tier.at_qty,
        order_more: tier.order_more,
        unit_price: tier.unit_price,
        saving_per_piece: tier.saving_per_piece,
        saving_on_order: tier.saving_per_piece.times(u64::from(tier.at_qty))?,
    })
}

/// Which way a fact is better.
enum Better {
    Lower,
    Higher,
}

/// Marks, for each fact, the columns holding its best value: only where at least two offers
/// have a value and they differ (a fact all agree on has no winner).
fn mark(
    columns: &mut [CompareColumn],
    fact: Fact,
    better: Better,
    value: impl Fn(&CompareColumn) -> Option<i128>,
) {
    let values: Vec<Option<i128>> = columns.iter().map(&value).collect();
    let known: Vec<i128> = values.iter().flatten().copied().collect();
    if known.len() < 2 || known.iter().all(|v| *v == known[0]) {
        return;
    }
    let best = match better {
        Better::Lower => known.iter().min(),
        Better::Higher => known.iter().max(),
    }
    .copied();
    for (column, v) in columns.iter_mut().zip(values) {
        if v.is_some() && v == best {
            column.best.push(fact);
        }
    }
}

fn mark_best(columns: &mut [CompareColumn]) {
    let money = |m: Option<Money>| m.map(|m| i128::from(m.units()));
    let rate = |p: Option<Percent>| p.map(|p| i128::from(p.basis_points));
    let small = |n: Option<u32>| n.map(i128::from);
    mark(columns, Fact::OrderQty, Better::Lower, |c| {
        small(c.order_qty).filter(|_| c.total.is_some())
    });
    mark(columns, Fact::UnitPrice, Better::Lower, |c| {
        money(c.unit_price)
    });
    mark(columns, Fact::Total, Better::Lower, |c| money(c.total));
    mark(columns, Fact::NextBreak, Better::Higher, |c| {
        money(c.next_break.as_ref().map(|b| b.saving_per_piece))
    });
    // Stock that covers the order beats any that does not; then more is better.
    mark(columns, Fact::Stock, Better::Higher, |c| {
        c.stock_covers
            .map(|covers| i128::from(covers) * (1 << 40) + i128::from(c.stock.unwrap_or(0)))
    });
    mark(columns, Fact::Badges, Better::Higher, |c| {
        c.supplier.as_ref().and_then(|s| s.badges).map(|b| {
            i128::from(b.power_merchant) + i128::from(b.super_factory) + i128::from(b.tp_member)
        })
    });
    mark(columns, Fact::ServiceScore, Better::Higher, |c| {
        small(c.supplier.as_ref().and_then(|s| s.scores.composite))
    });
    mark(columns, Fact::Repurchase, Better::Higher, |c| {
        rate(c.supplier.as_ref().and_then(|s| s.repurchase_rate))
    });
    mark(columns, Fact::Pickup48h, Better::Higher, |c| {
        rate(c.supplier.as_ref().and_then(|s| s.pickup_48h_rate))
    });
    mark(columns, Fact::QualityRefund, Better::Lower, |c| {
        rate(c.supplier.as_ref().and_then(|s| s.quality_refund_rate))
    });
    mark(columns, Fact::TpYears, Better::Higher, |c| {
        small(c.supplier.as_ref().and_then(|s| s.tp_years))
    });
    mark(columns, Fact::Age, Better::Lower, |c| {
        Some(i128::from(c.age_minutes))
    });
    // The cheapest total, even when all agree: the highlight says "any of these".
    let cheapest = columns.iter().filter_map(|c| c.total).min();
    for column in columns.iter_mut() {
        column.cheapest = cheapest.is_some() && column.total == cheapest;
    }
}

/// The step series: each offer's unit price from its minimum order on, at every quantity where
/// some offer's price may change, priced exactly as the columns are (lots, chosen SKU).
fn chart(offers: &[Offer], columns: &[CompareColumn], qty: u32) -> CompareChart {
    let mut x: Vec<u32> = Vec::new();
    for (offer, column) in offers.iter().zip(columns) {
        if let Some(order) = &column.order {
            x.push(order.minimum_order);
        }
        for tier in &offer.tiers {
            if let Ok(size) = order_size(offer, tier.min_qty) {
                x.push(size.order_qty);
            }
        }
        x.extend(column.order_qty);
    }
    x.push(qty);
    x.sort_unstable();
    x.dedup();
    // A little past the last step, so the last price shows as a line, not a point.
    if let Some(&last) = x.last() {
        x.push(last.saturating_add((last / 4).max(10)));
    }
    let lines = offers
        .iter()
        .zip(columns)
        .map(|(offer, column)| ChartLine {
            offer_id: offer.offer_id.clone(),
            prices: x
                .iter()
                .map(|&q| {
                    let minimum = column.order.as_ref()?.minimum_order;
                    if q < minimum {
                        return None;
                    }
                    price_at(offer, q, column.sku_id.as_deref())
                })
                .collect(),
        })
        .collect();
    CompareChart {
        x,
        lines,
        chosen_qty: qty,
    }
}

fn price_at(offer: &Offer, qty: u32, sku_id: Option<&str>) -> Option<Money> {
    quote_in_lots(offer, qty, sku_id).ok().map(|q| q.unit_price)
}

/// Whether a supplier's 混批 minimums are met by what a list orders from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MixCheck {
    /// 1688's terms (from the supplier's offers on the list; the first that states them).
    pub terms: MixedBatch,
    /// What the list orders from this supplier, priced offers only.
    pub amount: Money,
    pub pieces: u32,
    /// How much is missing to the minimum amount; zero when met, `null` without one.
    pub amount_short: Option<Money>,
    pub pieces_short: Option<u32>,
    /// Both minimums that 1688 states are met.
    pub met: bool,
    /// Offers of the list counted (priced), of those from this supplier.
    pub counted: u32,
    pub offers: u32,
}

/// Checks a supplier's 混批 minimums across its offers in a list: each `(terms, total, pieces)`
/// as priced at its quantity. `None` when none of them allows 混批.
pub fn mix_check(orders: &[(Option<MixedBatch>, Option<Money>, Option<u32>)]) -> Option<MixCheck> {
    let terms = orders
        .iter()
        .find_map(|(terms, _, _)| terms.filter(|m| m.allowed))?;
    let mut amount = Money::ZERO;
    let mut pieces: u32 = 0;
    let mut counted = 0;
    for (_, total, qty) in orders {
        if let (Some(total), Some(qty)) = (total, qty) {
            amount = amount.checked_add(*total)?;
            pieces = pieces.saturating_add(*qty);
            counted += 1;
        }
    }
    let amount_short = terms.min_amount_yuan.map(|yuan| {
        Money::from_fen(i64::from(yuan) * 100)
            .checked_sub(amount)
            .filter(|m| m.is_positive())
            .unwrap_or(Money::ZERO)
    });
    let pieces_short = terms.min_pieces.map(|min| min.saturating_sub(pieces));
    let met = amount_short.is_none_or(|m| m == Money::ZERO) && pieces_short.is_none_or(|p| p == 0);
    Some(MixCheck {
        terms,
        amount,
        pieces,
        amount_short,
        pieces_short,
        met,
        counted,
        offers: orders.len() as u32,
    })
}

/// One offer of a list for [`mix_checks`]: its supplier's key (`None`: unknown, checked on its
/// own), its 混批 terms, and its total and pieces at its quantity.
pub type ListOrder = (
    Option<String>,
    Option<MixedBatch>,
    Option<Money>,
    Option<u32>,
);

/// The 混批 check of every offer of a list: its supplier's minimums against all that the list
/// orders from that supplier.
pub fn mix_checks(orders: &[ListOrder]) -> Vec<Option<MixCheck>> {
    let mut checks = vec![None; orders.len()];
    let mut done = vec![false; orders.len()];
    for i in 0..orders.len() {
        if done[i] {
            continue;
        }
        let group: Vec<usize> = match &orders[i].0 {
            Some(key) => (i..orders.len())
                .filter(|&j| orders[j].0.as_ref() == Some(key))
                .collect(),
            None => vec![i],
        };
        let terms: Vec<_> = group
            .iter()
            .map(|&j| (orders[j].1, orders[j].2, orders[j].3))
            .collect();
        let check = mix_check(&terms);
        for j in group {
            done[j] = true;
            checks[j] = check.clone();
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offer::{QuoteType, Sku, SourceApi, Tier};
    use chrono::Duration;

    fn m(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-11-30T12:00:00Z".parse().unwrap()
    }

    fn offer(id: &str, moq: u32, tiers: &[(u32, &str)]) -> Offer {
        Offer {
            moq: Some(moq),
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
                now(),
            )
        }
    }

    fn sku(id: &str, price: &str, stock: Option<u32>, available: bool) -> Sku {
        Sku {
            sku_id: id.into(),
            spec_id: None,
            specs: vec![],
            price: Some(m(price)),
            stock,
            available,
            image: None,
            weight_grams: None,
            dimensions: None,
        }
    }

    fn run(offers: &[Offer], qty: u32) -> Comparison {
        compare(offers, qty, &BTreeMap::new(), CacheTtls::default(), now()).unwrap()
    }

    #[test]
    fn an_order_is_raised_to_the_minimum_and_rounded_to_whole_lots() {
        let mut lots = offer("600001", 50, &[(50, "3"), (1000, "2.5")]);
        lots.batch_size = Some(200);
        let plain = offer("600002", 100, &[(100, "2.9")]);
        let c = run(&[lots, plain], 500);
        let order = c.offers[0].order.unwrap();
        assert_eq!(
            (order.requested_qty, order.order_qty, order.lot_size),
            (500, 600, Some(200))
        );
        assert!(order.rounded_to_lot && !order.raised_to_minimum);
        assert_eq!(c.offers[0].total, Some(m("1800")));
        assert_eq!(c.offers[1].order_qty, Some(500));
        assert_eq!(c.offers[1].total, Some(m("1450")));
        assert!(c.offers[1].cheapest && !c.offers[0].cheapest);
        // 20 pieces: raised to the minimum of one lot of 200.
        let small = run(&[c_offer_with_lot(), offer("600002", 1, &[(1, "9")])], 20);
        let order = small.offers[0].order.unwrap();
        assert_eq!(
            (
                order.order_qty,
                order.raised_to_minimum,
                order.rounded_to_lot
            ),
            (200, true, false)
        );
    }

    fn c_offer_with_lot() -> Offer {
        let mut o = offer("600003", 50, &[(50, "3")]);
        o.batch_size = Some(200);
        o
    }

    #[test]
    fn the_default_sku_is_the_cheapest_in_stock_for_the_order_and_a_choice_overrides_it() {
        let mut per_sku = offer("600004", 1, &[]);
        per_sku.quote_type = Some(QuoteType::BySku);
        per_sku.skus = vec![
            sku("cheap-empty", "1", Some(10), true),
            sku("dear", "3", Some(1000), true),
            sku("mid", "2", Some(600), true),
            sku("gone", "0.5", Some(5000), false),
        ];
        let other = offer("600005", 1, &[(1, "2.5")]);
        let c = run(&[per_sku.clone(), other.clone()], 500);
        let col = &c.offers[0];
        assert_eq!(col.sku_id.as_deref(), Some("mid"));
        assert!(!col.sku_chosen);
        assert_eq!(
            (col.unit_price, col.stock, col.stock_covers),
            (Some(m("2")), Some(600), Some(true))
        );
        // At 800 only "dear" covers the order.
        assert_eq!(
            run(&[per_sku.clone(), other.clone()], 800).offers[0]
                .sku_id
                .as_deref(),
            Some("dear")
        );
        let chosen = BTreeMap::from([("600004".to_owned(), "cheap-empty".to_owned())]);
        let c = compare(
            &[per_sku.clone(), other.clone()],
            500,
            &chosen,
            CacheTtls::default(),
            now(),
        )
        .unwrap();
        assert_eq!(
            (c.offers[0].unit_price, c.offers[0].stock_covers),
            (Some(m("1")), Some(false))
        );
        assert!(c.offers[0].sku_chosen);
        // An unknown SKU leaves the price missing and says why.
        let wrong = BTreeMap::from([("600004".to_owned(), "nope".to_owned())]);
        let c = compare(&[per_sku, other], 500, &wrong, CacheTtls::default(), now()).unwrap();
        assert_eq!(c.offers[0].total, None);
        assert!(c.offers[0].problem.is_some());
        assert!(c.offers[1].cheapest, "a missing price never wins");
    }

    #[test]
    fn the_best_of_each_fact_is_marked_and_ties_with_all_have_no_winner() {
        let mut a = offer("600006", 1, &[(1, "5")]);
        let mut b = offer("600007", 1, &[(1, "4")]);
        let b_supplier = Supplier {
            pickup_48h_rate: Some(Percent { basis_points: 9500 }),
            quality_refund_rate: Some(Percent { basis_points: 100 }),
            tp_years: Some(3),
            ..Supplier::default()
        };
        a.supplier = Some(Supplier {
            pickup_48h_rate: Some(Percent { basis_points: 9000 }),
            quality_refund_rate: Some(Percent { basis_points: 50 }),
            tp_years: Some(3),
            ..Supplier::default()
        });
        b.supplier = Some(b_supplier);
        a.fetched_at = now() - Duration::minutes(5);
        let c = run(&[a, b], 10);
        assert_eq!(c.offers[0].best, vec![Fact::QualityRefund]);
        assert_eq!(
            c.offers[1].best,
            vec![Fact::UnitPrice, Fact::Total, Fact::Pickup48h, Fact::Age]
        );
        assert!(
            !c.offers[0].best.contains(&Fact::TpYears)
                && !c.offers[1].best.contains(&Fact::TpYears)
        );
    }

    #[test]
    fn the_next_break_is_reached_in_whole_lots_and_its_saving_is_exact() {
        let mut o = offer("600008", 1, &[(1, "3"), (250, "2.8"), (1000, "2.5")]);
        o.batch_size = Some(100);
        let c = run(&[o, offer("600009", 1, &[(1, "9")])], 120);
        let col = &c.offers[0];
        assert_eq!(col.order_qty, Some(200));
        let brk = col.next_break.clone().unwrap();
        // 250 pieces are not whole lots: 300.
        assert_eq!(
            (brk.at_qty, brk.order_more, brk.unit_price),
            (300, 100, m("2.8"))
        );
        assert_eq!(
            (brk.saving_per_piece, brk.saving_on_order),
            (m("0.2"), m("60"))
        );
        assert_eq!(c.offers[1].next_break, None);
        assert!(col.best.contains(&Fact::NextBreak) || c.offers[1].next_break.is_none());
    }

    #[test]
    fn a_copy_older_than_the_detail_lifetime_is_stale_and_a_search_copy_partial() {
        let mut old = offer("600010", 1, &[(1, "3")]);
        old.fetched_at = now() - Duration::minutes(61);
        let mut partial = offer("600011", 1, &[]);
        partial.source = SourceApi::KeywordQuery;
        partial.listed_price = Some(m("3"));
        let c = run(&[old, partial], 10);
        assert!(c.offers[0].stale && !c.offers[1].stale);
        assert_eq!(c.offers[0].age_minutes, 61);
        assert!(c.offers[1].partial && !c.offers[0].partial);
        assert_eq!(c.detail_ttl_minutes, 60);
    }

    #[test]
    fn two_to_eight_offers() {
        let one = [offer("600012", 1, &[(1, "3")])];
        assert!(matches!(
            compare(&one, 1, &BTreeMap::new(), CacheTtls::default(), now()),
            Err(Error::CompareCount(1))
        ));
        assert!(check_count(8).is_ok() && check_count(9).is_err());
    }

    #[test]
    fn the_chart_has_one_step_line_per_offer_on_a_shared_axis() {
        let a = offer("600013", 10, &[(10, "3"), (100, "2.5")]);
        let b = offer("600014", 50, &[(50, "2.8"), (500, "2")]);
        let c = run(&[a, b], 200);
        assert_eq!(c.chart.x, vec![10, 50, 100, 200, 500, 625]);
        assert_eq!(c.chart.chosen_qty, 200);
        let prices: Vec<Option<Money>> = c.chart.lines[1].prices.clone();
        assert_eq!(
            prices,
            vec![
                None,
                Some(m("2.8")),
                Some(m("2.8")),
                Some(m("2.8")),
                Some(m("2")),
                Some(m("2"))
            ]
        );
        assert_eq!(c.chart.lines[0].prices[0], Some(m("3")));
    }

    #[test]
    fn mixed_batch_minimums_are_checked_across_a_suppliers_offers() {
        let terms = Some(MixedBatch {
            allowed: true,
            min_amount_yuan: Some(100),
            min_pieces: Some(2),
        });
        let short = mix_check(&[
            (terms, Some(m("30")), Some(10)),
            (None, Some(m("33")), Some(11)),
        ])
        .unwrap();
        assert_eq!(
            (short.amount, short.amount_short, short.pieces_short),
            (m("63"), Some(m("37")), Some(0))
        );
        assert!(!short.met);
        let met = mix_check(&[
            (terms, Some(m("70")), Some(10)),
            (None, Some(m("33")), Some(11)),
            (None, None, None),
        ])
        .unwrap();
        assert!(met.met);
        assert_eq!(
            (met.amount_short, met.counted, met.offers),
            (Some(Money::ZERO), 2, 3)
        );
        assert_eq!(mix_check(&[(None, Some(m("1")), Some(1))]), None);
        // Grouped by supplier; an unknown supplier is checked alone.
        let a = Some("login:a".to_owned());
        let checks = mix_checks(&[
            (a.clone(), terms, Some(m("60")), Some(1)),
            (None, terms, Some(m("10")), Some(1)),
            (a, None, Some(m("50")), Some(1)),
        ]);
        assert!(checks[0].as_ref().unwrap().met && checks[2].as_ref().unwrap().met);
        assert_eq!(checks[1].as_ref().unwrap().amount_short, Some(m("90")));
    }
}
