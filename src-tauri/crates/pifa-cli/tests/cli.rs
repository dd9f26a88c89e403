//! `pifa-cli` end to end: real processes on real database files.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use pifa_core::offer::clean_answer;
use pifa_core::store::{OfferQuery, Store};
use pifa_gateway::catalog::Catalog;
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../pifa-core/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value.to_string()
}

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn import_then_search_with_chinese_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("数据");
    let file = tmp.path().join("answers.jsonl");
    std::fs::write(
        &file,
        [
            fixture("query_product_detail.json"),
            fixture("simple_get.json"),
            fixture("keyword_query.json"),
        ]
        .join("\n"),
    )
    .unwrap();
    let report = stdout_json(&cli(&data, &["import", file.to_str().unwrap(), "--json"]));
    assert_eq!(
        (
            report["imported"].as_u64(),
            report["new"].as_u64(),
            report["failed"].as_u64()
        ),
        (Some(4), Some(4), Some(0))
    );

    let page = stdout_json(&cli(
        &data,
        &[
            "offers", "男士", "--qty", "100", "--sort", "price", "--json",
        ],
    ));
    assert_eq!(page["total"], 2);
    let first = &page["offers"][0];
    assert_eq!(first["offerId"], "624516873409", "IDs stay strings");
    assert_eq!(first["title"], "纯棉短袖T恤男士夏季宽松圆领打底衫 批发");
    assert_eq!(first["unitPrice"], "11.00");
    assert_eq!(first["total"], "1100.00");
    assert_eq!(first["supplier"]["province"], "浙江");

    let text = cli(&data, &["offers", "保温杯"]);
    let shown = String::from_utf8(text.stdout).unwrap();
    assert!(shown.contains("不锈钢保温杯 500ml 学生水杯"), "{shown}");
    assert!(shown.contains("¥17.80"), "{shown}");
}

/// `--power-merchant` and `--super-factory` find offers whatever notation 1688 used: bare codes
/// on search items (the real capture), the legend string, and Chinese words on details.
#[test]
fn badge_filters_find_offers_from_every_documented_notation() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("数据");
    let file = tmp.path().join("answers.jsonl");
    let capture: Value = serde_json::from_str(&fixture("offer_recommend_capture.json")).unwrap();
    let mut lines: Vec<String> = capture["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    lines.push(fixture("keyword_query.json"));
    lines.push(fixture("query_product_detail.json"));
    lines.push(
        serde_json::json!({"offerId": 612345678901_i64, "subject": "图例写法", "priceInfo": {"price": "3"},
            "sellerIdentities": ["super_factory-超级工厂 powerful_merchants-实力商家 tp_member-诚信通会员"]})
        .to_string(),
    );
    // Labels instead of codes.
    lines.push(
        serde_json::json!({"offerId": "612345678902", "subject": "标签写法", "priceInfo": {"price": "3"},
            "sellerIdentities": ["实力商家", "超级工厂"]})
        .to_string(),
    );
    std::fs::write(&file, lines.join("\n")).unwrap();
    let report = stdout_json(&cli(&data, &["import", file.to_str().unwrap(), "--json"]));
    assert_eq!(report["failed"].as_u64(), Some(0), "{report}");

    let ids = |flag: &str| -> Vec<String> {
        let page = stdout_json(&cli(
            &data,
            &["offers", flag, "--page-size", "50", "--json"],
        ));
        let mut ids: Vec<String> = page["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["offerId"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids("--power-merchant"),
        [
            "612345678901",
            "612345678902",
            "616242004615",
            "624516873409",
            "700000000001",
            "700000000002"
        ]
    );
    assert_eq!(
        ids("--super-factory"),
        [
            "612345678901",
            "612345678902",
            "616242004615",
            "624516873409",
            "700000000002"
        ]
    );
}

#[test]
fn stored_offers_filter_and_sort_by_service_metrics_and_survive_a_recheck() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("数据");
    let file = tmp.path().join("answers.jsonl");
    let detail: Value = serde_json::from_str(&fixture("query_product_detail.json")).unwrap();
    // A second supplier: picks up less often within 48 hours, refunds for quality less often,
    // scores lower.
    let mut other = detail.clone();
    let result = other.pointer_mut("/result/result").unwrap();
    result["offerId"] = Value::from(624516873499_i64);
    result["sellerOpenId"] = Value::from("BBBBotherSeller");
    result["companyName"] = Value::from("另一家工厂");
    let seller = &mut result["sellerDataInfo"];
    seller["collect30DayWithin48HPercent"] = Value::from("0.90");
    seller["qualityRefundWithin30Day"] = Value::from("1");
    seller["compositeServiceScore"] = Value::from("3.8");
    let lines = [
        detail.to_string(),
        other.to_string(),
        fixture("keyword_query.json"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let report = stdout_json(&cli(&data, &["import", file.to_str().unwrap(), "--json"]));
    assert_eq!(report["failed"].as_u64(), Some(0), "{report}");

    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["offers", "--page-size", "50", "--json"];
        all.extend_from_slice(args);
        let page = stdout_json(&cli(&data, &all));
        page["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["offerId"].as_str().unwrap().to_owned())
            .collect()
    };
    let check = || {
        assert_eq!(ids(&["--min-pickup", "95"]), ["624516873409"]);
        assert_eq!(ids(&["--max-refund", "1.5"]), ["624516873499"]);
        assert_eq!(
            ids(&["--min-score", "4", "--sort", "score"]),
            ["624516873409", "700000000001"]
        );
        // Offers without the figure come last.
        let by_pickup = ids(&["--sort", "pickup"]);
        assert_eq!(by_pickup[..2], ["624516873409", "624516873499"]);
        let by_refund = ids(&["--sort", "refund"]);
        assert_eq!(by_refund[..2], ["624516873499", "624516873409"]);
    };
    check();

    // The stored answers cleaned again: the same offers, the same figures.
    let rechecked = stdout_json(&cli(&data, &["recheck", "--json"]));
    assert_eq!(rechecked["checked"].as_u64(), Some(4), "{rechecked}");
    assert_eq!(rechecked["failed"].as_u64(), Some(0), "{rechecked}");
    check();
}

#[test]
fn bad_lines_are_reported_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["import", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = format!(
        "{}\n{{not json\n{{\"productInfo\":null,\"errMsg\":\"商品[1]不存在\"}}\n\n{}\n",
        fixture("simple_get.json"),
        fixture("query_product_detail.json")
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "some lines failed");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["imported"], 2);
    assert_eq!(report["failed"], 2);
    assert_eq!(report["errors"][0]["line"], 2);
    assert_eq!(report["errors"][0]["code"], "import.not_json");
    assert_eq!(report["errors"][1]["code"], "offer.unreadable");
    assert!(report["errors"][1]["message"]
        .as_str()
        .unwrap()
        .contains("不存在"));
}

#[test]
fn configuration_errors_exit_2_naming_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = cli(tmp.path(), &["import", "/nonexistent/答案.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
    let message = String::from_utf8(missing.stderr).unwrap();
    assert!(
        message.contains("/nonexistent/答案.jsonl") && message.contains("[input.unreadable]"),
        "{message}"
    );

    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let unusable = cli(&blocker.join("data"), &["offers"]);
    assert_eq!(unusable.status.code(), Some(2));
    assert!(String::from_utf8(unusable.stderr)
        .unwrap()
        .contains("[data_dir.unusable]"));

    let usage = cli(tmp.path(), &["offers", "--qty", "many"]);
    assert_eq!(usage.status.code(), Some(2));
}

fn all_offer_ids(store: &Store) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 1.. {
        let found = store
            .search_offers(&OfferQuery {
                page,
                page_size: 200,
                include_delisted: true,
                ..OfferQuery::default()
            })
            .unwrap();
        if found.offers.is_empty() {
            break;
        }
        ids.extend(found.offers.into_iter().map(|o| o.offer_id.to_string()));
    }
    ids
}

#[test]
fn sigkill_during_an_import_leaves_whole_offers_and_the_import_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let catalog = Catalog::new(3, 6_000);
    let file = tmp.path().join("answers.jsonl");
    let mut lines = String::new();
    let mut index_of = HashMap::new();
    for i in 0..catalog.len() {
        lines.push_str(&catalog.query_product_detail(i).to_string());
        lines.push('\n');
        index_of.insert(catalog.offer_id(i), i);
    }
    std::fs::write(&file, lines).unwrap();

    let mut child = Command::new(CLI)
        .arg("--data-dir")
        .arg(&data)
        .args(["import", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_millis(20));
        if let Some(status) = child.try_wait().unwrap() {
            let mut said = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut said).unwrap();
            panic!("the import ended ({status}) before it could be killed: {said}");
        }
        let stored = Store::open(data.join("pifa.db")).and_then(|s| s.offer_count());
        if matches!(stored, Ok(n) if n >= 300) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import stored fewer than 300 offers within two minutes: {stored:?}"
        );
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let store = Store::open(data.join("pifa.db")).unwrap();
    store.check_integrity().unwrap();
    let ids = all_offer_ids(&store);
    assert!(
        ids.len() < catalog.len() as usize,
        "the kill landed after the import finished: nothing was tested"
    );
    let mut delisted = 0;
    for id in &ids {
        let stored = store
            .offer(&pifa_core::OfferId::parse(id).unwrap())
            .unwrap();
        delisted += u64::from(stored.is_delisted());
        let mut expected = clean_answer(
            &catalog.query_product_detail(index_of[id]),
            stored.fetched_at,
        )
        .unwrap();
        expected.fetched_at = stored.fetched_at;
        assert_eq!(stored, expected, "offer {id} is not whole");
    }
    assert_eq!(store.row_count("raw_answers").unwrap(), ids.len() as u64);
    // A delisted offer's old prices are no price point.
    assert_eq!(
        store.row_count("price_points").unwrap(),
        ids.len() as u64 - delisted
    );
    assert_eq!(store.row_count("offer_keys").unwrap(), ids.len() as u64);
    drop(store);

    let rerun = cli(&data, &["import", file.to_str().unwrap(), "--json"]);
    let report = stdout_json(&rerun);
    assert_eq!(report["failed"], 0);
    assert_eq!(
        report["new"].as_u64().unwrap(),
        catalog.len() - ids.len() as u64
    );
    let store = Store::open(data.join("pifa.db")).unwrap();
    store.check_integrity().unwrap();
    assert_eq!(store.offer_count().unwrap(), catalog.len());
    assert_eq!(store.row_count("raw_answers").unwrap(), catalog.len());
}

#[test]
fn search_prices_agree_with_the_tier_math_across_a_generated_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = Catalog::new(11, 400);
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    for i in 0..catalog.len() {
        let raw = if i % 2 == 0 {
            catalog.query_product_detail(i)
        } else {
            catalog.simple_get(i)
        };
        store.import_answer(&raw, Utc::now()).unwrap();
    }
    for quantity in [1, 7, 50, 333, 2_000, 100_000] {
        let page = store
            .search_offers(&OfferQuery {
                quantity: Some(quantity),
                page_size: 200,
                include_delisted: true,
                ..OfferQuery::default()
            })
            .unwrap();
        assert_eq!(page.total, catalog.len());
        for summary in page.offers {
            let offer = store.offer(&summary.offer_id).unwrap();
            if offer.is_delisted() {
                assert_eq!(summary.unit_price, None, "delisted offers are never priced");
                assert_eq!(summary.delisted_status, offer.status);
                continue;
            }
            let quote = pifa_core::offer::tiers::quote_in_lots(&offer, quantity, None).unwrap();
            assert_eq!(
                summary.unit_price,
                Some(quote.unit_price),
                "{} at {quantity}",
                summary.offer_id
            );
            assert_eq!(summary.billed_qty, quote.billed_qty);
            assert_eq!(summary.basis, Some(quote.basis));
        }
    }
}

#[test]
fn shortlists_from_the_command_line_compare_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("数据");
    let file = tmp.path().join("answers.jsonl");
    std::fs::write(
        &file,
        [
            fixture("query_product_detail.json"),
            fixture("simple_get.json"),
        ]
        .join("\n"),
    )
    .unwrap();
    stdout_json(&cli(&data, &["import", file.to_str().unwrap(), "--json"]));

    stdout_json(&cli(&data, &["shortlist", "create", "夏季备货", "--json"]));
    let added = stdout_json(&cli(
        &data,
        &[
            "shortlist",
            "add",
            "夏季备货",
            "https://detail.1688.com/offer/624516873409.html",
            "655443322110",
            "--json",
        ],
    ));
    assert_eq!(added["offers"], 2);

    let shown = stdout_json(&cli(
        &data,
        &["shortlist", "show", "夏季备货", "--qty", "100", "--json"],
    ));
    let totals: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["quote"]["quote"]["total"].as_str().unwrap())
        .collect();
    assert_eq!(totals, ["1100.00", "1780.00"], "cheapest total first");

    let csv_file = tmp.path().join("比价.csv");
    let export = cli(
        &data,
        &[
            "shortlist",
            "export",
            "夏季备货",
            "-q",
            "100",
            "-o",
            csv_file.to_str().unwrap(),
        ],
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let bytes = std::fs::read(&csv_file).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.contains("纯棉短袖T恤男士夏季宽松圆领打底衫 批发"),
        "{text}"
    );

    let unknown = cli(&data, &["shortlist", "show", "没有这个"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = String::from_utf8(unknown.stderr).unwrap();
    assert!(
        message.contains("no shortlist named \"没有这个\"")
            && message.contains("[shortlist.not_found]"),
        "{message}"
    );
    let taken = cli(&data, &["shortlist", "create", "夏季备货"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("[shortlist.name_taken]"));
}

/// A data directory holding the fixture offers.
fn imported(tmp: &Path) -> std::path::PathBuf {
    let data = tmp.join("数据");
    let file = tmp.join("answers.jsonl");
    std::fs::write(
        &file,
        [
            fixture("query_product_detail.json"),
            fixture("simple_get.json"),
        ]
        .join("\n"),
    )
    .unwrap();
    stdout_json(&cli(&data, &["import", file.to_str().unwrap(), "--json"]));
    data
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported(tmp.path());
    for args in [
        &["offers", "--json"][..],
        &["offers"],
        &["shortlist", "list"],
    ] {
        // The reader is gone before the first byte, as with `| head -c 10` on a long list.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(CLI)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unreadable_settings_file_is_reset_with_one_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported(tmp.path());
    std::fs::write(data.join("settings.json"), r#"{"language":"ja"}"#).unwrap();
    let first = cli(&data, &["offers"]);
    assert!(first.status.success());
    let warning = String::from_utf8(first.stderr).unwrap();
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(
        warning.contains("warning") && warning.contains("[settings.reset]"),
        "{warning}"
    );
    assert!(warning.contains("settings.json.unreadable"), "{warning}");
    let again = cli(&data, &["offers"]);
    assert!(again.stderr.is_empty(), "reported once");
}

#[test]
fn a_corrupt_cache_is_rebuilt_and_online_commands_still_work() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported(tmp.path());
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(data.join("cache.db"), garbage).unwrap();
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(&data)
        .args(["--demo", "search", "保温杯", "--page-size", "3", "--json"])
        .env_remove("PIFA_GATEWAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("[cache.rebuilt]"), "{stderr}");
    let aside = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|name| name.starts_with("cache.db.corrupt-"))
        .count();
    assert_eq!(aside, 1);
}

#[cfg(unix)]
#[test]
fn a_second_ctrl_c_stops_a_batch_at_once() {
    use std::net::TcpListener;
    // A gateway that takes calls and never answers: in-flight calls would wait for their
    // timeouts and retries, most of a minute.
    let gateway = TcpListener::bind("127.0.0.1:0").unwrap();
    gateway.set_nonblocking(true).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ids = tmp.path().join("ids.txt");
    std::fs::write(&ids, "668800000011\n668800000012\n668800000013\n").unwrap();
    let mut child = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path().join("data"))
        .arg("--gateway")
        .arg(format!("http://{}", gateway.local_addr().unwrap()))
        .arg("batch")
        .arg(&ids)
        .env("PIFA_APP_KEY", "k")
        .env("PIFA_APP_SECRET", "s")
        .env("PIFA_ACCESS_TOKEN", "a1")
        .env_remove("PIFA_REFRESH_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    let _call = loop {
        match gateway.accept() {
            Ok(call) => break call,
            Err(_) if waited.elapsed() < Duration::from_secs(30) => {
                assert!(child.try_wait().unwrap().is_none(), "the batch ended early");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("no call reached the gateway: {e}"),
        }
    };
    let interrupt = || {
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    interrupt();
    std::thread::sleep(Duration::from_millis(500));
    // (The first Ctrl-C only stops new calls; the one in flight still waits.)
    interrupt();
    let second = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if second.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("the batch kept running after a second Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
}
