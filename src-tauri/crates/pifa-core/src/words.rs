//! The words a user reads, from the same catalogs the UI reads (`ui/src/locales/*.json`), so a
//! sentence has one home per language whether Rust or the UI puts it on screen: CSV headers,
//! desktop notifications, and the [`Phrase`]s that data carries instead of English prose.
//!
//! Every key Rust uses is declared once below with its placeholders; a test checks each against
//! both catalogs, so a renamed key or a missing `{qty}` fails `cargo test`.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Language;

// Compiled in: the catalogs are part of the program, like the UI's bundle.
const EN: &str = include_str!("../../../../ui/src/locales/en.json");
const ZH_CN: &str = include_str!("../../../../ui/src/locales/zh-CN.json");

fn parse(json: &str) -> HashMap<String, String> {
    // The UI build reads the same file; a broken catalog fails its tests and this crate's.
    serde_json::from_str(json).unwrap_or_default()
}

static CATALOGS: LazyLock<(HashMap<String, String>, HashMap<String, String>)> =
    LazyLock::new(|| (parse(EN), parse(ZH_CN)));

fn catalog(language: Language) -> &'static HashMap<String, String> {
    match language {
        Language::English => &CATALOGS.0,
        Language::SimplifiedChinese => &CATALOGS.1,
    }
}

/// A catalog key Rust uses, with the placeholders it fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub key: &'static str,
    pub params: &'static [&'static str],
}

macro_rules! words {
    ($($name:ident = $key:literal $(($($param:ident),*))?;)*) => {
        $(pub const $name: Word = Word { key: $key, params: &[$($(stringify!($param)),*)?] };)*
        /// Every key Rust uses, for the catalog test.
        pub const ALL: &[Word] = &[$($name),*];
    };
}

words! {
    CSV_RANK = "csv.rank";
    CSV_OFFER_ID = "csv.offerId";
    CSV_TITLE = "csv.title";
    CSV_TITLE_EN = "csv.titleEn";
    CSV_SUPPLIER = "csv.supplier";
    CSV_PROVINCE = "csv.province";
    CSV_CITY = "csv.city";
    CSV_TP_YEARS = "csv.tpYears";
    CSV_POWER_MERCHANT = "csv.powerMerchant";
    CSV_SUPER_FACTORY = "csv.superFactory";
    CSV_REPURCHASE = "csv.repurchase";
    CSV_SERVICE_SCORE = "csv.serviceScore";
    CSV_PICKUP_48H = "csv.pickup48h";
    CSV_QUALITY_REFUND = "csv.qualityRefund";
    CSV_MOQ = "csv.moq";
    CSV_QUANTITY = "csv.quantity";
    CSV_BILLED_QTY = "csv.billedQty";
    CSV_UNIT_PRICE = "csv.unitPrice";
    CSV_TOTAL = "csv.total";
    CSV_TIERS = "csv.tiers";
    CSV_NOTE = "csv.note";
    CSV_LINK = "csv.link";
    CSV_FETCHED_AT = "csv.fetchedAt";
    CSV_YES = "csv.yes";
    CSV_NO = "csv.no";
    CSV_FROM_PRICE = "csv.fromPrice"(price);
    CSV_LOT_SIZE = "csv.lotSize";
    CSV_SKU = "csv.sku";
    CSV_CHEAPEST = "csv.cheapest";
    CSV_NEXT_BREAK = "csv.nextBreak";
    CSV_SUPPLIER_ID = "csv.supplierId";
    CSV_CONTACT_PERSON = "csv.contactPerson";
    CSV_PHONE = "csv.phone";
    CSV_WANGWANG = "csv.wangwang";
    CSV_WECHAT = "csv.wechat";
    CSV_EMAIL = "csv.email";
    CSV_NOTES = "csv.notes";
    CSV_STOCK = "csv.stock";
    NOTIFY_TITLE = "notify.title";
    LIST_SEPARATOR = "list.separator";
    NOTIFY_PRICE_DROP = "notify.priceDrop"(title, qty, old, new);
    NOTIFY_PRICE_RISE = "notify.priceRise"(title, qty, old, new);
    NOTIFY_MORE = "notify.more"(count);
    NOTIFY_AT_OR_BELOW_TARGET = "notify.atOrBelowTarget"(title, qty, new, target);
    NOTIFY_OUT_OF_STOCK = "notify.outOfStock"(title, qty, sku);
    NOTIFY_BACK_IN_STOCK = "notify.backInStock"(title, qty, sku);
    NOTIFY_TIERS_CHANGED = "notify.tiersChanged"(title, oldMoq, newMoq, oldBreaks, newBreaks);
    NOTIFY_DELISTED = "notify.delisted"(title);
    NOTIFY_RELISTED = "notify.relisted"(title);
    NOTIFY_HEALTH_TITLE = "notify.healthTitle";
    NOTIFY_HEALTH_BREACHED = "notify.healthBreached"(targets);
    HEALTH_SUCCESS_RATE = "health.target.successRate";
    HEALTH_LATENCY_MEAN = "health.target.latencyMeanMs";
    HEALTH_CACHE_HIT_RATE = "health.target.cacheHitRate";
    HEALTH_THROTTLED_TODAY = "health.target.throttledToday";
    HEALTH_UPDATE_LAG = "health.target.updateLagMaxMinutes";
    QUOTE_NO_PRICE = "quote.noPrice";
    QUOTE_UNKNOWN_SKU = "quote.unknownSku"(sku);
    QUOTE_SKU_WITHOUT_PRICE = "quote.skuWithoutPrice"(sku);
    QUOTE_OVERFLOW = "quote.overflow"(qty);
    QUOTE_DELISTED = "quote.delisted"(status);
    CLEAN_TOO_LONG = "clean.tooLong"(max);
    CLEAN_NOT_A_PRICE = "clean.notAPrice"(value);
    CLEAN_PRICE_RANGE = "clean.priceRange"(value);
    CLEAN_PRICE_NOT_POSITIVE = "clean.priceNotPositive"(value);
    CLEAN_PRICE_TOO_HIGH = "clean.priceTooHigh"(value);
    CLEAN_QTY_OUT_OF_RANGE = "clean.qtyOutOfRange"(value);
    CLEAN_NOT_A_WHOLE_NUMBER = "clean.notAWholeNumber"(value);
    CLEAN_BAD_QUOTE_TYPE = "clean.badQuoteType"(value);
    CLEAN_NOT_A_RATE = "clean.notARate"(value);
    CLEAN_NOT_A_SCORE = "clean.notAScore"(value);
    CLEAN_NOT_A_MEASURE = "clean.notAMeasure"(value);
    CLEAN_NOT_A_DATE = "clean.notADate"(value);
    CLEAN_ZERO_START = "clean.zeroStart";
    CLEAN_TIER_MISSING = "clean.tierMissing";
    CLEAN_TOO_MANY_TIERS = "clean.tooManyTiers"(count, max);
    CLEAN_TWO_PRICES = "clean.twoPrices"(first, second, qty);
    CLEAN_SKU_MISSING = "clean.skuMissing";
    CLEAN_SKU_TWICE = "clean.skuTwice"(sku);
    CLEAN_TOO_MANY_SKUS = "clean.tooManySkus"(count, max);
    CLEAN_TOO_MANY_IMAGES = "clean.tooManyImages"(max);
    CLEAN_FOREIGN_IMAGE = "clean.foreignImage"(value);
    CLEAN_NOT_A_LIST = "clean.notAList"(value);
    LOOPBACK_AUTHORIZED = "loopback.authorized";
    LOOPBACK_NOT_OURS = "loopback.notOurs";
}

/// `template` with each `{name}` filled from `values`; an unknown placeholder stays visible.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]);
        match name.and_then(|n| values.iter().find(|(k, _)| *k == n)) {
            Some((name, value)) => {
                out.push_str(value);
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words for `word` in `language` with its placeholders filled; English when the language's
/// catalog lacks the key, and the key itself when both do (the catalog test prevents both).
pub fn text(language: Language, word: Word, values: &[(&str, &str)]) -> String {
    debug_assert!(
        values.iter().all(|(name, _)| word.params.contains(name)),
        "{} has no placeholder among {values:?}",
        word.key
    );
    let template = catalog(language)
        .get(word.key)
        .or_else(|| catalog(Language::English).get(word.key))
        .map_or(word.key, String::as_str);
    fill(template, values)
}

/// A sentence as data: a catalog key and the values of its placeholders. The UI words it in the
/// reader's language; the command line uses [`Phrase::text`] in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Phrase {
    /// A key of `ui/src/locales/*.json`.
    pub code: String,
    #[ts(type = "Record<string, string>")]
    pub params: BTreeMap<String, String>,
}

impl Phrase {
    pub fn new(word: Word, values: &[(&str, String)]) -> Phrase {
        debug_assert!(values.iter().all(|(name, _)| word.params.contains(name)));
        Phrase {
            code: word.key.to_owned(),
            params: values
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        }
    }

    pub fn text(&self, language: Language) -> String {
        let template = catalog(language)
            .get(&self.code)
            .or_else(|| catalog(Language::English).get(&self.code))
            .map_or(self.code.as_str(), String::as_str);
        let values: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        fill(template, &values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric()))
            .collect()
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let (en, zh) = &*CATALOGS;
        assert!(en.len() > 300, "the English catalog did not parse");
        let keys = |c: &HashMap<String, String>| c.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(keys(en), keys(zh));
    }

    #[test]
    fn every_key_rust_uses_is_in_both_catalogs_with_its_placeholders() {
        let mut problems = Vec::new();
        for word in ALL {
            let expected: BTreeSet<&str> = word.params.iter().copied().collect();
            for language in [Language::English, Language::SimplifiedChinese] {
                match catalog(language).get(word.key) {
                    None => problems.push(format!("{}: no {}", language.tag(), word.key)),
                    Some(text) if placeholders(text) != expected => problems.push(format!(
                        "{}: {} has {:?}, Rust fills {:?}",
                        language.tag(),
                        word.key,
                        placeholders(text),
                        expected
                    )),
                    Some(_) => {}
                }
            }
        }
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn keys_are_declared_once() {
        let keys: BTreeSet<&str> = ALL.iter().map(|w| w.key).collect();
        assert_eq!(keys.len(), ALL.len());
    }

    #[test]
    fn fills_placeholders_and_leaves_unknown_ones_visible() {
        assert_eq!(fill("{a} → {b}", &[("a", "1"), ("b", "2")]), "1 → 2");
        assert_eq!(fill("{a} and {c} {", &[("a", "1")]), "1 and {c} {");
        assert_eq!(
            text(Language::SimplifiedChinese, NOTIFY_MORE, &[("count", "2")]),
            "另有 2 条提醒"
        );
    }

    #[test]
    fn a_phrase_reads_in_either_language() {
        let phrase = Phrase::new(QUOTE_UNKNOWN_SKU, &[("sku", "S9".to_owned())]);
        assert!(phrase.text(Language::English).contains("S9"));
        assert!(phrase.text(Language::SimplifiedChinese).contains("S9"));
        let unknown = Phrase {
            code: "no.such".into(),
            params: BTreeMap::new(),
        };
        assert_eq!(unknown.text(Language::English), "no.such");
    }
}
