//! The business APIs over the generated catalog, priced for the double's current day.
//!
//! keywordQuery takes 1688's own search parameters (`shared/docs/1688-answers.md` §2.1): price
//! bounds in yuan strings against the listed price, `categoryId` / `categoryIdList` at any level
//! of [`crate::catalog::categories`], `filter` codes and a `sort` that, like 1688's, orders only
//! the page it is given. `totalRecords` stops at 2000, as 1688's does. Delisted offers are not
//! found by search; their details still answer, with their status.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use crate::catalog::{
    detail_answer_in, drift_fen, drift_percent, search_item_in, simple_get_answer,
    success_envelope, Catalog, CatalogOffer, ItemStyle, Reading, Rng,
};
use crate::clock::DAY_MS;
use crate::GatewayConfig;

const MAX_PAGE_SIZE: u64 = 50;
/// keywordQuery never counts further (§2.2).
const MAX_RECORDS: usize = 2_000;
/// The `country` values that translate (§2.1); anything else answers untranslated (§1.12).
const LANGUAGES: &[&str] = &[
    "en", "ja", "ko", "ru", "vi", "es", "fr", "pt", "th", "id", "ar",
];

/// What search filters and sorts on, per offer, kept small: the catalog regenerates the rest.
struct Entry {
    title: String,
    title_en: String,
    published: bool,
    lowest_fen: u64,
    categories: [u64; 3],
    ship_within_hours: Option<u32>,
    ships_today: bool,
    super_factory: bool,
    one_psale: bool,
    one_piece_free_postage: bool,
    jxhy: bool,
    select: bool,
    no_reason_return_7d: bool,
    created_day: i64,
    quality_return_30d: u64,
    pickup_24h_30d: u64,
    pickup_48h_bp: u64,
    composite_tenths: u64,
    repurchase_percent: u64,
    month_sold: u64,
}

impl Entry {
    fn of(offer: &CatalogOffer) -> Entry {
        Entry {
            title: offer.title.to_lowercase(),
            title_en: offer.title_en.to_lowercase(),
            published: offer.is_published(),
            lowest_fen: offer.lowest_fen().unwrap_or(0),
            categories: [
                offer.top_category_id,
                offer.second_category_id,
                offer.category_id,
            ],
            ship_within_hours: offer.ship_within_hours,
            ships_today: offer.ships_today,
            super_factory: offer.supplier.super_factory,
            one_psale: offer.one_psale,
            one_piece_free_postage: offer.one_piece_free_postage,
            jxhy: offer.jxhy,
            select: offer.select,
            no_reason_return_7d: offer.no_reason_return_7d,
            created_day: offer.created_day,
            quality_return_30d: offer.shipping.quality_return_30d,
            pickup_24h_30d: offer.shipping.pickup_24h_30d,
            pickup_48h_bp: offer.supplier.pickup_48h_bp,
            composite_tenths: offer.supplier.scores[0],
            repurchase_percent: offer.repurchase_percent,
            month_sold: offer.month_sold,
        }
    }
}

/// A keywordQuery `filter` code the double understands; 1688 ignores codes it does not know,
/// and so does the double. The thresholds are the double's reading of the codes' names: 1688
/// publishes no definition (§2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// `shipInToday`: same-day dispatch.
    ShipToday,
    /// `shipIn24Hours`, `shipIn48Hours` (a 24-hour promise also ships within 48).
    ShipWithin(u32),
    /// `certifiedFactory`: 超级工厂 (`super_factory`) suppliers.
    CertifiedFactory,
    /// `isOnePsale`: dropship from one piece.
    OnePsale,
    /// `isOnePsaleFreePost` (or Dajisaas's `isOnePsaleFreePostage`): the same, shipping free.
    OnePsaleFreePost,
    /// `new7`, `new30`: listed in the last so many days.
    NewWithin(i64),
    /// `noReason7DReturn`: 7-day no-reason returns.
    NoReasonReturn,
    /// `qrr0`, `qrr1`, `qrr5`, `qrr10`: 30-day quality-return rate at most 0, 1, 5, 10 %.
    QualityReturnAtMost(u64),
    /// `getRate24HLv1..3`: 30-day 24-hour pickup rate at least 90, 95, 98 %.
    Pickup24hAtLeast(u64),
    /// `getRate48HLv1..3`: the seller's 30-day 48-hour pickup rate at least 90, 95, 98 %.
    Pickup48hAtLeast(u64),
    /// `totalEpScoreLv1..4`: the seller's composite service score at least 3.0, 3.5, 4.0, 4.5.
    CompositeAtLeast(u64),
    /// `jxhy`: curated supply (精选货源).
    Jxhy,
    /// `isSelect`: in the cross-border select pool.
    Select,
}

impl Filter {
    fn parse(code: &str) -> Option<Filter> {
        Some(match code.trim() {
            "shipInToday" => Filter::ShipToday,
            "shipIn24Hours" => Filter::ShipWithin(24),
            "shipIn48Hours" => Filter::ShipWithin(48),
            "certifiedFactory" => Filter::CertifiedFactory,
            "isOnePsale" => Filter::OnePsale,
            "isOnePsaleFreePost" | "isOnePsaleFreePostage" => Filter::OnePsaleFreePost,
            "new7" => Filter::NewWithin(7),
            "new30" => Filter::NewWithin(30),
            "noReason7DReturn" => Filter::NoReasonReturn,
            "qrr0" => Filter::QualityReturnAtMost(0),
            "qrr1" => Filter::QualityReturnAtMost(100),
            "qrr5" => Filter::QualityReturnAtMost(500),
            "qrr10" => Filter::QualityReturnAtMost(1_000),
            "getRate24HLv1" => Filter::Pickup24hAtLeast(9_000),
            "getRate24HLv2" => Filter::Pickup24hAtLeast(9_500),
            "getRate24HLv3" => Filter::Pickup24hAtLeast(9_800),
            "getRate48HLv1" => Filter::Pickup48hAtLeast(9_000),
            "getRate48HLv2" => Filter::Pickup48hAtLeast(9_500),
            "getRate48HLv3" => Filter::Pickup48hAtLeast(9_800),
            "totalEpScoreLv1" => Filter::CompositeAtLeast(30),
            "totalEpScoreLv2" => Filter::CompositeAtLeast(35),
            "totalEpScoreLv3" => Filter::CompositeAtLeast(40),
            "totalEpScoreLv4" => Filter::CompositeAtLeast(45),
            "jxhy" => Filter::Jxhy,
            "isSelect" => Filter::Select,
            _ => return None,
        })
    }

    fn admits(self, e: &Entry, today: i64) -> bool {
        match self {
            Filter::ShipToday => e.ships_today,
            Filter::ShipWithin(hours) => e.ship_within_hours.is_some_and(|h| h <= hours),
            Filter::CertifiedFactory => e.super_factory,
            Filter::OnePsale => e.one_psale,
            Filter::OnePsaleFreePost => e.one_piece_free_postage,
            Filter::NewWithin(days) => today.saturating_sub(e.created_day) < days,
            Filter::NoReasonReturn => e.no_reason_return_7d,
            Filter::QualityReturnAtMost(most) => e.quality_return_30d <= most,
            Filter::Pickup24hAtLeast(least) => e.pickup_24h_30d >= least,
            Filter::Pickup48hAtLeast(least) => e.pickup_48h_bp >= least,
            Filter::CompositeAtLeast(least) => e.composite_tenths >= least,
            Filter::Jxhy => e.jxhy,
            Filter::Select => e.select,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Price,
    RePurchaseRate,
    MonthSold,
}

pub struct Shelf {
    catalog: Catalog,
    entries: Vec<Entry>,
    seed: u64,
    drift: u32,
    /// Detail answers already rendered, by what makes them differ; at most `keep_rendered`.
    rendered: Mutex<HashMap<Rendering, Arc<str>>>,
    keep_rendered: usize,
}

/// What a detail answer depends on: the offer, its price drift that day, and how it was asked.
#[derive(Hash, PartialEq, Eq)]
struct Rendering {
    index: u64,
    percent: i64,
    translated: bool,
    out_member: Option<String>,
}

/// A business failure: HTTP 200 with `success:false` and no payload (§5.2).
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

fn id_param(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A yuan amount (`"10"`, `"1.5"`) in fen, read as a decimal: no float rounding at the bounds.
fn fen_of(value: Option<&Value>) -> Option<u64> {
    let text = match value? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: u64 = format!("{fraction:0<2}")
        .get(..2)
        .and_then(|c| c.parse().ok())?;
    whole.checked_mul(100)?.checked_add(cents)
}

fn parse_json(param: Option<&str>) -> Option<Value> {
    param
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(Value::is_object)
}

fn keyword_of(param: &Value) -> Option<&str> {
    param
        .get("keyword")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|k| !k.is_empty())
}

/// The required argument a keywordQuery lacks, as `gw.ParamMissing` names it.
pub fn keyword_query_missing(param: Option<&str>) -> Option<&'static str> {
    let Some(text) = param.filter(|p| !p.trim().is_empty()) else {
        return Some("offerQueryParam");
    };
    // Unreadable JSON is the business's to refuse, not the gateway's.
    let parsed = parse_json(Some(text))?;
    keyword_of(&parsed).is_none().then_some("keyword")
}

/// The required argument a queryProductDetail lacks.
pub fn detail_missing(param: Option<&str>) -> Option<&'static str> {
    let Some(text) = param.filter(|p| !p.trim().is_empty()) else {
        return Some("offerDetailParam");
    };
    let parsed = parse_json(Some(text))?;
    match parsed.get("offerId") {
        None | Some(Value::Null) => Some("offerId"),
        Some(Value::String(s)) if s.trim().is_empty() => Some("offerId"),
        Some(_) => None,
    }
}

fn reading_of(param: &Value) -> Reading<'_> {
    Reading {
        translated: param
            .get("country")
            .and_then(Value::as_str)
            .is_some_and(|c| LANGUAGES.contains(&c.trim())),
        out_member: param.get("outMemberId").and_then(Value::as_str),
    }
}

/// `sort` is a JSON object inside a string: `"{\"price\":\"asc\"}"`.
fn sort_of(value: Option<&Value>) -> Option<(SortKey, bool)> {
    let parsed = match value? {
        Value::String(s) => serde_json::from_str::<Value>(s).ok()?,
        other => other.clone(),
    };
    let (key, direction) = parsed.as_object()?.iter().next()?;
    let key = match key.as_str() {
        "price" => SortKey::Price,
        "rePurchaseRate" => SortKey::RePurchaseRate,
        "monthSold" => SortKey::MonthSold,
        _ => return None,
    };
    match direction.as_str()? {
        "asc" => Some((key, false)),
        "desc" => Some((key, true)),
        _ => None,
    }
}

/// A stable 64-bit hash (FNV-1a), so the same request is dressed the same way every time.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

impl Shelf {
    /// The shelf of a double whose clock read `now_ms` when it started: listing dates count
    /// back from that day.
    pub fn new(config: &GatewayConfig, now_ms: i64) -> Shelf {
        let catalog = Catalog::anchored(config.seed, config.offers, now_ms.div_euclid(DAY_MS));
        let entries = (0..catalog.len())
            .map(|i| Entry::of(&catalog.offer(i)))
            .collect();
        Shelf {
            catalog,
            entries,
            seed: config.seed,
            drift: config.daily_drift_percent,
            rendered: Mutex::new(HashMap::new()),
            keep_rendered: config.keep_rendered,
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

    fn price_now(&self, index: usize, now_ms: i64) -> u64 {
        let lowest = self.entries.get(index).map_or(0, |e| e.lowest_fen);
        drift_fen(lowest, self.percent_on(index as u64, now_ms))
    }

    /// The generated offers behind the answers (the picture CDN draws from them).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// `product.search.keywordQuery`: `offerQueryParam` holds the search as JSON. `duplicate`,
    /// when given, is the draw that repeats one offer of the page (the duplicate fault).
    pub fn keyword_query(&self, param: Option<&str>, now_ms: i64, duplicate: Option<u64>) -> Value {
        let Some(query) = parse_json(param) else {
            return business_error("400", "offerQueryParam is not a JSON object");
        };
        let Some(keyword) = keyword_of(&query) else {
            return business_error("400", "keyword is required");
        };
        // f64 → u64 saturates, so `1e30` is a very large page, not an overflow.
        let page = number_param(query.get("beginPage")).unwrap_or(1.0).max(1.0) as u64;
        let page_size =
            (number_param(query.get("pageSize")).unwrap_or(20.0) as u64).clamp(1, MAX_PAGE_SIZE);
        let price_start = fen_of(query.get("priceStart"));
        let price_end = fen_of(query.get("priceEnd"));
        let mut categories: Vec<u64> = id_param(query.get("categoryId")).into_iter().collect();
        if let Some(list) = query.get("categoryIdList").and_then(Value::as_str) {
            categories.extend(
                list.split(',')
                    .filter_map(|id| id.trim().parse::<u64>().ok()),
            );
        }
        let filters: Vec<Filter> = query
            .get("filter")
            .and_then(Value::as_str)
            .map(|codes| codes.split(',').filter_map(Filter::parse).collect())
            .unwrap_or_default();
        let today = now_ms.div_euclid(DAY_MS);
        let words: Vec<String> = keyword.split_whitespace().map(str::to_lowercase).collect();
        let matches: Vec<usize> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.published
                    && words
                        .iter()
                        .all(|w| e.title.contains(w.as_str()) || e.title_en.contains(w.as_str()))
                    && (categories.is_empty()
                        || categories.iter().any(|c| e.categories.contains(c)))
                    && filters.iter().all(|f| f.admits(e, today))
            })
            .map(|(i, _)| i)
            .filter(|&i| {
                let price = self.price_now(i, now_ms);
                price_start.is_none_or(|low| price >= low)
                    && price_end.is_none_or(|high| price <= high)
            })
            .take(MAX_RECORDS)
            .collect();
        let total = matches.len() as u64;
        let start = (page - 1)
            .checked_mul(page_size)
            .and_then(|s| usize::try_from(s).ok());
        let mut chosen: Vec<usize> = start
            .and_then(|s| matches.get(s..))
            .unwrap_or_default()
            .iter()
            .take(page_size as usize)
            .copied()
            .collect();
        // 1688 sorts the page it selected, not the whole result (§2.1).
        if let Some((key, descending)) = sort_of(query.get("sort")) {
            chosen.sort_by_key(|&i| {
                let e = &self.entries[i];
                match key {
                    SortKey::Price => self.price_now(i, now_ms),
                    SortKey::RePurchaseRate => e.repurchase_percent,
                    SortKey::MonthSold => e.month_sold,
                }
            });
            if descending {
                chosen.reverse();
            }
        }
        let mut dress = Rng::new(self.seed ^ fnv(param.unwrap_or_default()));
        let style = ItemStyle {
            reading: reading_of(&query),
            bare_one_psale: dress.chance(30),
        };
        let mut data: Vec<Value> = chosen
            .iter()
            .map(|&i| search_item_in(&self.offer_now(i as u64, now_ms), style))
            .collect();
        if let Some(draw) = duplicate.filter(|_| !data.is_empty()) {
            let len = data.len() as u64;
            let repeated = data[(draw % len) as usize].clone();
            data.insert(((draw / len) % (len + 1)) as usize, repeated);
        }
        let page_info = json!({
            "totalRecords": total,
            "totalPage": total.div_ceil(page_size),
            "pageSize": page_size,
            "currentPage": page,
            "data": data,
        });
        success_envelope(page_info, "", "PageInfoV3", &mut dress)
    }

    /// `product.search.queryProductDetail`: `offerDetailParam` holds `{offerId, country}`. The
    /// answer's text: an answer already rendered is served again as it was.
    pub fn query_product_detail(&self, param: Option<&str>, now_ms: i64) -> Arc<str> {
        let Some(query) = parse_json(param) else {
            return business_error("400", "offerDetailParam is not a JSON object")
                .to_string()
                .into();
        };
        let offer_id = match query.get("offerId") {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return business_error("400", "offerId is not an offer ID")
                    .to_string()
                    .into()
            }
        };
        let Some(index) = self.catalog.index_of(&offer_id) else {
            return business_error("500_004", &format!("商品[{offer_id}]不存在"))
                .to_string()
                .into();
        };
        let reading = reading_of(&query);
        let rendering = Rendering {
            index,
            percent: self.percent_on(index, now_ms),
            translated: reading.translated,
            out_member: reading.out_member.map(str::to_owned),
        };
        let lock = || self.rendered.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(text) = lock().get(&rendering) {
            return Arc::clone(text);
        }
        let text: Arc<str> = detail_answer_in(&self.offer_now(index, now_ms), reading)
            .to_string()
            .into();
        let mut rendered = lock();
        if rendered.len() < self.keep_rendered {
            rendered.insert(rendering, Arc::clone(&text));
        }
        text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_bounds_read_as_decimals() {
        let fen = |v: Value| fen_of(Some(&v));
        assert_eq!(fen(json!("10")), Some(1_000));
        assert_eq!(fen(json!("1.5")), Some(150));
        assert_eq!(fen(json!("0.07")), Some(7));
        assert_eq!(fen(json!(".5")), Some(50));
        assert_eq!(fen(json!(2.25)), Some(225));
        for bad in [
            json!(""),
            json!("-1"),
            json!("1e3"),
            json!("abc"),
            json!("99999999999999999999"),
        ] {
            assert_eq!(fen(bad.clone()), None, "{bad}");
        }
    }

    #[test]
    fn a_kept_answer_is_served_again_as_made_and_each_day_made_anew() {
        let config = GatewayConfig {
            offers: 10,
            daily_drift_percent: 20,
            keep_rendered: 4,
            ..GatewayConfig::default()
        };
        let now = 1_796_000_000_000;
        let kept = Shelf::new(&config, now);
        let plain = Shelf::new(
            &GatewayConfig {
                keep_rendered: 0,
                ..config.clone()
            },
            now,
        );
        let asked = |i: u64| format!(r#"{{"offerId":"{}"}}"#, kept.catalog.offer_id(i));
        let first = kept.query_product_detail(Some(&asked(3)), now);
        let again = kept.query_product_detail(Some(&asked(3)), now);
        assert!(Arc::ptr_eq(&first, &again), "served from what was kept");
        assert_eq!(first, plain.query_product_detail(Some(&asked(3)), now));
        // Days later the drift differs: the answer is made for that day, as without keeping.
        let later = now + 5 * DAY_MS;
        assert_eq!(
            kept.query_product_detail(Some(&asked(3)), later),
            plain.query_product_detail(Some(&asked(3)), later)
        );
        for i in 0..10 {
            kept.query_product_detail(Some(&asked(i)), now);
        }
        assert_eq!(kept.rendered.lock().unwrap().len(), 4, "no more than asked");
    }

    #[test]
    fn sort_is_a_json_string() {
        assert_eq!(
            sort_of(Some(&json!("{\"price\":\"desc\"}"))),
            Some((SortKey::Price, true))
        );
        assert_eq!(sort_of(Some(&json!("{\"soldQuantity\":\"asc\"}"))), None);
        assert_eq!(sort_of(Some(&json!("not json"))), None);
    }

    #[test]
    fn required_arguments() {
        assert_eq!(keyword_query_missing(None), Some("offerQueryParam"));
        assert_eq!(
            keyword_query_missing(Some(r#"{"beginPage":1}"#)),
            Some("keyword")
        );
        assert_eq!(keyword_query_missing(Some("{broken")), None);
        assert_eq!(detail_missing(Some(r#"{"country":"en"}"#)), Some("offerId"));
        assert_eq!(detail_missing(Some(r#"{"offerId":1}"#)), None);
    }
}
