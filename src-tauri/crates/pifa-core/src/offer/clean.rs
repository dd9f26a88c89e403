//! The cleaner: one raw 1688 answer in, one [`Offer`] out.
//!
//! It follows the parser contract of `shared/docs/1688-answers.md` §1: success is read from
//! `result.success` as `true` or `"true"`; every field is optional (absent and `null` alike);
//! unknown keys such as `class` are ignored; `isX` and `x` spellings are both read; IDs come as
//! numbers or strings; prices are decimal strings with any number of decimals; each rate is read
//! in its own field's notation (§7); zone-less dates are Beijing time. A value that is present
//! but wrong is dropped with a [`CleanWarning`] on the offer; it is never zeroed or filled from
//! another field. Text is capped so a hostile answer cannot bloat the store. Never panics.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use super::{
    Badges, Category, CleanWarning, Dimensions, MixedBatch, Offer, OfferId, Percent, QuoteType,
    ServiceScores, Shipping, Sku, SourceApi, Spec, Supplier, Tier,
};
use crate::money::{Money, MAX_UNIT_PRICE};
use crate::words::{self, Phrase, Word};
use crate::Language;

/// Where relative image paths of the older API live.
const IMAGE_HOST: &str = "https://cbu01.alicdn.com/";
/// Bounds that catch broken answers without refusing real offers.
const MAX_QUANTITY: u64 = 100_000_000;
const MAX_TIERS: usize = 50;
const MAX_SKUS: usize = 5_000;
const MAX_IMAGES: usize = 60;
/// Text caps, in characters: real titles are under 100, names and specs under 50.
const MAX_TITLE: usize = 500;
const MAX_NAME: usize = 200;
const MAX_URL: usize = 2_048;
const MAX_WARNING: usize = 200;
const MAX_WARNINGS: usize = 100;
/// Longest value from an answer that a warning quotes.
const MAX_PARAM: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CleanError {
    #[error("the answer is not a JSON object")]
    NotAnObject,
    #[error("the answer has none of the shapes Pifa reads (queryProductDetail, simple.get or a search item)")]
    UnknownShape,
    #[error("1688 answered with an error: {message}")]
    Business {
        code: Option<String>,
        message: String,
    },
    #[error("the answer names no offer ID")]
    MissingOfferId,
    #[error("the answer's offer ID {0:?} is not a valid offer ID")]
    BadOfferId(String),
}

/// Cleans a detail answer (queryProductDetail or simple.get) or a single search item.
pub fn clean_answer(raw: &Value, fetched_at: DateTime<Utc>) -> Result<Offer, CleanError> {
    let object = raw.as_object().ok_or(CleanError::NotAnObject)?;
    if let Some(info) = object.get("productInfo").filter(|v| v.is_object()) {
        return Cleaner::new(SourceApi::SimpleGet, fetched_at).simple_get(info);
    }
    if let Some(error) = business_error(object) {
        return Err(error);
    }
    if let Some(outer) = object.get("result").and_then(Value::as_object) {
        if let Some(error) = business_error(outer) {
            return Err(error);
        }
        return match outer.get("result") {
            Some(detail) if detail.is_object() => {
                Cleaner::new(SourceApi::QueryProductDetail, fetched_at).query_detail(detail)
            }
            // §5.2: success without a payload means "not available".
            None | Some(Value::Null) if outer.contains_key("success") => {
                Err(CleanError::Business {
                    code: outer.get("code").and_then(text_of),
                    message: "1688 answered without the offer (not available)".to_owned(),
                })
            }
            _ => Err(CleanError::UnknownShape),
        };
    }
    if object.contains_key("offerId") && object.contains_key("priceInfo") {
        return clean_search_item(raw, fetched_at);
    }
    Err(CleanError::UnknownShape)
}

/// Cleans one item of a keywordQuery page into a partial offer.
pub fn clean_search_item(raw: &Value, fetched_at: DateTime<Utc>) -> Result<Offer, CleanError> {
    if !raw.is_object() {
        return Err(CleanError::NotAnObject);
    }
    Cleaner::new(SourceApi::KeywordQuery, fetched_at).search_item(raw)
}

/// `success:false` (or `"false"`), a non-empty `errMsg`, or an `error_code` in an answer.
fn business_error(object: &Map<String, Value>) -> Option<CleanError> {
    let success = object.get("success").and_then(loose_bool);
    let err_msg = object.get("errMsg").and_then(text_of);
    let error_code = object.get("error_code").and_then(text_of);
    if success == Some(false) || err_msg.is_some() || error_code.is_some() {
        let message = err_msg
            .or_else(|| object.get("message").and_then(text_of))
            .or_else(|| object.get("error_message").and_then(text_of))
            .unwrap_or_else(|| "no message".to_owned());
        let code = error_code.or_else(|| object.get("code").and_then(text_of));
        return Some(CleanError::Business {
            code: code.map(|c| cap(c, MAX_NAME).0),
            message: cap(message, MAX_WARNING).0,
        });
    }
    None
}

/// How a rate field writes its value (§7 of the answers document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rate {
    /// `"22%"`, or a bare `"11"` meaning 11 %.
    Percent,
    /// `"22%"` where an empty string means 0 (`productSimpleShippingInfo`).
    PercentEmptyZero,
    /// `"0.4666"` meaning 46.66 %; values above 1 are read as percentages, `%` as written.
    Fraction,
}

struct Cleaner {
    source: SourceApi,
    fetched_at: DateTime<Utc>,
    warnings: Vec<CleanWarning>,
}

impl Cleaner {
    fn new(source: SourceApi, fetched_at: DateTime<Utc>) -> Cleaner {
        Cleaner {
            source,
            fetched_at,
            warnings: Vec::new(),
        }
    }

    /// Notes a refusal as a catalog phrase for the app and in English for the command line;
    /// values quoted from the answer are capped, since they come from 1688.
    fn warn(&mut self, field: impl Into<String>, word: Word, values: &[(&str, String)]) {
        if self.warnings.len() < MAX_WARNINGS {
            let values: Vec<(&str, String)> = values
                .iter()
                .map(|(name, value)| (*name, cap(value.clone(), MAX_PARAM).0))
                .collect();
            let phrase = Phrase::new(word, &values);
            self.warnings.push(CleanWarning {
                field: cap(field.into(), MAX_WARNING).0,
                problem: cap(phrase.text(Language::English), MAX_WARNING).0,
                code: phrase.code,
                params: phrase.params,
            });
        }
    }

    fn empty_offer(&self, offer_id: OfferId) -> Offer {
        Offer::new(offer_id, self.source, self.fetched_at)
    }

    fn finish(mut self, mut offer: Offer) -> Result<Offer, CleanError> {
        offer.warnings = std::mem::take(&mut self.warnings);
        Ok(offer)
    }

    fn offer_id(&self, value: Option<&Value>) -> Result<OfferId, CleanError> {
        let text = value.and_then(text_of).ok_or(CleanError::MissingOfferId)?;
        OfferId::parse(&text).map_err(|_| CleanError::BadOfferId(cap(text, MAX_NAME).0))
    }

    /// A text field, capped at `max` characters (with a warning when cut).
    fn text(&mut self, value: Option<&Value>, field: &str, max: usize) -> Option<String> {
        let (text, cut) = cap(value.and_then(text_of)?, max);
        if cut {
            self.warn(field, words::CLEAN_TOO_LONG, &[("max", max.to_string())]);
        }
        Some(text)
    }

    // ---- the three shapes ----

    fn query_detail(mut self, d: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(d.get("offerId"))?);
        offer.title = self.text(d.get("subject"), "subject", MAX_TITLE);
        offer.title_en = self.text(d.get("subjectTrans"), "subjectTrans", MAX_TITLE);
        offer.category = self.category(d.get("categoryId"), d.get("categoryName"));
        let image = at(d, "productImage");
        offer.images = self.images(
            [
                image.and_then(|i| i.get("images")),
                image.and_then(|i| i.get("whiteImage")),
            ],
            "productImage.images",
        );
        let sale = at(d, "productSaleInfo");
        offer.unit = self.text(
            sale.and_then(|s| at(s, "unitInfo.unit").or_else(|| s.get("unit"))),
            "productSaleInfo.unitInfo.unit",
            MAX_NAME,
        );
        offer.moq = self.quantity(d.get("minOrderQuantity"), "minOrderQuantity");
        offer.batch_size = self.batch(
            d.get("batchNumber")
                .or_else(|| sale.and_then(|s| s.get("batchNumber"))),
        );
        offer.quote_type = self.quote_type(sale.and_then(|s| s.get("quoteType")));
        offer.tiers = self.tiers(
            sale.and_then(|s| s.get("priceRangeList")),
            "productSaleInfo.priceRangeList",
        );
        offer.retail_price = self.price(
            sale.and_then(|s| s.get("retailPrice")),
            "productSaleInfo.retailPrice",
        );
        offer.consign_price = self.price(
            sale.and_then(|s| s.get("consignPrice")),
            "productSaleInfo.consignPrice",
        );
        offer.skus = self.skus(d.get("productSkuInfos"), "productSkuInfos", "skuAttributes");
        offer.supplier = self.detail_supplier(d);
        offer.shipping = self.detail_shipping(at(d, "productShippingInfo"));
        // Not in the detail doc, but some gateways add it; harmless to read.
        offer.month_sold = self.quantity(d.get("monthSold"), "monthSold");
        offer.sold_count = self.quantity(d.get("soldOut"), "soldOut");
        offer.trade_score_tenths = self.score(d.get("tradeScore"), "tradeScore");
        offer.mixed_batch = self.mixed_batch(d.get("sellerMixSetting"));
        offer.one_piece_dropship = tag(d, "isOnePsale").or_else(|| either_bool(d, "isOnePsale"));
        offer.status = self.text(d.get("status"), "status", MAX_NAME);
        offer.listed_at = self.date(d.get("createDate"), "createDate");
        fill_place_from(&mut offer);
        self.finish(offer)
    }

    fn simple_get(mut self, p: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(p.get("productID"))?);
        offer.title = self.text(p.get("subject"), "subject", MAX_TITLE);
        offer.title_en = self.text(p.get("subjectTrans"), "subjectTrans", MAX_TITLE);
        offer.category = self.category(p.get("categoryID"), p.get("categoryName"));
        offer.images = self.images([at(p, "image.images"), None], "image.images");
        let sale = at(p, "saleInfo");
        offer.unit = self.text(sale.and_then(|s| s.get("unit")), "saleInfo.unit", MAX_NAME);
        offer.moq = self.quantity(
            sale.and_then(|s| s.get("minOrderQuantity")),
            "saleInfo.minOrderQuantity",
        );
        offer.batch_size = self.batch(sale.and_then(|s| s.get("batchNumber")));
        offer.quote_type = self.quote_type(sale.and_then(|s| s.get("quoteType")));
        offer.tiers = self.tiers(
            sale.and_then(|s| s.get("priceRanges")),
            "saleInfo.priceRanges",
        );
        offer.retail_price = self.price(
            sale.and_then(|s| s.get("retailprice").or_else(|| s.get("retailPrice"))),
            "saleInfo.retailprice",
        );
        offer.consign_price = self.price(
            sale.and_then(|s| s.get("consignPrice")),
            "saleInfo.consignPrice",
        );
        offer.skus = self.skus(p.get("skuInfos"), "skuInfos", "attributes");
        let shipping = at(p, "shippingInfo");
        offer.shipping = Shipping {
            origin: self.text(
                shipping.and_then(|s| s.get("sendGoodsAddressText")),
                "shippingInfo.sendGoodsAddressText",
                MAX_NAME,
            ),
            unit_weight_grams: self.kilograms(
                shipping.and_then(|s| s.get("unitWeight")),
                "shippingInfo.unitWeight",
            ),
            ..Shipping::default()
        };
        offer.status = self.text(p.get("status"), "status", MAX_NAME);
        let supplier = Supplier {
            login_id: self.text(
                p.get("supplierLoginId").or_else(|| p.get("sellerLoginId")),
                "supplierLoginId",
                MAX_NAME,
            ),
            name: self.text(p.get("companyName"), "companyName", MAX_NAME),
            ..Supplier::default()
        };
        offer.supplier = (supplier != Supplier::default()).then_some(supplier);
        fill_place_from(&mut offer);
        self.finish(offer)
    }

    fn search_item(mut self, item: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(item.get("offerId"))?);
        offer.title = self.text(item.get("subject"), "subject", MAX_TITLE);
        offer.title_en = self.text(item.get("subjectTrans"), "subjectTrans", MAX_TITLE);
        offer.category = self.category(
            ["thirdCategoryId", "secondCategoryId", "topCategoryId"]
                .iter()
                .find_map(|k| item.get(*k).filter(|v| !is_blank(v))),
            None,
        );
        offer.images = self.images([item.get("imageUrl"), item.get("whiteImage")], "imageUrl");
        offer.listed_price = self.price(at(item, "priceInfo.price"), "priceInfo.price");
        offer.consign_price =
            self.price(at(item, "priceInfo.consignPrice"), "priceInfo.consignPrice");
        offer.moq = self.quantity(item.get("minOrderQuantity"), "minOrderQuantity");
        offer.month_sold = self.quantity(item.get("monthSold"), "monthSold");
        offer.repurchase_rate =
            self.rate(item.get("repurchaseRate"), "repurchaseRate", Rate::Percent);
        offer.trade_score_tenths = self.score(item.get("tradeScore"), "tradeScore");
        offer.one_piece_dropship = either_bool(item, "isOnePsale");
        offer.listed_at = self.date(item.get("createDate"), "createDate");
        offer.supplier = self.search_supplier(item);
        offer.shipping = self.search_shipping(item.get("productSimpleShippingInfo"));
        self.finish(offer)
    }

    // ---- suppliers and shipping ----

    fn detail_supplier(&mut self, d: &Value) -> Option<Supplier> {
        let data = d.get("sellerDataInfo").unwrap_or(&Value::Null);
        let mut supplier = Supplier {
            name: self.text(d.get("companyName"), "companyName", MAX_NAME),
            open_id: self.text(d.get("sellerOpenId"), "sellerOpenId", MAX_NAME),
            badges: badges(d.get("offerIdentities")),
            ..Supplier::default()
        };
        self.seller_data(&mut supplier, data, "sellerDataInfo", Rate::Fraction);
        supplier.pickup_48h_rate = self.rate(
            data.get("collect30DayWithin48HPercent"),
            "sellerDataInfo.collect30DayWithin48HPercent",
            Rate::Fraction,
        );
        supplier.quality_refund_rate = self.rate(
            data.get("qualityRefundWithin30Day"),
            "sellerDataInfo.qualityRefundWithin30Day",
            Rate::Percent,
        );
        (supplier != Supplier::default()).then_some(supplier)
    }

    fn search_supplier(&mut self, item: &Value) -> Option<Supplier> {
        let data = item.get("sellerDataInfo").unwrap_or(&Value::Null);
        let mut supplier = Supplier {
            // imageQuery items name the shop and its region; keywordQuery items do not.
            name: self.text(item.get("companyName"), "companyName", MAX_NAME),
            badges: badges(item.get("sellerIdentities")),
            tp_years: self.quantity(data.get("tpYear"), "sellerDataInfo.tpYear"),
            ..Supplier::default()
        };
        self.seller_data(&mut supplier, data, "sellerDataInfo", Rate::Percent);
        if let Some(address) = self.text(item.get("companyAddress"), "companyAddress", MAX_NAME) {
            let (province, city) = split_place(&address);
            supplier.province = province;
            supplier.city = city;
        }
        (supplier != Supplier::default()).then_some(supplier)
    }

    /// The scores both `sellerDataInfo` variants share; the repeat-purchase rate is a fraction
    /// on details and a bare percentage on search items (§7).
    fn seller_data(&mut self, supplier: &mut Supplier, data: &Value, field: &str, repeat: Rate) {
        let mut score = |key: &str| self.score(data.get(key), &format!("{field}.{key}"));
        supplier.scores = ServiceScores {
            composite: score("compositeServiceScore"),
            logistics: score("logisticsExperienceScore"),
            dispute: score("disputeComplaintScore"),
            offer: score("offerExperienceScore"),
            after_sales: score("afterSalesExperienceScore"),
            consulting: score("consultingExperienceScore"),
        };
        supplier.trade_medal_level = self.quantity(
            data.get("tradeMedalLevel"),
            &format!("{field}.tradeMedalLevel"),
        );
        supplier.repurchase_rate = self.rate(
            data.get("repeatPurchasePercent"),
            &format!("{field}.repeatPurchasePercent"),
            repeat,
        );
    }

    fn detail_shipping(&mut self, s: Option<&Value>) -> Shipping {
        let Some(s) = s else {
            return Shipping::default();
        };
        let dimensions = Dimensions {
            length_mm: self.centimetres(s.get("length"), "productShippingInfo.length"),
            width_mm: self.centimetres(s.get("width"), "productShippingInfo.width"),
            height_mm: self.centimetres(s.get("height"), "productShippingInfo.height"),
        };
        Shipping {
            origin: self.text(
                s.get("sendGoodsAddressText"),
                "productShippingInfo.sendGoodsAddressText",
                MAX_NAME,
            ),
            unit_weight_grams: self.kilograms(
                s.get("weight").or_else(|| s.get("unitWeight")),
                "productShippingInfo.weight",
            ),
            dimensions: (dimensions.length_mm.is_some()
                || dimensions.width_mm.is_some()
                || dimensions.height_mm.is_some())
            .then_some(dimensions),
            dispatch_hours: dispatch_hours(s.get("shippingTimeGuarantee")),
            ..Shipping::default()
        }
    }

    fn search_shipping(&mut self, s: Option<&Value>) -> Shipping {
        let Some(s) = s.filter(|s| s.is_object()) else {
            return Shipping::default();
        };
        let field = "productSimpleShippingInfo";
        let mut rate = |key: &str| {
            self.rate(
                s.get(key),
                &format!("{field}.{key}"),
                Rate::PercentEmptyZero,
            )
        };
        Shipping {
            perfect_fulfilment_30d: rate("perfectFulfillmentRate30d"),
            pickup_24h_30d: rate("pickupWithin24hRate30d"),
            quality_return_30d: rate("qualityReturnRate30d"),
            delayed_shipping_7d: rate("delayedShippingRate7d"),
            dispatch_hours: dispatch_hours(s.get("shippingTimeGuarantee")),
            ..Shipping::default()
        }
    }

    fn mixed_batch(&mut self, value: Option<&Value>) -> Option<MixedBatch> {
        let setting = value.filter(|v| v.is_object())?;
        let allowed = ["generalHunpi", "isGeneralHunpi"]
            .iter()
            .find_map(|k| setting.get(*k).and_then(loose_bool))?;
        Some(MixedBatch {
            allowed,
            min_amount_yuan: self.quantity(setting.get("mixAmount"), "sellerMixSetting.mixAmount"),
            min_pieces: self.quantity(setting.get("mixNumber"), "sellerMixSetting.mixNumber"),
        })
    }

    // ---- parts ----

    fn category(&mut self, id: Option<&Value>, name: Option<&Value>) -> Option<Category> {
        let category = Category {
            id: self.text(id, "categoryId", MAX_NAME),
            name: self.text(name, "categoryName", MAX_NAME),
        };
        (category.id.is_some() || category.name.is_some()).then_some(category)
    }

    fn price(&mut self, value: Option<&Value>, field: &str) -> Option<Money> {
        let value = value.filter(|v| !is_blank(v))?;
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s
                .trim()
                .trim_start_matches(['¥', '￥'])
                .trim_end_matches('元')
                .trim()
                .to_owned(),
            other => {
                self.warn(field, words::CLEAN_NOT_A_PRICE, &[("value", sample(other))]);
                return None;
            }
        };
        if is_range(&text) {
            self.warn(
                field,
                words::CLEAN_PRICE_RANGE,
                &[("value", format!("{text:?}"))],
            );
            return None;
        }
        match Money::parse_decimal(&text) {
            Ok(price) if !price.is_positive() => {
                self.warn(
                    field,
                    words::CLEAN_PRICE_NOT_POSITIVE,
                    &[("value", price.to_string())],
                );
                None
            }
            Ok(price) if price > MAX_UNIT_PRICE => {
                self.warn(
                    field,
                    words::CLEAN_PRICE_TOO_HIGH,
                    &[("value", price.to_string())],
                );
                None
            }
            Ok(price) => Some(price),
            Err(_) => {
                self.warn(
                    field,
                    words::CLEAN_NOT_A_PRICE,
                    &[("value", format!("{text:?}"))],
                );
                None
            }
        }
    }

    fn quantity(&mut self, value: Option<&Value>, field: &str) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        match whole_number(value) {
            Some(n) if (0..=MAX_QUANTITY as i128).contains(&n) => Some(n as u32),
            Some(n) => {
                self.warn(
                    field,
                    words::CLEAN_QTY_OUT_OF_RANGE,
                    &[("value", n.to_string())],
                );
                None
            }
            None => {
                self.warn(
                    field,
                    words::CLEAN_NOT_A_WHOLE_NUMBER,
                    &[("value", sample(value))],
                );
                None
            }
        }
    }

    fn batch(&mut self, value: Option<&Value>) -> Option<u32> {
        self.quantity(value, "batchNumber").filter(|&n| n > 1)
    }

    fn quote_type(&mut self, value: Option<&Value>) -> Option<QuoteType> {
        let value = value.filter(|v| !is_blank(v))?;
        let found = whole_number(value)
            .and_then(|n| i64::try_from(n).ok())
            .and_then(QuoteType::from_code);
        if found.is_none() {
            self.warn(
                "quoteType",
                words::CLEAN_BAD_QUOTE_TYPE,
                &[("value", sample(value))],
            );
        }
        found
    }

    /// A rate in its field's notation, kept in basis points (0–100 %).
    fn rate(&mut self, value: Option<&Value>, field: &str, notation: Rate) -> Option<Percent> {
        let value = value.filter(|v| !v.is_null())?;
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_owned(),
            other => {
                self.warn(field, words::CLEAN_NOT_A_RATE, &[("value", sample(other))]);
                return None;
            }
        };
        if text.is_empty() {
            return (notation == Rate::PercentEmptyZero).then_some(Percent { basis_points: 0 });
        }
        let (number, signed) = match text.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (text.as_str(), false),
        };
        let units = Money::parse_decimal(number).ok().map(Money::units);
        let basis_points = units.and_then(|units| {
            if notation == Rate::Fraction && !signed && units <= 10_000 {
                Some(units) // 0.4666 → 4666 units of 1/10000 → 46.66 %
            } else {
                units.checked_div(100) // 46.66 → 466600 units → 4666 bp
            }
        });
        match basis_points {
            Some(bp) if (0..=10_000).contains(&bp) => Some(Percent {
                basis_points: bp as u32,
            }),
            _ => {
                self.warn(
                    field,
                    words::CLEAN_NOT_A_RATE,
                    &[("value", format!("{text:?}"))],
                );
                None
            }
        }
    }

    /// A 0–5 score such as `"4.5"`, kept in tenths.
    fn score(&mut self, value: Option<&Value>, field: &str) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        let parsed = match value {
            Value::Number(n) => Money::parse_decimal(&n.to_string()).ok(),
            Value::String(s) => Money::parse_decimal(s).ok(),
            _ => None,
        };
        match parsed.map(Money::units) {
            Some(units) if (0..=50_000).contains(&units) => Some((units / 1_000) as u32),
            _ => {
                self.warn(field, words::CLEAN_NOT_A_SCORE, &[("value", sample(value))]);
                None
            }
        }
    }

    /// A positive measure, multiplied by `scale` into whole smaller units (kg → g, cm → mm).
    /// Not money, so rounding is fine.
    fn measure(&mut self, value: Option<&Value>, field: &str, scale: f64, max: f64) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        let amount = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match amount {
            Some(a) if a.is_finite() && a > 0.0 && a < max => Some((a * scale).round() as u32),
            // 0 means "not given" in these fields.
            Some(0.0) => None,
            _ => {
                self.warn(
                    field,
                    words::CLEAN_NOT_A_MEASURE,
                    &[("value", sample(value))],
                );
                None
            }
        }
    }

    fn kilograms(&mut self, value: Option<&Value>, field: &str) -> Option<u32> {
        self.measure(value, field, 1000.0, 100_000.0)
    }

    fn centimetres(&mut self, value: Option<&Value>, field: &str) -> Option<u32> {
        self.measure(value, field, 10.0, 100_000.0)
    }

    /// `"2024-04-20 08:00:00"` in Beijing time (the newer APIs), or `"20181213201638000+0800"`.
    fn date(&mut self, value: Option<&Value>, field: &str) -> Option<DateTime<Utc>> {
        let text = value
            .filter(|v| !is_blank(v))
            .and_then(Value::as_str)?
            .trim();
        let beijing = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
        let parsed = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .ok()
            .and_then(|naive| beijing.from_local_datetime(&naive).single())
            .or_else(|| {
                let stamp = text.get(..14).filter(|_| text.is_ascii())?;
                let zone = text.get(text.len().checked_sub(5)?..)?;
                DateTime::parse_from_str(&format!("{stamp}{zone}"), "%Y%m%d%H%M%S%z").ok()
            });
        match parsed {
            Some(at) => Some(at.with_timezone(&Utc)),
            None => {
                self.warn(
                    field,
                    words::CLEAN_NOT_A_DATE,
                    &[("value", format!("{text:?}"))],
                );
                None
            }
        }
    }

    fn tiers(&mut self, value: Option<&Value>, field: &str) -> Vec<Tier> {
        let Some(list) = self.list(value, field) else {
            return Vec::new();
        };
        let mut tiers: Vec<Tier> = Vec::new();
        for (i, item) in list.iter().enumerate().take(MAX_TIERS) {
            let at_field = format!("{field}[{i}]");
            let min_qty = self.quantity(
                item.get("startQuantity"),
                &format!("{at_field}.startQuantity"),
            );
            let price = self.price(item.get("price"), &format!("{at_field}.price"));
            match (min_qty, price) {
                (Some(min_qty), Some(price)) => {
                    let min_qty = if min_qty == 0 {
                        self.warn(
                            format!("{at_field}.startQuantity"),
                            words::CLEAN_ZERO_START,
                            &[],
                        );
                        1
                    } else {
                        min_qty
                    };
                    tiers.push(Tier { min_qty, price });
                }
                (None, _) if item.get("startQuantity").is_none_or(is_blank) => {
                    self.warn(
                        format!("{at_field}.startQuantity"),
                        words::CLEAN_TIER_MISSING,
                        &[],
                    );
                }
                (_, None) if item.get("price").is_none_or(is_blank) => {
                    self.warn(format!("{at_field}.price"), words::CLEAN_TIER_MISSING, &[]);
                }
                _ => {} // the bad part has its own warning already
            }
        }
        if list.len() > MAX_TIERS {
            self.warn(
                field,
                words::CLEAN_TOO_MANY_TIERS,
                &[
                    ("count", list.len().to_string()),
                    ("max", MAX_TIERS.to_string()),
                ],
            );
        }
        tiers.sort_by_key(|t| (t.min_qty, t.price));
        let mut kept: Vec<Tier> = Vec::with_capacity(tiers.len());
        for tier in tiers {
            match kept.last() {
                Some(last) if last.min_qty == tier.min_qty && last.price != tier.price => {
                    self.warn(
                        field,
                        words::CLEAN_TWO_PRICES,
                        &[
                            ("first", last.price.to_string()),
                            ("second", tier.price.to_string()),
                            ("qty", tier.min_qty.to_string()),
                        ],
                    );
                }
                Some(last) if last.min_qty == tier.min_qty => {}
                _ => kept.push(tier),
            }
        }
        kept
    }

    fn skus(&mut self, value: Option<&Value>, field: &str, attributes_key: &str) -> Vec<Sku> {
        let Some(list) = self.list(value, field) else {
            return Vec::new();
        };
        let mut skus: Vec<Sku> = Vec::new();
        for (i, item) in list.iter().enumerate().take(MAX_SKUS) {
            let at_field = format!("{field}[{i}]");
            let Some(sku_id) = self.text(item.get("skuId"), &format!("{at_field}.skuId"), MAX_NAME)
            else {
                self.warn(format!("{at_field}.skuId"), words::CLEAN_SKU_MISSING, &[]);
                continue;
            };
            if skus.iter().any(|s| s.sku_id == sku_id) {
                self.warn(
                    format!("{at_field}.skuId"),
                    words::CLEAN_SKU_TWICE,
                    &[("sku", sku_id)],
                );
                continue;
            }
            let attributes = item.get(attributes_key).and_then(Value::as_array);
            let mut specs = attributes
                .map(|attrs| attribute_specs(attrs))
                .unwrap_or_default();
            if specs.is_empty() {
                for key in ["specAttrs", "specAttributes", "cargoNumberSpec"] {
                    if let Some(text) = item.get(key).and_then(Value::as_str) {
                        specs = parse_spec_string(text);
                        if !specs.is_empty() {
                            break;
                        }
                    }
                }
            }
            let image_urls: Vec<Option<&Value>> = attributes
                .into_iter()
                .flatten()
                .map(|a| a.get("skuImageUrl"))
                .collect();
            let image = self
                .images(image_urls, &format!("{at_field}.skuImageUrl"))
                .into_iter()
                .next();
            let price = self.price(
                item.get("price").or_else(|| item.get("discountPrice")),
                &format!("{at_field}.price"),
            );
            let stock = self.quantity(
                item.get("amountOnSale")
                    .or_else(|| item.get("canBookCount")),
                &format!("{at_field}.amountOnSale"),
            );
            skus.push(Sku {
                sku_id,
                spec_id: self.text(item.get("specId"), &format!("{at_field}.specId"), MAX_NAME),
                specs,
                price,
                stock,
                available: stock != Some(0),
                image,
            });
        }
        if list.len() > MAX_SKUS {
            self.warn(
                field,
                words::CLEAN_TOO_MANY_SKUS,
                &[
                    ("count", list.len().to_string()),
                    ("max", MAX_SKUS.to_string()),
                ],
            );
        }
        skus
    }

    /// Image URLs from single strings or lists, in order, once each. Only 1688's own image
    /// hosts are kept: any other host could track when the buyer opens an offer.
    fn images<'v>(
        &mut self,
        values: impl IntoIterator<Item = Option<&'v Value>>,
        field: &str,
    ) -> Vec<String> {
        let items = values.into_iter().flatten().flat_map(|value| match value {
            Value::Array(list) => list.iter().collect::<Vec<_>>(),
            single @ Value::String(_) => vec![single],
            _ => Vec::new(),
        });
        let mut images: Vec<String> = Vec::new();
        for item in items {
            if images.len() >= MAX_IMAGES {
                self.warn(
                    field,
                    words::CLEAN_TOO_MANY_IMAGES,
                    &[("max", MAX_IMAGES.to_string())],
                );
                break;
            }
            let Some(path) = item.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            match image_url(path) {
                Some(url) if !images.contains(&url) => images.push(url),
                Some(_) => {}
                None => self.warn(
                    field,
                    words::CLEAN_FOREIGN_IMAGE,
                    &[("value", format!("{path:?}"))],
                ),
            }
        }
        images
    }

    fn list<'v>(&mut self, value: Option<&'v Value>, field: &str) -> Option<&'v Vec<Value>> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => Some(list),
            Some(other) => {
                self.warn(field, words::CLEAN_NOT_A_LIST, &[("value", sample(other))]);
                None
            }
        }
    }
}

/// An absolute https URL on 1688's image hosts (`*.alicdn.com`, `*.1688.com`), from an absolute,
/// scheme-relative or (older API) relative path.
fn image_url(path: &str) -> Option<String> {
    // A backslash is a slash to a browser: `https://evil.example\@cbu01.alicdn.com/` is on
    // evil.example, whatever the text after it says.
    if path.len() > MAX_URL
        || path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let rest = if let Some(rest) = path
        .strip_prefix("https://")
        .or_else(|| path.strip_prefix("http://"))
        .or_else(|| path.strip_prefix("//"))
    {
        rest
    } else if !path.contains(':') {
        return Some(format!("{IMAGE_HOST}{}", path.trim_start_matches('/')));
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // User info (`user@host`) has no place in a picture's address and can hide the real host.
    (!host.contains('@') && is_image_host(host)).then(|| format!("https://{rest}"))
}

/// Whether `host` is one of 1688's image hosts (`*.alicdn.com`, `*.1688.com`): the cleaner keeps
/// only pictures there, and the picture cache fetches only from there.
pub(crate) fn is_image_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let on_1688 = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    on_1688("alicdn.com") || on_1688("1688.com")
}

/// Badges from `sellerIdentities` codes (`["super_factory","powerful_merchants"]`, or the doc's
/// one legend string) or `offerIdentities` words (`["超级工厂,实力商家，诚信通"]`). A list
/// present is an answer (empty means no badge); an absent one says nothing.
fn badges(value: Option<&Value>) -> Option<Badges> {
    let list = value?.as_array()?;
    let mut badges = Badges::default();
    for text in list.iter().filter_map(Value::as_str) {
        for token in text.split([',', '，', ' ', ';', '；', '、']) {
            // A legend entry reads "super_factory-超级工厂": the code decides.
            let code = token.split('-').next().unwrap_or_default().trim();
            match code {
                "powerful_merchants" | "实力商家" => badges.power_merchant = true,
                "super_factory" | "超级工厂" => badges.super_factory = true,
                "tp_member" | "诚信通" | "诚信通会员" => badges.tp_member = true,
                _ => {}
            }
        }
    }
    Some(badges)
}

/// A detail's `tagInfoList` entry `{key, value}`.
fn tag(d: &Value, key: &str) -> Option<bool> {
    d.get("tagInfoList")?
        .as_array()?
        .iter()
        .find(|t| t.get("key").and_then(Value::as_str) == Some(key))
        .and_then(|t| t.get("value"))
        .and_then(loose_bool)
}

/// `isOnePsale` or its `onePsale` spelling (§1.6).
fn either_bool(v: &Value, is_key: &str) -> Option<bool> {
    let bare = is_key.strip_prefix("is").map(|rest| {
        let mut chars = rest.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    });
    v.get(is_key)
        .and_then(loose_bool)
        .or_else(|| bare.and_then(|k| v.get(&k)).and_then(loose_bool))
}

/// `shipIn24Hours` / `shipIn48Hours` (or `sendGoods24H`), also inside the doc's legend text.
fn dispatch_hours(value: Option<&Value>) -> Option<u32> {
    let text = value?.as_str()?;
    let first = text.split_whitespace().next().unwrap_or_default();
    if first.contains("24H") || first.contains("24Hours") {
        Some(24)
    } else if first.contains("48H") || first.contains("48Hours") {
        Some(48)
    } else {
        None
    }
}

/// `"1.5-2.0"`: a price range where one price was expected.
fn is_range(text: &str) -> bool {
    text.get(1..)
        .and_then(|rest| rest.find(['-', '~', '～']))
        .is_some_and(|_| text.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Specs from an attribute array: `[{attributeName|attributeDisplayName, value|attributeValue}]`.
fn attribute_specs(attributes: &[Value]) -> Vec<Spec> {
    attributes
        .iter()
        .filter_map(|a| {
            let name = ["attributeName", "attributeDisplayName", "name"]
                .iter()
                .find_map(|k| a.get(*k).and_then(text_of))?;
            let value = ["value", "attributeValue"]
                .iter()
                .find_map(|k| a.get(*k).and_then(text_of))?;
            Some(Spec {
                name: cap(name, MAX_NAME).0,
                value: cap(value, MAX_NAME).0,
            })
        })
        .collect()
}

/// Specs from the `"颜色:红色;尺码:XL"` form, forgiving full-width separators and stray ones.
pub(crate) fn parse_spec_string(text: &str) -> Vec<Spec> {
    text.split([';', '；', '&', '\n'])
        .filter_map(|pair| {
            let (name, value) = pair.split_once([':', '：'])?;
            let (name, value) = (name.trim(), value.trim());
            (!name.is_empty() && !value.is_empty()).then(|| Spec {
                name: cap(name.to_owned(), MAX_NAME).0,
                value: cap(value.to_owned(), MAX_NAME).0,
            })
        })
        .collect()
}

/// Province and city from 1688's place text: `"浙江省 金华市"`, `"浙江省杭州市"`, `"广东 深圳"`.
/// Provinces are kept without their 省/市/自治区 suffix, as buyers filter by them (浙江, 广东).
pub fn split_place(text: &str) -> (Option<String>, Option<String>) {
    const SUFFIXES: [&str; 7] = [
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "特别行政区",
        "自治区",
        "省",
        "市",
    ];
    let text = text.trim();
    let (first, rest) = match text.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim()),
        None => {
            // No space: cut after the province's suffix (the first one that appears).
            let cut = SUFFIXES
                .iter()
                .filter_map(|s| text.find(s).map(|at| at + s.len()))
                .min();
            match cut {
                Some(at) if at < text.len() => (&text[..at], text[at..].trim()),
                _ => (text, ""),
            }
        }
    };
    let province = SUFFIXES
        .iter()
        .find_map(|s| first.strip_suffix(s).filter(|p| !p.is_empty()))
        .unwrap_or(first);
    let city = rest.split_whitespace().next().filter(|c| !c.is_empty());
    (
        (!province.is_empty()).then(|| province.to_owned()),
        city.map(str::to_owned),
    )
}

/// The supplier's province and city, when only the ship-from text names them.
fn fill_place_from(offer: &mut Offer) {
    let Some(origin) = &offer.shipping.origin else {
        return;
    };
    let (Some(province), city) = split_place(origin) else {
        return;
    };
    let supplier = offer.supplier.get_or_insert_with(Supplier::default);
    if supplier.province.is_none() {
        supplier.province = Some(province);
        if supplier.city.is_none() {
            supplier.city = city;
        }
    }
}

/// A dotted path into nested objects.
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, key| v.get(key))
}

/// A non-empty string, or a number's text; control characters are removed.
fn text_of(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    (!text.is_empty()).then_some(text)
}

/// At most `max` characters, and whether it was cut.
fn cap(text: String, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((at, _)) => {
            let mut text = text;
            text.truncate(at);
            text.push('…');
            (text, true)
        }
        None => (text, false),
    }
}

/// A value from an answer as a warning quotes it: text quoted, anything else as JSON, capped.
/// Language-neutral, since the warning's words come from the catalog.
fn sample(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", cap(s.clone(), 40).0),
        other => cap(other.to_string(), 40).0,
    }
}

fn loose_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "y" | "yes" | "是" => Some(true),
            "false" | "0" | "n" | "no" | "否" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn whole_number(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| f as i128)
            }),
        Value::String(s) if s.len() <= 40 => s.trim().parse::<i128>().ok(),
        _ => None,
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_with_or_without_spaces() {
        let place = |t| split_place(t);
        assert_eq!(
            place("浙江省 金华市"),
            (Some("浙江".into()), Some("金华市".into()))
        );
        assert_eq!(
            place("浙江省杭州市"),
            (Some("浙江".into()), Some("杭州市".into()))
        );
        assert_eq!(
            place("广西壮族自治区 南宁市"),
            (Some("广西".into()), Some("南宁市".into()))
        );
        assert_eq!(place("广东"), (Some("广东".into()), None));
        assert_eq!(place("上海市"), (Some("上海".into()), None));
    }

    #[test]
    fn image_hosts_are_1688s_only() {
        assert_eq!(
            image_url("https://cbu01.alicdn.com/img/ibank/a.jpg").as_deref(),
            Some("https://cbu01.alicdn.com/img/ibank/a.jpg")
        );
        assert_eq!(
            image_url("//global-img-cdn.1688.com/img/ibank/a.jpg").as_deref(),
            Some("https://global-img-cdn.1688.com/img/ibank/a.jpg")
        );
        assert_eq!(
            image_url("img/ibank/2020/a.jpg").as_deref(),
            Some("https://cbu01.alicdn.com/img/ibank/2020/a.jpg")
        );
        for hostile in [
            "https://tracker.example/p.gif",
            "https://alicdn.com.evil.example/p.gif",
            "https://evilalicdn.com/p.gif",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "https://evil.example\\@cbu01.alicdn.com/p.gif",
            "https://user@cbu01.alicdn.com/p.gif",
            "//evil.example\\.alicdn.com/p.gif",
        ] {
            assert_eq!(image_url(hostile), None, "{hostile}");
        }
    }

    #[test]
    fn ranges_are_not_prices() {
        assert!(is_range("1.5-2.0"));
        assert!(is_range("1.5~2.0"));
        assert!(!is_range("-1.5"));
        assert!(!is_range("1.50"));
    }

    #[test]
    fn text_is_capped_at_a_character_boundary() {
        let (text, cut) = cap("中".repeat(600), MAX_TITLE);
        assert!(cut);
        assert_eq!(text.chars().count(), MAX_TITLE + 1);
        assert_eq!(cap("abc".into(), 3), ("abc".into(), false));
    }
}
