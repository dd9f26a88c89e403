//! Local search over stored offers: text, filters, prices at the buyer's quantity, sorts and
//! pages. Matching, pricing and ordering run over an in-memory index of every offer's keys
//! (`index.rs`, fed by `keys.rs` on every write); only the page's rows are read from SQL, so
//! the UI receives one page and a search at 100,000 offers stays within a few milliseconds.

mod index;
pub(crate) mod keys;
mod text;

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::tiers::{OrderSize, PriceBasis};
use crate::offer::{Offer, OfferId, Percent, SourceApi, PUBLISHED};
use crate::{Error, Money, Result};

pub const MAX_PAGE_SIZE: u32 = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum OfferSort {
    /// Best text match first; without text, the most recently fetched first.
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    MoqAsc,
    RepurchaseDesc,
    TpYearsDesc,
    MonthSoldDesc,
    Newest,
    /// 综合服务分, highest first.
    ServiceScoreDesc,
    /// 48-hour pickup rate, highest first.
    PickupDesc,
    /// Quality-refund rate, lowest first.
    QualityRefundAsc,
}

/// What a buyer searches for among stored offers. Prices are compared at `quantity` (raised to
/// each offer's minimum order, then rounded up to whole lots where it sells in lots), so
/// "under ¥5" means under ¥5 at the buyer's order size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct OfferQuery {
    pub text: Option<String>,
    /// The order size prices are taken at; without it, each offer's minimum order.
    pub quantity: Option<u32>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    /// Offers whose minimum order is at most this.
    pub max_moq: Option<u32>,
    /// 实力商家.
    pub power_merchant: bool,
    /// 超级工厂.
    pub super_factory: bool,
    pub min_tp_years: Option<u32>,
    /// Any of these provinces, without 省/市 (浙江, 广东).
    pub provinces: Vec<String>,
    /// Repurchase rate at least this: the offer's own (复购率) where 1688 gave it, else the
    /// supplier's (回头率); counted only for offers with at least `min_sold` sold in 30 days.
    pub min_repurchase: Option<Percent>,
    pub min_sold: Option<u32>,
    /// The supplier's 48-hour pickup rate at least this.
    pub min_pickup_48h: Option<Percent>,
    /// The supplier's quality-refund rate at most this.
    pub max_quality_refund: Option<Percent>,
    /// The composite service score at least this, in tenths (`40` = 4.0).
    pub min_service_score: Option<u32>,
    /// Also list offers 1688 no longer sells (shown as such, never priced).
    pub include_delisted: bool,
    pub sort: OfferSort,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierSummary {
    pub name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub tp_years: Option<u32>,
    pub power_merchant: bool,
    pub super_factory: bool,
    /// 回头率.
    pub repurchase_rate: Option<Percent>,
    /// 综合服务分 in tenths.
    pub service_score_tenths: Option<u32>,
    pub pickup_48h_rate: Option<Percent>,
    pub quality_refund_rate: Option<Percent>,
}

/// One row of a result page: enough to list and compare, not the whole offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OfferSummary {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub image: Option<String>,
    pub unit: Option<String>,
    pub moq: Option<u32>,
    /// The order size prices were taken at: the query's quantity raised to the minimum order,
    /// then rounded up to whole lots where the offer sells in lots.
    pub billed_qty: u32,
    /// The quantity was below the minimum order (in whole lots) and was raised.
    pub below_moq: bool,
    pub unit_price: Option<Money>,
    pub total: Option<Money>,
    pub basis: Option<PriceBasis>,
    pub supplier: Option<SupplierSummary>,
    pub month_sold: Option<u32>,
    /// The offer's own repeat-purchase rate (复购率).
    pub repurchase_rate: Option<Percent>,
    /// 1688's status when it is not `published`: the offer cannot be bought now.
    pub delisted_status: Option<String>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    pub source: SourceApi,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OfferPage {
    /// How many offers match in all.
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub offers: Vec<OfferSummary>,
}

/// A store's search index, built on its first search and brought up to date on each.
#[derive(Default)]
pub(crate) struct SearchCache(RefCell<Option<index::SearchIndex>>);

impl Store {
    /// Builds this connection's search index now; the first search builds it otherwise (a few
    /// hundred milliseconds at 100,000 offers).
    pub fn prepare_search(&self) -> Result<()> {
        let fail = |e| self.error("preparing search", e);
        let snapshot = self.conn.unchecked_transaction().map_err(fail)?;
        let mut cache = self.search.0.borrow_mut();
        cache
            .get_or_insert_with(Default::default)
            .refresh(&self.conn)
            .map_err(fail)?;
        drop(cache);
        snapshot.commit().map_err(fail)
    }

    /// Takes the search index `other` built (a connection to the same store, as one prepared
    /// off the window's path) when this connection has none yet; it catches up with what
    /// changed since on the next search, as any index does.
    pub fn adopt_search_index(&self, other: Store) {
        let mut cache = self.search.0.borrow_mut();
        if cache.is_none() {
            *cache = other.search.0.take();
        }
    }

    pub fn search_offers(&self, query: &OfferQuery) -> Result<OfferPage> {
        let fail = |e| self.error("searching offers", e);
        let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
        let page = query.page.max(1);
        let quantity = query.quantity.unwrap_or(1).max(1);
        // One snapshot for the index and the page's rows, so both say the same.
        let snapshot = if self.conn.is_autocommit() {
            Some(self.conn.unchecked_transaction().map_err(fail)?)
        } else {
            None
        };
        let mut cache = self.search.0.borrow_mut();
        let index = cache.get_or_insert_with(Default::default);
        index.refresh(&self.conn).map_err(fail)?;
        let found = index
            .run(
                query,
                quantity,
                u64::from(page - 1) * u64::from(page_size),
                page_size as usize,
            )
            .map_err(fail)?;

        let mut details = self
            .conn
            .prepare_cached(concat!(
                "SELECT o.offer_id, o.title, o.title_en, o.extras, o.unit, o.moq, o.price_basis,
                         o.month_sold, o.offer_repurchase_bp, o.status, o.fetched_at, o.source,
                         o.supplier_key, s.name, s.province, s.city, s.tp_years, s.power_merchant,
                         s.super_factory, s.repurchase_bp, s.trust_score_tenths, s.pickup_48h_bp,
                         s.quality_refund_bp, ",
                super::parts::source_answer!(),
                " FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
                     WHERE o.rowid = ?1"
            ))
            .map_err(fail)?;
        let mut offers = Vec::with_capacity(found.page.len());
        for hit in &found.page {
            let priced = Priced {
                quantity,
                order: index.order(hit.entry, quantity),
                unit_price: index.unit_price(hit.entry, quantity),
            };
            offers.push(
                details
                    .query_row([index.rid(hit.entry)], |row| summary(row, &priced))
                    .map_err(fail)?,
            );
        }
        drop(details);
        if let Some(snapshot) = snapshot {
            snapshot.commit().map_err(fail)?;
        }
        Ok(OfferPage {
            total: found.total,
            page,
            page_size,
            offers,
        })
    }

    /// One stored offer, whole.
    pub fn offer(&self, offer_id: &OfferId) -> Result<Offer> {
        let fail = |e| self.error("reading an offer", e);
        let id = offer_id.as_str();
        // Cached: a shortlist or comparison reads many offers in a row.
        let stored = self
            .conn
            .prepare_cached(concat!(
                "SELECT o.*, s.*, ",
                super::parts::source_answer!(),
                " FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
                     WHERE o.offer_id = ?1"
            ))
            .and_then(|mut statement| {
                statement
                    .query_row([id], super::read::whole_offer_from_row)
                    .optional()
            })
            .map_err(fail)?;
        stored.ok_or_else(|| Error::OfferNotFound(id.to_owned()))
    }

    /// How many offers are stored.
    pub fn offer_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM offers", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("counting offers", e))
    }
}

/// An offer priced at the buyer's quantity, as the index priced it.
struct Priced {
    quantity: u32,
    /// `None` past what Pifa can count.
    order: Option<OrderSize>,
    unit_price: Option<Money>,
}

/// One page row from the columns the details query reads, in its order.
fn summary(row: &Row<'_>, priced: &Priced) -> rusqlite::Result<OfferSummary> {
    let image = super::parts::main_image(
        super::read::blob(row, "extras")?,
        super::read::blob(row, "source_answer")?,
    );
    let (billed_qty, below_moq, unit_price) = match priced.order {
        Some(order) => (order.order_qty, order.raised_to_minimum, priced.unit_price),
        None => (priced.quantity, false, None),
    };
    let supplier = match row.get::<_, Option<String>>(12)? {
        None => None,
        Some(_) => Some(SupplierSummary {
            name: row.get(13)?,
            province: row.get(14)?,
            city: row.get(15)?,
            tp_years: row.get(16)?,
            power_merchant: row.get::<_, Option<bool>>(17)?.unwrap_or(false),
            super_factory: row.get::<_, Option<bool>>(18)?.unwrap_or(false),
            repurchase_rate: row.get(19)?,
            service_score_tenths: row.get(20)?,
            pickup_48h_rate: row.get(21)?,
            quality_refund_rate: row.get(22)?,
        }),
    };
    let source: String = row.get(11)?;
    let basis: Option<String> = row.get(6)?;
    Ok(OfferSummary {
        offer_id: OfferId::parse(&row.get::<_, String>(0)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        title: row.get(1)?,
        title_en: row.get(2)?,
        image,
        unit: row.get(4)?,
        moq: row.get(5)?,
        billed_qty,
        below_moq,
        unit_price,
        total: unit_price.and_then(|p| p.times(u64::from(billed_qty))),
        basis: basis.as_deref().and_then(super::read::parse_basis),
        supplier,
        month_sold: row.get(7)?,
        repurchase_rate: row.get(8)?,
        delisted_status: row
            .get::<_, Option<String>>(9)?
            .filter(|status| status != PUBLISHED),
        fetched_at: row.get::<_, Stamp>(10)?.0,
        source: super::read::parse_source(&source),
    })
}
