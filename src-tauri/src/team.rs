//! Keeps this desktop's copy of the team's data fresh while the app runs (the workbench does
//! the copying), and tells the window when it changed or when the team database went away or
//! came back.

use std::time::Duration;

use pifa_workbench::events::{Event, TeamSynced};
use tauri::{AppHandle, Manager};

use crate::{emit, Workbench};

/// How often the team's edits reach this desktop.
const TICK: Duration = Duration::from_secs(5);

pub fn start_syncing(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut was_offline = false;
        loop {
            tokio::time::sleep(TICK).await;
            let workbench = app.state::<Workbench>();
            if !workbench.in_team() {
                was_offline = false;
                continue;
            }
            let (changed, error) = match workbench.sync_team().await {
                Ok(changed) => (changed, None),
                Err(e) => {
                    if !was_offline {
                        tracing::warn!(code = %e.code, "the team's data could not be copied: {}", e.message);
                    }
                    (false, Some(e))
                }
            };
            let offline = error.is_some();
            if changed || offline != was_offline {
                emit(&app, Event::TeamSynced(TeamSynced { changed, error }));
            }
            was_offline = offline;
        }
    });
}
