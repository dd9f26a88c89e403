//! `#[tauri::command]` shims: unpack Tauri's arguments, call the shell, return its result.

use pifa_core::Language;
use tauri::State;

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
