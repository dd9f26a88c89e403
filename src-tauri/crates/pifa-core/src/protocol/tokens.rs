//! OAuth token answers and what Pifa keeps of them.

use std::fmt;
use std::sync::{mpsc, Arc};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::TokenSink;
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
/// The longest access-token life believed, in seconds. 1688 gives 10 hours; a year leaves room
/// for any relay while keeping every date far from chrono's limits.
pub const MAX_EXPIRES_IN: i64 = 365 * 86_400;

/// `expires_in` as a number or a string of digits, clamped to [`MAX_EXPIRES_IN`]; `None` unless
/// it is a positive whole number.
fn expires_in(value: Option<&Value>) -> Option<i64> {
    let seconds = match value? {
        Value::Number(n) => n.as_u64().or_else(|| {
            // 36000.0 is still whole seconds; a fraction or a negative is not.
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 1.0 && f.fract() == 0.0)
                .map(|f| f.min(u64::MAX as f64) as u64)
        })?,
        Value::String(s) => {
            let digits = s.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // All digits: too many for a u64 is simply "very long".
            digits.parse::<u64>().unwrap_or(u64::MAX)
        }
        _ => return None,
    };
    (seconds > 0).then(|| i64::try_from(seconds).map_or(MAX_EXPIRES_IN, |s| s.min(MAX_EXPIRES_IN)))
}

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
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("access_token"))?;
        let access_expires_at = expires_in(answer.get("expires_in"))
            .and_then(Duration::try_seconds)
            .and_then(|life| now.checked_add_signed(life))
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
            access_expires_at,
            refresh_token: refresh_token.or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            refresh_expires_at,
        })
    }
}

/// `20150626174405000+0800` or `20121222222222+0800`. Anything else, including any non-ASCII
/// character, is `None`: the gateway's text is never sliced blindly.
pub fn parse_ali_time(text: &str) -> Option<DateTime<Utc>> {
    if !text.is_ascii() {
        return None;
    }
    let split = text.len().checked_sub(5)?;
    let (stamp, zone) = (text.get(..split)?, text.get(split..)?);
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = |range| {
        zone.get(range)
            .filter(|d: &&str| d.bytes().all(|b| b.is_ascii_digit()))?
            .parse::<i64>()
            .ok()
    };
    let (hours, minutes) = (digits(1..3)?, digits(3..5)?);
    let stamp = match stamp.len() {
        17 => stamp.get(..14)?,
        14 => stamp,
        _ => return None,
    };
    let local = NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").ok()?;
    local
        .and_utc()
        .checked_sub_signed(Duration::minutes(sign * (hours * 60 + minutes)))
}

/// Keeps renewed tokens (in the keyring) one set after the other on a thread of its own: saves
/// started side by side could finish out of order and leave an older, rotated-out refresh token
/// behind. [`TokenKeeper::flush`] waits for the saves sent so far, so a short-lived process can
/// exit without losing the newest set.
pub struct TokenKeeper {
    queue: mpsc::Sender<Keep>,
    save: Arc<dyn Fn(&TokenSet) + Send + Sync>,
}

enum Keep {
    Save(TokenSet),
    Flush(mpsc::SyncSender<()>),
}

impl TokenKeeper {
    pub fn start(save: impl Fn(&TokenSet) + Send + Sync + 'static) -> Arc<TokenKeeper> {
        let save: Arc<dyn Fn(&TokenSet) + Send + Sync> = Arc::new(save);
        let (queue, received) = mpsc::channel::<Keep>();
        let saving = Arc::clone(&save);
        // Without the thread the queue is closed and `keep` saves in place: still in order,
        // since the client hands over new tokens one set at a time.
        let spawned = std::thread::Builder::new()
            .name("pifa-token-keeper".into())
            .spawn(move || {
                for keep in received {
                    match keep {
                        Keep::Save(tokens) => saving(&tokens),
                        Keep::Flush(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("renewed tokens are saved in place, without a thread of their own: {e}");
        }
        Arc::new(TokenKeeper { queue, save })
    }

    pub fn keep(&self, tokens: &TokenSet) {
        if let Err(mpsc::SendError(Keep::Save(tokens))) =
            self.queue.send(Keep::Save(tokens.clone()))
        {
            (self.save)(&tokens);
        }
    }

    /// What a client hands its new tokens to.
    pub fn sink(self: &Arc<Self>) -> TokenSink {
        let keeper = Arc::clone(self);
        Arc::new(move |tokens: &TokenSet| keeper.keep(tokens))
    }

    /// Waits until every set kept so far is saved, or `timeout` passes; `false` if it passed.
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        let (done, finished) = mpsc::sync_channel(1);
        if self.queue.send(Keep::Flush(done)).is_err() {
            return true;
        }
        finished.recv_timeout(timeout).is_ok()
    }
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
    fn hostile_lifetimes_are_clamped_or_refused_never_a_panic() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let year = now + Duration::seconds(MAX_EXPIRES_IN);
        for huge in [
            json!("100000000000000"),
            json!("9223372036854775807"),
            json!("99999999999999999999999999"),
            json!(u64::MAX),
            json!(1e300),
        ] {
            let answer = json!({"access_token": "a", "expires_in": huge});
            let tokens = TokenSet::from_answer(&answer, now, None).unwrap();
            assert_eq!(tokens.access_expires_at, year, "{huge}");
        }
        for bad in [
            json!("0"),
            json!(-5),
            json!("-5"),
            json!(""),
            json!("1e9"),
            json!("３６０００"),
            json!(0.5),
            json!(null),
            json!([1]),
        ] {
            let answer = json!({"access_token": "a", "expires_in": bad});
            let error = TokenSet::from_answer(&answer, now, None).unwrap_err();
            assert_eq!(error.code(), "gateway.malformed", "{bad}");
        }
        assert!(
            TokenSet::from_answer(&json!({"access_token": "", "expires_in": 1}), now, None)
                .is_err()
        );
        // Even a clock at chrono's very end gives an error, not a panic.
        let answer = json!({"access_token": "a", "expires_in": 3600});
        assert!(TokenSet::from_answer(&answer, DateTime::<Utc>::MAX_UTC, None).is_err());
    }

    #[test]
    fn timeouts_with_and_without_milliseconds() {
        assert_eq!(
            parse_ali_time("20121222222222+0800"),
            Some(Utc.with_ymd_and_hms(2012, 12, 22, 14, 22, 22).unwrap())
        );
        assert_eq!(parse_ali_time("garbage"), None);
        // Multi-byte characters where the parser splits: refused, not sliced mid-character.
        assert_eq!(parse_ali_time("ab中文"), None);
        assert_eq!(parse_ali_time("1234567890123中4+0800"), None);
        assert_eq!(parse_ali_time("20121222222222+08中"), None);
        assert_eq!(parse_ali_time("20121222222222+-800"), None);
    }

    #[test]
    fn the_keeper_saves_in_order_and_flushes() {
        let saved = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = Arc::clone(&saved);
        let keeper = TokenKeeper::start(move |tokens: &TokenSet| {
            // A slow keyring: later sets must still land after earlier ones.
            std::thread::sleep(std::time::Duration::from_millis(2));
            log.lock().unwrap().push(tokens.access_token.clone());
        });
        let sink = keeper.sink();
        let now = Utc::now();
        for n in 0..20 {
            sink(&TokenSet {
                access_token: n.to_string(),
                access_expires_at: now,
                refresh_token: None,
                refresh_expires_at: None,
            });
        }
        assert!(keeper.flush(std::time::Duration::from_secs(10)));
        let expected: Vec<String> = (0..20).map(|n: i32| n.to_string()).collect();
        assert_eq!(*saved.lock().unwrap(), expected);
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

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::json;

        /// JSON as a hostile gateway might send it: every shape, and numbers and strings near
        /// the edges, under the keys the parser reads.
        fn hostile_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                any::<u64>().prop_map(|n| json!(n)),
                any::<f64>().prop_map(|f| json!(f)),
                "\\PC{0,24}".prop_map(Value::String),
                "[0-9]{0,30}".prop_map(Value::String),
                "[0-9中é+\\-]{12,24}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn token_answer() -> impl Strategy<Value = Value> {
            let key = prop_oneof![
                Just("access_token".to_owned()),
                Just("expires_in".to_owned()),
                Just("refresh_token".to_owned()),
                Just("refresh_token_timeout".to_owned()),
                "\\PC{0,8}",
            ];
            prop_oneof![
                prop::collection::btree_map(key, hostile_value(), 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                hostile_value(),
            ]
        }

        fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
            prop_oneof![
                Just(DateTime::<Utc>::MAX_UTC),
                Just(DateTime::<Utc>::MIN_UTC),
                (-8_000_000_000_000i64..8_000_000_000_000)
                    .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default()),
            ]
        }

        proptest! {
            #[test]
            fn from_answer_never_panics(answer in token_answer(), now in any_instant()) {
                let previous = TokenSet {
                    access_token: "a".into(),
                    access_expires_at: now,
                    refresh_token: Some("r".into()),
                    refresh_expires_at: None,
                };
                if let Ok(tokens) = TokenSet::from_answer(&answer, now, Some(&previous)) {
                    prop_assert!(tokens.access_expires_at > now);
                    prop_assert!(!tokens.access_token.is_empty());
                }
            }

            #[test]
            fn parse_ali_time_never_panics(text in prop_oneof![
                "\\PC{0,30}",
                "[0-9]{12,18}[+\\-][0-9]{4}",
                "[0-9中é]{12,18}[+\\-中][0-9中]{3,5}",
            ]) {
                let _ = parse_ali_time(&text);
            }
        }
    }
}
