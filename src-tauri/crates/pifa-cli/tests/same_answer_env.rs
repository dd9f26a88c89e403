//! The CLI and the app read `PIFA_GATEWAY` by one rule: above the Settings choice, and a
//! cleartext remote address refused with one code. Its own test binary: the app's side reads
//! the variable from this process's environment, which no other test here shares.

use std::path::Path;
use std::process::Command;

use pifa_gateway::{DEMO_APP_KEY, DEMO_APP_SECRET};
use pifa_workbench::{ConnectOptions, Workbench};

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn with_gateway_setting(dir: &Path, gateway: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let settings = serde_json::json!({ "gateway": gateway });
    std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();
}

#[test]
fn the_environment_outranks_settings_and_a_cleartext_remote_is_refused_by_both() {
    let tmp = tempfile::tempdir().unwrap();
    // Settings name a usable gateway; the environment a cleartext remote one, which wins and
    // is refused.
    with_gateway_setting(tmp.path(), "https://gw.example.com");
    let refused = "http://gw.open.1688.com";
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["item", "624516873409", "--json"])
        .env("PIFA_GATEWAY", refused)
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env("PIFA_ACCESS_TOKEN", "TOPSECRET-TOKEN")
        .env_remove("PIFA_REFRESH_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.trim_end().ends_with("[settings.bad_gateway]"),
        "{stderr}"
    );
    assert!(stderr.contains("PIFA_GATEWAY"), "{stderr}");
    assert!(!stderr.contains("TOPSECRET"), "{stderr}");

    // The only test of this binary: nothing else reads the environment meanwhile.
    std::env::set_var("PIFA_GATEWAY", refused);
    let app = Workbench::open(Some(tmp.path()), ConnectOptions::app());
    let problem = app.account().gateway_problem.expect("refused by the app");
    assert_eq!(problem.code, "settings.bad_gateway");
    assert!(
        problem.message.contains("PIFA_GATEWAY"),
        "{}",
        problem.message
    );

    // A usable address from the environment is the one the app calls, over Settings.
    std::env::set_var("PIFA_GATEWAY", "https://gw.team.example");
    let app = Workbench::open(Some(tmp.path()), ConnectOptions::app());
    assert_eq!(app.account().gateway_problem, None);
    assert_eq!(app.account().gateway, "https://gw.team.example");
}
