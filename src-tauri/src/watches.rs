//! The shell's price watches: commands over the store, and the scheduler that checks due
//! watches in the background while the app runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pifa_core::offer::Percent;
use pifa_core::store::AlertKind;
use pifa_core::store::{Alert, PricePoint, Watch};
use pifa_core::watch::{self, WatchCheck};
use pifa_core::Language;
use pifa_core::OfferId;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::{CommandError, Shell};

/// How often the scheduler looks for due watches.
const TICK: Duration = Duration::from_secs(60);
/// The event the window hears after each round of checks.
pub const WATCHES_CHECKED: &str = "watches-checked";

impl Shell {
    /// Watches a stored offer at a quantity; `alert_percent` is a whole or decimal percentage.
    pub fn watch_offer(
        &self,
        offer_id: &str,
        target_qty: u32,
        alert_basis_points: Option<u32>,
    ) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let threshold = alert_basis_points.map(|basis_points| Percent { basis_points });
        let mut store = self.store()?;
        store.watch_offer(&offer_id, target_qty, threshold, Utc::now())?;
        Ok(store.watches(Utc::now())?)
    }

    pub fn unwatch_offer(&self, offer_id: &str) -> Result<Vec<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        let mut store = self.store()?;
        store.unwatch_offer(&offer_id)?;
        Ok(store.watches(Utc::now())?)
    }

    /// The watch on one offer, for its offer page.
    pub fn watch_of(&self, offer_id: &str) -> Result<Option<Watch>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.store()?.watch(&offer_id, Utc::now())?)
    }

    pub fn watches(&self) -> Result<Vec<Watch>, CommandError> {
        Ok(self.store()?.watches(Utc::now())?)
    }

    /// The history for the offer page's chart, thinned to what a chart can show.
    pub fn price_history(&self, offer_id: &str, qty: u32) -> Result<Vec<PricePoint>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.store()?.price_chart(&offer_id, qty)?)
    }

    pub fn alerts(&self, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
        Ok(self.store()?.alerts(unseen_only)?)
    }

    pub fn mark_alerts_seen(&self) -> Result<u64, CommandError> {
        Ok(self.store()?.mark_alerts_seen(Utc::now())?)
    }

    /// Checks the watches due now, or all of them.
    pub async fn check_watches(&self, all: bool) -> Result<WatchCheck, CommandError> {
        let interval = if all {
            chrono::Duration::zero()
        } else {
            watch::check_interval(&self.settings())
        };
        let due = self
            .store()?
            .due_watches(Utc::now() + chrono::Duration::milliseconds(1), interval)?;
        if due.is_empty() {
            return Ok(WatchCheck::default());
        }
        let online = self.online().await?;
        let (_cancel, cancelled) = tokio::sync::watch::channel(false);
        Ok(watch::check(
            Arc::clone(&online.client),
            self.batch_storage()?,
            due,
            cancelled,
        )
        .await)
    }
}

/// Checks due watches every minute for as long as the app runs, telling the window after each
/// round that checked something.
pub fn start_scheduler(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            match app.state::<Shell>().check_watches(false).await {
                Ok(report) if report.checked + report.failed > 0 => {
                    notify(&app, &report.alerts);
                    let _ = app.emit(WATCHES_CHECKED, &report);
                }
                Ok(_) => {}
                Err(e) => eprintln!("pifa: checking watches failed: {e}"),
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

/// One alert as a line of a desktop notification, in the user's language.
fn alert_line(alert: &Alert, language: Language) -> String {
    let title = plain(alert.title.as_deref().unwrap_or(alert.offer_id.as_str()));
    let qty = alert.target_qty.map(|q| q.to_string()).unwrap_or_default();
    let price = |p: Option<pifa_core::Money>| p.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"));
    let (old, new) = (price(alert.old_price), price(alert.new_price));
    match (language, alert.kind) {
        (Language::SimplifiedChinese, AlertKind::PriceDrop) => {
            format!("降价：{title}（{qty} 件）{old} → {new}")
        }
        (Language::SimplifiedChinese, AlertKind::PriceRise) => {
            format!("涨价：{title}（{qty} 件）{old} → {new}")
        }
        (Language::English, AlertKind::PriceDrop) => {
            format!("Price drop: {title} (at {qty} pcs) {old} → {new}")
        }
        (Language::English, AlertKind::PriceRise) => {
            format!("Price rise: {title} (at {qty} pcs) {old} → {new}")
        }
    }
}

/// Tells the desktop about new alerts; without a notification service the app's badge and
/// Watches page still show them.
fn notify(app: &AppHandle, alerts: &[Alert]) {
    if alerts.is_empty() {
        return;
    }
    let language = app.state::<Shell>().language();
    let mut body: Vec<String> = alerts
        .iter()
        .take(3)
        .map(|a| alert_line(a, language))
        .collect();
    if alerts.len() > 3 {
        body.push(match language {
            Language::SimplifiedChinese => format!("另有 {} 条提醒", alerts.len() - 3),
            Language::English => format!("and {} more", alerts.len() - 3),
        });
    }
    let title = match language {
        Language::SimplifiedChinese => "Pifa 价格提醒",
        Language::English => "Pifa price alerts",
    };
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(body.join("\n"))
        .show()
    {
        eprintln!("pifa: the desktop notification could not be shown: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
