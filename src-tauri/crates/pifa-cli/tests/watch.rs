//! `pifa-cli watch` against a double whose clock runs a day per second, so prices drift between
//! checks: every check is recorded, moves past the threshold raise one alert each.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn cli(gateway: &GatewayHandle, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--gateway", &gateway.base_url])
        .args(args)
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env(
            "PIFA_ACCESS_TOKEN",
            gateway.authorized_tokens().unwrap().access_token,
        )
        .output()
        .unwrap()
}

fn json(output: Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn watched_prices_are_recorded_at_each_check_and_moves_raise_alerts() {
    let gateway = spawn(
        GatewayConfig {
            offers: 50,
            clock_speed: 86_400.0,
            daily_drift_percent: 20,
            access_ttl: Duration::from_secs(10_000 * 24 * 3600),
            refresh_ttl: Duration::from_secs(20_000 * 24 * 3600),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let offers: Vec<String> = (0..3).map(|i| Catalog::new(1688, 50).offer_id(i)).collect();
    let mut item = vec!["item"];
    item.extend(offers.iter().map(String::as_str));
    item.push("--json");
    json(cli(&gateway, data, &item));

    let not_stored = cli(
        &gateway,
        data,
        &["watch", "add", "123456789", "--qty", "10"],
    );
    assert_eq!(not_stored.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_stored.stderr).contains("[offer.not_found]"));
    for offer in &offers {
        json(cli(
            &gateway,
            data,
            &[
                "watch", "add", offer, "--qty", "100", "--alert", "1", "--json",
            ],
        ));
    }

    let mut alerts = 0;
    for _ in 0..4 {
        // More than a simulated day passes between checks: a fresh drift each time.
        std::thread::sleep(Duration::from_millis(1_100));
        let report = json(cli(&gateway, data, &["watch", "check", "--all", "--json"]));
        assert_eq!(report["checked"], 3, "{report}");
        assert_eq!(report["failed"], 0, "{report}");
        alerts += report["alerts"].as_array().unwrap().len();
    }
    let watches = json(cli(&gateway, data, &["watch", "list", "--json"]));
    for watch in watches.as_array().unwrap() {
        assert!(watch["points"].as_u64().unwrap() >= 2, "{watch}");
        assert!(watch["lastCheckedAt"].is_string());
        assert_eq!(watch["lastError"], Value::Null);
    }
    let history = json(cli(
        &gateway,
        data,
        &["watch", "history", &offers[0], "--json"],
    ));
    assert_eq!(history["range"], "30d", "{history}");
    let line = &history["series"][0];
    assert_eq!(line["of"]["kind"], "quantity", "{history}");
    let prices: Vec<&str> = line["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_str().unwrap())
        .collect();
    assert!(prices.len() >= 2, "{history}");
    let yuan = |mark: &Value| mark["price"].as_str().unwrap().parse::<f64>().unwrap();
    assert!(yuan(&line["low"]) <= yuan(&line["high"]), "{history}");

    let listed = json(cli(&gateway, data, &["watch", "alerts", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), alerts);
    assert!(
        alerts > 0,
        "a 20% daily drift over four days moved some price by 1%: {history}"
    );
    for alert in listed.as_array().unwrap() {
        let (old, new) = (
            alert["oldPrice"].as_str().unwrap(),
            alert["newPrice"].as_str().unwrap(),
        );
        assert_ne!(old, new);
        assert_eq!(alert["seen"], false);
        let message = alert["message"].as_str().unwrap();
        assert!(message.contains(&format!("¥{old} to ¥{new}")), "{message}");
    }
    // Checking again without a price move raises nothing new.
    let again = json(cli(&gateway, data, &["watch", "check", "--json"]));
    assert_eq!(again["checked"], 0, "nothing is due within the hour");
    let marked = cli(&gateway, data, &["watch", "alerts", "--seen"]);
    assert!(String::from_utf8_lossy(&marked.stdout)
        .starts_with(&format!("{alerts} alerts marked seen")));
}
