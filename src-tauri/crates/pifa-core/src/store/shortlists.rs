//! Shortlists: named lists of offers the buyer is weighing, each offer with a note and an
//! optional target quantity. A shortlist is compared by pricing every offer at one quantity with
//! the same tier math as the offer page, cheapest total first.

use chrono::{DateTime, Utc};
use rusqlite::{params, ErrorCode, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::tiers::{order_quote, OrderQuote};
use crate::offer::{Offer, Supplier, Tier};
use crate::{Error, OfferId, Result};

/// Longest shortlist name, in characters.
const NAME_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Shortlist {
    #[ts(type = "number")]
    pub shortlist_id: i64,
    pub name: String,
    pub offers: u32,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// The team member who made it (team mode); `null` on this computer's own lists.
    pub created_by: Option<String>,
}

/// One offer of a shortlist, priced for the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShortlistRow {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub title_en: Option<String>,
    /// The offer's main picture.
    pub image: Option<String>,
    pub unit: Option<String>,
    pub moq: Option<u32>,
    pub tiers: Vec<Tier>,
    pub supplier: Option<Supplier>,
    /// The quantity this row is priced at: the comparison's, else the row's own target, else
    /// the offer's minimum order.
    pub quantity: u32,
    pub quote: OrderQuote,
    pub note: String,
    pub target_qty: Option<u32>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub added_at: DateTime<Utc>,
    /// The team member who added it (team mode); `null` on this computer's own lists.
    pub added_by: Option<String>,
    /// The supplier's 混批 minimums against all the list orders from it; `null` without 混批.
    pub mix: Option<crate::compare::MixCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShortlistQuery {
    #[ts(type = "number")]
    pub shortlist_id: i64,
    /// Price every offer at this many pieces; `null` uses each row's own target.
    pub quantity: Option<u32>,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShortlistPage {
    pub shortlist: Shortlist,
    pub page: u32,
    pub page_size: u32,
    /// Offers on the list in all.
    pub total: u32,
    /// Cheapest total first; offers that cannot be priced last.
    pub rows: Vec<ShortlistRow>,
}

/// A shortlist name as kept: trimmed, 1 to 60 characters, no control characters.
pub fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::ShortlistBadName(name.to_owned()));
    }
    Ok(name.to_owned())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

/// Prices a shortlist's offers for comparison: every row at its quantity, ranked by total.
pub fn compare(rows: &mut [ShortlistRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &ShortlistRow| r.quote.quote.as_ref().map(|q| (q.total, q.unit_price));
        match (key(a), key(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.offer_id.cmp(&b.offer_id))
    });
}

impl Store {
    pub fn create_shortlist(&mut self, name: &str, now: DateTime<Utc>) -> Result<Shortlist> {
        let name = checked_name(name)?;
        match self.conn.execute(
            "INSERT INTO shortlists (name, created_at) VALUES (?1, ?2)",
            params![name, Stamp(now)],
        ) {
            Ok(_) => self.shortlist(self.conn.last_insert_rowid()),
            Err(e) if is_unique_violation(&e) => Err(Error::ShortlistNameTaken(name)),
            Err(e) => Err(self.error("creating a shortlist", e)),
        }
    }

    pub fn rename_shortlist(&mut self, shortlist_id: i64, name: &str) -> Result<Shortlist> {
        let name = checked_name(name)?;
        match self.conn.execute(
            "UPDATE shortlists SET name = ?2 WHERE shortlist_id = ?1",
            params![shortlist_id, name],
        ) {
            Ok(0) => Err(Error::ShortlistNotFound(shortlist_id)),
            Ok(_) => self.shortlist(shortlist_id),
            Err(e) if is_unique_violation(&e) => Err(Error::ShortlistNameTaken(name)),
            Err(e) => Err(self.error("renaming a shortlist", e)),
        }
    }

    /// Deletes a shortlist and its entries; the offers stay stored.
    pub fn delete_shortlist(&mut self, shortlist_id: i64) -> Result<()> {
        let deleted = self
            .conn
            .execute(
                "DELETE FROM shortlists WHERE shortlist_id = ?1",
                [shortlist_id],
            )
            .map_err(|e| self.error("deleting a shortlist", e))?;
        match deleted {
            0 => Err(Error::ShortlistNotFound(shortlist_id)),
            _ => Ok(()),
        }
    }

    pub fn shortlist(&self, shortlist_id: i64) -> Result<Shortlist> {
        self.conn
            .query_row(
                "SELECT s.shortlist_id, s.name, s.created_at,
                        (SELECT COUNT(*) FROM shortlist_items i WHERE i.shortlist_id = s.shortlist_id),
                        s.created_by
                 FROM shortlists s WHERE s.shortlist_id = ?1",
                [shortlist_id],
                shortlist_from_row,
            )
            .optional()
            .map_err(|e| self.error("reading a shortlist", e))?
            .ok_or(Error::ShortlistNotFound(shortlist_id))
    }

    /// Every shortlist, by name.
    pub fn shortlists(&self) -> Result<Vec<Shortlist>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT s.shortlist_id, s.name, s.created_at,
                        (SELECT COUNT(*) FROM shortlist_items i WHERE i.shortlist_id = s.shortlist_id),
                        s.created_by
                 FROM shortlists s ORDER BY s.name",
            )
            .map_err(|e| self.error("listing shortlists", e))?;
        let rows = statement
            .query_map([], shortlist_from_row)
            .map_err(|e| self.error("listing shortlists", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("listing shortlists", e))
    }

    /// Adds a stored offer to a shortlist; adding it again keeps its note and target.
    pub fn add_to_shortlist(
        &mut self,
        shortlist_id: i64,
        offer_id: &OfferId,
        now: DateTime<Utc>,
    ) -> Result<Shortlist> {
        self.shortlist(shortlist_id)?;
        self.offer(offer_id)?;
        self.conn
            .execute(
                "INSERT INTO shortlist_items (shortlist_id, offer_id, added_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (shortlist_id, offer_id) DO NOTHING",
                params![shortlist_id, offer_id.as_str(), Stamp(now)],
            )
            .map_err(|e| self.error("adding to a shortlist", e))?;
        self.shortlist(shortlist_id)
    }

    pub fn remove_from_shortlist(
        &mut self,
        shortlist_id: i64,
        offer_id: &OfferId,
    ) -> Result<Shortlist> {
        self.conn
            .execute(
                "DELETE FROM shortlist_items WHERE shortlist_id = ?1 AND offer_id = ?2",
                params![shortlist_id, offer_id.as_str()],
            )
            .map_err(|e| self.error("removing from a shortlist", e))?;
        self.shortlist(shortlist_id)
    }

    /// Sets the buyer's note and target quantity for one offer on a shortlist.
    pub fn set_shortlist_entry(
        &mut self,
        shortlist_id: i64,
        offer_id: &OfferId,
        note: &str,
        target_qty: Option<u32>,
    ) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE shortlist_items SET note = ?3, target_qty = ?4
                 WHERE shortlist_id = ?1 AND offer_id = ?2",
                params![shortlist_id, offer_id.as_str(), note.trim(), target_qty],
            )
            .map_err(|e| self.error("saving a shortlist note", e))?;
        match changed {
            0 => Err(Error::OfferNotFound(offer_id.to_string())),
            _ => Ok(()),
        }
    }

    /// Which shortlists hold an offer.
    pub fn shortlists_of(&self, offer_id: &OfferId) -> Result<Vec<i64>> {
        let mut statement = self
            .conn
            .prepare("SELECT shortlist_id FROM shortlist_items WHERE offer_id = ?1")
            .map_err(|e| self.error("reading shortlists", e))?;
        let rows = statement
            .query_map([offer_id.as_str()], |r| r.get(0))
            .map_err(|e| self.error("reading shortlists", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("reading shortlists", e))
    }

    /// Every offer of a shortlist priced at the query's quantity, ranked cheapest first.
    pub fn shortlist_rows(
        &self,
        shortlist_id: i64,
        quantity: Option<u32>,
    ) -> Result<Vec<ShortlistRow>> {
        type Entry = (String, String, Option<u32>, Stamp, Option<String>);
        let entries: Vec<Entry> = {
            let mut statement = self
                .conn
                .prepare(
                    "SELECT offer_id, note, target_qty, added_at, added_by FROM shortlist_items
                     WHERE shortlist_id = ?1",
                )
                .map_err(|e| self.error("reading a shortlist", e))?;
            let rows = statement
                .query_map([shortlist_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(|e| self.error("reading a shortlist", e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.error("reading a shortlist", e))?
        };
        let mut rows = Vec::with_capacity(entries.len());
        let mut orders = Vec::with_capacity(entries.len());
        for (offer_id, note, target_qty, added_at, added_by) in entries {
            let offer = self.offer(&OfferId::parse(&offer_id)?)?;
            let (key, terms) = (
                offer.supplier.as_ref().and_then(Supplier::key),
                offer.mixed_batch,
            );
            let mut row = row(offer, quantity, note, target_qty, added_at.0);
            row.added_by = added_by;
            let quote = row.quote.quote.as_ref();
            orders.push((
                key,
                terms,
                quote.map(|q| q.total),
                quote.map(|q| q.billed_qty),
            ));
            rows.push(row);
        }
        for (row, mix) in rows.iter_mut().zip(crate::compare::mix_checks(&orders)) {
            row.mix = mix;
        }
        compare(&mut rows);
        Ok(rows)
    }

    /// One page of a shortlist's comparison.
    pub fn shortlist_page(&self, query: &ShortlistQuery) -> Result<ShortlistPage> {
        let shortlist = self.shortlist(query.shortlist_id)?;
        let rows = self.shortlist_rows(query.shortlist_id, query.quantity)?;
        let page_size = query.page_size.clamp(1, 200);
        let page = query.page.max(1);
        let skip = (page as usize - 1) * page_size as usize;
        Ok(ShortlistPage {
            total: rows.len() as u32,
            rows: rows
                .into_iter()
                .skip(skip)
                .take(page_size as usize)
                .collect(),
            shortlist,
            page,
            page_size,
        })
    }
}

fn shortlist_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Shortlist> {
    Ok(Shortlist {
        shortlist_id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get::<_, Stamp>(2)?.0,
        offers: r.get(3)?,
        created_by: r.get(4)?,
    })
}

fn row(
    offer: Offer,
    quantity: Option<u32>,
    note: String,
    target_qty: Option<u32>,
    added_at: DateTime<Utc>,
) -> ShortlistRow {
    let minimum = crate::offer::tiers::minimum_order(&offer);
    let quantity = quantity.or(target_qty).unwrap_or(minimum).max(1);
    ShortlistRow {
        quote: order_quote(&offer, quantity, None),
        image: offer.images.into_iter().next(),
        offer_id: offer.offer_id,
        title: offer.title,
        title_en: offer.title_en,
        unit: offer.unit,
        moq: offer.moq,
        tiers: offer.tiers,
        supplier: offer.supplier,
        quantity,
        note,
        target_qty,
        fetched_at: offer.fetched_at,
        added_at,
        added_by: None,
        mix: None,
    }
}
