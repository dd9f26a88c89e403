//! `pifa-cli import` and `pifa-cli recheck`.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use pifa_core::store::Store;
use pifa_core::Error;
use serde::Serialize;
use serde_json::Value;

use crate::output::json;
use crate::Outcome;

#[derive(Debug, Default, Serialize)]
struct ImportReport {
    imported: u64,
    new: u64,
    failed: u64,
    errors: Vec<LineError>,
}

#[derive(Debug, Serialize)]
struct LineError {
    line: u64,
    code: String,
    message: String,
}

/// Errors listed in full; past this only counted, so a broken file cannot flood the terminal.
const MAX_LISTED_ERRORS: usize = 100;

fn progress(total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}")
            .expect("template is valid"),
    );
    bar
}

pub fn run(store: &mut Store, file: &Path, as_json: bool) -> pifa_core::Result<Outcome> {
    let input: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let opened = File::open(file).map_err(|source| Error::InputUnreadable {
            path: file.to_owned(),
            source,
        })?;
        Box::new(BufReader::new(opened))
    };
    let bar = progress(None);
    let mut report = ImportReport::default();
    let fail = |report: &mut ImportReport, line: u64, code: &str, message: String| {
        report.failed += 1;
        if report.errors.len() < MAX_LISTED_ERRORS {
            report.errors.push(LineError {
                line,
                code: code.to_owned(),
                message,
            });
        }
    };
    for (index, line) in input.lines().enumerate() {
        let number = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                fail(
                    &mut report,
                    number,
                    "import.unreadable_line",
                    format!("cannot read line {number}: {e}"),
                );
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let raw: Value = match serde_json::from_str(&line) {
            Ok(raw) => raw,
            Err(e) => {
                fail(
                    &mut report,
                    number,
                    "import.not_json",
                    format!("line {number} is not JSON: {e}"),
                );
                continue;
            }
        };
        // A whole keywordQuery page stands for each of its items.
        let answers: Vec<&Value> =
            match raw.pointer("/result/result/data").and_then(Value::as_array) {
                Some(items) => items.iter().collect(),
                None => vec![&raw],
            };
        for answer in answers {
            match store.import_answer(answer, Utc::now()) {
                Ok((_, outcome)) => {
                    report.imported += 1;
                    report.new += u64::from(outcome.created);
                }
                // Storage failures (disk full, read-only) end the import: nothing after would land.
                Err(
                    e @ (Error::StoreFull { .. }
                    | Error::StoreReadOnly { .. }
                    | Error::Store { .. }),
                ) => {
                    bar.finish_and_clear();
                    return Err(e);
                }
                Err(e) => fail(&mut report, number, e.code(), format!("line {number}: {e}")),
            }
        }
        bar.set_position(number);
    }
    bar.finish_and_clear();
    if as_json {
        json(&report);
    } else {
        outln!(
            "Imported {} offers ({} new); {} failed.",
            report.imported,
            report.new,
            report.failed
        );
        for e in &report.errors {
            eprintln!("  {} [{}]", e.message, e.code);
        }
        if report.failed as usize > report.errors.len() {
            eprintln!(
                "  … and {} more",
                report.failed as usize - report.errors.len()
            );
        }
    }
    Ok(if report.failed > 0 {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}

pub fn recheck(store: &mut Store, as_json: bool) -> pifa_core::Result<Outcome> {
    let bar = progress(Some(store.row_count("raw_answers")?));
    let report = store.recheck(|n| bar.set_position(n))?;
    bar.finish_and_clear();
    if as_json {
        json(&report);
    } else {
        outln!(
            "Rechecked {} stored answers; {} could not be cleaned.",
            report.checked,
            report.failed
        );
    }
    Ok(if report.failed > 0 {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}
