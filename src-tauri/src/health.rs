//! The desktop notification when a health target becomes breached (off by default, in
//! Settings). The workbench judges the targets and says which to tell; this only asks every
//! round and tells the desktop.

use std::time::Duration;

use pifa_core::health::{Target, TargetKey};
use pifa_core::{words, Language};
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

fn target_name(key: TargetKey, language: Language) -> Option<String> {
    let word = match key {
        TargetKey::SuccessRate => words::HEALTH_SUCCESS_RATE,
        TargetKey::LatencyMeanMs => words::HEALTH_LATENCY_MEAN,
        TargetKey::CacheHitRate => words::HEALTH_CACHE_HIT_RATE,
        TargetKey::ThrottledToday => words::HEALTH_THROTTLED_TODAY,
        TargetKey::UpdateLagMaxMinutes => words::HEALTH_UPDATE_LAG,
        // Figures beside the targets are never breached.
        TargetKey::LatencyP95Ms | TargetKey::UpdateLagP95Minutes => return None,
    };
    Some(words::text(language, word, &[]))
}

/// The notification's body: the newly breached targets by name, in the user's language.
fn body(new: &[&Target], language: Language) -> String {
    let separator = match language {
        Language::SimplifiedChinese => "、",
        Language::English => ", ",
    };
    let names: Vec<String> = new
        .iter()
        .filter_map(|t| target_name(t.key, language))
        .collect();
    words::text(
        language,
        words::NOTIFY_HEALTH_BREACHED,
        &[("targets", &names.join(separator))],
    )
}

fn tell(app: &AppHandle, new: &[&Target], language: Language) {
    let title = words::text(language, words::NOTIFY_HEALTH_TITLE, &[]);
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(body(new, language))
        .show()
    {
        tracing::warn!("the health notification could not be shown: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pifa_core::health::TargetState;

    #[test]
    fn the_body_names_the_breached_targets_in_the_users_language() {
        let breached = |key| Target {
            key,
            value: Some(1.0),
            threshold: None,
            state: TargetState::Breached,
            trend: Vec::new(),
        };
        let (a, b) = (
            breached(TargetKey::SuccessRate),
            breached(TargetKey::CacheHitRate),
        );
        assert_eq!(
            body(&[&a, &b], Language::English),
            "Past the threshold over the last 24 hours: API call success rate, Cache hit rate. Details on the Status page."
        );
        assert_eq!(
            body(&[&a], Language::SimplifiedChinese),
            "最近 24 小时超出阈值：API 调用成功率。详情见“运行状态”页。"
        );
    }
}
