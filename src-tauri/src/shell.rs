//! The state the desktop shell shares with its commands.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::Utc;
use pifa_core::offer::{Offer, OfferId};
use pifa_core::protocol::AppCredentials;
use pifa_core::sourcing::{self, CachedOffer, SearchResults};
use pifa_core::store::{Cache, OfferPage, OfferQuery, Store};
use pifa_core::{DataDir, Language, Mode, Settings, SettingsStore};
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
}

/// Search pages hold this many offers.
const SEARCH_PAGE_SIZE: u32 = 20;

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
        let store = data_dir
            .clone()
            .and_then(|dir| Store::open_in(&dir).map_err(CommandError::from))
            .map(Mutex::new);
        let cache = data_dir
            .clone()
            .and_then(|dir| Cache::open_in(&dir).map_err(CommandError::from))
            .map(Mutex::new);
        let gateway_setting = data_dir
            .as_ref()
            .ok()
            .and_then(|dir| SettingsStore::new(dir.settings_file()).load().ok())
            .and_then(|settings| settings.gateway);
        Shell {
            os_language: Language::from_os(),
            data_dir,
            store,
            cache,
            connection: Connection::start(gateway_url(gateway_setting.as_deref())),
        }
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
        let gateway = gateway.map(str::trim).filter(|g| !g.is_empty());
        if let Some(url) = gateway {
            if !(url.starts_with("https://")
                || url.starts_with("http://127.0.0.1")
                || url.starts_with("http://localhost"))
            {
                return Err(CommandError { code: "settings.bad_gateway".into(), message: format!("{url:?} is not a gateway address: use https://…, or http:// on this computer") });
            }
        }
        let credentials = AppCredentials {
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
        };
        self.connection
            .connect_live(credentials, gateway_url(gateway))
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

    /// One page of a 1688 keyword search; its offers are stored as they come.
    pub async fn search_1688(
        &self,
        keyword: &str,
        page: u32,
    ) -> Result<SearchResults, CommandError> {
        let keyword = keyword.trim();
        if keyword.is_empty() {
            return Err(CommandError {
                code: "search.empty_keyword".into(),
                message: "type what to search for".into(),
            });
        }
        let online = self.connection.get().await?;
        let results = sourcing::search(&online.client, keyword, page, SEARCH_PAGE_SIZE).await?;
        let mut store = locked(&self.store)?;
        sourcing::store_search(&mut store, &results)?;
        Ok(results)
    }

    /// An offer's full detail (tiers, SKUs, supplier): a fresh stored copy as is; a stale one
    /// at once, with `true` asking the caller to refresh it in the background; else fetched.
    pub async fn fetch_offer(
        &self,
        offer_id: &str,
        refresh: bool,
    ) -> Result<(Offer, bool), CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if !refresh {
            let cached = {
                let (store, cache) = (locked(&self.store)?, locked(&self.cache)?);
                sourcing::cached_offer(&store, &cache, &offer_id, Utc::now())?
            };
            match cached {
                CachedOffer::Fresh(offer) => return Ok((offer, false)),
                CachedOffer::Stale(offer) => return Ok((offer, true)),
                CachedOffer::Missing => {}
            }
        }
        Ok((self.refresh_offer(&offer_id).await?, false))
    }

    /// Fetches an offer's detail from the gateway and stores it.
    pub async fn refresh_offer(&self, offer_id: &OfferId) -> Result<Offer, CommandError> {
        let raw = self
            .connection
            .get()
            .await?
            .client
            .offer_detail(offer_id)
            .await?;
        let (mut store, cache) = (locked(&self.store)?, locked(&self.cache)?);
        Ok(sourcing::store_detail(
            &mut store,
            &cache,
            offer_id,
            &raw,
            Utc::now(),
        )?)
    }

    fn describe(
        &self,
        settings: &Settings,
        data_dir: Option<&DataDir>,
        problem: Option<CommandError>,
    ) -> AppInfo {
        let account = self.connection.account();
        AppInfo {
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
