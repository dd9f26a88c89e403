//! The user's preferences, kept in `settings.json` in the data directory.
//!
//! Writes go to a temporary file that is synced and then renamed over the old one, so a crash or
//! a full disk never leaves a half-written file. A file that cannot be parsed is set aside as
//! `settings.json.unreadable` (not deleted) and the defaults apply.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Language, Result};

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
}

impl Settings {
    /// The language to show: the user's choice, else the OS locale's.
    pub fn effective_language(&self, os_language: Language) -> Language {
        self.language.unwrap_or(os_language)
    }
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
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => {
                return Err(Error::SettingsUnreadable {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(settings) => Ok(settings),
            Err(_) => {
                // Keep the user's file for inspection instead of overwriting it on the next save.
                let aside = self.path.with_extension("json.unreadable");
                fs::rename(&self.path, &aside).map_err(|source| Error::SettingsUnreadable {
                    path: self.path.clone(),
                    source,
                })?;
                Ok(Settings::default())
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
        let tmp = self.path.with_extension("json.tmp");
        let result = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(unwritable)
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
    fn a_corrupt_file_is_set_aside_not_lost() {
        let (tmp, store) = store();
        fs::write(store.path(), "{ not json").unwrap();
        assert_eq!(store.load().unwrap(), Settings::default());
        let aside = tmp.path().join("settings.json.unreadable");
        assert_eq!(fs::read_to_string(aside).unwrap(), "{ not json");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file() {
        let (tmp, store) = store();
        store
            .update(|s| s.language = Some(Language::English))
            .unwrap();
        // A directory where the temporary file should go makes the write fail.
        fs::create_dir(tmp.path().join("settings.json.tmp")).unwrap();
        let err = store
            .update(|s| s.language = Some(Language::SimplifiedChinese))
            .unwrap_err();
        assert_eq!(err.code(), "settings.unwritable");
        assert!(err.to_string().contains("settings.json"), "{err}");
        assert_eq!(store.load().unwrap().language, Some(Language::English));
    }

    #[test]
    fn unknown_fields_from_newer_versions_are_ignored() {
        let (_tmp, store) = store();
        fs::write(store.path(), r#"{"language":"en","futureThing":3}"#).unwrap();
        assert_eq!(store.load().unwrap().language, Some(Language::English));
    }
}
