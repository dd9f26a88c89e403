//! Where exports are saved: the native save dialog, with the folder and free name the workbench
//! chose preselected; or, with `--save-to DIR` (automation and the E2E tests, which cannot drive
//! a native dialog), that folder without asking. The last file saved is remembered so "Show in
//! folder" opens a folder Pifa chose, never a path sent by the window.

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

use crate::CommandError;

pub struct Exports {
    save_to: Option<PathBuf>,
    last: Mutex<Option<PathBuf>>,
}

impl Exports {
    pub fn new(save_to: Option<PathBuf>) -> Exports {
        Exports {
            save_to,
            last: Mutex::new(None),
        }
    }
}

/// The file to write: the user's choice in the dialog (`None` when cancelled), or the name in
/// the `--save-to` folder.
pub async fn choose(
    app: &AppHandle,
    dir: PathBuf,
    name: String,
) -> Result<Option<PathBuf>, CommandError> {
    if let Some(folder) = &app.state::<Exports>().save_to {
        return Ok(Some(folder.join(name)));
    }
    let dialog = app
        .dialog()
        .file()
        .set_directory(dir)
        .set_file_name(name)
        .add_filter("CSV", &["csv"]);
    // The dialog blocks its caller until the user answers: never on the main thread.
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(|e| {
            CommandError::internal(format!("the save dialog stopped unexpectedly: {e}"))
        })?;
    chosen
        .map(|path| {
            path.into_path().map_err(|e| {
                CommandError::internal(format!("the save dialog gave no usable path: {e}"))
            })
        })
        .transpose()
}

/// Remembers a written export for "Show in folder".
pub fn saved(app: &AppHandle, path: &std::path::Path) {
    *app.state::<Exports>()
        .last
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(path.to_owned());
}

/// The folder of the last export, if there was one.
pub fn last_folder(app: &AppHandle) -> Option<PathBuf> {
    app.state::<Exports>()
        .last
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|path| path.parent().map(PathBuf::from))
}
