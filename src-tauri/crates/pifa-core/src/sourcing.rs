//! Fetching offers and keeping them: a keyword search page or an offer's detail from the
//! gateway, cleaned and stored, with the detail cache in front. Shared by the app and the CLI;
//! network calls are async, store and cache work is not, so callers can hold their own locks.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::offer::{clean_search_item, Offer, OfferId};
use crate::protocol::{ApiError, GatewayClient, KeywordSearch};
use crate::store::{Cache, Lookup, Store};
use crate::{Result, Settings};

/// How long a fetched detail answer counts as fresh, unless the user set otherwise.
pub const DETAIL_TTL: Duration = Duration::hours(1);
/// How long a search page counts as fresh, unless the user set otherwise.
pub const SEARCH_TTL: Duration = Duration::minutes(10);

/// How long cached answers stay fresh, per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheTtls {
    pub detail: Duration,
    pub search: Duration,
}

impl Default for CacheTtls {
    fn default() -> CacheTtls {
        CacheTtls {
            detail: DETAIL_TTL,
            search: SEARCH_TTL,
        }
    }
}

impl From<&Settings> for CacheTtls {
    fn from(settings: &Settings) -> CacheTtls {
        let minutes = |m: Option<u32>, default| m.map_or(default, |m| Duration::minutes(m.into()));
        CacheTtls {
            detail: minutes(settings.detail_ttl_minutes, DETAIL_TTL),
            search: minutes(settings.search_ttl_minutes, SEARCH_TTL),
        }
    }
}

/// One page of a 1688 keyword search, its items cleaned into partial offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchResults {
    /// What was asked, in its canonical form.
    pub search: KeywordSearch,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    /// Once each, in 1688's order.
    pub offers: Vec<Offer>,
    /// Items the cleaner could not read (counted, not shown).
    pub unreadable: u32,
    /// Items that repeated an offer already on the page (counted, not shown).
    pub duplicates: u32,
    /// When 1688 gave this page; older than a moment when it came from the cache.
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    /// The page came from the cache and is older than the search TTL: a fresh one is on its way.
    pub stale: bool,
    #[serde(skip)]
    raw_items: Vec<Value>,
    #[serde(skip)]
    answer: Value,
}

impl SearchResults {
    /// Reads a keywordQuery answer (fetched now or cached).
    pub fn from_answer(search: &KeywordSearch, answer: Value, fetched_at: DateTime<Utc>) -> Self {
        let search = search.normalized();
        let result = &answer["result"]["result"];
        let mut results = SearchResults {
            total: result["totalRecords"].as_u64().unwrap_or(0),
            page: search.page,
            search,
            offers: Vec::new(),
            unreadable: 0,
            duplicates: 0,
            fetched_at,
            stale: false,
            raw_items: Vec::new(),
            answer: Value::Null,
        };
        for item in result["data"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match clean_search_item(item, fetched_at) {
                // A page may list an offer twice (a promoted slot and an organic one).
                Ok(offer) if results.offers.iter().any(|o| o.offer_id == offer.offer_id) => {
                    results.duplicates += 1;
                }
                Ok(offer) => {
                    results.offers.push(offer);
                    results.raw_items.push(item.clone());
                }
                Err(_) => results.unreadable += 1,
            }
        }
        results.answer = answer;
        results
    }
}

/// Fetches one page of a keyword search from the gateway (no cache: see [`cached_search`]).
pub async fn search(
    client: &GatewayClient,
    search: &KeywordSearch,
) -> Result<SearchResults, ApiError> {
    let answer = client.search(search).await?;
    // Milliseconds, as the cache keeps times: a cached page reads back the same.
    let now = Utc::now().trunc_subsecs(3);
    Ok(SearchResults::from_answer(search, answer, now))
}

/// What the cache holds of an answer.
#[derive(Debug)]
pub enum Cached<T> {
    /// Fetched within its kind's TTL.
    Fresh(T),
    /// Older: good to show while a fresh copy is fetched.
    Stale(T),
    Missing,
}

pub type CachedSearch = Cached<SearchResults>;
pub type CachedOffer = Cached<Offer>;

/// Counts a lookup of `kind` by what it found (`true` when fresh).
fn counted<T>(cache: &Cache, kind: &str, found: Option<(bool, T)>) -> Cached<T> {
    let (lookup, cached) = match found {
        Some((true, value)) => (Lookup::Hit, Cached::Fresh(value)),
        Some((false, value)) => (Lookup::Stale, Cached::Stale(value)),
        None => (Lookup::Miss, Cached::Missing),
    };
    cache.count(kind, lookup);
    cached
}

/// Looks a search page up in the cache (counting hits, stale hits and misses). An entry the
/// cache cannot read counts as missing: the cache is disposable.
pub fn cached_search(
    cache: &Cache,
    search: &KeywordSearch,
    now: DateTime<Utc>,
) -> Result<CachedSearch> {
    let found = cache.get(&search.cache_key(), now)?.and_then(|cached| {
        let answer = serde_json::from_str(&cached.body).ok()?;
        let mut results = SearchResults::from_answer(search, answer, cached.fetched_at);
        results.stale = !cached.fresh;
        Some((cached.fresh, results))
    });
    Ok(counted(cache, "search", found))
}

/// Keeps a freshly fetched search page: its offers in the store (each in its own transaction;
/// a search result never replaces what a detail answer brought) and the answer in the cache.
pub fn store_search(
    store: &mut Store,
    cache: &Cache,
    results: &SearchResults,
    ttls: CacheTtls,
) -> Result<()> {
    for (offer, raw) in results.offers.iter().zip(&results.raw_items) {
        store.save_offer(offer, Some(raw), false)?;
    }
    cache.put(
        &results.search.cache_key(),
        "search",
        &results.answer.to_string(),
        results.fetched_at,
        ttls.search,
    )
}

pub(crate) fn detail_key(offer_id: &OfferId) -> String {
    format!("detail:{offer_id}")
}

/// Looks an offer's detail up in the cache (counting hits, stale hits and misses).
pub fn cached_offer(
    store: &Store,
    cache: &Cache,
    offer_id: &OfferId,
    now: DateTime<Utc>,
) -> Result<CachedOffer> {
    let found = match cache.get(&detail_key(offer_id), now)? {
        Some(answer) => store
            .offer(offer_id)
            .ok()
            .map(|offer| (answer.fresh, offer)),
        None => None,
    };
    Ok(counted(cache, "detail", found))
}

/// Cleans and stores a fetched detail answer, caches it, and returns the offer as this answer
/// says it (`Store::offer` gives it merged with earlier answers). An answer about another offer than
/// `offer_id` is refused with nothing stored or cached: kept, it would land under its own ID,
/// be cached under this one, and leave a watch on this one silently unchecked.
pub fn store_detail(
    store: &mut Store,
    cache: &Cache,
    offer_id: &OfferId,
    raw: &Value,
    now: DateTime<Utc>,
    ttls: CacheTtls,
) -> Result<Offer> {
    let offer = store.save_detail(offer_id, raw, now)?;
    cache.fetched_details([(detail_key(offer_id).as_str(), now)], ttls.detail)?;
    Ok(offer)
}

/// What became of one offer in a batch fetch.
#[derive(Debug)]
pub enum Fetched<T> {
    /// What `fetch` made of it.
    Answer(T),
    /// Not fetched: the batch was cancelled first.
    Cancelled,
    /// The fetch went wrong inside Pifa (it panicked): a bug, reported on the offer rather
    /// than losing it from the results.
    Crashed(String),
}

/// Fetches many offers with at most `concurrency` fetches in flight, handing the results to
/// `on_fetched` as they arrive (in completion order), together with any others that arrived
/// meanwhile, so the caller stores each group in one transaction on its own connection.
///
/// `concurrency` workers take the offers in order. Each hands what `fetch` brought to
/// `prepare` (cleaning, say) on a task of its own and starts its next fetch at once: neither
/// preparing nor storing holds the next call back, and only the fetches in flight exist at a
/// time, however long the list. One failure never stops the others; setting `cancel` to true
/// lets the fetches in flight finish and reports the rest as cancelled (a fetch that must stop
/// the rest sets it before it is done). Every offer gets exactly one result, even one whose
/// fetch or preparation panicked.
pub async fn fetch_many<A, T, F, Fut, P>(
    offer_ids: Vec<OfferId>,
    concurrency: usize,
    cancel: tokio::sync::watch::Receiver<bool>,
    fetch: F,
    prepare: P,
    mut on_fetched: impl FnMut(Vec<(OfferId, Fetched<T>)>),
) where
    A: Send + 'static,
    T: Send + 'static,
    F: Fn(OfferId) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = A> + Send + 'static,
    P: Fn(&OfferId, A) -> T + Send + Sync + 'static,
{
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::{Arc, Mutex};
    let workers = concurrency.max(1).min(offer_ids.len());
    let queue = Arc::new(Mutex::new(offer_ids.into_iter()));
    let (fetch, prepare) = (Arc::new(fetch), Arc::new(prepare));
    let (arrive, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    // Dropped with this future: its workers, and their fetches with them, stop too.
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (queue, fetch, prepare, cancel, arrive) = (
            Arc::clone(&queue),
            Arc::clone(&fetch),
            Arc::clone(&prepare),
            cancel.clone(),
            arrive.clone(),
        );
        running.spawn(async move {
            loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(offer_id) = next else { return };
                let cancelled = *cancel.borrow();
                if cancelled {
                    let _ = arrive.send((offer_id, Fetched::Cancelled));
                    continue;
                }
                // A task of its own, so a panic is this offer's result, not the worker's end.
                let brought = tokio::task::JoinSet::from_iter([fetch(offer_id.clone())])
                    .join_next()
                    .await;
                let answer = match brought {
                    Some(Ok(answer)) => answer,
                    Some(Err(e)) if e.is_panic() => {
                        let _ =
                            arrive.send((offer_id, Fetched::Crashed(panic_text(e.into_panic()))));
                        continue;
                    }
                    _ => {
                        let _ = arrive.send((offer_id, Fetched::Cancelled));
                        continue;
                    }
                };
                let (prepare, arrive) = (Arc::clone(&prepare), arrive.clone());
                tokio::spawn(async move {
                    let prepared = catch_unwind(AssertUnwindSafe(|| prepare(&offer_id, answer)));
                    let fetched = match prepared {
                        Ok(prepared) => Fetched::Answer(prepared),
                        Err(panic) => Fetched::Crashed(panic_text(panic)),
                    };
                    let _ = arrive.send((offer_id, fetched));
                });
            }
        });
    }
    drop(arrive);
    while let Some(first) = arrived.recv().await {
        let mut group = vec![first];
        while let Ok(more) = arrived.try_recv() {
            group.push(more);
        }
        on_fetched(group);
    }
}

/// What a panic said, briefly.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    let said = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    said.chars().take(200).collect()
}

#[cfg(test)]
mod fetch_tests {
    use super::*;

    #[tokio::test]
    async fn a_fetch_or_preparation_that_panics_is_a_result_not_a_gap() {
        let ids: Vec<OfferId> = (0..6)
            .map(|i| OfferId::parse(&format!("62451687340{i}")).unwrap())
            .collect();
        let (_cancel, cancelled) = tokio::sync::watch::channel(false);
        let fetch = |offer_id: OfferId| async move {
            if offer_id.as_str().ends_with('3') {
                panic!("DateTime + TimeDelta overflowed");
            }
            serde_json::json!({"offerId": offer_id.as_str()})
        };
        let prepare = |offer_id: &OfferId, answer: Value| {
            assert!(!offer_id.as_str().ends_with('5'), "unreadable answer");
            answer
        };
        let mut results = Vec::new();
        fetch_many(ids.clone(), 2, cancelled, fetch, prepare, |group| {
            results.extend(group)
        })
        .await;
        assert_eq!(results.len(), ids.len(), "one result per offer");
        let mut crashed: Vec<_> = results
            .iter()
            .filter_map(|(id, f)| match f {
                Fetched::Crashed(said) => Some((id.as_str(), said.as_str())),
                _ => None,
            })
            .collect();
        crashed.sort();
        assert_eq!(
            crashed,
            [
                ("624516873403", "DateTime + TimeDelta overflowed"),
                ("624516873405", "unreadable answer")
            ]
        );
    }

    #[tokio::test]
    async fn a_cancelled_run_reports_every_offer_not_fetched_as_cancelled() {
        let ids: Vec<OfferId> = (0..8)
            .map(|i| OfferId::parse(&format!("62451687340{i}")).unwrap())
            .collect();
        let (cancel, cancelled) = tokio::sync::watch::channel(false);
        let cancel = std::sync::Arc::new(cancel);
        let stopper = std::sync::Arc::clone(&cancel);
        // The third offer's fetch stops the rest before it is done, as a spent quota does.
        let fetch = move |offer_id: OfferId| {
            let stopper = std::sync::Arc::clone(&stopper);
            async move {
                if offer_id.as_str().ends_with('2') {
                    stopper.send_replace(true);
                }
                offer_id
            }
        };
        let mut results = Vec::new();
        fetch_many(
            ids.clone(),
            1,
            cancelled,
            fetch,
            |_: &OfferId, id| id,
            |group| results.extend(group),
        )
        .await;
        let fetched: Vec<&str> = results
            .iter()
            .filter_map(|(id, f)| matches!(f, Fetched::Answer(_)).then_some(id.as_str()))
            .collect();
        assert_eq!(fetched, ["624516873400", "624516873401", "624516873402"]);
        let cancelled = results
            .iter()
            .filter(|(_, f)| matches!(f, Fetched::Cancelled))
            .count();
        assert_eq!(cancelled, 5, "every offer gets one result");
    }

    #[test]
    fn an_answer_for_another_offer_is_refused_and_kept_nowhere() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let asked = OfferId::parse("624516873411").unwrap();
        let answered = OfferId::parse("624516873412").unwrap();
        let raw = crate::protocol::fake::detail_answer(answered.as_str());
        let now = Utc::now();
        let error =
            store_detail(&mut store, &cache, &asked, &raw, now, CacheTtls::default()).unwrap_err();
        assert_eq!(error.code(), "gateway.malformed");
        assert!(
            error
                .to_string()
                .contains("the answer is for offer 624516873412, not 624516873411"),
            "{error}"
        );
        assert!(store.offer(&answered).is_err(), "nothing stored");
        assert!(
            cache.get(&detail_key(&asked), now).unwrap().is_none(),
            "nothing cached"
        );
        // The right offer is stored as before.
        let offer = store_detail(
            &mut store,
            &cache,
            &answered,
            &raw,
            now,
            CacheTtls::default(),
        )
        .unwrap();
        assert_eq!(offer.offer_id, answered);
    }

    #[test]
    fn an_offer_listed_twice_on_a_page_is_shown_once_and_counted() {
        let mut answer: Value =
            serde_json::from_str(include_str!("../tests/fixtures/keyword_query.json")).unwrap();
        let items = answer["result"]["result"]["data"].as_array_mut().unwrap();
        // A promoted slot repeats the first offer, its ID now a string as the second's is.
        let mut repeat = items[0].clone();
        repeat["offerId"] = Value::from(repeat["offerId"].to_string());
        items.push(repeat);
        let search = KeywordSearch::new("测试");
        let page = SearchResults::from_answer(&search, answer, Utc::now());
        let ids: Vec<&str> = page.offers.iter().map(|o| o.offer_id.as_str()).collect();
        assert_eq!(ids, ["700000000001", "700000000002"]);
        assert_eq!((page.duplicates, page.unreadable), (1, 0));
        assert_eq!(page.raw_items.len(), 2, "only what is shown is stored");
    }
}
