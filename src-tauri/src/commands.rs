//! `#[tauri::command]` shims: unpack Tauri's arguments, call the workbench, return its result
//! and emit what background work reports.

use pifa_core::batch::{BatchCounts, BatchProgress};
use pifa_core::health::Health;
use pifa_core::offer::tiers::OrderQuote;
use pifa_core::offer::Offer;
use pifa_core::protocol::KeywordSearch;
use pifa_core::sourcing::SearchResults;
use pifa_core::store::{
    Alert, OfferPage, OfferQuery, PausedOffer, PricePoint, Shortlist, ShortlistPage,
    ShortlistQuery, Watch,
};
use pifa_core::watch::WatchCheck;
use pifa_core::Language;
use pifa_workbench::events::Event;
use pifa_workbench::logs::LogStatus;
use pifa_workbench::BATCH_CONCURRENCY;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::{emit, AppInfo, CommandError, Workbench};

#[tauri::command]
pub fn app_info(workbench: State<'_, Workbench>) -> AppInfo {
    workbench.app_info()
}

/// `language: null` goes back to following the OS.
#[tauri::command]
pub fn set_language(
    workbench: State<'_, Workbench>,
    language: Option<Language>,
) -> Result<AppInfo, CommandError> {
    workbench.set_language(language)
}

/// Local search over stored offers: one page at a time, off the UI thread.
#[tauri::command]
pub async fn search_offers(app: AppHandle, query: OfferQuery) -> Result<OfferPage, CommandError> {
    blocking(app, move |workbench| workbench.search_offers(&query)).await
}

/// One page of a 1688 keyword search (the demo gateway until live credentials are set). A
/// stale cached page is answered at once and refreshed in the background.
#[tauri::command]
pub async fn search_1688(
    app: AppHandle,
    search: KeywordSearch,
    refresh: bool,
) -> Result<SearchResults, CommandError> {
    let answer = app
        .state::<Workbench>()
        .search_1688(&search, refresh)
        .await?;
    if let Some(refresh) = answer.refresh {
        let search = answer.value.search.clone();
        tauri::async_runtime::spawn(async move {
            emit(&app, Event::search_refreshed(search, refresh.await));
        });
    }
    Ok(answer.value)
}

/// An offer's full detail, stored; `refresh` fetches even when a fresh copy is stored. A stale
/// copy is answered at once and refreshed in the background.
#[tauri::command]
pub async fn fetch_offer(
    app: AppHandle,
    offer_id: String,
    refresh: bool,
) -> Result<Offer, CommandError> {
    let answer = app
        .state::<Workbench>()
        .fetch_offer(&offer_id, refresh)
        .await?;
    if let Some(refresh) = answer.refresh {
        let offer_id = answer.value.offer_id.to_string();
        tauri::async_runtime::spawn(async move {
            emit(&app, Event::offer_refreshed(offer_id, refresh.await));
        });
    }
    Ok(answer.value)
}

/// Keeps the 1688 app in the keyring, authorizes it in the browser and switches to live mode.
#[tauri::command]
pub async fn connect_live(
    workbench: State<'_, Workbench>,
    app_key: String,
    app_secret: String,
    gateway: Option<String>,
) -> Result<AppInfo, CommandError> {
    let open = pifa_core::protocol::loopback::open_browser;
    workbench
        .connect_live(&app_key, &app_secret, gateway.as_deref(), open)
        .await
}

/// Logs out of 1688 and returns to demo data.
#[tauri::command]
pub async fn use_demo(workbench: State<'_, Workbench>) -> Result<AppInfo, CommandError> {
    workbench.logout(false).await
}

/// Sets how long fetched answers count as fresh and how often watches are checked, in
/// minutes; `null` is the default.
#[tauri::command]
pub fn set_refresh_settings(
    workbench: State<'_, Workbench>,
    detail_minutes: Option<u32>,
    search_minutes: Option<u32>,
    watch_minutes: Option<u32>,
) -> Result<AppInfo, CommandError> {
    workbench.set_refresh_settings(detail_minutes, search_minutes, watch_minutes)
}

/// Fetches and stores every offer named in `text`; each result goes through `progress` as it
/// settles, and the counts come back (and go out as `batch-finished`) when the batch ends.
#[tauri::command]
pub async fn run_batch(
    app: AppHandle,
    text: String,
    progress: Channel<BatchProgress>,
) -> Result<BatchCounts, CommandError> {
    let counts = app
        .state::<Workbench>()
        .run_batch(&text, BATCH_CONCURRENCY, None, |item, counts| {
            // A closed window just stops listening; the batch still finishes and stores.
            let _ = progress.send(BatchProgress {
                item: item.clone(),
                counts: counts.clone(),
            });
        })
        .await?;
    emit(&app, Event::BatchFinished(counts.clone()));
    Ok(counts)
}

/// Stops the running batch; `false` when none was running.
#[tauri::command]
pub fn cancel_batch(workbench: State<'_, Workbench>) -> bool {
    workbench.cancel_batch()
}

/// The stored copy of an offer, however old; no call to 1688.
#[tauri::command]
pub async fn stored_offer(app: AppHandle, offer_id: String) -> Result<Offer, CommandError> {
    blocking(app, move |workbench| workbench.stored_offer(&offer_id)).await
}

/// What `quantity` pieces of a stored offer (optionally of one SKU) cost.
#[tauri::command]
pub async fn quote_offer(
    app: AppHandle,
    offer_id: String,
    quantity: u32,
    sku_id: Option<String>,
) -> Result<OrderQuote, CommandError> {
    blocking(app, move |workbench| {
        workbench.quote_offer(&offer_id, quantity, sku_id.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn paused_offers(app: AppHandle) -> Result<Vec<PausedOffer>, CommandError> {
    blocking(app, |workbench| workbench.paused_offers()).await
}

/// Lifts the pauses of these offers, or of all when the list is empty.
#[tauri::command]
pub async fn resume_offers(app: AppHandle, offer_ids: Vec<String>) -> Result<u64, CommandError> {
    blocking(app, move |workbench| workbench.resume_offers(&offer_ids)).await
}

#[tauri::command]
pub async fn health(app: AppHandle) -> Result<Health, CommandError> {
    blocking(app, |workbench| workbench.health()).await
}

#[tauri::command]
pub async fn shortlists(app: AppHandle) -> Result<Vec<Shortlist>, CommandError> {
    blocking(app, |workbench| workbench.shortlists()).await
}

#[tauri::command]
pub async fn create_shortlist(app: AppHandle, name: String) -> Result<Shortlist, CommandError> {
    blocking(app, move |workbench| workbench.create_shortlist(&name)).await
}

#[tauri::command]
pub async fn rename_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    name: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |workbench| {
        workbench.rename_shortlist(shortlist_id, &name)
    })
    .await
}

/// Deletes a shortlist; its offers stay stored.
#[tauri::command]
pub async fn delete_shortlist(app: AppHandle, shortlist_id: i64) -> Result<(), CommandError> {
    blocking(app, move |workbench| {
        workbench.delete_shortlist(shortlist_id)
    })
    .await
}

#[tauri::command]
pub async fn add_to_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |workbench| {
        workbench.add_to_shortlist(shortlist_id, &offer_id)
    })
    .await
}

#[tauri::command]
pub async fn remove_from_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |workbench| {
        workbench.remove_from_shortlist(shortlist_id, &offer_id)
    })
    .await
}

/// Sets the note and target quantity of one offer on a shortlist.
#[tauri::command]
pub async fn set_shortlist_entry(
    app: AppHandle,
    shortlist_id: i64,
    offer_id: String,
    note: String,
    target_qty: Option<u32>,
) -> Result<(), CommandError> {
    blocking(app, move |workbench| {
        workbench.set_shortlist_entry(shortlist_id, &offer_id, &note, target_qty)
    })
    .await
}

/// One page of a shortlist, compared at a quantity: cheapest total first.
#[tauri::command]
pub async fn shortlist_page(
    app: AppHandle,
    query: ShortlistQuery,
) -> Result<ShortlistPage, CommandError> {
    blocking(app, move |workbench| workbench.shortlist_page(&query)).await
}

#[tauri::command]
pub async fn shortlists_of(app: AppHandle, offer_id: String) -> Result<Vec<i64>, CommandError> {
    blocking(app, move |workbench| workbench.shortlists_of(&offer_id)).await
}

/// Saves a shortlist as CSV for Excel; answers the file's path.
#[tauri::command]
pub async fn export_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    quantity: Option<u32>,
) -> Result<String, CommandError> {
    blocking(app, move |workbench| {
        workbench
            .export_shortlist(shortlist_id, quantity)
            .map(|path| path.display().to_string())
    })
    .await
}

/// Watches a stored offer's unit price at a quantity; alerts on moves of at least
/// `alert_basis_points` hundredths of a percent (default 5%).
#[tauri::command]
pub async fn watch_offer(
    app: AppHandle,
    offer_id: String,
    target_qty: u32,
    alert_basis_points: Option<u32>,
) -> Result<Vec<Watch>, CommandError> {
    blocking(app, move |workbench| {
        workbench.watch_offer(&offer_id, target_qty, alert_basis_points)
    })
    .await
}

#[tauri::command]
pub async fn unwatch_offer(app: AppHandle, offer_id: String) -> Result<Vec<Watch>, CommandError> {
    blocking(app, move |workbench| workbench.unwatch_offer(&offer_id)).await
}

/// The watch on one offer, or `null`.
#[tauri::command]
pub async fn watch_of(app: AppHandle, offer_id: String) -> Result<Option<Watch>, CommandError> {
    blocking(app, move |workbench| workbench.watch_of(&offer_id)).await
}

#[tauri::command]
pub async fn watches(app: AppHandle) -> Result<Vec<Watch>, CommandError> {
    blocking(app, |workbench| workbench.watches()).await
}

/// The unit price at `qty` at every recorded point: one chart's data.
#[tauri::command]
pub async fn price_history(
    app: AppHandle,
    offer_id: String,
    qty: u32,
) -> Result<Vec<PricePoint>, CommandError> {
    blocking(app, move |workbench| {
        workbench.price_history(&offer_id, qty)
    })
    .await
}

#[tauri::command]
pub async fn alerts(app: AppHandle, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
    blocking(app, move |workbench| workbench.alerts(unseen_only)).await
}

#[tauri::command]
pub async fn mark_alerts_seen(app: AppHandle) -> Result<u64, CommandError> {
    blocking(app, |workbench| workbench.mark_alerts_seen()).await
}

/// Checks watched offers now: the due ones, or all with `all`.
#[tauri::command]
pub async fn check_watches(app: AppHandle, all: bool) -> Result<WatchCheck, CommandError> {
    let report = app.state::<Workbench>().check_watches(all).await?;
    if report.checked + report.failed > 0 {
        emit(&app, Event::WatchesChecked(report.clone()));
    }
    Ok(report)
}

/// Where the log is and its newest warnings and errors, for the Status page.
#[tauri::command]
pub async fn log_status(app: AppHandle) -> Result<LogStatus, CommandError> {
    blocking(app, |workbench| workbench.log_status()).await
}

/// Shows the log folder in the file manager: only that folder, never a path from the window.
#[tauri::command]
pub fn open_log_folder(workbench: State<'_, Workbench>) -> Result<(), CommandError> {
    workbench.open_log_folder()
}

/// Runs store work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&Workbench) -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<Workbench>()))
        .await
        .map_err(|e| CommandError::internal(format!("the work stopped unexpectedly: {e}")))?
}
