//! The HTTP side: the live URL scheme on loopback.
//!
//! Business calls are checked in the live gateway's order (`shared/docs/1688-answers.md` §5.1):
//! app key and API, signature (and timestamp), access token, ACL, required arguments; then the
//! QPS limit, quota and injected faults, then the API answers. Gateway errors answer HTTP 400
//! (401 for the token) with `{error_code, error_message, exception, request_id}` as the live
//! gateway does.
//!
//! The serving loop is hyper's own, not `axum::serve`, so that each connection has a header
//! timeout (idle keep-alive time included) and a handler can drop its connection unanswered;
//! bodies and whole requests have timeouts too, and connections are capped (review M1).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Router};
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use pifa_core::protocol::sign::{url_path, verify_aop_signature, AOP_SIGNATURE};
use pifa_core::protocol::{ApiError, AppCredentials, ClientConfig, GatewayClient, TokenSet};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::faults::{Fate, Faults};
use crate::oauth::{TokenError, Tokens};
use crate::offers::{detail_missing, keyword_query_missing, Shelf};
use crate::{Clock, GatewayConfig};

/// The APIs the double serves, by `namespace:name` (version 1).
const KEYWORD_QUERY: &str = "com.alibaba.fenxiao.crossborder:product.search.keywordQuery";
const QUERY_DETAIL: &str = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";
const SIMPLE_GET: &str = "com.alibaba.product:alibaba.product.simple.get";
const SERVED: &[&str] = &[KEYWORD_QUERY, QUERY_DETAIL, SIMPLE_GET];
/// APIs that exist on 1688 but that the demo app has not subscribed to: `gw.APIACLDecline`
/// once the token checks out.
const UNSUBSCRIBED: &[&str] = &[
    "com.alibaba.fenxiao.crossborder:product.search.imageQuery",
    "com.alibaba.fenxiao.crossborder:product.image.upload",
    "com.alibaba.fenxiao.crossborder:product.freight.estimate",
    "com.alibaba.fenxiao.crossborder:product.search.offerRecommend",
    "com.alibaba.trade:alibaba.createOrder.preview",
];
/// Open connections at once; more are closed on arrival.
const MAX_CONNECTIONS: usize = 512;
/// How long answers in flight may finish once the double stops.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// How long dropping a [`GatewayHandle`] waits for the server thread before leaving it.
const DROP_DEADLINE: Duration = Duration::from_secs(2);
/// The longest `redirect_uri` `/oauth/authorize` accepts.
const MAX_REDIRECT_URI: usize = 200;

/// A running double's shared state.
pub struct Gateway {
    config: GatewayConfig,
    clock: Clock,
    shelf: Shelf,
    tokens: Mutex<Tokens>,
    faults: Mutex<Faults>,
    calls: Mutex<HashMap<String, u64>>,
    /// Detail calls by the offer they asked for (tests of checks that must not repeat).
    detail_calls: Mutex<HashMap<String, u64>>,
    /// Business calls by what the limits and faults decided (`Serve`, `Throttled`, …).
    fates: Mutex<HashMap<String, u64>>,
    /// The same calls per second, for load tests.
    per_second: Mutex<crate::per_second::PerSecond>,
    requests: AtomicU64,
}

/// In each request's extensions: lets the handler close its connection without an answer.
#[derive(Clone)]
struct Hangup(Arc<Notify>);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Gateway {
    pub fn new(config: GatewayConfig) -> Gateway {
        let clock = Clock::new(config.clock_speed);
        Gateway {
            shelf: Shelf::new(&config, clock.now_ms()),
            clock,
            tokens: Mutex::new(Tokens::new(config.seed)),
            faults: Mutex::new(Faults::new(config.seed)),
            calls: Mutex::new(HashMap::new()),
            detail_calls: Mutex::new(HashMap::new()),
            fates: Mutex::new(HashMap::new()),
            per_second: Mutex::default(),
            requests: AtomicU64::new(0),
            config,
        }
    }

    /// Calls that reached an API (`namespace:name`), whatever their answer: what tests count
    /// retries with.
    pub fn calls(&self, api: &str) -> u64 {
        lock(&self.calls).get(api).copied().unwrap_or(0)
    }

    /// Well-formed, authorized detail calls that asked for `offer_id`, whatever their answer.
    pub fn detail_calls(&self, offer_id: &str) -> u64 {
        lock(&self.detail_calls).get(offer_id).copied().unwrap_or(0)
    }

    /// Business calls the limits and faults decided one way (`Serve`, `Throttled`,
    /// `ServerError`, …, as `faults::Fate` names them): what tests compare recorded figures with.
    pub fn fates(&self, fate: &str) -> u64 {
        lock(&self.fates).get(fate).copied().unwrap_or(0)
    }

    /// The most business calls (throttled ones too) that reached the limits in one whole
    /// second of the double's clock: what load tests hold against a rate limit.
    pub fn busiest_second(&self) -> u64 {
        lock(&self.per_second).busiest()
    }

    /// Revokes every token, as a password change or a revoked authorization does.
    pub fn revoke_tokens(&self) {
        lock(&self.tokens).revoke_all();
    }

    /// How many authorization codes, access tokens and refresh tokens the double keeps.
    pub fn kept_tokens(&self) -> (usize, usize, usize) {
        lock(&self.tokens).sizes()
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
        (status, json_body(body.to_string())).into_response()
    }
}

/// How the gateway labels every answer.
const JSON_TYPE: &str = "application/json;charset=UTF-8";

/// An answer's text (or bytes) as the gateway sends it.
fn json_body(body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, JSON_TYPE)], body.into()).into_response()
}

fn json_response(value: &Value) -> Response {
    json_body(value.to_string())
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
    hangup: Option<Extension<Hangup>>,
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
            let hangup = hangup.map(|Extension(h)| h);
            business(&gw, version, namespace, api, app_key, &params, hangup).await
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
    (StatusCode::UNAUTHORIZED, json_body(body.to_string())).into_response()
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

/// A business call, answered `latency` after it arrived. The answer is made meanwhile rather
/// than after: a gateway's latency runs from request to answer, and making answers only once
/// the latency is over had the many requests that arrive together queue for the double's two
/// threads on top of it (measured: 24 ms per call at 20 ms latency, concurrency 16). The wait
/// is `alarm`'s, to the microsecond: tokio's timer rounds up to the next millisecond.
async fn business(
    gw: &Gateway,
    version: &str,
    namespace: &str,
    api: &str,
    app_key: &str,
    params: &[(String, String)],
    hangup: Option<Hangup>,
) -> Response {
    let arrived = std::time::Instant::now();
    let latency = {
        let jitter = lock(&gw.faults).jitter_ms(gw.config.jitter.as_millis() as u64);
        gw.config
            .latency
            .saturating_add(Duration::from_millis(jitter))
    };
    let answer = business_answer(gw, version, namespace, api, app_key, params, hangup).await;
    crate::alarm::sleep_until(arrived + latency).await;
    answer
}

async fn business_answer(
    gw: &Gateway,
    version: &str,
    namespace: &str,
    api: &str,
    app_key: &str,
    params: &[(String, String)],
    hangup: Option<Hangup>,
) -> Response {
    // 1. The app key and the API.
    if app_key != gw.config.app_key {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.AppKeyNotFound",
            "AppKey is not found",
        );
    }
    let name = format!("{namespace}:{api}");
    let served = version == "1" && SERVED.contains(&name.as_str());
    let exists = served || (version == "1" && UNSUBSCRIBED.contains(&name.as_str()));
    if !exists {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.APIUnsupported",
            &format!("API {name}-{version} is not supported"),
        );
    }
    *lock(&gw.calls).entry(name.clone()).or_default() += 1;
    // 2. The signature (and its timestamp).
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
            .map(|t| t.abs_diff(gw.clock.real_now_ms()));
        if off.map_or(true, |off| {
            u128::from(off) > gw.config.timestamp_tolerance.as_millis()
        }) {
            return gw.error(
                StatusCode::BAD_REQUEST,
                "gw.TimestampInvalid",
                "_aop_timestamp is too far from the gateway's clock",
            );
        }
    }
    // 3. The access token: checked before the ACL, so a fake token gets 401 even for an API
    // the app may not call (§5.1).
    if lock(&gw.faults).revoke_due(gw.config.revoke_every) {
        lock(&gw.tokens).revoke_access();
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
    // 4. The ACL: the demo app subscribes to the search and detail APIs only.
    if !served {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.APIACLDecline",
            "AppKey is not allowed(acl)",
        );
    }
    // 5. Required arguments.
    let missing = match name.as_str() {
        KEYWORD_QUERY => keyword_query_missing(param(params, "offerQueryParam")),
        QUERY_DETAIL => detail_missing(param(params, "offerDetailParam")),
        _ => param(params, "productID")
            .is_none_or(|id| id.trim().is_empty())
            .then_some("productID"),
    };
    if let Some(argument) = missing {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "gw.ParamMissing",
            &format!("Required argument {argument}"),
        );
    }
    if name == QUERY_DETAIL {
        let asked = param(params, "offerDetailParam")
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .and_then(|query| match query.get("offerId") {
                Some(Value::String(id)) => Some(id.trim().to_owned()),
                Some(Value::Number(id)) => Some(id.to_string()),
                _ => None,
            });
        if let Some(offer_id) = asked {
            *lock(&gw.detail_calls).entry(offer_id).or_default() += 1;
        }
    }
    // 6. Limits and injected faults, then the API itself. Decided first: a lock guard must not
    // live across the awaits below.
    let (fate, duplicate) = {
        let mut faults = lock(&gw.faults);
        let now_ms = gw.clock.real_now_ms();
        lock(&gw.per_second).arrived(now_ms);
        let fate = faults.decide(now_ms, &gw.config);
        let duplicate = (name == KEYWORD_QUERY && faults.chance(gw.config.duplicate_percent))
            .then(|| faults.below(u64::MAX));
        *lock(&gw.fates).entry(format!("{fate:?}")).or_default() += 1;
        (fate, duplicate)
    };
    match fate {
        Fate::Serve | Fate::Truncated | Fate::Oversized => {}
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
                "SLA bill has no usage left",
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
            // A complete HTTP answer (its Content-Length is right) whose JSON stops short.
            return json_body("{\"result\":{\"success\":true,\"result\":{\"offerId\":");
        }
        Fate::Dropped => {
            if let Some(Hangup(hangup)) = hangup {
                // The connection task drops the socket, and this future with it.
                hangup.notify_one();
                std::future::pending::<()>().await;
            }
            return (StatusCode::BAD_GATEWAY, "").into_response();
        }
    }
    // The detail's text is shared with the answers the double keeps rendered, not copied.
    let answer = match name.as_str() {
        KEYWORD_QUERY => Bytes::from(
            gw.shelf
                .keyword_query(param(params, "offerQueryParam"), now, duplicate)
                .to_string(),
        ),
        QUERY_DETAIL => Bytes::from_owner(ArcText(
            gw.shelf
                .query_product_detail(param(params, "offerDetailParam"), now),
        )),
        _ => Bytes::from(
            gw.shelf
                .simple_get(param(params, "productID"), now)
                .to_string(),
        ),
    };
    match fate {
        Fate::Truncated => truncated_response(answer),
        Fate::Oversized => oversized_response(&answer),
        _ => json_body(answer),
    }
}

/// [`Bytes`] wants its owner's bytes as a byte slice.
struct ArcText(Arc<str>);

impl AsRef<[u8]> for ArcText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// How far an oversized answer goes: past the 8 MiB a client should read at most.
const OVERSIZE_BYTES: usize = 9 << 20;

/// `text` with an unknown key padded past [`OVERSIZE_BYTES`], streamed in chunks of one shared
/// buffer without a `Content-Length`: valid JSON that only a size cap stops.
fn oversized_response(text: &[u8]) -> Response {
    let open = [text.strip_suffix(b"}").unwrap_or(text), b",\"padding\":\""].concat();
    let filler = Bytes::from(vec![b'x'; 64 * 1024]);
    let chunks = OVERSIZE_BYTES / filler.len() + 1;
    let body = std::iter::once(Bytes::from(open))
        .chain(std::iter::repeat_n(filler, chunks))
        .chain(std::iter::once(Bytes::from_static(b"\"}")))
        .map(Ok::<_, std::io::Error>);
    json_body(Body::from_stream(futures_util::stream::iter(body)))
}

/// The answer's first half under a `Content-Length` for all of it; then the body fails, so the
/// connection closes mid-answer, as a cut link does.
fn truncated_response(full: Bytes) -> Response {
    let length = full.len();
    let head = full.slice(..length / 2);
    // The pause lets hyper put the head and the first half on the wire before the body fails.
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::other("the double cut this answer short"))
    });
    let chunks = futures_util::stream::iter([Ok(head)]).chain(cut);
    let mut response = json_body(Body::from_stream(chunks));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// Whether `uri` is a loopback `http://127.0.0.1:<port>/…` of at most [`MAX_REDIRECT_URI`]
/// visible ASCII bytes: the only place a desktop client listens, so `/oauth/authorize` is no
/// open redirect and a code costs little memory (review M1, L10).
fn loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://127.0.0.1:") else {
        return false;
    };
    let port_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (port, path) = rest.split_at(port_end);
    uri.len() <= MAX_REDIRECT_URI
        && port.parse::<u16>().is_ok_and(|p| p > 0)
        && (path.is_empty() || path.starts_with('/') || path.starts_with('?'))
        && uri.bytes().all(|b| b.is_ascii_graphic() && b != b'#')
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
    let Some(redirect_uri) = param(&params, "redirect_uri").filter(|uri| loopback_redirect(uri))
    else {
        return gw.error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri must be a loopback http://127.0.0.1:<port>/ address of at most 200 bytes",
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
    match HeaderValue::from_str(&target) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => gw.error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not a valid address",
        ),
    }
}

/// `GET /img/ibank/<name>`: the picture an answer names, as 1688's image CDN would serve it
/// (any host in the answer, this path on the double). Drawn off the serving threads.
async fn picture(State(gw): State<Arc<Gateway>>, Path(name): Path<String>) -> Response {
    let drawn =
        tokio::task::spawn_blocking(move || crate::pictures::picture(gw.shelf.catalog(), &name))
            .await;
    match drawn {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            png,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The router serving a double, with its body and request timeouts.
pub fn router(gateway: Arc<Gateway>) -> Router {
    let body_timeout = gateway.config.body_timeout;
    let request_timeout = gateway.config.request_timeout();
    Router::new()
        .route("/openapi/{*path}", any(openapi))
        .route("/oauth/authorize", get(authorize))
        .route("/img/ibank/{*name}", get(picture))
        .with_state(gateway)
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
}

/// Accepts connections until `stop` changes (or its sender is gone), then gives the answers in
/// flight [`SHUTDOWN_GRACE`] to finish.
async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Over the cap, the connection is closed at once.
                    if let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
                        connections.spawn(serve_connection(
                            stream,
                            app.clone(),
                            header_timeout,
                            stop.clone(),
                            slot,
                        ));
                    }
                }
                // Out of file descriptors, say: pause rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let hangup = Arc::new(Notify::new());
    let tag = Hangup(Arc::clone(&hangup));
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(tag.clone());
        app.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let hung_up = hangup.notified();
    tokio::pin!(hung_up);
    // Dropping the connection closes its socket: that is how a hang-up leaves unanswered.
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = &mut hung_up => return,
        _ = stop.changed() => connection.as_mut().graceful_shutdown(),
    }
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = &mut hung_up => {}
    }
}

/// A double running on its own thread; stops when dropped. Shared across threads by the app.
pub struct GatewayHandle {
    pub base_url: String,
    pub gateway: Arc<Gateway>,
    stop: Option<watch::Sender<bool>>,
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
    /// Signals the server and waits [`DROP_DEADLINE`] at most: a client that stalls its
    /// connection cannot hang whoever drops the double. A thread still busy then is left to end
    /// on its own.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = std::time::Instant::now() + DROP_DEADLINE;
        while !thread.is_finished() {
            if std::time::Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = thread.join();
    }
}

/// Starts a double on `addr` (port 0 picks a free one) on a thread of its own. The base URL,
/// e.g. `http://127.0.0.1:41234`, is what clients put in place of `https://gw.open.1688.com`.
pub fn spawn(config: GatewayConfig, addr: &str) -> std::io::Result<GatewayHandle> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let local: SocketAddr = std_listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("pifa-gateway")
        .enable_all()
        .build()?;
    let listener = {
        let _entered = runtime.enter();
        TcpListener::from_std(std_listener)?
    };
    let header_timeout = config.header_timeout;
    let gateway = Arc::new(Gateway::new(config));
    let app = router(Arc::clone(&gateway));
    let (stop, stopped) = watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("pifa-gateway".into())
        .spawn(move || {
            runtime.block_on(serve(listener, app, header_timeout, stopped));
            runtime.shutdown_timeout(SHUTDOWN_GRACE);
        })?;
    Ok(GatewayHandle {
        base_url: format!("http://{local}"),
        gateway,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// The app keeps the in-process double in shared state.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<GatewayHandle>();
};

#[cfg(test)]
mod tests {
    use super::loopback_redirect;

    #[test]
    fn only_short_loopback_redirects() {
        for good in [
            "http://127.0.0.1:9/callback",
            "http://127.0.0.1:41234/callback?x=1",
            "http://127.0.0.1:5",
        ] {
            assert!(loopback_redirect(good), "{good}");
        }
        let long = format!("http://127.0.0.1:9/{}", "a".repeat(200));
        for bad in [
            "https://evil.example/steal",
            "http://127.0.0.1.evil.example/",
            "http://127.0.0.1:80@evil.example/",
            "http://127.0.0.1:0/x",
            "http://127.0.0.1:99999/x",
            "http://localhost:9/x",
            "http://127.0.0.1:9/a b",
            "http://127.0.0.1:9/\u{4e2d}",
            "http://127.0.0.1:9/x#frag",
            long.as_str(),
        ] {
            assert!(!loopback_redirect(bad), "{bad}");
        }
    }
}
