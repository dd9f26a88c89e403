//! What can go wrong talking to a 1688 gateway, classified from the HTTP status *and* the
//! answer's `error_code` or business fields: the live gateway answers gw.* errors with HTTP 400,
//! so a status alone says little. No message ever carries a secret.

use serde_json::Value;

use super::head::Head;
use crate::error::stable_codes;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("1688 needs you to authorize Pifa again ({0})")]
    NeedsAuthorization(String),
    #[error("the 1688 app settings were refused: {code}: {message}")]
    Configuration { code: String, message: String },
    #[error("1688 is limiting how often Pifa may call ({0}); Pifa slows down and retries")]
    Throttled(String),
    #[error("the 1688 app's call quota is spent ({0}); calls work again when it renews")]
    QuotaSpent(String),
    #[error("1688 has no such offer: {0}")]
    NotFound(String),
    #[error("1688 could not be reached or failed for a moment: {0}")]
    Transient(String),
    #[error("1688 sent an answer Pifa cannot read: {0}")]
    Malformed(String),
    #[error("1688 refused the request: {code}: {message}")]
    Business { code: String, message: String },
    /// Any 3xx: a signed call or a token call has no reason to move, and following it would
    /// re-send the secret and tokens in the body to wherever `Location` points.
    #[error("the gateway answered with a redirect ({0}); Pifa never follows redirects on 1688 calls: check the gateway address")]
    Redirected(String),
    /// A gateway address that may not carry secrets (see `check_gateway`).
    #[error("{0}")]
    BadGateway(String),
    /// `gw.TimestampInvalid` even after correcting for the gateway's clock.
    #[error("{0}")]
    ClockSkew(String),
}

stable_codes!(ApiError {
    ApiError::NeedsAuthorization(_) => "gateway.needs_authorization",
    ApiError::Configuration { .. } => "gateway.configuration",
    ApiError::Throttled(_) => "gateway.throttled",
    ApiError::QuotaSpent(_) => "gateway.quota_spent",
    ApiError::NotFound(_) => "gateway.not_found",
    ApiError::Transient(_) => "gateway.transient",
    ApiError::Malformed(_) => "gateway.malformed",
    ApiError::Business { .. } => "gateway.refused",
    ApiError::Redirected(_) => "gateway.redirected",
    ApiError::BadGateway(_) => "settings.bad_gateway",
    ApiError::ClockSkew(_) => "gateway.clock_skew",
});

impl ApiError {
    /// Worth trying again after a pause.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::Throttled(_) | ApiError::Transient(_))
    }

    /// Every further call would fail the same way, whatever the offer: the app's settings, its
    /// quota, its authorization (already refreshed by then), the gateway address or the clock.
    /// A batch or a watch round stops at the first one.
    pub fn stops_run(&self) -> bool {
        matches!(
            self,
            ApiError::NeedsAuthorization(_)
                | ApiError::Configuration { .. }
                | ApiError::QuotaSpent(_)
                | ApiError::Redirected(_)
                | ApiError::BadGateway(_)
                | ApiError::ClockSkew(_)
        )
    }

    /// Counts towards pausing an offer after repeated failures (the seed's "serious error"):
    /// only what is about this offer. Passing trouble is retried instead, and trouble with the
    /// app or gateway is no fault of the offer.
    pub fn is_serious(&self) -> bool {
        !self.is_retryable() && !self.stops_run()
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Classifies a gateway error answer (`{error_code, error_message, ...}`) or a status alone.
/// `body` is what was read of the answer, already capped in size.
pub fn classify_failure(status: u16, body: &[u8]) -> ApiError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| text(v, "error_code").or_else(|| text(v, "error")));
    let message = parsed
        .as_ref()
        .and_then(|v| text(v, "error_message").or_else(|| text(v, "error_description")))
        .unwrap_or_else(|| format!("HTTP {status}"));
    match code.as_deref() {
        Some("401")
        | Some("invalid_grant")
        | Some("gw.AccessTokenInvalid")
        | Some("gw.AccessTokenExpired") => ApiError::NeedsAuthorization(message),
        Some("gw.QosAppFrequencyLimit") | Some("gw.QosApiFrequencyLimit") => {
            ApiError::Throttled(message)
        }
        Some("gw.NoUsageLeftError") => ApiError::QuotaSpent(message),
        Some(
            code @ ("gw.SignatureMissing"
            | "gw.SignatureInvalid"
            | "gw.AppKeyNotFound"
            | "gw.APIACLDecline"
            | "gw.APIUnsupported"
            | "gw.TimestampInvalid"
            | "invalid_client"
            | "redirect_uri_mismatch"),
        ) => ApiError::Configuration {
            code: code.to_owned(),
            message,
        },
        Some(code) if status < 500 => ApiError::Business {
            code: code.to_owned(),
            message,
        },
        _ if status == 401 => ApiError::NeedsAuthorization(message),
        _ if status == 429 => ApiError::Throttled(message),
        _ if status >= 500 || status == 408 => ApiError::Transient(format!("HTTP {status}")),
        _ => ApiError::Business {
            code: status.to_string(),
            message,
        },
    }
}

/// Business errors that come with HTTP 200: `success:false`, a non-empty `errMsg`, or a nested
/// `result.success:false`, read from an answer's text, which is only checked to be JSON beyond
/// the fields that report a failure; an error when it is not JSON.
pub fn business_failure_in(text: &str) -> serde_json::Result<Option<ApiError>> {
    Head::of_text(text).map(|head| head.failure())
}

impl Head {
    fn failure(self) -> Option<ApiError> {
        let nested = self.result.filter(|r| r.failed);
        let (code, message) = match (self.err_msg, nested) {
            (Some(message), _) => (None, Some(message)),
            (None, Some(failed)) => (failed.code, failed.message),
            (None, None) if self.failed => (self.code, self.message),
            (None, None) => return None,
        };
        let message = message.unwrap_or_else(|| "no message".into());
        Some(
            if message.contains("不存在") || message.to_ascii_lowercase().contains("not exist") {
                ApiError::NotFound(message)
            } else {
                ApiError::Business {
                    code: code.unwrap_or_else(|| "business".into()),
                    message,
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gateway_codes_decide_not_the_status() {
        let body = |code: &str| {
            json!({"error_code": code, "error_message": "m", "request_id": "r"})
                .to_string()
                .into_bytes()
        };
        assert!(matches!(
            classify_failure(400, &body("gw.QosAppFrequencyLimit")),
            ApiError::Throttled(_)
        ));
        assert!(matches!(
            classify_failure(400, &body("gw.NoUsageLeftError")),
            ApiError::QuotaSpent(_)
        ));
        assert!(matches!(
            classify_failure(400, &body("gw.SignatureInvalid")),
            ApiError::Configuration { .. }
        ));
        assert!(matches!(
            classify_failure(400, &body("gw.AppKeyNotFound")),
            ApiError::Configuration { .. }
        ));
        assert!(matches!(
            classify_failure(400, &body("gw.APIACLDecline")),
            ApiError::Configuration { .. }
        ));
        assert!(matches!(
            classify_failure(401, &body("401")),
            ApiError::NeedsAuthorization(_)
        ));
        assert!(matches!(
            classify_failure(502, b"<html>bad gateway</html>"),
            ApiError::Transient(_)
        ));
        assert!(matches!(classify_failure(504, b""), ApiError::Transient(_)));
        assert!(classify_failure(502, b"").is_retryable());
        assert!(!classify_failure(400, &body("gw.SignatureInvalid")).is_retryable());
    }

    #[test]
    fn trouble_with_the_app_stops_a_run_and_never_pauses_an_offer() {
        let body = |code: &str| json!({"error_code": code}).to_string().into_bytes();
        for error in [
            classify_failure(400, &body("gw.SignatureInvalid")),
            classify_failure(400, &body("gw.AppKeyNotFound")),
            classify_failure(400, &body("gw.APIACLDecline")),
            classify_failure(400, &body("gw.NoUsageLeftError")),
            classify_failure(401, &body("401")),
            ApiError::Redirected("HTTP 307".into()),
            ApiError::ClockSkew("off".into()),
        ] {
            assert!(error.stops_run(), "{error:?}");
            assert!(!error.is_serious(), "{error:?}");
        }
        for error in [
            ApiError::NotFound("gone".into()),
            ApiError::Malformed("x".into()),
            classify_failure(400, &body("gw.ParamMissing")),
        ] {
            assert!(!error.stops_run(), "{error:?}");
            assert!(error.is_serious(), "{error:?}");
        }
        for error in [classify_failure(502, b""), classify_failure(429, b"")] {
            assert!(!error.stops_run() && !error.is_serious(), "{error:?}");
        }
    }

    #[test]
    fn business_failures_inside_http_200() {
        let business_failure = |answer: Value| business_failure_in(&answer.to_string()).unwrap();
        assert!(matches!(
            business_failure(json!({"productInfo": null, "errMsg": "商品[1]不存在"})),
            Some(ApiError::NotFound(_))
        ));
        assert!(matches!(
            business_failure(
                json!({"result": {"success": false, "code": "500_004", "message": "商品[1]不存在"}})
            ),
            Some(ApiError::NotFound(_))
        ));
        assert!(matches!(
            business_failure(
                json!({"result": {"success": false, "code": "400", "message": "keyword is required"}})
            ),
            Some(ApiError::Business { .. })
        ));
        assert_eq!(
            business_failure(json!({"result": {"success": true, "result": {}}})),
            None
        );
        assert_eq!(
            business_failure(json!({"productInfo": {}, "errMsg": null})),
            None
        );
    }
}
