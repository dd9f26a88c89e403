//! The first screen: what there is to do now, in one answer. The last pick run and searches to
//! pick up again, new price alerts, watches whose price moved, how much is kept; and in a fresh
//! demo install a sample need to start from.

use chrono::Utc;
use pifa_core::money::Money;
use pifa_core::pick::PickRequest;
use pifa_core::store::{Alert, PickRunSummary, RecentSearch, Watch};
use pifa_core::Mode;
use serde::Serialize;
use ts_rs::TS;

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

/// How many of each list the first screen shows.
pub const HOME_ITEMS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Home {
    pub mode: Mode,
    pub last_pick: Option<PickRunSummary>,
    /// Newest first.
    pub recent_searches: Vec<RecentSearch>,
    /// The newest unseen alerts, at most [`HOME_ITEMS`]; `unseen_alerts` counts them all.
    pub new_alerts: Vec<Alert>,
    pub unseen_alerts: u32,
    /// Watches whose price moved since they began, the largest move first.
    pub moved_watches: Vec<Watch>,
    pub watches: u32,
    #[ts(type = "number")]
    pub offers: u64,
    pub shortlists: u32,
    /// Demo mode with nothing kept yet: a sample need to start from.
    pub guided_start: Option<PickRequest>,
}

/// The sample need of the guided start: 500 insulated cups under ¥15 each from a 实力商家. The
/// demo catalog has such cups, some under ¥15 and some over, with and without the badge.
pub fn sample_need() -> PickRequest {
    PickRequest {
        keywords: "保温杯".into(),
        quantity: 500,
        max_unit_price: Some(Money::from_fen(1500)),
        power_merchant: true,
        ..PickRequest::default()
    }
}

/// The watches whose price moved, the largest move (up or down) first, at most `limit`.
fn moved(mut watches: Vec<Watch>, limit: usize) -> Vec<Watch> {
    watches.retain(|w| w.change_bp.is_some_and(|c| c != 0));
    watches.sort_by_key(|w| std::cmp::Reverse(w.change_bp.unwrap_or(0).unsigned_abs()));
    watches.truncate(limit);
    watches
}

impl Workbench {
    /// Notes a 1688 search for the first screen. Only a convenience: a failure is logged, and
    /// the search goes on.
    pub(crate) fn note_search(&self, keyword: &str) {
        let noted = self
            .store()
            .and_then(|mut store| Ok(store.note_search(keyword, Utc::now())?));
        if let Err(e) = noted {
            tracing::warn!(code = %e.code, "a search could not be noted as recent: {}", e.message);
        }
    }

    /// What the first screen shows.
    pub async fn home(&self) -> Result<Home, CommandError> {
        // In a team, its alerts and watches; the first screen opens without them while the
        // team cannot be read.
        let team = match self.in_team() {
            true => Some(match self.team_alerts_and_watches().await {
                Ok(team) => team,
                Err(e) => {
                    tracing::warn!(code = %e.code, "the team's watches are left off the first screen: {}", e.message);
                    Default::default()
                }
            }),
            false => None,
        };
        let workbench = self.clone();
        run_blocking(move || workbench.home_with(team)).await
    }

    async fn team_alerts_and_watches(&self) -> Result<(Vec<Alert>, Vec<Watch>), CommandError> {
        Ok((self.alerts(true).await?, self.watches().await?))
    }

    fn home_with(&self, team: Option<(Vec<Alert>, Vec<Watch>)>) -> Result<Home, CommandError> {
        let mode = self.account().mode;
        let store = self.reader()?;
        let now = Utc::now();
        let last_pick = store.pick_runs(1)?.into_iter().next();
        let recent_searches = store.recent_searches(HOME_ITEMS as u32)?;
        let (mut new_alerts, all_watches) = match team {
            Some(team) => team,
            None => (store.alerts(true)?, store.watches(now)?),
        };
        let unseen_alerts = new_alerts.len() as u32;
        new_alerts.truncate(HOME_ITEMS);
        let watches = all_watches.len() as u32;
        let offers = store.offer_count()?;
        let shortlists = store.shortlists()?.len() as u32;
        let fresh = mode == Mode::Demo
            && offers == 0
            && last_pick.is_none()
            && recent_searches.is_empty()
            && shortlists == 0;
        Ok(Home {
            mode,
            last_pick,
            recent_searches,
            new_alerts,
            unseen_alerts,
            moved_watches: moved(all_watches, HOME_ITEMS),
            watches,
            offers,
            shortlists,
            guided_start: fresh.then(sample_need),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pifa_core::offer::Percent;
    use pifa_core::OfferId;

    fn watch(id: &str, change_bp: Option<i64>) -> Watch {
        Watch {
            offer_id: OfferId::parse(id).unwrap(),
            title: None,
            image: None,
            target_qty: 100,
            alert_threshold: Percent { basis_points: 500 },
            rules: Default::default(),
            state: Default::default(),
            order: None,
            current_price: None,
            first_price: None,
            change_bp,
            points: 2,
            created_at: Utc::now(),
            last_checked_at: None,
            last_error: None,
            last_error_code: None,
            paused_until: None,
            set_by: None,
            last_checked_by: None,
        }
    }

    #[test]
    fn moved_watches_come_largest_move_first_and_unmoved_ones_stay_out() {
        let watches = vec![
            watch("100001", Some(120)),
            watch("100002", None),
            watch("100003", Some(-900)),
            watch("100004", Some(0)),
            watch("100005", Some(450)),
        ];
        let ids: Vec<String> = moved(watches.clone(), 5)
            .iter()
            .map(|w| w.offer_id.to_string())
            .collect();
        assert_eq!(ids, ["100003", "100005", "100001"]);
        assert_eq!(moved(watches, 1).len(), 1);
    }

    #[test]
    fn the_sample_need_is_one_the_pick_accepts() {
        let need = sample_need();
        need.check().unwrap();
        assert_eq!(
            need.max_unit_price.map(|m| m.to_string()).as_deref(),
            Some("15.00")
        );
    }
}
