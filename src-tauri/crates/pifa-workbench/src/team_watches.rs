//! Price watches in team mode: the team's watches and alerts live in the team database, and a
//! round of checks claims the due ones there, so each is checked once per team per round
//! whichever desktops (or `pifa-cli team worker`s) run. A claimed offer is fetched and stored
//! here as any fetch is (this desktop keeps its copy and history), then weighed against the
//! team's rules and told state with the same rules as alone (`watch::rules`), and the claim is
//! finished in the team database. A change the team database cannot take now is refused
//! (`team.offline`), never kept here instead.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use pifa_core::batch::{run_batch, BatchInput, BatchStatus};
use pifa_core::offer::Percent;
use pifa_core::store::{describe, Alert, Store, Watch};
use pifa_core::team::TeamError;
use pifa_core::watch::rules::{weigh, Seen, Told, WatchRules};
use pifa_core::watch::{self, WatchCheck};
use pifa_core::{Error, OfferId};
use pifa_team::{CheckOutcome, Claim, Finished};

use crate::team::TeamChange as TeamSide;
use crate::team::{is_unreachable, run_blocking};
use crate::{CommandError, Workbench};

/// How long a desktop holds the watches it claimed: well past a slow round of fetches, short
/// enough that a crashed desktop's checks are soon taken up by another.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// Watches claimed at a time: a few rounds of the check's concurrency, so a claim's lease is
/// never spent waiting behind the others.
const CLAIM_BATCH: u32 = 2 * watch::CONCURRENCY as u32;

/// With `all`, at most this many watches are checked in one round.
const ALL_AT_MOST: u32 = 10_000;

impl Workbench {
    /// The team database and this desktop as its member, to read; `None` outside a team.
    pub(crate) async fn team_side(&self) -> Result<Option<TeamSide>, CommandError> {
        let Some(db) = self.team_db().await? else {
            return Ok(None);
        };
        let joined = self.settings().team.ok_or(TeamError::NotJoined)?;
        Ok(Some(TeamSide {
            db,
            me: crate::team::member_of(&joined),
        }))
    }

    /// The team to read from.
    async fn reading(&self) -> Result<TeamSide, CommandError> {
        Ok(self.team_side().await?.ok_or(TeamError::NotJoined)?)
    }

    /// The team to change: refused whole (`team.offline`) when it cannot be reached, never
    /// kept here instead.
    async fn changing(&self) -> Result<TeamSide, CommandError> {
        Ok(self.team_for_change().await?.ok_or(TeamError::NotJoined)?)
    }

    /// The team's watches, kept in this desktop's copy as read; while the team database is
    /// unreachable, the copy (the window says the team data is read-only meanwhile).
    pub(crate) async fn team_watches(&self) -> Result<Vec<Watch>, CommandError> {
        let read = async { Ok::<_, CommandError>(self.reading().await?.db.watches().await?) };
        let read = read.await;
        let workbench = self.clone();
        run_blocking(move || {
            let now = Utc::now();
            let watches = match read {
                Ok(watches) => {
                    workbench.keep_team_copy(|store| store.replace_shared_watches(&watches, now));
                    watches
                }
                Err(e) if is_unreachable(&e) => workbench.reader()?.shared_watches()?.ok_or(e)?,
                Err(e) => return Err(e),
            };
            let store = workbench.reader()?;
            watches
                .into_iter()
                .map(|w| Ok(store.shared_watch_view(w, now)?))
                .collect()
        })
        .await
    }

    /// Keeps what was just read from the team in this desktop's copy; failing to only means
    /// an older copy while offline.
    fn keep_team_copy(&self, keep: impl FnOnce(&mut Store) -> pifa_core::Result<()>) {
        let kept = self.store().and_then(|mut store| Ok(keep(&mut store)?));
        if let Err(e) = kept {
            tracing::info!(
                code = e.code.as_str(),
                "the team's data was not kept for offline reading: {}",
                e.message
            );
        }
    }

    pub(crate) async fn team_watch_of(
        &self,
        offer_id: &OfferId,
    ) -> Result<Option<Watch>, CommandError> {
        let Some(watch) = self.reading().await?.db.watch(offer_id).await? else {
            return Ok(None);
        };
        let workbench = self.clone();
        run_blocking(move || {
            Ok(Some(
                workbench.reader()?.shared_watch_view(watch, Utc::now())?,
            ))
        })
        .await
    }

    /// Watches a stored offer for the team, or changes the team's watch; `rules` of `None`
    /// keep the watch's rules (or start with the default ones), with `threshold` as the move
    /// threshold if given.
    pub(crate) async fn set_team_watch(
        &self,
        offer_id: &OfferId,
        target_qty: u32,
        rules: Option<WatchRules>,
        threshold: Option<Percent>,
    ) -> Result<Vec<Watch>, CommandError> {
        // The told state starts from this desktop's copy of the offer, as alone.
        let offer = {
            let (workbench, id) = (self.clone(), offer_id.clone());
            run_blocking(move || Ok(workbench.reader()?.offer(&id)?)).await?
        };
        let qty = target_qty.max(1);
        let id = offer_id;
        let side = self.changing().await?;
        {
            let mut rules = match rules {
                Some(rules) => rules,
                None => side
                    .db
                    .watch(id)
                    .await?
                    .map_or_else(WatchRules::default, |w| w.rules),
            };
            if let Some(threshold) = threshold {
                let default = WatchRules::default()
                    .moves
                    .expect("moves are on by default");
                rules.moves.get_or_insert(default).threshold = threshold;
            }
            rules.check(&offer)?;
            let sku = rules.stock.as_ref().and_then(|s| s.sku.as_deref());
            // A search item is no complete observation: everything starts at the first detail.
            let seen = offer.source.is_detail().then(|| Seen::of(&offer, qty, sku));
            let observed_at = seen.is_some().then_some(offer.fetched_at);
            side.db
                .set_watch(&side.me, id, qty, &rules, observed_at, |earlier| {
                    Told::after_edit(earlier, &rules, qty, seen.as_ref())
                })
                .await?;
        }
        self.team_watches().await
    }

    pub(crate) async fn snooze_team_watch(
        &self,
        offer_id: &OfferId,
        until: Option<DateTime<Utc>>,
        until_target: bool,
    ) -> Result<Vec<Watch>, CommandError> {
        let side = self.changing().await?;
        let watch = side
            .db
            .watch(offer_id)
            .await?
            .ok_or_else(|| Error::WatchNotFound(offer_id.to_string()))?;
        if until_target && watch.rules.target_price.is_none() {
            return Err(Error::WatchBadRule(
                "snoozing until the target needs a target price".into(),
            )
            .into());
        }
        if !side.db.snooze_watch(offer_id, until, until_target).await? {
            return Err(Error::WatchNotFound(offer_id.to_string()).into());
        }
        self.team_watches().await
    }

    pub(crate) async fn unwatch_team_offer(
        &self,
        offer_id: &OfferId,
    ) -> Result<Vec<Watch>, CommandError> {
        self.changing().await?.db.remove_watch(offer_id).await?;
        self.team_watches().await
    }

    /// The team's alerts, `seen` meaning seen by this member; kept in this desktop's copy as
    /// read, and read from the copy while the team database is unreachable.
    pub(crate) async fn team_alerts(&self, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
        let read = async {
            let side = self.reading().await?;
            Ok::<_, CommandError>(side.db.alerts(&side.me.member_id, false).await?)
        };
        let read = read.await;
        let workbench = self.clone();
        let mut alerts = run_blocking(move || match read {
            Ok(alerts) => {
                workbench.keep_team_copy(|store| store.replace_shared_alerts(&alerts, Utc::now()));
                Ok(alerts)
            }
            Err(e) if is_unreachable(&e) => workbench.reader()?.shared_alerts()?.ok_or(e),
            Err(e) => Err(e),
        })
        .await?;
        if unseen_only {
            alerts.retain(|a| !a.seen);
        }
        Ok(alerts)
    }

    /// Notes this member has seen one alert, or all; how many were new to them.
    pub(crate) async fn mark_team_alerts_seen(
        &self,
        alert_id: Option<i64>,
    ) -> Result<u64, CommandError> {
        let side = self.changing().await?;
        Ok(side.db.mark_seen(&side.me.member_id, alert_id).await?)
    }

    /// The team's alerts this desktop has not notified of, now noted as notified.
    pub(crate) async fn take_unnotified_team_alerts(&self) -> Result<Vec<Alert>, CommandError> {
        let side = self.reading().await?;
        Ok(side.db.take_unnotified(&side.me.member_id).await?)
    }

    /// One round of the team's checks from this desktop: claims due watches (all with `all`)
    /// for `lease` at a time until none is left, fetches and stores each, weighs it against
    /// the team's rules and finishes its claim. What another desktop holds is left to it.
    pub async fn check_team_watches(
        &self,
        all: bool,
        lease: Duration,
    ) -> Result<WatchCheck, CommandError> {
        let side = self.team_side().await?.ok_or(TeamError::NotJoined)?;
        let interval = watch::check_interval(&self.settings())
            .to_std()
            .unwrap_or(Duration::from_secs(3600));
        let mut report = WatchCheck::default();
        // With `all`, one claim takes every watch nobody holds; claiming again would take the
        // ones just checked.
        let limit = if all { ALL_AT_MOST } else { CLAIM_BATCH };
        loop {
            let claims = side.db.claim_due(&side.me, limit, lease, all).await?;
            if claims.is_empty() {
                break;
            }
            tracing::info!(claimed = claims.len(), "claimed team watches to check");
            let stopped = self
                .check_claims(&side, claims, interval, &mut report)
                .await?;
            if stopped || all {
                break;
            }
        }
        if report.checked > 0 {
            let workbench = self.clone();
            if let Err(e) = run_blocking(move || workbench.compact_history()).await {
                tracing::warn!(
                    code = e.code.as_str(),
                    "price history not compacted: {}",
                    e.message
                );
            }
        }
        Ok(report)
    }

    /// Checks claimed watches; true when the round must stop (the claims not checked are
    /// given back).
    async fn check_claims(
        &self,
        side: &TeamSide,
        claims: Vec<Claim>,
        interval: Duration,
        report: &mut WatchCheck,
    ) -> Result<bool, CommandError> {
        let online = match self.online().await {
            Ok(online) => online,
            Err(e) => {
                give_back(side, &claims).await;
                return Err(e);
            }
        };
        let storage = match self.batch_storage() {
            Ok(storage) => storage,
            Err(e) => {
                give_back(side, &claims).await;
                return Err(e);
            }
        };
        let mut settled: HashMap<String, (BatchStatus, String, String)> = HashMap::new();
        let mut stored = Vec::new();
        let (_cancel, cancelled) = tokio::sync::watch::channel(false);
        let input = BatchInput {
            offer_ids: claims.iter().map(|c| c.offer_id.clone()).collect(),
            // A watch observes the price now: no teammate's copy stands in for a check.
            ..BatchInput::default()
        };
        let counts = run_batch(
            Arc::clone(&online.client),
            storage,
            input,
            watch::CONCURRENCY,
            cancelled,
            |item, _| {
                if item.status == BatchStatus::Stored {
                    stored.extend(
                        item.offer_id
                            .as_deref()
                            .and_then(|id| OfferId::parse(id).ok()),
                    );
                }
                if let Some(id) = &item.offer_id {
                    settled.insert(
                        id.clone(),
                        (
                            item.status,
                            item.code.clone().unwrap_or_else(|| "internal".into()),
                            item.message.clone().unwrap_or_default(),
                        ),
                    );
                }
            },
        )
        .await;
        // What a check observed becomes the team's copy, and so a point on every member's chart.
        self.share_stored_with_team(stored).await;
        let mut unchecked = Vec::new();
        for claim in claims {
            let outcome = match settled.remove(claim.offer_id.as_str()) {
                Some((BatchStatus::Stored, _, _)) => {
                    let (workbench, weighing) = (self.clone(), claim.clone());
                    let weighed = run_blocking(move || workbench.weigh_claim(&weighing)).await;
                    weighed.unwrap_or_else(|e| CheckOutcome::Failed {
                        code: e.code,
                        message: e.message,
                    })
                }
                // A failure that stopped the round is no fault of this watch's offer.
                Some((BatchStatus::Failed, code, _))
                    if counts.stopped.as_ref().is_some_and(|s| s.code == code) =>
                {
                    unchecked.push(claim);
                    continue;
                }
                Some((BatchStatus::Failed, code, message)) => {
                    tracing::warn!(offer_id = %claim.offer_id, code, "checking a team watch failed: {message}");
                    CheckOutcome::Failed { code, message }
                }
                Some((BatchStatus::Cancelled, _, _)) | None => {
                    unchecked.push(claim);
                    continue;
                }
            };
            let failed = matches!(outcome, CheckOutcome::Failed { .. });
            match side
                .db
                .finish_check(&side.me, &claim, &outcome, interval)
                .await?
            {
                Finished::Done(alerts) => {
                    if failed {
                        report.failed += 1;
                    } else {
                        report.checked += 1;
                    }
                    report.alerts.extend(alerts);
                }
                Finished::Stale => tracing::warn!(
                    offer_id = %claim.offer_id,
                    "a team watch check came too late (its lease ran out or the watch changed); another check stands"
                ),
            }
        }
        if !unchecked.is_empty() {
            give_back(side, &unchecked).await;
        }
        report.stopped = counts.stopped;
        Ok(report.stopped.is_some())
    }

    /// What this desktop's fresh copy of a claimed offer means under the team's watch.
    fn weigh_claim(&self, claim: &Claim) -> Result<CheckOutcome, CommandError> {
        let offer = self.store()?.offer(&claim.offer_id)?;
        let sku = claim.rules.stock.as_ref().and_then(|s| s.sku.as_deref());
        let seen = Seen::of(&offer, claim.target_qty, sku);
        let weighed = weigh(
            &claim.rules,
            &claim.told,
            &seen,
            claim.snooze,
            offer.fetched_at,
            claim.alerts_today,
        );
        let alerts = weighed
            .raised
            .iter()
            .map(|event| describe(&offer, claim.target_qty, event))
            .collect();
        Ok(CheckOutcome::Observed {
            observed_at: offer.fetched_at,
            told: weighed.told,
            snooze_until_target: weighed.snooze_until_target,
            title: offer.title.or(offer.title_en),
            alerts,
        })
    }
}

/// Claims not checked go back at once, for any desktop; failing that, their lease runs out.
async fn give_back(side: &TeamSide, claims: &[Claim]) {
    if let Err(e) = side.db.release(&side.me, claims).await {
        tracing::warn!(
            code = e.code(),
            "team watch claims not given back (their lease runs out instead): {e}"
        );
    }
}
