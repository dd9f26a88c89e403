//! Helpers shared by the double's HTTP tests: a client that does not follow redirects, OAuth
//! as a desktop client does it, signed calls as the official SDKs make them.
// Each test crate compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pifa_core::protocol::sign::{aop_signature, url_path};
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use serde_json::Value;

pub const CROSSBORDER: &str = "com.alibaba.fenxiao.crossborder";

/// One client for the whole test binary: building one costs more than a call.
pub fn client() -> Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            pifa_core::protocol::client::install_tls_provider();
            Client::builder()
                .redirect(Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap()
        })
        .clone()
}

pub fn start(config: GatewayConfig) -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers: 300,
            ..config
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Authorizes through `/oauth/authorize` and the token endpoint, as a desktop client does.
pub fn authorize(gw: &GatewayHandle) -> Value {
    let redirect = "http://127.0.0.1:9/callback";
    let answer = client()
        .get(format!("{}/oauth/authorize", gw.base_url))
        .query(&[
            ("client_id", DEMO_APP_KEY),
            ("site", "1688"),
            ("redirect_uri", redirect),
            ("state", "状态 42"),
        ])
        .send()
        .unwrap();
    assert_eq!(answer.status(), 303, "{:?}", answer.text());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{redirect}?code=")),
        "{location}"
    );
    assert!(
        location.ends_with("&state=%E7%8A%B6%E6%80%81+42"),
        "{location}"
    );
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let token = client()
        .post(format!(
            "{}/openapi/http/1/system.oauth2/getToken/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .form(&[
            ("grant_type", "authorization_code"),
            ("need_refresh_token", "true"),
            ("client_id", DEMO_APP_KEY),
            ("client_secret", DEMO_APP_SECRET),
            ("redirect_uri", redirect),
            ("code", &code),
        ])
        .send()
        .unwrap();
    assert_eq!(token.status(), 200);
    let token: Value = token.json().unwrap();
    // The code works once.
    let again = client()
        .post(format!(
            "{}/openapi/param2/1/system.oauth2/getToken/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_APP_KEY),
            ("client_secret", DEMO_APP_SECRET),
            ("code", &code),
        ])
        .send()
        .unwrap();
    assert_eq!(again.status(), 401);
    token
}

/// A signed business call, as the official SDKs make it.
pub fn call(
    gw: &GatewayHandle,
    namespace: &str,
    api: &str,
    mut params: Vec<(String, String)>,
    secret: &str,
) -> Response {
    let path = url_path("1", namespace, api, DEMO_APP_KEY);
    if !params.iter().any(|(k, _)| k == "_aop_timestamp") {
        params.push(("_aop_timestamp".into(), now_ms().to_string()));
    }
    let signature = aop_signature(&path, &params, secret);
    params.push(("_aop_signature".into(), signature));
    client()
        .post(format!("{}/openapi/{path}", gw.base_url))
        .form(&params)
        .send()
        .unwrap()
}

pub fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn search(gw: &GatewayHandle, token: &str, query: &str) -> Response {
    call(
        gw,
        CROSSBORDER,
        "product.search.keywordQuery",
        p(&[("offerQueryParam", query), ("access_token", token)]),
        DEMO_APP_SECRET,
    )
}

pub fn error_code(answer: Response) -> (u16, String) {
    let status = answer.status().as_u16();
    let body: Value = answer.json().unwrap();
    (
        status,
        body["error_code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// An access token for the double's app, through the token endpoint.
pub fn access(gw: &GatewayHandle) -> String {
    gw.authorized_tokens().unwrap().access_token
}

/// A queryProductDetail answer for `offer_id` (a JSON number or quoted string).
pub fn detail(gw: &GatewayHandle, token: &str, offer_id: &str) -> Response {
    call(
        gw,
        CROSSBORDER,
        "product.search.queryProductDetail",
        p(&[
            (
                "offerDetailParam",
                &format!(r#"{{"offerId":{offer_id},"country":"en"}}"#),
            ),
            ("access_token", token),
        ]),
        DEMO_APP_SECRET,
    )
}

/// A search answer as JSON, which must be a success.
pub fn search_json(gw: &GatewayHandle, token: &str, query: &Value) -> Value {
    let answer = search(gw, token, &query.to_string());
    assert_eq!(answer.status(), 200);
    let page: Value = answer.json().unwrap();
    assert_eq!(page["result"]["success"], true, "{page}");
    page
}

/// The JSON type of a value, as the doc's tables name them.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A yuan string in fen, read as a decimal.
pub fn fen(text: &str) -> u64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert!(fraction.len() <= 2, "{text}");
    whole.parse::<u64>().unwrap() * 100 + format!("{fraction:0<2}").parse::<u64>().unwrap()
}
