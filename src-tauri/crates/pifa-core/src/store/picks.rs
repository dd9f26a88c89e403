//! Pick runs (选品): each run kept whole, as JSON, so it can be reopened, re-ranked with other
//! weights (its candidates are named) or run again. In a team, the copy of the team's data
//! keeps the team's runs under the team's run IDs.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::pick::{PickOutcome, PickRequest, Weights};
use crate::{Error, OfferId, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PickRun {
    #[ts(type = "number")]
    pub run_id: i64,
    #[ts(type = "string")]
    pub ran_at: DateTime<Utc>,
    pub request: PickRequest,
    pub weights: Weights,
    /// Every candidate weighed, fetched or not, in the order the search found them.
    pub candidates: Vec<OfferId>,
    pub outcome: PickOutcome,
    /// The team member who ran it; `null` on this computer's own runs.
    pub ran_by: Option<String>,
}

/// A run as a list of runs shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PickRunSummary {
    #[ts(type = "number")]
    pub run_id: i64,
    #[ts(type = "string")]
    pub ran_at: DateTime<Utc>,
    pub keywords: String,
    pub quantity: u32,
    pub candidates: u32,
    pub picks: u32,
    pub ran_by: Option<String>,
}

fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<PickRun> {
    Ok(PickRun {
        run_id: row.get("run_id")?,
        ran_at: row.get::<_, Stamp>("ran_at")?.into(),
        request: json(row, "request")?,
        weights: json(row, "weights")?,
        candidates: json(row, "candidates")?,
        outcome: json(row, "outcome")?,
        ran_by: row.get("ran_by")?,
    })
}

impl Store {
    /// Keeps a finished pick run; answers it with its ID.
    pub fn save_pick_run(
        &mut self,
        request: &PickRequest,
        weights: &Weights,
        candidates: &[OfferId],
        outcome: &PickOutcome,
        ran_at: DateTime<Utc>,
    ) -> Result<PickRun> {
        self.conn
            .execute(
                "INSERT INTO pick_runs (ran_at, request, weights, candidates, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    Stamp(ran_at),
                    text(request),
                    text(weights),
                    text(candidates),
                    text(outcome)
                ],
            )
            .map_err(|e| self.error("saving a pick run", e))?;
        self.pick_run(self.conn.last_insert_rowid())
    }

    /// Keeps runs the team shares, under the team's IDs (one run again replaces its copy), in
    /// one transaction.
    pub fn keep_shared_pick_runs(&mut self, runs: &[PickRun]) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "copying the team's pick runs", e);
        let tx = self.conn.transaction().map_err(fail)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO pick_runs
                         (run_id, ran_at, request, weights, candidates, outcome, ran_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;
            for run in runs {
                insert
                    .execute(params![
                        run.run_id,
                        Stamp(run.ran_at),
                        text(&run.request),
                        text(&run.weights),
                        text(&run.candidates),
                        text(&run.outcome),
                        run.ran_by
                    ])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    /// The IDs of the runs kept, newest first, at most `limit`.
    pub fn pick_run_ids(&self, limit: u32) -> Result<Vec<i64>> {
        let fail = |e| self.error("listing pick runs", e);
        let mut statement = self
            .conn
            .prepare("SELECT run_id FROM pick_runs ORDER BY ran_at DESC, run_id DESC LIMIT ?1")
            .map_err(fail)?;
        let ids = statement
            .query_map([limit], |row| row.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        Ok(ids)
    }

    pub fn pick_run(&self, run_id: i64) -> Result<PickRun> {
        self.conn
            .query_row(
                "SELECT * FROM pick_runs WHERE run_id = ?1",
                [run_id],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.error("reading a pick run", e))?
            .ok_or(Error::PickRunNotFound(run_id))
    }

    /// The newest runs first, at most `limit`.
    pub fn pick_runs(&self, limit: u32) -> Result<Vec<PickRunSummary>> {
        let fail = |e| self.error("listing pick runs", e);
        let mut statement = self
            .conn
            .prepare("SELECT * FROM pick_runs ORDER BY ran_at DESC, run_id DESC LIMIT ?1")
            .map_err(fail)?;
        let runs = statement
            .query_map([limit], run_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        Ok(runs
            .into_iter()
            .map(|run| PickRunSummary {
                run_id: run.run_id,
                ran_at: run.ran_at,
                keywords: run.request.keywords,
                quantity: run.request.quantity,
                candidates: run.outcome.candidates,
                picks: run.outcome.picks.len() as u32,
                ran_by: run.ran_by,
            })
            .collect())
    }
}

fn text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("pick runs serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_kept_whole_and_listed_newest_first() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
        let request = PickRequest {
            keywords: "保温杯".into(),
            quantity: 500,
            max_unit_price: Some("15".parse().unwrap()),
            ..PickRequest::default()
        };
        let mut outcome = PickOutcome::default();
        let id = OfferId::parse("624516873409").unwrap();
        outcome.exclude_unfetched(id.clone(), Some("杯".into()), "gateway.transient");
        let first = store
            .save_pick_run(
                &request,
                &Weights::default(),
                std::slice::from_ref(&id),
                &outcome,
                Utc::now(),
            )
            .unwrap();
        assert_eq!(store.pick_run(first.run_id).unwrap(), first);
        assert_eq!(first.request, request);
        assert_eq!(first.candidates, [id]);
        let later = Utc::now() + chrono::Duration::seconds(1);
        let second = store
            .save_pick_run(
                &request,
                &Weights::default(),
                &[],
                &PickOutcome::default(),
                later,
            )
            .unwrap();
        let listed: Vec<i64> = store
            .pick_runs(10)
            .unwrap()
            .iter()
            .map(|r| r.run_id)
            .collect();
        assert_eq!(listed, [second.run_id, first.run_id]);
        assert_eq!(store.pick_runs(10).unwrap()[1].candidates, 1);
        assert_eq!(store.pick_run(99).unwrap_err().code(), "pick.run_not_found");
        assert_eq!(first.ran_by, None);
    }

    #[test]
    fn a_team_run_is_kept_under_the_teams_id_with_who_ran_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("team.db")).unwrap();
        let run = PickRun {
            run_id: 41,
            ran_at: "2026-11-30T08:00:00.123Z".parse().unwrap(),
            request: PickRequest {
                keywords: "保温杯".into(),
                quantity: 300,
                ..PickRequest::default()
            },
            weights: Weights::default(),
            candidates: vec![OfferId::parse("624516873409").unwrap()],
            outcome: PickOutcome::default(),
            ran_by: Some("林采购".into()),
        };
        store
            .keep_shared_pick_runs(std::slice::from_ref(&run))
            .unwrap();
        // Copied again (the next round of the team's copy): still one run.
        store
            .keep_shared_pick_runs(std::slice::from_ref(&run))
            .unwrap();
        assert_eq!(store.pick_run(41).unwrap(), run);
        assert_eq!(store.pick_run_ids(10).unwrap(), [41]);
        let listed = store.pick_runs(10).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].ran_by.as_deref(), Some("林采购"));
    }
}
