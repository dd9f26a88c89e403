//! Fetching offers and keeping them: a keyword search page or an offer's detail from the
//! gateway, cleaned and stored, with the detail cache in front. Shared by the app and the CLI;
//! network calls are async, store and cache work is not, so callers can hold their own locks.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::offer::{clean_search_item, Offer, OfferId};
use crate::protocol::{ApiError, GatewayClient};
use crate::store::{Cache, Lookup, Store};
use crate::Result;

/// How long a fetched detail answer counts as fresh.
pub const DETAIL_TTL: Duration = Duration::hours(1);

/// One page of a 1688 keyword search, its items cleaned into partial offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchResults {
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub offers: Vec<Offer>,
    /// Items the cleaner could not read (counted, not shown).
    pub unreadable: u32,
    #[serde(skip)]
    raw_items: Vec<Value>,
}

pub async fn search(
    client: &GatewayClient,
    keyword: &str,
    page: u32,
    page_size: u32,
) -> Result<SearchResults, ApiError> {
    let answer = client.search(keyword, page, page_size).await?;
    let result = &answer["result"]["result"];
    let now = Utc::now();
    let mut results = SearchResults {
        total: result["totalRecords"].as_u64().unwrap_or(0),
        page: page.max(1),
        offers: Vec::new(),
        unreadable: 0,
        raw_items: Vec::new(),
    };
    for item in result["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        match clean_search_item(item, now) {
            Ok(offer) => {
                results.offers.push(offer);
                results.raw_items.push(item.clone());
            }
            Err(_) => results.unreadable += 1,
        }
    }
    Ok(results)
}

/// Keeps a search page's offers (each in its own transaction; a search result never replaces
/// what a detail answer brought).
pub fn store_search(store: &mut Store, results: &SearchResults) -> Result<()> {
    for (offer, raw) in results.offers.iter().zip(&results.raw_items) {
        store.save_offer(offer, Some(raw), false)?;
    }
    Ok(())
}

fn detail_key(offer_id: &OfferId) -> String {
    format!("detail:{offer_id}")
}

/// What the cache knows of an offer's detail.
#[derive(Debug)]
pub enum CachedOffer {
    /// Fetched less than [`DETAIL_TTL`] ago.
    Fresh(Offer),
    /// Stored, but older: good to show while a fresh copy is fetched.
    Stale(Offer),
    Missing,
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
    let (lookup, cached) = match found {
        Some((true, offer)) => (Lookup::Hit, CachedOffer::Fresh(offer)),
        Some((false, offer)) => (Lookup::Stale, CachedOffer::Stale(offer)),
        None => (Lookup::Miss, CachedOffer::Missing),
    };
    cache.count("detail", lookup);
    Ok(cached)
}

/// Cleans and stores a fetched detail answer, and caches it.
pub fn store_detail(
    store: &mut Store,
    cache: &Cache,
    offer_id: &OfferId,
    raw: &Value,
    now: DateTime<Utc>,
) -> Result<Offer> {
    let (offer, _) = store.import_answer(raw, now)?;
    cache.put(
        &detail_key(offer_id),
        "detail",
        &raw.to_string(),
        now,
        DETAIL_TTL,
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
