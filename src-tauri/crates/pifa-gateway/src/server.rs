//! The HTTP side: the live URL scheme on loopback.
//!
//! Business calls are checked in this order: app key, API, signature, timestamp, access token,
//! then the QPS limit, quota and injected faults; gateway errors answer HTTP 400 (401 for the
//! token) with `{error_code, error_message, exception, request_id}` as the live gateway does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use axum::Router;
use pifa_core::protocol::sign::{url_path, verify_aop_signature, AOP_SIGNATURE};
use pifa_core::protocol::{ApiError, AppCredentials, ClientConfig, GatewayClient, TokenSet};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::faults::{Fate, Faults};
use crate::oauth::{TokenError, Tokens};
use crate::offers::Shelf;
use crate::{Clock, GatewayConfig};

/// The APIs the double serves, by `namespace:name` (version 1).
const KEYWORD_QUERY: &str = "com.alibaba.fenxiao.crossborder:product.search.keywordQuery";
const QUERY_DETAIL: &str = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";
const SIMPLE_GET: &str = "com.alibaba.product:alibaba.product.simple.get";

/// A running double's shared state.
pub struct Gateway {
    config: GatewayConfig,
    clock: Clock,
    shelf: Shelf,
    tokens: Mutex<Tokens>,
    faults: Mutex<Faults>,
    calls: Mutex<HashMap<String, u64>>,
    requests: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Gateway {
    pub fn new(config: GatewayConfig) -> Gateway {
        Gateway {
            clock: Clock::new(config.clock_speed),
            shelf: Shelf::new(&config),
            tokens: Mutex::new(Tokens::new(config.seed)),
            faults: Mutex::new(Faults::new(config.seed)),
            calls: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            config,
        }
    }

    /// Calls that reached an API (`namespace:name`), whatever their answer: what tests count
    /// retries with.
    pub fn calls(&self, api: &str) -> u64 {
        lock(&self.calls).get(api).copied().unwrap_or(0)
    }

    /// Revokes every token, as a password change or a revoked authorization does.
    pub fn revoke_tokens(&self) {
        lock(&self.tokens).revoke_all();
    }

    /// An authorization code for `redirect_uri`, as `/oauth/authorize` hands out (for tests of
    /// the paste-the-code path).
    pub fn issue_code(&self, redirect_uri: &str) -> String {
        // Codes live two real minutes: a person's browser round trip does not speed up.
        lock(&self.tokens).issue_code(redirect_uri, self.clock.real_now_ms())
    }

    fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        let request_id = format!("pifa-{:x}", self.requests.fetch_add(1, Ordering::Relaxed));
        let body = json!({"error_code": code, "error_message": message, "exception": message, "request_id": request_id});
        (
            status,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            body.to_string(),
        )
            .into_response()
    }
}

fn json_response(value: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        value.to_string(),
    )
        .into_response()
}

/// Form fields from the query string and the body, in that order.
fn params(query: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    params.extend(form_urlencoded::parse(body).into_owned());
    params
}

fn param<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn openapi(
    State(gw): State<Arc<Gateway>>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = params(query.as_deref(), &body);
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["param2", "1", "system", "currentTimeMillis", _] => {
            json_response(&json!(gw.clock.real_now_ms()))
        }
        ["http" | "param2", "1", "system.oauth2", "getToken", app_key] => {
            token(&gw, app_key, &params)
        }
        ["param2", "1", "system.oauth2", "postponeToken", app_key] => {
            postpone(&gw, app_key, &params)
        }
        ["param2", version, namespace, api, app_key] => {
            business(&gw, version, namespace, api, app_key, &params).await
        }
        _ => gw.error(
            StatusCode::BAD_REQUEST,
            "gw.APIUnsupported",
            &format!("unknown path /openapi/{path}"),
        ),
    }
}

/// Why the token endpoints refuse this client, if they do.
fn client_rejection(gw: &Gateway, app_key: &str, params: &[(String, String)]) -> Option<Response> {
    if app_key != gw.config.app_key
        || param(params, "client_id").is_some_and(|id| id != gw.config.app_key)
    {
        return Some(gw.error(
            StatusCode::BAD_REQUEST,
            "gw.AppKeyNotFound",
            "AppKey is not found",
        ));
    }
    if param(params, "client_secret") != Some(gw.config.app_secret.as_str()) {
        return Some(token_error(TokenError::Invalid(
            "invalid_client",
            "client_secret is wrong".into(),
        )));
    }
    None
}

fn token_error(TokenError::Invalid(error, description): TokenError) -> Response {
    let body = json!({"error": error, "error_description": description});
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn token(gw: &Gateway, app_key: &str, params: &[(String, String)]) -> Response {
    if let Some(rejection) = client_rejection(gw, app_key, params) {
        return rejection;
    }
    let now = gw.clock.now_ms();
    let mut tokens = lock(&gw.tokens);
    let answer = match param(params, "grant_type") {
        Some("authorization_code") => match param(params, "code") {
            Some(code) => tokens.exchange_code(
                code,
                param(params, "redirect_uri"),
                gw.clock.real_now_ms(),
                now,
                &gw.config,
            ),
            None => Err(TokenError::Invalid(
                "invalid_request",
                "code is required".into(),
            )),
        },
        Some("refresh_token") => match param(params, "refresh_token") {
            Some(refresh) => tokens.refresh(refresh, now, &gw.config),
            None => Err(TokenError::Invalid(
                "invalid_request",
                "refresh_token is required".into(),
            )),
        },
        _ => Err(TokenError::Invalid(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token".into(),
        )),
    };
    match answer {
        Ok(answer) => json_response(&answer),
        Err(e) => token_error(e),
    }
}

fn postpone(gw: &Gateway, app_key: &str, params: &[(String, String)]) -> Response {
    if let Some(rejection) = client_rejection(gw, app_key, params) {
        return rejection;
    }
    let Some(refresh) = param(params, "refresh_token") else {
        return token_error(TokenError::Invalid(
            "invalid_request",
            "refresh_token is required".into(),
        ));
    };
    match lock(&gw.tokens).postpone(refresh, gw.clock.now_ms(), &gw.config) {
        Ok(answer) => json_response(&answer),
        Err(e) => token_error(e),
    }
}

async fn business(
    gw: &Gateway,
    version: &str,
    namespace: &str,
    api: &str,
    app_key: &str,
    params: &[(String, String)],
) -> Response {
    let latency = {
        let jitter = lock(&gw.faults).jitter_ms(gw.config.jitter.as_millis() as u64);
        gw.config.latency + Duration::from_millis(jitter)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if app_key != gw.config.app_key {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.AppKeyNotFound",
            "AppKey is not found",
        );
    }
    let name = format!("{namespace}:{api}");
    if version != "1" || ![KEYWORD_QUERY, QUERY_DETAIL, SIMPLE_GET].contains(&name.as_str()) {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.APIUnsupported",
            &format!("API {name}-{version} is not supported"),
        );
    }
    *lock(&gw.calls).entry(name.clone()).or_default() += 1;
    let Some(signature) = param(params, AOP_SIGNATURE) else {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.SignatureMissing",
            "Signature is missing",
        );
    };
    let path = url_path(version, namespace, api, app_key);
    if !verify_aop_signature(&path, params, &gw.config.app_secret, signature) {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.SignatureInvalid",
            "Signature is invalid",
        );
    }
    if let Some(timestamp) = param(params, "_aop_timestamp") {
        let off = timestamp
            .parse::<i64>()
            .map(|t| (t - gw.clock.real_now_ms()).unsigned_abs());
        if off.map_or(true, |off| {
            off > gw.config.timestamp_tolerance.as_millis() as u64
        }) {
            return gw.error(
                StatusCode::BAD_REQUEST,
                "gw.TimestampInvalid",
                "_aop_timestamp is too far from the gateway's clock",
            );
        }
    }
    let now = gw.clock.now_ms();
    let authorized = param(params, "access_token")
        .is_some_and(|token| lock(&gw.tokens).access_valid(token, now));
    if !authorized {
        return gw.error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Request need user authorized",
        );
    }
    // Decided first: a lock guard must not live across the awaits below.
    let fate = lock(&gw.faults).decide(gw.clock.real_now_ms(), &gw.config);
    match fate {
        Fate::Serve => {}
        Fate::Throttled => {
            return gw.error(
                StatusCode::BAD_REQUEST,
                "gw.QosAppFrequencyLimit",
                "App call exceeds limited frequency",
            )
        }
        Fate::QuotaSpent => {
            return gw.error(
                StatusCode::BAD_REQUEST,
                "gw.NoUsageLeftError",
                "No usage left",
            )
        }
        Fate::ServerError => {
            return (
                StatusCode::BAD_GATEWAY,
                "<html><body>502 Bad Gateway</body></html>",
            )
                .into_response()
        }
        Fate::Timeout => {
            tokio::time::sleep(gw.config.timeout_hold).await;
            return (StatusCode::GATEWAY_TIMEOUT, "upstream timed out").into_response();
        }
        Fate::Malformed => {
            return json_response_text("{\"result\":{\"success\":true,\"result\":{\"offerId\":")
        }
    }
    let answer = match name.as_str() {
        KEYWORD_QUERY => gw
            .shelf
            .keyword_query(param(params, "offerQueryParam"), now),
        QUERY_DETAIL => gw
            .shelf
            .query_product_detail(param(params, "offerDetailParam"), now),
        _ => gw.shelf.simple_get(param(params, "productID"), now),
    };
    json_response(&answer)
}

fn json_response_text(text: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        text,
    )
        .into_response()
}

/// `/oauth/authorize`: approves at once and sends the browser back with a one-time code.
async fn authorize(State(gw): State<Arc<Gateway>>, RawQuery(query): RawQuery) -> Response {
    let params = params(query.as_deref(), &[]);
    if param(&params, "client_id") != Some(gw.config.app_key.as_str()) {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.AppKeyNotFound",
            "client_id is not a known AppKey",
        );
    }
    let Some(redirect_uri) = param(&params, "redirect_uri") else {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is required",
        );
    };
    let code = gw.issue_code(redirect_uri);
    let mut target = format!(
        "{redirect_uri}{}code={code}",
        if redirect_uri.contains('?') { '&' } else { '?' }
    );
    if let Some(state) = param(&params, "state") {
        target.push_str("&state=");
        target.extend(form_urlencoded::byte_serialize(state.as_bytes()));
    }
    Redirect::to(&target).into_response()
}

/// The router serving a double.
pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/openapi/{*path}", any(openapi))
        .route("/oauth/authorize", get(authorize))
        .with_state(gateway)
}

/// A double running on its own thread; stops when dropped.
pub struct GatewayHandle {
    pub base_url: String,
    pub gateway: Arc<Gateway>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl GatewayHandle {
    /// Tokens for the double's own app from its token endpoint, as after a user authorized:
    /// for tests and benchmarks that need an authorized client without a browser. Blocking;
    /// call it outside an async runtime.
    pub fn authorized_tokens(&self) -> Result<TokenSet, ApiError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Transient(e.to_string()))?;
        let credentials = AppCredentials {
            app_key: self.gateway.config.app_key.clone(),
            app_secret: self.gateway.config.app_secret.clone(),
        };
        let client = GatewayClient::new(ClientConfig::new(&self.base_url, credentials))?;
        let redirect = "http://127.0.0.1:9/callback";
        let code = self.gateway.issue_code(redirect);
        runtime.block_on(client.exchange_code(&code, redirect))
    }
}

impl Drop for GatewayHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a double on `addr` (port 0 picks a free one) on a thread of its own. The base URL,
/// e.g. `http://127.0.0.1:41234`, is what clients put in place of `https://gw.open.1688.com`.
pub fn spawn(config: GatewayConfig, addr: &str) -> std::io::Result<GatewayHandle> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let local: SocketAddr = std_listener.local_addr()?;
    let gateway = Arc::new(Gateway::new(config));
    let (shutdown, stopped) = oneshot::channel::<()>();
    let serving = Arc::clone(&gateway);
    let thread = std::thread::Builder::new()
        .name("pifa-gateway".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime for the gateway double");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(std_listener).expect("a listening socket");
                let _ = axum::serve(listener, router(serving))
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        })?;
    Ok(GatewayHandle {
        base_url: format!("http://{local}"),
        gateway,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}
