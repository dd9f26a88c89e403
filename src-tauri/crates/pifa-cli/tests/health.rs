//! `pifa-cli health` after a batch against a separate gateway double with injected 5xx answers,
//! throttling and latency: the recorded figures agree with what the double saw, and are that
//! gateway's alone; `--json` keys, `--check`'s exit status and the Prometheus textfile (checked
//! by a parser of the format). Demo mode with simulated faults (`--demo-faults`,
//! `PIFA_DEMO_FAULTS`), and calls kept when the process ends by `process::exit`.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig, GatewayHandle, DEMO_APP_KEY, DEMO_APP_SECRET};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");
const DETAIL: &str = "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail";
const KEYS: [&str; 6] = [
    "successRate",
    "latencyMeanMs",
    "latencyP95Ms",
    "cacheHitRate",
    "throttledToday",
    "updateLagMaxMinutes",
];

/// `pifa-cli [before…] health --json [extra…]`, with no gateway or faults from the environment.
fn health_of(data_dir: &Path, before: &[&str], extra: &[&str]) -> (Output, Value) {
    let output = Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(before)
        .args(["health", "--json"])
        .args(extra)
        .env_remove("PIFA_GATEWAY")
        .env_remove("PIFA_DEMO_FAULTS")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output, report)
}

/// The live gateway's figures (1688's, as nothing else is set).
fn health(data_dir: &Path, extra: &[&str]) -> (Output, Value) {
    health_of(data_dir, &[], extra)
}

fn batch(gateway: &GatewayHandle, data_dir: &Path, count: u64) -> Output {
    let catalog = Catalog::new(1688, 200);
    let ids: Vec<String> = (0..count).map(|i| catalog.offer_id(i)).collect();
    let file = data_dir.join("ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--gateway", &gateway.base_url, "--rate", "200", "batch"])
        .arg(&file)
        .args(["--concurrency", "8", "--json"])
        .env("PIFA_APP_KEY", DEMO_APP_KEY)
        .env("PIFA_APP_SECRET", DEMO_APP_SECRET)
        .env(
            "PIFA_REFRESH_TOKEN",
            gateway.authorized_tokens().unwrap().refresh_token.unwrap(),
        )
        .env_remove("PIFA_ACCESS_TOKEN")
        .output()
        .unwrap()
}

#[test]
fn recorded_figures_agree_with_what_the_double_saw() {
    let gateway = spawn(
        GatewayConfig {
            offers: 200,
            error_5xx_percent: 10,
            throttle_percent: 10,
            latency: std::time::Duration::from_millis(20),
            ..GatewayConfig::default()
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let refresh = gateway.authorized_tokens().unwrap().refresh_token.unwrap();
    let ran = batch(&gateway, tmp.path(), 40);
    assert!(
        ran.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );

    let prom = tmp.path().join("textfile").join("pifa.prom");
    let (output, report) = health_of(
        tmp.path(),
        &["--gateway", &gateway.base_url],
        &["--check", "--prometheus", prom.to_str().unwrap()],
    );
    // The text form, for the reader of a failure (or of `--nocapture`).
    let text = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--gateway", &gateway.base_url, "health"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    println!("{text}");
    assert!(
        text.starts_with(&format!("Health of the gateway {}", gateway.base_url)),
        "{text}"
    );
    assert_eq!(report["gateway"]["kind"], "custom", "{report}");
    assert_eq!(report["gateway"]["key"], gateway.base_url.as_str());
    // That gateway's figures are neither 1688's nor the demo gateway's.
    for before in [&[][..], &["--demo"][..]] {
        let (_, other) = health_of(tmp.path(), before, &[]);
        assert_eq!(other["calls"], 0, "{before:?}: {other}");
        assert_eq!(other["throttledToday"]["value"], 0.0, "{other}");
    }
    let seen = |fate| gateway.gateway.fates(fate);
    let detail_calls = gateway.gateway.calls(DETAIL);
    let (served, throttled, failed_5xx) = (seen("Serve"), seen("Throttled"), seen("ServerError"));
    assert_eq!(
        served + throttled + failed_5xx,
        detail_calls,
        "no other fate"
    );
    assert!(throttled > 0 && failed_5xx > 0, "the faults were met");
    // The business calls, and the one refresh of the access token before the first of them.
    assert_eq!(report["calls"], detail_calls + 1, "{report}");
    assert_eq!(
        report["throttledToday"]["value"], throttled as f64,
        "{report}"
    );
    let class = |name: &str| {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outcome"] == name)
            .map_or(0, |c| c["count"].as_u64().unwrap())
    };
    assert_eq!(class("transient"), failed_5xx, "{report}");
    assert_eq!(class("throttled"), throttled, "{report}");
    let success = report["successRate"]["value"].as_f64().unwrap();
    let expected = (served + 1) as f64 * 100.0 / (detail_calls + 1) as f64;
    assert!((success - expected).abs() < 1e-9, "{success} vs {expected}");
    // Every business answer waited 20 ms in the double; the token call did not.
    let mean = report["latencyMeanMs"]["value"].as_f64().unwrap();
    assert!(
        mean >= 20.0 * detail_calls as f64 / (detail_calls + 1) as f64,
        "{mean}"
    );
    assert!(
        report["latencyP95Ms"]["value"].as_f64().unwrap() >= 19.0,
        "{report}"
    );

    // 10% of calls failing breaches 99.5%: --check says so with status 1.
    assert_eq!(report["successRate"]["state"], "breached");
    assert_eq!(report["breached"], true);
    assert_eq!(output.status.code(), Some(1));
    for key in KEYS {
        let target = &report[key];
        for field in ["value", "threshold", "state"] {
            assert!(target.get(field).is_some(), "{key}.{field}: {report}");
        }
    }
    assert_eq!(report["successRate"]["threshold"], 99.5);
    assert_eq!(report["latencyMeanMs"]["threshold"], 500.0);
    assert_eq!(report["cacheHitRate"]["threshold"], 80.0);
    assert_eq!(report["throttledToday"]["threshold"], 10.0);
    assert_eq!(report["updateLagMaxMinutes"]["threshold"], 10.0);
    let text = report.to_string();
    for secret in [DEMO_APP_SECRET, refresh.as_str()] {
        assert!(!text.contains(secret), "a secret in the report");
    }

    let exposition = std::fs::read_to_string(&prom).unwrap();
    let samples = parse_exposition(&exposition).unwrap_or_else(|e| panic!("{e}\n{exposition}"));
    let sample = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(k2, v2)| k2 == k && v2 == v))
            })
            .map(|s| s.value)
    };
    assert_eq!(
        sample(
            "pifa_health_value",
            &[
                ("target", "throttledToday"),
                ("window", "24h"),
                ("gateway", &gateway.base_url)
            ]
        ),
        Some(throttled as f64)
    );
    assert_eq!(
        sample("pifa_health_state", &[("target", "successRate")]),
        Some(2.0)
    );
    assert_eq!(
        sample("pifa_gateway_calls", &[("outcome", "transient")]),
        Some(failed_5xx as f64)
    );
    // No value, no sample: nothing is watched.
    assert_eq!(
        sample("pifa_health_value", &[("target", "updateLagMaxMinutes")]),
        None
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&prom).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "readable by the monitoring agent");
    }
    let leftovers: Vec<_> = std::fs::read_dir(prom.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["pifa.prom"], "no temporary file left");
}

#[test]
fn nothing_measured_is_no_data_and_passes_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, report) = health(tmp.path(), &["--check", "--window", "7d"]);
    assert!(output.status.success(), "{report}");
    assert_eq!(report["window"], "7d");
    for key in KEYS {
        let expected = if key == "throttledToday" {
            "ok"
        } else {
            "noData"
        };
        assert_eq!(report[key]["state"], expected, "{key}: {report}");
    }
    assert_eq!(report["successRate"]["trend"].as_array().unwrap().len(), 7);
    let bad = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["health", "--window", "30d"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn is_name(text: &str, colons: bool) -> bool {
    let mut chars = text.chars();
    let first_ok = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
    chars.next().is_some_and(first_ok) && chars.all(|c| first_ok(c) || c.is_ascii_digit())
}

/// Prometheus' text exposition format (0.0.4), as `promtool check metrics` reads it: HELP and
/// TYPE once per family and before its samples, valid metric and label names, escaped label
/// values, a float value, no series twice.
fn parse_exposition(text: &str) -> Result<Vec<Sample>, String> {
    let mut typed: HashSet<String> = HashSet::new();
    let mut helped: HashSet<String> = HashSet::new();
    let mut series: HashSet<String> = HashSet::new();
    let mut samples = Vec::new();
    if !text.ends_with('\n') {
        return Err("the last line has no newline".into());
    }
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut parts = comment.splitn(3, ' ');
            let (kind, name, rest) = (parts.next(), parts.next(), parts.next());
            let name = name.ok_or(format!("bare comment: {line}"))?;
            if !is_name(name, true) {
                return Err(format!("bad metric name: {line}"));
            }
            match kind {
                Some("HELP") if helped.insert(name.into()) => {}
                Some("TYPE")
                    if ["counter", "gauge", "histogram", "summary", "untyped"]
                        .contains(&rest.unwrap_or_default())
                        && typed.insert(name.into()) => {}
                _ => return Err(format!("bad or repeated HELP/TYPE: {line}")),
            }
            continue;
        }
        let (series_text, value) = line.rsplit_once(' ').ok_or(format!("no value: {line}"))?;
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v.parse().map_err(|_| format!("bad value: {line}"))?,
        };
        let (name, labels) = match series_text.split_once('{') {
            None => (series_text, Vec::new()),
            Some((name, rest)) => {
                let body = rest
                    .strip_suffix('}')
                    .ok_or(format!("unclosed labels: {line}"))?;
                (
                    name,
                    parse_labels(body).map_err(|e| format!("{e}: {line}"))?,
                )
            }
        };
        if !is_name(name, true) || !typed.contains(name) {
            return Err(format!("bad or untyped metric: {line}"));
        }
        if !series.insert(series_text.to_owned()) {
            return Err(format!("series twice: {line}"));
        }
        samples.push(Sample {
            name: name.into(),
            labels,
            value,
        });
    }
    Ok(samples)
}

fn parse_labels(body: &str) -> Result<Vec<(String, String)>, String> {
    let mut labels = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").ok_or("a label without =\"")?;
        if !is_name(name, false) || name.starts_with("__") {
            return Err(format!("bad label name {name}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => return Err("bad escape".into()),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => return Err("unterminated label value".into()),
            }
        };
        labels.push((name.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    Ok(labels)
}

#[test]
fn the_parser_refuses_what_prometheus_refuses() {
    for bad in [
        "x 1\n",
        "# TYPE x gauge\nx{a=\"1} 1\n",
        "# TYPE x gauge\nx 1\nx 2\n",
        "# TYPE x gauge\nx{1a=\"v\"} 1\n",
        "# TYPE x gauge\nx one\n",
        "# TYPE x gauge\nx 1",
    ] {
        assert!(parse_exposition(bad).is_err(), "{bad:?}");
    }
    let good = "# HELP x h\n# TYPE x gauge\nx{a=\"q\\\"\\n\",b=\"\"} 1.5\nx 2\n";
    let samples = parse_exposition(good).unwrap();
    assert_eq!(samples[0].labels[0].1, "q\"\n");
}

/// Offers of the demo catalog (`pifa-gateway`'s default seed).
fn demo_ids(data_dir: &Path, count: u64) -> std::path::PathBuf {
    let catalog = Catalog::new(1688, 5_000);
    let ids: Vec<String> = (0..count).map(|i| catalog.offer_id(i)).collect();
    let file = data_dir.join("demo-ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();
    file
}

fn demo_cli(data_dir: &Path, args: &[&str], faults_variable: Option<&str>) -> Output {
    let mut command = Command::new(CLI);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--demo", "--rate", "500"])
        .args(args)
        .env_remove("PIFA_GATEWAY")
        .env_remove("PIFA_DEMO_FAULTS");
    if let Some(value) = faults_variable {
        command.env("PIFA_DEMO_FAULTS", value);
    }
    command.output().unwrap()
}

#[test]
fn demo_mode_with_simulated_faults_breaches_the_demo_figures_only() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = demo_ids(tmp.path(), 60);
    let ran = demo_cli(
        tmp.path(),
        &[
            "--demo-faults",
            "realistic",
            "batch",
            ids.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert!(
        ran.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let (output, report) = health_of(tmp.path(), &["--demo"], &["--check"]);
    assert_eq!(report["gateway"]["kind"], "demo", "{report}");
    // The report says what the double runs with now: Settings' choice, off.
    assert_eq!(report["gateway"]["simulatedFaults"], "off", "{report}");
    let calls = report["calls"].as_u64().unwrap();
    // 60 offers, a token call, and retries of the ~16% that failed.
    assert!(calls > 61, "{report}");
    let transient = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outcome"] == "transient")
        .map_or(0, |c| c["count"].as_u64().unwrap());
    assert!(transient > 0, "{report}");
    assert_eq!(report["successRate"]["state"], "breached", "{report}");
    assert_eq!(output.status.code(), Some(1), "--check fails on the breach");
    let text = demo_cli(tmp.path(), &["--demo-faults", "realistic", "health"], None);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.starts_with(
            "Health of the demo gateway (generated data, simulated faults: realistic)"
        ),
        "{text}"
    );
    // Live figures stay empty.
    let (_, live) = health(tmp.path(), &[]);
    assert_eq!(live["calls"], 0, "{live}");
    assert_eq!(live["gateway"]["kind"], "live", "{live}");

    // PIFA_DEMO_FAULTS chooses too; `off` runs clean.
    let clean = tempfile::tempdir().unwrap();
    let ids = demo_ids(clean.path(), 20);
    let ran = demo_cli(
        clean.path(),
        &["batch", ids.to_str().unwrap(), "--json"],
        Some("off"),
    );
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let (_, report) = health_of(clean.path(), &["--demo"], &[]);
    assert_eq!(report["calls"], 21, "{report}");
    assert_eq!(report["successRate"]["value"], 100.0, "{report}");
}

#[test]
fn a_fault_profile_that_does_not_exist_is_refused_by_where_it_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    let refused = |output: Output, source: &str| {
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{said}");
        assert!(
            said.contains(source) && said.contains("[settings.bad_demo_faults]"),
            "{said}"
        );
    };
    refused(
        demo_cli(
            tmp.path(),
            &["--demo-faults", "chaos", "search", "保温杯"],
            None,
        ),
        "--demo-faults: \"chaos\"",
    );
    refused(
        demo_cli(tmp.path(), &["search", "保温杯"], Some("chaos")),
        "PIFA_DEMO_FAULTS: \"chaos\"",
    );
    // Only with --demo: a live gateway is never given faults.
    let live = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--demo-faults", "realistic", "health"])
        .output()
        .unwrap();
    assert_eq!(live.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&live.stderr).contains("--demo"));
}

#[test]
fn calls_made_just_before_an_exit_from_a_closed_pipe_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    // The reader is gone before the first line: the search makes its calls, its output fails
    // with a broken pipe and the process ends by `process::exit`, skipping every destructor.
    let mut child = Command::new(CLI)
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--demo", "search", "保温杯", "--json"])
        .env_remove("PIFA_GATEWAY")
        .env_remove("PIFA_DEMO_FAULTS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, report) = health_of(tmp.path(), &["--demo"], &[]);
    // The demo authorization's token call and the search.
    assert_eq!(report["calls"], 2, "{report}");
}
