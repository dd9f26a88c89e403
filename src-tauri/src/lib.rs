//! Pifa's desktop shell: Tauri glue over the application layer (`pifa_workbench`). It
//! registers the state, exposes each action as a thin command, emits what background work
//! reports, and runs the watch scheduler; every policy lives in the layer.

mod args;
mod commands;
mod contract;
mod health;
mod images;
mod save;
mod team;
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
    let data_dir = args.data_dir;

    let builder = tauri::Builder::default()
        // Registered first: its setup runs while the app is built, before `setup` below. A second
        // launch hands over there and the plugin ends the process at once, with whatever threads
        // are running (tauri#10387); so no store, keyring read or search index is started before.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        // Both used from Rust only (`open_on_1688`, `copy_offer_link`): the window holds no
        // permission for them, so it cannot open or copy anything of its own.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        .plugin(tauri_plugin_clipboard_manager::init())
        // Used from Rust only (`save`): the window cannot open a dialog of its own.
        .plugin(tauri_plugin_dialog::init())
        .manage(save::Exports::new(args.save_to))
        // Offer pictures come through the workbench's disk cache (see `images`).
        .register_asynchronous_uri_scheme_protocol(images::SCHEME, images::handle)
        .setup(move |app| {
            // Opened on the main thread before the event loop turns, so no command or picture
            // request can reach the window's state before it is managed. Off the async runtime:
            // choosing the mode reads the keyring, blocking.
            let workbench = Workbench::open(data_dir.as_deref(), ConnectOptions::app());
            workbench.prepare_search_in_background();
            app.manage(workbench);
            watches::start_scheduler(app.handle().clone());
            team::start_syncing(app.handle().clone());
            health::start(app.handle().clone());
            Ok(())
        });
    // Every command the window can call, from the one list that also writes the UI's wrappers.
    contract::register(builder)
        .build(tauri::generate_context!())
        .expect("the Pifa window could not be started")
        .run(|app, event| {
            // The process ends without dropping the managed workbench: the gateway calls
            // recorded since the last flush are written now, or they would be lost.
            if let tauri::RunEvent::Exit = event {
                let Some(workbench) = app.try_state::<Workbench>() else {
                    return;
                };
                if let Err(e) = workbench.flush_calls() {
                    tracing::warn!(code = %e.code, "gateway calls were lost at exit: {}", e.message);
                }
            }
        });
}

#[cfg(test)]
mod capability_tests {
    use std::path::Path;

    /// The window may listen to Pifa's events and nothing more of Tauri's: no paths, images,
    /// menus, emitting or plugins (security review L3). Widening it is a decision, not a drift.
    #[test]
    fn the_window_is_granted_only_listening_to_events() {
        // The app's manifest is the repository's top-level Cargo.toml.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
        let text = std::fs::read_to_string(root.join("capabilities/default.json")).unwrap();
        let capability: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            capability["permissions"],
            serde_json::json!(["core:event:allow-listen", "core:event:allow-unlisten"])
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        let others: Vec<_> = std::fs::read_dir(root.join("capabilities"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|name| name != "default.json")
            .collect();
        assert!(others.is_empty(), "another capability: {others:?}");
    }

    /// What the UI takes from Tauri's JavaScript API is what the capability allows (and what
    /// needs no permission: invoke, Channel, convertFileSrc).
    #[test]
    fn the_ui_uses_only_invoke_channels_and_listening() {
        let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src");
        let mut used = std::collections::BTreeSet::new();
        let mut dirs = vec![ui];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for quote in ["'", "\""] {
                    for part in text.split(&format!("{quote}@tauri-apps/")).skip(1) {
                        used.insert(part.split(quote).next().unwrap_or_default().to_owned());
                    }
                }
            }
        }
        assert!(used.contains("api/event"), "the scan found {used:?}");
        assert!(
            used.iter().all(|m| m == "api/core" || m == "api/event"),
            "the UI uses {used:?}: grant what it needs in capabilities/default.json"
        );
    }
}
