//! The cleaner: one raw 1688 answer in, one [`Offer`] out.
//!
//! Answers are read as loose JSON: unknown fields are ignored, numbers may come as strings and
//! strings as numbers, and any field may be missing. A value that is present but wrong (a
//! negative or absurd price, a broken tier) is dropped with a [`CleanWarning`] on the offer; it
//! is never zeroed or filled from another field. The cleaner never panics.
//!
//! Supplier signals appear under `sellerInfo` / `sellerDataInfo` (the shape Pifa's gateway
//! double serves) or as top-level fields; both are read.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{
    Category, CleanWarning, Offer, OfferId, Percent, QuoteType, Shipping, Sku, SourceApi, Spec,
    Supplier, Tier,
};
use crate::money::{Money, MAX_UNIT_PRICE};

/// Where relative image paths of the older API live.
const IMAGE_HOST: &str = "https://cbu01.alicdn.com/";
/// Bounds that catch broken answers without refusing real offers.
const MAX_QUANTITY: u64 = 100_000_000;
const MAX_TIERS: usize = 50;
const MAX_SKUS: usize = 5_000;
const MAX_IMAGES: usize = 60;

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
        if let Some(detail) = outer.get("result").filter(|v| v.is_object()) {
            return Cleaner::new(SourceApi::QueryProductDetail, fetched_at).query_detail(detail);
        }
        return Err(CleanError::UnknownShape);
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

/// `success:false`, a non-empty `errMsg`, or an `error_code` in an answer.
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
        return Some(CleanError::Business { code, message });
    }
    None
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

    fn warn(&mut self, field: impl Into<String>, problem: impl Into<String>) {
        self.warnings.push(CleanWarning {
            field: field.into(),
            problem: problem.into(),
        });
    }

    fn empty_offer(&self, offer_id: OfferId) -> Offer {
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
            status: None,
            fetched_at: self.fetched_at,
            source: self.source,
            warnings: Vec::new(),
        }
    }

    fn finish(mut self, mut offer: Offer) -> Result<Offer, CleanError> {
        offer.warnings = std::mem::take(&mut self.warnings);
        Ok(offer)
    }

    fn offer_id(&self, value: Option<&Value>) -> Result<OfferId, CleanError> {
        let text = value.and_then(text_of).ok_or(CleanError::MissingOfferId)?;
        OfferId::parse(&text).map_err(|_| CleanError::BadOfferId(text))
    }

    // ---- the three shapes ----

    fn query_detail(mut self, d: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(d.get("offerId"))?);
        offer.title = field_text(d, "subject");
        offer.title_en = field_text(d, "subjectTrans");
        offer.category = category(d, "categoryId", "categoryName");
        offer.images = self.images(at(d, "productImage.images"), "productImage.images");
        let sale = at(d, "productSaleInfo");
        offer.unit = sale
            .and_then(|s| at(s, "unitInfo.unit").or_else(|| s.get("unit")))
            .and_then(text_of);
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
        offer.supplier = self.supplier(d);
        let shipping = at(d, "productShippingInfo");
        offer.shipping = Shipping {
            origin: shipping.and_then(|s| field_text(s, "sendGoodsAddressText")),
            unit_weight_grams: self
                .weight(shipping.and_then(|s| s.get("weight").or_else(|| s.get("unitWeight")))),
        };
        offer.month_sold = self.quantity(d.get("monthSold"), "monthSold");
        offer.status = field_text(d, "status");
        fill_province_from_origin(&mut offer);
        self.finish(offer)
    }

    fn simple_get(mut self, p: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(p.get("productID"))?);
        offer.title = field_text(p, "subject");
        offer.title_en = field_text(p, "subjectTrans");
        offer.category = category(p, "categoryID", "categoryName");
        offer.images = self.images(at(p, "image.images"), "image.images");
        let sale = at(p, "saleInfo");
        offer.unit = sale.and_then(|s| field_text(s, "unit"));
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
        offer.supplier = self.supplier(p);
        let shipping = at(p, "shippingInfo");
        offer.shipping = Shipping {
            origin: shipping.and_then(|s| field_text(s, "sendGoodsAddressText")),
            unit_weight_grams: self.weight(shipping.and_then(|s| s.get("unitWeight"))),
        };
        offer.status = field_text(p, "status");
        fill_province_from_origin(&mut offer);
        self.finish(offer)
    }

    fn search_item(mut self, item: &Value) -> Result<Offer, CleanError> {
        let mut offer = self.empty_offer(self.offer_id(item.get("offerId"))?);
        offer.title = field_text(item, "subject");
        offer.title_en = field_text(item, "subjectTrans");
        offer.images = self.images(item.get("imageUrl"), "imageUrl");
        offer.listed_price = self.price(at(item, "priceInfo.price"), "priceInfo.price");
        offer.consign_price =
            self.price(at(item, "priceInfo.consignPrice"), "priceInfo.consignPrice");
        offer.moq = self.quantity(item.get("minOrderQuantity"), "minOrderQuantity");
        offer.month_sold = self.quantity(item.get("monthSold"), "monthSold");
        let repurchase_rate = self.percent(item.get("repurchaseRate"), "repurchaseRate");
        offer.supplier = self.supplier(item).or_else(|| {
            repurchase_rate.map(|rate| Supplier {
                repurchase_rate: Some(rate),
                ..Supplier::default()
            })
        });
        if let (Some(supplier), Some(rate)) = (offer.supplier.as_mut(), repurchase_rate) {
            supplier.repurchase_rate.get_or_insert(rate);
        }
        self.finish(offer)
    }

    // ---- parts ----

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
                self.warn(field, format!("{other} is not a price"));
                return None;
            }
        };
        match Money::parse_decimal(&text) {
            Ok(price) if !price.is_positive() => {
                self.warn(field, format!("price {price} is not positive"));
                None
            }
            Ok(price) if price > MAX_UNIT_PRICE => {
                self.warn(
                    field,
                    format!("price {price} is beyond any real unit price"),
                );
                None
            }
            Ok(price) => Some(price),
            Err(e) => {
                self.warn(field, e.to_string());
                None
            }
        }
    }

    fn quantity(&mut self, value: Option<&Value>, field: &str) -> Option<u32> {
        let value = value.filter(|v| !is_blank(v))?;
        match whole_number(value) {
            Some(n) if (0..=MAX_QUANTITY as i128).contains(&n) => Some(n as u32),
            Some(n) => {
                self.warn(field, format!("quantity {n} is out of range"));
                None
            }
            None => {
                self.warn(field, format!("{value} is not a whole number"));
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
            self.warn("quoteType", format!("{value} is not 0, 1 or 2"));
        }
        found
    }

    fn percent(&mut self, value: Option<&Value>, field: &str) -> Option<Percent> {
        let value = value.filter(|v| !is_blank(v))?;
        let (text, explicit_percent) = match value {
            Value::Number(n) => (n.to_string(), false),
            Value::String(s) => {
                let s = s.trim();
                match s.strip_suffix('%') {
                    Some(number) => (number.trim().to_owned(), true),
                    None => (s.to_owned(), false),
                }
            }
            _ => (String::new(), false),
        };
        // `0.45` and `45` and `"45%"` all mean 45 %: fractions up to 1 are shares.
        let parsed = Money::parse_decimal(&text).ok().map(|m| m.units());
        let basis_points = parsed.and_then(|units| {
            if !explicit_percent && units <= 10_000 && text.contains('.') {
                Some(units) // a share: 0.45 → 4500 units of 1/10000 → 4500 bp
            } else {
                units.checked_div(100) // a percentage: 45 → 450000 units → 4500 bp
            }
        });
        match basis_points {
            Some(bp) if (0..=10_000).contains(&bp) => Some(Percent {
                basis_points: bp as u32,
            }),
            _ => {
                self.warn(field, format!("{value} is not a percentage"));
                None
            }
        }
    }

    fn weight(&mut self, value: Option<&Value>) -> Option<u32> {
        // Weights come in kilograms; kept as whole grams (not money, so rounding is fine).
        let value = value.filter(|v| !is_blank(v))?;
        let kg = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match kg {
            Some(kg) if kg.is_finite() && kg > 0.0 && kg < 100_000.0 => {
                Some((kg * 1000.0).round() as u32)
            }
            _ => {
                self.warn("unitWeight", format!("{value} is not a weight in kg"));
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
                            "starting quantity 0 read as 1",
                        );
                        1
                    } else {
                        min_qty
                    };
                    tiers.push(Tier { min_qty, price });
                }
                (None, _) if item.get("startQuantity").is_none_or(is_blank) => {
                    self.warn(format!("{at_field}.startQuantity"), "missing: tier dropped");
                }
                (_, None) if item.get("price").is_none_or(is_blank) => {
                    self.warn(format!("{at_field}.price"), "missing: tier dropped");
                }
                _ => {} // the bad part has its own warning already
            }
        }
        if list.len() > MAX_TIERS {
            self.warn(
                field,
                format!("{} tiers; only the first {MAX_TIERS} read", list.len()),
            );
        }
        tiers.sort_by_key(|t| (t.min_qty, t.price));
        let mut kept: Vec<Tier> = Vec::with_capacity(tiers.len());
        for tier in tiers {
            match kept.last() {
                Some(last) if last.min_qty == tier.min_qty && last.price != tier.price => {
                    self.warn(
                        field,
                        format!(
                            "two prices ({} and {}) from {} pieces; the lower is kept",
                            last.price, tier.price, tier.min_qty
                        ),
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
            let Some(sku_id) = item.get("skuId").and_then(text_of) else {
                self.warn(format!("{at_field}.skuId"), "missing: SKU dropped");
                continue;
            };
            if skus.iter().any(|s| s.sku_id == sku_id) {
                self.warn(
                    format!("{at_field}.skuId"),
                    format!("SKU {sku_id} listed twice; first kept"),
                );
                continue;
            }
            let mut specs = item
                .get(attributes_key)
                .and_then(Value::as_array)
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
                spec_id: item.get("specId").and_then(text_of),
                specs,
                price,
                stock,
                available: stock != Some(0),
            });
        }
        if list.len() > MAX_SKUS {
            self.warn(
                field,
                format!("{} SKUs; only the first {MAX_SKUS} read", list.len()),
            );
        }
        skus
    }

    fn images(&mut self, value: Option<&Value>, field: &str) -> Vec<String> {
        let items: Vec<&Value> = match value {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single @ Value::String(_)) => vec![single],
            _ => return Vec::new(),
        };
        let mut images: Vec<String> = Vec::new();
        for item in items.into_iter().take(MAX_IMAGES) {
            let Some(path) = item.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            let url = if path.starts_with("https://") || path.starts_with("http://") {
                path.to_owned()
            } else if let Some(rest) = path.strip_prefix("//") {
                format!("https://{rest}")
            } else if !path.contains(':') {
                format!("{IMAGE_HOST}{}", path.trim_start_matches('/'))
            } else {
                self.warn(field, format!("{path:?} is not an image URL"));
                continue;
            };
            if !images.contains(&url) {
                images.push(url);
            }
        }
        images
    }

    fn supplier(&mut self, d: &Value) -> Option<Supplier> {
        let info = d.get("sellerInfo").unwrap_or(&Value::Null);
        let data = d.get("sellerDataInfo").unwrap_or(&Value::Null);
        fn pick<'v>(keys: &[(&'v Value, &str)]) -> Option<&'v Value> {
            keys.iter()
                .find_map(|(v, k)| v.get(*k).filter(|x| !is_blank(x)))
        }
        let supplier = Supplier {
            name: pick(&[
                (info, "companyName"),
                (d, "companyName"),
                (d, "supplierName"),
            ])
            .and_then(text_of),
            login_id: pick(&[
                (info, "loginId"),
                (d, "supplierLoginId"),
                (d, "sellerLoginId"),
            ])
            .and_then(text_of),
            open_id: pick(&[(info, "openId"), (d, "sellerOpenId")]).and_then(text_of),
            province: pick(&[(info, "province"), (d, "province")]).and_then(text_of),
            city: pick(&[(info, "city"), (d, "city")]).and_then(text_of),
            tp_years: self.quantity(
                pick(&[(info, "tpYear"), (d, "tpYear")]),
                "sellerInfo.tpYear",
            ),
            trust_score_tenths: self.score(pick(&[
                (data, "compositeServiceScore"),
                (info, "trustScore"),
            ])),
            power_merchant: pick(&[(info, "isPm"), (d, "isPm")])
                .and_then(loose_bool)
                .unwrap_or(false),
            super_factory: pick(&[(info, "isSuperFactory"), (d, "isSuperFactory")])
                .and_then(loose_bool)
                .unwrap_or(false),
            manufacturer: pick(&[(info, "isManufacturer"), (d, "isManufacturer")])
                .and_then(loose_bool)
                .unwrap_or(false),
            repurchase_rate: self.percent(
                pick(&[(data, "repeatPurchasePercent"), (info, "repurchaseRate")]),
                "sellerDataInfo.repeatPurchasePercent",
            ),
            order_count: self.quantity(
                pick(&[(data, "orderCount"), (info, "orderCount")]),
                "sellerDataInfo.orderCount",
            ),
            response_rate: self.percent(
                pick(&[(data, "responseRate"), (info, "responseRate")]),
                "sellerDataInfo.responseRate",
            ),
        };
        (supplier != Supplier::default()).then_some(supplier)
    }

    fn score(&mut self, value: Option<&Value>) -> Option<u32> {
        let value = value?;
        let parsed = match value {
            Value::Number(n) => Money::parse_decimal(&n.to_string()).ok(),
            Value::String(s) => Money::parse_decimal(s).ok(),
            _ => None,
        };
        match parsed.map(|m| m.units()) {
            // Scores run 0–5 with one decimal; kept in tenths.
            Some(units) if (0..=50_000).contains(&units) => Some((units / 1_000) as u32),
            _ => {
                self.warn(
                    "sellerDataInfo.compositeServiceScore",
                    format!("{value} is not a 0–5 score"),
                );
                None
            }
        }
    }

    fn list<'v>(&mut self, value: Option<&'v Value>, field: &str) -> Option<&'v Vec<Value>> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => Some(list),
            Some(other) => {
                self.warn(field, format!("expected a list, found {}", kind_of(other)));
                None
            }
        }
    }
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
            Some(Spec { name, value })
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
                name: name.to_owned(),
                value: value.to_owned(),
            })
        })
        .collect()
}

/// The province a supplier ships from, when only the origin text names it ("浙江省 金华市").
fn fill_province_from_origin(offer: &mut Offer) {
    let Some(origin) = offer.shipping.origin.clone() else {
        return;
    };
    let mut parts = origin.split_whitespace();
    let (Some(province), city) = (parts.next(), parts.next()) else {
        return;
    };
    let supplier = offer.supplier.get_or_insert_with(Supplier::default);
    if supplier.province.is_none() {
        supplier.province = Some(province.to_owned());
        if supplier.city.is_none() {
            supplier.city = city.map(str::to_owned);
        }
    }
}

fn category(v: &Value, id_key: &str, name_key: &str) -> Option<Category> {
    let category = Category {
        id: v.get(id_key).and_then(text_of),
        name: v.get(name_key).and_then(text_of),
    };
    (category.id.is_some() || category.name.is_some()).then_some(category)
}

/// A dotted path into nested objects.
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, key| v.get(key))
}

fn field_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(text_of)
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
        Value::String(s) => s.trim().parse::<i128>().ok(),
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

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
