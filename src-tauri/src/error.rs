//! The one error contract between the Rust side and the UI: every command fails with
//! `{ "code": "...", "message": "..." }`. Codes are stable; messages are for people.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message} ({code})")]
#[ts(export)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    /// A failure of Pifa itself rather than of the user's data or setup.
    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError {
            code: "internal".to_owned(),
            message: message.into(),
        }
    }
}

impl From<pifa_core::protocol::ApiError> for CommandError {
    fn from(error: pifa_core::protocol::ApiError) -> Self {
        CommandError {
            code: error.code().to_owned(),
            message: error.to_string(),
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
                "message": "unknown language \"fr\": expected \"en\" or \"zh-CN\""
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
}
