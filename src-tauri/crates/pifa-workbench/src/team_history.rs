//! Price history in a team: each copy round sends the observations this desktop recorded (its
//! own fetches and checks) and takes those the others sent, so every member's chart holds the
//! team's observations, also of the days this desktop was off.

use chrono::Utc;
use pifa_core::store::OBSERVATIONS_AT_ONCE;
use pifa_team::TeamDb;

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

impl Workbench {
    /// One exchange with the team; answers how far this copy has taken the team's history
    /// (it changes when something came in).
    pub(crate) async fn exchange_price_history(&self, db: &TeamDb) -> Result<i64, CommandError> {
        let workbench = self.clone();
        let (to_send, sent_up_to, taken) = run_blocking(move || {
            let reader = workbench.reader()?;
            let (to_send, sent_up_to) = reader.observations_to_send()?;
            Ok((to_send, sent_up_to, reader.observations_taken()?))
        })
        .await?;
        // A desktop older than the team schema reads but does not write.
        if !to_send.is_empty() && db.check_writable().is_ok() {
            db.share_observations(&to_send).await?;
            let workbench = self.clone();
            run_blocking(move || Ok(workbench.store()?.observations_sent(sent_up_to)?)).await?;
        }
        let (observations, next) = db.observations_after(taken, OBSERVATIONS_AT_ONCE).await?;
        if next == taken {
            return Ok(taken);
        }
        let workbench = self.clone();
        run_blocking(move || {
            let mut store = workbench.store()?;
            let kept = store.keep_team_observations(&observations, next, Utc::now())?;
            if kept > 0 {
                tracing::debug!(kept, "price observations taken from the team");
            }
            Ok(next)
        })
        .await
    }
}
