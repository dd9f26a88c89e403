//! Writing offers. One offer — its row, tiers, SKUs, supplier, search text, raw answer and price
//! point — is written in one transaction: a crash leaves either the old offer or the new one.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::Value;

use super::codec::Stamp;
use super::{Store, CLEANER_VERSION};
use crate::offer::tiers::{minimum_order, quote, PriceBasis};
use crate::offer::{clean_answer, Offer, OfferId, ServiceScores, SourceApi, Supplier, Tier};
use crate::{Error, Money, Result};

/// A new price point is recorded when prices change, or at least this often while they do not,
/// so charts show that a price held.
pub const PRICE_POINT_INTERVAL: Duration = Duration::hours(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaveOutcome {
    /// The offer was not stored before.
    pub created: bool,
    /// A price point was recorded.
    pub price_point: bool,
}

impl Store {
    /// Cleans one raw answer and stores the offer with the answer itself.
    pub fn import_answer(
        &mut self,
        raw: &Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<(Offer, SaveOutcome)> {
        let offer = clean(raw, fetched_at)?;
        let outcome = self.save_offer(&offer, Some(raw), true)?;
        Ok((offer, outcome))
    }

    /// Stores the detail answer fetched for `offer_id` and returns the offer as now stored,
    /// with what earlier answers said and this one did not (诚信通 years, 30-day sales). An
    /// answer about another offer is refused and nothing is written.
    pub fn import_detail(
        &mut self,
        offer_id: &OfferId,
        raw: &Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<Offer> {
        self.save_detail(offer_id, raw, fetched_at)?;
        self.offer(offer_id)
    }

    /// [`Store::import_detail`] without reading the offer back: returns it as this answer alone
    /// says it, for callers (batches) that need no more than its title.
    pub fn save_detail(
        &mut self,
        offer_id: &OfferId,
        raw: &Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<Offer> {
        let offer = clean(raw, fetched_at)?;
        if offer.offer_id != *offer_id {
            return Err(Error::WrongOffer {
                requested: offer_id.to_string(),
                answered: offer.offer_id.to_string(),
            });
        }
        self.save_offer(&offer, Some(raw), true)?;
        Ok(offer)
    }

    /// Stores a cleaned offer. `raw` is the answer it came from (kept for `recheck`);
    /// `record_price` is false when re-cleaning stored answers, which are no new observation.
    pub fn save_offer(
        &mut self,
        offer: &Offer,
        raw: Option<&Value>,
        record_price: bool,
    ) -> Result<SaveOutcome> {
        let path = &self.path;
        let fail = |doing| move |e| super::classify(path, doing, e);
        // Immediate: a deferred transaction that read first cannot wait for the write lock when
        // another process (the app beside pifa-cli) wrote meanwhile; SQLite fails it at once.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail("starting a transaction"))?;
        let outcome =
            write_offer(&tx, offer, raw, record_price).map_err(fail("saving an offer"))?;
        tx.commit().map_err(fail("committing an offer"))?;
        Ok(outcome)
    }
}

fn clean(raw: &Value, fetched_at: DateTime<Utc>) -> Result<Offer> {
    clean_answer(raw, fetched_at).map_err(|source| Error::Unreadable {
        what: describe_answer(raw),
        source,
    })
}

/// What to call an answer in an error message: its offer ID when one can be found.
fn describe_answer(raw: &Value) -> String {
    [
        "/productInfo/productID",
        "/result/result/offerId",
        "/offerId",
    ]
    .iter()
    .find_map(|p| raw.pointer(p))
    .map(|id| format!("offer {}", id.to_string().trim_matches('"')))
    .unwrap_or_else(|| "an answer without an offer ID".to_owned())
}

fn write_offer(
    tx: &Transaction<'_>,
    offer: &Offer,
    raw: Option<&Value>,
    record_price: bool,
) -> rusqlite::Result<SaveOutcome> {
    let id = offer.offer_id.as_str();
    let existing: Option<(i64, String)> = tx
        .query_row(
            "SELECT rowid, source FROM offers WHERE offer_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let existing_is_detail = existing
        .as_ref()
        .and_then(|(_, source)| SourceApi::parse(source))
        .is_some_and(SourceApi::is_detail);

    let supplier_key = save_supplier(tx, offer)?;

    // A search result knows less than a detail answer: it may refresh what it shows, never
    // replace the tiers, SKUs and supplier a detail answer brought.
    if !offer.source.is_detail() && existing_is_detail {
        tx.execute(
            "UPDATE offers SET listed_price = ?2, month_sold = COALESCE(?3, month_sold),
                 offer_repurchase_bp = COALESCE(?4, offer_repurchase_bp)
             WHERE offer_id = ?1",
            params![
                id,
                offer.listed_price,
                offer.month_sold,
                offer.repurchase_rate
            ],
        )?;
        if let Some(raw) = raw {
            save_raw(tx, offer, raw)?;
        }
        return Ok(SaveOutcome::default());
    }

    let (steps, basis) = price_steps(offer);
    tx.execute(
        "INSERT INTO offers (offer_id, title, title_en, category_id, category_name, images, unit, moq,
             minimum_order, batch_size, quote_type, retail_price, listed_price, consign_price,
             lowest_price, supplier_key, origin, unit_weight_g, month_sold, status, source,
             fetched_at, warnings, cleaner_version, price_basis, offer_repurchase_bp,
             trade_score_tenths, sold_count, one_piece_dropship, listed_at, shipping, mixed_batch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)
         ON CONFLICT (offer_id) DO UPDATE SET
             title = excluded.title, title_en = excluded.title_en, category_id = excluded.category_id,
             category_name = excluded.category_name, images = excluded.images, unit = excluded.unit,
             moq = excluded.moq, minimum_order = excluded.minimum_order, batch_size = excluded.batch_size,
             quote_type = excluded.quote_type, retail_price = excluded.retail_price,
             listed_price = excluded.listed_price, consign_price = excluded.consign_price,
             lowest_price = excluded.lowest_price, supplier_key = excluded.supplier_key,
             origin = excluded.origin, unit_weight_g = excluded.unit_weight_g,
             month_sold = COALESCE(excluded.month_sold, month_sold), status = excluded.status,
             source = excluded.source,
             fetched_at = excluded.fetched_at, warnings = excluded.warnings,
             cleaner_version = excluded.cleaner_version, price_basis = excluded.price_basis,
             offer_repurchase_bp = COALESCE(excluded.offer_repurchase_bp, offer_repurchase_bp),
             trade_score_tenths = excluded.trade_score_tenths, sold_count = excluded.sold_count,
             one_piece_dropship = excluded.one_piece_dropship, listed_at = excluded.listed_at,
             shipping = excluded.shipping, mixed_batch = excluded.mixed_batch",
        params![
            id, offer.title, offer.title_en,
            offer.category.as_ref().and_then(|c| c.id.clone()),
            offer.category.as_ref().and_then(|c| c.name.clone()),
            serde_json::to_string(&offer.images).expect("strings serialize"),
            offer.unit, offer.moq, minimum_order(offer), offer.batch_size,
            offer.quote_type.map(|q| q.code()),
            offer.retail_price, offer.listed_price, offer.consign_price,
            offer.lowest_price(), supplier_key, offer.shipping.origin,
            offer.shipping.unit_weight_grams, offer.month_sold, offer.status,
            offer.source.as_str(), Stamp(offer.fetched_at),
            serde_json::to_string(&offer.warnings).expect("warnings serialize"),
            CLEANER_VERSION, basis.map(super::read::basis_name),
            offer.repurchase_rate, offer.trade_score_tenths,
            offer.sold_count, offer.one_piece_dropship, offer.listed_at.map(Stamp),
            serde_json::to_string(&offer.shipping).expect("shipping serializes"),
            offer.mixed_batch.map(|m| serde_json::to_string(&m).expect("mixed batch serializes")),
        ],
    )?;
    if let Some(key) = &supplier_key {
        // A search item's signals, kept under the offer until a detail named the supplier.
        tx.execute(
            "DELETE FROM suppliers WHERE supplier_key = ?1 AND supplier_key <> ?2
             AND NOT EXISTS (SELECT 1 FROM offers WHERE supplier_key = ?1)",
            params![format!("offer:{id}"), key],
        )?;
    }
    let rowid: i64 = tx.query_row("SELECT rowid FROM offers WHERE offer_id = ?1", [id], |r| {
        r.get(0)
    })?;

    tx.execute("DELETE FROM offer_tiers WHERE offer_id = ?1", [id])?;
    tx.execute("DELETE FROM offer_price_steps WHERE offer_id = ?1", [id])?;
    tx.execute("DELETE FROM offer_skus WHERE offer_id = ?1", [id])?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO offer_tiers (offer_id, min_qty, price) VALUES (?1, ?2, ?3)",
        )?;
        for tier in &offer.tiers {
            insert.execute(params![id, tier.min_qty, tier.price])?;
        }
        let mut insert = tx.prepare_cached(
            "INSERT INTO offer_price_steps (offer_id, min_qty, price) VALUES (?1, ?2, ?3)",
        )?;
        for step in &steps {
            insert.execute(params![id, step.min_qty, step.price])?;
        }
        let mut insert = tx.prepare_cached(
            "INSERT INTO offer_skus (offer_id, position, sku_id, spec_id, specs, price, stock, available, image)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (position, sku) in offer.skus.iter().enumerate() {
            insert.execute(params![
                id,
                position as i64,
                sku.sku_id,
                sku.spec_id,
                serde_json::to_string(&sku.specs).expect("specs serialize"),
                sku.price,
                sku.stock,
                sku.available,
                sku.image,
            ])?;
        }
    }

    tx.execute("DELETE FROM offer_text WHERE rowid = ?1", [rowid])?;
    tx.execute(
        "INSERT INTO offer_text (rowid, title, title_en, supplier_name) VALUES (?1, ?2, ?3, ?4)",
        params![
            rowid,
            offer.title,
            offer.title_en,
            offer.supplier.as_ref().and_then(|s| s.name.clone())
        ],
    )?;

    if let Some(raw) = raw {
        save_raw(tx, offer, raw)?;
    }
    // A delisted offer's old prices are no observation of a live price.
    let price_point = record_price
        && offer.source.is_detail()
        && !offer.is_delisted()
        && record_price_point(tx, offer)?;
    // A watched offer's fresh detail is weighed against its alert rules here, in this
    // transaction, whichever fetch brought it. A search item is partial (a listed price, no
    // tiers or SKUs) and a re-cleaned answer is no new observation: neither is weighed.
    if record_price && offer.source.is_detail() {
        super::alerts::observe(tx, offer)?;
    }
    Ok(SaveOutcome {
        created: existing.is_none(),
        price_point,
    })
}

/// Stores the offer's supplier and returns its key. What this answer does not say is taken from
/// what earlier answers said of the same supplier (a detail has no 诚信通 years, a search item no
/// name); a supplier a search item cannot name is kept under `offer:<id>`.
fn save_supplier(tx: &Transaction<'_>, offer: &Offer) -> rusqlite::Result<Option<String>> {
    let Some(mut supplier) = offer.supplier.clone() else {
        return Ok(None);
    };
    let id = offer.offer_id.as_str();
    let previous: Option<(String, Supplier)> = tx
        .query_row(
            "SELECT s.* FROM offers o JOIN suppliers s ON s.supplier_key = o.supplier_key
             WHERE o.offer_id = ?1",
            [id],
            |r| Ok((r.get("supplier_key")?, super::read::supplier_from_row(r)?)),
        )
        .optional()?;
    let own_key = supplier.key();
    if let Some((previous_key, earlier)) = &previous {
        let same = match &own_key {
            None => true,
            Some(key) => key == previous_key || previous_key.starts_with("offer:"),
        };
        if same {
            supplier.fill_missing_from(earlier);
        }
    }
    let key = supplier.key().unwrap_or_else(|| format!("offer:{id}"));
    let s = &supplier;
    let badges = s.badges.unwrap_or_default();
    let scores = if s.scores == ServiceScores::default() {
        "{}".to_owned()
    } else {
        serde_json::to_string(&s.scores).expect("scores serialize")
    };
    tx.execute(
        "INSERT INTO suppliers (supplier_key, name, login_id, open_id, province, city, tp_years,
             trust_score_tenths, power_merchant, super_factory, tp_member, badges_known,
             repurchase_bp, trade_medal, scores, pickup_48h_bp, quality_refund_bp, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT (supplier_key) DO UPDATE SET
             name = COALESCE(excluded.name, name), login_id = COALESCE(excluded.login_id, login_id),
             open_id = COALESCE(excluded.open_id, open_id), province = COALESCE(excluded.province, province),
             city = COALESCE(excluded.city, city), tp_years = COALESCE(excluded.tp_years, tp_years),
             trust_score_tenths = COALESCE(excluded.trust_score_tenths, trust_score_tenths),
             power_merchant = IIF(excluded.badges_known, excluded.power_merchant, power_merchant),
             super_factory = IIF(excluded.badges_known, excluded.super_factory, super_factory),
             tp_member = IIF(excluded.badges_known, excluded.tp_member, tp_member),
             badges_known = MAX(excluded.badges_known, badges_known),
             repurchase_bp = COALESCE(excluded.repurchase_bp, repurchase_bp),
             trade_medal = COALESCE(excluded.trade_medal, trade_medal),
             scores = IIF(excluded.scores = '{}', scores, excluded.scores),
             pickup_48h_bp = COALESCE(excluded.pickup_48h_bp, pickup_48h_bp),
             quality_refund_bp = COALESCE(excluded.quality_refund_bp, quality_refund_bp),
             updated_at = excluded.updated_at",
        params![
            key, s.name, s.login_id, s.open_id, s.province, s.city, s.tp_years,
            s.scores.composite, badges.power_merchant, badges.super_factory, badges.tp_member,
            s.badges.is_some(), s.repurchase_rate, s.trade_medal_level,
            scores, s.pickup_48h_rate,
            s.quality_refund_rate, Stamp(offer.fetched_at),
        ],
    )?;
    Ok(Some(key))
}

fn save_raw(tx: &Transaction<'_>, offer: &Offer, raw: &Value) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO raw_answers (offer_id, source, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (offer_id, source) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
        params![offer.offer_id.as_str(), offer.source.as_str(), raw.to_string(), Stamp(offer.fetched_at)],
    )?;
    Ok(())
}

/// The schedule search prices orders by, and where its prices come from: `quote` gives the
/// same unit price at every quantity.
pub(crate) fn price_steps(offer: &Offer) -> (Vec<Tier>, Option<PriceBasis>) {
    match quote(offer, minimum_order(offer), None) {
        Ok(q) if q.tier.is_some() => (offer.tiers.clone(), Some(q.basis)),
        Ok(q) => (
            vec![Tier {
                min_qty: 1,
                price: q.unit_price,
            }],
            Some(q.basis),
        ),
        Err(_) => (Vec::new(), None),
    }
}

/// Records a price point when prices differ from the last one or it is older than the interval.
fn record_price_point(tx: &Transaction<'_>, offer: &Offer) -> rusqlite::Result<bool> {
    let tiers = serde_json::to_string(&offer.tiers).expect("tiers serialize");
    let sku_prices = offer.skus.iter().filter_map(|s| s.price);
    let (sku_low, sku_high) = (sku_prices.clone().min(), sku_prices.max());
    let skus = super::history::sku_prices_json(offer);
    let last = tx
        .query_row(
            "SELECT observed_at, lowest_price, tiers, sku_low, sku_high, skus FROM price_points
             WHERE offer_id = ?1 ORDER BY observed_at DESC LIMIT 1",
            [offer.offer_id.as_str()],
            |r| {
                let observed_at: Stamp = r.get(0)?;
                let prices: (Option<Money>, String, Option<Money>, Option<Money>) =
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                Ok((observed_at.0, prices, r.get::<_, Option<String>>(5)?))
            },
        )
        .optional()?;
    if let Some((at, prices, last_skus)) = &last {
        let same_prices = *prices == (offer.lowest_price(), tiers.clone(), sku_low, sku_high)
            && *last_skus == skus;
        let recent = offer.fetched_at.signed_duration_since(at) < PRICE_POINT_INTERVAL;
        if same_prices && recent {
            return Ok(false);
        }
    }
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO price_points (offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            offer.offer_id.as_str(), Stamp(offer.fetched_at), offer.lowest_price(),
            tiers, sku_low, sku_high, skus,
        ],
    )?;
    Ok(inserted == 1)
}

/// What `recheck` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct RecheckReport {
    pub checked: u64,
    pub failed: u64,
}

impl Store {
    /// Cleans every stored raw answer again with this version's cleaner and stores the result.
    /// No price points are recorded: a stored answer is no new observation of the price.
    pub fn recheck(&mut self, mut progress: impl FnMut(u64)) -> Result<RecheckReport> {
        let mut report = RecheckReport::default();
        // Where the last batch ended: (offer ID, whether the answer is a detail, its source).
        let mut after = (String::new(), false, String::new());
        loop {
            // In batches, so memory stays flat however many offers are stored. The key is the
            // whole sort key, not the offer ID alone: a batch may end between two answers of one
            // offer. A search answer goes before a detail so the detail's fuller offer is kept.
            // (`offer_id >= ?1` lets SQLite seek in the primary key instead of scanning.)
            let batch: Vec<((String, bool, String), String, Stamp)> = {
                let mut statement = self
                    .conn
                    .prepare_cached(
                        "SELECT offer_id, source <> 'keywordQuery' AS detail, source, body, fetched_at
                         FROM raw_answers
                         WHERE offer_id >= ?1 AND (offer_id, source <> 'keywordQuery', source) > (?1, ?2, ?3)
                         ORDER BY offer_id, detail, source LIMIT 500",
                    )
                    .map_err(|e| self.error("reading stored answers", e))?;
                let rows = statement
                    .query_map(params![after.0, after.1, after.2], |r| {
                        Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?, r.get(4)?))
                    })
                    .map_err(|e| self.error("reading stored answers", e))?;
                rows.collect::<rusqlite::Result<_>>()
                    .map_err(|e| self.error("reading stored answers", e))?
            };
            let Some((last, _, _)) = batch.last() else {
                break;
            };
            let last = last.clone();
            for (_, body, fetched_at) in batch {
                report.checked += 1;
                let cleaned = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|raw| clean_answer(&raw, fetched_at.0).ok());
                match cleaned {
                    Some(offer) => {
                        self.save_offer(&offer, None, false)?;
                    }
                    None => report.failed += 1,
                }
                progress(report.checked);
            }
            after = last;
        }
        Ok(report)
    }
}
