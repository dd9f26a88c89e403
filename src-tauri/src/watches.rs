//! The scheduler that checks due watches in the background while the app runs (the layer
//! decides which are due and checks them), and the desktop notifications for new alerts.

use std::time::Duration;

use pifa_core::notification;
use pifa_core::store::Alert;
use pifa_core::watch::WatchCheck;
use pifa_core::words;
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
            let report = match workbench.check_watches(false).await {
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
            if let Some(report) = report.with_alerts_raised_meanwhile(fresh) {
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

/// Tells the desktop about new alerts; without a notification service the app's badge and
/// Watches page still show them.
fn notify(app: &AppHandle, alerts: &[Alert]) {
    if alerts.is_empty() {
        return;
    }
    let language = app.state::<Workbench>().language();
    let body = plain(&notification::alerts_body(alerts, language));
    let title = words::text(language, words::NOTIFY_TITLE, &[]);
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(
            alerts = alerts.len(),
            "the desktop notification could not be shown: {e}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_markup_is_escaped_for_the_notification_server() {
        assert_eq!(
            plain("降价：<b>纯棉</b> T恤 & 短裤"),
            "降价：&lt;b&gt;纯棉&lt;/b&gt; T恤 &amp; 短裤"
        );
    }
}
