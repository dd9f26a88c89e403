//! `pifa-cli search` and `pifa-cli item`: fetch from 1688 (or the demo gateway), clean, store.

use pifa_core::offer::Offer;
use pifa_core::protocol::{KeywordSearch, SearchFilter, SearchSort};
use pifa_workbench::Workbench;

use crate::output::{fit, json};
use crate::{CliError, Outcome};

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
    wb: &Workbench,
    search: &KeywordSearch,
    refresh: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    // The command line has no background to refresh in: a stale page is fetched again.
    let results = wb.search_1688(search, refresh).await?.latest().await?;
    let keyword = results.search.keyword.as_str();
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

pub async fn item(
    wb: &Workbench,
    inputs: &[String],
    refresh: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let fetched = wb.fetch_offers(inputs, refresh).await?;
    let failed = !fetched.errors.is_empty();
    let (offers, errors) = (&fetched.offers, &fetched.errors);
    if as_json {
        json(&fetched);
    } else {
        for o in offers {
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
        for e in errors {
            eprintln!("{}: {} [{}]", e.input, e.message, e.code);
        }
    }
    Ok(if failed {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}
