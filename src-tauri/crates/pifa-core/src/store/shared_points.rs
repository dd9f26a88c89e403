//! Price observations shared with the team (team mode): each desktop sends the `price_points`
//! rows it recorded and keeps the others', so every member's charts hold the whole team's
//! observations, also of days its desktop was off. Two cursors say how far each way went.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::codec::Stamp;
use super::history::HISTORY_RAW_KEPT;
use super::Store;
use crate::offer::Tier;
use crate::{Money, OfferId, Result};

/// One observation of an offer's prices, as `price_points` keeps it (amounts in fen, tiers and
/// SKU prices as JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceObservation {
    pub offer_id: OfferId,
    pub observed_at: DateTime<Utc>,
    pub lowest_price: Option<i64>,
    pub tiers: String,
    pub sku_low: Option<i64>,
    pub sku_high: Option<i64>,
    pub skus: Option<String>,
}

/// Observations sent or taken in one go, at most.
pub const OBSERVATIONS_AT_ONCE: u32 = 5_000;

/// The cursor of what was sent (this copy's `price_points` rowids).
const SENT: &str = "points_sent";
/// The cursor of what was taken (the team's point IDs).
const TAKEN: &str = "points_taken";

fn cursor(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT value FROM team_cursors WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .optional()
    .map(Option::unwrap_or_default)
}

fn set_cursor(conn: &Connection, name: &str, value: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO team_cursors (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )
    .map(drop)
}

impl PriceObservation {
    /// Whether an observation from another desktop reads as one this store would write: its
    /// tiers and SKU prices parse, and it is no larger than any real one.
    fn is_sound(&self) -> bool {
        const MAX_TEXT: usize = 64 * 1024;
        self.tiers.len() <= MAX_TEXT
            && serde_json::from_str::<Vec<Tier>>(&self.tiers).is_ok()
            && self.skus.as_ref().is_none_or(|skus| {
                skus.len() <= MAX_TEXT
                    && serde_json::from_str::<BTreeMap<String, Money>>(skus).is_ok()
            })
    }
}

impl Store {
    /// How far this copy has taken the team's observations (`0` at first).
    pub fn observations_taken(&self) -> Result<i64> {
        cursor(&self.conn, TAKEN).map_err(|e| self.error("reading the team copy's progress", e))
    }

    /// Observations recorded here and not yet sent to the team, oldest first, at most
    /// [`OBSERVATIONS_AT_ONCE`], with the cursor to set once they are sent.
    pub fn observations_to_send(&self) -> Result<(Vec<PriceObservation>, i64)> {
        let fail = |e| self.error("reading price history to share", e);
        let sent = cursor(&self.conn, SENT).map_err(fail)?;
        let mut statement = self
            .conn
            .prepare(
                "SELECT rowid, offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus
                 FROM price_points WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
            )
            .map_err(fail)?;
        let mut cursor = sent;
        let mut found = Vec::new();
        let rows = statement
            .query_map(params![sent, OBSERVATIONS_AT_ONCE], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Stamp>(2)?,
                    (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                ))
            })
            .map_err(fail)?;
        for row in rows {
            let (rowid, offer_id, observed_at, (lowest_price, tiers, sku_low, sku_high, skus)) =
                row.map_err(fail)?;
            cursor = rowid;
            if let Ok(offer_id) = OfferId::parse(&offer_id) {
                found.push(PriceObservation {
                    offer_id,
                    observed_at: observed_at.into(),
                    lowest_price,
                    tiers,
                    sku_low,
                    sku_high,
                    skus,
                });
            }
        }
        Ok((found, cursor))
    }

    /// Marks the observations up to `cursor` as sent.
    pub fn observations_sent(&self, up_to: i64) -> Result<()> {
        set_cursor(&self.conn, SENT, up_to)
            .map_err(|e| self.error("saving the team copy's progress", e))
    }

    /// Keeps the team's observations of offers this copy holds, within the days kept whole
    /// (older days are compacted here already), and marks them taken up to `taken_up_to`, in
    /// one transaction; unsound ones and those held are skipped. Answers how many were new.
    /// When everything recorded here was sent before, what is kept now is marked sent too: it
    /// came from the team.
    pub fn keep_team_observations(
        &mut self,
        observations: &[PriceObservation],
        taken_up_to: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "keeping the team's price history", e);
        let tx = self.conn.transaction().map_err(fail)?;
        let newest = |tx: &rusqlite::Transaction<'_>| {
            tx.query_row(
                "SELECT coalesce(max(rowid), 0) FROM price_points",
                [],
                |r| r.get::<_, i64>(0),
            )
        };
        let before = newest(&tx).map_err(fail)?;
        let sent = cursor(&tx, SENT).map_err(fail)?;
        let oldest = now - HISTORY_RAW_KEPT;
        let mut kept = 0;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO price_points
                         (offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                     WHERE EXISTS (SELECT 1 FROM offers WHERE offer_id = ?1)",
                )
                .map_err(fail)?;
            for o in observations {
                if o.observed_at < oldest || !o.is_sound() {
                    continue;
                }
                kept += insert
                    .execute(params![
                        o.offer_id.as_str(),
                        Stamp(o.observed_at),
                        o.lowest_price,
                        o.tiers,
                        o.sku_low,
                        o.sku_high,
                        o.skus
                    ])
                    .map_err(fail)?;
            }
        }
        if sent >= before {
            set_cursor(&tx, SENT, newest(&tx).map_err(fail)?).map_err(fail)?;
        }
        set_cursor(&tx, TAKEN, taken_up_to).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(offer: &str, at: DateTime<Utc>, fen: i64) -> PriceObservation {
        PriceObservation {
            offer_id: OfferId::parse(offer).unwrap(),
            observed_at: at,
            lowest_price: Some(fen),
            tiers: "[]".into(),
            sku_low: None,
            sku_high: None,
            skus: None,
        }
    }

    #[test]
    fn observations_go_out_once_and_the_teams_come_in_without_going_back() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("team.db")).unwrap();
        let id = "624516873409";
        let raw = crate::protocol::fake::detail_answer(id);
        let now = Utc::now();
        store
            .save_detail(&OfferId::parse(id).unwrap(), &raw, now)
            .unwrap();
        // This desktop's own observation goes out once.
        let (to_send, cursor) = store.observations_to_send().unwrap();
        assert_eq!(to_send.len(), 1);
        store.observations_sent(cursor).unwrap();
        assert!(store.observations_to_send().unwrap().0.is_empty());

        // The team's: one of a held offer, one of an offer not held, one too old, one unsound.
        let day = chrono::Duration::days(1);
        let mut unsound = observation(id, now - day * 2, 1_250);
        unsound.tiers = "not json".into();
        let kept = store
            .keep_team_observations(
                &[
                    observation(id, now - day, 1_190),
                    observation("624516873410", now - day, 900),
                    observation(id, now - day * 400, 800),
                    unsound,
                ],
                7,
                now,
            )
            .unwrap();
        assert_eq!(kept, 1);
        assert_eq!(store.observations_taken().unwrap(), 7);
        // Kept from the team: not sent back.
        assert!(store.observations_to_send().unwrap().0.is_empty());
        // Again: nothing new.
        let again = observation(id, now - day, 1_190);
        assert_eq!(store.keep_team_observations(&[again], 8, now).unwrap(), 0);
    }
}
