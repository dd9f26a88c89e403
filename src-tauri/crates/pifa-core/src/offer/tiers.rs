//! Tier math in one place: what an order of Q pieces costs on an offer, the next price break,
//! and which offer is cheapest at a quantity.
//!
//! Rules:
//! - An order below the MOQ (or below the first tier's quantity, which is the MOQ in effect) is
//!   priced as an order of that minimum, and the quote says so.
//! - Tier-priced offers (quoteType 0 and 2) use the tier with the largest starting quantity not
//!   above the order. Offers priced per SKU (quoteType 1) use the chosen SKU's price, or without
//!   a choice the lowest SKU price ("from").
//! - A search result with neither tiers nor SKU prices uses its listed price.
//! - The one-piece (retail) and consign prices never stand in for wholesale prices.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Offer, QuoteType, Tier};
use crate::words::{self, Phrase};
use crate::Money;

/// Where a quoted unit price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PriceBasis {
    Tier,
    /// The chosen SKU's own price.
    Sku,
    /// No SKU chosen on a per-SKU offer: the lowest SKU price.
    LowestSku,
    /// A search result's listed price.
    Listed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Quote {
    /// What the buyer asked for.
    pub requested_qty: u32,
    /// What the quote prices: the request raised to the minimum order when below it.
    pub billed_qty: u32,
    /// The request was below the minimum order and was raised.
    pub below_moq: bool,
    pub unit_price: Money,
    pub total: Money,
    pub basis: PriceBasis,
    /// The tier applied, for tier-priced offers.
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceBreak {
    /// Order this many more pieces…
    pub order_more: u32,
    /// …to reach this quantity…
    pub at_qty: u32,
    /// …where each piece costs this…
    pub unit_price: Money,
    /// …which is this much less per piece.
    pub saving_per_piece: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("offer {0} has no price to quote")]
    NoPrice(String),
    #[error("offer {offer} has no SKU {sku}")]
    UnknownSku { offer: String, sku: String },
    #[error("SKU {sku} of offer {offer} has no price of its own")]
    SkuWithoutPrice { offer: String, sku: String },
    #[error("a total for {qty} pieces is beyond what Pifa can count")]
    Overflow { qty: u32 },
    #[error(
        "offer {offer} is not on sale on 1688 (status {status:?}): its old prices are not quoted"
    )]
    Delisted { offer: String, status: String },
}

impl QuoteError {
    /// Why there is no quote, for the user in their language (the offer is on screen already).
    pub fn phrase(&self) -> Phrase {
        match self {
            QuoteError::NoPrice(_) => Phrase::new(words::QUOTE_NO_PRICE, &[]),
            QuoteError::UnknownSku { sku, .. } => {
                Phrase::new(words::QUOTE_UNKNOWN_SKU, &[("sku", sku.clone())])
            }
            QuoteError::SkuWithoutPrice { sku, .. } => {
                Phrase::new(words::QUOTE_SKU_WITHOUT_PRICE, &[("sku", sku.clone())])
            }
            QuoteError::Overflow { qty } => {
                Phrase::new(words::QUOTE_OVERFLOW, &[("qty", qty.to_string())])
            }
            QuoteError::Delisted { status, .. } => {
                Phrase::new(words::QUOTE_DELISTED, &[("status", status.clone())])
            }
        }
    }
}

/// The minimum an order must reach: the larger of the MOQ and the first tier's quantity.
pub fn minimum_order(offer: &Offer) -> u32 {
    let first_tier = if uses_tiers(offer) {
        offer.tiers.first().map(|t| t.min_qty)
    } else {
        None
    };
    offer
        .moq
        .into_iter()
        .chain(first_tier)
        .max()
        .unwrap_or(1)
        .max(1)
}

/// The tier that applies to an order of `qty` pieces: the largest starting quantity not above
/// it, or the first tier when the order is below all of them.
pub fn tier_at(tiers: &[Tier], qty: u32) -> Option<Tier> {
    let index = tiers.partition_point(|t| t.min_qty <= qty);
    tiers.get(index.saturating_sub(1)).copied()
}

fn uses_tiers(offer: &Offer) -> bool {
    !offer.tiers.is_empty()
        && (!offer.quote_type.is_some_and(QuoteType::is_per_sku)
            || offer.skus.iter().all(|s| s.price.is_none()))
}

/// What `qty` pieces cost, optionally of one SKU.
pub fn quote(offer: &Offer, qty: u32, sku_id: Option<&str>) -> Result<Quote, QuoteError> {
    if offer.is_delisted() {
        return Err(QuoteError::Delisted {
            offer: offer.offer_id.to_string(),
            status: offer.status.clone().unwrap_or_default(),
        });
    }
    let minimum = minimum_order(offer);
    let billed_qty = qty.max(minimum);
    let (unit_price, basis, tier) = unit_price(offer, billed_qty, sku_id)?;
    let total = unit_price
        .times(u64::from(billed_qty))
        .ok_or(QuoteError::Overflow { qty: billed_qty })?;
    Ok(Quote {
        requested_qty: qty,
        billed_qty,
        below_moq: billed_qty > qty,
        unit_price,
        total,
        basis,
        tier,
    })
}

fn unit_price(
    offer: &Offer,
    qty: u32,
    sku_id: Option<&str>,
) -> Result<(Money, PriceBasis, Option<Tier>), QuoteError> {
    let offer_id = || offer.offer_id.to_string();
    if let Some(sku_id) = sku_id {
        let sku = offer
            .skus
            .iter()
            .find(|s| s.sku_id == sku_id)
            .ok_or_else(|| QuoteError::UnknownSku {
                offer: offer_id(),
                sku: sku_id.to_owned(),
            })?;
        if !uses_tiers(offer) {
            let price = sku.price.ok_or_else(|| QuoteError::SkuWithoutPrice {
                offer: offer_id(),
                sku: sku_id.to_owned(),
            })?;
            return Ok((price, PriceBasis::Sku, None));
        }
    }
    if uses_tiers(offer) {
        let tier = tier_at(&offer.tiers, qty).ok_or_else(|| QuoteError::NoPrice(offer_id()))?;
        return Ok((tier.price, PriceBasis::Tier, Some(tier)));
    }
    if let Some(lowest) = offer.skus.iter().filter_map(|s| s.price).min() {
        return Ok((lowest, PriceBasis::LowestSku, None));
    }
    offer
        .listed_price
        .map(|price| (price, PriceBasis::Listed, None))
        .ok_or_else(|| QuoteError::NoPrice(offer_id()))
}

/// What an order of `qty` pieces becomes on an offer: raised to the minimum order, then rounded
/// up to whole lots (一手, `batchNumber`) when the offer sells in lots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrderSize {
    pub requested_qty: u32,
    pub minimum_order: u32,
    /// Pieces per lot; `null` when the offer sells single pieces.
    pub lot_size: Option<u32>,
    /// What is ordered and paid for.
    pub order_qty: u32,
    /// The request was below the minimum order.
    pub raised_to_minimum: bool,
    /// The quantity was rounded up to whole lots ("500 → 600, sold in lots of 200").
    pub rounded_to_lot: bool,
}

/// Rounds `qty` up to whole lots of `lot` pieces; `None` past what Pifa can count.
fn whole_lots(qty: u32, lot: Option<u32>) -> Option<u32> {
    match lot.filter(|&n| n > 1) {
        Some(lot) => qty.div_ceil(lot).checked_mul(lot),
        None => Some(qty),
    }
}

/// The order an offer takes for `qty` pieces (see [`OrderSize`]). Offers without a lot size
/// order exactly what [`quote`] bills.
pub fn order_size(offer: &Offer, qty: u32) -> Result<OrderSize, QuoteError> {
    OrderSize::new(minimum_order(offer), offer.batch_size, qty)
}

/// [`OrderSize::order_qty`] alone, for callers pricing many offers at once: `qty` raised to the
/// minimum order, in whole lots (whole lots of the larger of the two are the larger of their
/// whole lots); `None` past what Pifa can count.
pub fn order_qty(minimum_order: u32, batch_size: Option<u32>, qty: u32) -> Option<u32> {
    whole_lots(qty.max(minimum_order), batch_size.filter(|&n| n > 1))
}

impl OrderSize {
    /// [`order_size`] from an offer's minimum order ([`minimum_order`]) and `batchNumber`
    /// alone, for callers that hold only those (the stored-offer search).
    pub fn new(
        minimum_order: u32,
        batch_size: Option<u32>,
        qty: u32,
    ) -> Result<OrderSize, QuoteError> {
        let lot_size = batch_size.filter(|&n| n > 1);
        // The minimum itself must be whole lots: 1688 sells nothing smaller.
        let minimum = whole_lots(minimum_order, lot_size).ok_or(QuoteError::Overflow { qty })?;
        let raised = qty.max(minimum);
        let order_qty =
            order_qty(minimum_order, batch_size, qty).ok_or(QuoteError::Overflow { qty })?;
        Ok(OrderSize {
            requested_qty: qty,
            minimum_order: minimum,
            lot_size,
            order_qty,
            raised_to_minimum: qty < minimum,
            rounded_to_lot: order_qty > raised,
        })
    }
}

/// [`quote`] for the order an offer really takes: the minimum order, then whole lots.
pub fn quote_in_lots(offer: &Offer, qty: u32, sku_id: Option<&str>) -> Result<Quote, QuoteError> {
    let size = order_size(offer, qty)?;
    let mut quote = quote(offer, size.order_qty, sku_id)?;
    quote.requested_qty = qty;
    quote.below_moq = size.raised_to_minimum;
    Ok(quote)
}

/// How an offer's terms price an order of some pieces, applied to any observation of its
/// prices (a stored price point as much as the offer now): the order raised to the minimum and
/// rounded up to whole lots, and an offer priced per SKU priced by its cheapest SKU while it has
/// SKU prices. A watch's alerts, the watch list and the price chart price observations with it,
/// so they agree with the quote of the offer page ([`quote_in_lots`] without a SKU).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderPricing {
    /// `None` past what Pifa can count: nothing is priced.
    order_qty: Option<u32>,
    per_sku: bool,
}

impl OrderPricing {
    /// An order of `qty` pieces under `offer`'s terms as they are now (its minimum order, lot
    /// size and quote type); older observations are priced under the same terms.
    pub fn of(offer: &Offer, qty: u32) -> OrderPricing {
        OrderPricing {
            order_qty: order_qty(minimum_order(offer), offer.batch_size, qty),
            per_sku: offer.quote_type.is_some_and(QuoteType::is_per_sku),
        }
    }

    /// The pieces ordered: what an observation's tiers are read at.
    pub fn order_qty(self) -> Option<u32> {
        self.order_qty
    }

    /// The unit price an observation gives: its tiers (from the first when the order is below
    /// them), else its lowest SKU price, else its lowest (listed) price. A missing price stays
    /// missing.
    pub fn unit_price(
        self,
        tiers: &[Tier],
        sku_low: Option<Money>,
        lowest: Option<Money>,
    ) -> Option<Money> {
        let qty = self.order_qty?;
        match sku_low {
            Some(sku_low) if self.per_sku => Some(sku_low),
            _ if !tiers.is_empty() => tier_at(tiers, qty).map(|t| t.price),
            _ => sku_low.or(lowest),
        }
    }
}

/// The next tier above an order of `qty` pieces that lowers the unit price, if any.
pub fn next_break(offer: &Offer, qty: u32) -> Option<PriceBreak> {
    if !uses_tiers(offer) {
        return None;
    }
    let billed = qty.max(minimum_order(offer));
    let current = tier_at(&offer.tiers, billed)?;
    offer
        .tiers
        .iter()
        .find(|t| t.min_qty > billed && t.price < current.price)
        .map(|t| PriceBreak {
            order_more: t.min_qty - billed,
            at_qty: t.min_qty,
            unit_price: t.price,
            saving_per_piece: current.price.checked_sub(t.price).unwrap_or(Money::ZERO),
        })
}

/// [`next_break`] for the order an offer really takes: above the order in whole lots, the
/// tier's quantity rounded up to a lot and priced there (rounding may reach a later tier).
pub fn next_break_in_lots(offer: &Offer, qty: u32) -> Option<PriceBreak> {
    let ordered = order_size(offer, qty).ok()?.order_qty;
    let tier = next_break(offer, ordered)?;
    let current = tier_at(&offer.tiers, ordered)?.price;
    let at_qty = order_size(offer, tier.at_qty).ok()?.order_qty;
    let unit_price = tier_at(&offer.tiers, at_qty)?.price;
    Some(PriceBreak {
        order_more: at_qty - ordered,
        at_qty,
        unit_price,
        saving_per_piece: current.checked_sub(unit_price)?,
    })
}

/// Everything the offer page shows for one order: the quote (or why there is none), the
/// minimum order, and the next price break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrderQuote {
    pub quote: Option<Quote>,
    /// Why no quote could be made, as a catalog phrase the UI words in the user's language.
    pub problem: Option<Phrase>,
    pub minimum_order: u32,
    pub next_break: Option<PriceBreak>,
}

/// Prices an order of `qty` pieces (optionally of one SKU) for the offer page and shortlists:
/// in whole lots where the offer sells in lots, as a side-by-side comparison prices it.
pub fn order_quote(offer: &Offer, qty: u32, sku_id: Option<&str>) -> OrderQuote {
    let (quote, problem) = match quote_in_lots(offer, qty, sku_id) {
        Ok(quote) => (Some(quote), None),
        Err(e) => (None, Some(e.phrase())),
    };
    OrderQuote {
        minimum_order: order_size(offer, qty)
            .map_or_else(|_| minimum_order(offer), |size| size.minimum_order),
        next_break: next_break_in_lots(offer, qty),
        quote,
        problem,
    }
}

/// Offers ranked from cheapest to dearest for an order of `qty` pieces: by total (what the buyer
/// pays to get at least `qty`, MOQs and whole lots included), then unit price. Offers that
/// cannot be quoted come last, in their original order.
pub fn rank_by_cost(offers: &[Offer], qty: u32) -> Vec<(&Offer, Option<Quote>)> {
    let mut ranked: Vec<(usize, &Offer, Option<Quote>)> = offers
        .iter()
        .enumerate()
        .map(|(i, offer)| (i, offer, quote_in_lots(offer, qty, None).ok()))
        .collect();
    ranked.sort_by(|a, b| match (&a.2, &b.2) {
        (Some(qa), Some(qb)) => (qa.total, qa.unit_price, a.0).cmp(&(qb.total, qb.unit_price, b.0)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.cmp(&b.0),
    });
    ranked
        .into_iter()
        .map(|(_, offer, quote)| (offer, quote))
        .collect()
}
