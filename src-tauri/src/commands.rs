//! `#[tauri::command]` shims: unpack Tauri's arguments, call the shell, return its result.

use pifa_core::offer::Offer;
use pifa_core::sourcing::SearchResults;
use pifa_core::store::{OfferPage, OfferQuery};
use pifa_core::Language;
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
    tauri::async_runtime::spawn_blocking(move || app.state::<Shell>().search_offers(&query))
        .await
        .map_err(|e| CommandError::internal(format!("the search stopped unexpectedly: {e}")))?
}

/// One page of a 1688 keyword search (the demo gateway until live credentials are set).
#[tauri::command]
pub async fn search_1688(
    shell: State<'_, Shell>,
    keyword: String,
    page: u32,
) -> Result<SearchResults, CommandError> {
    shell.search_1688(&keyword, page).await
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
