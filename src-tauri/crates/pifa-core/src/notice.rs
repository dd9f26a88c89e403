//! Something that went wrong and was worked around, so work goes on, but that the user should
//! hear about once: the app shows it on the Settings page, the CLI prints it as a warning.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Notice {
    /// Stable like error codes: `settings.reset`, `cache.rebuilt`, `store.no_wal`.
    pub code: String,
    /// What happened, in English, naming the file.
    pub message: String,
    /// The file it is about, for the UI's translated text.
    #[ts(type = "string")]
    pub path: PathBuf,
}

impl Notice {
    pub(crate) fn new(code: &str, message: String, path: PathBuf) -> Notice {
        Notice {
            code: code.to_owned(),
            message,
            path,
        }
    }
}
