//! The log file after a whole cycle against a gateway double, logged at the most detailed
//! level: a batch with revoked and renewed tokens, a search refreshed when stale, a refresh that
//! fails, and (inside `.dev/with-keyring`) a browser login and logout. The log must say what
//! happened and hold no secret: not the app secret, no token or authorization code, no
//! `client_secret=` or `access_token=`.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::{Duration, Utc};
use pifa_core::protocol::KeywordSearch;
use pifa_core::store::Cache;
use pifa_core::DataDir;
use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");
const WRONG_SECRET: &str = "wrong-secret-5f1d";

/// The CLI with the test's environment only: nothing from the keyring or the caller's shell.
fn cli(data_dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(CLI);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("PIFA_LOG", "trace")
        .env_remove("PIFA_GATEWAY")
        .env_remove("PIFA_APP_KEY")
        .env_remove("PIFA_APP_SECRET")
        .env_remove("PIFA_ACCESS_TOKEN")
        .env_remove("PIFA_REFRESH_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Makes a cached search page two hours old, so the next search refreshes it.
fn age(data_dir: &Path, search: &KeywordSearch) {
    let cache = Cache::open_in(&DataDir::open(data_dir).unwrap()).unwrap();
    let key = search.normalized().cache_key();
    let body = cache
        .get(&key, Utc::now())
        .unwrap()
        .expect("the page is cached")
        .body;
    cache
        .put(
            &key,
            "search",
            &body,
            Utc::now() - Duration::hours(2),
            Duration::hours(1),
        )
        .unwrap();
}

/// Every uuid-shaped word (`8-4-4-4-12` hex digits): how the double's tokens and codes look.
fn uuid_like(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|word| {
            let parts: Vec<usize> = word.split('-').map(str::len).collect();
            parts == [8, 4, 4, 4, 12]
        })
        .collect()
}

#[test]
fn a_full_cycle_leaves_a_useful_log_without_a_secret() {
    // Every sixth call finds its access token revoked: the batch renews tokens on the way.
    let gateway = spawn(
        GatewayConfig {
            offers: 50,
            revoke_every: 6,
            // Far from the postpone window: a revoked access token is simply renewed.
            refresh_ttl: std::time::Duration::from_secs(365 * 86_400),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let url = gateway.base_url.as_str();
    let tokens = gateway.authorized_tokens().unwrap();
    let refresh_token = tokens.refresh_token.clone().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A refresh token alone: the first call renews the access token.
    let scripted = [
        ("PIFA_APP_KEY", DEMO_APP_KEY),
        ("PIFA_APP_SECRET", DEMO_APP_SECRET),
        ("PIFA_REFRESH_TOKEN", refresh_token.as_str()),
    ];

    let catalog = Catalog::new(1688, 50);
    let mut ids: Vec<String> = (0..8).map(|i| catalog.offer_id(i)).collect();
    ids.push("123456789".into());
    let ids_file = dir.join("ids.txt");
    std::fs::write(&ids_file, ids.join("\n")).unwrap();
    let ids_arg = ids_file.to_str().unwrap();
    let batch = cli(
        dir,
        &["--gateway", url, "batch", ids_arg, "--concurrency", "2"],
        &scripted,
        "",
    );
    assert_eq!(
        batch.status.code(),
        Some(1),
        "one offer is not found: {}",
        String::from_utf8_lossy(&batch.stderr)
    );

    let search = KeywordSearch {
        page_size: 5,
        ..KeywordSearch::new("保温杯")
    };
    let search_args = ["--gateway", url, "search", "保温杯", "--page-size", "5"];
    assert!(cli(dir, &search_args, &scripted, "").status.success());
    age(dir, &search);
    let refreshed = cli(dir, &search_args, &scripted, "");
    assert!(
        refreshed.status.success(),
        "{}",
        String::from_utf8_lossy(&refreshed.stderr)
    );
    // A stale page whose refresh fails: the app secret is wrong.
    age(dir, &search);
    let wrong = [
        ("PIFA_APP_KEY", DEMO_APP_KEY),
        ("PIFA_APP_SECRET", WRONG_SECRET),
        ("PIFA_REFRESH_TOKEN", refresh_token.as_str()),
        ("PIFA_ACCESS_TOKEN", tokens.access_token.as_str()),
    ];
    assert!(!cli(dir, &search_args, &wrong, "").status.success());

    if std::env::var("PIFA_TEST_KEYRING").as_deref() == Ok("1") {
        let service = [
            (
                "PIFA_KEYRING_SERVICE",
                &*format!("app.pifa.log-test-{}", std::process::id()),
            ),
            ("PIFA_BROWSER", "curl -s -L -o /dev/null"),
        ];
        let login = cli(
            dir,
            &[
                "--gateway",
                url,
                "auth",
                "login",
                "--app-key",
                DEMO_APP_KEY,
                "--secret-stdin",
            ],
            &service,
            &format!("{DEMO_APP_SECRET}\n"),
        );
        assert!(
            login.status.success(),
            "{}",
            String::from_utf8_lossy(&login.stderr)
        );
        let offer = catalog.offer_id(9);
        let item = cli(
            dir,
            &["--gateway", url, "item", &offer, "--refresh"],
            &service,
            "",
        );
        assert!(
            item.status.success(),
            "{}",
            String::from_utf8_lossy(&item.stderr)
        );
        let logout = cli(dir, &["auth", "logout", "--forget-app"], &service, "");
        assert!(logout.status.success());
    }

    let mut log = String::new();
    for file in std::fs::read_dir(dir.join("logs")).unwrap() {
        log += &std::fs::read_to_string(file.unwrap().path()).unwrap();
    }
    // It says what happened...
    for expected in [
        "the 1688 access token was renewed",
        "an offer of a batch failed",
        "a batch ended",
        "refreshing a stale search page failed",
        "keyword=保温杯",
        "a command failed",
    ] {
        assert!(
            log.contains(expected),
            "{expected:?} missing from the log:\n{log}"
        );
    }
    // ... and never with a secret.
    let secrets = [
        DEMO_APP_SECRET,
        WRONG_SECRET,
        &tokens.access_token,
        &refresh_token,
        "client_secret=",
        "access_token=",
        "refresh_token=",
        "_aop_signature",
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
    assert_eq!(
        uuid_like(&log),
        Vec::<&str>::new(),
        "a token or code is in the log:\n{log}"
    );
    assert_eq!(
        uuid_like("a 01234567-89ab-cdef-0123-456789abcdef b"),
        ["01234567-89ab-cdef-0123-456789abcdef"]
    );
}
