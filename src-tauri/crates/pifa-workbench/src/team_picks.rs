//! Pick runs in a team: a run is saved to the team database with the offers it weighed, then
//! kept in this desktop's copy under the team's ID. The copy takes the others' runs (the newest
//! [`TEAM_PICK_RUNS`]); the offers a run weighed are copied when it is ranked again here, so
//! any member can rank any run again without calling 1688.

use std::collections::HashSet;

use pifa_core::offer::{Offer, OfferId};
use pifa_core::store::PickRun;
use pifa_team::{NewPickRun, TeamDb};

use crate::team::{run_blocking, TeamChange};
use crate::{CommandError, Workbench};

/// How many of the team's newest runs a desktop's copy takes.
pub(crate) const TEAM_PICK_RUNS: u32 = 200;

/// How many of the runs the copy lacks one round takes.
const RUNS_PER_COPY: usize = 50;

/// The team's runs this desktop's copy lacks.
pub(crate) struct NewTeamRuns {
    pub runs: Vec<PickRun>,
    /// The IDs of the team's newest runs, for the copy's fingerprint.
    pub team_ids: Vec<i64>,
}

impl Workbench {
    /// Saves a finished run for the team, sharing the weighed offers the team lacks or holds
    /// older in the same transaction, and keeps it in this desktop's copy.
    pub(crate) async fn save_team_pick_run(
        &self,
        team: &TeamChange,
        run: NewPickRun<'_>,
        weighed: &[Offer],
    ) -> Result<PickRun, CommandError> {
        let ids: Vec<OfferId> = weighed.iter().map(|o| o.offer_id.clone()).collect();
        let team_has = team.db.offer_times(&ids).await?;
        let to_share: Vec<OfferId> = weighed
            .iter()
            .filter(|o| {
                team_has
                    .get(&o.offer_id)
                    .is_none_or(|at| *at < o.fetched_at)
            })
            .map(|o| o.offer_id.clone())
            .collect();
        let answers = self.stored_answers(to_share).await?;
        let saved = team.db.save_pick_run(&run, &answers, &team.me).await?;
        let workbench = self.clone();
        run_blocking(move || {
            let mut store = workbench.store()?;
            store.keep_shared_pick_runs(std::slice::from_ref(&saved))?;
            // As kept here, so reopening it shows exactly this.
            Ok(store.pick_run(saved.run_id)?)
        })
        .await
    }

    /// The team's newest runs this desktop's copy lacks (a bounded number per round, so the
    /// first copy of a busy team's runs is spread over a few rounds).
    pub(crate) async fn new_team_pick_runs(
        &self,
        db: &TeamDb,
    ) -> Result<NewTeamRuns, CommandError> {
        let team_ids = db.pick_run_ids(TEAM_PICK_RUNS).await?;
        let held: HashSet<i64> = {
            let workbench = self.clone();
            run_blocking(move || Ok(workbench.reader()?.pick_run_ids(u32::MAX)?))
                .await?
                .into_iter()
                .collect()
        };
        let missing: Vec<i64> = team_ids
            .iter()
            .copied()
            .filter(|id| !held.contains(id))
            .take(RUNS_PER_COPY)
            .collect();
        let runs = db.pick_runs(&missing).await?;
        Ok(NewTeamRuns { runs, team_ids })
    }

    /// Copies the offers a run weighed that this desktop's copy lacks from the team, so the
    /// run can be ranked again here. Without the team database what is held is what there is;
    /// the problem is answered for the caller to name should an offer turn out to be lacking.
    pub(crate) async fn copy_weighed_offers(
        &self,
        offer_ids: Vec<OfferId>,
    ) -> Result<usize, CommandError> {
        let copied = async {
            let Some(db) = self.team_db().await? else {
                return Ok(0);
            };
            let workbench = self.clone();
            let lacking = run_blocking(move || {
                let held = workbench.reader()?.fetched_at_of(&offer_ids)?;
                Ok(offer_ids
                    .into_iter()
                    .filter(|id| !held.contains_key(id))
                    .collect::<Vec<_>>())
            })
            .await?;
            if lacking.is_empty() {
                return Ok(0);
            }
            let answers = db.offer_answers(&lacking).await?;
            self.import_team_answers(answers).await
        };
        let copied: Result<usize, CommandError> = copied.await;
        match &copied {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "offers a team pick run weighed were copied"),
            Err(e) => {
                tracing::info!(code = %e.code, "the offers a team pick run weighed were not copied: {}", e.message)
            }
        }
        copied
    }
}
