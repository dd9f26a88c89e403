//! The gateway double over real HTTP: the live URL scheme, OAuth, signature and token checks,
//! error codes, limits, faults and price drift.

mod common;

use std::time::Duration;

use common::*;
use pifa_core::offer::clean_answer;
use pifa_core::protocol::sign::{aop_signature, url_path};
use pifa_gateway::{GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

#[test]
fn health_oauth_search_and_detail_end_to_end() {
    let gw = start(GatewayConfig::default());
    let millis: i64 = client()
        .get(format!(
            "{}/openapi/param2/1/system/currentTimeMillis/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!((millis - now_ms()).abs() < 5_000);

    let token = authorize(&gw);
    assert_eq!(token["expires_in"], "36000", "a string, as live");
    assert!(token["refresh_token_timeout"]
        .as_str()
        .unwrap()
        .ends_with("+0800"));
    let access = token["access_token"].as_str().unwrap();

    let page: Value = search(
        &gw,
        access,
        r#"{"keyword":"T恤","beginPage":1,"pageSize":5,"country":"en"}"#,
    )
    .json()
    .unwrap();
    let result = &page["result"]["result"];
    assert_eq!(page["result"]["success"], true);
    assert!(result["totalRecords"].as_u64().unwrap() > 0);
    let first = &result["data"][0];
    assert!(first["subject"].as_str().unwrap().contains("T恤"));
    let offer_id = first["offerId"].to_string();

    let detail: Value = call(
        &gw,
        CROSSBORDER,
        "product.search.queryProductDetail",
        p(&[
            (
                "offerDetailParam",
                &format!(r#"{{"offerId":{offer_id},"country":"en"}}"#),
            ),
            ("access_token", access),
        ]),
        DEMO_APP_SECRET,
    )
    .json()
    .unwrap();
    let offer = clean_answer(&detail, chrono::Utc::now()).unwrap();
    assert_eq!(offer.offer_id.as_str(), offer_id);
    assert!(offer.warnings.is_empty(), "{:?}", offer.warnings);

    let simple: Value = call(
        &gw,
        "com.alibaba.product",
        "alibaba.product.simple.get",
        p(&[
            ("productID", &offer_id),
            ("webSite", "1688"),
            ("access_token", access),
        ]),
        DEMO_APP_SECRET,
    )
    .json()
    .unwrap();
    assert_eq!(
        clean_answer(&simple, chrono::Utc::now())
            .unwrap()
            .offer_id
            .as_str(),
        offer_id
    );

    let missing: Value = call(
        &gw,
        "com.alibaba.product",
        "alibaba.product.simple.get",
        p(&[
            ("productID", "123456789"),
            ("webSite", "1688"),
            ("access_token", access),
        ]),
        DEMO_APP_SECRET,
    )
    .json()
    .unwrap();
    assert_eq!(missing["errMsg"], "商品[123456789]不存在");

    let refreshed: Value = client()
        .post(format!(
            "{}/openapi/param2/1/system.oauth2/getToken/{DEMO_APP_KEY}",
            gw.base_url
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_APP_KEY),
            ("client_secret", DEMO_APP_SECRET),
            ("refresh_token", token["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(refreshed["access_token"].is_string());
    assert!(
        refreshed.get("refresh_token").is_none(),
        "a refresh brings no new refresh token"
    );
    assert_eq!(
        gw.gateway
            .calls("com.alibaba.fenxiao.crossborder:product.search.keywordQuery"),
        1
    );
}

#[test]
fn bad_requests_get_the_documented_errors() {
    let gw = start(GatewayConfig::default());
    let token = authorize(&gw);
    let access = token["access_token"].as_str().unwrap();
    let query = r#"{"keyword":"杯","beginPage":1,"pageSize":5,"country":"en"}"#;
    let path = url_path(
        "1",
        CROSSBORDER,
        "product.search.keywordQuery",
        DEMO_APP_KEY,
    );
    let url = format!("{}/openapi/{path}", gw.base_url);

    let unsigned = client()
        .post(&url)
        .form(&p(&[("offerQueryParam", query), ("access_token", access)]))
        .send()
        .unwrap();
    assert_eq!(error_code(unsigned), (400, "gw.SignatureMissing".into()));

    let mut params = p(&[("offerQueryParam", query), ("access_token", access)]);
    let signature = aop_signature(&path, &params, DEMO_APP_SECRET);
    params[0].1 = r#"{"keyword":"刀","beginPage":1,"pageSize":5,"country":"en"}"#.into();
    params.push(("_aop_signature".into(), signature));
    let tampered = client().post(&url).form(&params).send().unwrap();
    assert_eq!(error_code(tampered), (400, "gw.SignatureInvalid".into()));

    let wrong_secret = call(
        &gw,
        CROSSBORDER,
        "product.search.keywordQuery",
        p(&[("offerQueryParam", query), ("access_token", access)]),
        "guess",
    );
    assert_eq!(
        error_code(wrong_secret),
        (400, "gw.SignatureInvalid".into())
    );

    let stale = (now_ms() - 20 * 60 * 1000).to_string();
    let old = call(
        &gw,
        CROSSBORDER,
        "product.search.keywordQuery",
        p(&[
            ("offerQueryParam", query),
            ("access_token", access),
            ("_aop_timestamp", &stale),
        ]),
        DEMO_APP_SECRET,
    );
    assert_eq!(error_code(old), (400, "gw.TimestampInvalid".into()));

    let no_token = call(
        &gw,
        CROSSBORDER,
        "product.search.keywordQuery",
        p(&[("offerQueryParam", query)]),
        DEMO_APP_SECRET,
    );
    let (status, body) = (
        no_token.status().as_u16(),
        no_token.json::<Value>().unwrap(),
    );
    assert_eq!(
        (
            status,
            body["error_code"].as_str(),
            body["error_message"].as_str()
        ),
        (401, Some("401"), Some("Request need user authorized"))
    );

    let bad_key = client()
        .post(format!(
            "{}/openapi/param2/1/{CROSSBORDER}/product.search.keywordQuery/999",
            gw.base_url
        ))
        .form(&p(&[("offerQueryParam", query)]))
        .send()
        .unwrap();
    assert_eq!(error_code(bad_key), (400, "gw.AppKeyNotFound".into()));

    let unknown = call(
        &gw,
        "com.alibaba.trade",
        "alibaba.trade.getBuyerOrderList",
        p(&[("access_token", access)]),
        DEMO_APP_SECRET,
    );
    assert_eq!(error_code(unknown), (400, "gw.APIUnsupported".into()));

    let no_keyword = search(&gw, access, r#"{"beginPage":1}"#);
    assert_eq!(error_code(no_keyword), (400, "gw.ParamMissing".into()));

    gw.gateway.revoke_tokens();
    assert_eq!(error_code(search(&gw, access, query)).0, 401);
}

#[test]
fn access_tokens_expire() {
    let gw = start(GatewayConfig {
        access_ttl: Duration::from_secs(1),
        ..GatewayConfig::default()
    });
    let token = authorize(&gw);
    let access = token["access_token"].as_str().unwrap();
    let query = r#"{"keyword":"杯","beginPage":1,"pageSize":1,"country":"en"}"#;
    assert_eq!(search(&gw, access, query).status(), 200);
    std::thread::sleep(Duration::from_millis(1_200));
    assert_eq!(error_code(search(&gw, access, query)), (401, "401".into()));
}

#[test]
fn limits_and_faults() {
    let query = r#"{"keyword":"杯","beginPage":1,"pageSize":1,"country":"en"}"#;

    let gw = start(GatewayConfig {
        qps_limit: 2,
        quota: Some(3),
        ..GatewayConfig::default()
    });
    let token = authorize(&gw);
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(search(&gw, access, query).status(), 200);
    assert_eq!(search(&gw, access, query).status(), 200);
    assert_eq!(
        error_code(search(&gw, access, query)),
        (400, "gw.QosAppFrequencyLimit".into())
    );
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(search(&gw, access, query).status(), 200);
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(
        error_code(search(&gw, access, query)),
        (400, "gw.NoUsageLeftError".into())
    );

    let gw = start(GatewayConfig {
        error_5xx_percent: 100,
        ..GatewayConfig::default()
    });
    let access = authorize(&gw)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(search(&gw, &access, query).status(), 502);

    let gw = start(GatewayConfig {
        malformed_percent: 100,
        ..GatewayConfig::default()
    });
    let access = authorize(&gw)["access_token"].as_str().unwrap().to_owned();
    let broken = search(&gw, &access, query);
    assert_eq!(broken.status(), 200);
    assert!(serde_json::from_str::<Value>(&broken.text().unwrap()).is_err());

    let gw = start(GatewayConfig {
        timeout_percent: 100,
        timeout_hold: Duration::from_millis(300),
        ..GatewayConfig::default()
    });
    let access = authorize(&gw)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(search(&gw, &access, query).status(), 504);

    let gw = start(GatewayConfig {
        latency: Duration::from_millis(150),
        ..GatewayConfig::default()
    });
    let access = authorize(&gw)["access_token"].as_str().unwrap().to_owned();
    let started = std::time::Instant::now();
    assert_eq!(search(&gw, &access, query).status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn prices_drift_as_simulated_days_pass() {
    // A simulated day per 100 ms of real time.
    let gw = start(GatewayConfig {
        clock_speed: 864_000.0,
        daily_drift_percent: 10,
        access_ttl: Duration::from_secs(1_000 * 86_400),
        ..GatewayConfig::default()
    });
    let access = authorize(&gw)["access_token"].as_str().unwrap().to_owned();
    let lowest = |offer_id: &str| {
        let answer: Value = call(
            &gw,
            CROSSBORDER,
            "product.search.queryProductDetail",
            p(&[
                (
                    "offerDetailParam",
                    &format!(r#"{{"offerId":"{offer_id}"}}"#),
                ),
                ("access_token", &access),
            ]),
            DEMO_APP_SECRET,
        )
        .json()
        .unwrap();
        clean_answer(&answer, chrono::Utc::now())
            .unwrap()
            .lowest_price()
    };
    let ids: Vec<String> = (0..5)
        .map(|i| pifa_gateway::catalog::Catalog::new(1688, 300).offer_id(i))
        .collect();
    let before: Vec<_> = ids.iter().map(|id| lowest(id)).collect();
    std::thread::sleep(Duration::from_millis(250));
    let after: Vec<_> = ids.iter().map(|id| lowest(id)).collect();
    assert_ne!(before, after, "no price moved over two simulated days");
}
