//! Pifa's desktop shell: Tauri glue over the application layer (`pifa_workbench`). It
//! registers the state, exposes each action as a thin command, emits what background work
//! reports, and runs the watch scheduler; every policy lives in the layer.

mod args;
mod commands;
mod contract;
mod watches;

pub use pifa_workbench::{AppInfo, CommandError, Workbench};

use pifa_workbench::events::Event;
use pifa_workbench::ConnectOptions;
use tauri::{AppHandle, Emitter, Manager};

/// Tells the window what background work did; a closed window just misses it.
pub(crate) fn emit(app: &AppHandle, event: Event) {
    if let Err(e) = app.emit(event.name(), event.payload()) {
        tracing::warn!(
            event = event.name(),
            "an event could not be sent to the window: {e}"
        );
    }
}

pub fn run() {
    let args = args::Args::parse(std::env::args().skip(1));
    // First, so opening the files can log what it worked around. Tauri's own `log` records go
    // to the same file.
    pifa_workbench::logs::start(args.data_dir.as_deref());
    tracing::info!(version = pifa_core::VERSION, "Pifa started");
    // Opened before the async runtime runs: choosing the mode reads the keyring, blocking.
    let workbench = Workbench::open(args.data_dir.as_deref(), ConnectOptions::app());

    let builder = tauri::Builder::default()
        // Registered first so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .manage(workbench)
        .setup(|app| {
            watches::start_scheduler(app.handle().clone());
            Ok(())
        });
    // Every command the window can call, from the one list that also writes the UI's wrappers.
    contract::register(builder)
        .run(tauri::generate_context!())
        .expect("the Pifa window could not be started");
}
