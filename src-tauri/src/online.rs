//! The gateway connection of the desktop app: live 1688 with the user's app (credentials and
//! tokens in the OS keyring), or demo mode on the built-in double when there is none.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pifa_core::protocol::loopback::{authorize_with_browser, open_browser};
use pifa_core::protocol::{AppCredentials, ClientConfig, GatewayClient, TokenSet, LIVE_GATEWAY};
use pifa_core::{secrets, Mode};
use pifa_gateway::{demo, GatewayConfig, GatewayHandle};

use crate::CommandError;

/// How long connecting waits for the user to finish authorizing in the browser.
const AUTHORIZE_TIMEOUT: Duration = Duration::from_secs(300);

/// A connected, authorized gateway client.
pub struct Online {
    pub client: Arc<GatewayClient>,
    /// The in-process double while Pifa runs in demo mode; serving until dropped.
    _demo: Option<GatewayHandle>,
}

/// What the window shows about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub mode: Mode,
    pub live_app_key: Option<String>,
    pub gateway: String,
    /// Why live mode cannot be used now (no keyring, a locked one), if so.
    pub keyring_problem: Option<CommandError>,
}

pub struct Connection {
    account: Mutex<Account>,
    current: tokio::sync::Mutex<Option<Arc<Online>>>,
}

async fn keyring<T: Send + 'static>(
    call: impl FnOnce() -> pifa_core::Result<T> + Send + 'static,
) -> Result<T, CommandError> {
    Ok(secrets::off_runtime(call).await?)
}

fn keep_renewed_tokens(client: GatewayClient) -> GatewayClient {
    client.on_new_tokens(Arc::new(|tokens: &TokenSet| {
        let tokens = tokens.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = secrets::save_tokens(&tokens) {
                eprintln!("pifa: the renewed 1688 tokens could not be kept in the keyring: {e}");
            }
        });
    }))
}

impl Connection {
    /// Reads the keyring (blocking: called before the async runtime runs) to choose the mode.
    pub fn start(gateway: String) -> Connection {
        let account =
            match secrets::load_credentials().and_then(|c| Ok((c, secrets::load_tokens()?))) {
                Ok((Some(credentials), Some(_))) => Account {
                    mode: Mode::Live,
                    live_app_key: Some(credentials.app_key),
                    gateway,
                    keyring_problem: None,
                },
                Ok(_) => Account {
                    mode: Mode::Demo,
                    live_app_key: None,
                    gateway,
                    keyring_problem: None,
                },
                Err(e) => Account {
                    mode: Mode::Demo,
                    live_app_key: None,
                    gateway,
                    keyring_problem: Some(e.into()),
                },
            };
        Connection {
            account: Mutex::new(account),
            current: tokio::sync::Mutex::new(None),
        }
    }

    pub fn account(&self) -> Account {
        self.account
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_account(&self, account: Account) {
        *self.account.lock().unwrap_or_else(PoisonError::into_inner) = account;
    }

    /// The connection, made on first use: live when the keyring holds an authorized app,
    /// otherwise the built-in double, authorized through the regular OAuth code path.
    pub async fn get(&self) -> Result<Arc<Online>, CommandError> {
        let mut current = self.current.lock().await;
        if let Some(online) = current.as_ref() {
            return Ok(Arc::clone(online));
        }
        let account = self.account();
        let online = if account.mode == Mode::Live {
            let credentials = keyring(secrets::load_credentials).await?;
            let tokens = keyring(secrets::load_tokens).await?;
            let (Some(credentials), Some(tokens)) = (credentials, tokens) else {
                self.set_account(Account {
                    mode: Mode::Demo,
                    live_app_key: None,
                    ..account
                });
                return Err(CommandError {
                    code: "auth.not_authorized".into(),
                    message:
                        "the 1688 authorization is gone from the keyring: connect again in Settings"
                            .into(),
                });
            };
            let client = keep_renewed_tokens(GatewayClient::new(ClientConfig::new(
                &account.gateway,
                credentials,
            ))?);
            client.set_tokens(Some(tokens)).await;
            Online {
                client: Arc::new(client),
                _demo: None,
            }
        } else {
            let handle = demo::start(GatewayConfig::default()).map_err(|e| CommandError {
                code: "demo.start".into(),
                message: format!("the demo gateway could not start: {e}"),
            })?;
            let client = demo::client(&handle)?;
            demo::authorize(&client).await?;
            Online {
                client: Arc::new(client),
                _demo: Some(handle),
            }
        };
        let online = Arc::new(online);
        *current = Some(Arc::clone(&online));
        Ok(online)
    }

    /// Keeps the app in the keyring, authorizes it in the browser, and switches to live mode.
    pub async fn connect_live(
        &self,
        credentials: AppCredentials,
        gateway: String,
    ) -> Result<(), CommandError> {
        let client = keep_renewed_tokens(GatewayClient::new(ClientConfig::new(
            &gateway,
            credentials.clone(),
        ))?);
        let tokens = authorize_with_browser(&client, open_browser, AUTHORIZE_TIMEOUT).await?;
        keyring(move || {
            secrets::save_credentials(&credentials)?;
            secrets::save_tokens(&tokens)
        })
        .await?;
        let app_key = client.config().credentials.app_key.clone();
        *self.current.lock().await = Some(Arc::new(Online {
            client: Arc::new(client),
            _demo: None,
        }));
        self.set_account(Account {
            mode: Mode::Live,
            live_app_key: Some(app_key),
            gateway,
            keyring_problem: None,
        });
        Ok(())
    }

    /// Logs out of 1688 (the tokens leave the keyring; the app key stays) and goes back to demo.
    pub async fn use_demo(&self) -> Result<(), CommandError> {
        keyring(|| secrets::forget_tokens(false)).await?;
        *self.current.lock().await = None;
        let account = self.account();
        self.set_account(Account {
            mode: Mode::Demo,
            live_app_key: None,
            ..account
        });
        Ok(())
    }
}

/// The gateway live mode calls: `PIFA_GATEWAY`, else the Settings choice, else 1688's.
pub fn gateway_url(setting: Option<&str>) -> String {
    std::env::var("PIFA_GATEWAY")
        .ok()
        .filter(|g| !g.trim().is_empty())
        .or_else(|| setting.map(str::to_owned))
        .unwrap_or_else(|| LIVE_GATEWAY.to_owned())
}
