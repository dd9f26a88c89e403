//! Team shortlists. The offers on them are shared with them (`offers.rs`); edits are rows of
//! their own (an entry per offer), so members editing at once never overwrite each other's
//! additions.

use chrono::{DateTime, Utc};
use pifa_core::offer::OfferId;
use pifa_core::store::{SharedEntry, SharedShortlist, StoredAnswer};
use pifa_core::team::TeamError;
use tokio_postgres::error::SqlState;

use crate::error::failed;
use crate::offers::share_offer;
use crate::{Member, TeamDb};

/// The team's shortlists with their entries, and when each listed offer was fetched.
#[derive(Debug, Clone, Default)]
pub struct ShortlistSnapshot {
    pub lists: Vec<SharedShortlist>,
    pub entries: Vec<SharedEntry>,
    pub offers: Vec<(OfferId, DateTime<Utc>)>,
}

fn name_taken(name: &str) -> impl FnOnce(tokio_postgres::Error) -> TeamError + '_ {
    move |error| {
        if error.code() == Some(&SqlState::UNIQUE_VIOLATION) {
            TeamError::ShortlistNameTaken(name.to_owned())
        } else {
            failed("saving a team shortlist")(error)
        }
    }
}

impl TeamDb {
    /// `name` is checked by the caller (the same rule as this computer's lists).
    pub async fn create_shortlist(&self, name: &str, me: &Member) -> Result<i64, TeamError> {
        self.check_writable()?;
        let row = self
            .client()
            .await
            .query_one(
                "INSERT INTO pifa.shortlists (name, created_by) VALUES ($1, $2) RETURNING shortlist_id",
                &[&name, &me.member_id],
            )
            .await
            .map_err(name_taken(name))?;
        Ok(row.get(0))
    }

    pub async fn rename_shortlist(&self, shortlist_id: i64, name: &str) -> Result<(), TeamError> {
        self.check_writable()?;
        let changed = self
            .client()
            .await
            .execute(
                "UPDATE pifa.shortlists SET name = $2 WHERE shortlist_id = $1",
                &[&shortlist_id, &name],
            )
            .await
            .map_err(name_taken(name))?;
        found(changed, shortlist_id)
    }

    pub async fn delete_shortlist(&self, shortlist_id: i64) -> Result<(), TeamError> {
        self.check_writable()?;
        let deleted = self
            .client()
            .await
            .execute(
                "DELETE FROM pifa.shortlists WHERE shortlist_id = $1",
                &[&shortlist_id],
            )
            .await
            .map_err(failed("deleting a team shortlist"))?;
        found(deleted, shortlist_id)
    }

    /// Adds an offer, sharing its answer with the team in the same transaction; adding it again
    /// keeps its note and target.
    pub async fn add_to_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &OfferId,
        answer: &StoredAnswer,
        me: &Member,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let mut client = self.client().await;
        let tx = client
            .transaction()
            .await
            .map_err(failed("adding to a team shortlist"))?;
        share_offer(&tx, offer_id, answer, me).await?;
        let added = tx
            .execute(
                "INSERT INTO pifa.shortlist_items (shortlist_id, offer_id, added_by)
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM pifa.shortlists WHERE shortlist_id = $1)
                 ON CONFLICT (shortlist_id, offer_id) DO NOTHING",
                &[&shortlist_id, &offer_id.as_str(), &me.member_id],
            )
            .await
            .map_err(failed("adding to a team shortlist"))?;
        if added == 0 {
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM pifa.shortlists WHERE shortlist_id = $1",
                    &[&shortlist_id],
                )
                .await
                .map_err(failed("adding to a team shortlist"))?
                .is_some();
            if !exists {
                return Err(TeamError::ShortlistNotFound(shortlist_id));
            }
        }
        tx.commit()
            .await
            .map_err(failed("adding to a team shortlist"))
    }

    pub async fn remove_from_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &OfferId,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        self.client()
            .await
            .execute(
                "DELETE FROM pifa.shortlist_items WHERE shortlist_id = $1 AND offer_id = $2",
                &[&shortlist_id, &offer_id.as_str()],
            )
            .await
            .map_err(failed("removing from a team shortlist"))?;
        Ok(())
    }

    pub async fn set_shortlist_entry(
        &self,
        shortlist_id: i64,
        offer_id: &OfferId,
        note: &str,
        target_qty: Option<u32>,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let target = target_qty.map(|q| i32::try_from(q).unwrap_or(i32::MAX));
        let changed = self
            .client()
            .await
            .execute(
                "UPDATE pifa.shortlist_items SET note = $3, target_qty = $4
                 WHERE shortlist_id = $1 AND offer_id = $2",
                &[&shortlist_id, &offer_id.as_str(), &note.trim(), &target],
            )
            .await
            .map_err(failed("saving a team shortlist note"))?;
        if changed == 0 {
            return Err(TeamError::NotOnShortlist(offer_id.to_string()));
        }
        Ok(())
    }

    /// Every team shortlist and entry, with who made or added it (by the name they go by now).
    pub async fn shortlists_snapshot(&self) -> Result<ShortlistSnapshot, TeamError> {
        let client = self.client().await;
        let doing = "reading the team's shortlists";
        let lists = client
            .query(
                "SELECT s.shortlist_id, s.name, coalesce(m.name, s.created_by), s.created_at
                 FROM pifa.shortlists s LEFT JOIN pifa.members m ON m.member_id = s.created_by",
                &[],
            )
            .await
            .map_err(failed(doing))?
            .into_iter()
            .map(|r| SharedShortlist {
                shortlist_id: r.get(0),
                name: r.get(1),
                created_by: r.get(2),
                created_at: r.get(3),
            })
            .collect();
        let mut entries = Vec::new();
        let mut offers = Vec::new();
        for r in client
            .query(
                "SELECT i.shortlist_id, i.offer_id, i.note, i.target_qty,
                        coalesce(m.name, i.added_by), i.added_at, o.fetched_at
                 FROM pifa.shortlist_items i
                 JOIN pifa.offers o ON o.offer_id = i.offer_id
                 LEFT JOIN pifa.members m ON m.member_id = i.added_by",
                &[],
            )
            .await
            .map_err(failed(doing))?
        {
            // Rows another desktop wrote: an unreadable one is skipped, never trusted.
            let Ok(offer_id) = OfferId::parse(r.get::<_, &str>(1)) else {
                continue;
            };
            let target: Option<i32> = r.get(3);
            offers.push((offer_id.clone(), r.get(6)));
            entries.push(SharedEntry {
                shortlist_id: r.get(0),
                offer_id,
                note: r.get(2),
                target_qty: target.and_then(|q| u32::try_from(q).ok()),
                added_by: r.get(4),
                added_at: r.get(5),
            });
        }
        offers.sort();
        offers.dedup();
        Ok(ShortlistSnapshot {
            lists,
            entries,
            offers,
        })
    }
}

fn found(changed: u64, shortlist_id: i64) -> Result<(), TeamError> {
    match changed {
        0 => Err(TeamError::ShortlistNotFound(shortlist_id)),
        _ => Ok(()),
    }
}
