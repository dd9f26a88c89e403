//! The business APIs over the generated catalog, priced for the double's current day.

use serde_json::{json, Value};

use crate::catalog::{
    detail_answer, drift_percent, search_item, simple_get_answer, Catalog, CatalogOffer,
};
use crate::GatewayConfig;

const DAY_MS: i64 = 86_400_000;
const MAX_PAGE_SIZE: u64 = 50;

struct Entry {
    title: String,
    title_en: String,
    lowest_fen: u64,
}

pub struct Shelf {
    catalog: Catalog,
    entries: Vec<Entry>,
    seed: u64,
    drift: u32,
}

/// A business failure: HTTP 200 with `success:false`, as the newer APIs answer.
fn business_error(code: &str, message: &str) -> Value {
    json!({"result": {"success": false, "code": code, "message": message}})
}

fn number_param(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Shelf {
    pub fn new(config: &GatewayConfig) -> Shelf {
        let catalog = Catalog::new(config.seed, config.offers);
        let entries = (0..catalog.len())
            .map(|i| {
                let offer = catalog.offer(i);
                Entry {
                    title: offer.title.to_lowercase(),
                    title_en: offer.title_en.to_lowercase(),
                    lowest_fen: offer.lowest_fen().unwrap_or(0),
                }
            })
            .collect();
        Shelf {
            catalog,
            entries,
            seed: config.seed,
            drift: config.daily_drift_percent,
        }
    }

    fn percent_on(&self, index: u64, now_ms: i64) -> i64 {
        drift_percent(self.seed, index, now_ms.div_euclid(DAY_MS), self.drift)
    }

    fn offer_now(&self, index: u64, now_ms: i64) -> CatalogOffer {
        self.catalog
            .offer(index)
            .drifted(self.percent_on(index, now_ms))
    }

    /// `product.search.keywordQuery`: `offerQueryParam` holds the search as JSON.
    pub fn keyword_query(&self, param: Option<&str>, now_ms: i64) -> Value {
        let Some(param) = param.and_then(|p| serde_json::from_str::<Value>(p).ok()) else {
            return business_error("400", "offerQueryParam is missing or not JSON");
        };
        let Some(keyword) = param
            .get("keyword")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|k| !k.is_empty())
        else {
            return business_error("400", "keyword is required");
        };
        let page = number_param(param.get("beginPage")).unwrap_or(1.0).max(1.0) as u64;
        let page_size =
            (number_param(param.get("pageSize")).unwrap_or(20.0) as u64).clamp(1, MAX_PAGE_SIZE);
        let fen = |yuan: f64| (yuan * 100.0).round() as u64;
        let price_start = number_param(param.get("priceStart")).map(fen);
        let price_end = number_param(param.get("priceEnd")).map(fen);
        let words: Vec<String> = keyword.split_whitespace().map(str::to_lowercase).collect();
        let matches: Vec<u64> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                words
                    .iter()
                    .all(|w| e.title.contains(w.as_str()) || e.title_en.contains(w.as_str()))
            })
            .map(|(i, e)| (i as u64, e))
            .filter(|(i, e)| {
                let now = (e.lowest_fen as i64 * (100 + self.percent_on(*i, now_ms)) + 50) / 100;
                price_start.is_none_or(|low| now >= low as i64)
                    && price_end.is_none_or(|high| now <= high as i64)
            })
            .map(|(i, _)| i)
            .collect();
        let total = matches.len() as u64;
        let data: Vec<Value> = matches
            .iter()
            .skip(((page - 1) * page_size) as usize)
            .take(page_size as usize)
            .map(|&i| search_item(&self.offer_now(i, now_ms)))
            .collect();
        json!({"result": {"success": true, "code": "200", "message": "", "result": {
            "totalRecords": total,
            "totalPage": total.div_ceil(page_size),
            "pageSize": page_size,
            "currentPage": page,
            "data": data,
        }}})
    }

    /// `product.search.queryProductDetail`: `offerDetailParam` holds `{offerId, country}`.
    pub fn query_product_detail(&self, param: Option<&str>, now_ms: i64) -> Value {
        let offer_id = param
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .and_then(|p| {
                p.get("offerId")
                    .map(|id| id.to_string().trim_matches('"').to_owned())
            });
        let Some(offer_id) = offer_id else {
            return business_error("400", "offerDetailParam.offerId is required");
        };
        match self.catalog.index_of(&offer_id) {
            Some(index) => detail_answer(&self.offer_now(index, now_ms)),
            None => business_error("500_004", &format!("商品[{offer_id}]不存在")),
        }
    }

    /// `alibaba.product.simple.get`: `productID` and `webSite=1688`.
    pub fn simple_get(&self, product_id: Option<&str>, now_ms: i64) -> Value {
        let product_id = product_id.unwrap_or("").trim();
        match self.catalog.index_of(product_id) {
            Some(index) => simple_get_answer(&self.offer_now(index, now_ms)),
            None => {
                json!({"productInfo": null, "bizGroupInfos": [], "errMsg": format!("商品[{product_id}]不存在")})
            }
        }
    }
}
