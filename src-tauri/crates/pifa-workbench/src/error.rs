//! The one error contract of every user action: `{ "code": "...", "message": "...", "params": {}}`.
//! Codes are stable (the UI and scripts rely on them); messages are for people and never hold a
//! secret; params name what the failure is about, for words in the user's language.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message} ({code})")]
#[ts(export)]
pub struct CommandError {
    /// One of [`pifa_core::error::all_codes`], which the UI has as the union `ErrorCode`.
    #[ts(type = "import(\"./ErrorCode\").ErrorCode")]
    pub code: String,
    pub message: String,
    /// What the failure names (`path`, `offerId`, `name`…; see `pifa_core::Error::params`), shown
    /// beside the code's explanation in the user's language; `message` is English, for the CLI,
    /// the logs and the English UI.
    pub params: std::collections::BTreeMap<String, String>,
    /// The next call would fail the same way, whatever the offer (the app's settings, quota or
    /// authorization, a full disk): a run of fetches ends at it. Not sent to the UI.
    #[serde(skip)]
    #[ts(skip)]
    pub stops_run: bool,
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.into(),
            message: message.into(),
            params: Default::default(),
            stops_run: false,
        }
    }

    /// A failure of Pifa itself rather than of the user's data or setup.
    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError::new(pifa_core::error::INTERNAL, message)
    }
}

impl From<pifa_core::protocol::ApiError> for CommandError {
    fn from(error: pifa_core::protocol::ApiError) -> Self {
        CommandError {
            code: error.code().to_owned(),
            message: error.to_string(),
            params: Default::default(),
            stops_run: error.stops_run(),
        }
    }
}

impl From<pifa_core::offer::OfferIdError> for CommandError {
    fn from(error: pifa_core::offer::OfferIdError) -> Self {
        pifa_core::Error::from(error).into()
    }
}

impl From<pifa_core::Error> for CommandError {
    fn from(error: pifa_core::Error) -> Self {
        CommandError {
            code: error.code().to_owned(),
            message: error.to_string(),
            params: error
                .params()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
            stops_run: error.stops_run(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn command_errors_serialize_as_code_and_message() {
        let error = CommandError::from(pifa_core::Error::UnknownLanguage("fr".into()));
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "code": "settings.unknown_language",
                "message": "unknown language \"fr\": expected \"en\" or \"zh-CN\"",
                "params": {"value": "fr"}
            })
        );
    }

    #[test]
    fn chinese_in_messages_survives_serialization() {
        let error = CommandError::from(pifa_core::Error::DataDirUnusable {
            path: "/只读/数据".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        });
        let json = serde_json::to_string(&error).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["code"], "data_dir.unusable");
        assert!(back["message"].as_str().unwrap().contains("/只读/数据"));
    }

    #[test]
    fn input_errors_have_stable_codes() {
        for (error, code) in [
            (pifa_core::Error::EmptyKeyword, "search.empty_keyword"),
            (pifa_core::Error::BatchEmpty, "batch.empty"),
            (pifa_core::Error::BatchRunning, "batch.running"),
        ] {
            assert_eq!(CommandError::from(error).code, code);
        }
    }
}
