//! Authorization codes and tokens, as the live OAuth 2 endpoints hand them out: codes live two
//! minutes and work once; access tokens live `access_ttl`, refresh tokens `refresh_ttl`; a
//! refresh answers a new access token and no new refresh token; postponeToken extends a refresh
//! token that has under 30 days left.
//!
//! Anyone who knows the public demo app key can ask for codes, so every map is pruned of what
//! expired and capped, the oldest evicted first: a flood costs bounded memory (review M1).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::catalog::Rng;
use crate::clock::ali_time;

const CODE_LIFETIME_MS: i64 = 2 * 60 * 1000;
const POSTPONE_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;
/// The most codes, access tokens and refresh tokens kept, each.
pub const MAX_ENTRIES: usize = 1_000;

pub struct Tokens {
    rng: Rng,
    codes: HashMap<String, (i64, String)>,
    access: HashMap<String, i64>,
    refresh: HashMap<String, i64>,
}

pub enum TokenError {
    /// `error`, `error_description` as OAuth servers answer them.
    Invalid(&'static str, String),
}

fn uuid_like(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

impl Tokens {
    pub fn new(seed: u64) -> Tokens {
        Tokens {
            rng: Rng::new(seed ^ 0x0A07),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    pub fn issue_code(&mut self, redirect_uri: &str, now_ms: i64) -> String {
        self.codes.retain(|_, (expires, _)| *expires >= now_ms);
        make_room(&mut self.codes, |(expires, _)| *expires);
        let code = uuid_like(&mut self.rng);
        self.codes.insert(
            code.clone(),
            (now_ms + CODE_LIFETIME_MS, redirect_uri.to_owned()),
        );
        code
    }

    /// `real_ms` dates the code, `now_ms` (the simulated clock) the tokens.
    pub fn exchange_code(
        &mut self,
        code: &str,
        redirect_uri: Option<&str>,
        real_ms: i64,
        now_ms: i64,
        config: &crate::GatewayConfig,
    ) -> Result<Value, TokenError> {
        let (expires, expected_uri) = self.codes.remove(code).ok_or_else(|| {
            TokenError::Invalid(
                "invalid_grant",
                "authorization code is invalid or used".into(),
            )
        })?;
        if expires < real_ms {
            return Err(TokenError::Invalid(
                "invalid_grant",
                "authorization code expired".into(),
            ));
        }
        if redirect_uri.is_some_and(|uri| uri != expected_uri) {
            return Err(TokenError::Invalid(
                "redirect_uri_mismatch",
                "redirect_uri does not match".into(),
            ));
        }
        let refresh = uuid_like(&mut self.rng);
        let refresh_expires = now_ms.saturating_add(millis(config.refresh_ttl));
        self.keep_refresh(refresh.clone(), refresh_expires, now_ms);
        let mut answer = self.new_access(now_ms, config);
        answer["refresh_token"] = json!(refresh);
        answer["refresh_token_timeout"] = json!(ali_time(refresh_expires));
        Ok(answer)
    }

    pub fn refresh(
        &mut self,
        refresh: &str,
        now_ms: i64,
        config: &crate::GatewayConfig,
    ) -> Result<Value, TokenError> {
        match self.refresh.get(refresh) {
            Some(&expires) if expires >= now_ms => Ok(self.new_access(now_ms, config)),
            Some(_) => Err(TokenError::Invalid(
                "invalid_grant",
                "refresh token expired".into(),
            )),
            None => Err(TokenError::Invalid(
                "invalid_grant",
                "refresh token is invalid".into(),
            )),
        }
    }

    pub fn postpone(
        &mut self,
        refresh: &str,
        now_ms: i64,
        config: &crate::GatewayConfig,
    ) -> Result<Value, TokenError> {
        let expires = *self
            .refresh
            .get(refresh)
            .filter(|&&e| e >= now_ms)
            .ok_or_else(|| {
                TokenError::Invalid(
                    "invalid_grant",
                    "refresh token is invalid or expired".into(),
                )
            })?;
        if expires.saturating_sub(now_ms) > POSTPONE_WINDOW_MS {
            return Err(TokenError::Invalid(
                "invalid_request",
                "refresh token has more than 30 days left".into(),
            ));
        }
        self.refresh.remove(refresh);
        let renewed = uuid_like(&mut self.rng);
        let renewed_expires = now_ms.saturating_add(millis(config.refresh_ttl));
        self.keep_refresh(renewed.clone(), renewed_expires, now_ms);
        let mut answer = self.new_access(now_ms, config);
        answer["refresh_token"] = json!(renewed);
        answer["refresh_token_timeout"] = json!(ali_time(renewed_expires));
        Ok(answer)
    }

    fn new_access(&mut self, now_ms: i64, config: &crate::GatewayConfig) -> Value {
        self.access.retain(|_, expires| *expires >= now_ms);
        make_room(&mut self.access, |expires| *expires);
        let access = uuid_like(&mut self.rng);
        self.access.insert(
            access.clone(),
            now_ms.saturating_add(millis(config.access_ttl)),
        );
        json!({
            "access_token": access,
            // A string, as the live gateway sends it.
            "expires_in": config.access_ttl.as_secs().to_string(),
            "aliId": "2379510033",
            "resource_owner": "pifa-demo-buyer",
            "memberId": "b2b-2379510033",
        })
    }

    pub fn access_valid(&self, token: &str, now_ms: i64) -> bool {
        self.access
            .get(token)
            .is_some_and(|&expires| expires >= now_ms)
    }

    /// Revokes every token, as a password change does.
    pub fn revoke_all(&mut self) {
        self.access.clear();
        self.refresh.clear();
    }

    /// Revokes every access token; refresh tokens still work, so a client recovers by one
    /// refresh (the `--revoke-every` fault).
    pub fn revoke_access(&mut self) {
        self.access.clear();
    }

    /// How many codes, access tokens and refresh tokens are kept (for the tests of the caps).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.codes.len(), self.access.len(), self.refresh.len())
    }

    fn keep_refresh(&mut self, token: String, expires: i64, now_ms: i64) {
        self.refresh.retain(|_, expires| *expires >= now_ms);
        make_room(&mut self.refresh, |expires| *expires);
        self.refresh.insert(token, expires);
    }
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Evicts the entries that expire first until one more fits under [`MAX_ENTRIES`]: with one
/// lifetime per map, those are the oldest.
fn make_room<V>(map: &mut HashMap<String, V>, expiry: impl Fn(&V) -> i64) {
    while map.len() >= MAX_ENTRIES {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expiry(v))
            .map(|(k, _)| k.clone())
        else {
            return;
        };
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_codes_and_tokens_stays_bounded() {
        let config = crate::GatewayConfig::default();
        let mut tokens = Tokens::new(1);
        let first = tokens.issue_code("http://127.0.0.1:9/cb", 0);
        for n in 0..(MAX_ENTRIES as i64 * 3) {
            tokens.issue_code("http://127.0.0.1:9/cb", n);
        }
        assert_eq!(tokens.sizes().0, MAX_ENTRIES);
        assert!(
            tokens.exchange_code(&first, None, 10, 10, &config).is_err(),
            "the oldest code was evicted"
        );
        let code = tokens.issue_code("http://127.0.0.1:9/cb", 5_000);
        let answer = tokens
            .exchange_code(&code, None, 5_000, 5_000, &config)
            .ok()
            .unwrap();
        let refresh = answer["refresh_token"].as_str().unwrap().to_owned();
        for _ in 0..(MAX_ENTRIES * 2) {
            assert!(tokens.refresh(&refresh, 5_000, &config).is_ok());
        }
        assert_eq!(tokens.sizes().1, MAX_ENTRIES);
        // Expired codes go on the next issue.
        tokens.issue_code("http://127.0.0.1:9/cb", 10 * CODE_LIFETIME_MS);
        assert_eq!(tokens.sizes().0, 1);
    }
}
