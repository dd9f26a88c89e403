//! The gateway client: signs every call, keeps the access token fresh, holds to a rate limit,
//! and retries what is worth retrying — throttling, transient failures and answers cut off or
//! unreadable, with exponential backoff and full jitter, bounded in attempts and total time.
//! Signature and configuration errors are never retried; a 401 gets one refresh (shared by every
//! call that hit it) and one retry; a refused time stamp gets one retry on the gateway's clock.
//! Each try on the wire (token and clock calls too) is handed to an optional recorder
//! ([`crate::metrics`]) with its API, outcome class, latency and attempt number.
//!
//! The gateway is not trusted: redirects are never followed (they would re-send the secret and
//! tokens in the body), answers are read against a size cap, and the address must pass
//! [`check_gateway`](super::check_gateway).

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::error::{business_failure_in, classify_failure};
use super::gate::{CallGate, LocalGate};
use super::gateway_url::check_gateway;
use super::sign::{aop_signature, url_path, AOP_SIGNATURE};
use super::tokens::{AppCredentials, TokenSet};
use super::{ApiError, KeywordSearch};
use crate::metrics::{CallRecord, CallSink};
use crate::OfferId;

/// The most of an answer Pifa reads. Detail answers are 10–200 KB; a bigger one is hostile or
/// broken, and parsing it whole could exhaust memory.
pub const MAX_ANSWER_BYTES: usize = 8 << 20;

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
    /// Where every call waits for its turn: this process's own limit unless given another
    /// (a team's, shared by every desktop on the app key).
    gate: Arc<dyn CallGate>,
    tokens: Mutex<Option<TokenSet>>,
    /// Held across every refresh, so calls that find the token expiring (or refused) at the
    /// same time share one refresh: a postponeToken rotates the refresh token, and a second
    /// refresh with the old one would fail. Holds why the last refresh of the current tokens
    /// failed for good, so the calls waiting behind it share that answer too.
    refreshing: Mutex<Option<ApiError>>,
    /// What to add to this computer's clock, in ms, to get the gateway's: learned from
    /// `system/currentTimeMillis` after a refused time stamp.
    clock_offset_ms: AtomicI64,
    on_new_tokens: Option<TokenSink>,
    /// Where every call on the wire is noted (for the health view), if anywhere.
    recorder: Option<Arc<dyn CallSink>>,
}

/// One failed exchange: what to report, and whether another try may go differently.
struct Failed {
    error: ApiError,
    retry: bool,
}

impl From<ApiError> for Failed {
    fn from(error: ApiError) -> Failed {
        Failed {
            retry: error.is_retryable(),
            error,
        }
    }
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

/// Reads an answer's body, at most [`MAX_ANSWER_BYTES`]: a declared length over the cap is
/// refused before reading, and so is the first chunk that goes over it.
async fn read_capped(mut answer: reqwest::Response) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::Malformed(format!(
            "answer too large (over {} MiB); Pifa stopped reading it",
            MAX_ANSWER_BYTES >> 20
        ))
    };
    let declared = answer.content_length();
    if declared.is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.map_or(16 * 1024, |n| n as usize));
    loop {
        let chunk = answer.chunk().await.map_err(|e| {
            // A body that stops mid-way is a flaky connection: worth another try.
            let what = if e.is_timeout() {
                "timed out"
            } else {
                "the answer was cut off"
            };
            ApiError::Transient(what.into())
        })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
}

/// A 200 whose body is not JSON (cut off or garbled on the way) may go better on another try.
fn not_json(api: &str) -> Failed {
    Failed {
        error: ApiError::Malformed(format!("{api} answered something that is not JSON")),
        retry: true,
    }
}

/// `system/currentTimeMillis` answers a bare number of milliseconds (a string of digits from
/// some relays).
fn gateway_millis(answer: &Value) -> Option<i64> {
    match answer {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|ms| *ms > 0)
}

/// reqwest is built without a bundled crypto provider; ring is Pifa's. Call before building any
/// reqwest client in the process. Installing twice is harmless: the first one stays.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl GatewayClient {
    /// A client for `config.gateway`, which must pass [`check_gateway`](super::check_gateway).
    pub fn new(mut config: ClientConfig) -> Result<GatewayClient, ApiError> {
        install_tls_provider();
        let gateway = check_gateway(&config.gateway)?;
        let builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Pifa/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        // A proxy must never see loopback traffic (plain http with the secret in it); a remote
        // gateway is https only, also for anything reqwest might connect to on its behalf.
        let builder = if gateway.is_loopback() {
            builder.no_proxy()
        } else {
            builder.https_only(true)
        };
        // A plain-http gateway (the double on loopback) never needs the system's trusted roots,
        // and loading them costs a CLI run tens of milliseconds; no redirect is followed.
        let builder = match gateway.as_str().starts_with("http://") {
            true => builder.tls_certs_only([]),
            false => builder,
        };
        let http = builder.build().map_err(|e| ApiError::Configuration {
            code: "client".into(),
            message: e.to_string(),
        })?;
        config.gateway = gateway.into_string();
        let gate = Arc::new(LocalGate::new(config.rate_per_second, config.burst));
        Ok(GatewayClient {
            http,
            config,
            gate,
            tokens: Mutex::new(None),
            refreshing: Mutex::new(None),
            clock_offset_ms: AtomicI64::new(0),
            on_new_tokens: None,
            recorder: None,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn on_new_tokens(mut self, sink: TokenSink) -> GatewayClient {
        self.on_new_tokens = Some(sink);
        self
    }

    /// Paces calls at `gate` instead of this process's own limit.
    pub fn with_call_gate(mut self, gate: Arc<dyn CallGate>) -> GatewayClient {
        self.gate = gate;
        self
    }

    /// Notes every call on the wire (each try, token and clock calls too) in `sink`.
    pub fn recording(mut self, sink: Arc<dyn CallSink>) -> GatewayClient {
        self.recorder = Some(sink);
        self
    }

    /// Hands one try's outcome to the recorder; nothing to do without one.
    fn note<T>(
        &self,
        api: &'static str,
        attempt: u32,
        started: Instant,
        result: &Result<T, Failed>,
    ) {
        if let Some(sink) = &self.recorder {
            let result = result.as_ref().map(drop).map_err(|failed| &failed.error);
            sink.record(CallRecord::new(api, result, started.elapsed(), attempt));
        }
    }

    pub async fn set_tokens(&self, tokens: Option<TokenSet>) {
        let mut failed = self.refreshing.lock().await;
        *self.tokens.lock().await = tokens;
        *failed = None;
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

    /// One token call (`getToken`, `postponeToken`), retried like any call when it fails for a
    /// moment.
    async fn token_call(
        &self,
        api: &'static str,
        form: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let url = format!(
            "{}/openapi/param2/1/system.oauth2/{api}/{}",
            self.config.gateway, self.config.credentials.app_key
        );
        self.with_retries(api, || self.exchange(self.http.post(&url).form(form), api))
            .await
    }

    /// Sends one request and reads the answer as JSON. A redirect is refused as it is; any
    /// other status but 200 is classified as a failure; a 200 that is not JSON (cut off or
    /// garbled on the way) may go better on another try.
    async fn exchange(&self, request: reqwest::RequestBuilder, api: &str) -> Result<Value, Failed> {
        let body = self.exchange_body(request, api).await?;
        serde_json::from_slice(&body).map_err(|_| not_json(api))
    }

    /// [`GatewayClient::exchange`] up to the answer's bytes.
    async fn exchange_body(
        &self,
        request: reqwest::RequestBuilder,
        api: &str,
    ) -> Result<Vec<u8>, Failed> {
        let answer = request.send().await.map_err(transport)?;
        let status = answer.status();
        if status.is_redirection() {
            return Err(ApiError::Redirected(format!("HTTP {} for {api}", status.as_u16())).into());
        }
        let body = read_capped(answer).await?;
        if status != reqwest::StatusCode::OK {
            return Err(classify_failure(status.as_u16(), &body).into());
        }
        Ok(body)
    }

    /// How long to wait before try `attempt + 1` after `error`.
    fn pause(&self, error: &ApiError, attempt: u32) -> Duration {
        let pause = self.config.retry.pause(attempt);
        if matches!(error, ApiError::Throttled(_)) {
            // Throttling clears on the gateway's clock, not ours: wait at least a second.
            pause.max(Duration::from_secs(1))
        } else {
            pause
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry policy's bounds are hit;
    /// each try is noted under `api`.
    async fn with_retries<T, F, Fut>(
        &self,
        api: &'static str,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failed>>,
    {
        let started = Instant::now();
        let mut tries = 0;
        loop {
            tries += 1;
            let sent = Instant::now();
            let result = attempt().await;
            self.note(api, tries, sent, &result);
            let failed = match result {
                Ok(value) => return Ok(value),
                Err(failed) => failed,
            };
            if !failed.retry || tries >= self.config.retry.max_attempts {
                return Err(failed.error);
            }
            let pause = self.pause(&failed.error, tries);
            if started.elapsed() + pause > self.config.retry.max_total {
                return Err(failed.error);
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// Hands new tokens to the sink and keeps them. Called with `refreshing` held, so the sink
    /// sees token sets in the order they were issued.
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
        let mut failed = self.refreshing.lock().await;
        *failed = None;
        Ok(self.keep(tokens).await)
    }

    async fn current_tokens(&self) -> Result<TokenSet, ApiError> {
        self.tokens().await.ok_or_else(|| {
            ApiError::NeedsAuthorization("Pifa has no 1688 authorization yet".into())
        })
    }

    /// A new access token from the refresh token (postponing the refresh token first when it
    /// has under 30 days left).
    pub async fn refresh(&self) -> Result<TokenSet, ApiError> {
        let mut failed = self.refreshing.lock().await;
        let current = self.current_tokens().await?;
        self.refresh_holding(&mut failed, current).await
    }

    /// Refreshes `current`; the caller holds `refreshing`, whose content is `failed`.
    async fn refresh_holding(
        &self,
        failed: &mut Option<ApiError>,
        current: TokenSet,
    ) -> Result<TokenSet, ApiError> {
        if let Some(error) = failed {
            return Err(error.clone());
        }
        let renewed = self.renew(current).await;
        match &renewed {
            // Only when and how it went: never a token.
            Ok(tokens) => tracing::info!(
                access_expires_at = %tokens.access_expires_at,
                "the 1688 access token was renewed"
            ),
            Err(error) => {
                tracing::warn!(
                    code = error.code(),
                    "renewing the 1688 access token failed: {error}"
                );
                if !error.is_retryable() {
                    *failed = Some(error.clone());
                }
            }
        }
        renewed
    }

    async fn renew(&self, current: TokenSet) -> Result<TokenSet, ApiError> {
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

    /// The access token to use now, refreshed first when it is about to expire.
    async fn fresh_access_token(&self) -> Result<String, ApiError> {
        let current = self.current_tokens().await?;
        if !current.access_expiring(Utc::now()) {
            return Ok(current.access_token);
        }
        let mut failed = self.refreshing.lock().await;
        // Another call may have refreshed while this one waited for the lock.
        let current = self.current_tokens().await?;
        if !current.access_expiring(Utc::now()) {
            return Ok(current.access_token);
        }
        Ok(self
            .refresh_holding(&mut failed, current)
            .await?
            .access_token)
    }

    /// After the gateway refused `rejected`: a new access token, unless another call that hit
    /// the same refusal already got one.
    async fn refresh_rejected(&self, rejected: &str) -> Result<(), ApiError> {
        let mut failed = self.refreshing.lock().await;
        let current = self.current_tokens().await?;
        if current.access_token != rejected {
            return Ok(());
        }
        self.refresh_holding(&mut failed, current).await.map(drop)
    }

    /// Learns the gateway's clock from `system/currentTimeMillis`, which needs neither token
    /// nor signature, and keeps the difference to this computer's.
    async fn learn_gateway_clock(&self) -> Result<i64, ApiError> {
        let url = format!(
            "{}/openapi/param2/1/system/currentTimeMillis/{}",
            self.config.gateway, self.config.credentials.app_key
        );
        self.gate.until_ready().await;
        let before = Utc::now().timestamp_millis();
        let sent = Instant::now();
        let answer = self
            .exchange(self.http.get(&url), "currentTimeMillis")
            .await;
        self.note("currentTimeMillis", 1, sent, &answer);
        let answer = answer.map_err(|failed| failed.error)?;
        let after = Utc::now().timestamp_millis();
        let theirs = gateway_millis(&answer).ok_or_else(|| {
            ApiError::Malformed("currentTimeMillis answered something that is not a time".into())
        })?;
        let offset = theirs.saturating_sub(before + (after - before) / 2);
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
        Ok(offset)
    }

    /// What to say when the gateway keeps refusing the time stamp.
    fn clock_skew(&self, learned: Result<i64, ApiError>) -> ApiError {
        ApiError::ClockSkew(match learned {
            Ok(offset) if offset.abs() >= 60_000 => format!(
                "this computer's clock is off by about {} minutes ({} 1688's), so 1688 refuses Pifa's requests: set the clock right (turn on automatic date and time) and try again",
                (offset.saturating_abs() / 1000 + 30) / 60,
                if offset > 0 { "behind" } else { "ahead of" }
            ),
            Ok(_) => "1688 refused the time stamp of Pifa's request (gw.TimestampInvalid) although this computer's clock agrees with 1688's: check the date, time and time zone, and try again".into(),
            Err(e) => format!(
                "1688 refused the time stamp of Pifa's request (gw.TimestampInvalid) and its clock could not be read ({e}): check this computer's date, time and time zone"
            ),
        })
    }

    async fn send_once(
        &self,
        api: &Api,
        params: &[(String, String)],
        access_token: &str,
    ) -> Result<String, Failed> {
        let key = &self.config.credentials.app_key;
        let path = url_path(api.version, api.namespace, api.name, key);
        let mut form: Vec<(String, String)> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        form.push(("access_token".into(), access_token.to_owned()));
        let stamp = Utc::now()
            .timestamp_millis()
            .saturating_add(self.clock_offset_ms.load(Ordering::Relaxed));
        form.push(("_aop_timestamp".into(), stamp.to_string()));
        let signature = aop_signature(&path, &form, &self.config.credentials.app_secret);
        form.push((AOP_SIGNATURE.into(), signature));
        let url = format!("{}/openapi/{path}", self.config.gateway);
        let body = self
            .exchange_body(self.http.post(url).form(&form), api.name)
            .await?;
        // Kept as text: the caller reads it once, and stores it as 1688 sent it.
        let text = String::from_utf8(body).map_err(|_| not_json(api.name))?;
        match business_failure_in(&text).map_err(|_| not_json(api.name))? {
            Some(error) => Err(error.into()),
            None => Ok(text),
        }
    }

    /// Calls an API with its business parameters; signing, tokens, limits and retries are
    /// taken care of.
    pub async fn call(&self, api: &Api, params: &[(String, String)]) -> Result<Value, ApiError> {
        let text = self.call_text(api, params).await?;
        serde_json::from_str(&text).map_err(|_| not_json(api.name).error)
    }

    /// [`GatewayClient::call`], answering the answer's text (checked to be JSON that reports
    /// no failure).
    pub async fn call_text(
        &self,
        api: &Api,
        params: &[(String, String)],
    ) -> Result<String, ApiError> {
        let started = Instant::now();
        let (mut refreshed, mut clock_learned) = (false, false);
        let mut attempt = 0;
        // Every try on the wire, refresh-and-retry included: what the recorder notes.
        let mut on_wire = 0;
        loop {
            attempt += 1;
            self.gate.until_ready().await;
            let token = self.fresh_access_token().await?;
            on_wire += 1;
            let sent = Instant::now();
            let result = self.send_once(api, params, &token).await;
            self.note(api.name, on_wire, sent, &result);
            let failed = match result {
                Ok(value) => return Ok(value),
                Err(failed) => failed,
            };
            if matches!(failed.error, ApiError::Throttled(_)) {
                // Over the app key's limit: whoever shares the gate slows down, not just us.
                self.gate.throttled().await;
            }
            match &failed.error {
                ApiError::NeedsAuthorization(_) if !refreshed => {
                    refreshed = true;
                    self.refresh_rejected(&token).await?;
                    attempt -= 1; // the refresh-and-retry is not a retry of the failure
                }
                ApiError::Configuration { code, .. } if code == "gw.TimestampInvalid" => {
                    if clock_learned {
                        let offset = self.clock_offset_ms.load(Ordering::Relaxed);
                        return Err(self.clock_skew(Ok(offset)));
                    }
                    clock_learned = true;
                    if let Err(e) = self.learn_gateway_clock().await {
                        return Err(self.clock_skew(Err(e)));
                    }
                    attempt -= 1; // a retry on the gateway's clock, not of the failure
                }
                error if failed.retry && attempt < self.config.retry.max_attempts => {
                    let pause = self.pause(error, attempt);
                    if started.elapsed() + pause > self.config.retry.max_total {
                        return Err(failed.error);
                    }
                    tokio::time::sleep(pause).await;
                    // The token worked until this other failure: if it is refused after the
                    // pause, it was revoked meanwhile, which earns a refresh of its own. A
                    // token refused right after its refresh still ends the call.
                    refreshed = false;
                }
                _ => return Err(failed.error),
            }
        }
    }

    /// One page of a keyword search (`keywordQuery`), as the raw answer.
    pub async fn search(&self, search: &KeywordSearch) -> Result<Value, ApiError> {
        self.call(
            &KEYWORD_QUERY,
            &[("offerQueryParam".into(), search.offer_query_param())],
        )
        .await
    }

    /// One offer's detail (`queryProductDetail`), as the raw answer.
    pub async fn offer_detail(&self, offer_id: &OfferId) -> Result<Value, ApiError> {
        let text = self.offer_detail_text(offer_id).await?;
        serde_json::from_str(&text).map_err(|_| not_json(QUERY_PRODUCT_DETAIL.name).error)
    }

    /// [`GatewayClient::offer_detail`] as the answer's text, which a batch cleans and stores
    /// without building a JSON tree.
    pub async fn offer_detail_text(&self, offer_id: &OfferId) -> Result<String, ApiError> {
        let param = json!({"offerId": offer_id.as_str(), "country": "en"});
        self.call_text(
            &QUERY_PRODUCT_DETAIL,
            &[("offerDetailParam".into(), param.to_string())],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use serde_json::json;

    use super::super::fake::{client_for, detail_answer, tokens, FakeServer, Reply, Request};
    use super::*;

    const ID: &str = "624516873409";

    fn offer() -> OfferId {
        OfferId::parse(ID).unwrap()
    }

    fn token_answer(access: &str) -> Value {
        json!({"access_token": access, "expires_in": "36000"})
    }

    fn is_token_call(request: &Request) -> bool {
        request.target.contains("system.oauth2")
    }

    #[tokio::test]
    async fn a_redirect_is_an_error_and_nothing_is_sent_again() {
        let elsewhere = FakeServer::start(|_| Reply::json(200, json!({}))).await;
        let steal = format!("{}/steal", elsewhere.url);
        for status in [301, 302, 303, 307, 308] {
            let location = steal.clone();
            let gateway = FakeServer::start(move |_| Reply::redirect(status, &location)).await;
            // The token call (client_secret, refresh_token) and the business call (access_token).
            let expiring = TokenSet {
                access_expires_at: Utc::now(),
                ..tokens("a1", "r0")
            };
            let client = client_for(&gateway, Some(expiring)).await;
            let error = client.offer_detail(&offer()).await.unwrap_err();
            assert_eq!(error.code(), "gateway.redirected", "{status}: {error}");
            let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
            let error = client.offer_detail(&offer()).await.unwrap_err();
            assert_eq!(error.code(), "gateway.redirected", "{status}: {error}");
            assert!(!error.is_retryable() && error.stops_run());
            assert_eq!(gateway.requests().len(), 2, "{status}: not retried");
        }
        assert!(
            elsewhere.requests().is_empty(),
            "the redirect target received {:?}",
            elsewhere.requests()
        );
    }

    #[tokio::test]
    async fn only_https_or_loopback_gateways_get_a_client() {
        let credentials = AppCredentials {
            app_key: "k".into(),
            app_secret: "s".into(),
        };
        for bad in ["http://gw.open.1688.com", "http://localhost@evil.example"] {
            let error = GatewayClient::new(ClientConfig::new(bad, credentials.clone()))
                .err()
                .expect(bad);
            assert_eq!(error.code(), "settings.bad_gateway");
        }
        let client = GatewayClient::new(ClientConfig::new(
            " HTTPS://GW.OPEN.1688.COM/ ",
            credentials,
        ))
        .unwrap();
        assert!(client.config().is_live());
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused_declared_or_not() {
        let huge = vec![b' '; MAX_ANSWER_BYTES + 1];
        for chunked in [false, true] {
            let body = huge.clone();
            let gateway = FakeServer::start(move |_| match chunked {
                true => Reply::Chunked(body.clone()),
                false => Reply::raw(200, body.clone()),
            })
            .await;
            let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
            let error = client.offer_detail(&offer()).await.unwrap_err();
            assert_eq!(error.code(), "gateway.malformed");
            assert!(error.to_string().contains("too large"), "{error}");
            assert_eq!(gateway.requests().len(), 1, "too large is not retried");
        }
        // Error answers are capped too, before they are classified.
        let gateway =
            FakeServer::start(|_| Reply::raw(400, vec![b'x'; MAX_ANSWER_BYTES + 1])).await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        let error = client.offer_detail(&offer()).await.unwrap_err();
        assert!(error.to_string().contains("too large"), "{error}");
    }

    #[tokio::test]
    async fn a_cut_off_or_garbled_answer_is_retried_within_bounds() {
        let tries = Arc::new(AtomicUsize::new(0));
        let counting = Arc::clone(&tries);
        let gateway = FakeServer::start(move |_| match counting.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::CutOff {
                declared: 5000,
                sent: b"{\"result\":{\"success\":true,\"res".to_vec(),
            },
            1 => Reply::raw(200, "<html>proxy error</html>"),
            _ => Reply::json(200, detail_answer(ID)),
        })
        .await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        client.offer_detail(&offer()).await.unwrap();
        assert_eq!(tries.load(Ordering::SeqCst), 3);

        let gateway = FakeServer::start(|_| Reply::raw(200, "{\"result\":")).await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        let error = client.offer_detail(&offer()).await.unwrap_err();
        assert_eq!(error.code(), "gateway.malformed", "{error}");
        assert_eq!(gateway.requests().len(), 4, "max_attempts in all");

        let gateway = FakeServer::start(|_| Reply::CutOff {
            declared: 100,
            sent: b"{".to_vec(),
        })
        .await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        let error = client.offer_detail(&offer()).await.unwrap_err();
        assert_eq!(error.code(), "gateway.transient", "{error}");
        assert_eq!(gateway.requests().len(), 4);
    }

    /// A gateway that issues `a1`, `a2`, … on each token call and serves details only to the
    /// newest access token.
    async fn rotating_gateway() -> (FakeServer, Arc<AtomicUsize>) {
        let issued = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&issued);
        let gateway = FakeServer::start(move |request| {
            if is_token_call(request) {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::json(200, token_answer(&format!("a{n}")));
            }
            let newest = format!("a{}", counter.load(Ordering::SeqCst));
            if request.param("access_token") == Some(newest.as_str()) {
                Reply::json(200, detail_answer(ID))
            } else {
                Reply::json(
                    401,
                    json!({"error_code": "401", "error_message": "Request need user authorized"}),
                )
            }
        })
        .await;
        (gateway, issued)
    }

    #[tokio::test]
    async fn a_token_revoked_again_during_a_retry_pause_is_refreshed_again() {
        // a0 refused (revoked) → a1 throttled → (pause) a1 refused (revoked) → a2 works.
        let (issued, tries) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (counter, calls) = (Arc::clone(&issued), Arc::clone(&tries));
        let gateway = FakeServer::start(move |request| {
            if is_token_call(request) {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::json(200, token_answer(&format!("a{n}")));
            }
            let refused = json!({"error_code": "401", "error_message": "Request need user authorized"});
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 | 2 => Reply::json(401, refused),
                1 => Reply::json(
                    400,
                    json!({"error_code": "gw.QosAppFrequencyLimit", "error_message": "App call exceeds limited frequency"}),
                ),
                _ => Reply::json(200, detail_answer(ID)),
            }
        })
        .await;
        let client = client_for(&gateway, Some(tokens("a0", "r0"))).await;
        client.offer_detail(&offer()).await.unwrap();
        assert_eq!(
            issued.load(Ordering::SeqCst),
            2,
            "one refresh per revocation"
        );
        assert_eq!(tries.load(Ordering::SeqCst), 4);
    }

    async fn sixteen_at_once(client: &Arc<GatewayClient>) {
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let client = Arc::clone(client);
            calls.spawn(async move { client.offer_detail(&offer()).await });
        }
        while let Some(done) = calls.join_next().await {
            done.unwrap().unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixteen_calls_on_an_expiring_token_share_one_refresh() {
        let (gateway, issued) = rotating_gateway().await;
        let expiring = TokenSet {
            access_expires_at: Utc::now(),
            ..tokens("a0", "r0")
        };
        let saved = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = Arc::clone(&saved);
        let client = client_for(&gateway, Some(expiring))
            .await
            .on_new_tokens(Arc::new(move |t: &TokenSet| {
                log.lock().unwrap().push(t.access_token.clone())
            }));
        sixteen_at_once(&Arc::new(client)).await;
        assert_eq!(issued.load(Ordering::SeqCst), 1, "exactly one refresh");
        assert_eq!(*saved.lock().unwrap(), ["a1"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixteen_calls_refused_with_401_share_one_refresh() {
        let (gateway, issued) = rotating_gateway().await;
        // Good for hours by the client's clock, but the gateway no longer takes it.
        let client = Arc::new(client_for(&gateway, Some(tokens("revoked", "r0"))).await);
        sixteen_at_once(&client).await;
        assert_eq!(issued.load(Ordering::SeqCst), 1, "exactly one refresh");
        assert_eq!(client.tokens().await.unwrap().access_token, "a1");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refresh_that_fails_for_a_moment_is_retried_and_a_dead_one_is_asked_once() {
        let token_calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&token_calls);
        let gateway = FakeServer::start(move |request| {
            if is_token_call(request) {
                return match counter.fetch_add(1, Ordering::SeqCst) {
                    0 => Reply::raw(502, "bad gateway"),
                    _ => Reply::json(200, token_answer("a1")),
                };
            }
            Reply::json(200, detail_answer(ID))
        })
        .await;
        let expiring = TokenSet {
            access_expires_at: Utc::now(),
            ..tokens("a0", "r0")
        };
        let client = client_for(&gateway, Some(expiring.clone())).await;
        client.offer_detail(&offer()).await.unwrap();
        assert_eq!(token_calls.load(Ordering::SeqCst), 2, "the 502 was retried");

        let token_calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&token_calls);
        let gateway = FakeServer::start(move |request| {
            if is_token_call(request) {
                counter.fetch_add(1, Ordering::SeqCst);
                return Reply::json(
                    401,
                    json!({"error": "invalid_grant", "error_description": "refresh token revoked"}),
                );
            }
            Reply::json(200, detail_answer(ID))
        })
        .await;
        let client = Arc::new(client_for(&gateway, Some(expiring)).await);
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let client = Arc::clone(&client);
            calls.spawn(async move { client.offer_detail(&offer()).await });
        }
        while let Some(done) = calls.join_next().await {
            assert_eq!(
                done.unwrap().unwrap_err().code(),
                "gateway.needs_authorization"
            );
        }
        assert_eq!(
            token_calls.load(Ordering::SeqCst),
            1,
            "the refusal is shared"
        );
    }

    #[tokio::test]
    async fn every_try_on_the_wire_is_recorded_token_calls_included() {
        use crate::metrics::{CallLog, Outcome};
        let tries = Arc::new(AtomicUsize::new(0));
        let counting = Arc::clone(&tries);
        let gateway = FakeServer::start(move |request| {
            if is_token_call(request) {
                return Reply::json(200, token_answer("a1"));
            }
            match counting.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::raw(502, "bad gateway"),
                1 => Reply::json(
                    400,
                    json!({"error_code": "gw.QosAppFrequencyLimit", "error_message": "App call exceeds limited frequency"}),
                ),
                _ => Reply::json(200, detail_answer(ID)),
            }
        })
        .await;
        let expiring = TokenSet {
            access_expires_at: Utc::now(),
            ..tokens("a0", "r0")
        };
        let log = Arc::new(CallLog::new());
        let client = client_for(&gateway, Some(expiring))
            .await
            .recording(Arc::clone(&log) as Arc<dyn CallSink>);
        client.offer_detail(&offer()).await.unwrap();
        let records = log.take();
        let seen: Vec<(&str, Outcome, u32)> = records
            .iter()
            .map(|r| (r.api, r.outcome, r.attempt))
            .collect();
        assert_eq!(
            seen,
            [
                ("getToken", Outcome::Ok, 1),
                ("product.search.queryProductDetail", Outcome::Transient, 1),
                ("product.search.queryProductDetail", Outcome::Throttled, 2),
                ("product.search.queryProductDetail", Outcome::Ok, 3),
            ]
        );
        assert_eq!(
            records.len(),
            gateway.requests().len(),
            "one record per request"
        );
        assert!(records[2]
            .message
            .as_deref()
            .unwrap()
            .contains("limited frequency"));
        assert!(records[3].message.is_none());
        // The throttled try waited at least a second before the next; that wait is not latency.
        assert!(records
            .iter()
            .all(|r| r.latency < Duration::from_millis(900)));
        let text = format!("{records:?}");
        assert!(
            !text.contains("TOPSECRET") && !text.contains("r0\""),
            "{text}"
        );
    }

    /// A gateway whose clock runs `ahead_ms` ahead of this computer's, refusing time stamps
    /// more than 15 minutes off (unless `always_refuse`).
    async fn skewed_gateway(ahead_ms: i64, always_refuse: bool) -> FakeServer {
        FakeServer::start(move |request| {
            let now = Utc::now().timestamp_millis() + ahead_ms;
            if request.target.contains("currentTimeMillis") {
                return Reply::json(200, json!(now));
            }
            let stamp: i64 = request
                .param("_aop_timestamp")
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            if always_refuse || (stamp - now).abs() > 15 * 60_000 {
                return Reply::json(
                    400,
                    json!({"error_code": "gw.TimestampInvalid", "error_message": "_aop_timestamp is invalid"}),
                );
            }
            Reply::json(200, detail_answer(ID))
        })
        .await
    }

    #[tokio::test]
    async fn a_refused_time_stamp_is_retried_once_on_the_gateway_clock() {
        let gateway = skewed_gateway(2 * 3_600_000, false).await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        client.offer_detail(&offer()).await.unwrap();
        client.offer_detail(&offer()).await.unwrap();
        assert_eq!(gateway.count("currentTimeMillis"), 1, "the offset is kept");
        assert_eq!(gateway.count("queryProductDetail"), 3);

        let gateway = skewed_gateway(-47 * 60_000, true).await;
        let client = client_for(&gateway, Some(tokens("a1", "r0"))).await;
        let error = client.offer_detail(&offer()).await.unwrap_err();
        assert_eq!(error.code(), "gateway.clock_skew");
        assert!(
            error.to_string().contains("off by about 47 minutes"),
            "{error}"
        );
        assert!(error.stops_run());
        assert_eq!(gateway.count("queryProductDetail"), 2, "one retry only");
    }

    /// Counts what a client asks of its gate.
    #[derive(Default)]
    struct CountingGate {
        waits: AtomicUsize,
        throttles: AtomicUsize,
    }

    impl CallGate for CountingGate {
        fn until_ready(&self) -> super::super::GateFuture<'_> {
            self.waits.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {})
        }
        fn throttled(&self) -> super::super::GateFuture<'_> {
            self.throttles.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn a_given_gate_paces_every_try_and_hears_of_each_throttle() {
        let tries = Arc::new(AtomicUsize::new(0));
        let counting = Arc::clone(&tries);
        let gateway = FakeServer::start(move |_| match counting.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => Reply::json(
                400,
                json!({"error_code": "gw.QosAppFrequencyLimit", "error_message": "App call exceeds limited frequency"}),
            ),
            _ => Reply::json(200, detail_answer(ID)),
        })
        .await;
        let gate = Arc::new(CountingGate::default());
        let client = client_for(&gateway, Some(tokens("a0", "r0")))
            .await
            .with_call_gate(Arc::clone(&gate) as Arc<dyn CallGate>);
        client.offer_detail(&offer()).await.unwrap();
        assert_eq!(tries.load(Ordering::SeqCst), 3);
        assert_eq!(
            gate.waits.load(Ordering::SeqCst),
            3,
            "each try waited at the gate"
        );
        assert_eq!(gate.throttles.load(Ordering::SeqCst), 2);
    }
}
