//! `pifa-cli supplier` in demo mode with the real OS keyring (inside `.dev/with-keyring`, which
//! sets PIFA_TEST_KEYRING=1): contacts kept, shown again, never in plaintext in `pifa.db`; and
//! locked with the keyring's message when no keyring answers.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn pifa(service: &str, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--demo")
        .args(args)
        .env("PIFA_KEYRING_SERVICE", service)
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

fn database_bytes(dir: &Path) -> Vec<u8> {
    ["pifa.db", "pifa.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(dir.join(f)).ok())
        .flatten()
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn contacts_are_kept_sealed_shown_again_and_found_by_offer_or_supplier() {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return;
    }
    let service = format!("app.pifa.supplier-test-{}", std::process::id());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let found = json(pifa(&service, dir, &["--json", "search", "保温杯"]));
    let offer = found["offers"][0]["offerId"].as_str().unwrap().to_owned();
    json(pifa(&service, dir, &["--json", "item", &offer]));

    let list = json(pifa(&service, dir, &["--json", "supplier", "list"]));
    assert!(list["total"].as_u64().unwrap() >= 1, "{list}");

    let phone = "+86 137-2468-1357";
    let wechat = "wx_zhejiang_thermos_8842";
    let note = "样品保温效果好，谈好 ¥8.20/个";
    let kept = json(pifa(
        &service,
        dir,
        &[
            "--json", "supplier", "contact", &offer, "--phone", phone, "--wechat", wechat,
            "--note", note,
        ],
    ));
    assert_eq!(kept["phone"], phone);

    // By the offer and by the supplier's ID: the same supplier, the contacts opened.
    let by_offer = json(pifa(&service, dir, &["--json", "supplier", "show", &offer]));
    let id = by_offer["entry"]["supplierId"].as_str().unwrap().to_owned();
    let by_id = json(pifa(&service, dir, &["--json", "supplier", "show", &id]));
    assert_eq!(by_offer, by_id);
    assert_eq!(by_id["contacts"]["wechat"], wechat);
    assert_eq!(by_id["contacts"]["note"], note);
    assert!(by_id["offers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["offerId"] == offer.as_str()));

    // A later change keeps what it was not given; "" removes a field.
    let changed = json(pifa(
        &service,
        dir,
        &[
            "--json",
            "supplier",
            "contact",
            &id,
            "--email",
            "li@example.cn",
            "--phone",
            "",
        ],
    ));
    assert_eq!(changed["wechat"], wechat);
    assert_eq!(changed["email"], "li@example.cn");
    assert!(changed["phone"].is_null(), "{changed}");

    let text = String::from_utf8(pifa(&service, dir, &["supplier", "show", &id]).stdout).unwrap();
    assert!(text.contains(wechat) && text.contains(note), "{text}");

    let bytes = database_bytes(dir);
    assert!(
        contains(&bytes, &id),
        "the supplier's public ID is stored as is"
    );
    for secret in [phone, wechat, note, "li@example.cn", "保温效果"] {
        assert!(
            !contains(&bytes, secret),
            "{secret:?} is in pifa.db in plaintext"
        );
    }

    // Without a keyring: the page still shows, the contacts are locked with its message.
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(dir)
        .args(["--demo", "--json", "supplier", "show", &id])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/pifa-test-bus",
        )
        .env("PIFA_KEYRING_SERVICE", &service)
        .output()
        .unwrap();
    let locked = json(output);
    assert!(locked["contacts"].is_null(), "{locked}");
    assert_eq!(locked["contactsProblem"]["code"], "keyring.unavailable");
    assert!(!locked.to_string().contains(wechat));

    // Another service holds no key: locked, not an empty book and not a new key.
    let other = format!("{service}-other");
    let locked = json(pifa(&other, dir, &["--json", "supplier", "show", &id]));
    assert_eq!(locked["contactsProblem"]["code"], "contacts.locked");
    let refused = pifa(&other, dir, &["supplier", "contact", &id, "--phone", "1"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[contacts.locked]"));

    // The export: plaintext only when asked, Excel-safe.
    let out = dir.join("contacts.csv");
    json(pifa(
        &service,
        dir,
        &["--json", "supplier", "export", "-o", out.to_str().unwrap()],
    ));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with('\u{feff}') && csv.contains(wechat), "{csv}");
}

#[test]
fn an_unknown_supplier_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let output = pifa(
        "app.pifa.supplier-unknown",
        tmp.path(),
        &["supplier", "show", "login:nobody"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("[supplier.not_found]"));
}

/// `pifa-cli` without a keyring: the supplier's public data needs none.
fn pifa_without_keyring(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--demo")
        .args(args)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/pifa-test-bus",
        )
        .env("PIFA_KEYRING_SERVICE", "app.pifa.supplier-history-test")
        .output()
        .unwrap()
}

#[test]
fn show_lists_the_signals_over_time_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let found = json(pifa_without_keyring(dir, &["--json", "search", "保温杯"]));
    let offer = found["offers"][0]["offerId"].as_str().unwrap().to_owned();
    json(pifa_without_keyring(dir, &["--json", "item", &offer]));
    let first = json(pifa_without_keyring(
        dir,
        &["--json", "supplier", "show", &offer],
    ));
    assert_eq!(
        first["history"]["observations"].as_array().unwrap().len(),
        1,
        "{first}"
    );
    assert_eq!(first["history"]["changes"], serde_json::json!([]));

    // The same offer's detail answered later with other signals: 实力商家 gained or lost, and a
    // lower 48-hour pickup rate (the double's are 85% or more).
    let catalog = pifa_gateway::catalog::Catalog::new(1688, 5_000);
    let mut answer = catalog.query_product_detail(catalog.index_of(&offer).unwrap());
    let detail = answer.pointer_mut("/result/result").unwrap();
    let was_power_merchant = detail["offerIdentities"].to_string().contains("实力商家");
    detail["offerIdentities"] = if was_power_merchant {
        serde_json::json!(["诚信通"])
    } else {
        serde_json::json!(["实力商家,诚信通"])
    };
    detail["sellerDataInfo"]["collect30DayWithin48HPercent"] = "0.5".into();
    let file = dir.join("later.jsonl");
    std::fs::write(&file, format!("{answer}\n")).unwrap();
    json(pifa_without_keyring(
        dir,
        &["--json", "import", file.to_str().unwrap()],
    ));

    let shown = json(pifa_without_keyring(
        dir,
        &["--json", "supplier", "show", &offer],
    ));
    let observations = shown["history"]["observations"].as_array().unwrap();
    assert_eq!(observations.len(), 2, "{shown}");
    assert_eq!(
        observations[1]["signals"]["pickup48hRate"]["basisPoints"],
        5000
    );
    let gained_or_lost = if was_power_merchant { "lost" } else { "gained" };
    let changes = shown["history"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == gained_or_lost && c["badge"] == "powerMerchant"),
        "{changes:?}"
    );

    let text =
        String::from_utf8(pifa_without_keyring(dir, &["supplier", "show", &offer]).stdout).unwrap();
    assert!(
        text.contains("Signals over time (since ") && text.contains("2 observations"),
        "{text}"
    );
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Signals over time"))
        .skip(1)
        .take(2)
        .collect();
    let became = if was_power_merchant {
        "no longer 实力商家"
    } else {
        "became 实力商家"
    };
    assert!(
        lines[0].contains("48h pickup 50%") && lines[0].contains(became),
        "newest first: {lines:?}"
    );
    assert!(!lines[1].contains("48h pickup 50%"), "{lines:?}");
}
