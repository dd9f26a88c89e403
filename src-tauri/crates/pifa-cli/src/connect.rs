//! Which gateway the online commands talk to, with which credentials.
//!
//! `--demo` starts the gateway double in this process and authorizes against it. Otherwise the
//! gateway is `--gateway URL` / `PIFA_GATEWAY` (the live 1688 gateway by default) and the
//! credentials come from `PIFA_APP_KEY`, `PIFA_APP_SECRET`, `PIFA_ACCESS_TOKEN` and
//! `PIFA_REFRESH_TOKEN`, or else from the OS keyring (`pifa-cli auth login`).

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{Duration, Utc};
use pifa_core::protocol::{AppCredentials, ClientConfig, GatewayClient, TokenSet, LIVE_GATEWAY};
use pifa_core::secrets;
use pifa_gateway::{demo, GatewayConfig, GatewayHandle};

use crate::CliError;

pub struct Connection {
    pub client: Arc<GatewayClient>,
    /// The in-process double in demo mode; serving until dropped.
    _demo: Option<GatewayHandle>,
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

/// The gateway to call: `--gateway`, else `PIFA_GATEWAY`, else the live 1688 gateway.
pub fn gateway_url(gateway: Option<&str>) -> String {
    gateway
        .map(str::to_owned)
        .or_else(|| env("PIFA_GATEWAY"))
        .unwrap_or_else(|| LIVE_GATEWAY.to_owned())
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
        });
    }
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
    let client = GatewayClient::new(with_rate(
        ClientConfig::new(gateway_url(gateway), credentials),
        rate,
    ))?;
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
        });
    }
    let stored = keyring(secrets::load_tokens).await?.ok_or_else(|| {
        CliError::config(
            "auth.not_authorized",
            "Pifa is not authorized with 1688 yet: run `pifa-cli auth login`, or try --demo",
        )
    })?;
    // Tokens from the keyring go back there when they are renewed.
    let client = client.on_new_tokens(Arc::new(|tokens: &TokenSet| {
        let tokens = tokens.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = secrets::save_tokens(&tokens) {
                eprintln!(
                    "pifa-cli: the renewed 1688 tokens could not be kept in the keyring: {e}"
                );
            }
        });
    }));
    client.set_tokens(Some(stored)).await;
    Ok(Connection {
        client: Arc::new(client),
        _demo: None,
    })
}
