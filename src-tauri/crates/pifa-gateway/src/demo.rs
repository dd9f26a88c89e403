//! Demo mode: a double on loopback with the demo credentials, authorized through the same OAuth
//! code path as the live gateway — only the "browser" is an automatic one that follows the
//! double's redirect back to Pifa's loopback listener.

use std::time::Duration;

use pifa_core::protocol::loopback::authorize_with_browser;
use pifa_core::protocol::{ApiError, AppCredentials, TokenSet};
use pifa_core::protocol::{ClientConfig, GatewayClient};

use crate::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};

pub fn credentials() -> AppCredentials {
    AppCredentials {
        app_key: DEMO_APP_KEY.into(),
        app_secret: DEMO_APP_SECRET.into(),
    }
}

/// Starts the double with the demo catalog on a free loopback port.
pub fn start(config: GatewayConfig) -> std::io::Result<GatewayHandle> {
    spawn(config, "127.0.0.1:0")
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
                if let Ok(browser) = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
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
