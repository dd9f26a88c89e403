//! `#[tauri::command]` shims: unpack Tauri's arguments, call the shell, return its result.

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
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::{AppInfo, CommandError, Shell};

#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> AppInfo {
    shell.app_info()
}

/// `language: null` goes back to following the OS.
#[tauri::command]
pub fn set_language(
    shell: State<'_, Shell>,
    language: Option<Language>,
) -> Result<AppInfo, CommandError> {
    shell.set_language(language)
}

/// Local search over stored offers: one page at a time, off the UI thread.
#[tauri::command]
pub async fn search_offers(app: AppHandle, query: OfferQuery) -> Result<OfferPage, CommandError> {
    blocking(app, move |shell| shell.search_offers(&query)).await
}

/// One page of a 1688 keyword search (the demo gateway until live credentials are set). A
/// stale cached page is answered at once and refreshed in the background.
#[tauri::command]
pub async fn search_1688(
    app: AppHandle,
    search: KeywordSearch,
    refresh: bool,
) -> Result<SearchResults, CommandError> {
    let (results, stale) = app.state::<Shell>().search_1688(&search, refresh).await?;
    if stale {
        let search = results.search.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = app.state::<Shell>().refresh_search(&search).await {
                eprintln!("pifa: refreshing a search page failed: {e}");
            }
        });
    }
    Ok(results)
}

/// An offer's full detail, stored; `refresh` fetches even when a fresh copy is stored. A stale
/// copy is answered at once and refreshed in the background.
#[tauri::command]
pub async fn fetch_offer(
    app: AppHandle,
    offer_id: String,
    refresh: bool,
) -> Result<Offer, CommandError> {
    let (offer, stale) = app.state::<Shell>().fetch_offer(&offer_id, refresh).await?;
    if stale {
        let offer_id = offer.offer_id.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = app.state::<Shell>().refresh_offer(&offer_id).await {
                eprintln!("pifa: refreshing offer {offer_id} failed: {e}");
            }
        });
    }
    Ok(offer)
}

/// Keeps the 1688 app in the keyring, authorizes it in the browser and switches to live mode.
#[tauri::command]
pub async fn connect_live(
    shell: State<'_, Shell>,
    app_key: String,
    app_secret: String,
    gateway: Option<String>,
) -> Result<AppInfo, CommandError> {
    shell
        .connect_live(&app_key, &app_secret, gateway.as_deref())
        .await
}

/// Logs out of 1688 and returns to demo data.
#[tauri::command]
pub async fn use_demo(shell: State<'_, Shell>) -> Result<AppInfo, CommandError> {
    shell.use_demo().await
}

/// Sets how long fetched answers count as fresh and how often watches are checked, in
/// minutes; `null` is the default.
#[tauri::command]
pub fn set_refresh_settings(
    shell: State<'_, Shell>,
    detail_minutes: Option<u32>,
    search_minutes: Option<u32>,
    watch_minutes: Option<u32>,
) -> Result<AppInfo, CommandError> {
    shell.set_refresh_settings(detail_minutes, search_minutes, watch_minutes)
}

/// Fetches and stores every offer named in `text`; each result goes through `progress` as it
/// settles, and the counts come back when the batch ends.
#[tauri::command]
pub async fn run_batch(
    shell: State<'_, Shell>,
    text: String,
    progress: Channel<BatchProgress>,
) -> Result<BatchCounts, CommandError> {
    shell
        .run_batch(&text, |item, counts| {
            // A closed window just stops listening; the batch still finishes and stores.
            let _ = progress.send(BatchProgress {
                item: item.clone(),
                counts: counts.clone(),
            });
        })
        .await
}

/// Stops the running batch; `false` when none was running.
#[tauri::command]
pub fn cancel_batch(shell: State<'_, Shell>) -> bool {
    shell.cancel_batch()
}

/// The stored copy of an offer, however old; no call to 1688.
#[tauri::command]
pub async fn stored_offer(app: AppHandle, offer_id: String) -> Result<Offer, CommandError> {
    blocking(app, move |shell| shell.stored_offer(&offer_id)).await
}

/// What `quantity` pieces of a stored offer (optionally of one SKU) cost.
#[tauri::command]
pub async fn quote_offer(
    app: AppHandle,
    offer_id: String,
    quantity: u32,
    sku_id: Option<String>,
) -> Result<OrderQuote, CommandError> {
    blocking(app, move |shell| {
        shell.quote_offer(&offer_id, quantity, sku_id.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn paused_offers(app: AppHandle) -> Result<Vec<PausedOffer>, CommandError> {
    blocking(app, |shell| shell.paused_offers()).await
}

/// Lifts the pauses of these offers, or of all when the list is empty.
#[tauri::command]
pub async fn resume_offers(app: AppHandle, offer_ids: Vec<String>) -> Result<u64, CommandError> {
    blocking(app, move |shell| shell.resume_offers(&offer_ids)).await
}

#[tauri::command]
pub async fn health(app: AppHandle) -> Result<Health, CommandError> {
    blocking(app, |shell| shell.health()).await
}

#[tauri::command]
pub async fn shortlists(app: AppHandle) -> Result<Vec<Shortlist>, CommandError> {
    blocking(app, |shell| shell.shortlists()).await
}

#[tauri::command]
pub async fn create_shortlist(app: AppHandle, name: String) -> Result<Shortlist, CommandError> {
    blocking(app, move |shell| shell.create_shortlist(&name)).await
}

#[tauri::command]
pub async fn rename_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    name: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |shell| {
        shell.rename_shortlist(shortlist_id, &name)
    })
    .await
}

/// Deletes a shortlist; its offers stay stored.
#[tauri::command]
pub async fn delete_shortlist(app: AppHandle, shortlist_id: i64) -> Result<(), CommandError> {
    blocking(app, move |shell| shell.delete_shortlist(shortlist_id)).await
}

#[tauri::command]
pub async fn add_to_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |shell| {
        shell.add_to_shortlist(shortlist_id, &offer_id)
    })
    .await
}

#[tauri::command]
pub async fn remove_from_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    blocking(app, move |shell| {
        shell.remove_from_shortlist(shortlist_id, &offer_id)
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
    blocking(app, move |shell| {
        shell.set_shortlist_entry(shortlist_id, &offer_id, &note, target_qty)
    })
    .await
}

/// One page of a shortlist, compared at a quantity: cheapest total first.
#[tauri::command]
pub async fn shortlist_page(
    app: AppHandle,
    query: ShortlistQuery,
) -> Result<ShortlistPage, CommandError> {
    blocking(app, move |shell| shell.shortlist_page(&query)).await
}

#[tauri::command]
pub async fn shortlists_of(app: AppHandle, offer_id: String) -> Result<Vec<i64>, CommandError> {
    blocking(app, move |shell| shell.shortlists_of(&offer_id)).await
}

/// Saves a shortlist as CSV for Excel; answers the file's path.
#[tauri::command]
pub async fn export_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    quantity: Option<u32>,
) -> Result<String, CommandError> {
    blocking(app, move |shell| {
        shell
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
    blocking(app, move |shell| {
        shell.watch_offer(&offer_id, target_qty, alert_basis_points)
    })
    .await
}

#[tauri::command]
pub async fn unwatch_offer(app: AppHandle, offer_id: String) -> Result<Vec<Watch>, CommandError> {
    blocking(app, move |shell| shell.unwatch_offer(&offer_id)).await
}

/// The watch on one offer, or `null`.
#[tauri::command]
pub async fn watch_of(app: AppHandle, offer_id: String) -> Result<Option<Watch>, CommandError> {
    blocking(app, move |shell| shell.watch_of(&offer_id)).await
}

#[tauri::command]
pub async fn watches(app: AppHandle) -> Result<Vec<Watch>, CommandError> {
    blocking(app, |shell| shell.watches()).await
}

/// The unit price at `qty` at every recorded point: one chart's data.
#[tauri::command]
pub async fn price_history(
    app: AppHandle,
    offer_id: String,
    qty: u32,
) -> Result<Vec<PricePoint>, CommandError> {
    blocking(app, move |shell| shell.price_history(&offer_id, qty)).await
}

#[tauri::command]
pub async fn alerts(app: AppHandle, unseen_only: bool) -> Result<Vec<Alert>, CommandError> {
    blocking(app, move |shell| shell.alerts(unseen_only)).await
}

#[tauri::command]
pub async fn mark_alerts_seen(app: AppHandle) -> Result<u64, CommandError> {
    blocking(app, |shell| shell.mark_alerts_seen()).await
}

/// Checks watched offers now: the due ones, or all with `all`.
#[tauri::command]
pub async fn check_watches(shell: State<'_, Shell>, all: bool) -> Result<WatchCheck, CommandError> {
    shell.check_watches(all).await
}

/// Runs store work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&Shell) -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<Shell>()))
        .await
        .map_err(|e| CommandError::internal(format!("the work stopped unexpectedly: {e}")))?
}
