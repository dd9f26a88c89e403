//! Fetching offers and keeping them: a keyword search page or an offer's detail from the
//! gateway, cleaned and stored, with the detail cache in front. Shared by the app and the CLI;
//! network calls are async, store and cache work is not, so callers can hold their own locks.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::offer::{clean_search_item, Offer, OfferId};
use crate::protocol::{ApiError, GatewayClient};
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
    pub keyword: String,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub offers: Vec<Offer>,
    /// Items the cleaner could not read (counted, not shown).
    pub unreadable: u32,
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
    pub fn from_answer(keyword: &str, page: u32, answer: Value, fetched_at: DateTime<Utc>) -> Self {
        let result = &answer["result"]["result"];
        let mut results = SearchResults {
            keyword: keyword.to_owned(),
            total: result["totalRecords"].as_u64().unwrap_or(0),
            page: page.max(1),
            offers: Vec::new(),
            unreadable: 0,
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
    keyword: &str,
    page: u32,
    page_size: u32,
) -> Result<SearchResults, ApiError> {
    let answer = client.search(keyword, page, page_size).await?;
    // Milliseconds, as the cache keeps times: a cached page reads back the same.
    let now = Utc::now().trunc_subsecs(3);
    Ok(SearchResults::from_answer(keyword, page, answer, now))
}

fn search_key(keyword: &str, page: u32, page_size: u32) -> String {
    format!("search:{page_size}:{}:{keyword}", page.max(1))
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
    keyword: &str,
    page: u32,
    page_size: u32,
    now: DateTime<Utc>,
) -> Result<CachedSearch> {
    let found = cache
        .get(&search_key(keyword, page, page_size), now)?
        .and_then(|cached| {
            let answer = serde_json::from_str(&cached.body).ok()?;
            let mut results = SearchResults::from_answer(keyword, page, answer, cached.fetched_at);
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
    page_size: u32,
    ttls: CacheTtls,
) -> Result<()> {
    for (offer, raw) in results.offers.iter().zip(&results.raw_items) {
        store.save_offer(offer, Some(raw), false)?;
    }
    cache.put(
        &search_key(&results.keyword, results.page, page_size),
        "search",
        &results.answer.to_string(),
        results.fetched_at,
        ttls.search,
    )
}

fn detail_key(offer_id: &OfferId) -> String {
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

/// Cleans and stores a fetched detail answer, and caches it.
pub fn store_detail(
    store: &mut Store,
    cache: &Cache,
    offer_id: &OfferId,
    raw: &Value,
    now: DateTime<Utc>,
    ttls: CacheTtls,
) -> Result<Offer> {
    let (offer, _) = store.import_answer(raw, now)?;
    cache.put(
        &detail_key(offer_id),
        "detail",
        &raw.to_string(),
        now,
        ttls.detail,
    )?;
    Ok(offer)
}

/// What became of one offer in a batch fetch.
#[derive(Debug)]
pub enum Fetched {
    Answer(Result<Value, ApiError>),
    /// Not fetched: the batch was cancelled first.
    Cancelled,
}

/// Fetches many offers' details with at most `concurrency` calls in flight, handing each answer
/// to `on_fetched` as it arrives (in completion order), so the caller stores them one by one on
/// its own connection. One failure never stops the others; setting `cancel` to true lets the
/// calls in flight finish and reports the rest as cancelled.
pub async fn fetch_many(
    client: std::sync::Arc<GatewayClient>,
    offer_ids: Vec<OfferId>,
    concurrency: usize,
    cancel: tokio::sync::watch::Receiver<bool>,
    mut on_fetched: impl FnMut(OfferId, Fetched),
) {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for offer_id in offer_ids {
        let (slots, client, cancel) = (slots.clone(), client.clone(), cancel.clone());
        tasks.spawn(async move {
            let Ok(_slot) = slots.acquire_owned().await else {
                return (offer_id, Fetched::Cancelled);
            };
            if *cancel.borrow() {
                return (offer_id, Fetched::Cancelled);
            }
            let answer = client.offer_detail(&offer_id).await;
            (offer_id, Fetched::Answer(answer))
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok((offer_id, fetched)) = joined {
            on_fetched(offer_id, fetched);
        }
    }
}
