//! 选品: from the offers a search found to a ranked, explained list for one need. Pure logic,
//! no I/O: the application layer searches and fetches, this decides. Every offer that does not
//! qualify says why (stable reason codes, counted, so a buyer sees which constraint is too
//! tight); every pick shows its score's parts, so re-ranking with other weights is a call to
//! [`evaluate`] with the same candidates and no new fetch.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::offer::tiers::{minimum_order, order_size, quote_in_lots, Quote, QuoteError};
use crate::offer::{Offer, OfferId, Percent, Supplier};
use crate::store::SupplierSummary;
use crate::{Error, Money, Result};

/// Search pages scanned unless the buyer says otherwise (50 offers a page).
pub const DEFAULT_PAGES: u32 = 3;
pub const MAX_PAGES: u32 = 10;
pub const DEFAULT_TOP: u32 = 10;
pub const MAX_TOP: u32 = 100;

/// What a buyer needs: the keywords, the quantity, the hard constraints and how much to scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct PickRequest {
    pub keywords: String,
    /// Pieces to order; prices are taken at this quantity, raised to each offer's minimum and
    /// rounded up to whole lots where the offer sells in lots.
    pub quantity: u32,
    /// Highest unit price at the quantity.
    pub max_unit_price: Option<Money>,
    /// Highest minimum order (the MOQ or the first tier's quantity, whichever is larger).
    pub max_moq: Option<u32>,
    /// 实力商家 required.
    pub power_merchant: bool,
    /// 超级工厂 required.
    pub super_factory: bool,
    /// Only factories 1688 has certified (认证工厂). No answer marks a supplier as one, so this
    /// narrows 1688's search (its `certifiedFactory` filter) rather than excluding afterwards.
    pub manufacturer: bool,
    /// Any of these provinces (浙江 and 浙江省 alike); empty means anywhere.
    pub provinces: Vec<String>,
    pub min_tp_years: Option<u32>,
    /// The offer's own repurchase rate (复购率) at least this.
    pub min_repurchase: Option<Percent>,
    /// Pieces sold in the last 30 days below which an offer's repurchase rate says too little
    /// to count: it fails `min_repurchase` and scores 0 for repurchase.
    pub min_sold: Option<u32>,
    /// The supplier's 48-hour pickup rate at least this.
    pub min_pickup_48h: Option<Percent>,
    /// The supplier's quality-refund rate at most this.
    pub max_quality_refund: Option<Percent>,
    /// The SKUs' stock together covers the order.
    pub in_stock: bool,
    pub pages: u32,
    pub top: u32,
}

impl Default for PickRequest {
    fn default() -> PickRequest {
        PickRequest {
            keywords: String::new(),
            quantity: 1,
            max_unit_price: None,
            max_moq: None,
            power_merchant: false,
            super_factory: false,
            manufacturer: false,
            provinces: Vec::new(),
            min_tp_years: None,
            min_repurchase: None,
            min_sold: None,
            min_pickup_48h: None,
            max_quality_refund: None,
            in_stock: false,
            pages: DEFAULT_PAGES,
            top: DEFAULT_TOP,
        }
    }
}

impl PickRequest {
    /// Refuses what cannot be picked for, before anything is fetched.
    pub fn check(&self) -> Result<()> {
        if self.keywords.trim().is_empty() {
            return Err(Error::EmptyKeyword);
        }
        let bad = |what: String| Err(Error::PickBadRequest(what));
        if self.quantity == 0 {
            return bad("the order quantity must be at least 1".into());
        }
        if !(1..=MAX_PAGES).contains(&self.pages) {
            return bad(format!(
                "scan 1 to {MAX_PAGES} search pages, not {}",
                self.pages
            ));
        }
        if !(1..=MAX_TOP).contains(&self.top) {
            return bad(format!("ask for 1 to {MAX_TOP} picks, not {}", self.top));
        }
        Ok(())
    }
}

/// How much each criterion counts. Only the ratios matter: the score is divided by the total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Weights {
    pub price: f64,
    pub sales: f64,
    pub service: f64,
    pub repurchase: f64,
    pub pickup: f64,
    pub quality_refund: f64,
    pub tp_years: f64,
}

impl Default for Weights {
    /// Price first, then proof that others buy it, then the supplier's service.
    fn default() -> Weights {
        Weights {
            price: 3.0,
            sales: 2.0,
            service: 1.0,
            repurchase: 1.0,
            pickup: 1.0,
            quality_refund: 1.0,
            tp_years: 0.5,
        }
    }
}

/// The criteria's names, as `--weight NAME=W` and the parts' keys spell them.
pub const CRITERIA: [&str; 7] = [
    "price",
    "sales",
    "service",
    "repurchase",
    "pickup",
    "quality_refund",
    "tp_years",
];

impl Weights {
    fn all(&self) -> [f64; 7] {
        [
            self.price,
            self.sales,
            self.service,
            self.repurchase,
            self.pickup,
            self.quality_refund,
            self.tp_years,
        ]
    }

    /// Sets one weight by criterion name (`tp_years`, `tp-years` and `tpYears` alike).
    pub fn set(&mut self, name: &str, weight: f64) -> Result<()> {
        let plain = |s: &str| s.replace(['_', '-'], "").to_lowercase();
        let slot = match CRITERIA.iter().position(|c| plain(c) == plain(name)) {
            Some(0) => &mut self.price,
            Some(1) => &mut self.sales,
            Some(2) => &mut self.service,
            Some(3) => &mut self.repurchase,
            Some(4) => &mut self.pickup,
            Some(5) => &mut self.quality_refund,
            Some(6) => &mut self.tp_years,
            _ => {
                return Err(Error::PickBadWeights(format!(
                    "no criterion is called {name:?} (choose from {})",
                    CRITERIA.join(", ")
                )))
            }
        };
        *slot = weight;
        self.check()
    }

    /// Weights are finite, never negative (a negative weight would rank the worse offer
    /// higher), and not all zero.
    pub fn check(&self) -> Result<()> {
        if self.all().iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::PickBadWeights(
                "each weight is a number of 0 or more".into(),
            ));
        }
        if self.all().iter().sum::<f64>() <= 0.0 {
            return Err(Error::PickBadWeights(
                "at least one weight must be above 0".into(),
            ));
        }
        Ok(())
    }
}

/// Why a candidate does not qualify. The codes are stable: the UI and scripts key on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Reason {
    /// Dearer than the highest unit price at the quantity.
    OverPrice,
    /// The minimum order is above the highest MOQ.
    MoqTooHigh,
    NotPowerMerchant,
    NotSuperFactory,
    Province,
    TpYears,
    Repurchase,
    Pickup,
    QualityRefund,
    OutOfStock,
    /// 1688 no longer sells it: never qualifies.
    Delisted,
    /// No price can be quoted at the quantity.
    NoPrice,
    /// Its detail could not be fetched; the exclusion's `code` says why.
    FetchFailed,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::OverPrice => "over_price",
            Reason::MoqTooHigh => "moq_too_high",
            Reason::NotPowerMerchant => "not_power_merchant",
            Reason::NotSuperFactory => "not_super_factory",
            Reason::Province => "province",
            Reason::TpYears => "tp_years",
            Reason::Repurchase => "repurchase",
            Reason::Pickup => "pickup",
            Reason::QualityRefund => "quality_refund",
            Reason::OutOfStock => "out_of_stock",
            Reason::Delisted => "delisted",
            Reason::NoPrice => "no_price",
            Reason::FetchFailed => "fetch_failed",
        }
    }
}

/// A candidate that does not qualify, with every reason that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Exclusion {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub reasons: Vec<Reason>,
    /// For `fetch_failed`: the stable code of the failure.
    pub code: Option<String>,
}

/// A pick's score, criterion by criterion, each 0–1 (1 best).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Parts {
    pub price: f64,
    pub sales: f64,
    pub service: f64,
    pub repurchase: f64,
    pub pickup: f64,
    pub quality_refund: f64,
    pub tp_years: f64,
}

impl Parts {
    fn all(&self) -> [f64; 7] {
        [
            self.price,
            self.sales,
            self.service,
            self.repurchase,
            self.pickup,
            self.quality_refund,
            self.tp_years,
        ]
    }

    /// The weighted sum divided by the weights' total: 0–1.
    pub fn score(&self, weights: &Weights) -> f64 {
        let total: f64 = weights.all().iter().sum();
        let sum: f64 = self
            .all()
            .iter()
            .zip(weights.all())
            .map(|(part, weight)| part * weight)
            .sum();
        if total > 0.0 {
            sum / total
        } else {
            0.0
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Pick {
    /// 1 is best.
    pub rank: u32,
    pub offer_id: OfferId,
    pub title: Option<String>,
    /// At the order quantity (raised to the minimum order, in whole lots).
    pub unit_price: Money,
    /// What is ordered: the quantity, or the minimum order when that is larger, rounded up to
    /// whole lots where the offer sells in lots.
    pub order_qty: u32,
    pub total: Money,
    pub score: f64,
    pub parts: Parts,
    // What a result row shows beside the ranking. Defaulted so runs saved before they were
    // kept still open.
    /// The English title, when 1688 gave one besides the Chinese.
    #[serde(default)]
    pub title_en: Option<String>,
    /// The offer's main picture.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub supplier: Option<SupplierSummary>,
    /// The offer's minimum order: the MOQ or the first tier's quantity, whichever is larger,
    /// in whole lots where the offer sells in lots.
    #[serde(default)]
    pub minimum_order: u32,
    /// The quantity was below the minimum order, so `order_qty` is the minimum.
    #[serde(default)]
    pub below_moq: bool,
}

/// A supplier as a result row shows it: its name, place, badges and service figures.
fn summary_of(supplier: &Supplier) -> SupplierSummary {
    SupplierSummary {
        name: supplier.name.clone(),
        province: supplier.province.clone(),
        city: supplier.city.clone(),
        tp_years: supplier.tp_years,
        power_merchant: supplier.power_merchant(),
        super_factory: supplier.super_factory(),
        repurchase_rate: supplier.repurchase_rate,
        service_score_tenths: supplier.scores.composite,
        pickup_48h_rate: supplier.pickup_48h_rate,
        quality_refund_rate: supplier.quality_refund_rate,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PickOutcome {
    /// Candidates considered, those excluded included.
    pub candidates: u32,
    /// Candidates that passed every constraint (more than `picks` when the top cuts).
    pub qualified: u32,
    pub excluded: Vec<Exclusion>,
    /// Excluded candidates per reason (one offer counts under each of its reasons).
    pub counts: BTreeMap<Reason, u32>,
    pub picks: Vec<Pick>,
}

impl PickOutcome {
    /// Reports a candidate whose detail could not be fetched, with the failure's code.
    pub fn exclude_unfetched(&mut self, offer_id: OfferId, title: Option<String>, code: &str) {
        self.candidates += 1;
        *self.counts.entry(Reason::FetchFailed).or_default() += 1;
        self.excluded.push(Exclusion {
            offer_id,
            title,
            reasons: vec![Reason::FetchFailed],
            code: Some(code.to_owned()),
        });
    }
}

/// Province names as buyers type them and as 1688 gives them: 浙江, 浙江省.
fn province_name(name: &str) -> &str {
    let name = name.trim();
    name.strip_suffix('省')
        .or_else(|| name.strip_suffix('市'))
        .unwrap_or(name)
}

/// The criteria's raw values of a qualifying offer; `None` is unknown.
#[derive(Debug, Clone, Copy)]
struct Facts {
    unit_price: Money,
    sold: Option<u32>,
    service: Option<u32>,
    /// Already 0 below the sales floor.
    repurchase: Option<Percent>,
    pickup: Option<Percent>,
    quality_refund: Option<Percent>,
    tp_years: Option<u32>,
}

/// The repurchase rate that counts: the offer's own, only when it sold enough to mean it.
fn counted_repurchase(offer: &Offer, min_sold: Option<u32>) -> Option<Percent> {
    let rate = offer.repurchase_rate?;
    match min_sold {
        Some(floor) if offer.month_sold.unwrap_or(0) < floor => Some(Percent { basis_points: 0 }),
        _ => Some(rate),
    }
}

/// Every reason an offer fails the request, and its quote when it can be priced.
fn judge(offer: &Offer, request: &PickRequest) -> (Vec<Reason>, Option<Quote>) {
    if offer.is_delisted() {
        return (vec![Reason::Delisted], None);
    }
    let mut reasons = Vec::new();
    // In whole lots, as search, compare and the offer page price it.
    let priced = match quote_in_lots(offer, request.quantity, None) {
        Ok(q) => Some(q),
        Err(QuoteError::Delisted { .. }) => return (vec![Reason::Delisted], None),
        Err(_) => None,
    };
    match &priced {
        None => reasons.push(Reason::NoPrice),
        Some(q) if request.max_unit_price.is_some_and(|max| q.unit_price > max) => {
            reasons.push(Reason::OverPrice)
        }
        Some(_) => {}
    }
    if request
        .max_moq
        .is_some_and(|max| minimum_order(offer) > max)
    {
        reasons.push(Reason::MoqTooHigh);
    }
    let supplier = offer.supplier.as_ref();
    // Unknown cannot be confirmed: a constraint the answer does not speak to is not met.
    if request.power_merchant && !supplier.is_some_and(|s| s.power_merchant()) {
        reasons.push(Reason::NotPowerMerchant);
    }
    if request.super_factory && !supplier.is_some_and(|s| s.super_factory()) {
        reasons.push(Reason::NotSuperFactory);
    }
    if !request.provinces.is_empty() {
        let found = supplier
            .and_then(|s| s.province.as_deref())
            .map(province_name);
        if !found.is_some_and(|p| request.provinces.iter().any(|w| province_name(w) == p)) {
            reasons.push(Reason::Province);
        }
    }
    let at_least = |have: Option<u32>, want: Option<u32>| {
        want.is_none_or(|want| have.is_some_and(|have| have >= want))
    };
    if !at_least(supplier.and_then(|s| s.tp_years), request.min_tp_years) {
        reasons.push(Reason::TpYears);
    }
    let repurchase = counted_repurchase(offer, request.min_sold).map(|p| p.basis_points);
    if !at_least(repurchase, request.min_repurchase.map(|p| p.basis_points)) {
        reasons.push(Reason::Repurchase);
    }
    let pickup = supplier
        .and_then(|s| s.pickup_48h_rate)
        .map(|p| p.basis_points);
    if !at_least(pickup, request.min_pickup_48h.map(|p| p.basis_points)) {
        reasons.push(Reason::Pickup);
    }
    if let Some(max) = request.max_quality_refund {
        let refund = supplier.and_then(|s| s.quality_refund_rate);
        if refund.is_none_or(|r| r > max) {
            reasons.push(Reason::QualityRefund);
        }
    }
    if request.in_stock {
        let needed = priced.as_ref().map_or(request.quantity, |q| q.billed_qty);
        let stock: Option<u64> = offer
            .skus
            .iter()
            .filter(|s| s.available)
            .filter_map(|s| s.stock.map(u64::from))
            .reduce(|a, b| a + b);
        if stock.is_none_or(|s| s < u64::from(needed)) {
            reasons.push(Reason::OutOfStock);
        }
    }
    (reasons, priced)
}

/// Higher is better, relative to the best qualifying value: a shared denominator keeps the
/// order of the raw values.
fn relative(value: Option<f64>, best: f64) -> f64 {
    match value {
        Some(v) if best > 0.0 => (v / best).clamp(0.0, 1.0),
        _ => 0.0,
    }
}

fn percent(value: Option<Percent>) -> Option<f64> {
    value.map(|p| f64::from(p.basis_points.min(10_000)) / 10_000.0)
}

fn parts_of(facts: &[Facts]) -> Vec<Parts> {
    let prices = facts.iter().map(|f| f.unit_price.units());
    let (cheapest, dearest) = (prices.clone().min().unwrap_or(0), prices.max().unwrap_or(0));
    // Sales spread over orders of magnitude: compared on a log scale so one best-seller does
    // not flatten everyone else to 0.
    let sales = |f: &Facts| f.sold.map(|s| f64::from(s).ln_1p());
    let most_sold = facts.iter().filter_map(sales).fold(0.0, f64::max);
    let longest = facts.iter().filter_map(|f| f.tp_years).max().unwrap_or(0);
    facts
        .iter()
        .map(|f| Parts {
            price: if dearest == cheapest {
                1.0
            } else {
                (dearest - f.unit_price.units()) as f64 / (dearest - cheapest) as f64
            },
            sales: relative(sales(f), most_sold),
            service: f
                .service
                .map_or(0.0, |s| (f64::from(s) / 50.0).clamp(0.0, 1.0)),
            repurchase: percent(f.repurchase).unwrap_or(0.0),
            pickup: percent(f.pickup).unwrap_or(0.0),
            quality_refund: percent(f.quality_refund).map_or(0.0, |r| 1.0 - r),
            tp_years: relative(f.tp_years.map(f64::from), f64::from(longest)),
        })
        .collect()
}

/// Filters the candidates by the request's constraints and ranks the rest by their weighted
/// score: best first, ties by the lower unit price, then the offer ID. Candidates are taken
/// once each (a repeat is ignored).
pub fn evaluate(candidates: &[Offer], request: &PickRequest, weights: &Weights) -> PickOutcome {
    let mut outcome = PickOutcome::default();
    let mut seen = std::collections::HashSet::new();
    let mut qualifying: Vec<(&Offer, Quote)> = Vec::new();
    for offer in candidates {
        if !seen.insert(&offer.offer_id) {
            continue;
        }
        outcome.candidates += 1;
        match judge(offer, request) {
            (reasons, Some(quoted)) if reasons.is_empty() => qualifying.push((offer, quoted)),
            (reasons, _) => {
                for reason in &reasons {
                    *outcome.counts.entry(*reason).or_default() += 1;
                }
                outcome.excluded.push(Exclusion {
                    offer_id: offer.offer_id.clone(),
                    title: offer.title.clone().or_else(|| offer.title_en.clone()),
                    reasons,
                    code: None,
                });
            }
        }
    }
    outcome.qualified = qualifying.len() as u32;
    let facts: Vec<Facts> = qualifying
        .iter()
        .map(|(offer, quoted)| {
            let supplier = offer.supplier.as_ref();
            Facts {
                unit_price: quoted.unit_price,
                sold: offer.month_sold,
                service: supplier.and_then(|s| s.scores.composite),
                repurchase: counted_repurchase(offer, request.min_sold),
                pickup: supplier.and_then(|s| s.pickup_48h_rate),
                quality_refund: supplier.and_then(|s| s.quality_refund_rate),
                tp_years: supplier.and_then(|s| s.tp_years),
            }
        })
        .collect();
    let mut ranked: Vec<Pick> = qualifying
        .iter()
        .zip(parts_of(&facts))
        .map(|((offer, quoted), parts)| Pick {
            rank: 0,
            offer_id: offer.offer_id.clone(),
            title: offer.title.clone().or_else(|| offer.title_en.clone()),
            unit_price: quoted.unit_price,
            order_qty: quoted.billed_qty,
            total: quoted.total,
            score: parts.score(weights),
            parts,
            title_en: offer.title.as_ref().and(offer.title_en.clone()),
            image: offer.images.first().cloned(),
            supplier: offer.supplier.as_ref().map(summary_of),
            // In whole lots, as the order is: the minimum the quote raised to.
            minimum_order: order_size(offer, request.quantity)
                .map_or_else(|_| minimum_order(offer), |size| size.minimum_order),
            below_moq: quoted.below_moq,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then(a.unit_price.cmp(&b.unit_price))
            .then_with(|| a.offer_id.cmp(&b.offer_id))
    });
    ranked.truncate(request.top as usize);
    for (index, pick) in ranked.iter_mut().enumerate() {
        pick.rank = index as u32 + 1;
    }
    outcome.picks = ranked;
    outcome
}

#[cfg(test)]
mod tests;
