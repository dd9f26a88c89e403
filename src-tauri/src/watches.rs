//! The scheduler that checks due watches in the background while the app runs (the layer
//! decides which are due and checks them), and the desktop notifications for new alerts.

use std::time::Duration;

use pifa_core::store::{Alert, AlertKind};
use pifa_core::{words, Language};
use pifa_workbench::events::Event;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::{emit, Workbench};

/// How often the scheduler looks for due watches.
const TICK: Duration = Duration::from_secs(60);

/// Checks due watches every minute for as long as the app runs, telling the window after each
/// round that checked something.
pub fn start_scheduler(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            match app.state::<Workbench>().check_watches(false).await {
                Ok(report) if report.checked + report.failed > 0 => {
                    notify(&app, &report.alerts);
                    emit(&app, Event::WatchesChecked(report));
                }
                Ok(_) => {}
                Err(e) => tracing::error!(code = %e.code, "checking watches failed: {}", e.message),
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

/// One alert as a line of a desktop notification, in the user's language (the shared catalog).
fn alert_line(alert: &Alert, language: Language) -> String {
    let title = plain(alert.title.as_deref().unwrap_or(alert.offer_id.as_str()));
    let qty = alert.target_qty.map(|q| q.to_string()).unwrap_or_default();
    let price = |p: Option<pifa_core::Money>| p.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"));
    let (old, new) = (price(alert.old_price), price(alert.new_price));
    let word = match alert.kind {
        AlertKind::PriceDrop => words::NOTIFY_PRICE_DROP,
        AlertKind::PriceRise => words::NOTIFY_PRICE_RISE,
    };
    words::text(
        language,
        word,
        &[
            ("title", &title),
            ("qty", &qty),
            ("old", &old),
            ("new", &new),
        ],
    )
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
            at: Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
            seen: false,
            message: String::new(),
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
}
