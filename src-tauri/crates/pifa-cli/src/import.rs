//! `pifa-cli import` and `pifa-cli recheck`.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use pifa_core::store::{ReadyAnswer, Store, IMPORT_GROUP};
use pifa_core::{Error, OfferId};
use pifa_workbench::{CommandError, Workbench};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::output::json;
use crate::{CliError, Outcome};

#[derive(Debug, Default, Serialize)]
struct ImportReport {
    imported: u64,
    new: u64,
    failed: u64,
    errors: Vec<LineError>,
    /// In a team: how many imported offers went to the team database.
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<u64>,
    /// The offers imported from detail answers: the ones a team can reuse.
    #[serde(skip)]
    details: Vec<OfferId>,
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

/// One line's part of a group: an answer cleaned and compressed, or why it could not be.
enum Pending {
    Ready(Box<ReadyAnswer>),
    Failed(String, String),
}

/// Imports answers from a file (`-`: standard input). In a team the offers are the team's:
/// the import is refused up front while the team database cannot take them, and what was
/// imported from details is shared at the end.
pub fn run(wb: &Workbench, file: &Path, as_json: bool) -> Result<Outcome, CliError> {
    let runtime = if wb.in_team() {
        let runtime = crate::runtime()?;
        runtime.block_on(wb.check_team_writable())?;
        Some(runtime)
    } else {
        None
    };
    let mut report = import(&mut *wb.store()?, file)?;
    if let Some(runtime) = runtime {
        let details = std::mem::take(&mut report.details);
        let shared = runtime
            .block_on(wb.share_stored_offers(details))
            .map_err(|e| CommandError {
                message: format!(
                    "the offers were imported on this computer but not shared with the team \
                     (importing the file again shares them): {}",
                    e.message
                ),
                ..e
            })?;
        report.shared = Some(shared as u64);
    }
    if as_json {
        json(&report);
    } else {
        outln!(
            "Imported {} offers ({} new); {} failed.",
            report.imported,
            report.new,
            report.failed
        );
        if let Some(shared) = report.shared {
            outln!("Shared {shared} with the team.");
        }
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

fn import(store: &mut Store, file: &Path) -> pifa_core::Result<ImportReport> {
    let input: Box<dyn BufRead + Send> = if file == Path::new("-") {
        Box::new(BufReader::new(io::stdin()))
    } else {
        let opened = File::open(file).map_err(|source| Error::InputUnreadable {
            path: file.to_owned(),
            source,
        })?;
        Box::new(BufReader::new(opened))
    };
    let bar = progress(None);
    let mut report = ImportReport::default();
    // Lines are read, cleaned and compressed on a thread of their own while the group before
    // is written (the two take about as long); each group is one transaction, so each offer is
    // whole or absent after a crash. Results are reported in line order.
    let (groups, arriving) = std::sync::mpsc::sync_channel::<(u64, Vec<(u64, Pending)>)>(2);
    let stored: pifa_core::Result<()> = std::thread::scope(|scope| {
        scope.spawn(move || read_groups(input, groups));
        for (number, mut group) in arriving {
            store_group(store, &mut group, &mut report)?;
            bar.set_position(number);
        }
        Ok(())
    });
    bar.finish_and_clear();
    stored?;
    Ok(report)
}

/// Reads lines into groups of answers made ready to store, each sent with the number of its
/// last line. A writer that stopped (its storage failed) ends the reading too.
fn read_groups(
    input: Box<dyn BufRead + Send>,
    groups: std::sync::mpsc::SyncSender<(u64, Vec<(u64, Pending)>)>,
) {
    let now = Utc::now();
    let mut group = Vec::with_capacity(IMPORT_GROUP);
    let mut last = 0;
    for (index, line) in input.lines().enumerate() {
        last = index as u64 + 1;
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => group.extend(answers_of(line, last, now).into_iter().map(|a| (last, a))),
            Err(e) => group.push((
                last,
                Pending::Failed(
                    "import.unreadable_line".into(),
                    format!("cannot read line {last}: {e}"),
                ),
            )),
        }
        if group.len() >= IMPORT_GROUP && groups.send((last, std::mem::take(&mut group))).is_err() {
            return;
        }
    }
    let _ = groups.send((last, group));
}

/// What a line holds: one answer, or a whole keywordQuery page, which stands for each of its
/// items. Nearly every line is one answer, cleaned in one pass over its text; only a line that
/// does not clean as one is read again, to find a page or where its JSON breaks.
fn answers_of(line: String, number: u64, now: DateTime<Utc>) -> Vec<Pending> {
    /// Just enough of an answer to tell a page, read without building the rest.
    #[derive(Deserialize)]
    struct Probe {
        result: Option<ProbeOuter>,
    }
    #[derive(Deserialize)]
    struct ProbeOuter {
        result: Option<ProbeInner>,
    }
    #[derive(Deserialize)]
    struct ProbeInner {
        data: Option<IgnoredAny>,
    }
    let failed = |e: Error| Pending::Failed(e.code().to_owned(), format!("line {number}: {e}"));
    let ready = |text: &str| match ReadyAnswer::new(text, now) {
        Ok(ready) => Pending::Ready(Box::new(ready)),
        Err(e) => failed(e),
    };
    let unclean = match ReadyAnswer::new(&line, now) {
        Ok(ready) => return vec![Pending::Ready(Box::new(ready))],
        Err(e) => e,
    };
    match serde_json::from_str::<Probe>(&line) {
        Err(e) if e.is_syntax() || e.is_eof() => vec![Pending::Failed(
            "import.not_json".into(),
            format!("line {number} is not JSON: {e}"),
        )],
        Ok(Probe {
            result:
                Some(ProbeOuter {
                    result: Some(ProbeInner { data: Some(_) }),
                }),
        }) => {
            let page: Value = serde_json::from_str(&line).expect("parsed once already");
            match page
                .pointer("/result/result/data")
                .and_then(Value::as_array)
            {
                Some(items) => items.iter().map(|item| ready(&item.to_string())).collect(),
                None => vec![failed(unclean)],
            }
        }
        // Anything else is one answer; the cleaner said what is wrong with it.
        _ => vec![failed(unclean)],
    }
}

/// Stores a group of answers in one transaction and reports each line. Storage failures (a
/// full disk, a read-only one) end the import: nothing after would land.
fn store_group(
    store: &mut Store,
    group: &mut Vec<(u64, Pending)>,
    report: &mut ImportReport,
) -> pifa_core::Result<()> {
    let ready: Vec<&ReadyAnswer> = group
        .iter()
        .filter_map(|(_, pending)| match pending {
            Pending::Ready(ready) => Some(&**ready),
            Pending::Failed(..) => None,
        })
        .collect();
    let mut stored = store.import_ready(&ready)?.into_iter();
    for (number, pending) in group.drain(..) {
        let (code, message) = match pending {
            Pending::Failed(code, message) => (code, message),
            Pending::Ready(ready) => match stored.next().expect("one result per answer") {
                Ok(outcome) => {
                    report.imported += 1;
                    report.new += u64::from(outcome.created);
                    if ready.offer.source.is_detail() {
                        report.details.push(ready.offer.offer_id);
                    }
                    continue;
                }
                Err(
                    e @ (Error::StoreFull { .. }
                    | Error::StoreReadOnly { .. }
                    | Error::Store { .. }),
                ) => return Err(e),
                Err(e) => (e.code().to_owned(), format!("line {number}: {e}")),
            },
        };
        report.failed += 1;
        if report.errors.len() < MAX_LISTED_ERRORS {
            report.errors.push(LineError {
                line: number,
                code,
                message,
            });
        }
    }
    Ok(())
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
