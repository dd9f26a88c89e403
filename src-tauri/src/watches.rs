//! The shell's price watches: commands over the store, and the scheduler that checks due
//! watches in the background while the app runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pifa_core::offer::Percent;
use pifa_core::store::{Alert, PricePoint, Watch};
use pifa_core::watch::{self, WatchCheck};
use pifa_core::OfferId;
use tauri::{AppHandle, Emitter, Manager};

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

    pub fn watches(&self) -> Result<Vec<Watch>, CommandError> {
        Ok(self.store()?.watches(Utc::now())?)
    }

    pub fn price_history(&self, offer_id: &str, qty: u32) -> Result<Vec<PricePoint>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.store()?.price_history(&offer_id, qty)?)
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
                    let _ = app.emit(WATCHES_CHECKED, &report);
                }
                Ok(_) => {}
                Err(e) => eprintln!("pifa: checking watches failed: {e}"),
            }
        }
    });
}
