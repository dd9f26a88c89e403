//! One normalized model for a 1688 offer, whichever API it came from.

mod answer;
mod clean;
mod id;
pub mod tiers;

pub(crate) use clean::is_image_host;
pub use clean::{clean_answer, clean_answer_text, clean_search_item, CleanError};
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
    /// 3 (the 2024 SDK's `SKU_PRICE_RANGE`): each SKU has its own price.
    SkuPriceRange,
}

impl QuoteType {
    pub fn code(self) -> i64 {
        match self {
            QuoteType::ByQuantity => 0,
            QuoteType::BySku => 1,
            QuoteType::SkuByQuantity => 2,
            QuoteType::SkuPriceRange => 3,
        }
    }

    /// SKUs carry their own prices.
    pub fn is_per_sku(self) -> bool {
        matches!(self, QuoteType::BySku | QuoteType::SkuPriceRange)
    }

    pub fn from_code(code: i64) -> Option<QuoteType> {
        match code {
            0 => Some(QuoteType::ByQuantity),
            1 => Some(QuoteType::BySku),
            2 => Some(QuoteType::SkuByQuantity),
            3 => Some(QuoteType::SkuPriceRange),
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
    /// The SKU's own picture (`skuAttributes[].skuImageUrl`).
    pub image: Option<String>,
    /// The SKU's own weight, in grams (`productShippingInfo.skuShippingDetails`, kg, or
    /// `skuShippingInfoList`, g).
    #[serde(default)]
    pub weight_grams: Option<u32>,
    #[serde(default)]
    pub dimensions: Option<Dimensions>,
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

/// The supplier badges 1688 shows: on search items as `sellerIdentities` codes, on details as
/// `offerIdentities` words. Absent from an answer means unknown, not "none".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Badges {
    /// 实力商家 (`powerful_merchants`).
    pub power_merchant: bool,
    /// 超级工厂 (`super_factory`).
    pub super_factory: bool,
    /// 诚信通会员 (`tp_member`).
    pub tp_member: bool,
}

/// 1688's service scores of a supplier, each 0–5 kept in tenths (`45` = 4.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ServiceScores {
    /// 综合服务体验分.
    pub composite: Option<u32>,
    /// 物流体验分.
    pub logistics: Option<u32>,
    /// 纠纷投诉处理分.
    pub dispute: Option<u32>,
    /// 商品体验分.
    pub offer: Option<u32>,
    /// 售后体验分 / 退换体验分.
    pub after_sales: Option<u32>,
    /// 咨询体验分.
    pub consulting: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Supplier {
    /// 店铺名 (`companyName`).
    pub name: Option<String>,
    pub login_id: Option<String>,
    /// 1688's encrypted seller ID (`sellerOpenId`).
    pub open_id: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    /// 诚信通 years (`sellerDataInfo.tpYear`, on search items only).
    pub tp_years: Option<u32>,
    pub badges: Option<Badges>,
    /// 卖家交易勋章等级.
    pub trade_medal_level: Option<u32>,
    pub scores: ServiceScores,
    /// 卖家回头率 (`sellerDataInfo.repeatPurchasePercent`).
    pub repurchase_rate: Option<Percent>,
    /// 最近30天48H揽收率 (`collect30DayWithin48HPercent`).
    pub pickup_48h_rate: Option<Percent>,
    /// 最近30天品质退款率 (`qualityRefundWithin30Day`).
    pub quality_refund_rate: Option<Percent>,
}

impl Supplier {
    /// The stable key a supplier is stored under: its login ID, else its open ID, else its name.
    /// A search item names no supplier, so its signals are kept under the offer instead.
    pub fn key(&self) -> Option<String> {
        self.login_id
            .as_ref()
            .map(|id| format!("login:{id}"))
            .or_else(|| self.open_id.as_ref().map(|id| format!("open:{id}")))
            .or_else(|| self.name.as_ref().map(|name| format!("name:{name}")))
    }

    pub fn power_merchant(&self) -> bool {
        self.badges.is_some_and(|b| b.power_merchant)
    }

    pub fn super_factory(&self) -> bool {
        self.badges.is_some_and(|b| b.super_factory)
    }

    /// Fills what this answer did not say from what an earlier answer said of the same supplier
    /// (a detail answer has no 诚信通 years or badge codes; a search item has no name).
    pub fn fill_missing_from(&mut self, earlier: &Supplier) {
        fn keep<T: Clone>(mine: &mut Option<T>, earlier: &Option<T>) {
            if mine.is_none() {
                mine.clone_from(earlier);
            }
        }
        keep(&mut self.name, &earlier.name);
        keep(&mut self.login_id, &earlier.login_id);
        keep(&mut self.open_id, &earlier.open_id);
        keep(&mut self.province, &earlier.province);
        keep(&mut self.city, &earlier.city);
        keep(&mut self.tp_years, &earlier.tp_years);
        keep(&mut self.badges, &earlier.badges);
        keep(&mut self.trade_medal_level, &earlier.trade_medal_level);
        keep(&mut self.repurchase_rate, &earlier.repurchase_rate);
        keep(&mut self.pickup_48h_rate, &earlier.pickup_48h_rate);
        keep(&mut self.quality_refund_rate, &earlier.quality_refund_rate);
        let (s, e) = (&mut self.scores, &earlier.scores);
        keep(&mut s.composite, &e.composite);
        keep(&mut s.logistics, &e.logistics);
        keep(&mut s.dispute, &e.dispute);
        keep(&mut s.offer, &e.offer);
        keep(&mut s.after_sales, &e.after_sales);
        keep(&mut s.consulting, &e.consulting);
    }
}

/// Dimensions in millimetres (1688 sends centimetres).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Dimensions {
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Shipping {
    /// Where goods ship from, as the supplier wrote it (e.g. "浙江省 金华市").
    pub origin: Option<String>,
    /// `productShippingInfo.weight` (kg), kept in grams.
    pub unit_weight_grams: Option<u32>,
    pub dimensions: Option<Dimensions>,
    /// The dispatch promise: 24 or 48 hours (`shippingTimeGuarantee`).
    pub dispatch_hours: Option<u32>,
    /// 近30天完美履约率, from a search item.
    pub perfect_fulfilment_30d: Option<Percent>,
    /// 近30天24h揽收率, from a search item.
    pub pickup_24h_30d: Option<Percent>,
    /// 近30天品质退货率, from a search item.
    pub quality_return_30d: Option<Percent>,
    /// 近7天延迟发货率, from a search item.
    pub delayed_shipping_7d: Option<Percent>,
}

/// 混批: whether the supplier lets an order mix offers to reach its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MixedBatch {
    pub allowed: bool,
    /// The mixed order's minimum amount in yuan (`mixAmount`; 1688 states no unit).
    pub min_amount_yuan: Option<u32>,
    /// The mixed order's minimum pieces (`mixNumber`).
    pub min_pieces: Option<u32>,
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
    /// In English, for the command line and logs.
    pub problem: String,
    /// The problem as a catalog phrase (see `words`), which the app shows in the user's
    /// language; empty on warnings stored before Pifa kept it, which show `problem`.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    #[ts(type = "Record<string, string>")]
    pub params: std::collections::BTreeMap<String, String>,
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
    /// Pieces sold in the last 30 days (a search item's `monthSold`).
    pub month_sold: Option<u32>,
    /// 商品销量 (a detail's `soldOut`; 1688 states no period).
    pub sold_count: Option<u32>,
    /// The offer's own repeat-purchase rate (a search item's `repurchaseRate`).
    pub repurchase_rate: Option<Percent>,
    /// 商品交易评分, 0–5 in tenths.
    pub trade_score_tenths: Option<u32>,
    pub mixed_batch: Option<MixedBatch>,
    /// 一件代发 (`isOnePsale` / `onePsale` / the `isOnePsale` tag).
    pub one_piece_dropship: Option<bool>,
    /// 1688's own status: `published` is live; anything else (`expired`, `member deleted`, …)
    /// means the offer cannot be bought now.
    pub status: Option<String>,
    /// When the offer was listed (`createDate`, Beijing time, kept in UTC).
    #[ts(type = "string | null")]
    pub listed_at: Option<DateTime<Utc>>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    pub source: SourceApi,
    pub warnings: Vec<CleanWarning>,
}

/// 1688's status of a live offer.
pub const PUBLISHED: &str = "published";

impl Offer {
    /// An offer knowing nothing but where and when it was seen.
    pub fn new(offer_id: OfferId, source: SourceApi, fetched_at: DateTime<Utc>) -> Offer {
        Offer {
            offer_id,
            title: None,
            title_en: None,
            category: None,
            images: Vec::new(),
            unit: None,
            moq: None,
            batch_size: None,
            quote_type: None,
            tiers: Vec::new(),
            retail_price: None,
            listed_price: None,
            consign_price: None,
            skus: Vec::new(),
            supplier: None,
            shipping: Shipping::default(),
            month_sold: None,
            sold_count: None,
            repurchase_rate: None,
            trade_score_tenths: None,
            mixed_batch: None,
            one_piece_dropship: None,
            status: None,
            listed_at: None,
            fetched_at,
            source,
            warnings: Vec::new(),
        }
    }

    /// 1688 says this offer cannot be bought now (delisted, expired, deleted, under review).
    pub fn is_delisted(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s != PUBLISHED)
    }

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
