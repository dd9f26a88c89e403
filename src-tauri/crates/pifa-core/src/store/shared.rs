//! This desktop's copy of what its team shares (team mode). The team database is the truth;
//! this store keeps a copy so pages read fast and still show the team's data while the server
//! is unreachable. The copy's shortlists carry the team's ids and who made or added what.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::codec::Stamp;
use super::Store;
use crate::{OfferId, Result};

/// A team shortlist as the team database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedShortlist {
    pub shortlist_id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One offer on a team shortlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEntry {
    pub shortlist_id: i64,
    pub offer_id: OfferId,
    pub note: String,
    pub target_qty: Option<u32>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// The answer an offer was last stored from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub text: String,
    pub fetched_at: DateTime<Utc>,
}

impl Store {
    /// The answer `offer_id` was last stored from (detail or search item), as 1688 sent it.
    pub fn stored_answer(&self, offer_id: &OfferId) -> Result<Option<StoredAnswer>> {
        let row: Option<(Vec<u8>, Stamp)> = self
            .conn
            .prepare_cached(
                "SELECT r.body, o.fetched_at FROM offers o
                 JOIN raw_answers r ON r.offer_id = o.offer_id AND r.source = o.source
                 WHERE o.offer_id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([offer_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.error("reading a stored answer", e))?;
        Ok(row.and_then(|(body, fetched_at)| {
            super::raw_answers::unpack(&body).map(|text| StoredAnswer {
                text,
                fetched_at: fetched_at.0,
            })
        }))
    }

    /// When each of these offers was fetched, for those stored.
    pub fn fetched_at_of(&self, offer_ids: &[OfferId]) -> Result<HashMap<OfferId, DateTime<Utc>>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT fetched_at FROM offers WHERE offer_id = ?1")
            .map_err(|e| self.error("reading offers", e))?;
        let mut found = HashMap::new();
        for id in offer_ids {
            let at: Option<Stamp> = statement
                .query_row([id.as_str()], |r| r.get(0))
                .optional()
                .map_err(|e| self.error("reading offers", e))?;
            if let Some(at) = at {
                found.insert(id.clone(), at.0);
            }
        }
        Ok(found)
    }

    /// Makes this copy's shortlists the team's, in one transaction. Entries whose offer this
    /// store lacks are left out (the caller imports offers first).
    pub fn replace_shortlists(
        &mut self,
        lists: &[SharedShortlist],
        entries: &[SharedEntry],
    ) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "copying the team's shortlists", e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute("DELETE FROM shortlist_items", [])
            .map_err(fail)?;
        tx.execute("DELETE FROM shortlists", []).map_err(fail)?;
        {
            let mut list = tx
                .prepare(
                    "INSERT INTO shortlists (shortlist_id, name, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(fail)?;
            for l in lists {
                list.execute(params![
                    l.shortlist_id,
                    l.name,
                    Stamp(l.created_at),
                    l.created_by
                ])
                .map_err(fail)?;
            }
            let mut entry = tx
                .prepare(
                    "INSERT INTO shortlist_items (shortlist_id, offer_id, note, target_qty, added_at, added_by)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM offers WHERE offer_id = ?2)",
                )
                .map_err(fail)?;
            for e in entries {
                entry
                    .execute(params![
                        e.shortlist_id,
                        e.offer_id.as_str(),
                        e.note,
                        e.target_qty,
                        Stamp(e.added_at),
                        e.added_by
                    ])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }
}

/// One sealed contact field of the team's supplier book: (supplier, field, sealed value).
pub type SharedContact = (String, String, Vec<u8>);

impl Store {
    /// Makes this copy's supplier contacts the team's (sealed with the team key), at once.
    pub fn replace_all_sealed_contacts(
        &mut self,
        contacts: &[SharedContact],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "copying the team's supplier book", e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute("DELETE FROM supplier_contacts", [])
            .map_err(fail)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO supplier_contacts (supplier_key, field, sealed, updated_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(fail)?;
            for (supplier, field, sealed) in contacts {
                insert
                    .execute(params![supplier, field, sealed, Stamp(now)])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }
}
