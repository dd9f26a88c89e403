//! `#[tauri::command]` shims: unpack Tauri's arguments, call the shell, return its result.

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
