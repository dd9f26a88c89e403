//! The user's preferences, kept in `settings.json` in the data directory.
//!
//! Writes go to a temporary file that is synced and then renamed over the old one, so a crash or
//! a full disk never leaves a half-written file. A file that cannot be parsed is set aside as
//! `settings.json.unreadable` (not deleted), the defaults apply, and the load says so. Intervals
//! outside what the Settings page accepts are brought inside it on load.

use std::fs;
use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{files, Error, Language, Notice, Result};

/// Cache lifetimes and the watch interval the user may choose, in minutes: a minute to a week.
pub const MINUTES: RangeInclusive<u32> = 1..=7 * 24 * 60;

/// `minutes` when it is in [`MINUTES`], else `settings.bad_ttl`.
pub fn check_minutes(minutes: u32) -> Result<u32> {
    if MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Error::BadInterval(minutes))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    /// The UI language the user picked; `None` follows the OS locale.
    pub language: Option<Language>,
    /// The gateway live mode calls, when not the live 1688 one (an aggregator, or a double).
    pub gateway: Option<String>,
    /// How long a fetched offer detail counts as fresh; `None` is the default hour.
    pub detail_ttl_minutes: Option<u32>,
    /// How long a fetched search page counts as fresh; `None` is the default 10 minutes.
    pub search_ttl_minutes: Option<u32>,
    /// How often watched offers are checked; `None` is the default hour.
    pub watch_interval_minutes: Option<u32>,
    /// The health targets' thresholds where the user's differ from the brief's.
    pub health_thresholds: crate::health::ThresholdOverrides,
    /// A desktop notification when a health target becomes breached; off by default.
    pub health_notify: bool,
    /// Faults the demo gateway simulates; off by default, never applied to a live gateway.
    pub demo_faults: crate::DemoFaults,
    /// The team this desktop joined (team mode); `None` keeps everything on this computer.
    pub team: Option<TeamMembership>,
}

/// Which team database this desktop shares and as whom. No secret: the database password and
/// the team key are in the keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamMembership {
    /// The database's address without its password.
    pub address: String,
    pub team_id: String,
    pub team_name: String,
    pub member_id: String,
    pub member_name: String,
}

impl Settings {
    /// The language to show: the user's choice, else the OS locale's.
    pub fn effective_language(&self, os_language: Language) -> Language {
        self.language.unwrap_or(os_language)
    }

    /// The settings with every interval inside [`MINUTES`]: a hand-edited file may say 0, which
    /// would check every watch every minute.
    fn clamped(self) -> Settings {
        let clamp = |m: Option<u32>| m.map(|m| m.clamp(*MINUTES.start(), *MINUTES.end()));
        Settings {
            detail_ttl_minutes: clamp(self.detail_ttl_minutes),
            search_ttl_minutes: clamp(self.search_ttl_minutes),
            watch_interval_minutes: clamp(self.watch_interval_minutes),
            health_thresholds: self.health_thresholds.clamped(),
            ..self
        }
    }
}

/// Settings as loaded, and what the user should hear about the load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    pub settings: Settings,
    /// `settings.reset` when the file could not be parsed and the defaults apply.
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    pub fn new(path: impl Into<PathBuf>) -> SettingsStore {
        SettingsStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the settings; a missing file means defaults.
    pub fn load(&self) -> Result<Settings> {
        self.load_with_notice().map(|loaded| loaded.settings)
    }

    /// Reads the settings and says when an unparsable file was set aside. Only the load that
    /// sets the file aside says so, so callers that show notices load this way first.
    pub fn load_with_notice(&self) -> Result<Loaded> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(source) => {
                return Err(Error::SettingsUnreadable {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        match serde_json::from_slice::<Settings>(&bytes) {
            Ok(settings) => Ok(Loaded {
                settings: settings.clamped(),
                notice: None,
            }),
            Err(e) => {
                // Keep the user's file for inspection instead of overwriting it on the next save.
                let aside = self.path.with_extension("json.unreadable");
                fs::rename(&self.path, &aside).map_err(|source| Error::SettingsUnreadable {
                    path: self.path.clone(),
                    source,
                })?;
                let message = format!(
                    "the settings file {} could not be read ({e}), so every setting is back to its default; the old file is kept as {}",
                    self.path.display(),
                    aside.display()
                );
                Ok(Loaded {
                    settings: Settings::default(),
                    notice: Some(Notice::new("settings.reset", message, aside)),
                })
            }
        }
    }

    /// Replaces the settings file atomically.
    pub fn save(&self, settings: &Settings) -> Result<()> {
        let unwritable = |source| Error::SettingsUnwritable {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(settings)
            .map_err(io::Error::other)
            .map_err(unwritable)?;
        files::replace(&self.path, |file| file.write_all(&json)).map_err(unwritable)
    }

    /// Loads, changes and saves in one step.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings> {
        let mut settings = self.load()?;
        change(&mut settings);
        self.save(&settings)?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, SettingsStore) {
        let tmp = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(tmp.path().join("settings.json"));
        (tmp, store)
    }

    #[test]
    fn missing_file_gives_defaults_that_follow_the_os() {
        let (_tmp, store) = store();
        let settings = store.load().unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(
            settings.effective_language(Language::SimplifiedChinese),
            Language::SimplifiedChinese
        );
    }

    #[test]
    fn a_chosen_language_is_remembered_and_beats_the_os() {
        let (_tmp, store) = store();
        store
            .update(|s| s.language = Some(Language::SimplifiedChinese))
            .unwrap();
        let reloaded = SettingsStore::new(store.path()).load().unwrap();
        assert_eq!(reloaded.language, Some(Language::SimplifiedChinese));
        assert_eq!(
            reloaded.effective_language(Language::English),
            Language::SimplifiedChinese
        );
        let on_disk = fs::read_to_string(store.path()).unwrap();
        assert!(on_disk.contains("\"language\": \"zh-CN\""), "{on_disk}");
    }

    #[test]
    fn a_corrupt_file_is_set_aside_not_lost_and_the_reset_is_reported() {
        let (tmp, store) = store();
        fs::write(store.path(), "{ not json").unwrap();
        let loaded = store.load_with_notice().unwrap();
        assert_eq!(loaded.settings, Settings::default());
        let aside = tmp.path().join("settings.json.unreadable");
        let notice = loaded.notice.expect("the reset is reported");
        assert_eq!(notice.code, "settings.reset");
        assert_eq!(notice.path, aside);
        assert!(notice.message.contains("settings.json"), "{notice:?}");
        assert_eq!(fs::read_to_string(aside).unwrap(), "{ not json");
        // Reported once: the defaults now load quietly.
        assert_eq!(store.load_with_notice().unwrap(), Loaded::default());
    }

    #[test]
    fn a_newer_versions_language_resets_with_a_notice() {
        let (_tmp, store) = store();
        fs::write(store.path(), r#"{"language":"ja","detailTtlMinutes":30}"#).unwrap();
        let loaded = store.load_with_notice().unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.notice.is_some());
    }

    #[test]
    fn intervals_from_the_file_are_kept_in_range() {
        let (_tmp, store) = store();
        fs::write(
            store.path(),
            r#"{"detailTtlMinutes":0,"searchTtlMinutes":99999999,"watchIntervalMinutes":30}"#,
        )
        .unwrap();
        let loaded = store.load_with_notice().unwrap();
        assert_eq!(loaded.notice, None);
        let settings = loaded.settings;
        assert_eq!(settings.detail_ttl_minutes, Some(1));
        assert_eq!(settings.search_ttl_minutes, Some(7 * 24 * 60));
        assert_eq!(settings.watch_interval_minutes, Some(30));
    }

    #[test]
    fn the_interval_policy_names_its_range() {
        assert_eq!(check_minutes(1).unwrap(), 1);
        assert_eq!(check_minutes(10_080).unwrap(), 10_080);
        for bad in [0, 10_081] {
            let err = check_minutes(bad).unwrap_err();
            assert_eq!(err.code(), "settings.bad_ttl");
            assert!(err.to_string().contains("1 to 10080 minutes"), "{err}");
        }
    }

    #[test]
    fn a_failed_write_is_named_and_leaves_no_temporary_file() {
        let (tmp, store) = store();
        // A directory with something in it where the file should go: the rename fails.
        fs::create_dir_all(store.path().join("inside")).unwrap();
        let err = store.save(&Settings::default()).unwrap_err();
        assert_eq!(err.code(), "settings.unwritable");
        assert!(err.to_string().contains("settings.json"), "{err}");
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.json"]);
        assert!(store.path().join("inside").is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_a_planted_temporary_link_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let (tmp, store) = store();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, tmp.path().join("settings.json.tmp")).unwrap();
        store
            .update(|s| s.language = Some(Language::English))
            .unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        let mode = fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn unknown_fields_from_newer_versions_are_ignored() {
        let (_tmp, store) = store();
        fs::write(store.path(), r#"{"language":"en","futureThing":3}"#).unwrap();
        assert_eq!(store.load().unwrap().language, Some(Language::English));
    }
}
