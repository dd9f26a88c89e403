//! OAuth token answers and what Pifa keeps of them.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ApiError;

/// An app's key and secret. The secret never prints: `Debug` shows it redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct AppCredentials {
    pub app_key: String,
    pub app_secret: String,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .finish()
    }
}

/// The tokens of one authorization. Kept in the OS keyring, never in files or logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_expires_at", &self.access_expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

/// Refresh this long before the access token runs out.
pub const REFRESH_MARGIN: Duration = Duration::seconds(60);
/// postponeToken is allowed when a refresh token has less than this left.
pub const POSTPONE_WINDOW: Duration = Duration::days(30);

impl TokenSet {
    pub fn access_expiring(&self, now: DateTime<Utc>) -> bool {
        now + REFRESH_MARGIN >= self.access_expires_at
    }

    pub fn refresh_usable(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token.is_some() && self.refresh_expires_at.is_none_or(|at| at > now)
    }

    pub fn may_postpone(&self, now: DateTime<Utc>) -> bool {
        self.refresh_expires_at
            .is_some_and(|at| at > now && at - now < POSTPONE_WINDOW)
    }

    /// Reads a getToken / refresh / postponeToken answer. A refresh answer carries no refresh
    /// token: the one in `previous` stays.
    pub fn from_answer(
        answer: &Value,
        now: DateTime<Utc>,
        previous: Option<&TokenSet>,
    ) -> Result<TokenSet, ApiError> {
        let malformed =
            |what: &str| ApiError::Malformed(format!("the token answer has no usable {what}"));
        let access_token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("access_token"))?;
        let expires_in = match answer.get("expires_in") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|&s| s > 0)
        .ok_or_else(|| malformed("expires_in"))?;
        let refresh_token = answer
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let refresh_expires_at = match &refresh_token {
            Some(_) => answer
                .get("refresh_token_timeout")
                .and_then(Value::as_str)
                .and_then(parse_ali_time),
            None => previous.and_then(|p| p.refresh_expires_at),
        };
        Ok(TokenSet {
            access_token: access_token.to_owned(),
            access_expires_at: now + Duration::seconds(expires_in),
            refresh_token: refresh_token.or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            refresh_expires_at,
        })
    }
}

/// `20150626174405000+0800` or `20121222222222+0800`.
pub fn parse_ali_time(text: &str) -> Option<DateTime<Utc>> {
    let (stamp, zone) = text.split_at(text.len().checked_sub(5)?);
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i64 = zone.get(1..3)?.parse().ok()?;
    let minutes: i64 = zone.get(3..5)?.parse().ok()?;
    let stamp = match stamp.len() {
        17 => &stamp[..14],
        14 => stamp,
        _ => return None,
    };
    let local = NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").ok()?;
    Some(local.and_utc() - Duration::minutes(sign * (hours * 60 + minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn reads_the_real_capture() {
        let now = Utc.with_ymd_and_hms(2015, 1, 1, 0, 0, 0).unwrap();
        let answer = json!({"refresh_token_timeout":"20150626174405000+0800","aliId":"2379510033","resource_owner":"x",
            "memberId":"b2b-2379510033","expires_in":"36000","refresh_token":"98031047-r","access_token":"316d5376-a"});
        let tokens = TokenSet::from_answer(&answer, now, None).unwrap();
        assert_eq!(tokens.access_expires_at, now + Duration::hours(10));
        assert_eq!(
            tokens.refresh_expires_at,
            Some(Utc.with_ymd_and_hms(2015, 6, 26, 9, 44, 5).unwrap())
        );
        assert!(
            !format!("{tokens:?}").contains("316d5376"),
            "no token in Debug output"
        );
        // expires_in as a number, and a refresh answer without a refresh token.
        let refreshed = TokenSet::from_answer(
            &json!({"access_token": "b", "expires_in": 36000}),
            now,
            Some(&tokens),
        )
        .unwrap();
        assert_eq!(refreshed.refresh_token.as_deref(), Some("98031047-r"));
        assert_eq!(refreshed.refresh_expires_at, tokens.refresh_expires_at);
        assert!(TokenSet::from_answer(&json!({"access_token": "b"}), now, None).is_err());
    }

    #[test]
    fn timeouts_with_and_without_milliseconds() {
        assert_eq!(
            parse_ali_time("20121222222222+0800"),
            Some(Utc.with_ymd_and_hms(2012, 12, 22, 14, 22, 22).unwrap())
        );
        assert_eq!(parse_ali_time("garbage"), None);
    }

    #[test]
    fn refresh_a_minute_early_and_postpone_in_the_last_30_days() {
        let now = Utc::now();
        let tokens = TokenSet {
            access_token: "a".into(),
            access_expires_at: now + Duration::seconds(59),
            refresh_token: Some("r".into()),
            refresh_expires_at: Some(now + Duration::days(29)),
        };
        assert!(tokens.access_expiring(now));
        assert!(tokens.may_postpone(now));
        assert!(!TokenSet {
            refresh_expires_at: Some(now + Duration::days(90)),
            ..tokens.clone()
        }
        .may_postpone(now));
        assert!(!TokenSet {
            access_expires_at: now + Duration::hours(1),
            ..tokens
        }
        .access_expiring(now));
    }

    #[test]
    fn secrets_never_print() {
        let credentials = AppCredentials {
            app_key: "1688001".into(),
            app_secret: "s3cr3t-value".into(),
        };
        assert!(!format!("{credentials:?}").contains("s3cr3t"));
    }
}
