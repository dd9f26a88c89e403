//! The cleaner: one raw 1688 answer in, one [`Offer`] out.
//!
//! It follows the parser contract of `shared/docs/1688-answers.md` §1: success is read from
//! `result.success` as `true` or `"true"`; every field is optional (absent and `null` alike);
//! unknown keys such as `class` are ignored; `isX` and `x` spellings are both read; IDs come as
//! numbers or strings; prices are decimal strings with any number of decimals; each rate is read
//! in its own field's notation (§7); zone-less dates are Beijing time. A value that is present
//! but wrong is dropped with a [`CleanWarning`] on the offer; it is never zeroed or filled from
//! another field. Text is capped so a hostile answer cannot bloat the store. Never panics.
//!
//! Answers are read through the typed views of [`super::answer`], straight from their text in
//! one pass ([`clean_answer_text`]) or from a parsed `Value`; both read the same.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use super::answer::{
    self, object, Attribute, Detail, DetailShipping, List, Obj, Pictures, ProductInfo, Scalar,
    SearchItem, SearchShipping, SellerData, SkuItem, Tag, TierItem,
};
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
    #[error("the answer is not JSON")]
    NotJson,
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
    clean_read(&answer::answer_from_value(raw), fetched_at)
}

/// [`clean_answer`] for an answer as the text 1688 sent, read in one pass.
pub fn clean_answer_text(text: &str, fetched_at: DateTime<Utc>) -> Result<Offer, CleanError> {
    let read = answer::answer_from_text(text).ok_or(CleanError::NotJson)?;
    clean_read(&read, fetched_at)
}

fn clean_read(
    read: &Obj<Box<answer::Answer<'_>>>,
    fetched_at: DateTime<Utc>,
) -> Result<Offer, CleanError> {
    let answer = read.object().ok_or(CleanError::NotAnObject)?;
    let top = &answer.top;
    if let Some(info) = object(&top.product_info) {
        return Cleaner::new(SourceApi::SimpleGet, fetched_at).simple_get(info);
    }
    let failure = Envelope {
        success: top.success.as_ref(),
        err_msg: top.err_msg.as_ref(),
        error_code: top.error_code.as_ref(),
        error_message: top.error_message.as_ref(),
        message: top.message.as_ref(),
        code: top.code.as_ref(),
    };
    if let Some(error) = failure.business_error() {
        return Err(error);
    }
    if let Some(outer) = object(&top.result) {
        let failure = Envelope {
            success: outer.success.as_ref(),
            err_msg: outer.err_msg.as_ref(),
            error_code: outer.error_code.as_ref(),
            error_message: outer.error_message.as_ref(),
            message: outer.message.as_ref(),
            code: outer.code.as_ref(),
        };
        if let Some(error) = failure.business_error() {
            return Err(error);
        }
        return match &outer.result {
            Some(Obj::Object(detail)) => {
                Cleaner::new(SourceApi::QueryProductDetail, fetched_at).query_detail(detail)
            }
            // §5.2: success without a payload means "not available".
            None | Some(Obj::Null) if outer.success.is_some() => Err(CleanError::Business {
                code: outer.code.as_ref().and_then(text_of),
                message: "1688 answered without the offer (not available)".to_owned(),
            }),
            _ => Err(CleanError::UnknownShape),
        };
    }
    if answer.item.offer_id.is_some() && answer.item.price_info.is_some() {
        return Cleaner::new(SourceApi::KeywordQuery, fetched_at).search_item(&answer.item);
    }
    Err(CleanError::UnknownShape)
}

/// Cleans one item of a keywordQuery page into a partial offer.
pub fn clean_search_item(raw: &Value, fetched_at: DateTime<Utc>) -> Result<Offer, CleanError> {
    match answer::item_from_value(raw) {
        Obj::Object(item) => Cleaner::new(SourceApi::KeywordQuery, fetched_at).search_item(&item),
        _ => Err(CleanError::NotAnObject),
    }
}

/// The fields an answer reports a failure in.
struct Envelope<'r, 'a> {
    success: Option<&'r Scalar<'a>>,
    err_msg: Option<&'r Scalar<'a>>,
    error_code: Option<&'r Scalar<'a>>,
    error_message: Option<&'r Scalar<'a>>,
    message: Option<&'r Scalar<'a>>,
    code: Option<&'r Scalar<'a>>,
}

impl Envelope<'_, '_> {
    /// `success:false` (or `"false"`), a non-empty `errMsg`, or an `error_code`.
    fn business_error(&self) -> Option<CleanError> {
        let success = self.success.and_then(loose_bool);
        let err_msg = self.err_msg.and_then(text_of);
        let error_code = self.error_code.and_then(text_of);
        if success == Some(false) || err_msg.is_some() || error_code.is_some() {
            let message = err_msg
                .or_else(|| self.message.and_then(text_of))
                .or_else(|| self.error_message.and_then(text_of))
                .unwrap_or_else(|| "no message".to_owned());
            let code = error_code.or_else(|| self.code.and_then(text_of));
            return Some(CleanError::Business {
                code: code.map(|c| cap(c, MAX_NAME).0),
                message: cap(message, MAX_WARNING).0,
            });
        }
        None
    }
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

/// Where a value sits in the answer, as warnings name it (`productSkuInfos[2].price`); only
/// written out when a warning needs it.
#[derive(Debug, Clone, Copy)]
struct At<'f> {
    base: &'f str,
    index: Option<usize>,
    key: Option<&'f str>,
}

impl<'f> At<'f> {
    fn key(self, key: &'f str) -> At<'f> {
        At {
            key: Some(key),
            ..self
        }
    }
}

impl<'f> From<&'f str> for At<'f> {
    fn from(base: &'f str) -> At<'f> {
        At {
            base,
            index: None,
            key: None,
        }
    }
}

/// An item of a list field: `field[i]`.
fn item(base: &str, index: usize) -> At<'_> {
    At {
        base,
        index: Some(index),
        key: None,
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base)?;
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        if let Some(key) = self.key {
            write!(f, ".{key}")?;
        }
        Ok(())
    }
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
    fn warn(&mut self, field: At<'_>, word: Word, values: &[(&str, String)]) {
        if self.warnings.len() < MAX_WARNINGS {
            let values: Vec<(&str, String)> = values
                .iter()
                .map(|(name, value)| (*name, cap(value.clone(), MAX_PARAM).0))
                .collect();
            let phrase = Phrase::new(word, &values);
            self.warnings.push(CleanWarning {
                field: cap(field.to_string(), MAX_WARNING).0,
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

    fn offer_id(&self, value: Option<&Scalar<'_>>) -> Result<OfferId, CleanError> {
        let text = value.and_then(text_of).ok_or(CleanError::MissingOfferId)?;
        OfferId::parse(&text).map_err(|_| CleanError::BadOfferId(cap(text, MAX_NAME).0))
    }

    /// A text field, capped at `max` characters (with a warning when cut).
    fn text<'f>(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: impl Into<At<'f>>,
        max: usize,
    ) -> Option<String> {
        let (text, cut) = cap(value.and_then(text_of)?, max);
        if cut {
            self.warn(
                field.into(),
                words::CLEAN_TOO_LONG,
                &[("max", max.to_string())],
            );
        }
        Some(text)
    }

    // ---- the three shapes ----

    fn query_detail(mut self, d: &Detail<'_>) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(d.offer_id.as_ref())?);
        offer.title = self.text(d.subject.as_ref(), "subject", MAX_TITLE);
        offer.title_en = self.text(d.subject_trans.as_ref(), "subjectTrans", MAX_TITLE);
        offer.category = self.category(d.category_id.as_ref(), d.category_name.as_ref());
        let image = object(&d.product_image);
        offer.images = self.images(
            [
                image.and_then(|i| i.images.as_ref()),
                image.and_then(|i| i.white_image.as_ref()),
            ],
            "productImage.images",
        );
        let sale = object(&d.sale);
        let unit_info = sale.and_then(|s| s.unit_info.as_ref());
        offer.unit = self.text(
            match unit_info {
                // A `unitInfo` object answers for the unit, even without one.
                Some(Obj::Object(info)) => info.unit.as_ref(),
                _ => sale.and_then(|s| s.unit.as_ref()),
            },
            "productSaleInfo.unitInfo.unit",
            MAX_NAME,
        );
        offer.moq = self.quantity(d.min_order_quantity.as_ref(), "minOrderQuantity");
        offer.batch_size = self.batch(
            d.batch_number
                .as_ref()
                .or_else(|| sale.and_then(|s| s.batch_number.as_ref())),
        );
        offer.quote_type = self.quote_type(sale.and_then(|s| s.quote_type.as_ref()));
        offer.tiers = self.tiers(
            sale.and_then(|s| s.price_ranges.as_ref()),
            "productSaleInfo.priceRangeList",
        );
        offer.retail_price = self.price(
            sale.and_then(|s| s.retail_price.as_ref()),
            "productSaleInfo.retailPrice",
        );
        offer.consign_price = self.price(
            sale.and_then(|s| s.consign_price.as_ref()),
            "productSaleInfo.consignPrice",
        );
        offer.skus = self.skus(d.skus.as_ref(), "productSkuInfos", |s| {
            s.sku_attributes.as_ref()
        });
        offer.supplier = self.detail_supplier(d);
        offer.shipping = self.detail_shipping(object(&d.shipping));
        self.sku_shipping(object(&d.shipping), &mut offer.skus);
        // Not in the detail doc, but some gateways add it; harmless to read.
        offer.month_sold = self.quantity(d.month_sold.as_ref(), "monthSold");
        offer.sold_count = self.quantity(d.sold_out.as_ref(), "soldOut");
        offer.trade_score_tenths = self.score(d.trade_score.as_ref(), "tradeScore");
        offer.mixed_batch = self.mixed_batch(d.mix_setting.as_ref());
        offer.one_piece_dropship = tag(d.tags.as_ref(), "isOnePsale")
            .or_else(|| either_bool(d.is_one_psale.as_ref(), d.one_psale.as_ref()));
        offer.status = self.text(d.status.as_ref(), "status", MAX_NAME);
        offer.listed_at = self.date(d.create_date.as_ref(), "createDate");
        fill_place_from(&mut offer);
        self.finish(offer)
    }

    fn simple_get(mut self, p: &ProductInfo<'_>) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(p.product_id.as_ref())?);
        offer.title = self.text(p.subject.as_ref(), "subject", MAX_TITLE);
        offer.title_en = self.text(p.subject_trans.as_ref(), "subjectTrans", MAX_TITLE);
        offer.category = self.category(p.category_id.as_ref(), p.category_name.as_ref());
        offer.images = self.images(
            [object(&p.image).and_then(|i| i.images.as_ref()), None],
            "image.images",
        );
        let sale = object(&p.sale);
        offer.unit = self.text(
            sale.and_then(|s| s.unit.as_ref()),
            "saleInfo.unit",
            MAX_NAME,
        );
        offer.moq = self.quantity(
            sale.and_then(|s| s.min_order_quantity.as_ref()),
            "saleInfo.minOrderQuantity",
        );
        offer.batch_size = self.batch(sale.and_then(|s| s.batch_number.as_ref()));
        offer.quote_type = self.quote_type(sale.and_then(|s| s.quote_type.as_ref()));
        offer.tiers = self.tiers(
            sale.and_then(|s| s.price_ranges.as_ref()),
            "saleInfo.priceRanges",
        );
        offer.retail_price = self.price(
            sale.and_then(|s| s.retailprice.as_ref().or(s.retail_price.as_ref())),
            "saleInfo.retailprice",
        );
        offer.consign_price = self.price(
            sale.and_then(|s| s.consign_price.as_ref()),
            "saleInfo.consignPrice",
        );
        offer.skus = self.skus(p.skus.as_ref(), "skuInfos", |s| s.attributes.as_ref());
        let shipping = object(&p.shipping);
        offer.shipping = Shipping {
            origin: self.text(
                shipping.and_then(|s| s.send_from.as_ref()),
                "shippingInfo.sendGoodsAddressText",
                MAX_NAME,
            ),
            unit_weight_grams: self.kilograms(
                shipping.and_then(|s| s.unit_weight.as_ref()),
                "shippingInfo.unitWeight",
            ),
            ..Shipping::default()
        };
        offer.status = self.text(p.status.as_ref(), "status", MAX_NAME);
        let supplier = Supplier {
            login_id: self.text(
                p.supplier_login_id.as_ref().or(p.seller_login_id.as_ref()),
                "supplierLoginId",
                MAX_NAME,
            ),
            name: self.text(p.company_name.as_ref(), "companyName", MAX_NAME),
            ..Supplier::default()
        };
        offer.supplier = (supplier != Supplier::default()).then_some(supplier);
        fill_place_from(&mut offer);
        self.finish(offer)
    }

    fn search_item(mut self, item: &SearchItem<'_>) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(item.offer_id.as_ref())?);
        offer.title = self.text(item.subject.as_ref(), "subject", MAX_TITLE);
        offer.title_en = self.text(item.subject_trans.as_ref(), "subjectTrans", MAX_TITLE);
        offer.category = self.category(
            [
                &item.third_category_id,
                &item.second_category_id,
                &item.top_category_id,
            ]
            .into_iter()
            .find_map(|v| v.as_ref().filter(|v| !is_blank(v))),
            None,
        );
        offer.images = self.images(
            [item.image_url.as_ref(), item.white_image.as_ref()],
            "imageUrl",
        );
        let price = object(&item.price_info);
        offer.listed_price = self.price(price.and_then(|p| p.price.as_ref()), "priceInfo.price");
        offer.consign_price = self.price(
            price.and_then(|p| p.consign_price.as_ref()),
            "priceInfo.consignPrice",
        );
        offer.moq = self.quantity(item.min_order_quantity.as_ref(), "minOrderQuantity");
        offer.month_sold = self.quantity(item.month_sold.as_ref(), "monthSold");
        offer.repurchase_rate = self.rate(
            item.repurchase_rate.as_ref(),
            "repurchaseRate",
            Rate::Percent,
        );
        offer.trade_score_tenths = self.score(item.trade_score.as_ref(), "tradeScore");
        offer.one_piece_dropship = either_bool(item.is_one_psale.as_ref(), item.one_psale.as_ref());
        offer.listed_at = self.date(item.create_date.as_ref(), "createDate");
        offer.supplier = self.search_supplier(item);
        offer.shipping = self.search_shipping(object(&item.shipping));
        self.finish(offer)
    }

    // ---- suppliers and shipping ----

    fn detail_supplier(&mut self, d: &Detail<'_>) -> Option<Supplier> {
        let data = object(&d.seller_data);
        let mut supplier = Supplier {
            name: self.text(d.company_name.as_ref(), "companyName", MAX_NAME),
            open_id: self.text(d.seller_open_id.as_ref(), "sellerOpenId", MAX_NAME),
            badges: badges(d.offer_identities.as_ref()),
            ..Supplier::default()
        };
        self.seller_data(&mut supplier, data, Rate::Fraction);
        supplier.pickup_48h_rate = self.rate(
            data.and_then(|s| s.pickup_48h.as_ref()),
            "sellerDataInfo.collect30DayWithin48HPercent",
            Rate::Fraction,
        );
        supplier.quality_refund_rate = self.rate(
            data.and_then(|s| s.quality_refund.as_ref()),
            "sellerDataInfo.qualityRefundWithin30Day",
            Rate::Percent,
        );
        (supplier != Supplier::default()).then_some(supplier)
    }

    fn search_supplier(&mut self, item: &SearchItem<'_>) -> Option<Supplier> {
        let data = object(&item.seller_data);
        let mut supplier = Supplier {
            // imageQuery items name the shop and its region; keywordQuery items do not.
            name: self.text(item.company_name.as_ref(), "companyName", MAX_NAME),
            badges: badges(item.seller_identities.as_ref()),
            tp_years: self.quantity(
                data.and_then(|s| s.tp_year.as_ref()),
                "sellerDataInfo.tpYear",
            ),
            ..Supplier::default()
        };
        self.seller_data(&mut supplier, data, Rate::Percent);
        if let Some(address) = self.text(item.company_address.as_ref(), "companyAddress", MAX_NAME)
        {
            let (province, city) = split_place(&address);
            supplier.province = province;
            supplier.city = city;
        }
        (supplier != Supplier::default()).then_some(supplier)
    }

    /// The scores both `sellerDataInfo` variants share; the repeat-purchase rate is a fraction
    /// on details and a bare percentage on search items (§7).
    fn seller_data(
        &mut self,
        supplier: &mut Supplier,
        data: Option<&SellerData<'_>>,
        repeat: Rate,
    ) {
        let field = At::from("sellerDataInfo");
        macro_rules! of {
            ($key:ident) => {
                data.and_then(|d| d.$key.as_ref())
            };
        }
        supplier.scores = ServiceScores {
            composite: self.score(of!(composite), field.key("compositeServiceScore")),
            logistics: self.score(of!(logistics), field.key("logisticsExperienceScore")),
            dispute: self.score(of!(dispute), field.key("disputeComplaintScore")),
            offer: self.score(of!(offer), field.key("offerExperienceScore")),
            after_sales: self.score(of!(after_sales), field.key("afterSalesExperienceScore")),
            consulting: self.score(of!(consulting), field.key("consultingExperienceScore")),
        };
        supplier.trade_medal_level =
            self.quantity(of!(trade_medal_level), field.key("tradeMedalLevel"));
        supplier.repurchase_rate = self.rate(
            of!(repeat_purchase),
            field.key("repeatPurchasePercent"),
            repeat,
        );
    }

    fn detail_shipping(&mut self, s: Option<&DetailShipping<'_>>) -> Shipping {
        let Some(s) = s else {
            return Shipping::default();
        };
        Shipping {
            origin: self.text(
                s.send_from.as_ref(),
                "productShippingInfo.sendGoodsAddressText",
                MAX_NAME,
            ),
            unit_weight_grams: self.kilograms(
                s.weight.as_ref().or(s.unit_weight.as_ref()),
                "productShippingInfo.weight",
            ),
            dimensions: self.size(
                [&s.length, &s.width, &s.height],
                "productShippingInfo".into(),
            ),
            dispatch_hours: dispatch_hours(s.time_guarantee.as_ref()),
            ..Shipping::default()
        }
    }

    /// Each SKU's own weight and size. `skuShippingDetails` says kilograms; the unit of
    /// `skuShippingInfoList`'s weight is disputed (§7: grams in the 2026 doc, kg in an older
    /// SDK), so the details' weight wins where both give one, and the list's is read as grams.
    fn sku_shipping(&mut self, s: Option<&DetailShipping<'_>>, skus: &mut [Sku]) {
        let Some(s) = s else {
            return;
        };
        // The details' kilograms first: a SKU keeps the first weight and size it is given.
        let lists = [
            (
                "productShippingInfo.skuShippingDetails",
                &s.sku_details,
                true,
            ),
            (
                "productShippingInfo.skuShippingInfoList",
                &s.sku_infos,
                false,
            ),
        ];
        for (field, list, in_kilograms) in lists {
            let Some(list) = self.list(list.as_ref(), field) else {
                continue;
            };
            for (i, entry) in list.iter().enumerate().take(MAX_SKUS) {
                let Some(entry) = entry.object() else {
                    continue;
                };
                let id = entry.sku_id.as_ref().and_then(text_of);
                let Some(sku) = skus.iter_mut().find(|s| Some(&s.sku_id) == id.as_ref()) else {
                    continue;
                };
                let at = item(field, i);
                let weight = match in_kilograms {
                    true => self.kilograms(entry.weight.as_ref(), at.key("weight")),
                    false => self.grams(entry.weight.as_ref(), at.key("weight")),
                };
                sku.weight_grams = sku.weight_grams.or(weight);
                if sku.dimensions.is_none() {
                    sku.dimensions = self.size([&entry.length, &entry.width, &entry.height], at);
                }
            }
        }
    }

    fn search_shipping(&mut self, s: Option<&SearchShipping<'_>>) -> Shipping {
        let Some(s) = s else {
            return Shipping::default();
        };
        let field = At::from("productSimpleShippingInfo");
        let mut rate = |value: &Option<Scalar<'_>>, key| {
            self.rate(value.as_ref(), field.key(key), Rate::PercentEmptyZero)
        };
        Shipping {
            perfect_fulfilment_30d: rate(&s.perfect_fulfilment, "perfectFulfillmentRate30d"),
            pickup_24h_30d: rate(&s.pickup_24h, "pickupWithin24hRate30d"),
            quality_return_30d: rate(&s.quality_return, "qualityReturnRate30d"),
            delayed_shipping_7d: rate(&s.delayed_shipping, "delayedShippingRate7d"),
            dispatch_hours: dispatch_hours(s.time_guarantee.as_ref()),
            ..Shipping::default()
        }
    }

    fn mixed_batch(&mut self, value: Option<&Obj<answer::MixSetting<'_>>>) -> Option<MixedBatch> {
        let setting = value.and_then(Obj::object)?;
        let allowed = [&setting.general_hunpi, &setting.is_general_hunpi]
            .into_iter()
            .find_map(|v| v.as_ref().and_then(loose_bool))?;
        Some(MixedBatch {
            allowed,
            min_amount_yuan: self
                .quantity(setting.mix_amount.as_ref(), "sellerMixSetting.mixAmount"),
            min_pieces: self.quantity(setting.mix_number.as_ref(), "sellerMixSetting.mixNumber"),
        })
    }

    // ---- parts ----

    fn category(&mut self, id: Option<&Scalar<'_>>, name: Option<&Scalar<'_>>) -> Option<Category> {
        let category = Category {
            id: self.text(id, "categoryId", MAX_NAME),
            name: self.text(name, "categoryName", MAX_NAME),
        };
        (category.id.is_some() || category.name.is_some()).then_some(category)
    }

    fn price<'f>(&mut self, value: Option<&Scalar<'_>>, field: impl Into<At<'f>>) -> Option<Money> {
        let field = field.into();
        let value = value.filter(|v| !is_blank(v))?;
        let number;
        let text = match value {
            Scalar::Number(n) => {
                number = n.to_string();
                number.as_str()
            }
            Scalar::Text(s) => s
                .trim()
                .trim_start_matches(['¥', '￥'])
                .trim_end_matches('元')
                .trim(),
            other => {
                self.warn(field, words::CLEAN_NOT_A_PRICE, &[("value", sample(other))]);
                return None;
            }
        };
        if is_range(text) {
            self.warn(
                field,
                words::CLEAN_PRICE_RANGE,
                &[("value", format!("{text:?}"))],
            );
            return None;
        }
        match Money::parse_decimal(text) {
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

    fn quantity<'f>(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: impl Into<At<'f>>,
    ) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        match whole_number(value) {
            Some(n) if (0..=MAX_QUANTITY as i128).contains(&n) => Some(n as u32),
            Some(n) => {
                self.warn(
                    field.into(),
                    words::CLEAN_QTY_OUT_OF_RANGE,
                    &[("value", n.to_string())],
                );
                None
            }
            None => {
                self.warn(
                    field.into(),
                    words::CLEAN_NOT_A_WHOLE_NUMBER,
                    &[("value", sample(value))],
                );
                None
            }
        }
    }

    fn batch(&mut self, value: Option<&Scalar<'_>>) -> Option<u32> {
        self.quantity(value, "batchNumber").filter(|&n| n > 1)
    }

    fn quote_type(&mut self, value: Option<&Scalar<'_>>) -> Option<QuoteType> {
        let value = value.filter(|v| !is_blank(v))?;
        let found = whole_number(value)
            .and_then(|n| i64::try_from(n).ok())
            .and_then(QuoteType::from_code);
        if found.is_none() {
            self.warn(
                "quoteType".into(),
                words::CLEAN_BAD_QUOTE_TYPE,
                &[("value", sample(value))],
            );
        }
        found
    }

    /// A rate in its field's notation, kept in basis points (0–100 %).
    fn rate<'f>(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: impl Into<At<'f>>,
        notation: Rate,
    ) -> Option<Percent> {
        let value = value.filter(|v| !matches!(v, Scalar::Null))?;
        let number;
        let text = match value {
            Scalar::Number(n) => {
                number = n.to_string();
                number.as_str()
            }
            Scalar::Text(s) => s.trim(),
            other => {
                self.warn(
                    field.into(),
                    words::CLEAN_NOT_A_RATE,
                    &[("value", sample(other))],
                );
                return None;
            }
        };
        if text.is_empty() {
            return (notation == Rate::PercentEmptyZero).then_some(Percent { basis_points: 0 });
        }
        let (number, signed) = match text.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (text, false),
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
                    field.into(),
                    words::CLEAN_NOT_A_RATE,
                    &[("value", format!("{text:?}"))],
                );
                None
            }
        }
    }

    /// A 0–5 score such as `"4.5"`, kept in tenths.
    fn score<'f>(&mut self, value: Option<&Scalar<'_>>, field: impl Into<At<'f>>) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        let parsed = match value {
            Scalar::Number(n) => Money::parse_decimal(&n.to_string()).ok(),
            Scalar::Text(s) => Money::parse_decimal(s).ok(),
            _ => None,
        };
        match parsed.map(Money::units) {
            Some(units) if (0..=50_000).contains(&units) => Some((units / 1_000) as u32),
            _ => {
                self.warn(
                    field.into(),
                    words::CLEAN_NOT_A_SCORE,
                    &[("value", sample(value))],
                );
                None
            }
        }
    }

    /// A positive measure, multiplied by `scale` into whole smaller units (kg → g, cm → mm).
    /// Not money, so rounding is fine.
    fn measure(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: At<'_>,
        scale: f64,
        max: f64,
    ) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        let amount = match value {
            Scalar::Number(n) => n.as_f64(),
            Scalar::Text(s) => s.trim().parse::<f64>().ok(),
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

    fn kilograms<'f>(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: impl Into<At<'f>>,
    ) -> Option<u32> {
        self.measure(value, field.into(), 1000.0, 100_000.0)
    }

    fn grams<'f>(&mut self, value: Option<&Scalar<'_>>, field: impl Into<At<'f>>) -> Option<u32> {
        self.measure(value, field.into(), 1.0, 100_000_000.0)
    }

    fn centimetres<'f>(
        &mut self,
        value: Option<&Scalar<'_>>,
        field: impl Into<At<'f>>,
    ) -> Option<u32> {
        self.measure(value, field.into(), 10.0, 100_000.0)
    }

    /// Length, width and height in centimetres, under `at`, as millimetres; none when no side
    /// is given.
    fn size(
        &mut self,
        [length, width, height]: [&Option<Scalar<'_>>; 3],
        at: At<'_>,
    ) -> Option<Dimensions> {
        let size = Dimensions {
            length_mm: self.centimetres(length.as_ref(), at.key("length")),
            width_mm: self.centimetres(width.as_ref(), at.key("width")),
            height_mm: self.centimetres(height.as_ref(), at.key("height")),
        };
        (size != Dimensions::default()).then_some(size)
    }

    /// `"2024-04-20 08:00:00"` in Beijing time (the newer APIs), or `"20181213201638000+0800"`.
    fn date(&mut self, value: Option<&Scalar<'_>>, field: &str) -> Option<DateTime<Utc>> {
        let text = match value.filter(|v| !is_blank(v))? {
            Scalar::Text(text) => text.trim(),
            _ => return None,
        };
        let beijing = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
        let parsed = beijing_time(text)
            .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok())
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
                    field.into(),
                    words::CLEAN_NOT_A_DATE,
                    &[("value", format!("{text:?}"))],
                );
                None
            }
        }
    }

    fn tiers(&mut self, value: Option<&List<'_, Obj<TierItem<'_>>>>, field: &str) -> Vec<Tier> {
        let Some(list) = self.list(value, field) else {
            return Vec::new();
        };
        let mut tiers: Vec<Tier> = Vec::with_capacity(list.len().min(MAX_TIERS));
        for (i, tier) in list.iter().enumerate().take(MAX_TIERS) {
            let at = item(field, i);
            let tier = tier.object();
            let start = tier.and_then(|t| t.start_quantity.as_ref());
            let price = tier.and_then(|t| t.price.as_ref());
            let min_qty = self.quantity(start, at.key("startQuantity"));
            let price_read = self.price(price, at.key("price"));
            match (min_qty, price_read) {
                (Some(min_qty), Some(price)) => {
                    let min_qty = if min_qty == 0 {
                        self.warn(at.key("startQuantity"), words::CLEAN_ZERO_START, &[]);
                        1
                    } else {
                        min_qty
                    };
                    tiers.push(Tier { min_qty, price });
                }
                (None, _) if start.is_none_or(is_blank) => {
                    self.warn(at.key("startQuantity"), words::CLEAN_TIER_MISSING, &[]);
                }
                (_, None) if price.is_none_or(is_blank) => {
                    self.warn(at.key("price"), words::CLEAN_TIER_MISSING, &[]);
                }
                _ => {} // the bad part has its own warning already
            }
        }
        if list.len() > MAX_TIERS {
            self.warn(
                field.into(),
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
                        field.into(),
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

    fn skus<'v, 'a: 'v>(
        &mut self,
        value: Option<&'v List<'a, Obj<SkuItem<'a>>>>,
        field: &str,
        attributes_of: impl Fn(&'v SkuItem<'a>) -> Option<&'v List<'a, Obj<Attribute<'a>>>>,
    ) -> Vec<Sku> {
        let Some(list) = self.list(value, field) else {
            return Vec::new();
        };
        let mut skus: Vec<Sku> = Vec::with_capacity(list.len().min(MAX_SKUS));
        for (i, sku) in list.iter().enumerate().take(MAX_SKUS) {
            let at = item(field, i);
            let sku = sku.object();
            let Some(sku_id) = self.text(
                sku.and_then(|s| s.sku_id.as_ref()),
                at.key("skuId"),
                MAX_NAME,
            ) else {
                self.warn(at.key("skuId"), words::CLEAN_SKU_MISSING, &[]);
                continue;
            };
            if skus.iter().any(|s| s.sku_id == sku_id) {
                self.warn(at.key("skuId"), words::CLEAN_SKU_TWICE, &[("sku", sku_id)]);
                continue;
            }
            let attributes = match sku.and_then(&attributes_of) {
                Some(List::Items(attributes)) => Some(attributes.as_slice()),
                _ => None,
            };
            let mut specs = attributes.map(attribute_specs).unwrap_or_default();
            if specs.is_empty() {
                let strings =
                    sku.map(|s| [&s.spec_attrs, &s.spec_attributes, &s.cargo_number_spec]);
                for value in strings.into_iter().flatten() {
                    if let Some(Scalar::Text(text)) = value {
                        specs = parse_spec_string(text);
                        if !specs.is_empty() {
                            break;
                        }
                    }
                }
            }
            let image_urls = attributes
                .into_iter()
                .flatten()
                .map(|a| a.object().and_then(|a| a.sku_image_url.as_ref()));
            let image = self
                .images(image_urls, at.key("skuImageUrl"))
                .into_iter()
                .next();
            let price = self.price(
                sku.and_then(|s| s.price.as_ref().or(s.discount_price.as_ref())),
                at.key("price"),
            );
            let stock = self.quantity(
                sku.and_then(|s| s.amount_on_sale.as_ref().or(s.can_book_count.as_ref())),
                at.key("amountOnSale"),
            );
            skus.push(Sku {
                sku_id,
                spec_id: self.text(
                    sku.and_then(|s| s.spec_id.as_ref()),
                    at.key("specId"),
                    MAX_NAME,
                ),
                specs,
                price,
                stock,
                available: stock != Some(0),
                image,
                weight_grams: None,
                dimensions: None,
            });
        }
        if list.len() > MAX_SKUS {
            self.warn(
                field.into(),
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
    fn images<'v, 'f>(
        &mut self,
        values: impl IntoIterator<Item = Option<&'v Pictures<'v>>>,
        field: impl Into<At<'f>>,
    ) -> Vec<String> {
        let field = field.into();
        let mut images: Vec<String> = Vec::new();
        for item in values.into_iter().flatten().flat_map(|p| p.0.iter()) {
            if images.len() >= MAX_IMAGES {
                self.warn(
                    field,
                    words::CLEAN_TOO_MANY_IMAGES,
                    &[("max", MAX_IMAGES.to_string())],
                );
                break;
            }
            let Some(path) = item.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
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

    fn list<'v, 'a, T>(
        &mut self,
        value: Option<&'v List<'a, T>>,
        field: &str,
    ) -> Option<&'v Vec<T>> {
        match value {
            None | Some(List::Not(Scalar::Null)) => None,
            Some(List::Items(list)) => Some(list),
            Some(List::Not(other)) => {
                self.warn(
                    field.into(),
                    words::CLEAN_NOT_A_LIST,
                    &[("value", sample(other))],
                );
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
    let refused = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    let any_refused = match path.is_ascii() {
        // The ASCII ones among them, byte by byte: controls, space and backslash.
        true => path.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\'),
        false => path.chars().any(refused),
    };
    if path.len() > MAX_URL || any_refused {
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
    (!host.contains('@') && is_image_host(host)).then(|| ["https://", rest].concat())
}

/// Whether `host` is one of 1688's image hosts (`*.alicdn.com`, `*.1688.com`): the cleaner keeps
/// only pictures there, and the picture cache fetches only from there.
pub(crate) fn is_image_host(host: &str) -> bool {
    let on = |domain: &str| {
        let Some(start) = host.len().checked_sub(domain.len()) else {
            return false;
        };
        // Byte offsets: a non-ASCII host never ends in an ASCII domain at a split character.
        host.is_char_boundary(start)
            && host[start..].eq_ignore_ascii_case(domain)
            && (start == 0 || host.as_bytes()[start - 1] == b'.')
    };
    on("alicdn.com") || on("1688.com")
}

/// Badges from `sellerIdentities` codes (`["super_factory","powerful_merchants"]`, or the doc's
/// one legend string) or `offerIdentities` words (`["超级工厂,实力商家，诚信通"]`). A list
/// present is an answer (empty means no badge); an absent one says nothing.
fn badges(value: Option<&List<'_, Scalar<'_>>>) -> Option<Badges> {
    let Some(List::Items(list)) = value else {
        return None;
    };
    let mut badges = Badges::default();
    for item in list {
        let Scalar::Text(text) = item else { continue };
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

/// A detail's `tagInfoList` entry `{key, value}`: the first with the key decides.
fn tag(tags: Option<&List<'_, Obj<Tag<'_>>>>, key: &str) -> Option<bool> {
    let Some(List::Items(tags)) = tags else {
        return None;
    };
    tags.iter()
        .filter_map(Obj::object)
        .find(|t| matches!(&t.key, Some(Scalar::Text(k)) if k == key))
        .and_then(|t| t.value.as_ref())
        .and_then(loose_bool)
}

/// `isOnePsale` or its `onePsale` spelling (§1.6).
fn either_bool(is_spelling: Option<&Scalar<'_>>, bare: Option<&Scalar<'_>>) -> Option<bool> {
    is_spelling
        .and_then(loose_bool)
        .or_else(|| bare.and_then(loose_bool))
}

/// `shipIn24Hours` / `shipIn48Hours` (or `sendGoods24H`), also inside the doc's legend text.
fn dispatch_hours(value: Option<&Scalar<'_>>) -> Option<u32> {
    let Some(Scalar::Text(text)) = value else {
        return None;
    };
    let first = text.split_whitespace().next().unwrap_or_default();
    if first.contains("24H") || first.contains("24Hours") {
        Some(24)
    } else if first.contains("48H") || first.contains("48Hours") {
        Some(48)
    } else {
        None
    }
}

/// `2024-04-20 08:00:00` read by position, as the answers write it; anything else (or a date
/// that does not exist) is left to chrono's parser, which reads the rest of what it accepts.
fn beijing_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let shape = b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
}

/// `"1.5-2.0"`: a price range where one price was expected.
fn is_range(text: &str) -> bool {
    text.get(1..)
        .and_then(|rest| rest.find(['-', '~', '～']))
        .is_some_and(|_| text.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Specs from an attribute array: `[{attributeName|attributeDisplayName, value|attributeValue}]`.
fn attribute_specs(attributes: &[Obj<Attribute<'_>>]) -> Vec<Spec> {
    attributes
        .iter()
        .filter_map(Obj::object)
        .filter_map(|a| {
            let name = [&a.attribute_name, &a.attribute_display_name, &a.name]
                .into_iter()
                .find_map(|v| v.as_ref().and_then(text_of))?;
            let value = [&a.value, &a.attribute_value]
                .into_iter()
                .find_map(|v| v.as_ref().and_then(text_of))?;
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

/// A non-empty string, or a number's text; control characters are removed.
fn text_of(v: &Scalar<'_>) -> Option<String> {
    let text: Cow<'_, str> = match v {
        Scalar::Text(s) => Cow::Borrowed(s.trim()),
        Scalar::Number(n) => Cow::Owned(n.to_string()),
        _ => return None,
    };
    let text = if has_control(&text) {
        text.chars().filter(|c| !c.is_control()).collect()
    } else {
        text.into_owned()
    };
    (!text.is_empty()).then_some(text)
}

/// Whether `text` may hold a control character (U+0000–U+001F, U+007F–U+009F), judged by its
/// UTF-8 bytes (the second range starts with 0xC2) rather than character by character.
fn has_control(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) && text.chars().any(char::is_control)
}

/// At most `max` characters, and whether it was cut.
fn cap(text: String, max: usize) -> (String, bool) {
    // Fewer bytes than `max` means fewer characters too: no need to count them.
    if text.len() <= max {
        return (text, false);
    }
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
fn sample(value: &Scalar<'_>) -> String {
    match value {
        Scalar::Text(s) => format!("{:?}", cap(s.to_string(), 40).0),
        other => cap(other.to_string(), 40).0,
    }
}

fn loose_bool(v: &Scalar<'_>) -> Option<bool> {
    match v {
        Scalar::Bool(b) => Some(*b),
        Scalar::Number(n) => n.as_i64().map(|n| n != 0),
        Scalar::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "y" | "yes" | "是" => Some(true),
            "false" | "0" | "n" | "no" | "否" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn whole_number(v: &Scalar<'_>) -> Option<i128> {
    match v {
        Scalar::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| f as i128)
            }),
        Scalar::Text(s) if s.len() <= 40 => s.trim().parse::<i128>().ok(),
        _ => None,
    }
}

fn is_blank(v: &Scalar<'_>) -> bool {
    match v {
        Scalar::Null => true,
        Scalar::Text(s) => s.trim().is_empty(),
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
