//! The state the desktop shell shares with its commands.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use pifa_core::batch::BatchStorage;
use pifa_core::protocol::{check_gateway, AppCredentials, GatewayUrl};
use pifa_core::sourcing::CacheTtls;
use pifa_core::store::{Cache, OfferPage, OfferQuery, Store};
use pifa_core::{DataDir, Language, Mode, Notice, Settings, SettingsStore};
use serde::Serialize;
use ts_rs::TS;

use crate::online::{gateway_url, Connection};
use crate::CommandError;

/// What the Settings page shows and what the UI needs to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    /// `null` when no usable data directory could be found; `problem` says why.
    #[ts(type = "string | null")]
    pub data_dir: Option<PathBuf>,
    pub mode: Mode,
    /// The language to show now.
    pub language: Language,
    /// The user's own choice; `null` follows the OS.
    pub language_choice: Option<Language>,
    pub os_language: Language,
    /// Something that keeps Pifa from reading or saving its files, shown to the user as is.
    pub problem: Option<CommandError>,
    /// The 1688 app in use in live mode.
    pub live_app_key: Option<String>,
    /// The gateway live mode calls.
    pub gateway: String,
    /// Why live mode cannot be set up now (no keyring, a locked one).
    pub keyring_problem: Option<CommandError>,
    /// How long fetched details and search pages count as fresh.
    pub detail_ttl_minutes: u32,
    pub search_ttl_minutes: u32,
    /// How often watched offers are checked.
    pub watch_interval_minutes: u32,
    /// What starting up worked around (settings reset, cache rebuilt, no WAL), to tell the user.
    pub notices: Vec<Notice>,
}

pub struct Shell {
    os_language: Language,
    /// Why the data directory is unusable, kept so every command can say so.
    data_dir: Result<DataDir, CommandError>,
    /// The user database; one connection, held briefly by each command.
    store: Result<Mutex<Store>, CommandError>,
    /// The API cache, apart from the user's data.
    cache: Result<Mutex<Cache>, CommandError>,
    /// The gateway connection: live or demo.
    connection: Connection,
    /// Stops the batch running now, if one is.
    pub(crate) batch_cancel: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    /// What opening the files worked around; each is reported only when it happens.
    notices: Vec<Notice>,
}

fn locked<T>(
    slot: &Result<Mutex<T>, CommandError>,
) -> Result<std::sync::MutexGuard<'_, T>, CommandError> {
    let mutex = slot.as_ref().map_err(Clone::clone)?;
    // A panic elsewhere while holding the lock leaves the connection usable: SQLite rolls back
    // any open transaction.
    Ok(mutex.lock().unwrap_or_else(PoisonError::into_inner))
}

impl Shell {
    pub fn start(explicit_data_dir: Option<&Path>) -> Shell {
        let data_dir = DataDir::resolve(explicit_data_dir).map_err(CommandError::from);
        let mut notices = Vec::new();
        let store = data_dir
            .clone()
            .and_then(|dir| Store::open_in(&dir).map_err(CommandError::from))
            .inspect(|store| notices.extend_from_slice(store.notices()))
            .map(Mutex::new);
        let cache = data_dir
            .clone()
            .and_then(|dir| Cache::open_in(&dir).map_err(CommandError::from))
            .inspect(|cache| notices.extend_from_slice(cache.notices()))
            .map(Mutex::new);
        // The first load: the one that sets an unreadable file aside and says so.
        let gateway_setting = data_dir
            .as_ref()
            .ok()
            .and_then(|dir| {
                SettingsStore::new(dir.settings_file())
                    .load_with_notice()
                    .ok()
            })
            .and_then(|loaded| {
                notices.extend(loaded.notice);
                loaded.settings.gateway
            });
        Shell {
            os_language: Language::from_os(),
            data_dir,
            store,
            cache,
            connection: Connection::start(gateway_url(gateway_setting.as_deref())),
            batch_cancel: Mutex::new(None),
            notices,
        }
    }

    /// The user database, for commands elsewhere in the shell.
    pub(crate) fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>, CommandError> {
        locked(&self.store)
    }

    /// What a watch check needs: the gateway client (held with its connection) and storage.
    /// The API cache, for commands elsewhere in the shell.
    pub(crate) fn cache(&self) -> Result<std::sync::MutexGuard<'_, Cache>, CommandError> {
        locked(&self.cache)
    }

    pub(crate) async fn online(&self) -> Result<Arc<crate::online::Online>, CommandError> {
        self.connection.get().await
    }

    pub(crate) fn batch_storage(&self) -> Result<BatchStorage<'_>, CommandError> {
        Ok(BatchStorage {
            store: self.store.as_ref().map_err(Clone::clone)?,
            cache: self.cache.as_ref().map_err(Clone::clone)?,
            ttls: self.ttls(),
        })
    }

    pub(crate) fn data_dir(&self) -> Result<&DataDir, CommandError> {
        self.data_dir.as_ref().map_err(Clone::clone)
    }

    /// The language the user reads now.
    pub(crate) fn language(&self) -> Language {
        self.app_info().language
    }

    fn settings_store(&self) -> Result<(SettingsStore, &DataDir), CommandError> {
        let data_dir = self.data_dir.as_ref().map_err(Clone::clone)?;
        Ok((SettingsStore::new(data_dir.settings_file()), data_dir))
    }

    /// Never fails: a broken data directory or settings file is described in `problem`, so the
    /// window can still open in the OS language and say what is wrong.
    pub fn app_info(&self) -> AppInfo {
        let (store, data_dir) = match self.settings_store() {
            Ok(found) => found,
            Err(problem) => return self.describe(&Settings::default(), None, Some(problem)),
        };
        match store.load() {
            Ok(settings) => {
                let problem = self.store.as_ref().err().cloned();
                self.describe(&settings, Some(data_dir), problem)
            }
            Err(problem) => {
                self.describe(&Settings::default(), Some(data_dir), Some(problem.into()))
            }
        }
    }

    pub fn set_language(&self, choice: Option<Language>) -> Result<AppInfo, CommandError> {
        let (store, data_dir) = self.settings_store()?;
        let settings = store.update(|s| s.language = choice)?;
        Ok(self.describe(&settings, Some(data_dir), None))
    }

    pub fn search_offers(&self, query: &OfferQuery) -> Result<OfferPage, CommandError> {
        Ok(locked(&self.store)?.search_offers(query)?)
    }

    /// Sets up live mode: the app goes into the keyring, the user authorizes in the browser.
    pub async fn connect_live(
        &self,
        app_key: &str,
        app_secret: &str,
        gateway: Option<&str>,
    ) -> Result<AppInfo, CommandError> {
        let (app_key, app_secret) = (app_key.trim(), app_secret.trim());
        if app_key.is_empty() || app_secret.is_empty() {
            return Err(CommandError {
                code: "auth.no_credentials".into(),
                message: "enter both the app key and the app secret".into(),
            });
        }
        // Parsed, not compared by prefix: `http://localhost@evil.example` is not this computer.
        let gateway = gateway
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(check_gateway)
            .transpose()?
            .map(GatewayUrl::into_string);
        let gateway = gateway.as_deref();
        let credentials = AppCredentials {
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
        };
        self.connection
            .connect_live(credentials, gateway_url(gateway)?)
            .await?;
        let (store, _) = self.settings_store()?;
        store.update(|s| s.gateway = gateway.map(str::to_owned))?;
        Ok(self.app_info())
    }

    /// Logs out of 1688 and returns to demo data.
    pub async fn use_demo(&self) -> Result<AppInfo, CommandError> {
        self.connection.use_demo().await?;
        Ok(self.app_info())
    }

    /// The user's settings; an unreadable file means the defaults (app_info says why).
    pub(crate) fn settings(&self) -> Settings {
        self.settings_store()
            .and_then(|(store, _)| store.load().map_err(CommandError::from))
            .unwrap_or_default()
    }

    /// The cache lifetimes the user set, else the defaults.
    pub(crate) fn ttls(&self) -> CacheTtls {
        CacheTtls::from(&self.settings())
    }

    /// Sets how long fetched answers count as fresh and how often watches are checked, in
    /// minutes; `null` goes back to the default.
    pub fn set_refresh_settings(
        &self,
        detail_minutes: Option<u32>,
        search_minutes: Option<u32>,
        watch_minutes: Option<u32>,
    ) -> Result<AppInfo, CommandError> {
        for minutes in [detail_minutes, search_minutes, watch_minutes]
            .into_iter()
            .flatten()
        {
            pifa_core::settings::check_minutes(minutes)?;
        }
        let (store, data_dir) = self.settings_store()?;
        let settings = store.update(|s| {
            s.detail_ttl_minutes = detail_minutes;
            s.search_ttl_minutes = search_minutes;
            s.watch_interval_minutes = watch_minutes;
        })?;
        Ok(self.describe(&settings, Some(data_dir), None))
    }

    fn describe(
        &self,
        settings: &Settings,
        data_dir: Option<&DataDir>,
        problem: Option<CommandError>,
    ) -> AppInfo {
        let account = self.connection.account();
        let ttls = CacheTtls::from(settings);
        AppInfo {
            detail_ttl_minutes: ttls.detail.num_minutes() as u32,
            watch_interval_minutes: pifa_core::watch::check_interval(settings).num_minutes() as u32,
            search_ttl_minutes: ttls.search.num_minutes() as u32,
            version: pifa_core::VERSION.to_owned(),
            data_dir: data_dir.map(|dir| dir.path().to_path_buf()),
            mode: account.mode,
            live_app_key: account.live_app_key,
            gateway: account.gateway,
            keyring_problem: account.keyring_problem,
            language: settings.effective_language(self.os_language),
            language_choice: settings.language,
            os_language: self.os_language,
            problem,
            notices: self.notices.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_choice_is_remembered_across_starts() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("批发数据");
        let shell = Shell::start(Some(&dir));
        let info = shell.app_info();
        assert_eq!(info.problem, None);
        assert_eq!(info.language_choice, None);
        assert_eq!(info.language, info.os_language);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.data_dir.unwrap().ends_with("批发数据"));

        shell
            .set_language(Some(Language::SimplifiedChinese))
            .unwrap();
        let again = Shell::start(Some(&dir)).app_info();
        assert_eq!(again.language, Language::SimplifiedChinese);
        assert_eq!(again.language_choice, Some(Language::SimplifiedChinese));

        let followed = Shell::start(Some(&dir)).set_language(None).unwrap();
        assert_eq!(followed.language, followed.os_language);
    }

    #[test]
    fn a_reset_settings_file_and_a_rebuilt_cache_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("数据");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("settings.json"), r#"{"language":"ja"}"#).unwrap();
        std::fs::write(
            dir.join("cache.db"),
            "not a database, not even close to one",
        )
        .unwrap();
        let shell = Shell::start(Some(&dir));
        let info = shell.app_info();
        assert_eq!(info.problem, None);
        let codes: Vec<_> = info.notices.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes, ["cache.rebuilt", "settings.reset"]);
        assert!(info.notices[1].path.ends_with("settings.json.unreadable"));
        // The cache works again, so online features do.
        assert!(shell.batch_storage().is_ok());
        assert!(Shell::start(Some(&dir)).app_info().notices.is_empty());
    }

    #[test]
    fn out_of_range_intervals_are_refused_by_the_core_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let shell = Shell::start(Some(tmp.path()));
        let err = shell.set_refresh_settings(Some(0), None, None).unwrap_err();
        assert_eq!(err.code, "settings.bad_ttl");
        let info = shell
            .set_refresh_settings(Some(30), None, Some(10_080))
            .unwrap();
        assert_eq!(
            (info.detail_ttl_minutes, info.watch_interval_minutes),
            (30, 10_080)
        );
    }

    #[test]
    fn an_unusable_data_dir_is_reported_by_every_command() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        std::fs::write(&file, "").unwrap();
        let shell = Shell::start(Some(&file.join("sub")));
        let info = shell.app_info();
        assert_eq!(info.data_dir, None);
        assert_eq!(info.language, info.os_language);
        let err = info.problem.unwrap();
        assert_eq!(err.code, "data_dir.unusable");
        assert!(err.message.contains("file/sub"), "{}", err.message);
        assert_eq!(shell.set_language(None).unwrap_err(), err);
    }
}
