//! `pifa-cli health`: the brief's monitoring targets over 24 hours or 7 days, as text, JSON or
//! a Prometheus textfile; `--check` exits 1 when a target is breached, for cron and monitoring.
//! The figures are those of the gateway the command would connect to: `--demo`'s, else the live
//! one (`--gateway`, `PIFA_GATEWAY`, Settings, 1688's).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use pifa_core::health::{
    Direction, GatewayKind, HealthGateway, HealthReport, HealthWindow, Target, TargetKey,
    TargetState,
};
use pifa_core::metrics::Outcome as CallOutcome;
use pifa_workbench::Workbench;
use serde_json::{json, Map, Value};

use crate::output::{fit, json};
use crate::{CliError, Outcome};

#[derive(Args)]
pub struct HealthArgs {
    /// The span the figures cover: 24h or 7d.
    #[arg(long, default_value = "24h", value_parser = parse_window)]
    window: HealthWindow,
    /// Exit with status 1 when a target is breached.
    #[arg(long)]
    check: bool,
    /// Also write the figures to FILE in Prometheus' text format, replacing it whole (for
    /// node_exporter's textfile collector).
    #[arg(long, value_name = "FILE")]
    prometheus: Option<PathBuf>,
}

fn parse_window(text: &str) -> Result<HealthWindow, String> {
    HealthWindow::parse(text).ok_or_else(|| format!("`{text}` is not a window: use 24h or 7d"))
}

pub fn run(wb: &Workbench, args: &HealthArgs, as_json: bool) -> Result<Outcome, CliError> {
    let report = wb.health_report(args.window)?;
    if let Some(file) = &args.prometheus {
        write_prometheus(file, &report)?;
    }
    if as_json {
        json(&to_json(&report));
    } else {
        print_text(&report);
    }
    Ok(if args.check && report.breached() {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}

fn state_name(state: TargetState) -> &'static str {
    match state {
        TargetState::Ok => "ok",
        TargetState::Warning => "warning",
        TargetState::Breached => "breached",
        TargetState::NoData => "noData",
        TargetState::Info => "info",
    }
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::AtLeast => "atLeast",
        Direction::AtMost => "atMost",
    }
}

/// Each target under its key (`successRate`, …) with value, threshold and state; then the
/// window, the gateway covered, the calls, the error log and the cache lookups.
pub fn to_json(report: &HealthReport) -> Value {
    let mut out = Map::new();
    out.insert("window".into(), json!(report.window.as_str()));
    out.insert("gateway".into(), json!(report.gateway));
    out.insert("from".into(), json!(report.from));
    out.insert("to".into(), json!(report.to));
    out.insert("generatedAt".into(), json!(report.generated_at));
    for target in &report.targets {
        out.insert(
            target.key.as_str().into(),
            json!({
                "value": target.value,
                "threshold": target.threshold.map(|t| t.limit),
                "direction": target.threshold.map(|t| direction_name(t.direction)),
                "state": state_name(target.state),
                "trend": target.trend,
            }),
        );
    }
    out.insert("breached".into(), json!(report.breached()));
    out.insert("calls".into(), json!(report.calls));
    out.insert("watched".into(), json!(report.watched));
    out.insert("errors".into(), json!(report.errors));
    out.insert("lookups".into(), json!(report.lookups));
    Value::Object(out)
}

fn label(key: TargetKey) -> &'static str {
    match key {
        TargetKey::SuccessRate => "API call success rate",
        TargetKey::LatencyMeanMs => "Mean response time",
        TargetKey::LatencyP95Ms => "  95th percentile",
        TargetKey::CacheHitRate => "Cache hit rate (fresh)",
        TargetKey::ThrottledToday => "Rate-limit hits today",
        TargetKey::UpdateLagMaxMinutes => "Update lag, worst",
        TargetKey::UpdateLagP95Minutes => "  95th percentile",
    }
}

fn figure(key: TargetKey, value: f64) -> String {
    match key {
        TargetKey::SuccessRate | TargetKey::CacheHitRate => format!("{value:.2}%"),
        TargetKey::LatencyMeanMs | TargetKey::LatencyP95Ms => format!("{value:.0} ms"),
        TargetKey::ThrottledToday => format!("{value:.0}"),
        TargetKey::UpdateLagMaxMinutes | TargetKey::UpdateLagP95Minutes => {
            format!("{value:.1} min")
        }
    }
}

fn threshold_text(target: &Target) -> String {
    target.threshold.map_or_else(String::new, |t| {
        let sign = match t.direction {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        };
        format!("{sign} {}", figure(target.key, t.limit))
    })
}

/// The gateway the figures are of, in words.
fn gateway_text(gateway: &HealthGateway) -> String {
    match gateway.kind {
        GatewayKind::Demo => match gateway.simulated_faults {
            pifa_core::DemoFaults::Off => "the demo gateway (generated data)".to_owned(),
            faults => format!(
                "the demo gateway (generated data, simulated faults: {})",
                faults.as_str()
            ),
        },
        GatewayKind::Live => format!("live 1688 ({})", gateway.key),
        GatewayKind::Custom => format!("the gateway {}", gateway.key),
    }
}

fn print_text(report: &HealthReport) {
    outln!(
        "Health of {} over the last {} ({} calls on the wire; {} watched offers)",
        gateway_text(&report.gateway),
        report.window.as_str(),
        report.calls,
        report.watched
    );
    for target in &report.targets {
        let value = target
            .value
            .map_or_else(|| "—".to_owned(), |v| figure(target.key, v));
        let state = match target.state {
            TargetState::Info => "",
            TargetState::NoData => "no data",
            other => state_name(other),
        };
        outln!(
            "  {} {} {} {state}",
            fit(label(target.key), 24),
            fit(&value, 10),
            fit(&threshold_text(target), 12)
        );
    }
    if report.errors.is_empty() {
        outln!("No failed calls.");
    } else {
        outln!("Calls that did not end ok, by class (not_found counts as answered):");
    }
    for class in &report.errors {
        outln!("  {} {}", fit(class.outcome.as_str(), 14), class.count);
        for entry in &class.latest {
            outln!(
                "      {} {} (try {}): {}",
                entry.at.format("%Y-%m-%d %H:%M:%S UTC"),
                entry.api,
                entry.attempt,
                entry.message
            );
        }
    }
    for lookup in &report.lookups {
        outln!(
            "Cache {}: {} fresh, {} stale, {} missed",
            lookup.kind,
            lookup.fresh,
            lookup.stale,
            lookup.misses
        );
    }
}

/// A label value in Prometheus' text format: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The figures in Prometheus' text exposition format (version 0.0.4). A target with no value
/// has no sample: absent, not zero.
pub fn prometheus(report: &HealthReport) -> String {
    // Every sample names its gateway, so demo figures never merge into live series.
    let scope = format!(
        "window=\"{}\",gateway=\"{}\"",
        report.window.as_str(),
        escape(&report.gateway.key)
    );
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: &[(String, f64)]| {
        writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge").expect("writing to a String");
        for (labels, value) in samples {
            match labels.is_empty() {
                true => writeln!(out, "{name} {value}"),
                false => writeln!(out, "{name}{{{labels}}} {value}"),
            }
            .expect("writing to a String");
        }
    };
    let target_labels = |t: &Target| format!("target=\"{}\",{scope}", t.key.as_str());
    let values: Vec<(String, f64)> = report
        .targets
        .iter()
        .filter_map(|t| Some((target_labels(t), t.value?)))
        .collect();
    family(
        "pifa_health_value",
        "The figure each Pifa health target measures (percent, ms, calls or minutes).",
        &values,
    );
    let thresholds: Vec<(String, f64)> = report
        .targets
        .iter()
        .filter_map(|t| {
            let threshold = t.threshold?;
            let labels = format!(
                "{},direction=\"{}\"",
                target_labels(t),
                direction_name(threshold.direction)
            );
            Some((labels, threshold.limit))
        })
        .collect();
    family(
        "pifa_health_threshold",
        "The threshold each Pifa health target is held to.",
        &thresholds,
    );
    let states: Vec<(String, f64)> = report
        .targets
        .iter()
        .filter(|t| t.threshold.is_some())
        .map(|t| {
            let value = match t.state {
                TargetState::Breached => 2.0,
                TargetState::Warning => 1.0,
                _ => 0.0,
            };
            (target_labels(t), value)
        })
        .collect();
    family(
        "pifa_health_state",
        "0 ok or no data, 1 warning, 2 breached.",
        &states,
    );
    let answered_errors: u64 = report.errors.iter().map(|c| c.count).sum();
    let mut calls = vec![(
        format!("outcome=\"{}\",{scope}", CallOutcome::Ok.as_str()),
        report.calls.saturating_sub(answered_errors) as f64,
    )];
    calls.extend(report.errors.iter().map(|class| {
        (
            format!("outcome=\"{}\",{scope}", escape(class.outcome.as_str())),
            class.count as f64,
        )
    }));
    family(
        "pifa_gateway_calls",
        "Calls on the wire to the 1688 gateway in the window, by outcome class.",
        &calls,
    );
    let mut lookups = Vec::new();
    for counts in &report.lookups {
        for (result, count) in [
            ("fresh", counts.fresh),
            ("stale", counts.stale),
            ("miss", counts.misses),
        ] {
            lookups.push((
                format!(
                    "kind=\"{}\",result=\"{result}\",{scope}",
                    escape(&counts.kind)
                ),
                count as f64,
            ));
        }
    }
    family(
        "pifa_cache_lookups",
        "Cache lookups in the window, by kind and what they found.",
        &lookups,
    );
    family(
        "pifa_watched_offers",
        "Watched offers the update lag is measured over.",
        &[(String::new(), f64::from(report.watched))],
    );
    family(
        "pifa_health_generated_timestamp_seconds",
        "When these figures were computed (Unix time).",
        &[(String::new(), report.generated_at.timestamp() as f64)],
    );
    out
}

/// Replaces `file` whole (a temporary file renamed over it), readable by the monitoring agent:
/// the figures are no secret.
fn write_prometheus(file: &Path, report: &HealthReport) -> Result<(), CliError> {
    let text = prometheus(report);
    pifa_core::export::write_file(file, |out| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            out.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        out.write_all(text.as_bytes())
    })?;
    Ok(())
}
