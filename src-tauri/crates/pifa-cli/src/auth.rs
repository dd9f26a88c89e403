//! `pifa-cli auth login|status|logout`: the app key, secret and tokens live in the OS keyring.

use std::io::{self, BufRead, IsTerminal, Write};

use pifa_core::protocol::loopback::open_browser;
use pifa_core::protocol::AppCredentials;
use pifa_core::Error;
use pifa_workbench::{env, Authorize, CommandError, Workbench};
use serde_json::json;

use crate::output::json;
use crate::{CliError, Outcome};

fn read_line(prompt: &str) -> Result<String, CommandError> {
    eprint!("{prompt}");
    let _ = io::stderr().flush();
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line).map_err(|e| {
        CommandError::new(
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
        return Ok(read_line(prompt)?);
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
    wb: &Workbench,
    app_key: Option<String>,
    secret_stdin: bool,
    paste: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    // Checked first: a bad address fails before the secret is typed, and never receives it.
    if let Some(problem) = wb.account().gateway_problem {
        return Err(problem.into());
    }
    let stored = wb.stored_credentials().await?;
    let app_key = app_key
        .or_else(|| env("PIFA_APP_KEY"))
        .or_else(|| stored.as_ref().map(|c| c.app_key.clone()))
        .ok_or_else(|| {
            Error::NoCredentials("give the app key with --app-key (or PIFA_APP_KEY)".into())
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
        Error::NoCredentials("give the app secret with --secret-stdin (or PIFA_APP_SECRET)".into())
    })?;
    let credentials = AppCredentials {
        app_key,
        app_secret,
    };
    let authorize = if paste {
        Authorize::Paste(Box::new(|url: &str| {
            eprintln!("Authorize Pifa in your browser:\n  {url}");
            read_line("Paste the code, or the whole address the browser shows afterwards: ")
        }))
    } else {
        Authorize::Browser(Box::new(|url: String| {
            eprintln!("Authorize Pifa in your browser:\n  {url}");
            if let Err(e) = open_browser(url) {
                eprintln!("(the browser could not be opened: {e}; open the address above yourself, or use --paste)");
            }
            Ok(())
        }))
    };
    let tokens = wb.login(credentials.clone(), authorize).await?;
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

pub async fn status(wb: &Workbench, as_json: bool) -> Result<Outcome, CliError> {
    let status = wb.auth_status().await?;
    let authorized = status.authorized;
    if as_json {
        json(&json!({
            "appKey": status.app_key,
            "authorized": authorized,
            "accessExpiresAt": status.access_expires_at,
            "refreshExpiresAt": status.refresh_expires_at,
        }));
    } else {
        match (&status.app_key, status.access_expires_at) {
            (None, _) => outln!("No 1688 app is set up. Run `pifa-cli auth login --app-key KEY --secret-stdin`, or use --demo."),
            (Some(app_key), None) => outln!("App {app_key} is set up but not authorized: run `pifa-cli auth login`."),
            (Some(app_key), Some(access_expires_at)) => outln!(
                "App {}: {}; access token until {}, authorization until {}.",
                app_key,
                if authorized { "authorized" } else { "authorization expired, log in again" },
                access_expires_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"),
                status.refresh_expires_at.map(|r| r.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string()).unwrap_or_else(|| "unknown".into())
            ),
        }
    }
    Ok(Outcome::Ok)
}

pub async fn logout(wb: &Workbench, forget_app: bool, as_json: bool) -> Result<Outcome, CliError> {
    wb.logout(forget_app).await?;
    if as_json {
        json(&json!({"loggedOut": true, "appForgotten": forget_app}));
    } else if forget_app {
        outln!("Logged out; the app key and secret are gone from the keyring too.");
    } else {
        outln!("Logged out; the app key stays for the next `pifa-cli auth login`.");
    }
    Ok(Outcome::Ok)
}
