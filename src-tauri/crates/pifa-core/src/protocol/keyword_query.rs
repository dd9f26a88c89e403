//! What a keyword search asks 1688 for, and how it travels: keywordQuery's `offerQueryParam`, a
//! JSON object serialized into one form field (`1688-answers.md` §2.1). Price bounds go as yuan
//! strings, `filter` as comma-separated codes, `sort` as a JSON object serialized again.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::Money;

/// 1688's largest documented page is 50 (third parties report 20 or 50).
pub const MAX_SEARCH_PAGE_SIZE: u32 = 50;
/// Keywords longer than this are refused before they reach 1688.
pub const MAX_KEYWORD_CHARS: usize = 100;

/// 1688's own search filters (the `filter` codes of the solution page), the ones a buyer
/// recognises. 1688 ignores codes it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SearchFilter {
    /// 当日发货.
    ShipInToday,
    /// 24小时发货.
    ShipIn24Hours,
    /// 48小时发货.
    ShipIn48Hours,
    /// 源头工厂 / 超级工厂.
    CertifiedFactory,
    /// 一件代发.
    OnePiece,
    /// 一件代发包邮.
    OnePieceFreePost,
    /// 7天无理由退货.
    NoReasonReturn7d,
    /// Listed in the last 7 days.
    New7,
    /// Listed in the last 30 days.
    New30,
    /// 精选货源.
    Jxhy,
    /// 48小时揽收率 in 1688's top band.
    Pickup48hTop,
    /// No quality refunds (品质退款率 0).
    NoQualityRefunds,
}

impl SearchFilter {
    pub const ALL: [SearchFilter; 12] = [
        SearchFilter::ShipInToday,
        SearchFilter::ShipIn24Hours,
        SearchFilter::ShipIn48Hours,
        SearchFilter::CertifiedFactory,
        SearchFilter::OnePiece,
        SearchFilter::OnePieceFreePost,
        SearchFilter::NoReasonReturn7d,
        SearchFilter::New7,
        SearchFilter::New30,
        SearchFilter::Jxhy,
        SearchFilter::Pickup48hTop,
        SearchFilter::NoQualityRefunds,
    ];

    /// The code 1688 takes.
    pub fn code(self) -> &'static str {
        match self {
            SearchFilter::ShipInToday => "shipInToday",
            SearchFilter::ShipIn24Hours => "shipIn24Hours",
            SearchFilter::ShipIn48Hours => "shipIn48Hours",
            SearchFilter::CertifiedFactory => "certifiedFactory",
            SearchFilter::OnePiece => "isOnePsale",
            SearchFilter::OnePieceFreePost => "isOnePsaleFreePost",
            SearchFilter::NoReasonReturn7d => "noReason7DReturn",
            SearchFilter::New7 => "new7",
            SearchFilter::New30 => "new30",
            SearchFilter::Jxhy => "jxhy",
            SearchFilter::Pickup48hTop => "getRate48HLv1",
            SearchFilter::NoQualityRefunds => "qrr0",
        }
    }

    /// The filter for a code, as typed on the command line.
    pub fn from_code(code: &str) -> Option<SearchFilter> {
        SearchFilter::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// What 1688 sorts a page by. 1688 sorts only within the page it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SearchSort {
    PriceAsc,
    PriceDesc,
    /// Repeat-purchase rate, highest first.
    RepurchaseDesc,
    /// 30-day sales, highest first.
    SoldDesc,
}

impl SearchSort {
    /// The `sort` value: a JSON object as a string, keys as three sources spell them.
    fn param(self) -> String {
        let (key, direction) = match self {
            SearchSort::PriceAsc => ("price", "asc"),
            SearchSort::PriceDesc => ("price", "desc"),
            SearchSort::RepurchaseDesc => ("rePurchaseRate", "desc"),
            SearchSort::SoldDesc => ("monthSold", "desc"),
        };
        json!({ key: direction }).to_string()
    }
}

/// One page of a 1688 keyword search with 1688's own filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct KeywordSearch {
    pub keyword: String,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    /// Wholesale price bounds in yuan, as 1688 compares them (its listed price).
    pub price_min: Option<Money>,
    pub price_max: Option<Money>,
    /// A 1688 category ID.
    #[ts(type = "number | null")]
    pub category_id: Option<u64>,
    pub filters: Vec<SearchFilter>,
    pub sort: Option<SearchSort>,
}

impl Default for KeywordSearch {
    fn default() -> KeywordSearch {
        KeywordSearch {
            keyword: String::new(),
            page: 1,
            page_size: 20,
            price_min: None,
            price_max: None,
            category_id: None,
            filters: Vec::new(),
            sort: None,
        }
    }
}

impl KeywordSearch {
    pub fn new(keyword: impl Into<String>) -> KeywordSearch {
        KeywordSearch {
            keyword: keyword.into(),
            ..KeywordSearch::default()
        }
    }

    /// The same search in one canonical form: keyword trimmed, page and size in range, filters
    /// sorted and once each, so equal searches share a cache entry.
    pub fn normalized(&self) -> KeywordSearch {
        let mut filters = self.filters.clone();
        filters.sort();
        filters.dedup();
        KeywordSearch {
            keyword: self.keyword.trim().to_owned(),
            page: self.page.max(1),
            page_size: self.page_size.clamp(1, MAX_SEARCH_PAGE_SIZE),
            filters,
            ..self.clone()
        }
    }

    /// `offerQueryParam`: what keywordQuery receives.
    pub fn offer_query_param(&self) -> String {
        let search = self.normalized();
        let mut param = Map::new();
        param.insert("keyword".into(), json!(search.keyword));
        param.insert("beginPage".into(), json!(search.page));
        param.insert("pageSize".into(), json!(search.page_size));
        // `country` is the language titles are translated into; Chinese stays in `subject`.
        param.insert("country".into(), json!("en"));
        if let Some(min) = search.price_min {
            param.insert("priceStart".into(), json!(min.to_string()));
        }
        if let Some(max) = search.price_max {
            param.insert("priceEnd".into(), json!(max.to_string()));
        }
        if let Some(category) = search.category_id {
            param.insert("categoryId".into(), json!(category));
        }
        if !search.filters.is_empty() {
            let codes: Vec<&str> = search.filters.iter().map(|f| f.code()).collect();
            param.insert("filter".into(), json!(codes.join(",")));
        }
        if let Some(sort) = search.sort {
            param.insert("sort".into(), json!(sort.param()));
        }
        Value::Object(param).to_string()
    }

    /// The cache key of this page.
    pub fn cache_key(&self) -> String {
        let search = self.normalized();
        let filters: Vec<&str> = search.filters.iter().map(|f| f.code()).collect();
        format!(
            "search:{}:{}:{}:{}:{}:{}:{}:{}",
            search.page_size,
            search.page,
            search.price_min.map(|m| m.to_string()).unwrap_or_default(),
            search.price_max.map(|m| m.to_string()).unwrap_or_default(),
            search
                .category_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            filters.join(","),
            search.sort.map(SearchSort::param).unwrap_or_default(),
            search.keyword,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_param_carries_1688s_own_names_and_types() {
        let search = KeywordSearch {
            keyword: " 保温杯 ".into(),
            page: 0,
            page_size: 500,
            price_min: Some(Money::parse_decimal("1").unwrap()),
            price_max: Some(Money::parse_decimal("10.5").unwrap()),
            category_id: Some(1042954),
            filters: vec![SearchFilter::ShipIn48Hours, SearchFilter::CertifiedFactory],
            sort: Some(SearchSort::PriceAsc),
        };
        let param: Value = serde_json::from_str(&search.offer_query_param()).unwrap();
        assert_eq!(param["keyword"], "保温杯");
        assert_eq!(param["beginPage"], 1);
        assert_eq!(param["pageSize"], 50);
        assert_eq!(param["priceStart"], "1.00");
        assert_eq!(param["priceEnd"], "10.50");
        assert_eq!(param["categoryId"], 1042954);
        assert_eq!(param["filter"], "shipIn48Hours,certifiedFactory");
        // A JSON object serialized inside the JSON, as the doc's example shows.
        assert_eq!(param["sort"], "{\"price\":\"asc\"}");
    }

    #[test]
    fn equal_searches_share_a_cache_key() {
        let a = KeywordSearch {
            filters: vec![SearchFilter::New7, SearchFilter::OnePiece],
            ..KeywordSearch::new("杯")
        };
        let b = KeywordSearch {
            filters: vec![
                SearchFilter::OnePiece,
                SearchFilter::New7,
                SearchFilter::New7,
            ],
            ..KeywordSearch::new(" 杯")
        };
        assert_eq!(a.cache_key(), b.cache_key());
        assert_ne!(a.cache_key(), KeywordSearch::new("杯").cache_key());
    }
}
