//! The desktop notification when a health target becomes breached (off by default, in
//! Settings). The workbench judges the targets and says which to tell; this only asks every
//! round and tells the desktop.

use std::time::Duration;

use pifa_core::health::Target;
use pifa_core::{notification, words, Language};
use pifa_workbench::BreachNotices;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::Workbench;

/// How often the targets are judged: as often as the watch scheduler's rounds.
const TICK: Duration = Duration::from_secs(60);

/// Judges the targets now and then every [`TICK`]; see [`Workbench::breaches_to_tell`].
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let notices = std::sync::Arc::new(std::sync::Mutex::new(BreachNotices::default()));
        loop {
            let (handle, notices) = (app.clone(), notices.clone());
            let round = tauri::async_runtime::spawn_blocking(move || {
                let workbench = handle.state::<Workbench>();
                let mut notices = notices.lock().unwrap_or_else(|e| e.into_inner());
                workbench
                    .breaches_to_tell(&mut notices)
                    .map(|new| (new, workbench.language()))
            })
            .await;
            match round {
                Ok(Ok((new, language))) => {
                    if !new.is_empty() {
                        let new: Vec<&Target> = new.iter().collect();
                        tell(&app, &new, language);
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!(code = %e.code, "the health targets could not be judged: {}", e.message)
                }
                Err(e) => tracing::warn!("judging the health targets stopped: {e}"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

fn tell(app: &AppHandle, new: &[&Target], language: Language) {
    let title = words::text(language, words::NOTIFY_HEALTH_TITLE, &[]);
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(notification::breached_targets(new, language))
        .show()
    {
        tracing::warn!("the health notification could not be shown: {e}");
    }
}
