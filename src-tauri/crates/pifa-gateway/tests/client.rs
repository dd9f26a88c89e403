//! Pifa's gateway client against the double over real HTTP: signing, the token lifecycle,
//! error classes and retry bounds, counted by the calls the double saw.

use std::time::{Duration, Instant};

use pifa_core::offer::clean_answer;
use pifa_core::protocol::{
    ApiError, AppCredentials, ClientConfig, GatewayClient, KeywordSearch, RetryPolicy,
};
use pifa_core::OfferId;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};

const DETAIL: &str = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";
const SEARCH: &str = "com.alibaba.fenxiao.crossborder:product.search.keywordQuery";

fn start(config: GatewayConfig) -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers: 200,
            ..config
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_total: Duration::from_secs(5),
    }
}

async fn authorized(gw: &GatewayHandle, secret: &str) -> GatewayClient {
    let mut config = ClientConfig::new(
        &gw.base_url,
        AppCredentials {
            app_key: DEMO_APP_KEY.into(),
            app_secret: secret.into(),
        },
    );
    config.retry = fast_retries();
    let client = GatewayClient::new(config).unwrap();
    let redirect = "http://127.0.0.1:9/callback";
    let code = gw.gateway.issue_code(redirect);
    // The token endpoint wants the app's real secret even when a test signs with a wrong one.
    let exchanging = GatewayClient::new(ClientConfig::new(
        &gw.base_url,
        AppCredentials {
            app_key: DEMO_APP_KEY.into(),
            app_secret: DEMO_APP_SECRET.into(),
        },
    ))
    .unwrap();
    let tokens = exchanging.exchange_code(&code, redirect).await.unwrap();
    client.set_tokens(Some(tokens)).await;
    client
}

fn offer_id(gw: &GatewayHandle, index: u64) -> OfferId {
    let _ = gw;
    OfferId::parse(&pifa_gateway::catalog::Catalog::new(1688, 200).offer_id(index)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_detail_clean_into_offers() {
    let gw = start(GatewayConfig::default());
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let search = KeywordSearch {
        page_size: 10,
        ..KeywordSearch::new("保温杯")
    };
    let page = client.search(&search).await.unwrap();
    assert!(page["result"]["result"]["totalRecords"].as_u64().unwrap() > 0);
    let detail = client.offer_detail(&offer_id(&gw, 7)).await.unwrap();
    let offer = clean_answer(&detail, chrono::Utc::now()).unwrap();
    assert_eq!(offer.offer_id, offer_id(&gw, 7));
    let missing = client
        .offer_detail(&OfferId::parse("123456789").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(missing, ApiError::NotFound(_)), "{missing:?}");
    assert_eq!(missing.code(), "gateway.not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_on_the_gateway_is_refreshed_once_and_the_call_retried() {
    // The double's clock runs 36,000 times faster: its 10-hour token dies after a real second,
    // while the client still believes it has hours left.
    let gw = start(GatewayConfig {
        clock_speed: 36_000.0,
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let before = client.tokens().await.unwrap();
    client.offer_detail(&offer_id(&gw, 1)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    client.offer_detail(&offer_id(&gw, 2)).await.unwrap();
    assert_eq!(
        gw.gateway.calls(DETAIL),
        3,
        "one call, then a 401 and its retry"
    );
    let after = client.tokens().await.unwrap();
    assert_ne!(before.access_token, after.access_token);
    assert_eq!(
        before.refresh_token, after.refresh_token,
        "a refresh keeps the refresh token"
    );

    gw.gateway.revoke_tokens();
    let revoked = client.offer_detail(&offer_id(&gw, 3)).await.unwrap_err();
    assert!(
        matches!(revoked, ApiError::NeedsAuthorization(_)),
        "{revoked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_within_bounds() {
    let gw = start(GatewayConfig {
        error_5xx_percent: 100,
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let error = client.offer_detail(&offer_id(&gw, 1)).await.unwrap_err();
    assert!(matches!(error, ApiError::Transient(_)), "{error:?}");
    assert_eq!(gw.gateway.calls(DETAIL), 4, "max_attempts in all");

    let gw = start(GatewayConfig {
        timeout_percent: 100,
        timeout_hold: Duration::from_secs(30),
        ..GatewayConfig::default()
    });
    let mut config = ClientConfig::new(
        &gw.base_url,
        AppCredentials {
            app_key: DEMO_APP_KEY.into(),
            app_secret: DEMO_APP_SECRET.into(),
        },
    );
    config.timeout = Duration::from_millis(300);
    config.retry = RetryPolicy {
        max_attempts: 10,
        max_total: Duration::from_millis(900),
        ..fast_retries()
    };
    let client = GatewayClient::new(config).unwrap();
    let code = gw.gateway.issue_code("http://127.0.0.1:9/cb");
    client
        .exchange_code(&code, "http://127.0.0.1:9/cb")
        .await
        .unwrap();
    let started = Instant::now();
    let error = client.offer_detail(&offer_id(&gw, 1)).await.unwrap_err();
    assert!(matches!(error, ApiError::Transient(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded in total time: {:?}",
        started.elapsed()
    );
    assert!(
        gw.gateway.calls(DETAIL) < 10,
        "the time bound stopped it before the attempt bound"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_and_quota_errors_are_not_retried_and_malformed_within_bounds() {
    let gw = start(GatewayConfig::default());
    let client = authorized(&gw, "not-the-secret").await;
    let error = client.offer_detail(&offer_id(&gw, 1)).await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Configuration { code, .. } if code == "gw.SignatureInvalid"),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("not-the-secret"),
        "no secret in messages: {error}"
    );
    assert_eq!(gw.gateway.calls(DETAIL), 1);

    let gw = start(GatewayConfig {
        quota: Some(1),
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    client.offer_detail(&offer_id(&gw, 1)).await.unwrap();
    let error = client.offer_detail(&offer_id(&gw, 2)).await.unwrap_err();
    assert!(matches!(error, ApiError::QuotaSpent(_)), "{error:?}");
    assert_eq!(gw.gateway.calls(DETAIL), 2);

    let gw = start(GatewayConfig {
        malformed_percent: 100,
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let error = client.search(&KeywordSearch::new("杯")).await.unwrap_err();
    assert!(matches!(error, ApiError::Malformed(_)), "{error:?}");
    // A 200 that is not JSON may be a cut-off answer, worth another try within the bounds.
    assert!((1..=4).contains(&gw.gateway.calls(SEARCH)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_waits_and_succeeds() {
    let gw = start(GatewayConfig {
        qps_limit: 1,
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let started = Instant::now();
    client.offer_detail(&offer_id(&gw, 1)).await.unwrap();
    client.offer_detail(&offer_id(&gw, 2)).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "paused for the throttle"
    );
    assert_eq!(
        gw.gateway.calls(DETAIL),
        3,
        "the second call was throttled once, then served"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_with_under_30_days_left_is_postponed() {
    let gw = start(GatewayConfig {
        refresh_ttl: Duration::from_secs(10 * 86_400),
        ..GatewayConfig::default()
    });
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let before = client.tokens().await.unwrap();
    assert!(before.may_postpone(chrono::Utc::now()));
    let after = client.refresh().await.unwrap();
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "postponeToken hands out a renewed refresh token"
    );
    // The double renews for its configured lifetime (here the same ten days, counted from now).
    assert!(after.refresh_expires_at >= before.refresh_expires_at);
    client.offer_detail(&offer_id(&gw, 1)).await.unwrap();

    // A refresh token with months left is refreshed, not postponed: it stays the same.
    let gw = start(GatewayConfig::default());
    let client = authorized(&gw, DEMO_APP_SECRET).await;
    let before = client.tokens().await.unwrap();
    let after = client.refresh().await.unwrap();
    assert_eq!(after.refresh_token, before.refresh_token);
    assert_ne!(after.access_token, before.access_token);
}
