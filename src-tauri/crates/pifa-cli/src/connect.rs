//! Which gateway the online commands talk to, with which credentials.
//!
//! `--demo` starts the gateway double in this process and authorizes against it. Otherwise the
//! gateway is `--gateway URL` / `PIFA_GATEWAY` (the live 1688 gateway by default) and the
//! credentials come from `PIFA_APP_KEY`, `PIFA_APP_SECRET`, `PIFA_ACCESS_TOKEN` and
//! `PIFA_REFRESH_TOKEN`.

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{Duration, Utc};
use pifa_core::protocol::{AppCredentials, ClientConfig, GatewayClient, TokenSet, LIVE_GATEWAY};
use pifa_gateway::{demo, GatewayConfig, GatewayHandle};

use crate::CliError;

pub struct Connection {
    pub client: Arc<GatewayClient>,
    /// The in-process double in demo mode; serving until dropped.
    _demo: Option<GatewayHandle>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
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
    let gateway = gateway
        .map(str::to_owned)
        .or_else(|| env("PIFA_GATEWAY"))
        .unwrap_or_else(|| LIVE_GATEWAY.to_owned());
    let (Some(app_key), Some(app_secret)) = (env("PIFA_APP_KEY"), env("PIFA_APP_SECRET")) else {
        return Err(CliError::config(
            "auth.no_credentials",
            "no 1688 app credentials: set PIFA_APP_KEY and PIFA_APP_SECRET (and PIFA_ACCESS_TOKEN / PIFA_REFRESH_TOKEN), or try --demo",
        ));
    };
    let client = GatewayClient::new(with_rate(
        ClientConfig::new(
            gateway,
            AppCredentials {
                app_key,
                app_secret,
            },
        ),
        rate,
    ))?;
    let access = env("PIFA_ACCESS_TOKEN");
    let refresh = env("PIFA_REFRESH_TOKEN");
    if access.is_none() && refresh.is_none() {
        return Err(CliError::config(
            "auth.no_tokens",
            "no 1688 authorization: set PIFA_ACCESS_TOKEN or PIFA_REFRESH_TOKEN, or try --demo",
        ));
    }
    // An access token from the environment comes without its age: trust it until the gateway
    // says otherwise (a 401 then refreshes once). Without one, refresh before the first call.
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
    Ok(Connection {
        client: Arc::new(client),
        _demo: None,
    })
}
