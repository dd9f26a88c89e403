//! Pifa's desktop shell: Tauri glue over `pifa_core`. Commands live in [`commands`] and stay
//! thin; anything worth testing without a window belongs in the core.

mod args;
mod batch;
mod commands;
mod error;
mod online;
mod shell;
mod shortlists;
mod sourcing;
mod watches;

pub use error::CommandError;
pub use shell::{AppInfo, Shell};

use tauri::Manager;

pub fn run() {
    let args = args::Args::parse(std::env::args().skip(1));
    let shell = Shell::start(args.data_dir.as_deref());

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
        .manage(shell)
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
