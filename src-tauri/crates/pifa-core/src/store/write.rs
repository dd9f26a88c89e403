//! Writing offers. One offer — its row (with its tiers and SKUs), supplier, search keys, raw
//! answer and price point — is written in one transaction, or with others in one: a crash
//! leaves either the old offer or the new one. Imports and batches write a group of offers per
//! transaction, cleaned and compressed beforehand ([`ReadyAnswer`]), with every statement
//! prepared once.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::Value;

use super::codec::Stamp;
use super::raw_answers::PackedAnswer;
use super::{Store, CLEANER_VERSION};
use crate::offer::tiers::{minimum_order, quote, PriceBasis};
use crate::offer::{
    clean_answer, clean_answer_text, Offer, OfferId, ServiceScores, SourceApi, Supplier, Tier,
};
use crate::protocol::client::MAX_ANSWER_BYTES;
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

/// An answer cleaned and compressed: what [`Store::save_details`] and [`Store::import_ready`]
/// write. Made before the store is taken, since cleaning and compressing
/// take longer than writing (a batch makes it where the answer arrives, an import on a thread
/// of its own).
#[derive(Debug, Clone)]
pub struct ReadyAnswer {
    pub offer: Offer,
    raw: PackedAnswer,
    extras: Option<PackedAnswer>,
}

impl ReadyAnswer {
    /// A detail answer or a single search item, as its text.
    pub fn new(text: &str, fetched_at: DateTime<Utc>) -> Result<ReadyAnswer> {
        let offer = clean_text(text, fetched_at)?;
        Ok(ReadyAnswer {
            raw: PackedAnswer::pack(text),
            extras: extras_beside(&offer, Some(text)),
            offer,
        })
    }

    /// The detail answer fetched for `offer_id`: an answer about another offer is refused.
    pub fn detail(
        offer_id: &OfferId,
        text: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<ReadyAnswer> {
        let ready = ReadyAnswer::new(text, fetched_at)?;
        if ready.offer.offer_id != *offer_id {
            return Err(Error::WrongOffer {
                requested: offer_id.to_string(),
                answered: ready.offer.offer_id.to_string(),
            });
        }
        Ok(ready)
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            raw: Some(&self.raw),
            extras: self.extras.as_ref(),
        }
    }
}

/// What is written with an offer besides its plain columns, compressed: the answer it came
/// from (none when re-cleaning a stored one), and its packed extras (`store/parts.rs`) only
/// when its answer is not stored or cannot be read back ([`extras_beside`]), as the offer's
/// display facts are read from the answer.
#[derive(Clone, Copy)]
struct Parts<'a> {
    raw: Option<&'a PackedAnswer>,
    extras: Option<&'a PackedAnswer>,
}

/// How many offers [`Store::import_ready`] callers best give at once: enough that a commit is
/// a small part of the work, few enough that a kill loses little.
pub const IMPORT_GROUP: usize = 500;

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

    /// Cleans answers given as their text (detail answers or single search items) and stores
    /// them in one transaction, each offer whole or not at all, with one result per answer. The
    /// outer error says nothing could be stored (a full or read-only disk).
    pub fn import_answers(
        &mut self,
        answers: &[&str],
        fetched_at: DateTime<Utc>,
    ) -> Result<Vec<Result<(Offer, SaveOutcome)>>> {
        let ready: Vec<Result<ReadyAnswer>> = answers
            .iter()
            .map(|text| ReadyAnswer::new(text, fetched_at))
            .collect();
        let writes: Vec<&ReadyAnswer> = ready.iter().flatten().collect();
        let mut written = self.import_ready(&writes)?.into_iter();
        Ok(ready
            .into_iter()
            .map(|item| {
                let outcome = written.next().expect("one result per offer written")?;
                Ok((item?.offer, outcome))
            })
            .collect())
    }

    /// Stores answers made ready, in one transaction, each offer whole or not at all; one
    /// result per answer. The outer error says nothing could be stored (a full or read-only
    /// disk).
    pub fn import_ready(&mut self, answers: &[&ReadyAnswer]) -> Result<Vec<Result<SaveOutcome>>> {
        let writes: Vec<(&Offer, Parts<'_>)> =
            answers.iter().map(|a| (&a.offer, a.parts())).collect();
        self.write_group(&writes, true, false)
    }

    /// Stores fetched detail answers in one transaction, each offer whole or not at all, and
    /// forgets the past fetch failures of each one stored. One result per answer; the outer
    /// error says nothing could be stored (a full or read-only disk).
    pub fn save_details(&mut self, details: &[&ReadyAnswer]) -> Result<Vec<Result<SaveOutcome>>> {
        let writes: Vec<(&Offer, Parts<'_>)> =
            details.iter().map(|a| (&a.offer, a.parts())).collect();
        self.write_group(&writes, true, true)
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
    /// says it, for callers that need no more than its title.
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
        let text = raw.map(Value::to_string);
        let extras = extras_beside(offer, text.as_deref());
        let raw = text.map(|text| PackedAnswer::pack(&text));
        let parts = Parts {
            raw: raw.as_ref(),
            extras: extras.as_ref(),
        };
        self.write_one(offer, parts, record_price, false)
    }

    /// Writes one offer in its own transaction.
    fn write_one(
        &mut self,
        offer: &Offer,
        parts: Parts<'_>,
        record_price: bool,
        forget_failures: bool,
    ) -> Result<SaveOutcome> {
        let path = &self.path;
        let fail = |doing| move |e| super::classify(path, doing, e);
        // Immediate: a deferred transaction that read first cannot wait for the write lock when
        // another process (the app beside pifa-cli) wrote meanwhile; SQLite fails it at once.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail("starting a transaction"))?;
        let outcome = write_offer(&tx, offer, parts, record_price)
            .and_then(|outcome| {
                if forget_failures {
                    super::failures::forget(&tx, offer.offer_id.as_str())?;
                }
                Ok(outcome)
            })
            .map_err(fail("saving an offer"))?;
        tx.commit().map_err(fail("committing an offer"))?;
        Ok(outcome)
    }

    /// Writes several offers in one transaction (a commit costs more than an offer's rows).
    /// When one offer cannot be written, each is written alone instead, so the others are kept
    /// and the failure is that offer's.
    fn write_group(
        &mut self,
        offers: &[(&Offer, Parts<'_>)],
        record_price: bool,
        forget_failures: bool,
    ) -> Result<Vec<Result<SaveOutcome>>> {
        match write_together(&mut self.conn, offers, record_price, forget_failures) {
            Ok(outcomes) => Ok(outcomes.into_iter().map(Ok).collect()),
            Err(e) => match super::classify(&self.path, "saving offers", e) {
                // No offer would fare better alone.
                e @ (Error::StoreFull { .. } | Error::StoreReadOnly { .. }) => Err(e),
                _ => Ok(offers
                    .iter()
                    .map(|(offer, parts)| {
                        self.write_one(offer, *parts, record_price, forget_failures)
                    })
                    .collect()),
            },
        }
    }
}

fn write_together(
    conn: &mut rusqlite::Connection,
    offers: &[(&Offer, Parts<'_>)],
    record_price: bool,
    forget_failures: bool,
) -> rusqlite::Result<Vec<SaveOutcome>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(offers.len());
    for (offer, parts) in offers {
        outcomes.push(write_offer(&tx, offer, *parts, record_price)?);
        if forget_failures {
            super::failures::forget(&tx, offer.offer_id.as_str())?;
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

/// The packed extras an offer is written with beside `answer`, its text: none when the answer
/// is stored and reads back, as the offer's display facts are read from it. An answer larger
/// than stored answers are read back (a line of an import; the gateway refuses such answers)
/// keeps them.
fn extras_beside(offer: &Offer, answer: Option<&str>) -> Option<PackedAnswer> {
    match answer {
        Some(text) if text.len() <= MAX_ANSWER_BYTES => None,
        _ => Some(super::parts::extras_packed(offer)),
    }
}

fn clean(raw: &Value, fetched_at: DateTime<Utc>) -> Result<Offer> {
    clean_answer(raw, fetched_at).map_err(|source| Error::Unreadable {
        what: describe_answer(raw),
        source,
    })
}

fn clean_text(text: &str, fetched_at: DateTime<Utc>) -> Result<Offer> {
    clean_answer_text(text, fetched_at).map_err(|source| Error::Unreadable {
        what: serde_json::from_str(text)
            .map(|raw| describe_answer(&raw))
            .unwrap_or_else(|_| "an unnamed offer".to_owned()),
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
    parts: Parts<'_>,
    record_price: bool,
) -> rusqlite::Result<SaveOutcome> {
    let id = offer.offer_id.as_str();
    // The offer as stored, with its supplier: one lookup for both.
    let existing: Option<Existing> = tx
        .prepare_cached(
            "SELECT o.source AS offer_source, s.* FROM offers o
                 LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
             WHERE o.offer_id = ?1",
        )?
        .query_row([id], |r| {
            let supplier = match r.get::<_, Option<String>>("supplier_key")? {
                Some(key) => Some((key, super::read::supplier_from_row(r)?)),
                None => None,
            };
            Ok(Existing {
                source: r.get("offer_source")?,
                supplier,
            })
        })
        .optional()?;
    let existing_is_detail = existing
        .as_ref()
        .and_then(|e| SourceApi::parse(&e.source))
        .is_some_and(SourceApi::is_detail);

    let previous = existing.as_ref().and_then(|e| e.supplier.as_ref());
    let supplier = save_supplier(tx, offer, previous)?;
    // The supplier's signals over time: like price points, only fresh details observe them
    // (search items round the repurchase rate, so they would flip it back and forth).
    if let Some((key, stored)) = supplier
        .as_ref()
        .filter(|_| record_price && offer.source.is_detail())
    {
        super::supplier_history::observe(tx, key, stored, offer.fetched_at)?;
    }
    let supplier_key = supplier.map(|(key, _)| key);

    // A search result knows less than a detail answer: it may refresh what it shows, never
    // replace the tiers, SKUs and supplier a detail answer brought.
    if !offer.source.is_detail() && existing_is_detail {
        tx.prepare_cached(
            "UPDATE offers SET listed_price = ?2, month_sold = COALESCE(?3, month_sold),
                 offer_repurchase_bp = COALESCE(?4, offer_repurchase_bp)
             WHERE offer_id = ?1",
        )?
        .execute(params![
            id,
            offer.listed_price,
            offer.month_sold,
            offer.repurchase_rate
        ])?;
        super::search::keys::follow_sales(tx, id)?;
        if let Some(raw) = parts.raw {
            save_raw(tx, offer, raw)?;
        }
        return Ok(SaveOutcome::default());
    }

    let (steps, basis) = price_steps(offer);
    // `skus` is NULL: SKUs are read with the other display facts (`store/parts.rs`).
    let rowid: i64 = tx.prepare_cached("INSERT INTO offers (offer_id, title, title_en, category_id, category_name, extras, unit, moq,
             minimum_order, batch_size, quote_type, retail_price, listed_price, consign_price,
             lowest_price, supplier_key, origin, unit_weight_g, month_sold, status, source,
             fetched_at, cleaner_version, price_basis, offer_repurchase_bp,
             trade_score_tenths, sold_count, one_piece_dropship, listed_at, tiers, skus)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, NULL)
         ON CONFLICT (offer_id) DO UPDATE SET
             title = excluded.title, title_en = excluded.title_en, category_id = excluded.category_id,
             category_name = excluded.category_name, extras = excluded.extras, unit = excluded.unit,
             moq = excluded.moq, minimum_order = excluded.minimum_order, batch_size = excluded.batch_size,
             quote_type = excluded.quote_type, retail_price = excluded.retail_price,
             listed_price = excluded.listed_price, consign_price = excluded.consign_price,
             lowest_price = excluded.lowest_price, supplier_key = excluded.supplier_key,
             origin = excluded.origin, unit_weight_g = excluded.unit_weight_g,
             month_sold = COALESCE(excluded.month_sold, month_sold), status = excluded.status,
             source = excluded.source,
             fetched_at = excluded.fetched_at,
             cleaner_version = excluded.cleaner_version, price_basis = excluded.price_basis,
             offer_repurchase_bp = COALESCE(excluded.offer_repurchase_bp, offer_repurchase_bp),
             trade_score_tenths = excluded.trade_score_tenths, sold_count = excluded.sold_count,
             one_piece_dropship = excluded.one_piece_dropship, listed_at = excluded.listed_at,
             tiers = excluded.tiers, skus = excluded.skus
         RETURNING rowid")?.query_row(
        params![
            id, offer.title, offer.title_en,
            offer.category.as_ref().and_then(|c| c.id.clone()),
            offer.category.as_ref().and_then(|c| c.name.clone()),
            parts.extras.map(PackedAnswer::bytes),
            offer.unit, offer.moq, minimum_order(offer), offer.batch_size,
            offer.quote_type.map(|q| q.code()),
            offer.retail_price, offer.listed_price, offer.consign_price,
            offer.lowest_price(), supplier_key, offer.shipping.origin,
            offer.shipping.unit_weight_grams, offer.month_sold, offer.status,
            offer.source.as_str(), Stamp(offer.fetched_at),
            CLEANER_VERSION, basis.map(super::read::basis_name),
            offer.repurchase_rate, offer.trade_score_tenths,
            offer.sold_count, offer.one_piece_dropship, offer.listed_at.map(Stamp),
            super::parts::tiers_text(&offer.tiers),
        ],
        |r| r.get(0),
    )?;
    if let Some(key) = &supplier_key {
        // A search item's signals, kept under the offer until a detail named the supplier.
        tx.prepare_cached(
            "DELETE FROM suppliers WHERE supplier_key = ?1 AND supplier_key <> ?2
             AND NOT EXISTS (SELECT 1 FROM offers WHERE supplier_key = ?1)",
        )?
        .execute(params![format!("offer:{id}"), key])?;
    }
    super::search::keys::write(
        tx,
        rowid,
        offer.supplier.as_ref().and_then(|s| s.name.as_deref()),
        &steps,
    )?;

    if let Some(raw) = parts.raw {
        save_raw(tx, offer, raw)?;
    }
    // A delisted offer's old prices are no observation of a live price. A new offer has no
    // price point before this one (price points go with their offer).
    let price_point = record_price
        && offer.source.is_detail()
        && !offer.is_delisted()
        && record_price_point(tx, offer, existing.is_some())?;
    // A watched offer's fresh detail is weighed against its alert rules here, in this
    // transaction, whichever fetch brought it. A search item is partial (a listed price, no
    // tiers or SKUs) and a re-cleaned answer is no new observation: neither is weighed. A new
    // offer has no watch (a watch needs its offer stored).
    if record_price && offer.source.is_detail() && existing.is_some() {
        super::alerts::observe(tx, offer)?;
    }
    Ok(SaveOutcome {
        created: existing.is_none(),
        price_point,
    })
}

/// An offer as stored before this write: its source and its supplier (key and row).
struct Existing {
    source: String,
    supplier: Option<(String, Supplier)>,
}

/// Stores the offer's supplier and returns its key and row as now stored. What this answer
/// does not say is taken from what earlier answers said of the same supplier (`previous`, the
/// stored offer's: a detail has no 诚信通 years, a search item no name); a supplier a search
/// item cannot name is kept under `offer:<id>`.
fn save_supplier(
    tx: &Transaction<'_>,
    offer: &Offer,
    previous: Option<&(String, Supplier)>,
) -> rusqlite::Result<Option<(String, Supplier)>> {
    let Some(mut supplier) = offer.supplier.clone() else {
        return Ok(None);
    };
    let id = offer.offer_id.as_str();
    let own_key = supplier.key();
    if let Some((previous_key, earlier)) = previous {
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
    tx.prepare_cached("INSERT INTO suppliers (supplier_key, name, login_id, open_id, province, city, tp_years,
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
             updated_at = excluded.updated_at
         RETURNING *")?.query_row(
        params![
            key, s.name, s.login_id, s.open_id, s.province, s.city, s.tp_years,
            s.scores.composite, badges.power_merchant, badges.super_factory, badges.tp_member,
            s.badges.is_some(), s.repurchase_rate, s.trade_medal_level,
            scores, s.pickup_48h_rate,
            s.quality_refund_rate, Stamp(offer.fetched_at),
        ],
        super::read::supplier_from_row,
    ).map(|stored| Some((key, stored)))
}

fn save_raw(tx: &Transaction<'_>, offer: &Offer, raw: &PackedAnswer) -> rusqlite::Result<()> {
    super::raw_answers::save(
        tx,
        offer.offer_id.as_str(),
        offer.source.as_str(),
        raw,
        &Stamp(offer.fetched_at),
    )
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

/// Records a price point when prices differ from the last one or it is older than the interval;
/// `stored_before` is false for an offer stored just now, which has no last one.
fn record_price_point(
    tx: &Transaction<'_>,
    offer: &Offer,
    stored_before: bool,
) -> rusqlite::Result<bool> {
    let tiers = serde_json::to_string(&offer.tiers).expect("tiers serialize");
    let sku_prices = offer.skus.iter().filter_map(|s| s.price);
    let (sku_low, sku_high) = (sku_prices.clone().min(), sku_prices.max());
    let skus = super::history::sku_prices_json(offer);
    let last = match stored_before {
        false => None,
        true => tx
            .prepare_cached(
                "SELECT observed_at, lowest_price, tiers, sku_low, sku_high, skus FROM price_points
                 WHERE offer_id = ?1 ORDER BY observed_at DESC LIMIT 1",
            )?
            .query_row([offer.offer_id.as_str()], |r| {
                let observed_at: Stamp = r.get(0)?;
                let prices: (Option<Money>, String, Option<Money>, Option<Money>) =
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                Ok((observed_at.0, prices, r.get::<_, Option<String>>(5)?))
            })
            .optional()?,
    };
    if let Some((at, prices, last_skus)) = &last {
        let same_prices = *prices == (offer.lowest_price(), tiers.clone(), sku_low, sku_high)
            && *last_skus == skus;
        let recent = offer.fetched_at.signed_duration_since(at) < PRICE_POINT_INTERVAL;
        if same_prices && recent {
            return Ok(false);
        }
    }
    let inserted = tx.prepare_cached("INSERT OR IGNORE INTO price_points (offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
        params![
            offer.offer_id.as_str(), Stamp(offer.fetched_at), offer.lowest_price(),
            tiers, sku_low, sku_high, skus,
        ],
    )?;
    Ok(inserted == 1)
}

/// A stored raw answer as `recheck` reads it: its sort key (offer ID, whether it is a detail,
/// its source), its packed body and when it was fetched.
type StoredAnswer = ((String, bool, String), Vec<u8>, Stamp);

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
            let batch: Vec<StoredAnswer> = {
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
            let cleaned: Vec<Offer> = batch
                .iter()
                .filter_map(|(_, body, fetched_at)| {
                    let text = super::raw_answers::unpack(body)?;
                    clean_answer_text(&text, fetched_at.0).ok()
                })
                .collect();
            // A batch in one transaction, in the order read: a detail after its offer's search
            // item, so the fuller offer is the one kept. Each answer stays stored, and the
            // offer's display facts are read from it.
            let parts = Parts {
                raw: None,
                extras: None,
            };
            let writes: Vec<(&Offer, Parts<'_>)> =
                cleaned.iter().map(|offer| (offer, parts)).collect();
            for written in self.write_group(&writes, false, false)? {
                written?;
            }
            report.checked += batch.len() as u64;
            report.failed += (batch.len() - cleaned.len()) as u64;
            progress(report.checked);
            after = last;
        }
        Ok(report)
    }
}
