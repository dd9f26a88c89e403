//! `pifa-cli compare`: 2–8 stored offers side by side at one quantity, with `--refresh` to
//! fetch them all from 1688 first. The comparison is the app's (pifa-core's `compare`).

use std::collections::BTreeMap;

use clap::Args;
use pifa_core::batch::{BatchItem, BatchStatus};
use pifa_core::compare::{CompareColumn, Fact};
use pifa_core::offer::find_offer_ids;
use pifa_workbench::Workbench;

use crate::output::{fit, json, order_words, progress_bar};
use crate::{CliError, Outcome};

#[derive(Args)]
pub struct CompareArgs {
    /// 2 to 8 offer IDs or 1688 links.
    #[arg(required = true, num_args = 1..)]
    offers: Vec<String>,
    /// The quantity to compare at (raised to each offer's minimum order and whole lots).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    qty: u32,
    /// The SKU to price for an offer (default: the cheapest in stock for the order); repeat.
    #[arg(long, value_name = "OFFER=SKU_ID", value_parser = parse_sku)]
    sku: Vec<(String, String)>,
    /// Fetch every offer from 1688 first, however fresh its stored copy.
    #[arg(long)]
    refresh: bool,
}

fn parse_sku(text: &str) -> Result<(String, String), String> {
    let (offer, sku) = text
        .split_once('=')
        .filter(|(o, s)| !o.trim().is_empty() && !s.trim().is_empty())
        .ok_or_else(|| format!("{text:?} is not OFFER=SKU_ID"))?;
    let offer = find_offer_ids(offer)
        .into_iter()
        .next()
        .ok_or_else(|| format!("{offer:?} is not an offer ID"))?;
    Ok((offer.to_string(), sku.trim().to_owned()))
}

/// IDs from IDs or links, in the order given.
fn offer_ids(inputs: &[String]) -> Result<Vec<String>, CliError> {
    let mut ids = Vec::new();
    for input in inputs {
        let found = find_offer_ids(input);
        if found.is_empty() {
            return Err(CliError::config(
                "offer.bad_id",
                format!("{input:?} is not an offer ID or 1688 offer link"),
            ));
        }
        ids.extend(found.into_iter().map(|id| id.to_string()));
    }
    Ok(ids)
}

pub async fn run(wb: &Workbench, args: &CompareArgs, as_json: bool) -> Result<Outcome, CliError> {
    let ids = offer_ids(&args.offers)?;
    let skus: BTreeMap<String, String> = args.sku.iter().cloned().collect();
    if let Some(stray) = skus.keys().find(|offer| !ids.contains(offer)) {
        return Err(CliError::config(
            "compare.sku_offer",
            format!("--sku names offer {stray}, which is not compared"),
        ));
    }
    let mut failed: Vec<BatchItem> = Vec::new();
    if args.refresh {
        let bar = progress_bar("{bar:40} {pos}/{len} offers refreshed  {msg}", as_json);
        let counts = wb
            .refresh_compared(&ids, |item, counts| {
                bar.set_length(counts.total.into());
                bar.inc(1);
                if item.status != BatchStatus::Stored {
                    failed.push(item.clone());
                }
            })
            .await?;
        bar.finish_and_clear();
        if let Some(stop) = counts.stopped {
            return Err(CliError::Stopped {
                message: format!("refreshing stopped: {}", stop.message),
                code: stop.code,
            });
        }
        for item in &failed {
            eprintln!(
                "pifa-cli: {} was not refreshed (its stored copy is compared): {} [{}]",
                item.offer_id.as_deref().unwrap_or_default(),
                item.message.as_deref().unwrap_or_default(),
                item.code.as_deref().unwrap_or_default()
            );
        }
    }
    let comparison = wb.compare_offers(&ids, args.qty, &skus)?;
    if as_json {
        json(&comparison);
    } else {
        outln!(
            "Compared at {} pieces ({} offers; ★ best in its row, copies older than {} min are stale):",
            comparison.qty,
            comparison.offers.len(),
            comparison.detail_ttl_minutes
        );
        for column in &comparison.offers {
            print_column(column);
        }
    }
    Ok(if failed.is_empty() {
        Outcome::Ok
    } else {
        Outcome::SomeFailed
    })
}

fn star(column: &CompareColumn, fact: Fact) -> &'static str {
    if column.best.contains(&fact) {
        " ★"
    } else {
        ""
    }
}

fn print_column(c: &CompareColumn) {
    let title = c.title.as_deref().or(c.title_en.as_deref()).unwrap_or("");
    outln!(
        "{}{}  {}",
        c.offer_id,
        if c.cheapest { "  [cheapest]" } else { "" },
        fit(title, 50).trim_end()
    );
    let order = c.order.as_ref().map_or_else(|| "-".into(), order_words);
    outln!("  order       {order}{}", star(c, Fact::OrderQty));
    match (c.unit_price, c.total) {
        (Some(unit), Some(total)) => outln!(
            "  unit price  ¥{unit}{}   total ¥{total}{}",
            star(c, Fact::UnitPrice),
            star(c, Fact::Total)
        ),
        _ => outln!(
            "  no price    {}",
            c.problem.as_ref().map(|p| p.code.as_str()).unwrap_or("")
        ),
    }
    if let Some(sku) = &c.sku_id {
        outln!(
            "  SKU         {sku}{}",
            if c.sku_chosen {
                ""
            } else {
                " (cheapest in stock)"
            }
        );
    }
    if let Some(b) = &c.next_break {
        outln!(
            "  next break  from {}: ¥{} each, saves ¥{}{}",
            b.at_qty,
            b.unit_price,
            b.saving_on_order,
            star(c, Fact::NextBreak)
        );
    }
    match (c.stock, c.stock_covers) {
        (Some(stock), Some(true)) => outln!("  stock       {stock}{}", star(c, Fact::Stock)),
        (Some(stock), _) => outln!("  stock       only {stock}"),
        _ => {}
    }
    if let Some(m) = c.mixed_batch.filter(|m| m.allowed) {
        let terms = [
            m.min_amount_yuan.map(|y| format!("¥{y}")),
            m.min_pieces.map(|p| format!("{p} pcs")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" or ");
        outln!("  混批        from {terms}");
    }
    outln!(
        "  data        {} min old{}{}",
        c.age_minutes,
        if c.stale { " (stale: --refresh)" } else { "" },
        if c.partial {
            " (search result only)"
        } else {
            ""
        }
    );
}
