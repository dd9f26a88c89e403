//! The team's offers, each as 1688 answered it (every desktop cleans it itself, as it would its
//! own fetch), with when and by whom it was fetched: what one member fetched, the others reuse
//! within the cache lifetime, and what a shared shortlist or pick run names, every desktop can
//! show.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use pifa_core::offer::OfferId;
use pifa_core::store::StoredAnswer;
use pifa_core::team::TeamError;

use crate::error::failed;
use crate::{Member, TeamDb};

/// An answer larger than any 1688 sends is not taken from the team database either.
const MAX_ANSWER_BYTES: i32 = pifa_core::protocol::client::MAX_ANSWER_BYTES as i32;

impl TeamDb {
    /// The answers the team holds for these offers, however old.
    pub async fn offer_answers(
        &self,
        offer_ids: &[OfferId],
    ) -> Result<Vec<(OfferId, StoredAnswer)>, TeamError> {
        // No offer was fetched before 1970; PostgreSQL has no room for chrono's earliest time.
        self.answers(offer_ids, DateTime::<Utc>::UNIX_EPOCH).await
    }

    /// The team's answers for these offers fetched after `since` (within the cache lifetime):
    /// other members' fetches, reused instead of calling 1688 again.
    pub async fn fresh_answers(
        &self,
        offer_ids: &[OfferId],
        since: DateTime<Utc>,
    ) -> Result<Vec<(OfferId, StoredAnswer)>, TeamError> {
        self.answers(offer_ids, since).await
    }

    async fn answers(
        &self,
        offer_ids: &[OfferId],
        since: DateTime<Utc>,
    ) -> Result<Vec<(OfferId, StoredAnswer)>, TeamError> {
        if offer_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = offer_ids.iter().map(OfferId::as_str).collect();
        let rows = self
            .client()
            .await
            .query(
                "SELECT offer_id, answer, fetched_at FROM pifa.offers
                 WHERE offer_id = ANY($1) AND fetched_at > $2 AND octet_length(answer) <= $3",
                &[&ids, &since, &MAX_ANSWER_BYTES],
            )
            .await
            .map_err(failed("reading the team's offers"))?;
        // Rows another desktop wrote: an unreadable ID is skipped, never trusted.
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let offer_id = OfferId::parse(r.get::<_, &str>(0)).ok()?;
                let answer = StoredAnswer {
                    text: r.get(1),
                    fetched_at: r.get(2),
                };
                Some((offer_id, answer))
            })
            .collect())
    }

    /// When the team's copy of each of these offers was fetched; offers it lacks are absent.
    pub async fn offer_times(
        &self,
        offer_ids: &[OfferId],
    ) -> Result<HashMap<OfferId, DateTime<Utc>>, TeamError> {
        let ids: Vec<&str> = offer_ids.iter().map(OfferId::as_str).collect();
        let rows = self
            .client()
            .await
            .query(
                "SELECT offer_id, fetched_at FROM pifa.offers WHERE offer_id = ANY($1)",
                &[&ids],
            )
            .await
            .map_err(failed("reading the team's offers"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((OfferId::parse(r.get::<_, &str>(0)).ok()?, r.get(1))))
            .collect())
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
pub(crate) async fn share_offer(
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
