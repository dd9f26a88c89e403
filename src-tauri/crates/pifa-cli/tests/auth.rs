//! `pifa-cli auth` with the real OS keyring (inside `.dev/with-keyring`, which sets
//! PIFA_TEST_KEYRING=1) against a gateway double; and the message when no keyring answers.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn pifa(service: &str, data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("PIFA_KEYRING_SERVICE", service)
        // The "browser": follows the double's redirect back to Pifa's loopback listener.
        .env("PIFA_BROWSER", "curl -s -L -o /dev/null")
        .env_remove("PIFA_APP_KEY")
        .env_remove("PIFA_APP_SECRET")
        .env_remove("PIFA_ACCESS_TOKEN")
        .env_remove("PIFA_REFRESH_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn login_keeps_secrets_in_the_keyring_and_online_commands_use_them() {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return;
    }
    let service = format!("app.pifa.cli-test-{}", std::process::id());
    let gateway = spawn(
        GatewayConfig {
            offers: 50,
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let url = gateway.base_url.as_str();

    let login = pifa(
        &service,
        tmp.path(),
        &[
            "--gateway",
            url,
            "auth",
            "login",
            "--app-key",
            DEMO_APP_KEY,
            "--secret-stdin",
        ],
        &format!("{DEMO_APP_SECRET}\n"),
    );
    let (out, err) = (
        String::from_utf8_lossy(&login.stdout),
        String::from_utf8_lossy(&login.stderr),
    );
    assert!(login.status.success(), "{out}\n{err}");
    assert!(out.contains("authorized for app 1688001"), "{out}");
    assert!(
        !out.contains(DEMO_APP_SECRET) && !err.contains(DEMO_APP_SECRET),
        "the secret never shows"
    );

    let status = pifa(&service, tmp.path(), &["auth", "status", "--json"], "");
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        (status["appKey"].as_str(), status["authorized"].as_bool()),
        (Some(DEMO_APP_KEY), Some(true))
    );
    assert!(!status.to_string().contains(DEMO_APP_SECRET));

    let offer = Catalog::new(1688, 50).offer_id(3);
    let item = pifa(
        &service,
        tmp.path(),
        &["--gateway", url, "item", &offer, "--json"],
        "",
    );
    assert!(
        item.status.success(),
        "{}",
        String::from_utf8_lossy(&item.stderr)
    );

    let logout = pifa(&service, tmp.path(), &["auth", "logout"], "");
    assert!(logout.status.success());
    let after = pifa(
        &service,
        tmp.path(),
        &["--gateway", url, "item", &offer, "--refresh"],
        "",
    );
    assert_eq!(after.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&after.stderr).contains("[auth.not_authorized]"));

    let forget = pifa(
        &service,
        tmp.path(),
        &["auth", "logout", "--forget-app"],
        "",
    );
    assert!(forget.status.success());
    let status: Value = serde_json::from_slice(
        &pifa(&service, tmp.path(), &["auth", "status", "--json"], "").stdout,
    )
    .unwrap();
    assert_eq!(status["appKey"], Value::Null);
}

#[test]
fn no_reachable_keyring_is_a_clear_error_never_a_plaintext_fallback() {
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["auth", "status"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/pifa-test-bus",
        )
        .env("PIFA_KEYRING_SERVICE", "app.pifa.no-bus-test")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(
        message.contains("[keyring.unavailable]") && message.contains("gnome-keyring"),
        "{message}"
    );
    let files: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        files.iter().all(|f| {
            let f = f.to_string_lossy();
            f.ends_with(".db") || f.contains(".db-") || f == "logs"
        }),
        "nothing but databases (and the log) written: {files:?}"
    );
}

#[test]
fn renewed_tokens_reach_the_keyring_before_the_command_exits() {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return;
    }
    let service = format!("app.pifa.cli-test-rotate-{}", std::process::id());
    // Access tokens inside the refresh margin, refresh tokens inside the postpone window: every
    // command postpones first, which retires the refresh token it used.
    let gateway = spawn(
        GatewayConfig {
            offers: 50,
            access_ttl: std::time::Duration::from_secs(30),
            refresh_ttl: std::time::Duration::from_secs(10 * 86_400),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let url = gateway.base_url.as_str();
    let login = pifa(
        &service,
        tmp.path(),
        &[
            "--gateway",
            url,
            "auth",
            "login",
            "--app-key",
            DEMO_APP_KEY,
            "--secret-stdin",
        ],
        &format!("{DEMO_APP_SECRET}\n"),
    );
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    let offer = Catalog::new(1688, 50).offer_id(3);
    for run in 0..3 {
        let item = pifa(
            &service,
            tmp.path(),
            &["--gateway", url, "item", &offer, "--refresh", "--json"],
            "",
        );
        assert!(
            item.status.success(),
            "run {run}: the rotated refresh token was lost: {}",
            String::from_utf8_lossy(&item.stderr)
        );
    }
    pifa(
        &service,
        tmp.path(),
        &["auth", "logout", "--forget-app"],
        "",
    );
}

/// The secret typed at a terminal is not echoed (security review L8): `script` gives the CLI a
/// pseudo-terminal, and what the terminal shows is read back.
#[test]
fn a_secret_typed_at_a_terminal_is_not_shown() {
    if std::env::var_os("PIFA_TEST_KEYRING").is_none() || which("script").is_none() {
        eprintln!("skipped: needs .dev/with-keyring and util-linux's script");
        return;
    }
    let gateway = spawn(GatewayConfig::default(), "127.0.0.1:0").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let command = format!(
        "{CLI} --data-dir {} --gateway {} auth login --app-key {DEMO_APP_KEY} --secret-stdin --paste",
        tmp.path().display(),
        gateway.base_url
    );
    let mut child = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("PIFA_KEYRING_SERVICE", "pifa-test-no-echo")
        .env_remove("PIFA_APP_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let shown = shown.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
                if n == 0 {
                    break;
                }
                shown.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let wait_for = |text: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !String::from_utf8_lossy(&shown.lock().unwrap()).contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?} in {:?}",
                String::from_utf8_lossy(&shown.lock().unwrap())
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // Typed only once the prompt shows: the terminal echoes what arrives before.
    wait_for("1688 app secret:");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{DEMO_APP_SECRET}\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    // The login goes on to the authorization step: the secret was read.
    wait_for("Authorize Pifa in your browser");
    let _ = child.kill();
    let _ = child.wait();
    drop(stdin);
    let _ = reader.join();
    let shown = String::from_utf8_lossy(&shown.lock().unwrap()).into_owned();
    assert!(
        !shown.contains(DEMO_APP_SECRET),
        "the secret was shown: {shown:?}"
    );
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}
