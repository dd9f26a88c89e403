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
        // The first round right away: the window learns of an unreachable team database at
        // launch (also through `app_info`), not a tick later.
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
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
            // Said every round while offline: a window that started listening late still
            // shows the read-only label within a tick.
            if changed || offline || offline != was_offline {
                emit(&app, Event::TeamSynced(TeamSynced { changed, error }));
            }
            was_offline = offline;
        }
    });
}
