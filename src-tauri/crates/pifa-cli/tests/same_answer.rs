//! The CLI and the app give the same answer for the same gateway and settings inputs: the
//! binary is driven as a script would, the application layer as the app's shell opens it.

use std::path::Path;
use std::process::{Command, Output};

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_workbench::{ConnectOptions, Workbench};

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");
const DETAIL: &str = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";

fn with_gateway_setting(dir: &Path, gateway: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let settings = serde_json::json!({ "gateway": gateway });
    std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();
}

/// `pifa-cli item OFFER` with credentials from the environment and no gateway flag.
fn cli_item(dir: &Path, offer: &str, access_token: &str) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(dir)
        .args(["item", offer, "--json"])
        .env_remove("PIFA_GATEWAY")
        .env_remove("PIFA_REFRESH_TOKEN")
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env("PIFA_ACCESS_TOKEN", access_token)
        .output()
        .unwrap()
}

fn skipped_for_pifa_gateway() -> bool {
    let set = std::env::var_os("PIFA_GATEWAY").is_some();
    if set {
        eprintln!("skipped: PIFA_GATEWAY is set for this run and outranks Settings");
    }
    set
}

#[test]
fn a_cleartext_remote_gateway_in_settings_is_refused_by_both_with_one_code() {
    if skipped_for_pifa_gateway() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    with_gateway_setting(tmp.path(), "http://gw.open.1688.com");

    let output = cli_item(tmp.path(), "624516873409", "TOPSECRET-TOKEN");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let cli_code = stderr
        .trim_end()
        .rsplit_once('[')
        .map(|(_, code)| code.trim_end_matches(']'))
        .unwrap();
    assert!(stderr.contains("Settings"), "{stderr}");
    assert!(!stderr.contains("TOPSECRET"), "{stderr}");

    let app = Workbench::open(Some(tmp.path()), ConnectOptions::app());
    let problem = app
        .account()
        .gateway_problem
        .expect("refused in the app too");
    assert_eq!(cli_code, "settings.bad_gateway");
    assert_eq!(problem.code, cli_code);
    assert!(problem.message.contains("Settings"), "{}", problem.message);
}

#[test]
fn a_gateway_chosen_in_settings_is_the_one_both_call() {
    if skipped_for_pifa_gateway() {
        return;
    }
    let gateway = spawn(
        GatewayConfig {
            offers: 100,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tokens = gateway.authorized_tokens().unwrap();
    let offer = Catalog::new(1688, 100).offer_id(7);
    let tmp = tempfile::tempdir().unwrap();
    with_gateway_setting(tmp.path(), &gateway.base_url);

    let output = cli_item(tmp.path(), &offer, &tokens.access_token);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["offers"][0]["offerId"], offer.as_str());
    assert!(gateway.gateway.calls(DETAIL) > 0);

    let app = Workbench::open(Some(tmp.path()), ConnectOptions::app());
    assert_eq!(app.account().gateway, gateway.base_url);
    assert_eq!(app.account().gateway_problem, None);
}
