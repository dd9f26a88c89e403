//! 选品: a need in, a ranked and explained list out. 1688's own filters narrow the search where
//! they can say no before any detail is fetched; the candidates' details come like a batch
//! (fresh cached copies as they are, a team member's fresh copies next, the rest through the
//! batch machinery with its rate limit and pause rule); `pifa_core::pick` decides; every run
//! is saved, in a team for the whole team (`team_picks.rs`). One pick runs at a time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use pifa_core::batch::{self, BatchInput, BatchStatus};
use pifa_core::offer::{Offer, OfferId};
use pifa_core::pick::{self, PickOutcome, PickRequest, Reason, Weights};
use pifa_core::protocol::keyword_query::MAX_SEARCH_PAGE_SIZE;
use pifa_core::protocol::{KeywordSearch, SearchFilter};
use pifa_core::sourcing::{self, Cached};
use pifa_core::store::{PickRun, PickRunSummary};
use pifa_team::NewPickRun;
use serde::Serialize;
use tokio::sync::watch;
use ts_rs::TS;

use crate::team::run_blocking;
use crate::{CommandError, Workbench, BATCH_CONCURRENCY};

/// How far a pick has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "stage", rename_all = "camelCase")]
#[ts(export)]
pub enum PickProgress {
    /// A search page came in; `candidates` found so far, once each.
    Searching {
        page: u32,
        pages: u32,
        candidates: u32,
    },
    /// Details ready (from the cache or fetched, or failed) of all candidates.
    Fetching { done: u32, total: u32 },
}

/// 1688's search with the filters that only drop what the request would drop anyway: its
/// price bound compares the lowest listed price, which no order price goes below.
fn search_for(request: &PickRequest, page: u32) -> KeywordSearch {
    KeywordSearch {
        keyword: request.keywords.trim().to_owned(),
        page,
        page_size: MAX_SEARCH_PAGE_SIZE,
        price_max: request.max_unit_price,
        // Every 超级工厂 is a certified factory: 1688's filter narrows before details are fetched.
        filters: if request.super_factory || request.manufacturer {
            vec![SearchFilter::CertifiedFactory]
        } else {
            Vec::new()
        },
        ..KeywordSearch::default()
    }
}

type CancelSlot = Mutex<Option<watch::Sender<bool>>>;

/// The running pick's claim on its slot: the slot holds the pick's cancel switch and is freed
/// however the pick ends (finished, failed, cancelled, or its caller gone).
struct Running<'a> {
    slot: &'a CancelSlot,
    switch: watch::Sender<bool>,
}

impl<'a> Running<'a> {
    /// Claims the slot, or refuses when a pick already holds it.
    fn claim(slot: &'a CancelSlot) -> Result<Running<'a>, CommandError> {
        let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if held.is_some() {
            return Err(pifa_core::Error::PickRunning.into());
        }
        let (switch, _) = watch::channel(false);
        *held = Some(switch.clone());
        Ok(Running { slot, switch })
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl Workbench {
    /// Runs a pick: searches `request.pages` pages, fetches the candidates' details, filters
    /// and ranks them, and saves the run. A candidate whose detail cannot be fetched is
    /// excluded as `fetch_failed` with its failure's code; a failure every further fetch would
    /// meet (quota, authorization, a full disk) ends the pick with it. One pick runs at a time
    /// (another is refused with `pick.running`); [`Workbench::cancel_pick`] or `cancel` (a
    /// front end's own signal such as Ctrl-C) turning `true` ends it with `pick.cancelled` and
    /// nothing saved.
    pub async fn pick(
        &self,
        request: &PickRequest,
        weights: &Weights,
        progress: impl FnMut(&PickProgress),
        cancel: Option<watch::Receiver<bool>>,
    ) -> Result<PickRun, CommandError> {
        request.check()?;
        weights.check()?;
        let running = Running::claim(&self.inner.pick_cancel)?;
        // In a team the run is saved for the team: refused now, not after the work, when the
        // team database cannot take it.
        self.team_for_change().await?;
        let cancelled = running.switch.subscribe();
        if let Some(outside) = cancel {
            forward_cancel(outside, running.switch.clone());
        }
        self.run_pick(request, weights, progress, cancelled).await
    }

    /// Stops the running pick: details in flight finish, nothing is saved. `false` when no
    /// pick was running.
    pub fn cancel_pick(&self) -> bool {
        let held = self
            .inner
            .pick_cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        held.as_ref()
            .is_some_and(|switch| switch.send(true).is_ok())
    }

    async fn run_pick(
        &self,
        request: &PickRequest,
        weights: &Weights,
        mut progress: impl FnMut(&PickProgress),
        cancel: watch::Receiver<bool>,
    ) -> Result<PickRun, CommandError> {
        let mut found: Vec<Offer> = Vec::new();
        let mut seen = HashSet::new();
        for page in 1..=request.pages {
            if *cancel.borrow() {
                return Err(pifa_core::Error::PickCancelled.into());
            }
            let results = self
                .search_1688(&search_for(request, page), false)
                .await?
                .latest()
                .await?;
            let on_page = results.offers.len() as u64;
            found.extend(
                results
                    .offers
                    .into_iter()
                    .filter(|o| seen.insert(o.offer_id.clone())),
            );
            progress(&PickProgress::Searching {
                page,
                pages: request.pages,
                candidates: found.len() as u32,
            });
            let asked = u64::from(page) * u64::from(MAX_SEARCH_PAGE_SIZE);
            if on_page < u64::from(MAX_SEARCH_PAGE_SIZE) || asked >= results.total {
                break;
            }
        }
        let (candidates, failures) = self.details(&found, &mut progress, cancel).await?;
        let mut outcome = pick::evaluate(&candidates, request, weights);
        let titles: HashMap<&OfferId, &Offer> = found.iter().map(|o| (&o.offer_id, o)).collect();
        for (offer_id, code) in failures {
            let title = titles
                .get(&offer_id)
                .and_then(|o| o.title.clone().or_else(|| o.title_en.clone()));
            outcome.exclude_unfetched(offer_id, title, &code);
        }
        let ids: Vec<OfferId> = found.into_iter().map(|o| o.offer_id).collect();
        match self.team_for_change().await? {
            Some(team) => {
                let run = NewPickRun {
                    ran_at: Utc::now(),
                    request,
                    weights,
                    candidates: &ids,
                    outcome: &outcome,
                };
                self.save_team_pick_run(&team, run, &candidates).await
            }
            None => {
                Ok(self
                    .store()?
                    .save_pick_run(request, weights, &ids, &outcome, Utc::now())?)
            }
        }
    }

    /// The candidates' details: fresh cached ones as they are, the rest fetched as a batch.
    /// Answers the offers in search order and the failures with their codes.
    async fn details(
        &self,
        found: &[Offer],
        progress: &mut impl FnMut(&PickProgress),
        cancel: watch::Receiver<bool>,
    ) -> Result<(Vec<Offer>, Vec<(OfferId, String)>), CommandError> {
        // Cancelled after the last search page: also when every detail is cached.
        if *cancel.borrow() {
            return Err(pifa_core::Error::PickCancelled.into());
        }
        let total = found.len() as u32;
        let mut ready: HashMap<OfferId, Offer> = HashMap::new();
        let mut to_fetch = Vec::new();
        {
            let (store, cache) = (self.store()?, self.cache()?);
            for offer in found {
                match sourcing::cached_offer(&store, &cache, &offer.offer_id, Utc::now())? {
                    Cached::Fresh(detail) => {
                        ready.insert(offer.offer_id.clone(), detail);
                    }
                    Cached::Stale(_) | Cached::Missing => to_fetch.push(offer.offer_id.clone()),
                }
            }
        }
        let from_cache = ready.len() as u32;
        progress(&PickProgress::Fetching {
            done: from_cache,
            total,
        });
        let mut failures = Vec::new();
        if !to_fetch.is_empty() {
            let online = self.online().await?;
            let storage = self.batch_storage()?;
            let reused = self.reusable_from_team(&to_fetch, storage.ttls).await;
            let mut settled = Vec::new();
            let counts = batch::run_batch(
                Arc::clone(&online.client),
                storage,
                BatchInput {
                    offer_ids: to_fetch,
                    reused,
                    ..BatchInput::default()
                },
                BATCH_CONCURRENCY,
                cancel,
                |item, counts| {
                    settled.push(item.clone());
                    progress(&PickProgress::Fetching {
                        done: from_cache + counts.done(),
                        total,
                    });
                },
            )
            .await;
            if let Some(stop) = counts.stopped {
                return Err(CommandError {
                    stops_run: true,
                    ..CommandError::new(stop.code, stop.message)
                });
            }
            if counts.cancelled > 0 {
                return Err(pifa_core::Error::PickCancelled.into());
            }
            let store = self.store()?;
            for item in settled {
                let Some(offer_id) = item
                    .offer_id
                    .as_deref()
                    .and_then(|id| OfferId::parse(id).ok())
                else {
                    continue;
                };
                match item.status {
                    BatchStatus::Stored => {
                        ready.insert(offer_id.clone(), store.offer(&offer_id)?);
                    }
                    _ => failures.push((offer_id, item.code.unwrap_or_default())),
                }
            }
        }
        let offers = found
            .iter()
            .filter_map(|o| ready.remove(&o.offer_id))
            .collect();
        Ok((offers, failures))
    }

    /// Ranks a saved run's candidates again with other weights, from what is stored: no call
    /// to 1688 (in a team, the offers a teammate's run weighed come from the team database).
    /// The run itself stays as it was.
    pub async fn rerank_pick(
        &self,
        run_id: i64,
        weights: &Weights,
    ) -> Result<PickOutcome, CommandError> {
        weights.check()?;
        let workbench = self.clone();
        let run = run_blocking(move || Ok(workbench.reader()?.pick_run(run_id)?)).await?;
        let failed: Vec<_> = run
            .outcome
            .excluded
            .iter()
            .filter(|e| e.reasons.contains(&Reason::FetchFailed))
            .cloned()
            .collect();
        let weighed: Vec<OfferId> = run
            .candidates
            .iter()
            .filter(|id| !failed.iter().any(|f| &f.offer_id == *id))
            .cloned()
            .collect();
        let not_copied = if self.in_team() {
            self.copy_weighed_offers(weighed.clone()).await.err()
        } else {
            None
        };
        let (workbench, weights) = (self.clone(), *weights);
        run_blocking(move || {
            let reader = workbench.reader()?;
            let offers: Result<Vec<_>, _> = weighed.iter().map(|id| reader.offer(id)).collect();
            let offers = match (offers, not_copied) {
                (Ok(offers), _) => offers,
                // A teammate's offer is lacking because the team's copy could not be read: that
                // is the problem to name, not an offer unknown here.
                (Err(pifa_core::Error::OfferNotFound(_)), Some(problem)) => return Err(problem),
                (Err(e), _) => return Err(e.into()),
            };
            let mut outcome = pick::evaluate(&offers, &run.request, &weights);
            for failure in failed {
                outcome.exclude_unfetched(
                    failure.offer_id,
                    failure.title,
                    failure.code.as_deref().unwrap_or_default(),
                );
            }
            Ok(outcome)
        })
        .await
    }

    pub fn pick_run(&self, run_id: i64) -> Result<PickRun, CommandError> {
        Ok(self.reader()?.pick_run(run_id)?)
    }

    /// Saved pick runs, newest first.
    pub fn pick_runs(&self, limit: u32) -> Result<Vec<PickRunSummary>, CommandError> {
        Ok(self.reader()?.pick_runs(limit)?)
    }
}

/// Passes a front end's own cancel signal on to this pick's switch, until the pick ends.
fn forward_cancel(mut outside: watch::Receiver<bool>, switch: watch::Sender<bool>) {
    tokio::spawn(async move {
        loop {
            if *outside.borrow_and_update() {
                let _ = switch.send(true);
                return;
            }
            tokio::select! {
                changed = outside.changed() => if changed.is_err() { return },
                // The pick ended: nothing left to stop.
                () = switch.closed() => return,
            }
        }
    });
}
