//! One normalized model for a 1688 offer, whichever API it came from.

mod clean;
mod id;
pub mod tiers;

pub use clean::{clean_answer, clean_search_item, CleanError};
pub use id::{find_offer_ids, OfferId, OfferIdError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Money;

/// How an offer is priced (1688's `quoteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum QuoteType {
    /// 0: by quantity tiers; SKUs carry no prices of their own.
    ByQuantity,
    /// 1: each SKU has its own price.
    BySku,
    /// 2: SKUs share the quantity tiers.
    SkuByQuantity,
}

impl QuoteType {
    pub fn code(self) -> i64 {
        match self {
            QuoteType::ByQuantity => 0,
            QuoteType::BySku => 1,
            QuoteType::SkuByQuantity => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<QuoteType> {
        match code {
            0 => Some(QuoteType::ByQuantity),
            1 => Some(QuoteType::BySku),
            2 => Some(QuoteType::SkuByQuantity),
            _ => None,
        }
    }
}

/// Which API an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SourceApi {
    /// `product.search.keywordQuery`: a partial offer from a search page.
    KeywordQuery,
    /// `product.search.queryProductDetail`.
    QueryProductDetail,
    /// `alibaba.product.simple.get`.
    SimpleGet,
}

impl SourceApi {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceApi::KeywordQuery => "keywordQuery",
            SourceApi::QueryProductDetail => "queryProductDetail",
            SourceApi::SimpleGet => "simpleGet",
        }
    }

    pub fn parse(text: &str) -> Option<SourceApi> {
        [
            SourceApi::KeywordQuery,
            SourceApi::QueryProductDetail,
            SourceApi::SimpleGet,
        ]
        .into_iter()
        .find(|api| api.as_str() == text)
    }

    /// Whether answers of this API describe the whole offer (tiers, SKUs, supplier).
    pub fn is_detail(self) -> bool {
        !matches!(self, SourceApi::KeywordQuery)
    }
}

/// A wholesale price break: from `min_qty` pieces on, each costs `price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Tier {
    pub min_qty: u32,
    pub price: Money,
}

/// One specification of a SKU, such as 颜色 = 红色.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Spec {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Sku {
    pub sku_id: String,
    pub spec_id: Option<String>,
    /// In the order the supplier lists them.
    pub specs: Vec<Spec>,
    /// Only for offers priced per SKU; tier-priced SKUs use the offer's tiers.
    pub price: Option<Money>,
    pub stock: Option<u32>,
    pub available: bool,
}

/// A percentage kept exactly, in hundredths of a percent (`4550` = 45.5 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Percent {
    pub basis_points: u32,
}

/// `4550` as `45.5%`, `4800` as `48%`.
impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, rest) = (self.basis_points / 100, self.basis_points % 100);
        match rest {
            0 => write!(f, "{whole}%"),
            r if r % 10 == 0 => write!(f, "{whole}.{}%", r / 10),
            r => write!(f, "{whole}.{r:02}%"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Supplier {
    pub name: Option<String>,
    pub login_id: Option<String>,
    pub open_id: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    /// 诚信通 years.
    pub tp_years: Option<u32>,
    /// 1688's composite service score, in tenths (`45` = 4.5).
    pub trust_score_tenths: Option<u32>,
    /// 实力商家.
    pub power_merchant: bool,
    /// 超级工厂.
    pub super_factory: bool,
    /// 生产厂家 / 源头工厂.
    pub manufacturer: bool,
    /// 回头率, meaningful only together with `order_count`.
    pub repurchase_rate: Option<Percent>,
    pub order_count: Option<u32>,
    pub response_rate: Option<Percent>,
}

impl Supplier {
    /// The stable key a supplier is stored under: its login ID, else its open ID, else its name.
    pub fn key(&self) -> Option<String> {
        self.login_id
            .as_ref()
            .map(|id| format!("login:{id}"))
            .or_else(|| self.open_id.as_ref().map(|id| format!("open:{id}")))
            .or_else(|| self.name.as_ref().map(|name| format!("name:{name}")))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Shipping {
    /// Where goods ship from, as the supplier wrote it (e.g. "浙江省 金华市").
    pub origin: Option<String>,
    pub unit_weight_grams: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Category {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// Something the cleaner refused to take from an answer, kept on the offer so the user (and a
/// later `recheck`) can see it. The field stays empty rather than being guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CleanWarning {
    pub field: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Offer {
    pub offer_id: OfferId,
    pub title: Option<String>,
    /// 1688's English title (`subjectTrans`).
    pub title_en: Option<String>,
    pub category: Option<Category>,
    /// Absolute image URLs, the main image first.
    pub images: Vec<String>,
    pub unit: Option<String>,
    /// Minimum order quantity.
    pub moq: Option<u32>,
    /// Pieces per sell unit (batch size), when the offer sells in lots.
    pub batch_size: Option<u32>,
    pub quote_type: Option<QuoteType>,
    /// Sorted by quantity, one per quantity, rising quantities with positive prices.
    pub tiers: Vec<Tier>,
    /// The one-piece price, kept apart from the tiers.
    pub retail_price: Option<Money>,
    /// The price a search result shows; detail answers carry tiers and SKU prices instead.
    pub listed_price: Option<Money>,
    pub consign_price: Option<Money>,
    pub skus: Vec<Sku>,
    pub supplier: Option<Supplier>,
    pub shipping: Shipping,
    pub month_sold: Option<u32>,
    pub status: Option<String>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    pub source: SourceApi,
    pub warnings: Vec<CleanWarning>,
}

impl Offer {
    /// The lowest wholesale price on this offer: the cheapest tier or SKU price, or for a
    /// search result the price it lists. The one-piece and consign prices are not wholesale.
    pub fn lowest_price(&self) -> Option<Money> {
        self.tiers
            .iter()
            .map(|t| t.price)
            .chain(self.skus.iter().filter_map(|s| s.price))
            .min()
            .or(self.listed_price)
    }
}
