//! The team's pick runs (选品): a run is saved with the offers it weighed, so every member can
//! reopen it and rank it again with other weights without fetching anything.

use chrono::{DateTime, Utc};
use pifa_core::offer::OfferId;
use pifa_core::pick::{PickOutcome, PickRequest, Weights};
use pifa_core::store::{PickRun, StoredAnswer};
use pifa_core::team::TeamError;

use crate::error::failed;
use crate::offers::share_offer;
use crate::{Member, TeamDb};

/// A run larger than this (its JSON, all parts together) is not taken from the team database:
/// a real one of the largest pick is a few hundred KiB.
const MAX_RUN_BYTES: i32 = 8 << 20;

/// A run as this desktop made it, to save for the team.
pub struct NewPickRun<'a> {
    pub ran_at: DateTime<Utc>,
    pub request: &'a PickRequest,
    pub weights: &'a Weights,
    pub candidates: &'a [OfferId],
    pub outcome: &'a PickOutcome,
}

fn text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("pick runs serialize")
}

impl TeamDb {
    /// Saves a run, sharing `answers` (the weighed offers the team lacks or holds older) in the
    /// same transaction. Answers the run's ID and when it ran, as the team keeps it.
    pub async fn save_pick_run(
        &self,
        run: &NewPickRun<'_>,
        answers: &[(OfferId, StoredAnswer)],
        me: &Member,
    ) -> Result<PickRun, TeamError> {
        self.check_writable()?;
        let doing = "saving a pick run for the team";
        let mut client = self.client().await;
        let tx = client.transaction().await.map_err(failed(doing))?;
        for (offer_id, answer) in answers {
            share_offer(&tx, offer_id, answer, me).await?;
        }
        let row = tx
            .query_one(
                "INSERT INTO pifa.pick_runs (ran_at, ran_by, request, weights, candidates, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING run_id, ran_at",
                &[
                    &run.ran_at,
                    &me.member_id,
                    &text(run.request),
                    &text(run.weights),
                    &text(run.candidates),
                    &text(run.outcome),
                ],
            )
            .await
            .map_err(failed(doing))?;
        tx.commit().await.map_err(failed(doing))?;
        Ok(PickRun {
            run_id: row.get(0),
            ran_at: row.get(1),
            request: run.request.clone(),
            weights: *run.weights,
            candidates: run.candidates.to_vec(),
            outcome: run.outcome.clone(),
            ran_by: Some(me.name.clone()),
        })
    }

    /// The IDs of the team's newest runs, at most `limit`.
    pub async fn pick_run_ids(&self, limit: u32) -> Result<Vec<i64>, TeamError> {
        let rows = self
            .client()
            .await
            .query(
                "SELECT run_id FROM pifa.pick_runs ORDER BY ran_at DESC, run_id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
            .await
            .map_err(failed("reading the team's pick runs"))?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// These runs, with who ran them (by the name they go by now). A run another desktop wrote
    /// that this one cannot read is left out.
    pub async fn pick_runs(&self, run_ids: &[i64]) -> Result<Vec<PickRun>, TeamError> {
        if run_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .client()
            .await
            .query(
                "SELECT r.run_id, r.ran_at, coalesce(m.name, r.ran_by),
                        r.request, r.weights, r.candidates, r.outcome
                 FROM pifa.pick_runs r LEFT JOIN pifa.members m ON m.member_id = r.ran_by
                 WHERE r.run_id = ANY($1)
                   AND octet_length(r.request) + octet_length(r.weights)
                       + octet_length(r.candidates) + octet_length(r.outcome) <= $2",
                &[&run_ids, &MAX_RUN_BYTES],
            )
            .await
            .map_err(failed("reading the team's pick runs"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let run_id: i64 = r.get(0);
                let read = || -> serde_json::Result<PickRun> {
                    Ok(PickRun {
                        run_id,
                        ran_at: r.get(1),
                        ran_by: Some(r.get(2)),
                        request: serde_json::from_str(r.get(3))?,
                        weights: serde_json::from_str(r.get(4))?,
                        candidates: serde_json::from_str(r.get(5))?,
                        outcome: serde_json::from_str(r.get(6))?,
                    })
                };
                read()
                    .inspect_err(|e| tracing::warn!(run_id, "a team pick run is unreadable: {e}"))
                    .ok()
            })
            .collect())
    }
}
