//! Pifa's desktop shell: Tauri glue over the application layer (`pifa_workbench`). It
//! registers the state, exposes each action as a thin command, emits what background work
//! reports, and runs the watch scheduler; every policy lives in the layer.

mod args;
mod commands;
mod watches;

pub use pifa_workbench::{AppInfo, CommandError, Workbench};

use pifa_workbench::events::Event;
use pifa_workbench::ConnectOptions;
use tauri::{AppHandle, Emitter, Manager};

/// Tells the window what background work did; a closed window just misses it.
pub(crate) fn emit(app: &AppHandle, event: Event) {
    let _ = app.emit(event.name(), event.payload());
}

pub fn run() {
    let args = args::Args::parse(std::env::args().skip(1));
    // Opened before the async runtime runs: choosing the mode reads the keyring, blocking.
    let workbench = Workbench::open(args.data_dir.as_deref(), ConnectOptions::app());

    tauri::Builder::default()
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
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::search_offers,
            commands::search_1688,
            commands::fetch_offer,
            commands::connect_live,
            commands::use_demo,
            commands::set_refresh_settings,
            commands::run_batch,
            commands::cancel_batch,
            commands::paused_offers,
            commands::resume_offers,
            commands::health,
            commands::stored_offer,
            commands::quote_offer,
            commands::shortlists,
            commands::create_shortlist,
            commands::rename_shortlist,
            commands::delete_shortlist,
            commands::add_to_shortlist,
            commands::remove_from_shortlist,
            commands::set_shortlist_entry,
            commands::shortlist_page,
            commands::shortlists_of,
            commands::export_shortlist,
            commands::watch_offer,
            commands::unwatch_offer,
            commands::watch_of,
            commands::watches,
            commands::price_history,
            commands::alerts,
            commands::mark_alerts_seen,
            commands::check_watches
        ])
        .run(tauri::generate_context!())
        .expect("the Pifa window could not be started");
}
