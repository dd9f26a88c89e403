//! `pifa-cli search` and `item` end to end: against the in-process demo gateway (`--demo`), and
//! against a separate double (`--gateway`) with credentials from the environment.

use std::path::Path;
use std::process::{Command, Output};

use pifa_core::store::Store;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PIFA_APP_KEY")
        .env_remove("PIFA_APP_SECRET")
        .env_remove("PIFA_GATEWAY")
        .output()
        .unwrap()
}

fn demo_id(index: u64) -> String {
    Catalog::new(
        GatewayConfig::default().seed,
        GatewayConfig::default().offers,
    )
    .offer_id(index)
}

/// A separate double with a catalog of 100 offers.
fn small_gateway() -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers: 100,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

#[test]
fn demo_search_and_items_are_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let found = cli(
        tmp.path(),
        &["--demo", "search", "保温杯", "--page-size", "5", "--json"],
    );
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let page: Value = serde_json::from_slice(&found.stdout).unwrap();
    assert!(page["total"].as_u64().unwrap() >= 5);
    assert_eq!(page["offers"].as_array().unwrap().len(), 5);
    assert!(page["offers"][0]["title"]
        .as_str()
        .unwrap()
        .contains("保温杯"));

    let url = format!("https://detail.1688.com/offer/{}.html?spm=x", demo_id(2));
    let items = cli(tmp.path(), &["--demo", "item", &demo_id(1), &url, "--json"]);
    assert!(
        items.status.success(),
        "{}",
        String::from_utf8_lossy(&items.stderr)
    );
    let items: Value = serde_json::from_slice(&items.stdout).unwrap();
    assert_eq!(items["offers"].as_array().unwrap().len(), 2);
    assert_eq!(items["offers"][1]["offerId"], demo_id(2));

    let mut stored: Vec<String> = page["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["offerId"].as_str().unwrap().to_owned())
        .collect();
    stored.extend([demo_id(1), demo_id(2)]);
    stored.sort();
    stored.dedup();
    let store = Store::open(tmp.path().join("pifa.db")).unwrap();
    assert_eq!(store.offer_count().unwrap(), stored.len() as u64);
    assert_eq!(
        store.row_count("price_points").unwrap(),
        2,
        "only detail answers record prices"
    );
}

#[test]
fn some_failed_offers_exit_1_and_name_each_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let output = cli(
        tmp.path(),
        &[
            "--demo",
            "item",
            &demo_id(3),
            "not-an-offer",
            "123456789",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["offers"].as_array().unwrap().len(), 1);
    let codes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["offer.bad_id", "gateway.not_found"]);
}

#[test]
fn missing_credentials_exit_2_and_say_what_to_set() {
    let tmp = tempfile::tempdir().unwrap();
    let output = cli(tmp.path(), &["search", "杯"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(
        message.contains("PIFA_APP_KEY")
            && message.contains("--demo")
            && message.contains("[auth.no_credentials]"),
        "{message}"
    );
}

#[test]
fn environment_credentials_against_a_separate_gateway() {
    let gateway = small_gateway();
    let tokens = gateway.authorized_tokens().unwrap();
    let offer = Catalog::new(1688, 100).offer_id(5);

    let tmp = tempfile::tempdir().unwrap();
    let run = |secret: &str, refresh_only: bool| {
        let mut command = Command::new(CLI);
        command
            .arg("--data-dir")
            .arg(tmp.path())
            .args([
                "--gateway",
                &gateway.base_url,
                "item",
                &offer,
                "--refresh",
                "--json",
            ])
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", secret)
            .env(
                "PIFA_REFRESH_TOKEN",
                tokens.refresh_token.as_deref().unwrap(),
            );
        if refresh_only {
            command.env_remove("PIFA_ACCESS_TOKEN");
        } else {
            command.env("PIFA_ACCESS_TOKEN", &tokens.access_token);
        }
        command.output().unwrap()
    };
    let ok = run(DEMO_APP_SECRET, false);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let refreshed = run(DEMO_APP_SECRET, true);
    assert!(
        refreshed.status.success(),
        "a refresh token alone is enough: {}",
        String::from_utf8_lossy(&refreshed.stderr)
    );

    let wrong = run("wrong-secret-value", false);
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        message.contains("gw.SignatureInvalid") && message.contains("[gateway.configuration]"),
        "{message}"
    );
    assert!(
        !message.contains("wrong-secret-value"),
        "the secret never shows"
    );
}

#[test]
fn a_repeated_search_is_answered_from_the_cache_until_refreshed() {
    let gateway = small_gateway();
    let tokens = gateway.authorized_tokens().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let search = |extra: &[&str]| {
        let output = Command::new(CLI)
            .arg("--data-dir")
            .arg(tmp.path())
            .args(["--gateway", &gateway.base_url, "search", "T恤", "--json"])
            .args(extra)
            .env("PIFA_APP_KEY", DEMO_APP_KEY)
            .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
            .env("PIFA_ACCESS_TOKEN", &tokens.access_token)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let calls = || {
        gateway
            .gateway
            .calls("com.alibaba.fenxiao.crossborder:product.search.keywordQuery")
    };
    let first = search(&[]);
    assert_eq!(calls(), 1);
    let again = search(&[]);
    assert_eq!(calls(), 1, "the second search came from the cache");
    assert_eq!(again["offers"], first["offers"]);
    assert_eq!(again["fetchedAt"], first["fetchedAt"]);
    search(&["--refresh"]);
    assert_eq!(calls(), 2, "--refresh asks 1688 again");
}

#[test]
fn a_gateway_that_could_leak_the_secret_is_refused_from_every_source() {
    let tmp = tempfile::tempdir().unwrap();
    for (flag, variable, source) in [
        (Some("http://localhost@evil.example"), None, "--gateway"),
        (
            Some("http://127.0.0.1.evil.example:8688"),
            None,
            "--gateway",
        ),
        (None, Some("http://gw.open.1688.com"), "PIFA_GATEWAY"),
        (
            None,
            Some("https://gw.open.1688.com/?redirect=x"),
            "PIFA_GATEWAY",
        ),
    ] {
        let mut command = Command::new(CLI);
        command.arg("--data-dir").arg(tmp.path());
        if let Some(url) = flag {
            command.args(["--gateway", url]);
        }
        match variable {
            Some(url) => command.env("PIFA_GATEWAY", url),
            None => command.env_remove("PIFA_GATEWAY"),
        };
        let output = command
            .args(["item", "624516873409"])
            .env("PIFA_APP_KEY", "k")
            .env("PIFA_APP_SECRET", "TOPSECRET")
            .env("PIFA_ACCESS_TOKEN", "a1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("[settings.bad_gateway]"), "{stderr}");
        assert!(stderr.contains(source), "{stderr}");
    }
}

#[test]
fn a_proxy_never_sees_loopback_gateway_traffic() {
    let gateway = small_gateway();
    let tokens = gateway.authorized_tokens().unwrap();
    let offer = Catalog::new(1688, 100).offer_id(5);
    // Stands in for a corporate proxy: anything it receives would be the app secret and tokens
    // in plain http.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--gateway", &gateway.base_url, "item", &offer, "--json"])
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env(
            "PIFA_REFRESH_TOKEN",
            tokens.refresh_token.as_deref().unwrap(),
        )
        .env_remove("PIFA_ACCESS_TOKEN")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        matches!(proxy.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy was contacted"
    );
}

/// 1688's own search parameters go out as 1688 names them and the double answers by them: a
/// price floor drops the cheaper offers, a dispatch filter keeps offers that promise 48 hours.
#[test]
fn search_sends_1688s_price_range_and_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let search = |extra: &[&str]| -> Value {
        let mut args = vec!["--demo", "search", "T恤", "--page-size", "50", "--json"];
        args.extend_from_slice(extra);
        let output = cli(tmp.path(), &args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let price = |offer: &Value| -> f64 {
        offer["listedPrice"]
            .as_str()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("a search item has its price: {offer}"))
    };
    let all = search(&[]);
    let mut prices: Vec<f64> = all["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(price)
        .collect();
    assert!(prices.len() >= 4, "{all}");
    prices.sort_by(f64::total_cmp);
    let (floor, ceiling) = (prices[prices.len() / 4], prices[prices.len() * 3 / 4]);

    let (low, high) = (floor.to_string(), ceiling.to_string());
    let bounded = search(&["--price-min", &low, "--price-max", &high, "--refresh"]);
    let offers = bounded["offers"].as_array().unwrap();
    assert!(!offers.is_empty(), "{bounded}");
    assert!(
        bounded["total"].as_u64() < all["total"].as_u64(),
        "{bounded}"
    );
    for offer in offers {
        let p = price(offer);
        assert!(
            (floor..=ceiling).contains(&p),
            "{p} outside {floor}..={ceiling}"
        );
    }

    let quick = search(&["--filter", "shipIn48Hours", "--refresh"]);
    assert!(quick["total"].as_u64() <= all["total"].as_u64(), "{quick}");
    for offer in quick["offers"].as_array().unwrap() {
        let hours = offer["shipping"]["dispatchHours"].as_u64();
        assert!(hours.is_some_and(|h| h <= 48), "{offer}");
    }
}
