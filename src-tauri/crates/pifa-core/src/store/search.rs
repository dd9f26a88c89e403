//! Local search over stored offers: text (FTS5 trigram, with LIKE for 1–2 character terms),
//! filters, sorts and pages, all in SQL so the UI only ever receives one page.

use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::tiers::PriceBasis;
use crate::offer::{Offer, OfferId, Percent, SourceApi, PUBLISHED};
use crate::{Error, Money, Result};

pub const MAX_PAGE_SIZE: u32 = 200;

/// An offer 1688 no longer sells (see `Offer::is_delisted`).
const DELISTED: &str = "(o.status IS NOT NULL AND o.status <> 'published')";

/// The repeat-purchase rate a buyer filters by: the offer's own, else its supplier's.
const REPURCHASE: &str = "COALESCE(o.offer_repurchase_bp, s.repurchase_bp)";

/// The unit price of offer `o` for an order of `?1` pieces, exactly as `offer::tiers::quote`
/// computes it: the order is raised to the minimum, then the step with the largest starting
/// quantity not above it applies.
const PRICE_AT_QUANTITY: &str =
    "(SELECT p.price FROM offer_price_steps p WHERE p.offer_id = o.offer_id
     AND p.min_qty <= MAX(?1, o.minimum_order) ORDER BY p.min_qty DESC LIMIT 1)";

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
/// each offer's minimum order), so "under ¥5" means under ¥5 at the buyer's order size.
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
    /// The order size prices were taken at (the query's quantity raised to the minimum order).
    pub billed_qty: u32,
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

/// Binds the arguments a statement uses: numbered parameters may leave some out (the count
/// query needs no quantity), so only those up to the highest number used are bound.
fn bind(statement: &mut rusqlite::Statement<'_>, args: &[SqlValue]) -> rusqlite::Result<()> {
    for (index, value) in args.iter().enumerate().take(statement.parameter_count()) {
        statement.raw_bind_parameter(index + 1, value)?;
    }
    Ok(())
}

/// Escapes LIKE's wildcards so a query for "100%" means the characters.
fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// An FTS5 phrase for one term: quoted, with quotes doubled, so no user text is FTS syntax.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

impl Store {
    pub fn search_offers(&self, query: &OfferQuery) -> Result<OfferPage> {
        let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
        let page = query.page.max(1);
        let quantity = i64::from(query.quantity.unwrap_or(1).max(1));

        let mut conditions: Vec<String> = Vec::new();
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(quantity)]; // ?1 is the quantity
        let push = |args: &mut Vec<SqlValue>, value: SqlValue| {
            args.push(value);
            format!("?{}", args.len())
        };

        let terms: Vec<&str> = query
            .text
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let fts_terms: Vec<String> = terms
            .iter()
            .filter(|t| t.chars().count() >= 3)
            .map(|t| fts_phrase(t))
            .collect();
        let uses_fts = !fts_terms.is_empty();
        let fts_join = if uses_fts {
            let p = push(&mut args, SqlValue::Text(fts_terms.join(" ")));
            format!("JOIN (SELECT rowid AS text_rowid, bm25(offer_text) AS rank FROM offer_text WHERE offer_text MATCH {p}) f ON f.text_rowid = o.rowid")
        } else {
            String::new()
        };
        for term in terms.iter().filter(|t| t.chars().count() < 3) {
            let p = push(&mut args, SqlValue::Text(like_pattern(term)));
            conditions.push(format!(
                "(o.title LIKE {p} ESCAPE '\\' OR o.title_en LIKE {p} ESCAPE '\\' OR s.name LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(max_moq) = query.max_moq {
            let p = push(&mut args, SqlValue::Integer(max_moq.into()));
            conditions.push(format!("o.minimum_order <= {p}"));
        }
        for (wanted, column) in [
            (query.power_merchant, "s.power_merchant"),
            (query.super_factory, "s.super_factory"),
        ] {
            if wanted {
                conditions.push(format!("{column} = 1"));
            }
        }
        if let Some(years) = query.min_tp_years {
            let p = push(&mut args, SqlValue::Integer(years.into()));
            conditions.push(format!("s.tp_years >= {p}"));
        }
        if !query.provinces.is_empty() {
            let list: Vec<String> = query
                .provinces
                .iter()
                .map(|province| push(&mut args, SqlValue::Text(province.clone())))
                .collect();
            conditions.push(format!("s.province IN ({})", list.join(", ")));
        }
        if let Some(rate) = query.min_repurchase {
            let p = push(&mut args, rate.into());
            conditions.push(format!("{REPURCHASE} >= {p}"));
        }
        if let Some(sold) = query.min_sold {
            let p = push(&mut args, SqlValue::Integer(sold.into()));
            conditions.push(format!("o.month_sold >= {p}"));
        }
        if let Some(rate) = query.min_pickup_48h {
            let p = push(&mut args, rate.into());
            conditions.push(format!("s.pickup_48h_bp >= {p}"));
        }
        if let Some(rate) = query.max_quality_refund {
            let p = push(&mut args, rate.into());
            conditions.push(format!("s.quality_refund_bp <= {p}"));
        }
        if let Some(score) = query.min_service_score {
            let p = push(&mut args, SqlValue::Integer(score.into()));
            conditions.push(format!("s.trust_score_tenths >= {p}"));
        }
        if !query.include_delisted {
            conditions.push(format!("NOT {DELISTED}"));
        }

        let from = format!(
            "FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key {fts_join} {}",
            if conditions.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", conditions.join(" AND "))
            },
        );
        let mut price_conditions = Vec::new();
        if let Some(min) = query.min_price {
            let p = push(&mut args, min.into());
            price_conditions.push(format!("unit_price >= {p}"));
        }
        if let Some(max) = query.max_price {
            let p = push(&mut args, max.into());
            price_conditions.push(format!("unit_price <= {p}"));
        }
        let order = match query.sort {
            OfferSort::Relevance if uses_fts => "rank ASC, offer_id",
            OfferSort::Relevance | OfferSort::Newest => "fetched_at DESC, offer_id",
            OfferSort::PriceAsc => "unit_price IS NULL, unit_price ASC, offer_id",
            OfferSort::PriceDesc => "unit_price IS NULL, unit_price DESC, offer_id",
            OfferSort::MoqAsc => "minimum_order ASC, offer_id",
            OfferSort::RepurchaseDesc => "repurchase_bp IS NULL, repurchase_bp DESC, offer_id",
            OfferSort::TpYearsDesc => "tp_years IS NULL, tp_years DESC, offer_id",
            OfferSort::MonthSoldDesc => "month_sold IS NULL, month_sold DESC, offer_id",
            OfferSort::ServiceScoreDesc => "service IS NULL, service DESC, offer_id",
            OfferSort::PickupDesc => "pickup IS NULL, pickup DESC, offer_id",
            OfferSort::QualityRefundAsc => "refund IS NULL, refund ASC, offer_id",
        };
        // The price at the order size is a lookup per offer: computed for every match only when a
        // price filter or sort needs it, otherwise just for the rows of the page.
        let needs_price = !price_conditions.is_empty()
            || matches!(query.sort, OfferSort::PriceAsc | OfferSort::PriceDesc);
        let rank = if uses_fts { "f.rank" } else { "0" };
        let keys = format!(
            "o.rowid AS rid, o.offer_id, o.fetched_at, o.minimum_order, o.month_sold,
             {REPURCHASE} AS repurchase_bp, s.tp_years, s.trust_score_tenths AS service,
             s.pickup_48h_bp AS pickup, s.quality_refund_bp AS refund, {rank} AS rank{}",
            if needs_price {
                format!(", {PRICE_AT_QUANTITY} AS unit_price")
            } else {
                String::new()
            }
        );
        let matches = if price_conditions.is_empty() {
            format!("SELECT {keys} {from}")
        } else {
            format!(
                "SELECT * FROM (SELECT {keys} {from}) WHERE {}",
                price_conditions.join(" AND ")
            )
        };

        let fail = |e| self.error("searching offers", e);
        let count_sql = if needs_price && !price_conditions.is_empty() {
            format!("SELECT COUNT(*) FROM ({matches})")
        } else {
            format!("SELECT COUNT(*) {from}")
        };
        let total: i64 = self
            .conn
            .prepare(&count_sql)
            .and_then(|mut statement| {
                bind(&mut statement, &args)?;
                let mut rows = statement.raw_query();
                rows.next()?.map_or(Ok(0), |row| row.get(0))
            })
            .map_err(fail)?;
        let limit = push(&mut args, SqlValue::Integer(page_size.into()));
        let offset = push(
            &mut args,
            SqlValue::Integer(i64::from(page - 1) * i64::from(page_size)),
        );
        let page_sql =
            format!("SELECT rid FROM ({matches}) ORDER BY {order} LIMIT {limit} OFFSET {offset}");
        let rowids: Vec<i64> = self
            .conn
            .prepare(&page_sql)
            .and_then(|mut statement| {
                bind(&mut statement, &args)?;
                let mut rows = statement.raw_query();
                let mut rowids = Vec::new();
                while let Some(row) = rows.next()? {
                    rowids.push(row.get(0)?);
                }
                Ok(rowids)
            })
            .map_err(fail)?;

        let mut offers = Vec::with_capacity(rowids.len());
        let mut details = self
            .conn
            .prepare_cached(&format!(
                "SELECT o.*, s.name AS s_name, s.province AS s_province, s.city AS s_city,
                     s.tp_years AS s_tp_years, s.power_merchant AS s_pm, s.super_factory AS s_sf,
                     s.repurchase_bp AS s_rp, s.trust_score_tenths AS s_score,
                     s.pickup_48h_bp AS s_pickup, s.quality_refund_bp AS s_refund,
                     MAX(?1, o.minimum_order) AS billed_qty, {PRICE_AT_QUANTITY} AS unit_price
                 FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
                 WHERE o.rowid = ?2"
            ))
            .map_err(fail)?;
        for rowid in rowids {
            offers.push(
                details
                    .query_row(rusqlite::params![quantity, rowid], |row| {
                        summary(row, quantity as u32)
                    })
                    .map_err(fail)?,
            );
        }
        Ok(OfferPage {
            total: total as u64,
            page,
            page_size,
            offers,
        })
    }

    /// One stored offer, whole.
    pub fn offer(&self, offer_id: &OfferId) -> Result<Offer> {
        let fail = |e| self.error("reading an offer", e);
        let id = offer_id.as_str();
        let stored = self
            .conn
            .query_row(
                "SELECT o.*, s.* FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
                 WHERE o.offer_id = ?1",
                [id],
                super::read::offer_from_row,
            )
            .optional()
            .map_err(fail)?;
        let mut offer = stored.ok_or_else(|| Error::OfferNotFound(id.to_owned()))?;
        let mut tiers = self
            .conn
            .prepare_cached(
                "SELECT min_qty, price FROM offer_tiers WHERE offer_id = ?1 ORDER BY min_qty",
            )
            .map_err(fail)?;
        offer.tiers = tiers
            .query_map([id], super::read::tier_from_row)
            .map_err(fail)?
            .collect::<rusqlite::Result<_>>()
            .map_err(fail)?;
        let mut skus = self
            .conn
            .prepare_cached(
                "SELECT sku_id, spec_id, specs, price, stock, available, image FROM offer_skus
                 WHERE offer_id = ?1 ORDER BY position",
            )
            .map_err(fail)?;
        offer.skus = skus
            .query_map([id], super::read::sku_from_row)
            .map_err(fail)?
            .collect::<rusqlite::Result<_>>()
            .map_err(fail)?;
        Ok(offer)
    }

    /// How many offers are stored.
    pub fn offer_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM offers", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("counting offers", e))
    }
}

fn summary(row: &Row<'_>, quantity: u32) -> rusqlite::Result<OfferSummary> {
    let images: String = row.get("images")?;
    let images: Vec<String> = serde_json::from_str(&images).unwrap_or_default();
    let billed_qty: u32 = row.get("billed_qty")?;
    let unit_price: Option<Money> = row.get("unit_price")?;
    let supplier_name: Option<String> = row.get("s_name")?;
    let supplier = match row.get::<_, Option<String>>("supplier_key")? {
        None => None,
        Some(_) => Some(SupplierSummary {
            name: supplier_name,
            province: row.get("s_province")?,
            city: row.get("s_city")?,
            tp_years: row.get("s_tp_years")?,
            power_merchant: row.get::<_, Option<bool>>("s_pm")?.unwrap_or(false),
            super_factory: row.get::<_, Option<bool>>("s_sf")?.unwrap_or(false),
            repurchase_rate: row.get("s_rp")?,
            service_score_tenths: row.get("s_score")?,
            pickup_48h_rate: row.get("s_pickup")?,
            quality_refund_rate: row.get("s_refund")?,
        }),
    };
    let source: String = row.get("source")?;
    let basis: Option<String> = row.get("price_basis")?;
    Ok(OfferSummary {
        offer_id: OfferId::parse(&row.get::<_, String>("offer_id")?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        title: row.get("title")?,
        title_en: row.get("title_en")?,
        image: images.into_iter().next(),
        unit: row.get("unit")?,
        moq: row.get("moq")?,
        billed_qty,
        below_moq: billed_qty > quantity,
        unit_price,
        total: unit_price.and_then(|p| p.times(u64::from(billed_qty))),
        basis: basis.as_deref().and_then(super::read::parse_basis),
        supplier,
        month_sold: row.get("month_sold")?,
        repurchase_rate: row.get("offer_repurchase_bp")?,
        delisted_status: row
            .get::<_, Option<String>>("status")?
            .filter(|status| status != PUBLISHED),
        fetched_at: row.get::<_, Stamp>("fetched_at")?.0,
        source: super::read::parse_source(&source),
    })
}
