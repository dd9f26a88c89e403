//! Pick runs (选品): each run kept whole, as JSON, so it can be reopened, re-ranked with other
//! weights (its candidates are named) or run again.

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
    }
}
