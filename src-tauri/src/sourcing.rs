//! The shell's 1688 lookups: search pages and offer details through the cache, stored as they
//! come, and what the offer page asks of a stored offer.

use chrono::Utc;
use pifa_core::offer::tiers::{order_quote, OrderQuote};
use pifa_core::offer::{Offer, OfferId};
use pifa_core::protocol::KeywordSearch;
use pifa_core::sourcing::{self, CachedOffer, CachedSearch, SearchResults};

use crate::{CommandError, Shell};

/// Search pages hold this many offers.
const SEARCH_PAGE_SIZE: u32 = 20;

impl Shell {
    /// One page of a 1688 keyword search; its offers are stored as they come. A cached page is
    /// answered as is; a stale one too, with `true` asking the caller to refresh it in the
    /// background; `refresh` always asks the gateway.
    pub async fn search_1688(
        &self,
        search: &KeywordSearch,
        refresh: bool,
    ) -> Result<(SearchResults, bool), CommandError> {
        let search = KeywordSearch {
            page_size: SEARCH_PAGE_SIZE,
            ..search.normalized()
        };
        if search.keyword.is_empty() {
            return Err(CommandError {
                code: "search.empty_keyword".into(),
                message: "type what to search for".into(),
            });
        }
        if !refresh {
            let cached = sourcing::cached_search(&*self.cache()?, &search, Utc::now())?;
            match cached {
                CachedSearch::Fresh(results) => return Ok((results, false)),
                CachedSearch::Stale(results) => return Ok((results, true)),
                CachedSearch::Missing => {}
            }
        }
        Ok((self.refresh_search(&search).await?, false))
    }

    /// Fetches a search page from the gateway; stores its offers and caches it.
    pub async fn refresh_search(
        &self,
        search: &KeywordSearch,
    ) -> Result<SearchResults, CommandError> {
        let online = self.online().await?;
        let results = sourcing::search(&online.client, search).await?;
        // The settings file is read before the databases are locked, not while they are.
        let ttls = self.ttls();
        let (mut store, cache) = (self.store()?, self.cache()?);
        sourcing::store_search(&mut store, &cache, &results, ttls)?;
        Ok(results)
    }

    /// An offer's full detail (tiers, SKUs, supplier): a fresh stored copy as is; a stale one
    /// at once, with `true` asking the caller to refresh it in the background; else fetched.
    pub async fn fetch_offer(
        &self,
        offer_id: &str,
        refresh: bool,
    ) -> Result<(Offer, bool), CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if !refresh {
            let cached = {
                let (store, cache) = (self.store()?, self.cache()?);
                sourcing::cached_offer(&store, &cache, &offer_id, Utc::now())?
            };
            match cached {
                CachedOffer::Fresh(offer) => return Ok((offer, false)),
                CachedOffer::Stale(offer) => return Ok((offer, true)),
                CachedOffer::Missing => {}
            }
        }
        Ok((self.refresh_offer(&offer_id).await?, false))
    }

    /// Fetches an offer's detail from the gateway and stores it.
    pub async fn refresh_offer(&self, offer_id: &OfferId) -> Result<Offer, CommandError> {
        let raw = self.online().await?.client.offer_detail(offer_id).await?;
        let ttls = self.ttls();
        let (mut store, cache) = (self.store()?, self.cache()?);
        Ok(sourcing::store_detail(
            &mut store,
            &cache,
            offer_id,
            &raw,
            Utc::now(),
            ttls,
        )?)
    }

    /// The stored copy of an offer, however old, without asking the gateway.
    pub fn stored_offer(&self, offer_id: &str) -> Result<Offer, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.store()?.offer(&offer_id)?)
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
