//! The gateway connection, one for both front ends: live 1688 with the user's app (credentials
//! and tokens in the OS keyring, or for scripts the environment), or demo mode on the built-in
//! double, with the faults it simulates; which gateway live mode calls; which gateway the health
//! figures are kept under; and the auth actions (login, status, logout).

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use pifa_core::metrics::{CallSink, CurrentGateway, GatewayKey, Tagged};
use pifa_core::protocol::loopback::{
    authorize_with_browser, code_from_pasted, new_state, LoopbackRedirect,
};
use pifa_core::protocol::{
    check_gateway, ApiError, AppCredentials, CallGate, ClientConfig, GatewayClient, TokenKeeper,
    TokenSet, LIVE_GATEWAY,
};
use pifa_core::{secrets, DemoFaults, Error, Mode};
use pifa_gateway::{demo, Gateway, GatewayConfig, GatewayHandle};

use crate::{CommandError, Workbench};

/// How long authorizing waits for the user to finish in the browser.
const AUTHORIZE_TIMEOUT: Duration = Duration::from_secs(300);

/// How the connection picks its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// Live when the keyring holds an authorized app, else demo (the app).
    Auto,
    /// Always the in-process double (`--demo`).
    Demo,
    /// Always live; missing credentials are an error naming how to give them (the CLI).
    Live,
}

/// What a front end decides about the connection.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub mode: ModeChoice,
    /// `--gateway`: above `PIFA_GATEWAY` and the Settings choice.
    pub gateway: Option<String>,
    /// Calls per second to the gateway (with bursts of as many); `None` keeps the default.
    pub rate: Option<u32>,
    /// Take `PIFA_APP_KEY`, `PIFA_APP_SECRET`, `PIFA_ACCESS_TOKEN` and `PIFA_REFRESH_TOKEN`
    /// before the keyring, for scripts and CI.
    pub environment_credentials: bool,
}

impl ConnectOptions {
    /// The app's: live when authorized, else demo; no flag, no environment credentials.
    pub fn app() -> ConnectOptions {
        ConnectOptions {
            mode: ModeChoice::Auto,
            gateway: None,
            rate: None,
            environment_credentials: false,
        }
    }
}

/// A connected, authorized gateway client.
pub struct Online {
    pub client: Arc<GatewayClient>,
    /// The in-process double in demo mode, with the faults it simulates; serving until dropped.
    demo: Option<(GatewayHandle, DemoFaults)>,
}

/// What the window shows about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub mode: Mode,
    pub live_app_key: Option<String>,
    /// The gateway live mode calls.
    pub gateway: String,
    /// Why live mode cannot be used now (no keyring, a locked one), if so.
    pub keyring_problem: Option<CommandError>,
    /// Why the configured gateway address cannot be used (`--gateway`, `PIFA_GATEWAY` or
    /// Settings): live mode fails with it rather than calling some other gateway.
    pub gateway_problem: Option<CommandError>,
}

/// What `auth status` reports: never a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStatus {
    pub app_key: Option<String>,
    pub authorized: bool,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

/// Opens the authorization page (its address) in a browser.
pub type OpenPage = Box<dyn FnOnce(String) -> Result<(), String> + Send>;
/// Shows the authorization page's address and answers what the user pasted back.
pub type AskPasted = Box<dyn FnOnce(&str) -> Result<String, CommandError> + Send>;

/// How the user answers 1688's authorization page.
pub enum Authorize {
    /// The page opens in a browser (or anything that follows it like one) and 1688 sends the
    /// answer to a loopback listener. A failing opener fails the login.
    Browser(OpenPage),
    /// The page is shown to the user, who pastes the code or the address the browser ends on.
    Paste(AskPasted),
}

/// The demo faults as chosen: in Settings, and above it `--demo-faults`.
#[derive(Debug, Clone, Default)]
struct FaultChoice {
    setting: DemoFaults,
    flag: Option<DemoFaults>,
}

/// The demo faults in effect and what set them, when not Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultsInEffect {
    pub faults: DemoFaults,
    /// `--demo-faults` or `PIFA_DEMO_FAULTS` when one of them overrides the Settings choice.
    pub forced_by: Option<&'static str>,
}

/// The environment variable that chooses the demo faults, above Settings and below the flag.
pub const DEMO_FAULTS_VARIABLE: &str = "PIFA_DEMO_FAULTS";

/// A fault profile by name (`off`, `realistic`); a bad one is an error naming where it came from.
pub fn parse_demo_faults(text: &str, source: &str) -> Result<DemoFaults, CommandError> {
    DemoFaults::parse(text).ok_or_else(|| {
        let names: Vec<&str> = DemoFaults::ALL.iter().map(|f| f.as_str()).collect();
        Error::BadDemoFaults(format!(
            "{source}: {text:?} is not a demo fault profile; use one of {}",
            names.join(", ")
        ))
        .into()
    })
}

/// The demo faults in effect: `--demo-faults`, else `PIFA_DEMO_FAULTS`, else the Settings choice.
fn demo_faults_in_effect(choice: &FaultChoice) -> Result<FaultsInEffect, CommandError> {
    if let Some(flag) = choice.flag {
        return Ok(FaultsInEffect {
            faults: flag,
            forced_by: Some("--demo-faults"),
        });
    }
    match env(DEMO_FAULTS_VARIABLE) {
        Some(text) => Ok(FaultsInEffect {
            faults: parse_demo_faults(&text, DEMO_FAULTS_VARIABLE)?,
            forced_by: Some(DEMO_FAULTS_VARIABLE),
        }),
        None => Ok(FaultsInEffect {
            faults: choice.setting,
            forced_by: None,
        }),
    }
}

/// What the health figures of a connection are kept under: `demo`, or the live gateway.
fn figures_key(account: &Account) -> GatewayKey {
    match account.mode {
        Mode::Demo => GatewayKey::demo(),
        Mode::Live => GatewayKey::live(&account.gateway),
    }
}

pub(crate) struct Connection {
    options: ConnectOptions,
    account: Mutex<Account>,
    /// The gateway of `account`, for the cache to count its lookups under.
    current_gateway: CurrentGateway,
    demo_faults: Mutex<FaultChoice>,
    current: tokio::sync::Mutex<Option<Arc<Online>>>,
    /// Saves renewed keyring tokens in order; flushed before a short-lived process exits.
    keeper: Mutex<Option<Arc<TokenKeeper>>>,
    /// Where every client notes its calls on the wire, for the health view.
    recorder: Arc<dyn CallSink>,
}

async fn keyring<T: Send + 'static>(
    call: impl FnOnce() -> pifa_core::Result<T> + Send + 'static,
) -> Result<T, CommandError> {
    Ok(secrets::off_runtime(call).await?)
}

/// A variable of the environment, trimmed; unset and blank are both `None`.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The gateway live mode calls: `--gateway`, else `PIFA_GATEWAY`, else the Settings choice,
/// else 1688's. A given address must pass `check_gateway`; a bad one is an error naming where
/// it came from, never a silent fall back to another gateway.
pub fn gateway_url(flag: Option<&str>, setting: Option<&str>) -> Result<String, ApiError> {
    let given = |g: &&str| !g.trim().is_empty();
    let (address, source) = match (flag.filter(given), env("PIFA_GATEWAY")) {
        (Some(flag), _) => (flag.to_owned(), "--gateway"),
        (None, Some(variable)) => (variable, "PIFA_GATEWAY"),
        (None, None) => match setting.filter(given) {
            Some(chosen) => (chosen.to_owned(), "the gateway in Settings"),
            None => return Ok(LIVE_GATEWAY.to_owned()),
        },
    };
    check_gateway(&address)
        .map(|checked| checked.into_string())
        .map_err(|e| ApiError::BadGateway(format!("{source}: {e}")))
}

fn with_rate(mut config: ClientConfig, rate: Option<u32>) -> ClientConfig {
    if let Some(rate) = rate {
        let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
        config.rate_per_second = rate;
        config.burst = rate;
    }
    config
}

/// In a team, the client waits at the team's gate for its app key: the key's rate limit is
/// the team's, not this desktop's. `None` outside a team (the client's own limit).
async fn team_gate(workbench: &Workbench, client: &GatewayClient) -> Option<Arc<dyn CallGate>> {
    let target = match workbench.team_target_async().await {
        Ok(Some(target)) if target.membership.is_some() => target,
        Ok(_) => return None,
        Err(e) => {
            tracing::warn!(code = %e.code, "the team database's settings cannot be read; this desktop paces its 1688 calls on its own: {}", e.message);
            return None;
        }
    };
    let config = client.config();
    // Never fails: out of reach, it holds to the local limit until the database is back.
    let gate = pifa_team::TeamGate::connect(
        &target.address,
        target.password(),
        &config.credentials.app_key,
        config.rate_per_second,
        config.burst,
    )
    .await;
    Some(Arc::new(gate))
}

/// `client`, waiting at the team's gate when in a team.
async fn gated(workbench: &Workbench, client: GatewayClient) -> GatewayClient {
    match team_gate(workbench, &client).await {
        Some(gate) => client.with_call_gate(gate),
        None => client,
    }
}

impl Connection {
    /// The mode and gateway to start with. In [`ModeChoice::Auto`] this reads the keyring
    /// (blocking: called before the async runtime runs).
    pub(crate) fn start(
        options: ConnectOptions,
        settings: &pifa_core::Settings,
        recorder: Arc<dyn CallSink>,
    ) -> Connection {
        let gateway_setting = settings.gateway.as_deref();
        let (gateway, gateway_problem) =
            match gateway_url(options.gateway.as_deref(), gateway_setting) {
                Ok(url) => (url, None),
                Err(problem) => (String::new(), Some(CommandError::from(problem))),
            };
        let mut account = Account {
            mode: Mode::Demo,
            live_app_key: None,
            gateway,
            keyring_problem: None,
            gateway_problem,
        };
        match options.mode {
            ModeChoice::Demo => {}
            ModeChoice::Live => account.mode = Mode::Live,
            ModeChoice::Auto => {
                match secrets::load_credentials().and_then(|c| Ok((c, secrets::load_tokens()?))) {
                    Ok((Some(credentials), Some(_))) => {
                        account.mode = Mode::Live;
                        account.live_app_key = Some(credentials.app_key);
                    }
                    Ok(_) => {}
                    Err(e) => account.keyring_problem = Some(e.into()),
                }
            }
        }
        Connection {
            options,
            current_gateway: CurrentGateway::new(figures_key(&account)),
            account: Mutex::new(account),
            demo_faults: Mutex::new(FaultChoice {
                setting: settings.demo_faults,
                flag: None,
            }),
            current: tokio::sync::Mutex::new(None),
            keeper: Mutex::new(None),
            recorder,
        }
    }

    pub(crate) fn account(&self) -> Account {
        self.account
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_account(&self, change: impl FnOnce(&mut Account)) {
        let mut account = self.account.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut account);
        self.current_gateway.set(figures_key(&account));
    }

    /// The gateway connected now, as the cache counts lookups under it (kept up to date).
    pub(crate) fn current_gateway(&self) -> CurrentGateway {
        self.current_gateway.clone()
    }

    fn fault_choice(&self) -> FaultChoice {
        self.demo_faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The demo faults in effect now, or why the override given cannot be used.
    pub(crate) fn demo_faults(&self) -> Result<FaultsInEffect, CommandError> {
        demo_faults_in_effect(&self.fault_choice())
    }

    /// `--demo-faults`: above `PIFA_DEMO_FAULTS` and Settings. Call before the first connection.
    pub(crate) fn force_demo_faults(&self, faults: DemoFaults) {
        self.demo_faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flag = Some(faults);
    }

    /// A new Settings choice of demo faults. A demo double running with other faults is let go,
    /// so the next call starts one with these (a few milliseconds, and a batch in flight keeps
    /// its own until it ends): no restart needed.
    pub(crate) async fn set_demo_faults_setting(&self, setting: DemoFaults) {
        self.demo_faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .setting = setting;
        let wanted = self.demo_faults().ok().map(|f| f.faults);
        let mut current = self.current.lock().await;
        let stale = current
            .as_ref()
            .and_then(|online| online.demo.as_ref())
            .is_some_and(|(_, running)| Some(*running) != wanted);
        if stale {
            if let Some(old) = current.take() {
                // Stopping a double waits for its thread: not on the async runtime.
                tokio::task::spawn_blocking(move || drop(old));
            }
        }
    }

    /// The in-process double demo mode is connected to, if it is: what tests compare recorded
    /// figures with.
    pub(crate) async fn demo_double(&self) -> Option<Arc<Gateway>> {
        let current = self.current.lock().await;
        let (handle, _) = current.as_ref()?.demo.as_ref()?;
        Some(Arc::clone(&handle.gateway))
    }

    /// A client whose renewed tokens go back to the keyring, one set after the other.
    fn keeping_tokens(&self, client: GatewayClient) -> GatewayClient {
        let keeper = TokenKeeper::start(|tokens: &TokenSet| {
            // The error names the keyring's trouble, never the tokens.
            if let Err(e) = secrets::save_tokens(tokens) {
                tracing::error!(
                    code = e.code(),
                    "the renewed 1688 tokens could not be kept in the keyring: {e}"
                );
            }
        });
        let client = client.on_new_tokens(keeper.sink());
        *self.keeper.lock().unwrap_or_else(PoisonError::into_inner) = Some(keeper);
        client
    }

    /// Waits (at most `timeout`) until renewed tokens are in the keyring; `false` if they may
    /// not be. A process that ends right after a command would otherwise lose a rotated
    /// refresh token and make the user log in again.
    pub(crate) fn flush_tokens(&self, timeout: Duration) -> bool {
        let keeper = self
            .keeper
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        keeper.is_none_or(|keeper| keeper.flush(timeout))
    }

    /// The connection, made on first use (`workbench` says whether it is in a team).
    pub(crate) async fn get(&self, workbench: &Workbench) -> Result<Arc<Online>, CommandError> {
        let mut current = self.current.lock().await;
        if let Some(online) = current.as_ref() {
            return Ok(Arc::clone(online));
        }
        let account = self.account();
        let online = match account.mode {
            Mode::Demo => self.demo(workbench).await?,
            Mode::Live => {
                if let Some(problem) = account.gateway_problem {
                    return Err(problem);
                }
                self.live(&account.gateway, workbench).await?
            }
        };
        let online = Arc::new(online);
        *current = Some(Arc::clone(&online));
        Ok(online)
    }

    /// The built-in double with the demo faults in effect, authorized through the regular
    /// OAuth code path.
    async fn demo(&self, workbench: &Workbench) -> Result<Online, CommandError> {
        let faults = self.demo_faults()?.faults;
        let handle = demo::start(GatewayConfig::default().with_demo_faults(faults))
            .map_err(|e| Error::DemoStart(e.to_string()))?;
        if faults != DemoFaults::Off {
            tracing::info!(
                faults = faults.as_str(),
                "the demo gateway simulates faults"
            );
        }
        let client = GatewayClient::new(with_rate(
            ClientConfig::new(&handle.base_url, demo::credentials()),
            self.options.rate,
        ))?
        .recording(Tagged::wrap(GatewayKey::demo(), Arc::clone(&self.recorder)));
        let client = gated(workbench, client).await;
        demo::authorize(&client).await?;
        Ok(Online {
            client: Arc::new(client),
            demo: Some((handle, faults)),
        })
    }

    async fn live(&self, gateway: &str, workbench: &Workbench) -> Result<Online, CommandError> {
        let scripted = self.options.environment_credentials;
        let from_env = match (env("PIFA_APP_KEY"), env("PIFA_APP_SECRET")) {
            (Some(app_key), Some(app_secret)) if scripted => Some(AppCredentials {
                app_key,
                app_secret,
            }),
            _ => None,
        };
        let credentials = match from_env {
            Some(credentials) => Some(credentials),
            None => keyring(secrets::load_credentials).await?,
        };
        let auto = self.options.mode == ModeChoice::Auto;
        let gone = || {
            Error::NotAuthorized(
                "the 1688 authorization is gone from the keyring: connect again in Settings".into(),
            )
        };
        let Some(credentials) = credentials else {
            if auto {
                self.set_account(|a| (a.mode, a.live_app_key) = (Mode::Demo, None));
                return Err(gone().into());
            }
            return Err(Error::NoCredentials(
                "no 1688 app credentials: run `pifa-cli auth login --app-key KEY --secret-stdin`, set PIFA_APP_KEY and PIFA_APP_SECRET, or try --demo".into(),
            )
            .into());
        };
        let client = GatewayClient::new(with_rate(
            ClientConfig::new(gateway, credentials),
            self.options.rate,
        ))?
        .recording(Tagged::wrap(
            GatewayKey::live(gateway),
            Arc::clone(&self.recorder),
        ));
        let client = gated(workbench, client).await;
        let (access, refresh) = match scripted {
            true => (env("PIFA_ACCESS_TOKEN"), env("PIFA_REFRESH_TOKEN")),
            false => (None, None),
        };
        if access.is_some() || refresh.is_some() {
            // A token from the environment comes without its age: trust an access token until
            // the gateway says otherwise (a 401 then refreshes once); with only a refresh
            // token, refresh before the first call.
            let now = Utc::now();
            client
                .set_tokens(Some(TokenSet {
                    access_expires_at: if access.is_some() {
                        now + chrono::Duration::hours(10)
                    } else {
                        now
                    },
                    access_token: access.unwrap_or_default(),
                    refresh_token: refresh,
                    refresh_expires_at: None,
                }))
                .await;
            return Ok(Online {
                client: Arc::new(client),
                demo: None,
            });
        }
        let Some(tokens) = keyring(secrets::load_tokens).await? else {
            if auto {
                self.set_account(|a| (a.mode, a.live_app_key) = (Mode::Demo, None));
                return Err(gone().into());
            }
            return Err(Error::NotAuthorized(
                "Pifa is not authorized with 1688 yet: run `pifa-cli auth login`, or try --demo"
                    .into(),
            )
            .into());
        };
        let client = self.keeping_tokens(client);
        client.set_tokens(Some(tokens)).await;
        Ok(Online {
            client: Arc::new(client),
            demo: None,
        })
    }

    /// Authorizes an app, keeps it and its tokens in the keyring, and switches to live mode.
    /// `gateway_setting` is the Settings choice to use (under `--gateway`/`PIFA_GATEWAY`).
    pub(crate) async fn login(
        &self,
        workbench: &Workbench,
        credentials: AppCredentials,
        gateway_setting: Option<&str>,
        authorize: Authorize,
    ) -> Result<TokenSet, CommandError> {
        if credentials.app_key.trim().is_empty() || credentials.app_secret.trim().is_empty() {
            return Err(
                Error::NoCredentials("enter both the app key and the app secret".into()).into(),
            );
        }
        // Checked first: a bad address fails before anything is sent, and never gets the secret.
        let gateway = gateway_url(self.options.gateway.as_deref(), gateway_setting)?;
        let client = self.keeping_tokens(
            GatewayClient::new(ClientConfig::new(&gateway, credentials.clone()))?.recording(
                Tagged::wrap(GatewayKey::live(&gateway), Arc::clone(&self.recorder)),
            ),
        );
        // It stays the connection after the login: in a team, it waits at the team's gate.
        let client = gated(workbench, client).await;
        let tokens = match authorize {
            Authorize::Browser(open) => {
                authorize_with_browser(&client, open, AUTHORIZE_TIMEOUT).await?
            }
            Authorize::Paste(ask) => {
                let redirect = LoopbackRedirect::bind().await?;
                let redirect_uri = redirect.redirect_uri().to_owned();
                let state = new_state()?;
                // The listener goes: the answer comes back through the user.
                drop(redirect);
                let pasted = ask(&client.authorize_url(&redirect_uri, &state))?;
                let code = code_from_pasted(&pasted, &state)?;
                client.exchange_code(&code, &redirect_uri).await?
            }
        };
        let saved = tokens.clone();
        keyring(move || {
            secrets::save_credentials(&credentials)?;
            secrets::save_tokens(&saved)
        })
        .await?;
        let app_key = client.config().credentials.app_key.clone();
        // The app key is shown in Settings; the secret and the tokens never leave the keyring.
        tracing::info!(%app_key, %gateway, "authorized with 1688");
        *self.current.lock().await = Some(Arc::new(Online {
            client: Arc::new(client),
            demo: None,
        }));
        self.set_account(|a| {
            *a = Account {
                mode: Mode::Live,
                live_app_key: Some(app_key),
                gateway,
                keyring_problem: None,
                gateway_problem: None,
            }
        });
        Ok(tokens)
    }

    /// Lets the current client go, so the next call makes one that waits at the gate of the
    /// team joined now, or at none after leaving. A batch in flight keeps the one it has.
    pub(crate) async fn regate(&self) {
        if let Some(old) = self.current.lock().await.take() {
            // Stopping a demo double waits for its thread: not on the async runtime.
            tokio::task::spawn_blocking(move || drop(old));
        }
    }

    /// Forgets the tokens (with `forget_app` the app key and secret too); the app goes back to
    /// demo data.
    pub(crate) async fn logout(&self, forget_app: bool) -> Result<(), CommandError> {
        keyring(move || secrets::forget_tokens(forget_app)).await?;
        tracing::info!(forget_app, "logged out of 1688");
        *self.current.lock().await = None;
        if self.options.mode == ModeChoice::Auto {
            self.set_account(|a| (a.mode, a.live_app_key) = (Mode::Demo, None));
        }
        Ok(())
    }
}

/// Which app the keyring holds and how long its authorization lasts.
pub(crate) async fn auth_status() -> Result<AuthStatus, CommandError> {
    let credentials = keyring(secrets::load_credentials).await?;
    let tokens = keyring(secrets::load_tokens).await?;
    let now = Utc::now();
    Ok(AuthStatus {
        app_key: credentials.map(|c| c.app_key),
        authorized: tokens
            .as_ref()
            .is_some_and(|t| t.refresh_usable(now) || !t.access_expiring(now)),
        access_expires_at: tokens.as_ref().map(|t| t.access_expires_at),
        refresh_expires_at: tokens.and_then(|t| t.refresh_expires_at),
    })
}

/// The app in the keyring, for a login that names only part of it.
pub(crate) async fn stored_credentials() -> Result<Option<AppCredentials>, CommandError> {
    keyring(secrets::load_credentials).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_gateway_is_an_error_naming_its_source_never_a_fall_back() {
        if std::env::var_os("PIFA_GATEWAY").is_some() {
            eprintln!("skipped: PIFA_GATEWAY is set for this run");
            return;
        }
        for bad in [
            "http://localhost@evil.example",
            "http://127.0.0.1.evil.example",
        ] {
            let error = gateway_url(None, Some(bad)).unwrap_err();
            assert_eq!(error.code(), "settings.bad_gateway");
            assert!(error.to_string().contains("Settings"), "{error}");
            let error = gateway_url(Some(bad), None).unwrap_err();
            assert!(error.to_string().contains("--gateway"), "{error}");
        }
        assert_eq!(
            gateway_url(None, Some("https://relay.example/1688/")).unwrap(),
            "https://relay.example/1688"
        );
        // The flag comes before Settings.
        assert_eq!(
            gateway_url(Some("http://127.0.0.1:9"), Some("https://relay.example")).unwrap(),
            "http://127.0.0.1:9"
        );
        assert_eq!(gateway_url(None, None).unwrap(), LIVE_GATEWAY);
    }
}
