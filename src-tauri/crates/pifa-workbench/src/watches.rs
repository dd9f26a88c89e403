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

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

impl Workbench {
    /// Watches a stored offer's unit price at a quantity; alerts on moves of at least
    /// `alert_basis_points` hundredths of a percent (default 5%). Answers every watch.
    pub async fn watch_offer(
        &self,
        offer_id: &str,
        target_qty: u32,
        alert_basis_points: Option<u32>,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let threshold = alert_basis_points.map(|basis_points| Percent { basis_points });
        if self.in_team() {
            return self
                .set_team_watch(&offer_id, target_qty, None, threshold)
                .await;
        }
        self.on_store(move |store| {
            store.watch_offer(&offer_id, target_qty, threshold, Utc::now())?;
            store.watches(Utc::now())
        })
        .await
    }

    /// Watches a stored offer at a quantity with these rules, or changes its watch. Answers
    /// every watch.
    pub async fn set_watch(
        &self,
        offer_id: &str,
        target_qty: u32,
        rules: &WatchRules,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self
                .set_team_watch(&offer_id, target_qty, Some(rules.clone()), None)
                .await;
        }
        let rules = rules.clone();
        self.on_store(move |store| {
            store.set_watch(&offer_id, target_qty, &rules, Utc::now())?;
            store.watches(Utc::now())
        })
        .await
    }

    /// Holds a watch's alerts for `minutes`, or until its price crosses its target; with
    /// neither, ends its snooze. Answers every watch.
    pub async fn snooze_watch(
        &self,
        offer_id: &str,
        minutes: Option<u32>,
        until_target: bool,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let until: Option<DateTime<Utc>> =
            minutes.map(|m| Utc::now() + Duration::minutes(m.into()));
        if self.in_team() {
            return self.snooze_team_watch(&offer_id, until, until_target).await;
        }
        self.on_store(move |store| {
            store.snooze_watch(&offer_id, until, until_target)?;
            store.watches(Utc::now())
        })
        .await
    }

    /// Stops watching an offer (its history stays). Answers the watches left.
    pub async fn unwatch_offer(&self, offer_id: &str) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self.unwatch_team_offer(&offer_id).await;
        }
        self.on_store(move |store| {
            store.unwatch_offer(&offer_id)?;
            store.watches(Utc::now())
        })
        .await
    }

    /// The watch on one offer, for its offer page.
    pub async fn watch_of(&self, offer_id: &str) -> Result<Option<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if self.in_team() {
            return self.team_watch_of(&offer_id).await;
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.reader()?.watch(&offer_id, Utc::now())?)).await
    }

    pub async fn watches(&self) -> Result<Vec<Watch>, CommandError> {
        if self.in_team() {
            return self.team_watches().await;
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.reader()?.watches(Utc::now())?)).await
    }

    /// Alerts raised by the watches' rules, newest first.
    pub async fn alerts(&self, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
        if self.in_team() {
            return self.team_alerts(unseen_only).await;
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.reader()?.alerts(unseen_only)?)).await
    }

    pub async fn mark_alerts_seen(&self) -> Result<u64, CommandError> {
        if self.in_team() {
            return self.mark_team_alerts_seen(None).await;
        }
        self.on_store(|store| store.mark_alerts_seen(Utc::now()))
            .await
    }

    /// Marks one alert seen; false when it already was (or is gone).
    pub async fn mark_alert_seen(&self, alert_id: i64) -> Result<bool, CommandError> {
        if self.in_team() {
            return Ok(self.mark_team_alerts_seen(Some(alert_id)).await? == 1);
        }
        self.on_store(move |store| store.mark_alert_seen(alert_id, Utc::now()))
            .await
    }

    /// Alerts no desktop notification has told of yet, whichever fetch raised them, now noted
    /// as told: for the app's notifications.
    pub async fn take_unnotified_alerts(&self) -> Result<Vec<Alert>, CommandError> {
        if self.in_team() {
            return self.take_unnotified_team_alerts().await;
        }
        self.on_store(|store| store.take_unnotified_alerts(Utc::now()))
            .await
    }

    /// Runs a change on the user database off the async runtime.
    async fn on_store<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut pifa_core::store::Store) -> pifa_core::Result<T> + Send + 'static,
    ) -> Result<T, CommandError> {
        let workbench = self.clone();
        run_blocking(move || Ok(change(&mut *workbench.store()?)?)).await
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
        let workbench = self.clone();
        if let Err(e) = run_blocking(move || workbench.compact_history()).await {
            tracing::warn!(
                code = e.code.as_str(),
                "price history not compacted: {}",
                e.message
            );
        }
        Ok(report)
    }
}
