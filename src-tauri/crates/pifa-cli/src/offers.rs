//! `pifa-cli offers`: local search over stored offers.

use clap::{Args, ValueEnum};
use pifa_core::offer::Percent;
use pifa_core::store::{OfferQuery, OfferSort};
use pifa_core::Money;
use pifa_workbench::Workbench;

use crate::output::{fit, json};
use crate::{CliError, Outcome};

#[derive(Args)]
pub struct OffersArgs {
    /// Words to find in titles (Chinese or English) and supplier names; every word must match.
    query: Vec<String>,
    /// Price offers for an order of this many pieces (raised to each offer's minimum order).
    #[arg(long, short = 'q', value_name = "N")]
    qty: Option<u32>,
    /// Lowest unit price at the quantity, in yuan (e.g. 4.5).
    #[arg(long, value_name = "YUAN")]
    min_price: Option<Money>,
    /// Highest unit price at the quantity, in yuan.
    #[arg(long, value_name = "YUAN")]
    max_price: Option<Money>,
    /// Only offers whose minimum order is at most N.
    #[arg(long, value_name = "N")]
    max_moq: Option<u32>,
    /// Only 实力商家 (power merchants).
    #[arg(long)]
    power_merchant: bool,
    /// Only 超级工厂 (super factories).
    #[arg(long)]
    super_factory: bool,
    /// Only suppliers with at least N 诚信通 years.
    #[arg(long, value_name = "N")]
    min_tp_years: Option<u32>,
    /// Only suppliers in this province (repeat for several), e.g. --province 浙江.
    #[arg(long, value_name = "NAME")]
    province: Vec<String>,
    /// Only offers with at least this repurchase rate, in percent (e.g. 30): the offer's own
    /// 复购率 where 1688 gave it, else its supplier's 回头率.
    #[arg(long, value_name = "PERCENT")]
    min_repurchase: Option<Money>,
    /// Only offers with at least N pieces sold in the last 30 days.
    #[arg(long, value_name = "N", alias = "min-orders")]
    min_sold: Option<u32>,
    /// Only suppliers whose 48-hour pickup rate (48H揽收率) is at least this, in percent.
    #[arg(long, value_name = "PERCENT")]
    min_pickup: Option<Money>,
    /// Only suppliers whose quality-refund rate (品质退款率) is at most this, in percent.
    #[arg(long, value_name = "PERCENT")]
    max_refund: Option<Money>,
    /// Only suppliers whose composite service score (综合服务分, 0–5) is at least this.
    #[arg(long, value_name = "SCORE")]
    min_score: Option<Money>,
    /// Also list offers 1688 no longer sells (never priced).
    #[arg(long)]
    include_delisted: bool,
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    sort: Sort,
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long, default_value_t = 20)]
    page_size: u32,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sort {
    Relevance,
    Price,
    PriceDesc,
    Moq,
    Repurchase,
    TpYears,
    Sold,
    Newest,
    /// Composite service score, highest first.
    Score,
    /// 48-hour pickup rate, highest first.
    Pickup,
    /// Quality-refund rate, lowest first.
    Refund,
}

impl From<Sort> for OfferSort {
    fn from(sort: Sort) -> OfferSort {
        match sort {
            Sort::Relevance => OfferSort::Relevance,
            Sort::Price => OfferSort::PriceAsc,
            Sort::PriceDesc => OfferSort::PriceDesc,
            Sort::Moq => OfferSort::MoqAsc,
            Sort::Repurchase => OfferSort::RepurchaseDesc,
            Sort::TpYears => OfferSort::TpYearsDesc,
            Sort::Sold => OfferSort::MonthSoldDesc,
            Sort::Newest => OfferSort::Newest,
            Sort::Score => OfferSort::ServiceScoreDesc,
            Sort::Pickup => OfferSort::PickupDesc,
            Sort::Refund => OfferSort::QualityRefundAsc,
        }
    }
}

/// A percentage typed as 30 or 30.5: Money parses it exactly; kept in hundredths of a percent.
pub(crate) fn percent(typed: Money) -> Percent {
    Percent {
        basis_points: (typed.units() / 100).clamp(0, 10_000) as u32,
    }
}

pub fn run(wb: &Workbench, args: &OffersArgs, as_json: bool) -> Result<Outcome, CliError> {
    let text = args.query.join(" ");
    let query = OfferQuery {
        text: (!text.trim().is_empty()).then_some(text),
        quantity: args.qty,
        min_price: args.min_price,
        max_price: args.max_price,
        max_moq: args.max_moq,
        power_merchant: args.power_merchant,
        super_factory: args.super_factory,
        min_tp_years: args.min_tp_years,
        provinces: args.province.clone(),
        min_repurchase: args.min_repurchase.map(percent),
        min_sold: args.min_sold,
        min_pickup_48h: args.min_pickup.map(percent),
        max_quality_refund: args.max_refund.map(percent),
        // A score typed as 4.5: Money parses it exactly; kept in tenths.
        min_service_score: args
            .min_score
            .map(|s| (s.units() / 1_000).clamp(0, 50) as u32),
        include_delisted: args.include_delisted,
        sort: args.sort.into(),
        page: args.page,
        page_size: args.page_size,
    };
    let page = wb.search_offers(&query)?;
    if as_json {
        json(&page);
        return Ok(Outcome::Ok);
    }
    let first = (u64::from(page.page) - 1) * u64::from(page.page_size) + 1;
    let last = first + page.offers.len() as u64 - 1;
    if page.offers.is_empty() {
        outln!("No stored offers match ({} in all).", page.total);
        return Ok(Outcome::Ok);
    }
    outln!(
        "Offers {first}–{last} of {}{}",
        page.total,
        args.qty
            .map(|q| format!(", priced for {q} pieces"))
            .unwrap_or_default()
    );
    outln!(
        "{}  {}  {}  {}  title",
        fit("offer", 13),
        fit("unit price", 12),
        fit("MOQ", 6),
        fit("supplier", 26)
    );
    for o in &page.offers {
        let price = match o.unit_price {
            _ if o.delisted_status.is_some() => "delisted".to_owned(),
            Some(p) if o.below_moq => format!("¥{p} ↑{}", o.billed_qty),
            Some(p) => format!("¥{p}"),
            None => "—".to_owned(),
        };
        let supplier = o
            .supplier
            .as_ref()
            .map(|s| {
                format!(
                    "{} {}",
                    s.province.as_deref().unwrap_or(""),
                    s.name.as_deref().unwrap_or("")
                )
                .trim()
                .to_owned()
            })
            .unwrap_or_default();
        outln!(
            "{}  {}  {}  {}  {}",
            fit(o.offer_id.as_str(), 13),
            fit(&price, 12),
            fit(
                &o.moq.map(|m| m.to_string()).unwrap_or_else(|| "—".into()),
                6
            ),
            fit(&supplier, 26),
            o.title.as_deref().or(o.title_en.as_deref()).unwrap_or("")
        );
    }
    Ok(Outcome::Ok)
}
