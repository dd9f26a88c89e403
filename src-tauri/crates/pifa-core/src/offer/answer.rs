//! The answers the cleaner reads, as typed views deserialized in one pass from the JSON text
//! (or from a parsed `Value`), borrowing its strings: only the keys the cleaner reads are kept,
//! everything else is skipped without being built.
//!
//! The views are as forgiving as the parser contract (`shared/docs/1688-answers.md` §1): every
//! field may be absent, `null` or of another type than expected, and none of that fails the
//! deserialization. A scalar keeps what it was ([`Scalar`]), so the cleaner decides and warns
//! exactly as it would on a `Value`; an object where a scalar was expected is kept whole for
//! the warning that quotes it. A key given twice counts once, the last time, as in a `Value`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A value where the cleaner expects a string, number or boolean.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Text(Cow<'a, str>),
    /// An object or array.
    Other(Box<Value>),
}

impl fmt::Display for Scalar<'_> {
    /// As JSON, the way `Value` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Number(n) => write!(f, "{n}"),
            Scalar::Text(s) => write!(f, "{}", Value::String(s.to_string())),
            Scalar::Other(v) => write!(f, "{v}"),
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Scalar<'de>, E> {
        Ok(Number::from_f64(n).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Owned(s)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        Scalar::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(|v| Scalar::Other(Box::new(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar<'de>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(|v| Scalar::Other(Box::new(v)))
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An object's key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The fields of an object shape, taken one key at a time.
pub(super) trait Fields<'de>: Default {
    /// Takes `key`'s value from `map` when it is one of this shape's; `false` when it is not.
    fn take<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
}

/// A value where an object of shape `T` is expected. The large shapes are read as
/// `Obj<Box<T>>`: a value moves several times on its way up from the parser, and allocating a
/// small one costs more than copying it.
#[derive(Debug)]
pub(super) enum Obj<T> {
    Object(T),
    Null,
    /// Anything else: read as an object with none of its keys.
    Other,
}

impl<T> Obj<T> {
    pub fn object(&self) -> Option<&T> {
        match self {
            Obj::Object(t) => Some(t),
            _ => None,
        }
    }
}

/// The object of an optional field, if it is one.
pub(super) fn object<T>(field: &Option<Obj<T>>) -> Option<&T> {
    field.as_ref().and_then(Obj::object)
}

impl<'de, T: Fields<'de>> Fields<'de> for Box<T> {
    fn take<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        (**self).take(key, map)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Fields<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Obj<T>, A::Error> {
        let mut fields = T::default();
        while let Some(Key(key)) = map.next_key()? {
            if !fields.take(&key, &mut map)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Obj::Object(fields))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Obj<T>, E> {
        Ok(Obj::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Obj<T>, E> {
        Ok(Obj::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Obj<T>, E> {
        Ok(Obj::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Obj<T>, E> {
        Ok(Obj::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Obj<T>, E> {
        Ok(Obj::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Obj<T>, E> {
        Ok(Obj::Other)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
        Ok(Obj::Other)
    }
}

impl<'de, T: Fields<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// A value where a list is expected.
#[derive(Debug)]
pub(super) enum List<'a, T> {
    Items(Vec<T>),
    /// Anything else, kept for the warning that quotes it (`null` says nothing).
    Not(Scalar<'a>),
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<'de, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<'de, T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(8).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List::Items(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<'de, T>, A::Error> {
        ScalarVisitor.visit_map(map).map(List::Not)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_bool(b).map(List::Not)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_i64(n).map(List::Not)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_u64(n).map(List::Not)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_f64(n).map(List::Not)
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_borrowed_str(s).map(List::Not)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<List<'de, T>, E> {
        ScalarVisitor.visit_str(s).map(List::Not)
    }
    fn visit_unit<E: de::Error>(self) -> Result<List<'de, T>, E> {
        Ok(List::Not(Scalar::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<List<'de, T>, E> {
        Ok(List::Not(Scalar::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<List<'de, T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<'de, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// Where pictures are expected: one address, or a list of them. Items that are no text are
/// kept as `None`, so the list keeps its length.
#[derive(Debug, Default)]
pub(super) struct Pictures<'a>(pub Vec<Option<Cow<'a, str>>>);

impl<'de> Deserialize<'de> for Pictures<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = |s: Scalar<'de>| match s {
            Scalar::Text(s) => Some(s),
            _ => None,
        };
        Ok(
            match d.deserialize_any(ListVisitor::<Scalar<'de>>(PhantomData))? {
                List::Items(items) => Pictures(items.into_iter().map(text).collect()),
                List::Not(Scalar::Text(single)) => Pictures(vec![Some(single)]),
                List::Not(_) => Pictures::default(),
            },
        )
    }
}

/// Declares an object shape: a struct of optional fields, one per key read, and how to take
/// them from a map.
macro_rules! shape {
    ($(#[$meta:meta])* $name:ident<$a:lifetime> { $($field:ident: $ty:ty = $key:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        pub(super) struct $name<$a> {
            $(pub $field: Option<$ty>,)*
            _answer: PhantomData<&$a ()>,
        }

        impl<$a> Fields<$a> for $name<$a> {
            fn take<A: MapAccess<$a>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = Some(map.next_value()?),)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

shape!(
    /// A whole answer: a simple.get or queryProductDetail envelope, a business failure, or a
    /// single search item (whose keys are taken by `item`).
    Top<'a> {
        product_info: Obj<Box<ProductInfo<'a>>> = "productInfo",
        result: Obj<Box<Outer<'a>>> = "result",
        success: Scalar<'a> = "success",
        err_msg: Scalar<'a> = "errMsg",
        error_code: Scalar<'a> = "error_code",
        error_message: Scalar<'a> = "error_message",
        message: Scalar<'a> = "message",
        code: Scalar<'a> = "code",
    }
);

/// [`Top`] with the keys of a search item as well.
#[derive(Debug, Default)]
pub(super) struct Answer<'a> {
    pub top: Top<'a>,
    pub item: SearchItem<'a>,
}

impl<'de> Fields<'de> for Answer<'de> {
    fn take<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        Ok(self.top.take(key, map)? || self.item.take(key, map)?)
    }
}

shape!(
    /// queryProductDetail's `result`, or a business failure.
    Outer<'a> {
        result: Obj<Box<Detail<'a>>> = "result",
        success: Scalar<'a> = "success",
        err_msg: Scalar<'a> = "errMsg",
        error_code: Scalar<'a> = "error_code",
        error_message: Scalar<'a> = "error_message",
        message: Scalar<'a> = "message",
        code: Scalar<'a> = "code",
    }
);

shape!(
    /// queryProductDetail's offer (`result.result`).
    Detail<'a> {
        offer_id: Scalar<'a> = "offerId",
        subject: Scalar<'a> = "subject",
        subject_trans: Scalar<'a> = "subjectTrans",
        category_id: Scalar<'a> = "categoryId",
        category_name: Scalar<'a> = "categoryName",
        product_image: Obj<ProductImage<'a>> = "productImage",
        sale: Obj<DetailSale<'a>> = "productSaleInfo",
        min_order_quantity: Scalar<'a> = "minOrderQuantity",
        batch_number: Scalar<'a> = "batchNumber",
        skus: List<'a, Obj<SkuItem<'a>>> = "productSkuInfos",
        company_name: Scalar<'a> = "companyName",
        seller_open_id: Scalar<'a> = "sellerOpenId",
        offer_identities: List<'a, Scalar<'a>> = "offerIdentities",
        seller_data: Obj<SellerData<'a>> = "sellerDataInfo",
        shipping: Obj<DetailShipping<'a>> = "productShippingInfo",
        month_sold: Scalar<'a> = "monthSold",
        sold_out: Scalar<'a> = "soldOut",
        trade_score: Scalar<'a> = "tradeScore",
        mix_setting: Obj<MixSetting<'a>> = "sellerMixSetting",
        tags: List<'a, Obj<Tag<'a>>> = "tagInfoList",
        is_one_psale: Scalar<'a> = "isOnePsale",
        one_psale: Scalar<'a> = "onePsale",
        status: Scalar<'a> = "status",
        create_date: Scalar<'a> = "createDate",
    }
);

shape!(ProductImage<'a> {
    images: Pictures<'a> = "images",
    white_image: Pictures<'a> = "whiteImage",
});

shape!(DetailSale<'a> {
    unit_info: Obj<UnitInfo<'a>> = "unitInfo",
    unit: Scalar<'a> = "unit",
    batch_number: Scalar<'a> = "batchNumber",
    quote_type: Scalar<'a> = "quoteType",
    price_ranges: List<'a, Obj<TierItem<'a>>> = "priceRangeList",
    retail_price: Scalar<'a> = "retailPrice",
    consign_price: Scalar<'a> = "consignPrice",
});

shape!(UnitInfo<'a> {
    unit: Scalar<'a> = "unit",
});

shape!(TierItem<'a> {
    start_quantity: Scalar<'a> = "startQuantity",
    price: Scalar<'a> = "price",
});

shape!(
    /// One SKU of either detail shape.
    SkuItem<'a> {
        sku_id: Scalar<'a> = "skuId",
        sku_attributes: List<'a, Obj<Attribute<'a>>> = "skuAttributes",
        attributes: List<'a, Obj<Attribute<'a>>> = "attributes",
        spec_attrs: Scalar<'a> = "specAttrs",
        spec_attributes: Scalar<'a> = "specAttributes",
        cargo_number_spec: Scalar<'a> = "cargoNumberSpec",
        price: Scalar<'a> = "price",
        discount_price: Scalar<'a> = "discountPrice",
        amount_on_sale: Scalar<'a> = "amountOnSale",
        can_book_count: Scalar<'a> = "canBookCount",
        spec_id: Scalar<'a> = "specId",
    }
);

shape!(Attribute<'a> {
    attribute_name: Scalar<'a> = "attributeName",
    attribute_display_name: Scalar<'a> = "attributeDisplayName",
    name: Scalar<'a> = "name",
    value: Scalar<'a> = "value",
    attribute_value: Scalar<'a> = "attributeValue",
    sku_image_url: Pictures<'a> = "skuImageUrl",
});

shape!(
    /// `sellerDataInfo`, in its detail or search item variant.
    SellerData<'a> {
        composite: Scalar<'a> = "compositeServiceScore",
        logistics: Scalar<'a> = "logisticsExperienceScore",
        dispute: Scalar<'a> = "disputeComplaintScore",
        offer: Scalar<'a> = "offerExperienceScore",
        after_sales: Scalar<'a> = "afterSalesExperienceScore",
        consulting: Scalar<'a> = "consultingExperienceScore",
        trade_medal_level: Scalar<'a> = "tradeMedalLevel",
        repeat_purchase: Scalar<'a> = "repeatPurchasePercent",
        pickup_48h: Scalar<'a> = "collect30DayWithin48HPercent",
        quality_refund: Scalar<'a> = "qualityRefundWithin30Day",
        tp_year: Scalar<'a> = "tpYear",
    }
);

shape!(DetailShipping<'a> {
    length: Scalar<'a> = "length",
    width: Scalar<'a> = "width",
    height: Scalar<'a> = "height",
    send_from: Scalar<'a> = "sendGoodsAddressText",
    weight: Scalar<'a> = "weight",
    unit_weight: Scalar<'a> = "unitWeight",
    time_guarantee: Scalar<'a> = "shippingTimeGuarantee",
    sku_infos: List<'a, Obj<SkuShipping<'a>>> = "skuShippingInfoList",
    sku_details: List<'a, Obj<SkuShipping<'a>>> = "skuShippingDetails",
});

shape!(
    /// One SKU's weight and size, in either list of `productShippingInfo`.
    SkuShipping<'a> {
        sku_id: Scalar<'a> = "skuId",
        length: Scalar<'a> = "length",
        width: Scalar<'a> = "width",
        height: Scalar<'a> = "height",
        weight: Scalar<'a> = "weight",
    }
);

shape!(MixSetting<'a> {
    general_hunpi: Scalar<'a> = "generalHunpi",
    is_general_hunpi: Scalar<'a> = "isGeneralHunpi",
    mix_amount: Scalar<'a> = "mixAmount",
    mix_number: Scalar<'a> = "mixNumber",
});

shape!(Tag<'a> {
    key: Scalar<'a> = "key",
    value: Scalar<'a> = "value",
});

shape!(
    /// simple.get's offer (`productInfo`).
    ProductInfo<'a> {
        product_id: Scalar<'a> = "productID",
        subject: Scalar<'a> = "subject",
        subject_trans: Scalar<'a> = "subjectTrans",
        category_id: Scalar<'a> = "categoryID",
        category_name: Scalar<'a> = "categoryName",
        image: Obj<SimpleImage<'a>> = "image",
        sale: Obj<SimpleSale<'a>> = "saleInfo",
        skus: List<'a, Obj<SkuItem<'a>>> = "skuInfos",
        shipping: Obj<SimpleShipping<'a>> = "shippingInfo",
        status: Scalar<'a> = "status",
        supplier_login_id: Scalar<'a> = "supplierLoginId",
        seller_login_id: Scalar<'a> = "sellerLoginId",
        company_name: Scalar<'a> = "companyName",
    }
);

shape!(SimpleImage<'a> {
    images: Pictures<'a> = "images",
});

shape!(SimpleSale<'a> {
    unit: Scalar<'a> = "unit",
    min_order_quantity: Scalar<'a> = "minOrderQuantity",
    batch_number: Scalar<'a> = "batchNumber",
    quote_type: Scalar<'a> = "quoteType",
    price_ranges: List<'a, Obj<TierItem<'a>>> = "priceRanges",
    retailprice: Scalar<'a> = "retailprice",
    retail_price: Scalar<'a> = "retailPrice",
    consign_price: Scalar<'a> = "consignPrice",
});

shape!(SimpleShipping<'a> {
    send_from: Scalar<'a> = "sendGoodsAddressText",
    unit_weight: Scalar<'a> = "unitWeight",
});

shape!(
    /// One keywordQuery item (`result.result.data[i]`).
    SearchItem<'a> {
        offer_id: Scalar<'a> = "offerId",
        subject: Scalar<'a> = "subject",
        subject_trans: Scalar<'a> = "subjectTrans",
        third_category_id: Scalar<'a> = "thirdCategoryId",
        second_category_id: Scalar<'a> = "secondCategoryId",
        top_category_id: Scalar<'a> = "topCategoryId",
        image_url: Pictures<'a> = "imageUrl",
        white_image: Pictures<'a> = "whiteImage",
        price_info: Obj<PriceInfo<'a>> = "priceInfo",
        min_order_quantity: Scalar<'a> = "minOrderQuantity",
        month_sold: Scalar<'a> = "monthSold",
        repurchase_rate: Scalar<'a> = "repurchaseRate",
        trade_score: Scalar<'a> = "tradeScore",
        is_one_psale: Scalar<'a> = "isOnePsale",
        one_psale: Scalar<'a> = "onePsale",
        create_date: Scalar<'a> = "createDate",
        company_name: Scalar<'a> = "companyName",
        seller_identities: List<'a, Scalar<'a>> = "sellerIdentities",
        seller_data: Obj<SellerData<'a>> = "sellerDataInfo",
        company_address: Scalar<'a> = "companyAddress",
        shipping: Obj<SearchShipping<'a>> = "productSimpleShippingInfo",
    }
);

shape!(PriceInfo<'a> {
    price: Scalar<'a> = "price",
    consign_price: Scalar<'a> = "consignPrice",
});

shape!(SearchShipping<'a> {
    perfect_fulfilment: Scalar<'a> = "perfectFulfillmentRate30d",
    pickup_24h: Scalar<'a> = "pickupWithin24hRate30d",
    quality_return: Scalar<'a> = "qualityReturnRate30d",
    delayed_shipping: Scalar<'a> = "delayedShippingRate7d",
    time_guarantee: Scalar<'a> = "shippingTimeGuarantee",
});

/// Reads an answer's text as the cleaner needs it; `None` when it is not JSON.
pub(super) fn answer_from_text(text: &str) -> Option<Obj<Box<Answer<'_>>>> {
    serde_json::from_str(text).ok()
}

/// Reads a parsed answer as the cleaner needs it; reading a `Value` cannot fail.
pub(super) fn answer_from_value(value: &Value) -> Obj<Box<Answer<'_>>> {
    Obj::deserialize(value).unwrap_or(Obj::Other)
}

/// Reads a parsed search item as the cleaner needs it.
pub(super) fn item_from_value(value: &Value) -> Obj<Box<SearchItem<'_>>> {
    Obj::deserialize(value).unwrap_or(Obj::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_any_type_are_kept_as_they_were_and_the_last_of_twins_counts() {
        let text = r#"{"offerId": 624516873409, "subject": "保\u6e29杯", "priceInfo": "cheap",
            "imageUrl": ["a.jpg", 3, "b.jpg"], "sellerIdentities": {"x": [1, 2]},
            "monthSold": null, "companyName": "first", "companyName": "second", "extra": [{}]}"#;
        let Some(Obj::Object(answer)) = answer_from_text(text) else {
            panic!("an object")
        };
        let item = &answer.item;
        assert_eq!(item.offer_id, Some(Scalar::Number(624516873409u64.into())));
        assert_eq!(item.subject, Some(Scalar::Text("保温杯".into())));
        assert!(matches!(item.price_info, Some(Obj::Other)));
        let pictures: Vec<Option<&str>> = item
            .image_url
            .as_ref()
            .unwrap()
            .0
            .iter()
            .map(|p| p.as_deref())
            .collect();
        assert_eq!(pictures, [Some("a.jpg"), None, Some("b.jpg")]);
        match &item.seller_identities {
            Some(List::Not(other)) => assert_eq!(other.to_string(), r#"{"x":[1,2]}"#),
            other => panic!("{other:?}"),
        }
        assert_eq!(item.month_sold, Some(Scalar::Null));
        assert_eq!(item.company_name, Some(Scalar::Text("second".into())));
        assert!(answer.top.product_info.is_none());
        assert!(answer_from_text("{not json").is_none());
    }
}
