//! The gateway connection of the desktop app: live 1688 with the user's app (credentials and
//! tokens in the OS keyring), or demo mode on the built-in double when there is none.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pifa_core::protocol::loopback::{authorize_with_browser, open_browser};
use pifa_core::protocol::{
    check_gateway, AppCredentials, ClientConfig, GatewayClient, TokenKeeper, TokenSet, LIVE_GATEWAY,
};
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
    /// Why the configured gateway address cannot be used (settings.json or `PIFA_GATEWAY`):
    /// live mode fails with it rather than calling some other gateway.
    pub gateway_problem: Option<CommandError>,
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

/// Renewed tokens go to the keyring one set after the other, so the newest is the one kept.
fn keep_renewed_tokens(client: GatewayClient) -> GatewayClient {
    let keeper = TokenKeeper::start(|tokens: &TokenSet| {
        if let Err(e) = secrets::save_tokens(tokens) {
            eprintln!("pifa: the renewed 1688 tokens could not be kept in the keyring: {e}");
        }
    });
    client.on_new_tokens(keeper.sink())
}

impl Connection {
    /// Reads the keyring (blocking: called before the async runtime runs) to choose the mode.
    /// `gateway` is the checked address live mode calls, or why the configured one is refused.
    pub fn start(gateway: Result<String, CommandError>) -> Connection {
        let (gateway, gateway_problem) = match gateway {
            Ok(url) => (url, None),
            Err(problem) => {
                eprintln!("pifa: {} ({})", problem.message, problem.code);
                (String::new(), Some(problem))
            }
        };
        let account =
            match secrets::load_credentials().and_then(|c| Ok((c, secrets::load_tokens()?))) {
                Ok((Some(credentials), Some(_))) => Account {
                    mode: Mode::Live,
                    live_app_key: Some(credentials.app_key),
                    gateway,
                    keyring_problem: None,
                    gateway_problem,
                },
                Ok(_) => Account {
                    mode: Mode::Demo,
                    live_app_key: None,
                    gateway,
                    keyring_problem: None,
                    gateway_problem,
                },
                Err(e) => Account {
                    mode: Mode::Demo,
                    live_app_key: None,
                    gateway,
                    keyring_problem: Some(e.into()),
                    gateway_problem,
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
            if let Some(problem) = account.gateway_problem {
                return Err(problem);
            }
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
            gateway_problem: None,
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

/// The gateway live mode calls: `PIFA_GATEWAY`, else the Settings choice, else 1688's. A given
/// address must pass `check_gateway`; a bad one is an error naming where it came from, never a
/// silent fall back to another gateway.
pub fn gateway_url(setting: Option<&str>) -> Result<String, CommandError> {
    let (given, source) = match std::env::var("PIFA_GATEWAY")
        .ok()
        .filter(|g| !g.trim().is_empty())
    {
        Some(variable) => (variable, "PIFA_GATEWAY"),
        None => match setting.filter(|g| !g.trim().is_empty()) {
            Some(chosen) => (chosen.to_owned(), "the gateway in Settings"),
            None => return Ok(LIVE_GATEWAY.to_owned()),
        },
    };
    check_gateway(&given)
        .map(|checked| checked.into_string())
        .map_err(|e| CommandError {
            code: e.code().to_owned(),
            message: format!("{source}: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_gateway_from_settings_is_an_error_never_a_fall_back() {
        if std::env::var_os("PIFA_GATEWAY").is_some() {
            eprintln!("skipped: PIFA_GATEWAY is set for this run");
            return;
        }
        for bad in [
            "http://localhost@evil.example",
            "http://127.0.0.1.evil.example",
        ] {
            let error = gateway_url(Some(bad)).unwrap_err();
            assert_eq!(error.code, "settings.bad_gateway");
            assert!(error.message.contains("Settings"), "{}", error.message);
        }
        assert_eq!(
            gateway_url(Some("https://relay.example/1688/")).unwrap(),
            "https://relay.example/1688"
        );
        assert_eq!(gateway_url(None).unwrap(), LIVE_GATEWAY);
    }

    #[test]
    fn connecting_to_a_look_alike_loopback_address_is_refused_before_anything_is_sent() {
        let tmp = tempfile::tempdir().unwrap();
        let shell = crate::Shell::start(Some(tmp.path()));
        let error = tauri::async_runtime::block_on(shell.connect_live(
            "k",
            "TOPSECRET",
            Some("http://127.0.0.1:80@evil.example"),
        ))
        .unwrap_err();
        assert_eq!(error.code, "settings.bad_gateway");
        assert!(!error.message.contains("TOPSECRET"));
    }
}
