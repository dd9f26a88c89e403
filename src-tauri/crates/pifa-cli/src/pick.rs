//! `pifa-cli pick`: 选品 on the command line, the same flow and ranking as the app's Pick page.
//!
//! `--manufacturer` asks 1688's search for certified factories only (its `certifiedFactory`
//! filter): no answer says a supplier is a manufacturer, so it narrows the candidates instead
//! of excluding any afterwards.

use std::collections::BTreeMap;

use clap::Args;
use pifa_core::pick::{
    Pick, PickOutcome, PickRequest, Reason, Weights, DEFAULT_PAGES, DEFAULT_TOP,
};
use pifa_core::Money;
use pifa_workbench::{PickProgress, Workbench};
use serde::Serialize;

use crate::offers::percent;
use crate::output::{fit, json, progress_bar, stop_on_ctrl_c};
use crate::{CliError, Outcome};

#[derive(Args)]
pub struct PickArgs {
    /// What to pick for, in Chinese or English.
    #[arg(required = true)]
    keywords: Vec<String>,
    /// Pieces to order; prices are taken at this quantity (raised to each offer's minimum).
    #[arg(long, short = 'q', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    qty: u32,
    /// Highest unit price at the quantity, in yuan (also sent to 1688 as its price filter).
    #[arg(long, value_name = "YUAN")]
    max_price: Option<Money>,
    /// Highest minimum order (MOQ, or the first tier's quantity when larger).
    #[arg(long, value_name = "N")]
    max_moq: Option<u32>,
    /// Only 实力商家 (power merchants).
    #[arg(long)]
    power_merchant: bool,
    /// Only 超级工厂 (super factories; also sent to 1688 as its certifiedFactory filter).
    #[arg(long)]
    super_factory: bool,
    /// Only factories 1688 has certified (认证工厂; 1688's certifiedFactory search filter).
    #[arg(long)]
    manufacturer: bool,
    /// Only suppliers in this province (repeat for several), e.g. --province 浙江.
    #[arg(long, value_name = "NAME")]
    province: Vec<String>,
    /// Only suppliers with at least N 诚信通 years.
    #[arg(long, value_name = "N")]
    min_tp_years: Option<u32>,
    /// Only offers whose own repurchase rate (复购率) is at least this, in percent.
    #[arg(long, value_name = "PERCENT")]
    min_repurchase: Option<Money>,
    /// The 30-day sales below which an offer's repurchase rate does not count.
    #[arg(long, value_name = "N", alias = "min-orders")]
    min_sold: Option<u32>,
    /// Only suppliers whose 48-hour pickup rate (48H揽收率) is at least this, in percent.
    #[arg(long, value_name = "PERCENT")]
    min_pickup: Option<Money>,
    /// Only suppliers whose quality-refund rate (品质退款率) is at most this, in percent.
    #[arg(long, value_name = "PERCENT")]
    max_refund: Option<Money>,
    /// Only offers whose SKU stock covers the order.
    #[arg(long)]
    in_stock: bool,
    /// Search pages to scan, 50 offers each.
    #[arg(long, default_value_t = DEFAULT_PAGES, value_parser = clap::value_parser!(u32).range(1..=10))]
    pages: u32,
    /// How many picks to show.
    #[arg(long, default_value_t = DEFAULT_TOP, value_parser = clap::value_parser!(u32).range(1..=100))]
    top: u32,
    /// A criterion's weight (repeat): price, sales, service, repurchase, pickup,
    /// quality_refund, tp_years; e.g. --weight price=5.
    #[arg(long = "weight", value_name = "NAME=W", value_parser = parse_weight)]
    weights: Vec<(String, f64)>,
    /// Add the picks to this shortlist (made when missing).
    #[arg(long, value_name = "NAME")]
    shortlist: Option<String>,
}

fn parse_weight(text: &str) -> Result<(String, f64), String> {
    let (name, weight) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=WEIGHT (e.g. price=5)"))?;
    let weight = weight
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("{weight:?} is not a number"))?;
    Ok((name.trim().to_owned(), weight))
}

/// What `--json` prints: counts per reason, and the picks with their parts.
#[derive(Serialize)]
struct PickReport<'a> {
    candidates: u32,
    excluded: &'a BTreeMap<Reason, u32>,
    picks: &'a [Pick],
}

pub async fn run(wb: &Workbench, args: &PickArgs, as_json: bool) -> Result<Outcome, CliError> {
    let request = PickRequest {
        keywords: args.keywords.join(" "),
        quantity: args.qty,
        max_unit_price: args.max_price,
        max_moq: args.max_moq,
        power_merchant: args.power_merchant,
        super_factory: args.super_factory,
        manufacturer: args.manufacturer,
        provinces: args.province.clone(),
        min_tp_years: args.min_tp_years,
        min_repurchase: args.min_repurchase.map(percent),
        min_sold: args.min_sold,
        min_pickup_48h: args.min_pickup.map(percent),
        max_quality_refund: args.max_refund.map(percent),
        in_stock: args.in_stock,
        pages: args.pages,
        top: args.top,
    };
    let mut weights = Weights::default();
    for (name, weight) in &args.weights {
        weights.set(name, *weight)?;
    }
    let bar = progress_bar("{bar:40} {pos}/{len}  {elapsed_precise}  {msg}", as_json);
    let cancelled = stop_on_ctrl_c();
    let progress = |p: &PickProgress| match *p {
        PickProgress::Searching {
            page,
            pages,
            candidates,
        } => {
            bar.set_length(pages.into());
            bar.set_position(page.into());
            bar.set_message(format!("search pages, {candidates} candidates"));
        }
        PickProgress::Fetching { done, total } => {
            bar.set_length(total.into());
            bar.set_position(done.into());
            bar.set_message("details");
        }
    };
    let run = wb
        .pick(&request, &weights, progress, Some(cancelled))
        .await?;
    bar.finish_and_clear();
    let outcome = &run.outcome;

    let mut added = None;
    if let Some(name) = &args.shortlist {
        let list = match crate::shortlist::find(wb, name) {
            Ok(list) => list,
            Err(e) if e.code() == "shortlist.not_found" => wb.create_shortlist(name).await?,
            Err(e) => return Err(e),
        };
        for pick in &outcome.picks {
            wb.add_to_shortlist(list.shortlist_id, pick.offer_id.as_str())
                .await?;
        }
        added = Some(wb.shortlist(list.shortlist_id)?);
    }

    if as_json {
        json(&PickReport {
            candidates: outcome.candidates,
            excluded: &outcome.counts,
            picks: &outcome.picks,
        });
        return Ok(Outcome::Ok);
    }
    print_outcome(&request, outcome);
    if let Some(list) = added {
        outln!("Shortlist {}: {} offers.", list.name, list.offers);
    }
    outln!("Saved as pick run {}.", run.run_id);
    Ok(Outcome::Ok)
}

fn print_outcome(request: &PickRequest, outcome: &PickOutcome) {
    outln!(
        "{} picks of {} qualifying among {} candidates for {} pieces of {:?}:",
        outcome.picks.len(),
        outcome.qualified,
        outcome.candidates,
        request.quantity,
        request.keywords
    );
    if !outcome.picks.is_empty() {
        outln!(
            "{}  {}  {}  {}  {}  title",
            fit("#", 3),
            fit("offer", 13),
            fit("unit price", 11),
            fit("total", 18),
            fit("score", 5)
        );
    }
    for pick in &outcome.picks {
        outln!(
            "{}  {}  {}  {}  {}  {}",
            fit(&pick.rank.to_string(), 3),
            fit(pick.offer_id.as_str(), 13),
            fit(&format!("¥{}", pick.unit_price), 11),
            fit(&format!("¥{} ({} pcs)", pick.total, pick.order_qty), 18),
            fit(&format!("{:.3}", pick.score), 5),
            pick.title.as_deref().unwrap_or("")
        );
    }
    if !outcome.counts.is_empty() {
        outln!("Excluded ({}):", outcome.excluded.len());
        for (reason, count) in &outcome.counts {
            outln!("  {}  {count}", fit(reason.code(), 20));
        }
    }
}

#[derive(Args)]
pub struct RunsArgs {
    /// Rank this saved run again with other weights (--weight), from what is stored: no call
    /// to 1688.
    #[arg(long, value_name = "RUN")]
    rerank: Option<i64>,
    /// A criterion's weight for --rerank (repeat), as for `pick`.
    #[arg(long = "weight", value_name = "NAME=W", value_parser = parse_weight, requires = "rerank")]
    weights: Vec<(String, f64)>,
    /// How many runs to list, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,
}

/// `pifa-cli runs`: the saved pick runs (in a team, the team's, with who ran each), or one
/// ranked again.
pub async fn runs(wb: &Workbench, args: &RunsArgs, as_json: bool) -> Result<Outcome, CliError> {
    if let Some(run_id) = args.rerank {
        let run = wb.pick_run(run_id)?;
        let mut weights = run.weights;
        for (name, weight) in &args.weights {
            weights.set(name, *weight)?;
        }
        let outcome = wb.rerank_pick(run_id, &weights).await?;
        if as_json {
            json(&PickReport {
                candidates: outcome.candidates,
                excluded: &outcome.counts,
                picks: &outcome.picks,
            });
        } else {
            print_outcome(&run.request, &outcome);
        }
        return Ok(Outcome::Ok);
    }
    let runs = wb.pick_runs(args.limit)?;
    if as_json {
        json(&runs);
        return Ok(Outcome::Ok);
    }
    if runs.is_empty() {
        outln!("No saved pick runs yet: `pifa-cli pick` runs one.");
        return Ok(Outcome::Ok);
    }
    outln!(
        "{}  {}  {}  {}  need",
        fit("run", 6),
        fit("ran at", 16),
        fit("by", 12),
        fit("picks", 9)
    );
    for run in &runs {
        outln!(
            "{}  {}  {}  {}  {:?} × {}",
            fit(&run.run_id.to_string(), 6),
            fit(
                &run.ran_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                16
            ),
            fit(run.ran_by.as_deref().unwrap_or("-"), 12),
            fit(&format!("{}/{}", run.picks, run.candidates), 9),
            run.keywords,
            run.quantity
        );
    }
    Ok(Outcome::Ok)
}
