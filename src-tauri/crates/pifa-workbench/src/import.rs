//! Importing answers saved as JSON lines (`pifa-cli import`), and cleaning what is stored again
//! with this version's cleaner (`pifa-cli recheck`).

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use pifa_core::store::{ReadyAnswer, RecheckReport, Store, IMPORT_GROUP};
use pifa_core::{Error, OfferId};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

/// Where the answers come from: a file, or standard input (`-` on the command line).
#[derive(Debug, Clone)]
pub enum AnswerSource {
    File(PathBuf),
    Stdin,
}

/// What an import did, line by line for what failed.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub imported: u64,
    pub new: u64,
    pub failed: u64,
    /// The first [`MAX_LISTED_ERRORS`] failed lines; `failed` counts them all.
    pub errors: Vec<LineError>,
    /// In a team: how many imported offers went to the team database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<u64>,
    /// The offers imported from detail answers: the ones a team can reuse.
    #[serde(skip)]
    details: Vec<OfferId>,
}

#[derive(Debug, Serialize)]
pub struct LineError {
    pub line: u64,
    pub code: String,
    pub message: String,
}

/// Errors listed in full; past this only counted, so a broken file cannot flood a report.
pub const MAX_LISTED_ERRORS: usize = 100;

impl Workbench {
    /// Imports answers, one per line (a keywordQuery page stands for each of its items),
    /// telling `progress` the number of the last line stored. In a team the offers are the
    /// team's: the import is refused up front while the team database cannot take them, and
    /// what was imported from details is shared at the end.
    pub async fn import_answers(
        &self,
        source: AnswerSource,
        progress: impl FnMut(u64) + Send + 'static,
    ) -> Result<ImportReport, CommandError> {
        let in_team = self.in_team();
        if in_team {
            self.check_team_writable().await?;
        }
        let workbench = self.clone();
        let mut report = run_blocking(move || {
            let input = open(&source)?;
            Ok(import(&mut *workbench.store()?, input, progress)?)
        })
        .await?;
        if in_team {
            let details = std::mem::take(&mut report.details);
            let shared = self
                .share_stored_offers(details)
                .await
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
        Ok(report)
    }

    /// The number of stored answers [`Workbench::recheck`] goes through.
    pub fn stored_answer_count(&self) -> Result<u64, CommandError> {
        Ok(self.store()?.row_count("raw_answers")?)
    }

    /// Cleans every stored answer again with this version's cleaner, telling `progress` how
    /// many are done.
    pub fn recheck(&self, progress: impl FnMut(u64)) -> Result<RecheckReport, CommandError> {
        Ok(self.store()?.recheck(progress)?)
    }
}

fn open(source: &AnswerSource) -> Result<Box<dyn BufRead + Send>, Error> {
    Ok(match source {
        AnswerSource::Stdin => Box::new(BufReader::new(io::stdin())),
        AnswerSource::File(path) => {
            let file = File::open(path).map_err(|source| Error::InputUnreadable {
                path: path.clone(),
                source,
            })?;
            Box::new(BufReader::new(file))
        }
    })
}

/// One line's part of a group: an answer cleaned and compressed, or why it could not be.
enum Pending {
    Ready(Box<ReadyAnswer>),
    Failed(Error),
}

fn import(
    store: &mut Store,
    input: Box<dyn BufRead + Send>,
    mut progress: impl FnMut(u64),
) -> pifa_core::Result<ImportReport> {
    let mut report = ImportReport::default();
    // Lines are read, cleaned and compressed on a thread of their own while the group before
    // is written (the two take about as long); each group is one transaction, so each offer is
    // whole or absent after a crash. Results are reported in line order.
    let (groups, arriving) = std::sync::mpsc::sync_channel::<(u64, Vec<(u64, Pending)>)>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || read_groups(input, groups));
        for (number, mut group) in arriving {
            store_group(store, &mut group, &mut report)?;
            progress(number);
        }
        Ok::<_, Error>(())
    })?;
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
            Err(source) => group.push((
                last,
                Pending::Failed(Error::ImportUnreadableLine { line: last, source }),
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
    let ready = |text: &str| match ReadyAnswer::new(text, now) {
        Ok(ready) => Pending::Ready(Box::new(ready)),
        Err(e) => Pending::Failed(e),
    };
    let unclean = match ReadyAnswer::new(&line, now) {
        Ok(ready) => return vec![Pending::Ready(Box::new(ready))],
        Err(e) => e,
    };
    match serde_json::from_str::<Probe>(&line) {
        Err(e) if e.is_syntax() || e.is_eof() => vec![Pending::Failed(Error::ImportNotJson {
            line: number,
            reason: e.to_string(),
        })],
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
                None => vec![Pending::Failed(unclean)],
            }
        }
        // Anything else is one answer; the cleaner said what is wrong with it.
        _ => vec![Pending::Failed(unclean)],
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
        let error = match pending {
            Pending::Failed(e) => e,
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
                Err(e) => e,
            },
        };
        report.failed += 1;
        if report.errors.len() < MAX_LISTED_ERRORS {
            // The line-level errors name their line already.
            let message = match &error {
                Error::ImportNotJson { .. } | Error::ImportUnreadableLine { .. } => {
                    error.to_string()
                }
                _ => format!("line {number}: {error}"),
            };
            report.errors.push(LineError {
                line: number,
                code: error.code().to_owned(),
                message,
            });
        }
    }
    Ok(())
}
