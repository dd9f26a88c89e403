//! Which gateway the online commands talk to, with which credentials.
//!
//! `--demo` starts the gateway double in this process and authorizes against it. Otherwise the
//! gateway is `--gateway URL` / `PIFA_GATEWAY` (the live 1688 gateway by default) and the
//! credentials come from `PIFA_APP_KEY`, `PIFA_APP_SECRET`, `PIFA_ACCESS_TOKEN` and
//! `PIFA_REFRESH_TOKEN`, or else from the OS keyring (`pifa-cli auth login`).

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{Duration, Utc};
use pifa_core::protocol::{
    check_gateway, ApiError, AppCredentials, ClientConfig, GatewayClient, TokenKeeper, TokenSet,
    LIVE_GATEWAY,
};
use pifa_core::secrets;
use pifa_gateway::{demo, GatewayConfig, GatewayHandle};

use crate::CliError;

pub struct Connection {
    pub client: Arc<GatewayClient>,
    /// The in-process double in demo mode; serving until dropped.
    _demo: Option<GatewayHandle>,
    /// Saves renewed tokens to the keyring, in order; flushed when the command ends.
    keeper: Option<Arc<TokenKeeper>>,
}

/// How long the end of a command waits for renewed tokens to reach the keyring.
const SAVE_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

impl Drop for Connection {
    fn drop(&mut self) {
        // The process ends right after the command: a rotated refresh token not yet saved
        // would be lost, and the user would have to log in again.
        if let Some(keeper) = &self.keeper {
            if !keeper.flush(SAVE_WAIT) {
                eprintln!("pifa-cli: the renewed 1688 tokens may not have reached the keyring (it did not answer in time); if the next command asks, run `pifa-cli auth login`");
            }
        }
    }
}

pub fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Runs a keyring call off the async runtime, as the keyring requires.
pub async fn keyring<T: Send + 'static>(
    call: impl FnOnce() -> pifa_core::Result<T> + Send + 'static,
) -> Result<T, CliError> {
    Ok(secrets::off_runtime(call).await?)
}

/// The gateway to call: `--gateway`, else `PIFA_GATEWAY`, else the live 1688 gateway. A given
/// address must be https (or http to this computer): a bad one is an error naming where it
/// came from, never a silent fall back to another gateway.
pub fn gateway_url(gateway: Option<&str>) -> Result<String, CliError> {
    let (given, source) = match (gateway, env("PIFA_GATEWAY")) {
        (Some(flag), _) => (flag.to_owned(), "--gateway"),
        (None, Some(variable)) => (variable, "PIFA_GATEWAY"),
        (None, None) => return Ok(LIVE_GATEWAY.to_owned()),
    };
    match check_gateway(&given) {
        Ok(checked) => Ok(checked.into_string()),
        Err(e) => Err(ApiError::BadGateway(format!("{source}: {e}")).into()),
    }
}

/// `rate` calls per second, with bursts of as many.
fn with_rate(mut config: ClientConfig, rate: u32) -> ClientConfig {
    let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
    config.rate_per_second = rate;
    config.burst = rate;
    config
}

pub async fn connect(
    gateway: Option<&str>,
    demo_mode: bool,
    rate: u32,
) -> Result<Connection, CliError> {
    if demo_mode {
        let handle = demo::start(GatewayConfig::default()).map_err(|e| {
            CliError::config(
                "demo.start",
                format!("the demo gateway could not start: {e}"),
            )
        })?;
        let client = GatewayClient::new(with_rate(
            ClientConfig::new(&handle.base_url, demo::credentials()),
            rate,
        ))?;
        demo::authorize(&client).await?;
        return Ok(Connection {
            client: Arc::new(client),
            _demo: Some(handle),
            keeper: None,
        });
    }
    let gateway = gateway_url(gateway)?;
    // Credentials and tokens: the environment (for scripts and CI) first, else the keyring.
    let from_env = match (env("PIFA_APP_KEY"), env("PIFA_APP_SECRET")) {
        (Some(app_key), Some(app_secret)) => Some(AppCredentials {
            app_key,
            app_secret,
        }),
        _ => None,
    };
    let credentials = match from_env {
        Some(credentials) => credentials,
        None => keyring(secrets::load_credentials).await?.ok_or_else(|| {
            CliError::config(
                "auth.no_credentials",
                "no 1688 app credentials: run `pifa-cli auth login --app-key KEY --secret-stdin`, set PIFA_APP_KEY and PIFA_APP_SECRET, or try --demo",
            )
        })?,
    };
    let client = GatewayClient::new(with_rate(ClientConfig::new(gateway, credentials), rate))?;
    let (access, refresh) = (env("PIFA_ACCESS_TOKEN"), env("PIFA_REFRESH_TOKEN"));
    if access.is_some() || refresh.is_some() {
        // A token from the environment comes without its age: trust an access token until the
        // gateway says otherwise (a 401 then refreshes once); with only a refresh token, refresh
        // before the first call.
        let now = Utc::now();
        client
            .set_tokens(Some(TokenSet {
                access_expires_at: if access.is_some() {
                    now + Duration::hours(10)
                } else {
                    now
                },
                access_token: access.unwrap_or_default(),
                refresh_token: refresh,
                refresh_expires_at: None,
            }))
            .await;
        return Ok(Connection {
            client: Arc::new(client),
            _demo: None,
            keeper: None,
        });
    }
    let stored = keyring(secrets::load_tokens).await?.ok_or_else(|| {
        CliError::config(
            "auth.not_authorized",
            "Pifa is not authorized with 1688 yet: run `pifa-cli auth login`, or try --demo",
        )
    })?;
    // Tokens from the keyring go back there when they are renewed, one set after the other.
    let keeper = TokenKeeper::start(|tokens: &TokenSet| {
        if let Err(e) = secrets::save_tokens(tokens) {
            eprintln!("pifa-cli: the renewed 1688 tokens could not be kept in the keyring: {e}");
        }
    });
    let client = client.on_new_tokens(keeper.sink());
    client.set_tokens(Some(stored)).await;
    Ok(Connection {
        client: Arc::new(client),
        _demo: None,
        keeper: Some(keeper),
    })
}
