//! 1688 lookups through the cache: search pages and offer details, stored as they come
//! (stale-while-revalidate), and what the offer page asks of a stored offer.

use std::future::Future;
use std::pin::Pin;

use chrono::Utc;
use pifa_core::offer::tiers::{order_quote, OrderQuote};
use pifa_core::offer::{find_offer_ids, Offer, OfferId};
use pifa_core::protocol::KeywordSearch;
use pifa_core::sourcing::{self, CacheTtls, Cached, SearchResults};
use serde::Serialize;

use crate::{CommandError, Workbench};

/// The fresh copy on its way: a future that fetches, stores and answers it. The app spawns it
/// and tells the window when it lands; the CLI, with no background to refresh in, awaits it.
pub type Refresh<T> = Pin<Box<dyn Future<Output = Result<T, CommandError>> + Send + 'static>>;

/// An answer now, and when it came from a stale copy, the refresh that replaces it.
pub struct Swr<T> {
    pub value: T,
    pub refresh: Option<Refresh<T>>,
}

impl<T> Swr<T> {
    fn fresh(value: T) -> Swr<T> {
        Swr {
            value,
            refresh: None,
        }
    }

    /// The freshest answer there is: the refreshed copy when the cached one was stale.
    pub async fn latest(self) -> Result<T, CommandError> {
        match self.refresh {
            Some(refresh) => refresh.await,
            None => Ok(self.value),
        }
    }
}

/// One input an offer fetch could not use or fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub input: String,
    pub code: String,
    pub message: String,
}

/// What fetching several offers brought: the offers, and one error per input that failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FetchedOffers {
    pub offers: Vec<Offer>,
    pub errors: Vec<InputError>,
}

/// Offer IDs from inputs that may each be an ID, an offer URL, or text holding several; an
/// input holding none is an error of its own.
fn offer_ids(inputs: &[String], errors: &mut Vec<InputError>) -> Vec<OfferId> {
    let mut ids: Vec<OfferId> = Vec::new();
    for input in inputs {
        let found = match OfferId::parse(input) {
            Ok(id) => vec![id],
            Err(e) => {
                let found = find_offer_ids(input);
                if found.is_empty() {
                    let error = CommandError::from(e);
                    errors.push(InputError {
                        input: input.clone(),
                        code: error.code,
                        message: error.message,
                    });
                }
                found
            }
        };
        for id in found {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

impl Workbench {
    /// One page of a 1688 keyword search; its offers are stored as they come. A fresh cached
    /// page is answered as is; a stale one too, with the refresh that replaces it; `refresh`
    /// always asks the gateway.
    pub async fn search_1688(
        &self,
        search: &KeywordSearch,
        refresh: bool,
    ) -> Result<Swr<SearchResults>, CommandError> {
        let search = search.normalized();
        if search.keyword.is_empty() {
            return Err(pifa_core::Error::EmptyKeyword.into());
        }
        self.note_search(&search.keyword);
        if !refresh {
            let cached = sourcing::cached_search(&*self.cache()?, &search, Utc::now())?;
            match cached {
                Cached::Fresh(results) => return Ok(Swr::fresh(results)),
                Cached::Stale(results) => {
                    let workbench = self.clone();
                    return Ok(Swr {
                        value: results,
                        refresh: Some(Box::pin(async move {
                            let refreshed = workbench.refresh_search(&search).await;
                            if let Err(e) = &refreshed {
                                tracing::warn!(keyword = %search.keyword, page = search.page, code = %e.code, "refreshing a stale search page failed: {}", e.message);
                            }
                            refreshed
                        })),
                    });
                }
                Cached::Missing => {}
            }
        }
        Ok(Swr::fresh(self.refresh_search(&search).await?))
    }

    /// Fetches a search page from the gateway; stores its offers and caches it.
    async fn refresh_search(&self, search: &KeywordSearch) -> Result<SearchResults, CommandError> {
        let online = self.online().await?;
        let results = sourcing::search(&online.client, search).await?;
        // The settings file is read before the databases are locked, not while they are.
        let ttls = self.ttls();
        let (mut store, cache) = (self.store()?, self.cache()?);
        sourcing::store_search(&mut store, &cache, &results, ttls)?;
        Ok(results)
    }

    /// An offer's full detail (tiers, SKUs, supplier): a fresh stored copy as is; a stale one
    /// at once, with the refresh that replaces it; else fetched.
    pub async fn fetch_offer(
        &self,
        offer_id: &str,
        refresh: bool,
    ) -> Result<Swr<Offer>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if !refresh {
            let cached = {
                let (store, cache) = (self.store()?, self.cache()?);
                sourcing::cached_offer(&store, &cache, &offer_id, Utc::now())?
            };
            match cached {
                Cached::Fresh(offer) => return Ok(Swr::fresh(offer)),
                Cached::Stale(offer) => {
                    let workbench = self.clone();
                    return Ok(Swr {
                        value: offer,
                        refresh: Some(Box::pin(async move {
                            let refreshed = workbench.refresh_offer(&offer_id, true).await;
                            if let Err(e) = &refreshed {
                                tracing::warn!(%offer_id, code = %e.code, "refreshing a stale offer failed: {}", e.message);
                            }
                            refreshed
                        })),
                    });
                }
                Cached::Missing => {}
            }
        }
        // Asked to fetch again: from 1688 itself, not a teammate's copy.
        let from_team = !refresh;
        Ok(Swr::fresh(self.refresh_offer(&offer_id, from_team).await?))
    }

    /// Fetches an offer's detail from the gateway and stores it. In a team, a copy another
    /// member fetched within the cache lifetime is used instead (unless `from_team` is false),
    /// and a fetch is shared.
    async fn refresh_offer(
        &self,
        offer_id: &OfferId,
        from_team: bool,
    ) -> Result<Offer, CommandError> {
        // Read once: the cache lifetimes and, outside a team, no team work at all.
        let settings = self.settings();
        let ttls = CacheTtls::from(&settings);
        let team = settings.team.as_ref();
        let reused = match team {
            Some(_) if from_team => self.fresh_from_team(offer_id, ttls).await,
            _ => None,
        };
        let (raw, fetched_at) = match reused {
            Some(found) => found,
            None => {
                let raw = self.online().await?.client.offer_detail(offer_id).await?;
                let now = Utc::now();
                if let Some(joined) = team {
                    self.share_with_team(joined, offer_id, &raw, now).await;
                }
                (raw, now)
            }
        };
        let (mut store, cache) = (self.store()?, self.cache()?);
        sourcing::store_detail(&mut store, &cache, offer_id, &raw, fetched_at, ttls)?;
        // As stored: with what earlier answers said and this one did not (诚信通 years, sales).
        Ok(store.offer(offer_id)?)
    }

    /// The freshest detail of every offer named in `inputs`, one after the other: a stale copy
    /// is fetched again. A failure the next offer would meet too ends the whole call with it;
    /// any other is reported for its input and the rest still fetched.
    pub async fn fetch_offers(
        &self,
        inputs: &[String],
        refresh: bool,
    ) -> Result<FetchedOffers, CommandError> {
        let mut fetched = FetchedOffers::default();
        for id in offer_ids(inputs, &mut fetched.errors) {
            let offer = match self.fetch_offer(id.as_str(), refresh).await {
                Ok(answer) => answer.latest().await,
                Err(e) => Err(e),
            };
            match offer {
                Ok(offer) => fetched.offers.push(offer),
                Err(e) if e.stops_run => return Err(e),
                Err(e) => {
                    tracing::info!(offer_id = %id, code = %e.code, "fetching an offer failed: {}", e.message);
                    fetched.errors.push(InputError {
                        input: id.to_string(),
                        code: e.code,
                        message: e.message,
                    });
                }
            }
        }
        Ok(fetched)
    }

    /// The stored copy of an offer, however old, without asking the gateway.
    pub fn stored_offer(&self, offer_id: &str) -> Result<Offer, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.reader()?.offer(&offer_id)?)
    }

    /// Prices an order of a stored offer: the quote, the minimum order and the next break.
    pub fn quote_offer(
        &self,
        offer_id: &str,
        quantity: u32,
        sku_id: Option<&str>,
    ) -> Result<OrderQuote, CommandError> {
        let offer = self.stored_offer(offer_id)?;
        Ok(order_quote(&offer, quantity, sku_id))
    }
}
