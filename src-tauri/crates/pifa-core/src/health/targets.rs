//! The product brief's five monitoring targets and how a value is judged against them.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which figure a target is about; the names are the `--json` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TargetKey {
    /// Calls on the wire answered properly, in percent of all calls on the wire.
    SuccessRate,
    LatencyMeanMs,
    /// Shown beside the mean; the brief sets no threshold for it.
    LatencyP95Ms,
    /// Cache lookups answered fresh, in percent of all lookups (stale answers are not hits).
    CacheHitRate,
    /// Calls answered with a frequency limit since local midnight.
    ThrottledToday,
    /// How far the most outdated watched offer's price is behind its schedule.
    UpdateLagMaxMinutes,
    /// Shown beside the worst; no threshold of its own.
    UpdateLagP95Minutes,
}

impl TargetKey {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKey::SuccessRate => "successRate",
            TargetKey::LatencyMeanMs => "latencyMeanMs",
            TargetKey::LatencyP95Ms => "latencyP95Ms",
            TargetKey::CacheHitRate => "cacheHitRate",
            TargetKey::ThrottledToday => "throttledToday",
            TargetKey::UpdateLagMaxMinutes => "updateLagMaxMinutes",
            TargetKey::UpdateLagP95Minutes => "updateLagP95Minutes",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "ThresholdDirection")]
pub enum Direction {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Threshold {
    pub limit: f64,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TargetState {
    Ok,
    /// Within the threshold, but over [`WARNING_SHARE`] of the room it allows is used.
    Warning,
    Breached,
    /// Nothing measured in the window (no calls, no lookups, no watches).
    NoData,
    /// A figure shown beside the targets, with no threshold of its own.
    Info,
}

/// A target warns once this share of its allowance is used: 80% of the failures a 99.5%
/// success rate allows, 400 ms of a 500 ms mean, 8 of 10 throttled calls.
pub const WARNING_SHARE: f64 = 0.8;

/// The thresholds in one place: the brief's by default; a Settings override can replace any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Percent.
    pub success_rate_min: f64,
    pub latency_mean_max_ms: f64,
    /// Percent.
    pub cache_hit_rate_min: f64,
    pub throttled_per_day_max: f64,
    pub update_lag_max_minutes: f64,
}

/// The product brief's targets.
pub const BRIEF: Thresholds = Thresholds {
    success_rate_min: 99.5,
    latency_mean_max_ms: 500.0,
    cache_hit_rate_min: 80.0,
    throttled_per_day_max: 10.0,
    update_lag_max_minutes: 10.0,
};

impl Default for Thresholds {
    fn default() -> Self {
        BRIEF
    }
}

impl Thresholds {
    pub fn of(&self, key: TargetKey) -> Option<Threshold> {
        let (limit, direction) = match key {
            TargetKey::SuccessRate => (self.success_rate_min, Direction::AtLeast),
            TargetKey::LatencyMeanMs => (self.latency_mean_max_ms, Direction::AtMost),
            TargetKey::CacheHitRate => (self.cache_hit_rate_min, Direction::AtLeast),
            TargetKey::ThrottledToday => (self.throttled_per_day_max, Direction::AtMost),
            TargetKey::UpdateLagMaxMinutes => (self.update_lag_max_minutes, Direction::AtMost),
            TargetKey::LatencyP95Ms | TargetKey::UpdateLagP95Minutes => return None,
        };
        Some(Threshold { limit, direction })
    }
}

/// Judges `value` against `threshold`. At-least targets are percentages: their allowance is
/// what lies between the limit and 100%.
pub fn judge(value: Option<f64>, threshold: Option<Threshold>) -> TargetState {
    let (Some(value), Some(threshold)) = (value, threshold) else {
        return match value {
            None => TargetState::NoData,
            Some(_) => TargetState::Info,
        };
    };
    match threshold.direction {
        Direction::AtMost if value > threshold.limit => TargetState::Breached,
        Direction::AtMost if value > threshold.limit * WARNING_SHARE => TargetState::Warning,
        Direction::AtLeast if value < threshold.limit => TargetState::Breached,
        Direction::AtLeast if 100.0 - value > (100.0 - threshold.limit) * WARNING_SHARE => {
            TargetState::Warning
        }
        _ => TargetState::Ok,
    }
}

/// The user's own thresholds, kept in Settings; each `None` is the brief's. Whole numbers, so
/// a hand-edited file cannot hold a NaN: percentages in hundredths of a percent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export)]
pub struct ThresholdOverrides {
    /// Success rate at least, in hundredths of a percent (9950 = 99.5%).
    pub success_rate_bp: Option<u32>,
    pub latency_mean_ms: Option<u32>,
    /// Cache hit rate at least, in hundredths of a percent.
    pub cache_hit_rate_bp: Option<u32>,
    pub throttled_per_day: Option<u32>,
    pub update_lag_minutes: Option<u32>,
}

/// What each override may be; a value outside is brought inside on load.
pub const PERCENT_BP: RangeInclusive<u32> = 0..=10_000;
pub const LATENCY_MS: RangeInclusive<u32> = 1..=120_000;
pub const THROTTLED_PER_DAY: RangeInclusive<u32> = 0..=1_000_000;
pub const LAG_MINUTES: RangeInclusive<u32> = 0..=7 * 24 * 60;

impl ThresholdOverrides {
    /// Every override inside its range.
    pub fn clamped(self) -> ThresholdOverrides {
        let clamp = |value: Option<u32>, range: RangeInclusive<u32>| {
            value.map(|v| v.clamp(*range.start(), *range.end()))
        };
        ThresholdOverrides {
            success_rate_bp: clamp(self.success_rate_bp, PERCENT_BP),
            latency_mean_ms: clamp(self.latency_mean_ms, LATENCY_MS),
            cache_hit_rate_bp: clamp(self.cache_hit_rate_bp, PERCENT_BP),
            throttled_per_day: clamp(self.throttled_per_day, THROTTLED_PER_DAY),
            update_lag_minutes: clamp(self.update_lag_minutes, LAG_MINUTES),
        }
    }
}

impl ThresholdOverrides {
    /// The brief's thresholds written as overrides: what Settings shows and resets to.
    pub fn brief() -> ThresholdOverrides {
        let whole = |value: f64, scale: f64| Some((value * scale).round() as u32);
        ThresholdOverrides {
            success_rate_bp: whole(BRIEF.success_rate_min, 100.0),
            latency_mean_ms: whole(BRIEF.latency_mean_max_ms, 1.0),
            cache_hit_rate_bp: whole(BRIEF.cache_hit_rate_min, 100.0),
            throttled_per_day: whole(BRIEF.throttled_per_day_max, 1.0),
            update_lag_minutes: whole(BRIEF.update_lag_max_minutes, 1.0),
        }
    }

    /// Every threshold in effect: the user's where set, else the brief's.
    pub fn effective(&self) -> ThresholdOverrides {
        let brief = ThresholdOverrides::brief();
        let o = self.clone().clamped();
        ThresholdOverrides {
            success_rate_bp: o.success_rate_bp.or(brief.success_rate_bp),
            latency_mean_ms: o.latency_mean_ms.or(brief.latency_mean_ms),
            cache_hit_rate_bp: o.cache_hit_rate_bp.or(brief.cache_hit_rate_bp),
            throttled_per_day: o.throttled_per_day.or(brief.throttled_per_day),
            update_lag_minutes: o.update_lag_minutes.or(brief.update_lag_minutes),
        }
    }

    /// What the user asked for, refused by name when a value is outside its range; a value
    /// equal to the brief's is kept as "the brief's" (`None`), so it follows the brief.
    pub fn checked(self) -> crate::Result<ThresholdOverrides> {
        let brief = ThresholdOverrides::brief();
        let check = |value: Option<u32>,
                     range: RangeInclusive<u32>,
                     brief: Option<u32>,
                     name: &str|
         -> crate::Result<Option<u32>> {
            match value {
                Some(v) if !range.contains(&v) => Err(crate::Error::BadThreshold(format!(
                    "the {name} threshold {v} is outside {} to {}",
                    range.start(),
                    range.end()
                ))),
                v if v == brief => Ok(None),
                v => Ok(v),
            }
        };
        Ok(ThresholdOverrides {
            success_rate_bp: check(
                self.success_rate_bp,
                PERCENT_BP,
                brief.success_rate_bp,
                "success rate (hundredths of a percent)",
            )?,
            latency_mean_ms: check(
                self.latency_mean_ms,
                LATENCY_MS,
                brief.latency_mean_ms,
                "mean response time (ms)",
            )?,
            cache_hit_rate_bp: check(
                self.cache_hit_rate_bp,
                PERCENT_BP,
                brief.cache_hit_rate_bp,
                "cache hit rate (hundredths of a percent)",
            )?,
            throttled_per_day: check(
                self.throttled_per_day,
                THROTTLED_PER_DAY,
                brief.throttled_per_day,
                "rate-limit hits a day",
            )?,
            update_lag_minutes: check(
                self.update_lag_minutes,
                LAG_MINUTES,
                brief.update_lag_minutes,
                "update lag (minutes)",
            )?,
        })
    }
}

impl From<&ThresholdOverrides> for Thresholds {
    /// The brief's thresholds with the user's overrides (clamped) in their place.
    fn from(overrides: &ThresholdOverrides) -> Thresholds {
        let o = overrides.clone().clamped();
        let or = |value: Option<u32>, scale: f64, brief: f64| {
            value.map_or(brief, |v| f64::from(v) / scale)
        };
        Thresholds {
            success_rate_min: or(o.success_rate_bp, 100.0, BRIEF.success_rate_min),
            latency_mean_max_ms: or(o.latency_mean_ms, 1.0, BRIEF.latency_mean_max_ms),
            cache_hit_rate_min: or(o.cache_hit_rate_bp, 100.0, BRIEF.cache_hit_rate_min),
            throttled_per_day_max: or(o.throttled_per_day, 1.0, BRIEF.throttled_per_day_max),
            update_lag_max_minutes: or(o.update_lag_minutes, 1.0, BRIEF.update_lag_max_minutes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_thresholds_and_the_warning_share() {
        let at = |key| BRIEF.of(key);
        let success = at(TargetKey::SuccessRate);
        assert_eq!(judge(Some(100.0), success), TargetState::Ok);
        assert_eq!(judge(Some(99.5), success), TargetState::Warning);
        assert_eq!(judge(Some(99.49), success), TargetState::Breached);
        assert_eq!(judge(Some(99.95), success), TargetState::Ok);
        let throttled = at(TargetKey::ThrottledToday);
        assert_eq!(judge(Some(8.0), throttled), TargetState::Ok);
        assert_eq!(judge(Some(9.0), throttled), TargetState::Warning);
        assert_eq!(judge(Some(10.0), throttled), TargetState::Warning);
        assert_eq!(judge(Some(11.0), throttled), TargetState::Breached);
        assert_eq!(judge(None, throttled), TargetState::NoData);
        assert_eq!(
            judge(Some(3.0), at(TargetKey::LatencyP95Ms)),
            TargetState::Info
        );
    }

    #[test]
    fn overrides_from_settings_replace_the_brief_within_their_ranges() {
        let tmp = tempfile::tempdir().unwrap();
        let store = crate::SettingsStore::new(tmp.path().join("settings.json"));
        assert_eq!(
            Thresholds::from(&store.load().unwrap().health_thresholds),
            BRIEF
        );
        // Hand-edited: a success rate over 100% and a zero latency are brought inside.
        std::fs::write(
            store.path(),
            r#"{"healthThresholds": {"successRateBp": 12000, "latencyMeanMs": 0, "throttledPerDay": 3}}"#,
        )
        .unwrap();
        let thresholds = Thresholds::from(&store.load().unwrap().health_thresholds);
        assert_eq!(thresholds.success_rate_min, 100.0);
        assert_eq!(thresholds.latency_mean_max_ms, 1.0);
        assert_eq!(thresholds.throttled_per_day_max, 3.0);
        assert_eq!(thresholds.cache_hit_rate_min, BRIEF.cache_hit_rate_min);
        let overrides = ThresholdOverrides {
            cache_hit_rate_bp: Some(9_025),
            ..ThresholdOverrides::default()
        };
        assert_eq!(Thresholds::from(&overrides).cache_hit_rate_min, 90.25);
    }

    #[test]
    fn settings_accept_thresholds_in_range_and_keep_the_briefs_as_the_brief() {
        let brief = ThresholdOverrides::brief();
        assert_eq!(brief.success_rate_bp, Some(9_950));
        assert_eq!(brief.cache_hit_rate_bp, Some(8_000));
        assert_eq!(Thresholds::from(&brief), BRIEF);
        assert_eq!(
            brief.clone().checked().unwrap(),
            ThresholdOverrides::default()
        );
        let mine = ThresholdOverrides {
            latency_mean_ms: Some(800),
            ..brief.clone()
        };
        let kept = mine.checked().unwrap();
        assert_eq!(kept.latency_mean_ms, Some(800));
        assert_eq!(kept.success_rate_bp, None);
        assert_eq!(kept.effective().latency_mean_ms, Some(800));
        assert_eq!(kept.effective().update_lag_minutes, Some(10));
        let bad = ThresholdOverrides {
            success_rate_bp: Some(10_001),
            ..ThresholdOverrides::default()
        };
        let err = bad.checked().unwrap_err();
        assert_eq!(err.code(), "settings.bad_threshold");
        assert!(err.to_string().contains("0 to 10000"), "{err}");
        let zero = ThresholdOverrides {
            latency_mean_ms: Some(0),
            ..ThresholdOverrides::default()
        };
        assert!(zero.checked().is_err());
    }
}
