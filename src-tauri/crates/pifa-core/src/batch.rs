//! Fetching many offers at once: what the buyer pasted is read into offer IDs, paused offers are
//! skipped, the rest are fetched with bounded concurrency and each answer is stored as it
//! arrives, with one result per offer. One failure about an offer never fails the batch; one
//! that every further offer would meet too (the app's settings, quota or authorization, a full
//! or read-only disk) stops it at once with one batch-level error. Answers another member of
//! the team fetched within the cache lifetime are stored as they are, without a call. Shared
//! by the app's batch page, 选品, the watch checks and `pifa-cli batch`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::offer::{find_offer_ids, OfferId};
use crate::protocol::{ApiError, GatewayClient};
use crate::sourcing::{self, CacheTtls, Fetched};
use crate::store::{Cache, ReadyAnswer, Store, StoredAnswer};
use crate::Error;

/// What a pasted text or file asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchInput {
    /// In order of first appearance, once each.
    pub offer_ids: Vec<OfferId>,
    /// Lines that name no offer, reported as failed items.
    pub unreadable: Vec<BatchItem>,
    /// Answers for some of `offer_ids` fetched elsewhere within the cache lifetime (a team
    /// member's): stored instead of calling 1688. One that cannot be used is fetched after all.
    pub reused: Vec<(OfferId, StoredAnswer)>,
}

/// Reads offer IDs from text: bare IDs, offer URLs, or lines holding several. Blank lines and
/// lines starting with `#` are skipped.
pub fn read_batch(text: &str) -> BatchInput {
    let mut input = BatchInput::default();
    let mut seen = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let found = find_offer_ids(trimmed);
        if found.is_empty() {
            let number = index as u32 + 1;
            input.unreadable.push(BatchItem {
                offer_id: None,
                line: Some(number),
                status: BatchStatus::Failed,
                title: None,
                code: Some("offer.bad_id".to_owned()),
                message: Some(format!(
                    "line {number} names no 1688 offer (an ID such as 624516873409 or a detail.1688.com/offer/….html link): {trimmed:?}"
                )),
                paused_until: None,
            });
        }
        input
            .offer_ids
            .extend(found.into_iter().filter(|id| seen.insert(id.clone())));
    }
    input
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum BatchStatus {
    /// Fetched, cleaned and stored.
    Stored,
    /// Not stored; `code` and `message` say why.
    Failed,
    /// Not fetched: the batch was cancelled first.
    Cancelled,
}

/// What became of one offer (or one unreadable line) of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchItem {
    /// `null` for a line that names no offer.
    pub offer_id: Option<String>,
    /// The input line, for a line that names no offer.
    pub line: Option<u32>,
    pub status: BatchStatus,
    pub title: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
    /// Set when this failure paused the offer, or it was paused already.
    #[ts(type = "string | null")]
    pub paused_until: Option<DateTime<Utc>>,
}

impl BatchItem {
    fn of(offer_id: &OfferId, status: BatchStatus) -> BatchItem {
        BatchItem {
            offer_id: Some(offer_id.to_string()),
            line: None,
            status,
            title: None,
            code: None,
            message: None,
            paused_until: None,
        }
    }

    fn failed(offer_id: &OfferId, code: &str, message: String) -> BatchItem {
        BatchItem {
            code: Some(code.to_owned()),
            message: Some(message),
            ..BatchItem::of(offer_id, BatchStatus::Failed)
        }
    }
}

/// Why a batch stopped early: the first failure that every remaining offer would meet too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchStop {
    pub code: String,
    pub message: String,
}

/// How far a batch has got, sent with every item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchCounts {
    /// Offers (and unreadable lines) in the batch.
    pub total: u32,
    pub stored: u32,
    /// Of `stored`, those stored from an answer fetched elsewhere (a team member's), no call.
    pub reused: u32,
    pub failed: u32,
    pub cancelled: u32,
    /// Set when the batch stopped at a failure no further offer could avoid (the app's
    /// settings, quota or authorization; a full or read-only disk): the offers not yet
    /// fetched are cancelled, and this says why, once.
    pub stopped: Option<BatchStop>,
}

impl BatchCounts {
    pub fn done(&self) -> u32 {
        self.stored + self.failed + self.cancelled
    }

    fn add(&mut self, status: BatchStatus) {
        match status {
            BatchStatus::Stored => self.stored += 1,
            BatchStatus::Failed => self.failed += 1,
            BatchStatus::Cancelled => self.cancelled += 1,
        }
    }
}

/// One settled item and the counts so far: what the app's batch page receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BatchProgress {
    pub item: BatchItem,
    pub counts: BatchCounts,
}

/// Where a batch keeps what it fetches. The app shares these with its other commands, hence
/// the locks; each is held only while one answer is stored.
pub struct BatchStorage<'a> {
    pub store: &'a Mutex<Store>,
    pub cache: &'a Mutex<Cache>,
    pub ttls: CacheTtls,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves SQLite consistent: it rolls back.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs a batch: every item goes to `on_item` as it is settled, with the counts so far, in
/// completion order. Setting `cancel` lets the calls in flight finish and reports the rest as
/// cancelled. A failure that every further offer would meet (see [`BatchCounts::stopped`])
/// does the same by itself: no more calls are spent, and the counts say why.
pub async fn run_batch(
    client: Arc<GatewayClient>,
    storage: BatchStorage<'_>,
    input: BatchInput,
    concurrency: usize,
    cancel: tokio::sync::watch::Receiver<bool>,
    mut on_item: impl FnMut(&BatchItem, &BatchCounts),
) -> BatchCounts {
    let mut counts = BatchCounts {
        total: (input.offer_ids.len() + input.unreadable.len()) as u32,
        ..BatchCounts::default()
    };
    let mut settle = |item: BatchItem, counts: &mut BatchCounts| {
        if item.status == BatchStatus::Failed {
            // Shown to the user as it happens; in the log for a later look, not as a warning.
            tracing::info!(
                offer_id = item.offer_id.as_deref().unwrap_or_default(),
                code = item.code.as_deref().unwrap_or_default(),
                "an offer of a batch failed: {}",
                item.message.as_deref().unwrap_or_default()
            );
        }
        counts.add(item.status);
        on_item(&item, counts);
    };
    for item in input.unreadable {
        settle(item, &mut counts);
    }

    let now = Utc::now();
    // One read for the whole batch rather than one per offer: pauses are few.
    let paused: Result<HashMap<String, DateTime<Utc>>, Error> =
        lock(storage.store).paused_offers(now).map(|offers| {
            offers
                .into_iter()
                .map(|p| (p.offer_id, p.paused_until))
                .collect()
        });
    let mut reused: HashMap<OfferId, StoredAnswer> = input.reused.into_iter().collect();
    let mut from_elsewhere = Vec::new();
    let mut to_fetch = Vec::with_capacity(input.offer_ids.len());
    for offer_id in input.offer_ids {
        if let Some(answer) = reused.remove(&offer_id) {
            match ReadyAnswer::detail(&offer_id, &answer.text, answer.fetched_at) {
                Ok(detail) => {
                    let ready = Arrival::Ready(Box::new(detail));
                    from_elsewhere.push((offer_id, Fetched::Answer(ready)));
                    continue;
                }
                // Another desktop's copy is untrusted like any answer: fetch our own.
                Err(e) => {
                    tracing::info!(%offer_id, code = e.code(), "a reused answer was unusable: {e}")
                }
            }
        }
        match paused.as_ref().map(|paused| paused.get(offer_id.as_str())) {
            Ok(Some(until)) => {
                let item = BatchItem {
                    paused_until: Some(*until),
                    ..BatchItem::failed(
                        &offer_id,
                        Error::OfferPaused.code(),
                        Error::OfferPaused.to_string(),
                    )
                };
                settle(item, &mut counts);
            }
            Ok(None) => to_fetch.push(offer_id),
            Err(e) => settle(
                BatchItem::failed(&offer_id, e.code(), e.to_string()),
                &mut counts,
            ),
        }
    }

    // The fetches stop on the caller's cancel or on a stopping failure, whichever comes first.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let forwarding = {
        let (stop, mut cancel) = (Arc::clone(&stop), cancel);
        tokio::spawn(async move {
            loop {
                if *cancel.borrow_and_update() {
                    stop.send_replace(true);
                    return;
                }
                if cancel.changed().await.is_err() {
                    return;
                }
            }
        })
    };
    // What arrived together is stored together, in one transaction.
    let mut keep_group = |group: Vec<(OfferId, Fetched<Arrival>)>, counts: &mut BatchCounts| {
        for (item, stops) in keep(&storage, group) {
            if let Some(reason) = stops {
                if counts.stopped.is_none() {
                    tracing::warn!(code = %reason.code, "a batch stopped: {}", reason.message);
                    counts.stopped = Some(reason);
                    stop.send_replace(true);
                }
            }
            settle(item, counts);
        }
    };
    if !from_elsewhere.is_empty() {
        let before = counts.stored;
        keep_group(from_elsewhere, &mut counts);
        counts.reused = counts.stored - before;
    }
    let stopper = Arc::clone(&stop);
    let fetch = move |offer_id: OfferId| {
        let (client, stop) = (Arc::clone(&client), Arc::clone(&stopper));
        async move {
            let fetched = client.offer_detail_text(&offer_id).await;
            if let Err(e) = &fetched {
                // Said before this fetch's slot is freed: no further call starts.
                if e.stops_run() {
                    stop.send_replace(true);
                }
            }
            fetched
        }
    };
    // Each answer is cleaned and compressed where it arrives, on the runtime's threads.
    let prepare = |offer_id: &OfferId, fetched: Result<String, ApiError>| match fetched {
        Err(e) => Arrival::Failed(e),
        Ok(text) => match ReadyAnswer::detail(offer_id, &text, Utc::now()) {
            Ok(detail) => Arrival::Ready(Box::new(detail)),
            Err(e) => Arrival::Unusable(e),
        },
    };
    sourcing::fetch_many(to_fetch, concurrency, stopping, fetch, prepare, |group| {
        keep_group(group, &mut counts)
    })
    .await;
    forwarding.abort();
    tracing::info!(
        total = counts.total,
        stored = counts.stored,
        reused = counts.reused,
        failed = counts.failed,
        cancelled = counts.cancelled,
        "a batch ended"
    );
    counts
}

/// What a fetch brought, made ready to store where it arrived.
enum Arrival {
    /// Cleaned and compressed.
    Ready(Box<ReadyAnswer>),
    Failed(ApiError),
    /// An answer that cannot be stored: unreadable, or about another offer.
    Unusable(Error),
}

/// Stores what arrived together, in one transaction, and books each failure towards the pause
/// rule; one settled item per offer. The second value of an item is set when its failure
/// should stop the whole batch; such a failure is never booked against the offer, which is not
/// at fault.
fn keep(
    storage: &BatchStorage<'_>,
    group: Vec<(OfferId, Fetched<Arrival>)>,
) -> Vec<(BatchItem, Option<BatchStop>)> {
    let now = Utc::now();
    let mut store = lock(storage.store);
    let ready: Vec<&ReadyAnswer> = group
        .iter()
        .filter_map(|(_, fetched)| match fetched {
            Fetched::Answer(Arrival::Ready(detail)) => Some(&**detail),
            _ => None,
        })
        .collect();
    let saved = match ready.is_empty() {
        true => Ok(Vec::new()),
        false => store.save_details(&ready),
    };
    // What could not be stored at all, said once for each of its offers.
    let group_failure = saved
        .as_ref()
        .err()
        .map(|e| (e.code(), e.to_string(), stops(e)));
    let mut saved = saved.unwrap_or_default().into_iter();
    let mut noted = Vec::new();
    let mut kept = Vec::with_capacity(group.len());
    for (offer_id, fetched) in group {
        let (code, message, serious, stops) = match fetched {
            Fetched::Cancelled => {
                kept.push((BatchItem::of(&offer_id, BatchStatus::Cancelled), None));
                continue;
            }
            Fetched::Crashed(said) => {
                let item = BatchItem::failed(
                    &offer_id,
                    crate::error::INTERNAL,
                    format!("fetching this offer failed inside Pifa ({said}); please report it"),
                );
                kept.push((item, None));
                continue;
            }
            Fetched::Answer(Arrival::Ready(detail)) => match (&group_failure, saved.next()) {
                (Some((code, message, stops)), _) => (*code, message.clone(), false, *stops),
                (None, Some(Ok(_))) => {
                    let title = detail.offer.title.clone().or(detail.offer.title_en.clone());
                    let fetched_at = detail.offer.fetched_at;
                    noted.push((sourcing::detail_key(&offer_id), fetched_at));
                    kept.push((
                        BatchItem {
                            title,
                            ..BatchItem::of(&offer_id, BatchStatus::Stored)
                        },
                        None,
                    ));
                    continue;
                }
                (None, Some(Err(e))) => (e.code(), e.to_string(), false, stops(&e)),
                (None, None) => unreachable!("one result per offer stored"),
            },
            Fetched::Answer(Arrival::Unusable(e)) => (e.code(), e.to_string(), true, stops(&e)),
            Fetched::Answer(Arrival::Failed(e)) => {
                (e.code(), e.to_string(), e.is_serious(), e.stops_run())
            }
        };
        kept.push(failed(
            &mut store, &offer_id, code, message, serious, stops, now,
        ));
    }
    drop(store);
    if !noted.is_empty() {
        let keys = noted.iter().map(|(key, at)| (key.as_str(), *at));
        let put = lock(storage.cache).fetched_details(keys, storage.ttls.detail);
        // The offers are stored: a cache that cannot note them only costs a fetch.
        if let Err(e) = put {
            tracing::warn!(
                code = e.code(),
                "a batch's fetches were not noted in the cache: {e}"
            );
        }
    }
    kept
}

/// Nothing more can be stored: further calls would only spend quota.
fn stops(error: &Error) -> bool {
    matches!(error, Error::StoreFull { .. } | Error::StoreReadOnly { .. })
}

/// A failed item, its serious failure booked towards the pause rule.
fn failed(
    store: &mut Store,
    offer_id: &OfferId,
    code: &str,
    mut message: String,
    serious: bool,
    stops: bool,
    now: DateTime<Utc>,
) -> (BatchItem, Option<BatchStop>) {
    let mut paused_until = None;
    if serious {
        if let Ok(Some(until)) = store.record_fetch_failure(offer_id, code, &message, now) {
            message.push_str("; paused for an hour after repeated failures");
            paused_until = Some(until);
        }
    }
    let stop = stops.then(|| BatchStop {
        code: code.to_owned(),
        message: message.clone(),
    });
    let item = BatchItem {
        paused_until,
        ..BatchItem::failed(offer_id, code, message)
    };
    (item, stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_text_gives_each_offer_once_and_names_unreadable_lines() {
        let input = read_batch(
            "# 春季采购\n\
             https://detail.1688.com/offer/624516873409.html?spm=a26\n\
             \n\
             m.1688.com/offer/624516873410.html 和 624516873409\n\
             找不到的供应商\n\
             624516873411, 624516873412\n",
        );
        let ids: Vec<&str> = input.offer_ids.iter().map(OfferId::as_str).collect();
        assert_eq!(
            ids,
            [
                "624516873409",
                "624516873410",
                "624516873411",
                "624516873412"
            ]
        );
        assert_eq!(input.unreadable.len(), 1);
        let line = &input.unreadable[0];
        assert_eq!(line.line, Some(5));
        assert_eq!(line.code.as_deref(), Some("offer.bad_id"));
        assert!(line
            .message
            .as_deref()
            .unwrap()
            .contains("line 5 names no 1688 offer"));
        assert!(line.message.as_deref().unwrap().contains("找不到的供应商"));
    }

    #[test]
    fn an_item_serializes_with_camel_case_and_a_status() {
        let item = BatchItem {
            title: Some("纯棉T恤".into()),
            ..BatchItem::of(
                &OfferId::parse("624516873409").unwrap(),
                BatchStatus::Stored,
            )
        };
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            serde_json::json!({"offerId": "624516873409", "line": null, "status": "stored",
                "title": "纯棉T恤", "code": null, "message": null, "pausedUntil": null})
        );
    }
}

#[cfg(test)]
mod stop_tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;
    use crate::protocol::fake::{client_for, detail_answer, tokens, FakeServer, Reply};
    use crate::protocol::TokenSet;

    /// Serves `good` details (for the offer asked about), then answers every business call
    /// with the gateway error `code`; token calls are refused when `refresh_refused`.
    async fn failing_gateway(good: usize, code: &'static str, refresh_refused: bool) -> FakeServer {
        let served = AtomicUsize::new(0);
        FakeServer::start(move |request| {
            if request.target.contains("system.oauth2") {
                return match refresh_refused {
                    true => Reply::json(401, json!({"error": "invalid_grant", "error_description": "the refresh token was revoked"})),
                    false => Reply::json(200, json!({"access_token": "a2", "expires_in": 36000})),
                };
            }
            if served.fetch_add(1, Ordering::SeqCst) < good {
                let asked: serde_json::Value =
                    serde_json::from_str(request.param("offerDetailParam").unwrap()).unwrap();
                return Reply::json(200, detail_answer(asked["offerId"].as_str().unwrap()));
            }
            Reply::json(400, json!({"error_code": code, "error_message": "refused"}))
        })
        .await
    }

    fn ids() -> Vec<OfferId> {
        (10..20)
            .map(|i| OfferId::parse(&format!("6245168734{i}")).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn settings_quota_or_authorization_stop_the_batch_and_pause_nothing() {
        for (good, code, refresh_refused, expected) in [
            (2, "gw.NoUsageLeftError", false, "gateway.quota_spent"),
            (2, "gw.SignatureInvalid", false, "gateway.configuration"),
            (1, "gw.APIACLDecline", false, "gateway.configuration"),
            (0, "unused", true, "gateway.needs_authorization"),
        ] {
            let gateway = failing_gateway(good, code, refresh_refused).await;
            let held = match refresh_refused {
                true => TokenSet {
                    access_expires_at: Utc::now(),
                    ..tokens("a1", "r0")
                },
                false => tokens("a1", "r0"),
            };
            let client = Arc::new(client_for(&gateway, Some(held)).await);
            let tmp = tempfile::tempdir().unwrap();
            let store = Mutex::new(Store::open(tmp.path().join("pifa.db")).unwrap());
            let cache = Mutex::new(Cache::open(tmp.path().join("cache.db")).unwrap());
            // Six batches: the first offer not stored fails in each, more than enough to pause
            // it if these failures counted.
            for run in 0..6 {
                let storage = BatchStorage {
                    store: &store,
                    cache: &cache,
                    ttls: CacheTtls::default(),
                };
                let input = BatchInput {
                    offer_ids: ids(),
                    ..BatchInput::default()
                };
                let (_cancel, cancelled) = tokio::sync::watch::channel(false);
                let mut seen = Vec::new();
                let counts = run_batch(
                    Arc::clone(&client),
                    storage,
                    input,
                    1,
                    cancelled,
                    |item, counts| seen.push((item.clone(), counts.clone())),
                )
                .await;
                let stored = if run == 0 { good as u32 } else { 0 };
                assert_eq!(
                    (counts.stored, counts.failed, counts.cancelled),
                    (stored, 1, 10 - stored - 1),
                    "{code} run {run}: {counts:?}"
                );
                assert_eq!(counts.done(), counts.total);
                let stop = counts
                    .stopped
                    .as_ref()
                    .expect("the batch says why it stopped");
                assert_eq!(stop.code, expected, "{code}");
                assert_eq!(seen.len(), 10, "one result per offer");
                assert!(seen.iter().all(|(item, _)| item.paused_until.is_none()));
                assert_eq!(seen.last().unwrap().1.stopped.as_ref(), Some(stop));
            }
            let business = gateway.count("queryProductDetail");
            assert_eq!(
                business,
                if refresh_refused { 0 } else { good + 6 },
                "{code}: no calls after the stop"
            );
            assert!(
                store
                    .lock()
                    .unwrap()
                    .paused_offers(Utc::now())
                    .unwrap()
                    .is_empty(),
                "{code} paused an offer"
            );
        }
    }

    #[tokio::test]
    async fn a_full_disk_stops_the_batch_before_more_quota_is_spent() {
        let gateway = failing_gateway(usize::MAX, "unused", false).await;
        let client = Arc::new(client_for(&gateway, Some(tokens("a1", "r0"))).await);
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("pifa.db")).unwrap();
        store.fill_disk_for_test();
        let store = Mutex::new(store);
        let cache = Mutex::new(Cache::open(tmp.path().join("cache.db")).unwrap());
        let storage = BatchStorage {
            store: &store,
            cache: &cache,
            ttls: CacheTtls::default(),
        };
        let offer_ids: Vec<OfferId> = (100..160)
            .map(|i| OfferId::parse(&format!("624516873{i}")).unwrap())
            .collect();
        let input = BatchInput {
            offer_ids,
            ..BatchInput::default()
        };
        let (_cancel, cancelled) = tokio::sync::watch::channel(false);
        let mut failures = Vec::new();
        let counts = run_batch(client, storage, input, 1, cancelled, |item, _| {
            if item.status == BatchStatus::Failed {
                failures.push(item.code.clone().unwrap_or_default());
            }
        })
        .await;
        let stop = counts.stopped.as_ref().expect("the batch stops");
        assert_eq!(stop.code, "store.disk_full", "{stop:?}");
        assert!(stop.message.contains("pifa.db"), "{stop:?}");
        // The answers of the group that met the full disk fail; the rest are never fetched.
        assert!(!failures.is_empty() && failures.iter().all(|c| c == "store.disk_full"));
        assert_eq!(counts.done(), 60);
        assert!(counts.cancelled > 40, "{counts:?}");
        let calls = gateway.count("queryProductDetail");
        assert!(
            calls <= (counts.stored + counts.failed) as usize + 1,
            "{calls} calls for {counts:?}"
        );
    }
}
