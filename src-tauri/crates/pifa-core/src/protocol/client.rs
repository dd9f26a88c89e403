//! The gateway client: signs every call, keeps the access token fresh, holds to a rate limit,
//! and retries what is worth retrying — throttling and transient failures, with exponential
//! backoff and full jitter, bounded in attempts and total time. Signature and configuration
//! errors are never retried; a 401 gets one refresh and one retry.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::error::{business_failure, classify_failure};
use super::sign::{aop_signature, url_path, AOP_SIGNATURE};
use super::tokens::{AppCredentials, TokenSet};
use super::ApiError;
use crate::OfferId;

/// The live 1688 Open Platform gateway and its authorization page.
pub const LIVE_GATEWAY: &str = "https://gw.open.1688.com";
pub const LIVE_AUTHORIZE: &str = "https://auth.1688.com/oauth/authorize";

/// One 1688 API: `namespace:name-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    pub namespace: &'static str,
    pub name: &'static str,
    pub version: &'static str,
}

pub const KEYWORD_QUERY: Api = Api {
    namespace: "com.alibaba.fenxiao.crossborder",
    name: "product.search.keywordQuery",
    version: "1",
};
pub const QUERY_PRODUCT_DETAIL: Api = Api {
    namespace: "com.alibaba.fenxiao.crossborder",
    name: "product.search.queryProductDetail",
    version: "1",
};
pub const SIMPLE_GET: Api = Api {
    namespace: "com.alibaba.product",
    name: "alibaba.product.simple.get",
    version: "1",
};

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has gone by since the first try.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_total: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: a uniform pause between zero and the capped exponential step.
    fn pause(&self, attempt: u32) -> Duration {
        let step = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        step.mul_f64(fastrand::f64())
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://gw.open.1688.com`, or a gateway double's base URL.
    pub gateway: String,
    pub credentials: AppCredentials,
    /// Calls per second per app key, and how many may go at once after a quiet spell.
    pub rate_per_second: NonZeroU32,
    pub burst: NonZeroU32,
    /// For one HTTP exchange.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(gateway: impl Into<String>, credentials: AppCredentials) -> ClientConfig {
        ClientConfig {
            gateway: gateway.into().trim_end_matches('/').to_owned(),
            credentials,
            rate_per_second: NonZeroU32::new(10).expect("nonzero"),
            burst: NonZeroU32::new(10).expect("nonzero"),
            timeout: Duration::from_secs(15),
            retry: RetryPolicy::default(),
        }
    }

    pub fn is_live(&self) -> bool {
        self.gateway == LIVE_GATEWAY
    }

    /// Where a browser goes to authorize: 1688's page for the live gateway, the double's own
    /// `/oauth/authorize` otherwise.
    pub fn authorize_endpoint(&self) -> String {
        if self.is_live() {
            LIVE_AUTHORIZE.to_owned()
        } else {
            format!("{}/oauth/authorize", self.gateway)
        }
    }
}

/// Called with every new token set, so the caller can keep it (in the keyring).
pub type TokenSink = Arc<dyn Fn(&TokenSet) + Send + Sync>;

pub struct GatewayClient {
    http: reqwest::Client,
    config: ClientConfig,
    limiter: DefaultDirectRateLimiter,
    tokens: Mutex<Option<TokenSet>>,
    on_new_tokens: Option<TokenSink>,
}

fn transport(error: reqwest::Error) -> ApiError {
    // The URL holds no secret (parameters travel in the body), but keep the message short.
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    ApiError::Transient(what.to_owned())
}

/// reqwest is built without a bundled crypto provider; ring is Pifa's. Call before building any
/// reqwest client in the process. Installing twice is harmless: the first one stays.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl GatewayClient {
    pub fn new(config: ClientConfig) -> Result<GatewayClient, ApiError> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Pifa/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Configuration {
                code: "client".into(),
                message: e.to_string(),
            })?;
        let limiter = RateLimiter::direct(
            Quota::per_second(config.rate_per_second).allow_burst(config.burst),
        );
        Ok(GatewayClient {
            http,
            config,
            limiter,
            tokens: Mutex::new(None),
            on_new_tokens: None,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn on_new_tokens(mut self, sink: TokenSink) -> GatewayClient {
        self.on_new_tokens = Some(sink);
        self
    }

    pub async fn set_tokens(&self, tokens: Option<TokenSet>) {
        *self.tokens.lock().await = tokens;
    }

    pub async fn tokens(&self) -> Option<TokenSet> {
        self.tokens.lock().await.clone()
    }

    /// The page a browser opens to authorize Pifa; `state` is checked when it comes back.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.config.credentials.app_key)
            .append_pair("site", "1688")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .finish();
        format!("{}?{query}", self.config.authorize_endpoint())
    }

    async fn token_call(&self, api: &str, form: &[(&str, &str)]) -> Result<Value, ApiError> {
        let url = format!(
            "{}/openapi/param2/1/system.oauth2/{api}/{}",
            self.config.gateway, self.config.credentials.app_key
        );
        self.post_form(url, form, api).await
    }

    /// Posts a form and reads the answer as JSON; any status but 200 is classified as a failure.
    async fn post_form<F: serde::Serialize + ?Sized>(
        &self,
        url: String,
        form: &F,
        api: &str,
    ) -> Result<Value, ApiError> {
        let answer = self
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .map_err(transport)?;
        let status = answer.status().as_u16();
        let body = answer.text().await.map_err(transport)?;
        if status != 200 {
            return Err(classify_failure(status, &body));
        }
        serde_json::from_str(&body)
            .map_err(|_| ApiError::Malformed(format!("{api} answered something that is not JSON")))
    }

    async fn keep(&self, tokens: TokenSet) -> TokenSet {
        if let Some(sink) = &self.on_new_tokens {
            sink(&tokens);
        }
        *self.tokens.lock().await = Some(tokens.clone());
        tokens
    }

    /// Trades an authorization code for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<TokenSet, ApiError> {
        let c = &self.config.credentials;
        let answer = self
            .token_call(
                "getToken",
                &[
                    ("grant_type", "authorization_code"),
                    ("need_refresh_token", "true"),
                    ("client_id", &c.app_key),
                    ("client_secret", &c.app_secret),
                    ("redirect_uri", redirect_uri),
                    ("code", code),
                ],
            )
            .await?;
        let tokens = TokenSet::from_answer(&answer, Utc::now(), None)?;
        Ok(self.keep(tokens).await)
    }

    /// A new access token from the refresh token (postponing the refresh token first when it
    /// has under 30 days left).
    pub async fn refresh(&self) -> Result<TokenSet, ApiError> {
        let current = self.tokens().await.ok_or_else(|| {
            ApiError::NeedsAuthorization("Pifa has no 1688 authorization yet".into())
        })?;
        let now = Utc::now();
        if !current.refresh_usable(now) {
            return Err(ApiError::NeedsAuthorization(
                "the refresh token has expired".into(),
            ));
        }
        let refresh_token = current.refresh_token.clone().unwrap_or_default();
        let c = &self.config.credentials;
        let answer = if current.may_postpone(now) {
            self.token_call(
                "postponeToken",
                &[
                    ("client_id", &c.app_key),
                    ("client_secret", &c.app_secret),
                    ("refresh_token", &refresh_token),
                    ("access_token", &current.access_token),
                ],
            )
            .await?
        } else {
            self.token_call(
                "getToken",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &c.app_key),
                    ("client_secret", &c.app_secret),
                    ("refresh_token", &refresh_token),
                ],
            )
            .await?
        };
        let tokens = TokenSet::from_answer(&answer, Utc::now(), Some(&current))?;
        Ok(self.keep(tokens).await)
    }

    async fn fresh_access_token(&self) -> Result<String, ApiError> {
        let current = self.tokens().await.ok_or_else(|| {
            ApiError::NeedsAuthorization("Pifa has no 1688 authorization yet".into())
        })?;
        if current.access_expiring(Utc::now()) {
            return Ok(self.refresh().await?.access_token);
        }
        Ok(current.access_token)
    }

    async fn send_once(
        &self,
        api: &Api,
        params: &[(String, String)],
        access_token: &str,
    ) -> Result<Value, ApiError> {
        let key = &self.config.credentials.app_key;
        let path = url_path(api.version, api.namespace, api.name, key);
        let mut form: Vec<(String, String)> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        form.push(("access_token".into(), access_token.to_owned()));
        form.push((
            "_aop_timestamp".into(),
            Utc::now().timestamp_millis().to_string(),
        ));
        let signature = aop_signature(&path, &form, &self.config.credentials.app_secret);
        form.push((AOP_SIGNATURE.into(), signature));
        let value = self
            .post_form(
                format!("{}/openapi/{path}", self.config.gateway),
                &form,
                api.name,
            )
            .await?;
        match business_failure(&value) {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }

    /// Calls an API with its business parameters; signing, tokens, limits and retries are
    /// taken care of.
    pub async fn call(&self, api: &Api, params: &[(String, String)]) -> Result<Value, ApiError> {
        let started = Instant::now();
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.limiter.until_ready().await;
            let token = self.fresh_access_token().await?;
            let error = match self.send_once(api, params, &token).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            match error {
                ApiError::NeedsAuthorization(_) if !refreshed => {
                    refreshed = true;
                    self.refresh().await?;
                    attempt -= 1; // the refresh-and-retry is not a retry of the failure
                }
                ref e if e.is_retryable() && attempt < self.config.retry.max_attempts => {
                    let mut pause = self.config.retry.pause(attempt);
                    if matches!(e, ApiError::Throttled(_)) {
                        // Throttling clears on the gateway's clock, not ours: wait at least a second.
                        pause = pause.max(Duration::from_secs(1));
                    }
                    if started.elapsed() + pause > self.config.retry.max_total {
                        return Err(error);
                    }
                    tokio::time::sleep(pause).await;
                }
                _ => return Err(error),
            }
        }
    }

    /// One page of a keyword search (`keywordQuery`), as the raw answer.
    pub async fn search(
        &self,
        keyword: &str,
        page: u32,
        page_size: u32,
    ) -> Result<Value, ApiError> {
        let query = json!({"keyword": keyword, "beginPage": page.max(1), "pageSize": page_size.clamp(1, 50), "country": "en"});
        self.call(
            &KEYWORD_QUERY,
            &[("offerQueryParam".into(), query.to_string())],
        )
        .await
    }

    /// One offer's detail (`queryProductDetail`), as the raw answer.
    pub async fn offer_detail(&self, offer_id: &OfferId) -> Result<Value, ApiError> {
        let param = json!({"offerId": offer_id.as_str(), "country": "en"});
        self.call(
            &QUERY_PRODUCT_DETAIL,
            &[("offerDetailParam".into(), param.to_string())],
        )
        .await
    }
}
