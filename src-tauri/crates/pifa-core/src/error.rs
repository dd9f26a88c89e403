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
        }
    }
}
