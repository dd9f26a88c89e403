//! Authorization codes and tokens, as the live OAuth 2 endpoints hand them out: codes live two
//! minutes and work once; access tokens live `access_ttl`, refresh tokens `refresh_ttl`; a
//! refresh answers a new access token and no new refresh token; postponeToken extends a refresh
//! token that has under 30 days left.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::catalog::Rng;

const CODE_LIFETIME_MS: i64 = 2 * 60 * 1000;
const POSTPONE_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

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

/// `20261128120000000+0800`, the form `refresh_token_timeout` takes.
fn ali_time(ms: i64) -> String {
    let china = ms + 8 * 3600 * 1000;
    let secs = china.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}{:03}+0800",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        china.rem_euclid(1000)
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
        let refresh_expires = now_ms + config.refresh_ttl.as_millis() as i64;
        self.refresh.insert(refresh.clone(), refresh_expires);
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
        if expires - now_ms > POSTPONE_WINDOW_MS {
            return Err(TokenError::Invalid(
                "invalid_request",
                "refresh token has more than 30 days left".into(),
            ));
        }
        self.refresh.remove(refresh);
        let renewed = uuid_like(&mut self.rng);
        let renewed_expires = now_ms + config.refresh_ttl.as_millis() as i64;
        self.refresh.insert(renewed.clone(), renewed_expires);
        let mut answer = self.new_access(now_ms, config);
        answer["refresh_token"] = json!(renewed);
        answer["refresh_token_timeout"] = json!(ali_time(renewed_expires));
        Ok(answer)
    }

    fn new_access(&mut self, now_ms: i64, config: &crate::GatewayConfig) -> Value {
        let access = uuid_like(&mut self.rng);
        self.access.insert(
            access.clone(),
            now_ms + config.access_ttl.as_millis() as i64,
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
}

#[cfg(test)]
mod tests {
    use super::ali_time;

    #[test]
    fn refresh_timeouts_read_like_the_live_ones() {
        // 2015-06-26 17:44:05 +0800 is 1435311845000 ms.
        assert_eq!(ali_time(1_435_311_845_000), "20150626174405000+0800");
    }
}
