//! The gateway's check order and error bodies (`1688-answers.md` §5), every fault mode as a
//! client meets it on the wire, and the hardening of review M1/L10: bounded OAuth state,
//! loopback-only redirects, connection timeouts, a drop that cannot hang, a loopback-only binary.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use pifa_core::protocol::sign::{aop_signature, url_path};
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const DETAIL: &str = "product.search.queryProductDetail";
const IMAGE_QUERY: &str = "product.search.imageQuery";

fn detail_param(gw: &GatewayHandle, token: &str, param: &str) -> reqwest::blocking::Response {
    call(
        gw,
        CROSSBORDER,
        DETAIL,
        p(&[("offerDetailParam", param), ("access_token", token)]),
        DEMO_APP_SECRET,
    )
}

fn error_body(answer: reqwest::blocking::Response) -> (u16, Value) {
    (answer.status().as_u16(), answer.json().unwrap())
}

fn assert_gateway_error(
    answer: reqwest::blocking::Response,
    status: u16,
    code: &str,
    message: &str,
) {
    let (found, body) = error_body(answer);
    assert_eq!(found, status, "{body}");
    // `error_code` is a string, even "401" (§5.1).
    assert_eq!(body["error_code"].as_str(), Some(code), "{body}");
    assert_eq!(body["error_message"].as_str(), Some(message), "{body}");
    assert_eq!(body["exception"].as_str(), Some(message), "{body}");
    assert!(body["request_id"].is_string(), "{body}");
}

/// A signed keywordQuery as raw HTTP/1.1 bytes, to watch the wire itself.
fn raw_search(gw: &GatewayHandle, token: &str) -> Vec<u8> {
    let path = url_path(
        "1",
        CROSSBORDER,
        "product.search.keywordQuery",
        DEMO_APP_KEY,
    );
    let mut params = p(&[
        (
            "offerQueryParam",
            r#"{"keyword":"杯","beginPage":1,"pageSize":5,"country":"en"}"#,
        ),
        ("access_token", token),
        ("_aop_timestamp", &now_ms().to_string()),
    ]);
    let signature = aop_signature(&path, &params, DEMO_APP_SECRET);
    params.push(("_aop_signature".into(), signature));
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let mut stream = TcpStream::connect(gw.base_url.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /openapi/{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut received = Vec::new();
    // Until the double closes the connection (or answers in full and keeps it open).
    let mut chunk = [0u8; 65_536];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return received,
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                if complete(&received) {
                    return received;
                }
            }
        }
    }
}

/// Whether `bytes` hold a whole answer: a head and as much body as its Content-Length says.
fn complete(bytes: &[u8]) -> bool {
    split(bytes).is_some_and(|(head, body)| content_length(&head).is_some_and(|n| body.len() >= n))
}

fn split(bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((
        String::from_utf8_lossy(&bytes[..end]).into_owned(),
        bytes[end + 4..].to_vec(),
    ))
}

fn content_length(head: &str) -> Option<usize> {
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok())
}

#[test]
fn checks_run_in_the_live_gateways_order() {
    let gw = start(GatewayConfig::default());
    let token = access(&gw);
    // 1. The app key and the API come before the signature.
    let unsigned_unknown = client()
        .post(format!(
            "{}/openapi/param2/1/com.alibaba.trade/alibaba.no.such/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .send()
        .unwrap();
    assert_eq!(
        error_body(unsigned_unknown).1["error_code"],
        "gw.APIUnsupported"
    );
    // 2. The signature comes before the token, even for an API the app may not call.
    let wrong_secret = call(
        &gw,
        CROSSBORDER,
        IMAGE_QUERY,
        p(&[("access_token", "fake")]),
        "guess",
    );
    assert_eq!(
        error_body(wrong_secret).1["error_code"],
        "gw.SignatureInvalid"
    );
    // 3. The token comes before the ACL: a fake token gets 401 for an unsubscribed API.
    let fake_token = call(
        &gw,
        CROSSBORDER,
        IMAGE_QUERY,
        p(&[("access_token", "fake")]),
        DEMO_APP_SECRET,
    );
    assert_gateway_error(fake_token, 401, "401", "Request need user authorized");
    // 4. The ACL comes before the arguments.
    let unsubscribed = call(
        &gw,
        CROSSBORDER,
        IMAGE_QUERY,
        p(&[("access_token", &token)]),
        DEMO_APP_SECRET,
    );
    assert_gateway_error(
        unsubscribed,
        400,
        "gw.APIACLDecline",
        "AppKey is not allowed(acl)",
    );
    // 5. Required arguments, named as the gateway names them.
    let no_param = call(
        &gw,
        CROSSBORDER,
        DETAIL,
        p(&[("access_token", &token)]),
        DEMO_APP_SECRET,
    );
    assert_gateway_error(
        no_param,
        400,
        "gw.ParamMissing",
        "Required argument offerDetailParam",
    );
    let no_offer = detail_param(&gw, &token, r#"{"country":"en"}"#);
    assert_gateway_error(
        no_offer,
        400,
        "gw.ParamMissing",
        "Required argument offerId",
    );
    let no_query = call(
        &gw,
        CROSSBORDER,
        "product.search.keywordQuery",
        p(&[("access_token", &token)]),
        DEMO_APP_SECRET,
    );
    assert_gateway_error(
        no_query,
        400,
        "gw.ParamMissing",
        "Required argument offerQueryParam",
    );
    let no_product = call(
        &gw,
        "com.alibaba.product",
        "alibaba.product.simple.get",
        p(&[("access_token", &token)]),
        DEMO_APP_SECRET,
    );
    assert_gateway_error(
        no_product,
        400,
        "gw.ParamMissing",
        "Required argument productID",
    );
    // 6. The business answer: HTTP 200, success false, no payload (§5.2).
    let missing = detail_param(&gw, &token, r#"{"offerId":123456789,"country":"en"}"#);
    let (status, body) = error_body(missing);
    assert_eq!(status, 200);
    let result = body["result"].as_object().unwrap();
    assert_eq!(result["success"], false);
    assert_eq!(kind(&result["code"]), "string");
    assert_eq!(result["message"], "商品[123456789]不存在");
    assert!(result.get("result").is_none(), "{body}");
    // A delisted offer still answers, with its status (§3.3).
    let catalog = Catalog::new(1688, 300);
    let delisted = (0..300)
        .find(|&i| !catalog.offer(i).is_published())
        .unwrap();
    let answer: Value = detail(&gw, &token, &catalog.offer_id(delisted))
        .json()
        .unwrap();
    assert_eq!(answer["result"]["success"], true);
    assert_ne!(answer["result"]["result"]["status"], "published");
}

#[test]
fn arguments_are_checked_before_limits_and_faults() {
    let gw = start(GatewayConfig {
        throttle_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let fake = detail_param(&gw, "fake", r#"{"country":"en"}"#);
    assert_eq!(error_body(fake).1["error_code"], "401");
    let no_offer = detail_param(&gw, &token, r#"{"country":"en"}"#);
    assert_eq!(error_body(no_offer).1["error_code"], "gw.ParamMissing");
    let id = Catalog::new(1688, 300).offer_id(1);
    let throttled = detail(&gw, &token, &id);
    assert_gateway_error(
        throttled,
        400,
        "gw.QosAppFrequencyLimit",
        "App call exceeds limited frequency",
    );

    let gw = start(GatewayConfig {
        quota: Some(0),
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let spent = detail(&gw, &token, &id);
    assert_gateway_error(
        spent,
        400,
        "gw.NoUsageLeftError",
        "SLA bill has no usage left",
    );
}

#[test]
fn each_fault_mode_looks_on_the_wire_as_it_should() {
    // A dropped connection: no answer at all.
    let gw = start(GatewayConfig {
        drop_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    assert!(raw_search(&gw, &token).is_empty(), "not a byte");
    let url = format!(
        "{}/openapi/param2/1/system/currentTimeMillis/{DEMO_APP_KEY}",
        gw.base_url
    );
    assert_eq!(
        client().get(&url).send().unwrap().status(),
        200,
        "only business calls drop"
    );

    // A truncated answer: a Content-Length the body never reaches, then the connection closes.
    let gw = start(GatewayConfig {
        truncate_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let (head, body) = split(&raw_search(&gw, &token)).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let promised = content_length(&head).unwrap();
    assert!(
        !body.is_empty() && body.len() < promised,
        "{} of {promised}",
        body.len()
    );
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert!(search(
        &gw,
        &token,
        r#"{"keyword":"杯","beginPage":1,"pageSize":5}"#
    )
    .json::<Value>()
    .is_err());

    // A malformed answer: complete on the wire, not JSON.
    let gw = start(GatewayConfig {
        malformed_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let (head, body) = split(&raw_search(&gw, &token)).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(
        content_length(&head),
        Some(body.len()),
        "the whole body arrives"
    );
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    // An oversized answer: valid JSON past 8 MiB, with no length to refuse it by.
    let gw = start(GatewayConfig {
        oversize_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let answer = search(
        &gw,
        &token,
        r#"{"keyword":"杯","beginPage":1,"pageSize":5}"#,
    );
    assert!(answer.headers().get("content-length").is_none());
    let body = answer.bytes().unwrap();
    assert!(body.len() > 8 << 20, "{}", body.len());
    let padded: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(padded["result"]["success"], true);

    // Random throttling, besides the QPS limit.
    let gw = start(GatewayConfig {
        throttle_percent: 100,
        ..GatewayConfig::default()
    });
    let token = access(&gw);
    let throttled = search(
        &gw,
        &token,
        r#"{"keyword":"杯","beginPage":1,"pageSize":5}"#,
    );
    assert_eq!(
        error_code(throttled),
        (400, "gw.QosAppFrequencyLimit".into())
    );
}

#[test]
fn revoke_every_n_calls_kills_access_tokens_and_a_refresh_recovers() {
    let gw = start(GatewayConfig {
        revoke_every: 3,
        ..GatewayConfig::default()
    });
    let tokens = gw.authorized_tokens().unwrap();
    let id = Catalog::new(1688, 300).offer_id(2);
    assert_eq!(detail(&gw, &tokens.access_token, &id).status(), 200);
    assert_eq!(detail(&gw, &tokens.access_token, &id).status(), 200);
    assert_eq!(
        error_code(detail(&gw, &tokens.access_token, &id)),
        (401, "401".into())
    );
    assert_eq!(
        error_code(detail(&gw, &tokens.access_token, &id)),
        (401, "401".into())
    );
    let refreshed: Value = client()
        .post(format!(
            "{}/openapi/param2/1/system.oauth2/getToken/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_APP_KEY),
            ("client_secret", DEMO_APP_SECRET),
            ("refresh_token", tokens.refresh_token.as_deref().unwrap()),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let fresh = refreshed["access_token"].as_str().unwrap();
    assert_eq!(detail(&gw, fresh, &id).status(), 200);
}

#[test]
fn oauth_state_stays_bounded_under_a_flood() {
    let gw = start(GatewayConfig::default());
    let http = client();
    for n in 0..1_100 {
        let answer = http
            .get(format!("{}/oauth/authorize", gw.base_url))
            .query(&[
                ("client_id", DEMO_APP_KEY),
                ("redirect_uri", &format!("http://127.0.0.1:9/cb{n}")),
            ])
            .send()
            .unwrap();
        assert_eq!(answer.status(), 303);
    }
    let (codes, _, _) = gw.gateway.kept_tokens();
    assert_eq!(codes, 1_000, "oldest codes evicted");
    let refresh = gw.authorized_tokens().unwrap().refresh_token.unwrap();
    for _ in 0..1_050 {
        let answer = http
            .post(format!(
                "{}/openapi/param2/1/system.oauth2/getToken/{DEMO_APP_KEY}",
                gw.base_url
            ))
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", DEMO_APP_KEY),
                ("client_secret", DEMO_APP_SECRET),
                ("refresh_token", refresh.as_str()),
            ])
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let (_, access, refreshes) = gw.gateway.kept_tokens();
    assert_eq!(
        (access, refreshes),
        (1_000, 1),
        "oldest access tokens evicted"
    );
}

#[test]
fn authorize_redirects_only_to_short_loopback_addresses() {
    let gw = start(GatewayConfig::default());
    let authorize = |redirect: &str| {
        client()
            .get(format!("{}/oauth/authorize", gw.base_url))
            .query(&[
                ("client_id", DEMO_APP_KEY),
                ("redirect_uri", redirect),
                ("state", "s"),
            ])
            .send()
            .unwrap()
    };
    let long = format!("http://127.0.0.1:9/{}", "a".repeat(190));
    for bad in [
        "https://evil.example/callback",
        "http://127.0.0.1.evil.example/callback",
        "http://localhost:9/callback",
        "http://127.0.0.1:9/\r\nSet-Cookie: x=1",
        "http://127.0.0.1:9/中文",
        long.as_str(),
    ] {
        let answer = authorize(bad);
        assert_eq!(answer.status(), 400, "{bad}");
        assert!(answer.headers().get("location").is_none(), "{bad}");
    }
    let (codes, _, _) = gw.gateway.kept_tokens();
    assert_eq!(codes, 0, "a refused redirect costs no code");
    let good = authorize("http://127.0.0.1:41234/callback");
    assert_eq!(good.status(), 303);
    let location = good.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:41234/callback?code="),
        "{location}"
    );
}

#[test]
fn idle_and_slow_connections_are_dropped() {
    let gw = start(GatewayConfig {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..GatewayConfig::default()
    });
    let address = gw.base_url.trim_start_matches("http://").to_owned();
    let closed_within = |mut stream: TcpStream| {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let started = Instant::now();
        let mut received = Vec::new();
        let _ = stream.read_to_end(&mut received);
        (started.elapsed(), received)
    };
    // Connected, silent.
    let (waited, received) = closed_within(TcpStream::connect(&address).unwrap());
    assert!(
        waited < Duration::from_secs(3) && received.is_empty(),
        "{waited:?}"
    );
    // Half a request head.
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"POST /openapi/x HTTP/1.1\r\nHost: a\r\n")
        .unwrap();
    let (waited, _) = closed_within(stream);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // A head that promises a body that never comes: answered, then closed.
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"POST /openapi/param2/1/system/currentTimeMillis/1688001 HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
        .unwrap();
    let (waited, received) = closed_within(stream);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    let head = String::from_utf8_lossy(&received);
    assert!(head.starts_with("HTTP/1.1 4"), "{head}");
    // Keep-alive idling ends too.
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .write_all(
            b"GET /openapi/param2/1/system/currentTimeMillis/1688001 HTTP/1.1\r\nHost: a\r\n\r\n",
        )
        .unwrap();
    let (waited, received) = closed_within(stream);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"));
}

#[test]
fn dropping_the_double_does_not_wait_for_a_stalled_client() {
    // The default timeouts: a stalled body would hold a graceful shutdown for ten seconds.
    let gw = start(GatewayConfig::default());
    let address = gw.base_url.trim_start_matches("http://").to_owned();
    let mut stalled = TcpStream::connect(&address).unwrap();
    stalled
        .write_all(b"POST /openapi/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
        .unwrap();
    let mut idle = TcpStream::connect(&address).unwrap();
    idle.write_all(b"GET /oauth/authorize HTTP/1.1\r\nHost: a\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    drop(gw);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(&address).is_err(), "no longer listening");
}

#[test]
fn the_binary_listens_on_loopback_unless_told_otherwise() {
    let binary = env!("CARGO_BIN_EXE_pifa-gateway");
    let refused = Command::new(binary)
        .args(["--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--allow-remote"));
    for args in [
        &[
            "--addr",
            "127.0.0.1:0",
            "--drop-rate",
            "3",
            "--truncate-rate",
            "2",
            "--throttle-rate",
            "1",
            "--duplicate-rate",
            "5",
            "--revoke-every",
            "500",
        ][..],
        &["--addr", "0.0.0.0:0", "--allow-remote"][..],
    ] {
        let mut child = Command::new(binary)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = [0u8; 7];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        assert_eq!(&first, b"http://", "{args:?}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn the_config_debug_hides_the_secret() {
    let shown = format!("{:?}", GatewayConfig::default());
    assert!(!shown.contains(DEMO_APP_SECRET), "{shown}");
}
