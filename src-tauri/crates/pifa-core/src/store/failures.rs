//! Offers whose fetches keep failing. Five serious (non-transient) failures in a row pause an
//! offer for an hour, so a batch or a watch stops spending calls on it; a pause is visible and
//! can be lifted early.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::{OfferId, Result};

pub const FAILURES_BEFORE_PAUSE: u32 = 5;
pub const PAUSE: Duration = Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PausedOffer {
    pub offer_id: String,
    pub consecutive_failures: u32,
    pub last_code: String,
    pub last_message: String,
    #[ts(type = "string")]
    pub paused_until: DateTime<Utc>,
}

impl Store {
    /// Until when an offer is paused, if it is now.
    pub fn paused_until(
        &self,
        offer_id: &OfferId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        // Asked once for every watch a list shows: the statement is kept prepared.
        let until: Option<Option<Stamp>> = self
            .conn
            .prepare_cached("SELECT paused_until FROM fetch_failures WHERE offer_id = ?1")
            .and_then(|mut asked| {
                asked
                    .query_row([offer_id.as_str()], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.error("reading fetch failures", e))?;
        Ok(until.flatten().map(DateTime::from).filter(|t| *t > now))
    }

    /// Counts a serious failure; returns the pause it started, if this one did.
    pub fn record_fetch_failure(
        &mut self,
        offer_id: &OfferId,
        code: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let count: u32 = self
            .conn
            .query_row(
                "INSERT INTO fetch_failures (offer_id, consecutive_failures, last_code, last_message, last_failure_at)
                 VALUES (?1, 1, ?2, ?3, ?4)
                 ON CONFLICT (offer_id) DO UPDATE SET consecutive_failures = consecutive_failures + 1,
                     last_code = excluded.last_code, last_message = excluded.last_message,
                     last_failure_at = excluded.last_failure_at
                 RETURNING consecutive_failures",
                params![offer_id.as_str(), code, message, Stamp(now)],
                |r| r.get(0),
            )
            .map_err(|e| self.error("recording a fetch failure", e))?;
        if count < FAILURES_BEFORE_PAUSE {
            return Ok(None);
        }
        let until = now + PAUSE;
        self.conn
            .execute(
                "UPDATE fetch_failures SET paused_until = ?2, consecutive_failures = 0 WHERE offer_id = ?1",
                params![offer_id.as_str(), Stamp(until)],
            )
            .map_err(|e| self.error("pausing an offer", e))?;
        Ok(Some(until))
    }

    /// A success ends the run of failures.
    pub fn clear_fetch_failures(&mut self, offer_id: &OfferId) -> Result<()> {
        forget(&self.conn, offer_id.as_str()).map_err(|e| self.error("clearing fetch failures", e))
    }

    pub fn paused_offers(&self, now: DateTime<Utc>) -> Result<Vec<PausedOffer>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT offer_id, consecutive_failures, last_code, last_message, paused_until FROM fetch_failures
                 WHERE paused_until > ?1 ORDER BY paused_until",
            )
            .map_err(|e| self.error("listing paused offers", e))?;
        let rows = statement
            .query_map([Stamp(now)], |r| {
                Ok(PausedOffer {
                    offer_id: r.get(0)?,
                    consecutive_failures: r.get(1)?,
                    last_code: r.get(2)?,
                    last_message: r.get(3)?,
                    paused_until: r.get::<_, Stamp>(4)?.0,
                })
            })
            .map_err(|e| self.error("listing paused offers", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("listing paused offers", e))
    }

    /// Lifts the pause of the given offers, or of all of them; returns how many were lifted.
    pub fn resume_offers(&mut self, offer_ids: &[OfferId]) -> Result<u64> {
        let lifted = if offer_ids.is_empty() {
            self.conn.execute(
                "DELETE FROM fetch_failures WHERE paused_until IS NOT NULL",
                [],
            )
        } else {
            let mut total = 0;
            for id in offer_ids {
                total += self
                    .conn
                    .execute("DELETE FROM fetch_failures WHERE offer_id = ?1 AND paused_until IS NOT NULL", [id.as_str()])
                    .map_err(|e| self.error("resuming an offer", e))?;
            }
            Ok(total)
        };
        lifted
            .map(|n| n as u64)
            .map_err(|e| self.error("resuming offers", e))
    }
}

/// Ends an offer's run of failures, in the caller's transaction (a batch forgets them in the
/// one that stores the offer).
pub(super) fn forget(conn: &rusqlite::Connection, offer_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM fetch_failures WHERE offer_id = ?1")?
        .execute([offer_id])
        .map(drop)
}
