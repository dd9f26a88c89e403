//! Price watches: actions over the store, and the round of checks that the app's scheduler
//! and `pifa-cli watch check` both run. In a team they go to the team database instead
//! (`team_watches.rs`).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use pifa_core::offer::Percent;
use pifa_core::store::{Alert, Watch};
use pifa_core::watch::rules::WatchRules;
use pifa_core::watch::{self, WatchCheck};
use pifa_core::OfferId;

use crate::{CommandError, Workbench};

impl Workbench {
    /// Watches a stored offer's unit price at a quantity; alerts on moves of at least
    /// `alert_basis_points` hundredths of a percent (default 5%). Answers every watch.
    pub fn watch_offer(
        &self,
        offer_id: &str,
        target_qty: u32,
        alert_basis_points: Option<u32>,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let threshold = alert_basis_points.map(|basis_points| Percent { basis_points });
        if self.in_team() {
            return self.set_team_watch(&offer_id, target_qty, None, threshold);
        }
        let mut store = self.store()?;
        store.watch_offer(&offer_id, target_qty, threshold, Utc::now())?;
        Ok(store.watches(Utc::now())?)
    }

    /// Watches a stored offer at a quantity with these rules, or changes its watch. Answers
    /// every watch.
    pub fn set_watch(
        &self,
        offer_id: &str,
        target_qty: u32,
        rules: &WatchRules,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self.set_team_watch(&offer_id, target_qty, Some(rules.clone()), None);
        }
        let mut store = self.store()?;
        store.set_watch(&offer_id, target_qty, rules, Utc::now())?;
        Ok(store.watches(Utc::now())?)
    }

    /// Holds a watch's alerts for `minutes`, or until its price crosses its target; with
    /// neither, ends its snooze. Answers every watch.
    pub fn snooze_watch(
        &self,
        offer_id: &str,
        minutes: Option<u32>,
        until_target: bool,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let until: Option<DateTime<Utc>> =
            minutes.map(|m| Utc::now() + Duration::minutes(m.into()));
        if self.in_team() {
            return self.snooze_team_watch(&offer_id, until, until_target);
        }
        let mut store = self.store()?;
        store.snooze_watch(&offer_id, until, until_target)?;
        Ok(store.watches(Utc::now())?)
    }

    /// Stops watching an offer (its history stays). Answers the watches left.
    pub fn unwatch_offer(&self, offer_id: &str) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self.unwatch_team_offer(&offer_id);
        }
        let mut store = self.store()?;
        store.unwatch_offer(&offer_id)?;
        Ok(store.watches(Utc::now())?)
    }

    /// The watch on one offer, for its offer page.
    pub fn watch_of(&self, offer_id: &str) -> Result<Option<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self.team_watch_of(&offer_id);
        }
        Ok(self.reader()?.watch(&offer_id, Utc::now())?)
    }

    pub fn watches(&self) -> Result<Vec<Watch>, CommandError> {
        if self.in_team() {
            return self.team_watches();
        }
        Ok(self.reader()?.watches(Utc::now())?)
    }

    /// Alerts raised by the watches' rules, newest first.
    pub fn alerts(&self, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
        if self.in_team() {
            return self.team_alerts(unseen_only);
        }
        Ok(self.reader()?.alerts(unseen_only)?)
    }

    pub fn mark_alerts_seen(&self) -> Result<u64, CommandError> {
        if self.in_team() {
            return self.mark_team_alerts_seen(None);
        }
        Ok(self.store()?.mark_alerts_seen(Utc::now())?)
    }

    /// Marks one alert seen; false when it already was (or is gone).
    pub fn mark_alert_seen(&self, alert_id: i64) -> Result<bool, CommandError> {
        if self.in_team() {
            return Ok(self.mark_team_alerts_seen(Some(alert_id))? == 1);
        }
        Ok(self.store()?.mark_alert_seen(alert_id, Utc::now())?)
    }

    /// Alerts no desktop notification has told of yet, whichever fetch raised them, now noted
    /// as told: for the app's notifications.
    pub fn take_unnotified_alerts(&self) -> Result<Vec<Alert>, CommandError> {
        if self.in_team() {
            return self.take_unnotified_team_alerts();
        }
        Ok(self.store()?.take_unnotified_alerts(Utc::now())?)
    }

    /// The watched offers due for a check now: last checked at least the interval from
    /// Settings ago, or all of them with `all`.
    pub fn due_watches(&self, all: bool) -> Result<Vec<OfferId>, CommandError> {
        let interval = if all {
            Duration::zero()
        } else {
            watch::check_interval(&self.settings())
        };
        // A millisecond ahead, so that "all" takes a watch checked this very millisecond too.
        let now = Utc::now() + Duration::milliseconds(1);
        Ok(self.store()?.due_watches(now, interval)?)
    }

    /// Checks the watches due now (or all): fetches them, records prices, raises alerts. With
    /// nothing due, nothing is fetched and no connection is made.
    pub async fn check_watches(&self, all: bool) -> Result<WatchCheck, CommandError> {
        if self.in_team() {
            return self
                .check_team_watches(all, crate::team_watches::DEFAULT_LEASE)
                .await;
        }
        let due = self.due_watches(all)?;
        if due.is_empty() {
            return Ok(WatchCheck::default());
        }
        let online = self.online().await?;
        let (_cancel, cancelled) = tokio::sync::watch::channel(false);
        let report = watch::check(
            Arc::clone(&online.client),
            self.batch_storage()?,
            due,
            cancelled,
        )
        .await;
        // A round added history: a sensible moment to fold the oldest into days.
        if let Err(e) = self.compact_history() {
            tracing::warn!(
                code = e.code.as_str(),
                "price history not compacted: {}",
                e.message
            );
        }
        Ok(report)
    }
}
