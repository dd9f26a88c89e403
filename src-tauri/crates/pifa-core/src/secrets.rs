//! Secrets live only in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows): the app key and secret, and the access and refresh tokens. Never in
//! files, SQLite, logs or messages; there is no plaintext fallback.
//!
//! Keyring calls block and, on Linux, talk D-Bus: call them off the async runtime
//! (`spawn_blocking`), never inside an async task.

use keyring::Entry;

use crate::protocol::{AppCredentials, TokenSet};
use crate::{Error, Result};

/// The keyring service Pifa's entries are filed under, unless `PIFA_KEYRING_SERVICE` names
/// another (tests use their own, so they never touch a user's real entries).
pub const SERVICE: &str = "app.pifa.desktop";

fn service() -> String {
    std::env::var("PIFA_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| SERVICE.to_owned())
}

const APP_KEY: &str = "1688-app-key";
const APP_SECRET: &str = "1688-app-secret";
const TOKENS: &str = "1688-tokens";
/// The key supplier contacts are sealed with in `pifa.db` (`crate::suppliers`), as hex.
const CONTACTS_KEY: &str = "contacts-key";

fn unavailable(detail: impl std::fmt::Display) -> Error {
    Error::KeyringUnavailable(detail.to_string())
}

fn classify(error: keyring::Error) -> Error {
    match error {
        keyring::Error::NoStorageAccess(_) => Error::KeyringLocked,
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            Error::KeyringCorrupt("an entry is not text".into())
        }
        keyring::Error::TooLong(what, max) => {
            Error::KeyringCorrupt(format!("{what} is longer than the keyring's {max} limit"))
        }
        // The message of a platform failure names the platform's complaint (no D-Bus session,
        // no org.freedesktop.secrets), never a secret.
        other => unavailable(other),
    }
}

fn entry(name: &str) -> Result<Entry> {
    Entry::new(&service(), name).map_err(classify)
}

fn read(name: &str) -> Result<Option<String>> {
    match entry(name)?.get_password() {
        Ok(value) => Ok(Some(value)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(classify(e)),
    }
}

fn write(name: &str, value: &str) -> Result<()> {
    entry(name)?.set_password(value).map_err(classify)
}

fn forget(name: &str) -> Result<()> {
    match entry(name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(classify(e)),
    }
}

/// Runs keyring calls off the async runtime, as the keyring requires.
pub async fn off_runtime<T: Send + 'static>(
    call: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(call).await.unwrap_or_else(|e| {
        Err(unavailable(format!(
            "the keyring call stopped unexpectedly: {e}"
        )))
    })
}

/// Whether a keyring answers at all; the error says what to install or unlock.
pub fn check_available() -> Result<()> {
    read(APP_KEY).map(drop)
}

pub fn load_credentials() -> Result<Option<AppCredentials>> {
    match (read(APP_KEY)?, read(APP_SECRET)?) {
        (Some(app_key), Some(app_secret)) => Ok(Some(AppCredentials {
            app_key,
            app_secret,
        })),
        _ => Ok(None),
    }
}

pub fn save_credentials(credentials: &AppCredentials) -> Result<()> {
    write(APP_KEY, &credentials.app_key)?;
    write(APP_SECRET, &credentials.app_secret)
}

pub fn load_tokens() -> Result<Option<TokenSet>> {
    match read(TOKENS)? {
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|_| {
            Error::KeyringCorrupt("the stored 1688 tokens cannot be read; log in again".into())
        }),
        None => Ok(None),
    }
}

pub fn save_tokens(tokens: &TokenSet) -> Result<()> {
    write(
        TOKENS,
        &serde_json::to_string(tokens).expect("tokens serialize"),
    )
}

/// Logs out: the tokens go; with `app_too`, the app key and secret as well.
pub fn forget_tokens(app_too: bool) -> Result<()> {
    forget(TOKENS)?;
    if app_too {
        forget(APP_KEY)?;
        forget(APP_SECRET)?;
    }
    Ok(())
}

/// The 32-byte key supplier contacts are sealed with, if one was made.
pub fn load_contacts_key() -> Result<Option<[u8; 32]>> {
    let Some(text) = read(CONTACTS_KEY)? else {
        return Ok(None);
    };
    let mut key = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut key).map_err(|_| {
        Error::KeyringCorrupt("the supplier contacts key is not 32 bytes of hex".into())
    })?;
    Ok(Some(key))
}

pub fn save_contacts_key(key: &[u8; 32]) -> Result<()> {
    write(CONTACTS_KEY, &hex::encode(key))
}

/// The team key of the team `team_id`, kept by every member (`crate::team`); hex.
fn team_key_entry(team_id: &crate::team::TeamId) -> String {
    format!("team-key-{team_id}")
}

pub fn load_team_key(team_id: &crate::team::TeamId) -> Result<Option<crate::team::TeamKey>> {
    let Some(text) = read(&team_key_entry(team_id))? else {
        return Ok(None);
    };
    crate::team::TeamKey::from_hex(&text)
        .map(Some)
        .ok_or_else(|| Error::KeyringCorrupt("the team key is not 32 bytes of hex".into()))
}

pub fn save_team_key(team_id: &crate::team::TeamId, key: &crate::team::TeamKey) -> Result<()> {
    write(&team_key_entry(team_id), &hex::encode(key.bytes()))
}

pub fn forget_team_key(team_id: &crate::team::TeamId) -> Result<()> {
    forget(&team_key_entry(team_id))
}

/// The password of the team database, filed under its address without the password, so a
/// second team database keeps its own.
fn team_password_entry(address: &str) -> String {
    format!("team-db-password {address}")
}

pub fn load_team_password(address: &str) -> Result<Option<String>> {
    read(&team_password_entry(address))
}

pub fn save_team_password(address: &str, password: &str) -> Result<()> {
    write(&team_password_entry(address), password)
}

pub fn forget_team_password(address: &str) -> Result<()> {
    forget(&team_password_entry(address))
}
