//! `pifa-cli search` and `pifa-cli item`: fetch from 1688 (or the demo gateway), clean, store.

use chrono::Utc;
use pifa_core::offer::{find_offer_ids, Offer, OfferId};
use pifa_core::protocol::{KeywordSearch, SearchFilter, SearchSort};
use pifa_core::sourcing::{self, CacheTtls, CachedOffer, CachedSearch};
use pifa_core::store::{Cache, Store};
use serde::Serialize;

use crate::connect::Connection;
use crate::output::{fit, json};
use crate::{CliError, Outcome};

pub struct SearchRequest {
    pub search: KeywordSearch,
    /// Ask the gateway even when the cache holds a fresh page.
    pub refresh: bool,
}

/// `--filter CODE`: 1688's own filter codes.
pub fn parse_filter(code: &str) -> Result<SearchFilter, String> {
    SearchFilter::from_code(code.trim()).ok_or_else(|| {
        let known: Vec<&str> = SearchFilter::ALL.iter().map(|f| f.code()).collect();
        format!(
            "{code:?} is not a 1688 filter Pifa knows ({})",
            known.join(", ")
        )
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SearchSortArg {
    Price,
    PriceDesc,
    Repurchase,
    Sold,
}

impl From<SearchSortArg> for SearchSort {
    fn from(sort: SearchSortArg) -> SearchSort {
        match sort {
            SearchSortArg::Price => SearchSort::PriceAsc,
            SearchSortArg::PriceDesc => SearchSort::PriceDesc,
            SearchSortArg::Repurchase => SearchSort::RepurchaseDesc,
            SearchSortArg::Sold => SearchSort::SoldDesc,
        }
    }
}

pub async fn search(
    conn: &Connection,
    store: &mut Store,
    cache: &Cache,
    ttls: CacheTtls,
    request: &SearchRequest,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let search = request.search.normalized();
    let keyword = search.keyword.as_str();
    let cached = match request.refresh {
        true => CachedSearch::Missing,
        false => sourcing::cached_search(cache, &search, Utc::now())?,
    };
    // The command line has no background to refresh in: a stale page is fetched again.
    let results = match cached {
        CachedSearch::Fresh(results) => results,
        CachedSearch::Stale(_) | CachedSearch::Missing => {
            let results = sourcing::search(&conn.client, &search).await?;
            sourcing::store_search(store, cache, &results, ttls)?;
            results
        }
    };
    if results.unreadable > 0 {
        eprintln!(
            "pifa-cli: {} search results could not be read and were skipped",
            results.unreadable
        );
    }
    if as_json {
        json(&results);
    } else if results.offers.is_empty() {
        outln!("No offers found for {keyword:?}.");
    } else {
        outln!(
            "{} offers for {keyword:?}, page {}:",
            results.total,
            results.page
        );
        for o in &results.offers {
            outln!(
                "{}  {}  {}  {}  {}",
                fit(o.offer_id.as_str(), 13),
                fit(
                    &o.listed_price
                        .map(|p| format!("¥{p}"))
                        .unwrap_or_else(|| "—".into()),
                    10
                ),
                fit(&o.moq.map(|m| format!("MOQ {m}")).unwrap_or_default(), 9),
                fit(&signals(o), 24),
                o.title.as_deref().unwrap_or("")
            );
        }
    }
    Ok(Outcome::Ok)
}

/// What a search item says of its supplier and sales, in a few characters: 实力商家, 超级工厂,
/// 诚信通 years, the offer's repeat-purchase rate and 30-day sales.
fn signals(offer: &Offer) -> String {
    let supplier = offer.supplier.as_ref();
    let mut parts: Vec<String> = Vec::new();
    if supplier.is_some_and(|s| s.power_merchant()) {
        parts.push("实力".into());
    }
    if supplier.is_some_and(|s| s.super_factory()) {
        parts.push("工厂".into());
    }
    if let Some(years) = supplier.and_then(|s| s.tp_years) {
        parts.push(format!("TP{years}y"));
    }
    if let Some(rate) = offer.repurchase_rate {
        parts.push(format!("复购{rate}"));
    }
    if let Some(sold) = offer.month_sold {
        parts.push(format!("{sold}件/30天"));
    }
    parts.join(" ")
}

#[derive(Serialize)]
struct ItemError {
    input: String,
    code: String,
    message: String,
}

#[derive(Serialize)]
struct ItemOutput {
    offers: Vec<Offer>,
    errors: Vec<ItemError>,
}

/// Offer IDs from the arguments: each may be an ID, an offer URL, or text holding several.
fn offer_ids(inputs: &[String], errors: &mut Vec<ItemError>) -> Vec<OfferId> {
    let mut ids: Vec<OfferId> = Vec::new();
    for input in inputs {
        let found = match OfferId::parse(input) {
            Ok(id) => vec![id],
            Err(e) => {
                let found = find_offer_ids(input);
                if found.is_empty() {
                    errors.push(ItemError {
                        input: input.clone(),
                        code: "offer.bad_id".into(),
                        message: e.to_string(),
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

async fn fetch_detail(
    conn: &Connection,
    store: &mut Store,
    cache: &Cache,
    ttls: CacheTtls,
    id: &OfferId,
    refresh: bool,
) -> Result<Offer, CliError> {
    let now = Utc::now();
    if !refresh {
        // The command line has no background to refresh in: a stale copy is fetched again.
        if let CachedOffer::Fresh(offer) = sourcing::cached_offer(store, cache, id, now)? {
            return Ok(offer);
        }
    }
    let raw = conn.client.offer_detail(id).await?;
    Ok(sourcing::store_detail(store, cache, id, &raw, now, ttls)?)
}

pub async fn item(
    conn: &Connection,
    store: &mut Store,
    cache: &Cache,
    ttls: CacheTtls,
    inputs: &[String],
    refresh: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let mut errors = Vec::new();
    let ids = offer_ids(inputs, &mut errors);
    let mut offers = Vec::new();
    for id in ids {
        match fetch_detail(conn, store, cache, ttls, &id, refresh).await {
            Ok(offer) => offers.push(offer),
            // Trouble with the app, its quota or authorization, the gateway or the disk stops
            // everything: the next offer would fail the same way.
            Err(CliError::Api(e)) if e.stops_run() => return Err(CliError::Api(e)),
            Err(CliError::Core(
                e @ (pifa_core::Error::StoreFull { .. } | pifa_core::Error::StoreReadOnly { .. }),
            )) => return Err(CliError::Core(e)),
            Err(e) => errors.push(ItemError {
                input: id.to_string(),
                code: e.code().into(),
                message: e.to_string(),
            }),
        }
    }
    let failed = !errors.is_empty();
    if as_json {
        json(&ItemOutput { offers, errors });
    } else {
        for o in &offers {
            outln!("{}  {}", o.offer_id, o.title.as_deref().unwrap_or(""));
            let tiers: Vec<String> = o
                .tiers
                .iter()
                .map(|t| format!("{}+ ¥{}", t.min_qty, t.price))
                .collect();
            if !tiers.is_empty() {
                outln!("    tiers: {}", tiers.join(" · "));
            } else if let Some(low) = o.lowest_price() {
                outln!("    from ¥{low} (priced per SKU, {} SKUs)", o.skus.len());
            }
            if let Some(s) = &o.supplier {
                outln!(
                    "    supplier: {} {}{}",
                    s.name.as_deref().unwrap_or("—"),
                    s.province.as_deref().unwrap_or(""),
                    s.tp_years
                        .map(|y| format!(" · 诚信通 {y} yrs"))
                        .unwrap_or_default()
                );
            }
        }
        for e in &errors {
            eprintln!("{}: {} [{}]", e.input, e.message, e.code);
        }
    }
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}
