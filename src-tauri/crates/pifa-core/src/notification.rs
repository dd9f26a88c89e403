//! What Pifa's desktop notifications say, in the user's language (the shared catalog). The app
//! shows them; `pifa-cli` prints each alert's own English message instead.

use crate::health::{Target, TargetKey};
use crate::store::{Alert, AlertKind};
use crate::watch::rules::TierShape;
use crate::{words, Language};

/// How many alerts a notification lists by name before "and N more".
const LISTED: usize = 3;

/// One alert as a line of a notification, in `language`, worded from its fields (its seller's
/// text as it is: a notification server that reads markup needs it escaped).
pub fn alert_line(alert: &Alert, language: Language) -> String {
    let title = alert.title.as_deref().unwrap_or(alert.offer_id.as_str());
    let qty = alert.target_qty.map(|q| q.to_string()).unwrap_or_default();
    let price = |p: Option<crate::Money>| p.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"));
    let (old, new) = (price(alert.old_price), price(alert.new_price));
    let target = price(alert.target_price);
    // A SKU by its specs as the seller names them, else its ID.
    let sku = alert
        .sku_specs
        .as_deref()
        .or(alert.sku.as_deref())
        .unwrap_or("");
    let moq = |t: &Option<TierShape>| {
        t.as_ref()
            .map(|t| t.minimum_order.to_string())
            .unwrap_or_default()
    };
    let breaks = |t: &Option<TierShape>| {
        t.as_ref().map_or_else(String::new, |t| {
            let each: Vec<String> = t.breaks.iter().map(|b| format!("{b}+")).collect();
            each.join(" / ")
        })
    };
    let (old_moq, new_moq) = (moq(&alert.old_tiers), moq(&alert.new_tiers));
    let (old_breaks, new_breaks) = (breaks(&alert.old_tiers), breaks(&alert.new_tiers));
    let (word, values): (_, Vec<(&str, &str)>) = match alert.kind {
        AlertKind::PriceDrop | AlertKind::PriceRise => (
            if alert.kind == AlertKind::PriceDrop {
                words::NOTIFY_PRICE_DROP
            } else {
                words::NOTIFY_PRICE_RISE
            },
            vec![
                ("title", title),
                ("qty", &qty),
                ("old", &old),
                ("new", &new),
            ],
        ),
        AlertKind::AtOrBelowTarget => (
            words::NOTIFY_AT_OR_BELOW_TARGET,
            vec![
                ("title", title),
                ("qty", &qty),
                ("new", &new),
                ("target", &target),
            ],
        ),
        AlertKind::OutOfStock | AlertKind::BackInStock => (
            if alert.kind == AlertKind::OutOfStock {
                words::NOTIFY_OUT_OF_STOCK
            } else {
                words::NOTIFY_BACK_IN_STOCK
            },
            vec![("title", title), ("qty", &qty), ("sku", sku)],
        ),
        AlertKind::TiersChanged => (
            words::NOTIFY_TIERS_CHANGED,
            vec![
                ("title", title),
                ("oldMoq", &old_moq),
                ("newMoq", &new_moq),
                ("oldBreaks", &old_breaks),
                ("newBreaks", &new_breaks),
            ],
        ),
        AlertKind::Delisted => (words::NOTIFY_DELISTED, vec![("title", title)]),
        AlertKind::Relisted => (words::NOTIFY_RELISTED, vec![("title", title)]),
    };
    words::text(language, word, &values)
}

/// A notification's body for new alerts: the first few by name, then how many more.
pub fn alerts_body(alerts: &[Alert], language: Language) -> String {
    let mut lines: Vec<String> = alerts
        .iter()
        .take(LISTED)
        .map(|a| alert_line(a, language))
        .collect();
    if alerts.len() > LISTED {
        let count = (alerts.len() - LISTED).to_string();
        lines.push(words::text(
            language,
            words::NOTIFY_MORE,
            &[("count", &count)],
        ));
    }
    lines.join("\n")
}

/// A target's name in `language`; none for the figures shown beside the targets.
pub fn target_name(key: TargetKey, language: Language) -> Option<String> {
    let word = match key {
        TargetKey::SuccessRate => words::HEALTH_SUCCESS_RATE,
        TargetKey::LatencyMeanMs => words::HEALTH_LATENCY_MEAN,
        TargetKey::CacheHitRate => words::HEALTH_CACHE_HIT_RATE,
        TargetKey::ThrottledToday => words::HEALTH_THROTTLED_TODAY,
        TargetKey::UpdateLagMaxMinutes => words::HEALTH_UPDATE_LAG,
        // Figures beside the targets are never breached.
        TargetKey::LatencyP95Ms | TargetKey::UpdateLagP95Minutes => return None,
    };
    Some(words::text(language, word, &[]))
}

/// The notification's body: the newly breached targets by name, in the user's language.
pub fn breached_targets(new: &[&Target], language: Language) -> String {
    let separator = words::text(language, words::LIST_SEPARATOR, &[]);
    let names: Vec<String> = new
        .iter()
        .filter_map(|t| target_name(t.key, language))
        .collect();
    words::text(
        language,
        words::NOTIFY_HEALTH_BREACHED,
        &[("targets", &names.join(&separator))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::TargetState;
    use crate::OfferId;
    use chrono::{TimeZone, Utc};

    /// An alert of `kind` on an offer titled `title`, with no figures yet.
    fn alert(kind: AlertKind, title: &str) -> Alert {
        Alert {
            alert_id: 1,
            offer_id: OfferId::parse("624516873409").unwrap(),
            title: Some(title.into()),
            kind,
            target_qty: None,
            old_price: None,
            new_price: None,
            change_bp: None,
            target_price: None,
            sku: None,
            sku_specs: None,
            old_tiers: None,
            new_tiers: None,
            status: None,
            at: Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
            seen: false,
            message: String::new(),
            raised_by: None,
            seen_by: Vec::new(),
        }
    }

    #[test]
    fn an_alert_reads_in_the_users_language_with_the_sellers_text_as_sent() {
        let alert = Alert {
            target_qty: Some(500),
            old_price: Some("12.50".parse().unwrap()),
            new_price: Some("11.00".parse().unwrap()),
            change_bp: Some(-1200),
            ..alert(AlertKind::PriceDrop, "<b>纯棉</b> T恤 & 短裤")
        };
        assert_eq!(
            alert_line(&alert, Language::SimplifiedChinese),
            "降价：<b>纯棉</b> T恤 & 短裤（500 件）¥12.50 → ¥11.00"
        );
        assert_eq!(
            alert_line(&alert, Language::English),
            "Price drop: <b>纯棉</b> T恤 & 短裤 (at 500 pcs) ¥12.50 → ¥11.00"
        );
    }

    #[test]
    fn every_kind_of_alert_is_worded_from_its_fields() {
        let base = Alert {
            target_qty: Some(300),
            sku: Some("4883012345001".into()),
            sku_specs: Some("白色 / XL".into()),
            ..alert(AlertKind::OutOfStock, "保温杯")
        };
        assert_eq!(
            alert_line(&base, Language::SimplifiedChinese),
            "缺货：保温杯：白色 / XL 不足 300 件"
        );
        let target = Alert {
            kind: AlertKind::AtOrBelowTarget,
            old_price: Some("10.20".parse().unwrap()),
            new_price: Some("9.40".parse().unwrap()),
            target_price: Some("9.50".parse().unwrap()),
            ..base.clone()
        };
        assert_eq!(
            alert_line(&target, Language::English),
            "Target reached: 保温杯 (at 300 pcs) ¥9.40, target ¥9.50"
        );
        let shape = |minimum_order, breaks: &[u32]| TierShape {
            minimum_order,
            breaks: breaks.to_vec(),
        };
        let tiers = Alert {
            kind: AlertKind::TiersChanged,
            old_tiers: Some(shape(2, &[2, 100])),
            new_tiers: Some(shape(10, &[10, 200])),
            ..base.clone()
        };
        assert_eq!(
            alert_line(&tiers, Language::English),
            "Tiers changed: 保温杯: minimum order 2 → 10, breaks 2+ / 100+ → 10+ / 200+"
        );
        let gone = Alert {
            kind: AlertKind::Delisted,
            ..base
        };
        assert_eq!(
            alert_line(&gone, Language::SimplifiedChinese),
            "已下架：保温杯"
        );
    }

    #[test]
    fn the_breached_targets_are_named_in_the_users_language() {
        let breached = |key| Target {
            key,
            value: Some(1.0),
            threshold: None,
            state: TargetState::Breached,
            trend: Vec::new(),
        };
        let (a, b) = (
            breached(TargetKey::SuccessRate),
            breached(TargetKey::CacheHitRate),
        );
        assert_eq!(
            breached_targets(&[&a, &b], Language::English),
            "Past the threshold over the last 24 hours: API call success rate, Cache hit rate. Details on the Status page."
        );
        assert_eq!(
            breached_targets(&[&a], Language::SimplifiedChinese),
            "最近 24 小时超出阈值：API 调用成功率。详情见“运行状态”页。"
        );
    }
}
