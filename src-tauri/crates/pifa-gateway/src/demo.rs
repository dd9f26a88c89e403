//! Demo mode: a double on loopback with the demo credentials, authorized through the same OAuth
//! code path as the live gateway — only the "browser" is an automatic one that follows the
//! double's redirect back to Pifa's loopback listener.
//!
//! The client and the double share a process, so they share a secret drawn at random once per
//! process: another local user who finds the port still cannot sign a call (review M1). The
//! public demo secret is for the standalone `pifa-gateway` binary only.

use std::sync::OnceLock;
use std::time::Duration;

use pifa_core::protocol::loopback::authorize_with_browser;
use pifa_core::protocol::{ApiError, AppCredentials, TokenSet};
use pifa_core::protocol::{ClientConfig, GatewayClient};

use crate::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY};

/// The demo app key with this process's secret: what [`start`]'s double accepts.
pub fn credentials() -> AppCredentials {
    AppCredentials {
        app_key: DEMO_APP_KEY.into(),
        app_secret: process_secret().to_owned(),
    }
}

fn process_secret() -> &'static str {
    static SECRET: OnceLock<String> = OnceLock::new();
    SECRET.get_or_init(|| {
        let mut bytes = [0u8; 24];
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness (hardly ever): the standard library's hasher keys are random
            // per process too.
            use std::hash::{BuildHasher, RandomState};
            for (n, chunk) in bytes.chunks_mut(8).enumerate() {
                let word = RandomState::new().hash_one((n, std::process::id()));
                chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
            }
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// Starts the double with the demo catalog on a free loopback port, with the demo app key and
/// this process's secret (whatever `config` says of them).
pub fn start(config: GatewayConfig) -> std::io::Result<GatewayHandle> {
    let credentials = credentials();
    spawn(
        GatewayConfig {
            app_key: credentials.app_key,
            app_secret: credentials.app_secret,
            ..config
        },
        "127.0.0.1:0",
    )
}

/// A client for a running double, with the demo credentials.
pub fn client(gateway: &GatewayHandle) -> Result<GatewayClient, ApiError> {
    GatewayClient::new(ClientConfig::new(&gateway.base_url, credentials()))
}

/// Authorizes `client` against the double: opens the authorize page with an HTTP client that
/// follows the redirect to the loopback listener, exactly where a browser would land.
pub async fn authorize(client: &GatewayClient) -> Result<TokenSet, ApiError> {
    authorize_with_browser(
        client,
        |url| {
            pifa_core::protocol::client::install_tls_provider();
            tokio::spawn(async move {
                // Loopback only: a proxy from the environment would break the hop (and see it).
                // Plain http both ways, so no trusted roots are loaded.
                if let Ok(browser) = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .no_proxy()
                    .tls_certs_only([])
                    .build()
                {
                    let _ = browser.get(url).send().await;
                }
            });
            Ok(())
        },
        Duration::from_secs(20),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_process_secret_is_random_and_not_the_public_one() {
        let secret = credentials().app_secret;
        assert_eq!(secret.len(), 48);
        assert_ne!(secret, crate::DEMO_APP_SECRET);
        assert_eq!(secret, credentials().app_secret, "one per process");
    }
}
