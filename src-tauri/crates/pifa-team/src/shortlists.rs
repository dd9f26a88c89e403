//! Team shortlists and the offers on them. Offers are shared as 1688 answered them, so each
//! desktop cleans them with its own cleaner; edits are rows of their own (an entry per offer),
//! so members editing at once never overwrite each other's additions.

use chrono::{DateTime, Utc};
use pifa_core::offer::OfferId;
use pifa_core::store::{SharedEntry, SharedShortlist, StoredAnswer};
use pifa_core::team::TeamError;
use tokio_postgres::error::SqlState;

use crate::error::failed;
use crate::{Member, TeamDb};

/// An answer larger than any 1688 sends is not taken from the team database either.
const MAX_ANSWER_BYTES: i32 = pifa_core::protocol::client::MAX_ANSWER_BYTES as i32;

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

    /// The answers the team holds for these offers (those no larger than 1688 ever sends).
    pub async fn offer_answers(
        &self,
        offer_ids: &[OfferId],
    ) -> Result<Vec<(OfferId, StoredAnswer)>, TeamError> {
        let ids: Vec<&str> = offer_ids.iter().map(OfferId::as_str).collect();
        let rows = self
            .client()
            .await
            .query(
                "SELECT offer_id, answer, fetched_at FROM pifa.offers
                 WHERE offer_id = ANY($1) AND octet_length(answer) <= $2",
                &[&ids, &MAX_ANSWER_BYTES],
            )
            .await
            .map_err(failed("reading the team's offers"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let offer_id = OfferId::parse(r.get::<_, &str>(0)).ok()?;
                Some((
                    offer_id,
                    StoredAnswer {
                        text: r.get(1),
                        fetched_at: r.get(2),
                    },
                ))
            })
            .collect())
    }
}

impl TeamDb {
    /// The team's answer for an offer if it was fetched after `since` (within the cache
    /// lifetime): another member's fetch, reused instead of calling 1688 again.
    pub async fn fresh_answer(
        &self,
        offer_id: &OfferId,
        since: DateTime<Utc>,
    ) -> Result<Option<StoredAnswer>, TeamError> {
        let row = self
            .client()
            .await
            .query_opt(
                "SELECT answer, fetched_at FROM pifa.offers
                 WHERE offer_id = $1 AND fetched_at > $2 AND octet_length(answer) <= $3",
                &[&offer_id.as_str(), &since, &MAX_ANSWER_BYTES],
            )
            .await
            .map_err(failed("reading the team's offers"))?;
        Ok(row.map(|r| StoredAnswer {
            text: r.get(0),
            fetched_at: r.get(1),
        }))
    }

    /// Shares many answers just fetched (a batch's), in one transaction.
    pub async fn share_answers(
        &self,
        answers: &[(OfferId, StoredAnswer)],
        me: &Member,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let mut client = self.client().await;
        let tx = client
            .transaction()
            .await
            .map_err(failed("sharing offers with the team"))?;
        for (offer_id, answer) in answers {
            share_offer(&tx, offer_id, answer, me).await?;
        }
        tx.commit()
            .await
            .map_err(failed("sharing offers with the team"))
    }

    /// Shares an answer just fetched, unless the team holds a newer one.
    pub async fn share_answer(
        &self,
        offer_id: &OfferId,
        answer: &StoredAnswer,
        me: &Member,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        share_offer(&*self.client().await, offer_id, answer, me).await
    }
}

/// Keeps the newer of the team's copy and this answer.
async fn share_offer(
    client: &impl tokio_postgres::GenericClient,
    offer_id: &OfferId,
    answer: &StoredAnswer,
    me: &Member,
) -> Result<(), TeamError> {
    client
        .execute(
            "INSERT INTO pifa.offers (offer_id, answer, fetched_at, fetched_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (offer_id) DO UPDATE SET answer = excluded.answer,
                 fetched_at = excluded.fetched_at, fetched_by = excluded.fetched_by
             WHERE pifa.offers.fetched_at < excluded.fetched_at",
            &[&offer_id.as_str(), &answer.text, &answer.fetched_at, &me.member_id],
        )
        .await
        .map_err(failed("sharing an offer with the team"))?;
    Ok(())
}

fn found(changed: u64, shortlist_id: i64) -> Result<(), TeamError> {
    match changed {
        0 => Err(TeamError::ShortlistNotFound(shortlist_id)),
        _ => Ok(()),
    }
}
