//! Alert rules from the command line against the gateway double over HTTP: a move first stored
//! by an offer refresh or a batch is alerted without any watch check, a check against a dead
//! gateway records nothing, repeated checks in new processes raise no duplicates, and every rule
//! flag and the snooze reach the watch.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn cli_at(base_url: &str, token: &str, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--gateway", base_url])
        .args(args)
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env("PIFA_ACCESS_TOKEN", token)
        .output()
        .unwrap()
}

fn cli(gateway: &GatewayHandle, data_dir: &Path, args: &[&str]) -> Output {
    let token = gateway.authorized_tokens().unwrap().access_token;
    cli_at(&gateway.base_url, &token, data_dir, args)
}

fn json(output: Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A double whose clock runs `speed` simulated seconds per second, prices drifting up to 20% a
/// day.
fn gateway(speed: f64) -> GatewayHandle {
    spawn(
        GatewayConfig {
            offers: 50,
            clock_speed: speed,
            daily_drift_percent: 20,
            access_ttl: Duration::from_secs(10_000 * 24 * 3600),
            refresh_ttl: Duration::from_secs(20_000 * 24 * 3600),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

fn alerts_of(gateway: &GatewayHandle, data: &Path, offer: &str) -> Vec<Value> {
    let all = json(cli(gateway, data, &["watch", "alerts", "--json"]));
    all.as_array()
        .unwrap()
        .iter()
        .filter(|a| a["offerId"] == offer)
        .cloned()
        .collect()
}

fn watch_of(gateway: &GatewayHandle, data: &Path, offer: &str) -> Value {
    let all = json(cli(gateway, data, &["watch", "list", "--json"]));
    all.as_array()
        .unwrap()
        .iter()
        .find(|w| w["offerId"] == offer)
        .cloned()
        .unwrap()
}

/// Runs `fetch` a simulated day apart until it has stored a move the watch alerts on.
fn until_alerted(gateway: &GatewayHandle, data: &Path, offer: &str, fetch: &dyn Fn()) -> Value {
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(1_100));
        fetch();
        if let Some(alert) = alerts_of(gateway, data, offer).pop() {
            return alert;
        }
    }
    panic!("eight days of 20% drift never moved {offer} by 1%");
}

#[test]
fn moves_first_stored_by_a_refresh_or_a_batch_alert_and_dead_or_repeated_checks_add_nothing() {
    let fast = gateway(86_400.0);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let offers: Vec<String> = (0..2).map(|i| Catalog::new(1688, 50).offer_id(i)).collect();
    json(cli(
        &fast,
        data,
        &["item", &offers[0], &offers[1], "--json"],
    ));
    for offer in &offers {
        json(cli(
            &fast,
            data,
            &[
                "watch",
                "add",
                offer,
                "--qty",
                "100",
                "--alert",
                "1",
                "--daily-cap",
                "50",
                "--json",
            ],
        ));
    }

    // The offer page's "Refresh from 1688" is `item --refresh`: no watch check runs.
    let refreshed = until_alerted(&fast, data, &offers[0], &|| {
        json(cli(
            &fast,
            data,
            &["item", &offers[0], "--refresh", "--json"],
        ));
    });
    let ids = data.join("ids.txt");
    std::fs::write(&ids, format!("{}\n", offers[1])).unwrap();
    let batched = until_alerted(&fast, data, &offers[1], &|| {
        json(cli(
            &fast,
            data,
            &["batch", ids.to_str().unwrap(), "--json"],
        ));
    });
    for (alert, offer) in [(&refreshed, &offers[0]), (&batched, &offers[1])] {
        let kind = alert["kind"].as_str().unwrap();
        assert!(["priceDrop", "priceRise"].contains(&kind), "{alert}");
        let (old, new) = (
            alert["oldPrice"].as_str().unwrap(),
            alert["newPrice"].as_str().unwrap(),
        );
        assert_ne!(old, new);
        assert!(alert["at"].is_string());
        assert!(alert["changeBp"].as_i64().unwrap().abs() >= 100, "{alert}");
        let watch = watch_of(&fast, data, offer);
        assert_eq!(watch["lastCheckedAt"], Value::Null, "no check ran: {watch}");
        assert_eq!(watch["state"]["baselinePrice"], new, "{watch}");
    }

    // A dead gateway: every check fails, and nothing is recorded.
    let before: Vec<(Value, usize)> = offers
        .iter()
        .map(|o| {
            (
                watch_of(&fast, data, o)["points"].clone(),
                alerts_of(&fast, data, o).len(),
            )
        })
        .collect();
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let output = cli_at(&dead, "token", data, &["watch", "check", "--all", "--json"]);
    assert!(!output.status.success(), "a dead gateway is a failure");
    for (offer, (points, alerts)) in offers.iter().zip(&before) {
        assert_eq!(&watch_of(&fast, data, offer)["points"], points);
        assert_eq!(alerts_of(&fast, data, offer).len(), *alerts);
    }

    // Checks in new processes against a gateway whose day does not change: the first may
    // alert (the fast double's prices were days ahead), the ones after add nothing.
    let slow = gateway(1.0);
    let count = || {
        offers
            .iter()
            .map(|o| alerts_of(&slow, data, o).len())
            .sum::<usize>()
    };
    json(cli(&slow, data, &["watch", "check", "--all", "--json"]));
    let settled = count();
    for _ in 0..2 {
        let report = json(cli(&slow, data, &["watch", "check", "--all", "--json"]));
        assert_eq!(report["checked"], 2, "{report}");
        assert_eq!(report["alerts"], Value::Array(vec![]), "{report}");
    }
    assert_eq!(count(), settled);
}

#[test]
fn every_rule_flag_reaches_the_watch_and_snoozes_hold_and_end() {
    let double = gateway(1.0);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let catalog = Catalog::new(1688, 50);
    let ids: Vec<String> = (0..20).map(|i| catalog.offer_id(i)).collect();
    let mut item = vec!["item"];
    item.extend(ids.iter().map(String::as_str));
    item.push("--json");
    let fetched = json(cli(&double, data, &item));
    let with_sku = fetched["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| !o["skus"].as_array().unwrap().is_empty())
        .expect("some offer of twenty lists SKUs");
    let offer = with_sku["offerId"].as_str().unwrap();
    let sku = with_sku["skus"][0]["skuId"].as_str().unwrap();

    let watch = json(cli(
        &double,
        data,
        &[
            "watch",
            "add",
            offer,
            "--qty",
            "100",
            "--alert",
            "2.5",
            "--down",
            "--below",
            "9.5",
            "--sku",
            sku,
            "--tiers",
            "--delisting",
            "--daily-cap",
            "2",
            "--json",
        ],
    ));
    let rules = &watch["rules"];
    assert_eq!(rules["moves"]["threshold"]["basisPoints"], 250, "{watch}");
    assert_eq!(rules["moves"]["direction"], "down");
    assert_eq!(rules["targetPrice"], "9.50");
    assert_eq!(rules["stock"]["sku"], sku);
    assert_eq!(
        (&rules["tiers"], &rules["delisting"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert_eq!(rules["dailyCap"], 2);

    // Only some rules: no moves, any SKU.
    let watch = json(cli(
        &double,
        data,
        &[
            "watch",
            "add",
            offer,
            "--qty",
            "100",
            "--no-moves",
            "--stock",
            "--below",
            "9.5",
            "--json",
        ],
    ));
    assert_eq!(watch["rules"]["moves"], Value::Null);
    assert_eq!(watch["rules"]["stock"]["sku"], Value::Null);
    assert_eq!(watch["rules"]["dailyCap"], 5, "the default cap");
    let unknown = cli(
        &double,
        data,
        &["watch", "add", offer, "--qty", "100", "--sku", "123"],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("[watch.bad_rule]"));

    let snoozed = json(cli(
        &double,
        data,
        &["watch", "snooze", offer, "--for", "2d", "--json"],
    ));
    let until: chrono::DateTime<chrono::Utc> = snoozed["state"]["snoozedUntil"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hours = (until - chrono::Utc::now()).num_hours();
    assert!((47..=48).contains(&hours), "{snoozed}");
    let snoozed = json(cli(
        &double,
        data,
        &["watch", "snooze", offer, "--until-target", "--json"],
    ));
    assert_eq!(snoozed["state"]["snoozedUntilTarget"], true);
    assert_eq!(snoozed["state"]["snoozedUntil"], Value::Null);
    let ended = json(cli(
        &double,
        data,
        &["watch", "snooze", offer, "--off", "--json"],
    ));
    assert_eq!(ended["state"]["snoozedUntilTarget"], false);
    let bad = cli(&double, data, &["watch", "snooze", offer, "--for", "3x"]);
    assert!(!bad.status.success());
    let unwatched = cli(&double, data, &["watch", "snooze", &ids[19], "--for", "1h"]);
    let stderr = String::from_utf8_lossy(&unwatched.stderr);
    assert!(
        stderr.contains("[watch.not_found]") || offer == ids[19],
        "{stderr}"
    );

    let listed = String::from_utf8(cli(&double, data, &["watch", "list"]).stdout).unwrap();
    assert!(
        listed.contains("≤¥9.50 stock(any SKU) max 5/day"),
        "{listed}"
    );
}
