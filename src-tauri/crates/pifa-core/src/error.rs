//! The core's one error type. Every variant names what went wrong and where, and maps to a
//! stable machine-readable code that the UI and scripts can rely on.

use std::io;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no data directory could be determined for this user; set PIFA_DATA_DIR to choose one"
    )]
    NoDataDir,

    #[error("the data directory {path} cannot be used: {source}")]
    DataDirUnusable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the settings file {path} cannot be read: {source}")]
    SettingsUnreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the settings file {path} cannot be written: {source}")]
    SettingsUnwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("unknown language {0:?}: expected \"en\" or \"zh-CN\"")]
    UnknownLanguage(String),

    #[error("{0} minutes is not a usable interval: choose from {min} to {max} minutes (a week)", min = crate::settings::MINUTES.start(), max = crate::settings::MINUTES.end())]
    BadInterval(u32),

    #[error("the database {path} cannot be opened: {source}")]
    StoreOpen {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the database {path} is read-only: Pifa needs to write to its data directory")]
    StoreReadOnly { path: PathBuf },

    #[error("the disk holding {path} is full: nothing was changed; free some space and try again")]
    StoreFull { path: PathBuf },

    #[error("the database {path} is damaged or not a Pifa database")]
    StoreCorrupt { path: PathBuf },

    #[error("the database {path} was written by a newer Pifa (schema {found}, this one knows up to {known}); update Pifa")]
    StoreTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("the database {path} failed while {doing}: {source}")]
    Store {
        path: PathBuf,
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the file {path} cannot be read: {source}")]
    InputUnreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("no OS keyring is reachable ({0}); on Linux install and start a Secret Service such as gnome-keyring or KeePassXC in your desktop session")]
    KeyringUnavailable(String),

    #[error("the OS keyring is locked: unlock it (log in to your desktop session or open your keyring app) and try again")]
    KeyringLocked,

    #[error("the OS keyring holds something Pifa cannot use: {0}")]
    KeyringCorrupt(String),

    #[error("offer {0} is not stored")]
    OfferNotFound(String),

    #[error(transparent)]
    BadOfferId(#[from] crate::offer::OfferIdError),

    #[error("a shortlist needs a name of 1 to 60 characters, not {0:?}")]
    ShortlistBadName(String),

    #[error("there is already a shortlist named {0:?}")]
    ShortlistNameTaken(String),

    #[error("shortlist {0} does not exist (it may have been deleted)")]
    ShortlistNotFound(i64),

    #[error("the export could not be written to {path}: {source}")]
    ExportUnwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the answer for {what} cannot be read: {source}")]
    Unreadable {
        what: String,
        #[source]
        source: crate::offer::CleanError,
    },

    /// A detail answer about another offer than the one asked for.
    #[error(
        "1688 sent an answer Pifa cannot use: the answer is for offer {answered}, not {requested}"
    )]
    WrongOffer { requested: String, answered: String },
}

impl Error {
    /// A stable code for this kind of error. Codes are part of the contract with the UI and with
    /// scripts: never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoDataDir => "data_dir.none",
            Error::DataDirUnusable { .. } => "data_dir.unusable",
            Error::SettingsUnreadable { .. } => "settings.unreadable",
            Error::SettingsUnwritable { .. } => "settings.unwritable",
            Error::UnknownLanguage(_) => "settings.unknown_language",
            Error::BadInterval(_) => "settings.bad_ttl",
            Error::StoreOpen { .. } => "store.open",
            Error::StoreReadOnly { .. } => "store.read_only",
            Error::StoreFull { .. } => "store.disk_full",
            Error::StoreCorrupt { .. } => "store.corrupt",
            Error::StoreTooNew { .. } => "store.too_new",
            Error::Store { .. } => "store.failed",
            Error::InputUnreadable { .. } => "input.unreadable",
            Error::KeyringUnavailable(_) => "keyring.unavailable",
            Error::KeyringLocked => "keyring.locked",
            Error::KeyringCorrupt(_) => "keyring.corrupt",
            Error::OfferNotFound(_) => "offer.not_found",
            Error::ShortlistBadName(_) => "shortlist.bad_name",
            Error::ShortlistNameTaken(_) => "shortlist.name_taken",
            Error::ShortlistNotFound(_) => "shortlist.not_found",
            Error::ExportUnwritable { .. } => "export.unwritable",
            Error::BadOfferId(_) => "offer.bad_id",
            Error::Unreadable { .. } => "offer.unreadable",
            Error::WrongOffer { .. } => "gateway.malformed",
        }
    }
}
