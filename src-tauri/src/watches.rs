//! The scheduler that checks due watches in the background while the app runs (the layer
//! decides which are due and checks them), and the desktop notifications for new alerts.

use std::time::Duration;

use pifa_core::store::{Alert, AlertKind};
use pifa_core::watch::rules::TierShape;
use pifa_core::watch::WatchCheck;
use pifa_core::{words, Language};
use pifa_workbench::events::Event;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::{emit, Workbench};

/// How often the scheduler looks for due watches.
const TICK: Duration = Duration::from_secs(60);

/// Checks due watches every minute for as long as the app runs, telling the window after each
/// round that checked something, and tells the desktop of every alert not yet notified: those
/// of the round and those raised meanwhile by any other fetch (an offer page, a batch, a search,
/// `pifa-cli`).
pub fn start_scheduler(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            let workbench = app.state::<Workbench>();
            let mut report = match workbench.check_watches(false).await {
                Ok(report) => report,
                Err(e) => {
                    tracing::error!(code = %e.code, "checking watches failed: {}", e.message);
                    WatchCheck::default()
                }
            };
            let fresh = match workbench.take_unnotified_alerts().await {
                Ok(alerts) => alerts,
                Err(e) => {
                    tracing::warn!(code = %e.code, "new alerts could not be read: {}", e.message);
                    Vec::new()
                }
            };
            // The desktop's notification service is called synchronously (D-Bus): off the
            // async workers, which must never block.
            let (handle, told) = (app.clone(), fresh.clone());
            let _ = tauri::async_runtime::spawn_blocking(move || notify(&handle, &told)).await;
            if report.checked + report.failed > 0 || !fresh.is_empty() {
                // The window reloads its watches and alerts; the round's own report stands.
                if report.checked + report.failed == 0 {
                    report.alerts = fresh;
                }
                emit(&app, Event::WatchesChecked(report));
            }
        }
    });
}

/// Notification bodies may be read as markup by the desktop's notification server; titles come
/// from 1688 sellers, so their markup characters are escaped.
fn plain(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One alert as a line of a desktop notification, in the user's language (the shared catalog),
/// worded from its fields.
fn alert_line(alert: &Alert, language: Language) -> String {
    let title = plain(alert.title.as_deref().unwrap_or(alert.offer_id.as_str()));
    let qty = alert.target_qty.map(|q| q.to_string()).unwrap_or_default();
    let price = |p: Option<pifa_core::Money>| p.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"));
    let (old, new) = (price(alert.old_price), price(alert.new_price));
    let target = price(alert.target_price);
    // A SKU by its specs as the seller names them, else its ID.
    let sku = plain(
        alert
            .sku_specs
            .as_deref()
            .or(alert.sku.as_deref())
            .unwrap_or(""),
    );
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
                ("title", &title),
                ("qty", &qty),
                ("old", &old),
                ("new", &new),
            ],
        ),
        AlertKind::AtOrBelowTarget => (
            words::NOTIFY_AT_OR_BELOW_TARGET,
            vec![
                ("title", &title),
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
            vec![("title", &title), ("qty", &qty), ("sku", &sku)],
        ),
        AlertKind::TiersChanged => (
            words::NOTIFY_TIERS_CHANGED,
            vec![
                ("title", &title),
                ("oldMoq", &old_moq),
                ("newMoq", &new_moq),
                ("oldBreaks", &old_breaks),
                ("newBreaks", &new_breaks),
            ],
        ),
        AlertKind::Delisted => (words::NOTIFY_DELISTED, vec![("title", &title)]),
        AlertKind::Relisted => (words::NOTIFY_RELISTED, vec![("title", &title)]),
    };
    words::text(language, word, &values)
}

/// Tells the desktop about new alerts; without a notification service the app's badge and
/// Watches page still show them.
fn notify(app: &AppHandle, alerts: &[Alert]) {
    if alerts.is_empty() {
        return;
    }
    let language = app.state::<Workbench>().language();
    let mut body: Vec<String> = alerts
        .iter()
        .take(3)
        .map(|a| alert_line(a, language))
        .collect();
    if alerts.len() > 3 {
        let count = (alerts.len() - 3).to_string();
        body.push(words::text(
            language,
            words::NOTIFY_MORE,
            &[("count", &count)],
        ));
    }
    let title = words::text(language, words::NOTIFY_TITLE, &[]);
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(body.join("\n"))
        .show()
    {
        tracing::warn!(
            alerts = alerts.len(),
            "the desktop notification could not be shown: {e}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use pifa_core::OfferId;

    #[test]
    fn an_alert_reads_in_the_users_language_with_seller_markup_escaped() {
        let alert = Alert {
            alert_id: 1,
            offer_id: OfferId::parse("624516873409").unwrap(),
            title: Some("<b>纯棉</b> T恤 & 短裤".into()),
            kind: AlertKind::PriceDrop,
            target_qty: Some(500),
            old_price: Some("12.50".parse().unwrap()),
            new_price: Some("11.00".parse().unwrap()),
            change_bp: Some(-1200),
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
        };
        assert_eq!(
            alert_line(&alert, Language::SimplifiedChinese),
            "降价：&lt;b&gt;纯棉&lt;/b&gt; T恤 &amp; 短裤（500 件）¥12.50 → ¥11.00"
        );
        assert_eq!(
            alert_line(&alert, Language::English),
            "Price drop: &lt;b&gt;纯棉&lt;/b&gt; T恤 &amp; 短裤 (at 500 pcs) ¥12.50 → ¥11.00"
        );
    }

    #[test]
    fn every_kind_of_alert_is_worded_from_its_fields() {
        let base = Alert {
            alert_id: 2,
            offer_id: OfferId::parse("624516873409").unwrap(),
            title: Some("保温杯".into()),
            kind: AlertKind::OutOfStock,
            target_qty: Some(300),
            old_price: None,
            new_price: None,
            change_bp: None,
            target_price: None,
            sku: Some("4883012345001".into()),
            sku_specs: Some("白色 / XL".into()),
            old_tiers: None,
            new_tiers: None,
            status: None,
            at: Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
            seen: false,
            message: String::new(),
            raised_by: None,
            seen_by: Vec::new(),
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
}
