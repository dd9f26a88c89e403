//! `pifa-cli auth login|status|logout`: the app key, secret and tokens live in the OS keyring.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

use pifa_core::protocol::loopback::{code_from_pasted, new_state, open_browser, LoopbackRedirect};
use pifa_core::protocol::{AppCredentials, ClientConfig, GatewayClient};
use pifa_core::secrets;
use serde_json::json;

use crate::connect::{env, gateway_url, keyring};
use crate::output::json;
use crate::{CliError, Outcome};

/// How long `auth login` waits for the browser to come back.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

fn read_line(prompt: &str) -> Result<String, CliError> {
    eprint!("{prompt}");
    let _ = io::stderr().flush();
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line).map_err(|e| {
        CliError::config(
            "input.unreadable",
            format!("cannot read standard input: {e}"),
        )
    })?;
    Ok(line.trim().to_owned())
}

/// The app secret from standard input: typed without echo when it is a terminal (no secret on
/// screen, in scrollback or in a recording), read as a line from a pipe.
fn read_secret(prompt: &str) -> Result<String, CliError> {
    if !io::stdin().is_terminal() {
        return read_line(prompt);
    }
    let secret = rpassword::prompt_password(prompt).map_err(|e| {
        CliError::config(
            "input.unreadable",
            format!("cannot read the secret from the terminal: {e}"),
        )
    })?;
    Ok(secret.trim().to_owned())
}

pub async fn login(
    gateway: Option<&str>,
    app_key: Option<String>,
    secret_stdin: bool,
    paste: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    // Checked first: a bad address fails before the secret is typed, and never receives it.
    let gateway = gateway_url(gateway)?;
    let stored = keyring(secrets::load_credentials).await?;
    let app_key = app_key
        .or_else(|| env("PIFA_APP_KEY"))
        .or_else(|| stored.as_ref().map(|c| c.app_key.clone()))
        .ok_or_else(|| {
            CliError::config(
                "auth.no_credentials",
                "give the app key with --app-key (or PIFA_APP_KEY)",
            )
        })?;
    let app_secret = if secret_stdin {
        Some(read_secret("1688 app secret: ")?).filter(|s| !s.is_empty())
    } else {
        env("PIFA_APP_SECRET").or_else(|| {
            stored
                .as_ref()
                .filter(|c| c.app_key == app_key)
                .map(|c| c.app_secret.clone())
        })
    }
    .ok_or_else(|| {
        CliError::config(
            "auth.no_credentials",
            "give the app secret with --secret-stdin (or PIFA_APP_SECRET)",
        )
    })?;
    let credentials = AppCredentials {
        app_key,
        app_secret,
    };
    let client = GatewayClient::new(ClientConfig::new(gateway, credentials.clone()))?;

    let redirect = LoopbackRedirect::bind().await?;
    let redirect_uri = redirect.redirect_uri().to_owned();
    let state = new_state()?;
    let url = client.authorize_url(&redirect_uri, &state);
    eprintln!("Authorize Pifa in your browser:\n  {url}");
    let code = if paste {
        drop(redirect);
        let pasted =
            read_line("Paste the code, or the whole address the browser shows afterwards: ")?;
        code_from_pasted(&pasted, &state)?
    } else {
        if let Err(e) = open_browser(url.clone()) {
            eprintln!("(the browser could not be opened: {e}; open the address above yourself, or use --paste)");
        }
        redirect.wait_for_code(&state, LOGIN_TIMEOUT).await?
    };
    let tokens = client.exchange_code(&code, &redirect_uri).await?;
    let saved_credentials = credentials.clone();
    keyring(move || secrets::save_credentials(&saved_credentials)).await?;
    let saved_tokens = tokens.clone();
    keyring(move || secrets::save_tokens(&saved_tokens)).await?;
    if as_json {
        json(
            &json!({"authorized": true, "appKey": credentials.app_key, "accessExpiresAt": tokens.access_expires_at, "refreshExpiresAt": tokens.refresh_expires_at}),
        );
    } else {
        outln!(
            "Pifa is authorized for app {}. The authorization lasts until {}.",
            credentials.app_key,
            tokens
                .refresh_expires_at
                .map(|t| t
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string())
                .unwrap_or_else(|| "1688 ends it".into())
        );
    }
    Ok(Outcome::Ok)
}

pub async fn status(as_json: bool) -> Result<Outcome, CliError> {
    let credentials = keyring(secrets::load_credentials).await?;
    let tokens = keyring(secrets::load_tokens).await?;
    let now = chrono::Utc::now();
    let authorized = tokens
        .as_ref()
        .is_some_and(|t| t.refresh_usable(now) || !t.access_expiring(now));
    if as_json {
        json(&json!({
            "appKey": credentials.as_ref().map(|c| c.app_key.clone()),
            "authorized": authorized,
            "accessExpiresAt": tokens.as_ref().map(|t| t.access_expires_at),
            "refreshExpiresAt": tokens.as_ref().and_then(|t| t.refresh_expires_at),
        }));
    } else {
        match (&credentials, &tokens) {
            (None, _) => outln!("No 1688 app is set up. Run `pifa-cli auth login --app-key KEY --secret-stdin`, or use --demo."),
            (Some(c), None) => outln!("App {} is set up but not authorized: run `pifa-cli auth login`.", c.app_key),
            (Some(c), Some(t)) => outln!(
                "App {}: {}; access token until {}, authorization until {}.",
                c.app_key,
                if authorized { "authorized" } else { "authorization expired, log in again" },
                t.access_expires_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"),
                t.refresh_expires_at.map(|r| r.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string()).unwrap_or_else(|| "unknown".into())
            ),
        }
    }
    Ok(Outcome::Ok)
}

pub async fn logout(forget_app: bool, as_json: bool) -> Result<Outcome, CliError> {
    keyring(move || secrets::forget_tokens(forget_app)).await?;
    if as_json {
        json(&json!({"loggedOut": true, "appForgotten": forget_app}));
    } else if forget_app {
        outln!("Logged out; the app key and secret are gone from the keyring too.");
    } else {
        outln!("Logged out; the app key stays for the next `pifa-cli auth login`.");
    }
    Ok(Outcome::Ok)
}
