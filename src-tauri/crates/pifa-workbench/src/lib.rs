//! Pifa's application layer: one method per user action, carrying the policy both front ends
//! share. The Tauri commands and `pifa-cli` only translate arguments into these calls and
//! print or emit what comes back; nothing here knows about a window or a terminal.
//!
//! A [`Workbench`] owns the data directory, the store and cache handles, the settings file and
//! the gateway connection (live or demo). It is cheap to clone: clones share one state, so
//! background work (a stale page's refresh) can outlive the call that started it.

mod compare;
mod connection;
mod error;
pub mod events;
mod health;
mod history;
mod home;
mod images;
mod import;
mod links;
pub mod logs;
mod picks;
mod shortlists;
mod sourcing;
mod suppliers;
mod team;
mod team_history;
mod team_picks;
mod team_watches;
mod watches;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use pifa_core::batch::{self, BatchCounts, BatchItem, BatchStorage};
use pifa_core::health::Health;
use pifa_core::protocol::{check_gateway, AppCredentials, GatewayUrl, TokenSet};
use pifa_core::sourcing::CacheTtls;
use pifa_core::store::{Cache, OfferPage, OfferQuery, PausedOffer, Store};
use pifa_core::{DataDir, Language, Mode, Notice, OfferId, Settings, SettingsStore};
use serde::Serialize;
use ts_rs::TS;

pub use connection::{
    env, gateway_url, Account, AskPasted, AuthStatus, Authorize, ConnectOptions, ModeChoice,
    OpenPage,
};
pub use error::CommandError;
pub use health::{newly_breached, BreachNotices, HealthSettings, ALARM_WINDOW};
pub use home::{sample_need, Home};
pub use import::{AnswerSource, ImportReport, LineError, MAX_LISTED_ERRORS};
pub use links::OfferLinkPart;
pub use picks::PickProgress;
pub use pifa_team::TeamInfo;
pub use sourcing::{FetchedOffers, InputError, Refresh, Swr};
pub use suppliers::{
    SignalChange, SignalsHistory, SupplierBadge, SupplierPage, SupplierQuery, SupplierView,
    MAX_SUPPLIER_PAGE,
};
pub use team::{TeamJoined, TeamStatus, TeamTarget, TEAM_DATABASE_URL};
pub use team_watches::DEFAULT_LEASE as TEAM_WATCH_LEASE;

/// Offers fetched at once by a batch.
pub const BATCH_CONCURRENCY: usize = 8;

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
    /// In a team: why the last copy of the team's data is shown, read-only (the team
    /// database could not be reached by the last copy round).
    pub team_offline: Option<CommandError>,
}

#[derive(Clone)]
pub struct Workbench {
    inner: Arc<Inner>,
}

struct Inner {
    os_language: Language,
    /// Why the data directory is unusable, kept so every action can say so.
    data_dir: Result<DataDir, CommandError>,
    /// The user database; one connection, held briefly by each action.
    store: Result<Mutex<Store>, CommandError>,
    /// A second connection for what the window shows, so its reads never queue behind a batch
    /// or watch round writing through `store`.
    reader: Result<Mutex<Store>, CommandError>,
    /// The API cache, apart from the user's data.
    cache: Result<Mutex<Cache>, CommandError>,
    connection: connection::Connection,
    /// Stops the batch running now, if one is.
    batch_cancel: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    /// Stops the pick running now, if one is.
    pick_cancel: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    /// Offer pictures kept on disk; `None` without a usable data directory.
    images: Option<pifa_core::images::ImageCache>,
    /// What opening the files worked around; each is reported only when it happens.
    notices: Vec<Notice>,
    /// Every gateway call on the wire, until flushed to the cache database (`health.rs`).
    calls: Arc<pifa_core::metrics::CallLog>,
    /// The team database, when this desktop is in a team (`team.rs`).
    team: team::TeamSlot,
    /// Dropped with the workbench: ends the thread that flushes `calls`.
    _stop_flushing: std::sync::mpsc::Sender<()>,
}

fn locked<T>(slot: &Result<Mutex<T>, CommandError>) -> Result<MutexGuard<'_, T>, CommandError> {
    let mutex = slot.as_ref().map_err(Clone::clone)?;
    // A panic elsewhere while holding the lock leaves the connection usable: SQLite rolls back
    // any open transaction.
    Ok(mutex.lock().unwrap_or_else(PoisonError::into_inner))
}

impl Workbench {
    /// Opens the data directory, its databases and settings. Never fails: what cannot be
    /// opened is kept and returned by every action that needs it (see [`Workbench::problem`]).
    /// In [`ModeChoice::Auto`] this reads the keyring, so call it before the async runtime.
    pub fn open(explicit_data_dir: Option<&Path>, options: ConnectOptions) -> Workbench {
        let data_dir = DataDir::resolve(explicit_data_dir).map_err(CommandError::from);
        let mut notices = Vec::new();
        // The first load: the one that sets an unreadable file aside and says so. Read before
        // the databases, since which store opens depends on the team joined.
        let (settings, settings_notice) = data_dir
            .as_ref()
            .ok()
            .and_then(|dir| {
                SettingsStore::new(dir.settings_file())
                    .load_with_notice()
                    .ok()
            })
            .map(|loaded| (loaded.settings, loaded.notice))
            .unwrap_or_default();
        let store = data_dir
            .clone()
            .and_then(|dir| team::open_store(&dir, settings.team.as_ref()))
            .inspect(|store| notices.extend_from_slice(store.notices()));
        let reader = store
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|store| store.reader().map_err(CommandError::from))
            .map(Mutex::new);
        let store = store.map(Mutex::new);
        let cache = data_dir
            .clone()
            .and_then(|dir| Cache::open_in(&dir).map_err(CommandError::from))
            .inspect(|cache| notices.extend_from_slice(cache.notices()))
            .map(Mutex::new);
        notices.extend(settings_notice);
        if let Err(problem) = &store {
            tracing::error!(code = %problem.code, "the user database cannot be used: {}", problem.message);
        }
        for notice in &notices {
            tracing::warn!(code = %notice.code, "{}", notice.message);
        }
        let images = images::open(data_dir.as_ref().ok());
        let calls = Arc::new(pifa_core::metrics::CallLog::new());
        let (stop_flushing, flushing_stopped) = std::sync::mpsc::channel();
        let workbench = Workbench {
            inner: Arc::new(Inner {
                calls: Arc::clone(&calls),
                _stop_flushing: stop_flushing,
                os_language: Language::from_os(),
                data_dir,
                store,
                reader,
                cache,
                connection: connection::Connection::start(options, &settings, calls),
                batch_cancel: Mutex::new(None),
                pick_cancel: Mutex::new(None),
                team: team::TeamSlot::default(),
                images,
                notices,
            }),
        };
        health::start_flushing(&workbench, flushing_stopped);
        health::count_lookups_per_gateway(&workbench);
        workbench
    }

    /// Why the data directory or the user database cannot be used, if so.
    pub fn problem(&self) -> Option<CommandError> {
        self.inner.store.as_ref().err().cloned()
    }

    /// What opening the files worked around (settings reset, cache rebuilt, no WAL).
    pub fn notices(&self) -> &[Notice] {
        &self.inner.notices
    }

    /// The user database, for reads and writes with no policy of their own (the CLI's import
    /// and name lookups). Hold it briefly.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, CommandError> {
        locked(&self.inner.store)
    }

    /// The user database for reads only (see `Inner::reader`): what pages and lists show.
    pub fn reader(&self) -> Result<MutexGuard<'_, Store>, CommandError> {
        locked(&self.inner.reader)
    }

    /// Builds the stored-offer search index on a connection of its own, once the window has
    /// had its start, and hands it to the reader: the app's first search then does not wait
    /// for it (a few hundred milliseconds at 100,000 offers). For the app; a one-off CLI search
    /// builds its own.
    pub fn prepare_search_in_background(&self) {
        let Ok(builder) = self
            .reader()
            .and_then(|reader| reader.reader().map_err(CommandError::from))
        else {
            return;
        };
        let inner = Arc::downgrade(&self.inner);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if let Err(e) = builder.prepare_search() {
                tracing::warn!(code = e.code(), "search index not prepared: {e}");
                return;
            }
            if let Some(inner) = inner.upgrade() {
                if let Ok(reader) = locked(&inner.reader) {
                    reader.adopt_search_index(builder);
                }
            }
        });
    }

    /// The API cache.
    pub fn cache(&self) -> Result<MutexGuard<'_, Cache>, CommandError> {
        locked(&self.inner.cache)
    }

    pub fn data_dir(&self) -> Result<&DataDir, CommandError> {
        self.inner.data_dir.as_ref().map_err(Clone::clone)
    }

    fn batch_storage(&self) -> Result<BatchStorage<'_>, CommandError> {
        Ok(BatchStorage {
            store: self.inner.store.as_ref().map_err(Clone::clone)?,
            cache: self.inner.cache.as_ref().map_err(Clone::clone)?,
            ttls: self.ttls(),
        })
    }

    fn settings_store(&self) -> Result<(SettingsStore, &DataDir), CommandError> {
        let data_dir = self.data_dir()?;
        Ok((SettingsStore::new(data_dir.settings_file()), data_dir))
    }

    /// The user's settings; an unreadable file means the defaults (`app_info` says why).
    pub fn settings(&self) -> Settings {
        self.settings_store()
            .and_then(|(store, _)| store.load().map_err(CommandError::from))
            .unwrap_or_default()
    }

    /// The cache lifetimes the user set, else the defaults.
    pub fn ttls(&self) -> CacheTtls {
        CacheTtls::from(&self.settings())
    }

    /// The language the user reads now.
    pub fn language(&self) -> Language {
        self.settings().effective_language(self.inner.os_language)
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
                let problem = self.problem();
                self.describe(&settings, Some(data_dir), problem)
            }
            Err(problem) => {
                self.describe(&Settings::default(), Some(data_dir), Some(problem.into()))
            }
        }
    }

    /// `None` goes back to following the OS.
    pub fn set_language(&self, choice: Option<Language>) -> Result<AppInfo, CommandError> {
        let (store, data_dir) = self.settings_store()?;
        let settings = store.update(|s| s.language = choice)?;
        Ok(self.describe(&settings, Some(data_dir), None))
    }

    /// Sets how long fetched answers count as fresh and how often watches are checked, in
    /// minutes (each within `pifa_core::settings::MINUTES`); `None` goes back to the default.
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
        let account = self.inner.connection.account();
        let ttls = CacheTtls::from(settings);
        let os_language = self.inner.os_language;
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
            language: settings.effective_language(os_language),
            language_choice: settings.language,
            os_language,
            problem,
            notices: self.inner.notices.clone(),
            team_offline: self.team_copy_problem(),
        }
    }

    /// The connection as it stands: mode, gateway, app, problems.
    pub fn account(&self) -> Account {
        self.inner.connection.account()
    }

    async fn online(&self) -> Result<Arc<connection::Online>, CommandError> {
        self.inner.connection.get(self).await
    }

    /// Sets up live mode from the app: the app goes into the keyring, the user authorizes in
    /// the browser, and a gateway given here is checked first and kept in Settings.
    pub async fn connect_live(
        &self,
        app_key: &str,
        app_secret: &str,
        gateway: Option<&str>,
        open_browser: impl FnOnce(String) -> Result<(), String> + Send + 'static,
    ) -> Result<AppInfo, CommandError> {
        // Parsed, not compared by prefix: `http://localhost@evil.example` is not this computer.
        let gateway = gateway
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(check_gateway)
            .transpose()?
            .map(GatewayUrl::into_string);
        let credentials = AppCredentials {
            app_key: app_key.trim().to_owned(),
            app_secret: app_secret.trim().to_owned(),
        };
        self.inner
            .connection
            .login(
                self,
                credentials,
                gateway.as_deref(),
                Authorize::Browser(Box::new(open_browser)),
            )
            .await?;
        let (store, _) = self.settings_store()?;
        store.update(|s| s.gateway = gateway)?;
        Ok(self.app_info())
    }

    /// Authorizes an app (the CLI's `auth login`): the gateway is `--gateway`, `PIFA_GATEWAY`
    /// or the Settings choice, checked before anything is sent.
    pub async fn login(
        &self,
        credentials: AppCredentials,
        authorize: Authorize,
    ) -> Result<TokenSet, CommandError> {
        let setting = self.settings().gateway;
        self.inner
            .connection
            .login(self, credentials, setting.as_deref(), authorize)
            .await
    }

    /// The app kept in the keyring, for a login that names only part of it.
    pub async fn stored_credentials(&self) -> Result<Option<AppCredentials>, CommandError> {
        connection::stored_credentials().await
    }

    pub async fn auth_status(&self) -> Result<AuthStatus, CommandError> {
        connection::auth_status().await
    }

    /// Logs out of 1688: the tokens leave the keyring (with `forget_app` the app too) and the
    /// app returns to demo data.
    pub async fn logout(&self, forget_app: bool) -> Result<AppInfo, CommandError> {
        self.inner.connection.logout(forget_app).await?;
        Ok(self.app_info())
    }

    /// Waits (at most `timeout`) for renewed tokens to reach the keyring; `false` if they may
    /// not have. For a process about to exit.
    pub fn flush_tokens(&self, timeout: std::time::Duration) -> bool {
        self.inner.connection.flush_tokens(timeout)
    }

    pub fn search_offers(&self, query: &OfferQuery) -> Result<OfferPage, CommandError> {
        Ok(self.reader()?.search_offers(query)?)
    }

    /// Fetches every offer named in a pasted text, handing each result to `on_item` as it
    /// settles. One batch runs at a time; [`Workbench::cancel_batch`] stops it, and so does
    /// `cancel` (a front end's own signal such as Ctrl-C) when it turns `true`.
    pub async fn run_batch(
        &self,
        text: &str,
        concurrency: usize,
        mut cancel: Option<tokio::sync::watch::Receiver<bool>>,
        mut on_item: impl FnMut(&BatchItem, &BatchCounts),
    ) -> Result<BatchCounts, CommandError> {
        let mut input = batch::read_batch(text);
        if input.offer_ids.is_empty() && input.unreadable.is_empty() {
            return Err(pifa_core::Error::BatchEmpty.into());
        }
        let storage = self.batch_storage()?;
        let (cancel_tx, cancelled) = tokio::sync::watch::channel(false);
        {
            let mut running = self
                .inner
                .batch_cancel
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if running.is_some() {
                return Err(pifa_core::Error::BatchRunning.into());
            }
            *running = Some(cancel_tx.clone());
        }
        // However the batch ends, the next one may start.
        struct Finished<'a>(&'a Mutex<Option<tokio::sync::watch::Sender<bool>>>);
        impl Drop for Finished<'_> {
            fn drop(&mut self) {
                *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
        }
        let _finished = Finished(&self.inner.batch_cancel);
        if let Some(mut outside) = cancel.take() {
            tokio::spawn(async move {
                while outside.changed().await.is_ok() {
                    if *outside.borrow() {
                        let _ = cancel_tx.send(true);
                        return;
                    }
                }
            });
        }
        // Held to the end: in demo mode it keeps the in-process gateway serving.
        let online = self.online().await?;
        input.reused = self
            .reusable_from_team(&input.offer_ids, storage.ttls)
            .await;
        // What came from the team goes back to it no more.
        let reused: HashSet<OfferId> = input.reused.iter().map(|(id, _)| id.clone()).collect();
        let mut stored = Vec::new();
        let counts = batch::run_batch(
            Arc::clone(&online.client),
            storage,
            input,
            concurrency,
            cancelled,
            |item, counts| {
                if item.status == batch::BatchStatus::Stored {
                    stored.extend(
                        item.offer_id
                            .as_deref()
                            .and_then(|id| OfferId::parse(id).ok())
                            .filter(|id| !reused.contains(id)),
                    );
                }
                on_item(item, counts)
            },
        )
        .await;
        self.share_stored_with_team(stored).await;
        Ok(counts)
    }

    /// Stops the running batch: calls in flight finish, the rest are reported cancelled.
    /// `false` when none was running.
    pub fn cancel_batch(&self) -> bool {
        let running = self
            .inner
            .batch_cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        running
            .as_ref()
            .is_some_and(|cancel| cancel.send(true).is_ok())
    }

    pub fn paused_offers(&self) -> Result<Vec<PausedOffer>, CommandError> {
        Ok(self.reader()?.paused_offers(Utc::now())?)
    }

    /// Lifts the pauses of these offers, or of all when none are named.
    pub fn resume_offers(&self, offer_ids: &[String]) -> Result<u64, CommandError> {
        let ids = offer_ids
            .iter()
            .map(|id| OfferId::parse(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.store()?.resume_offers(&ids)?)
    }

    pub fn health(&self) -> Result<Health, CommandError> {
        let (store, cache) = (self.store()?, self.cache()?);
        Ok(pifa_core::health::health(&store, &cache, Utc::now())?)
    }

    /// Where the log is and its newest warnings and errors, for the Status page. Reads files:
    /// call it off the async runtime.
    pub fn log_status(&self) -> Result<logs::LogStatus, CommandError> {
        Ok(logs::status(
            &self.data_dir()?.log_dir(),
            logs::LAST_PROBLEMS,
        ))
    }

    /// Shows the log folder in the desktop's file manager.
    pub fn open_log_folder(&self) -> Result<(), CommandError> {
        Ok(pifa_core::paths::show_folder(&self.data_dir()?.log_dir())?)
    }
}
