//! `pifa-cli offers`: local search over stored offers.

use clap::{Args, ValueEnum};
use pifa_core::offer::Percent;
use pifa_core::store::{OfferQuery, OfferSort, Store};
use pifa_core::Money;

use crate::output::{fit, json};
use crate::Outcome;

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
    /// Only manufacturers (生产厂家).
    #[arg(long)]
    manufacturer: bool,
    /// Only suppliers with at least N 诚信通 years.
    #[arg(long, value_name = "N")]
    min_tp_years: Option<u32>,
    /// Only suppliers in this province (repeat for several), e.g. --province 浙江.
    #[arg(long, value_name = "NAME")]
    province: Vec<String>,
    /// Only suppliers with at least this repurchase rate, in percent (e.g. 30).
    #[arg(long, value_name = "PERCENT")]
    min_repurchase: Option<Money>,
    /// Count the repurchase rate only for suppliers with at least N orders.
    #[arg(long, value_name = "N", requires = "min_repurchase")]
    min_orders: Option<u32>,
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
        }
    }
}

pub fn run(store: &Store, args: &OffersArgs, as_json: bool) -> pifa_core::Result<Outcome> {
    let text = args.query.join(" ");
    let query = OfferQuery {
        text: (!text.trim().is_empty()).then_some(text),
        quantity: args.qty,
        min_price: args.min_price,
        max_price: args.max_price,
        max_moq: args.max_moq,
        power_merchant: args.power_merchant,
        super_factory: args.super_factory,
        manufacturer: args.manufacturer,
        min_tp_years: args.min_tp_years,
        provinces: args.province.clone(),
        // A percentage typed as 30 or 30.5: Money parses it exactly; hundredths of a percent.
        min_repurchase: args.min_repurchase.map(|p| Percent {
            basis_points: (p.units() / 100).clamp(0, 10_000) as u32,
        }),
        min_orders: args.min_orders,
        sort: args.sort.into(),
        page: args.page,
        page_size: args.page_size,
    };
    let page = store.search_offers(&query)?;
    if as_json {
        json(&page);
        return Ok(Outcome::Ok);
    }
    let first = (u64::from(page.page) - 1) * u64::from(page.page_size) + 1;
    let last = first + page.offers.len() as u64 - 1;
    if page.offers.is_empty() {
        println!("No stored offers match ({} in all).", page.total);
        return Ok(Outcome::Ok);
    }
    println!(
        "Offers {first}–{last} of {}{}",
        page.total,
        args.qty
            .map(|q| format!(", priced for {q} pieces"))
            .unwrap_or_default()
    );
    println!(
        "{}  {}  {}  {}  title",
        fit("offer", 13),
        fit("unit price", 12),
        fit("MOQ", 6),
        fit("supplier", 26)
    );
    for o in &page.offers {
        let price = match o.unit_price {
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
        println!(
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
