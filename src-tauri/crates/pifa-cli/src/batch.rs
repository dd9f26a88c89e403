//! `pifa-cli batch`: many offers at once from a file of IDs or URLs, with bounded concurrency,
//! a progress bar, Ctrl-C to stop, and one result or one error per offer.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use pifa_core::batch::{BatchCounts, BatchItem, BatchStatus};
use pifa_core::Error;
use pifa_workbench::Workbench;
use serde::Serialize;

use crate::output::{json, progress_bar, stop_on_ctrl_c};
use crate::{CliError, Outcome};

#[derive(Serialize)]
struct BatchReport {
    #[serde(flatten)]
    counts: BatchCounts,
    results: Vec<BatchItem>,
}

fn read_input(file: &Path) -> Result<String, CliError> {
    let unreadable = |source| Error::InputUnreadable {
        path: file.to_owned(),
        source,
    };
    let mut text = String::new();
    if file == Path::new("-") {
        io::stdin().read_to_string(&mut text).map_err(unreadable)?;
    } else {
        File::open(file)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(unreadable)?;
    }
    Ok(text)
}

pub async fn run(
    wb: &Workbench,
    file: &Path,
    concurrency: usize,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let text = read_input(file)?;
    let bar = progress_bar(
        "{bar:40} {pos}/{len} offers  {elapsed_precise}  {msg}",
        as_json,
    );
    let cancelled = stop_on_ctrl_c();
    let mut results = Vec::new();
    let counts = wb
        .run_batch(&text, concurrency, Some(cancelled), |item, counts| {
            bar.set_length(counts.total.into());
            bar.inc(1);
            // Made once at its full length: growing it step by step copies every item again.
            if results.is_empty() {
                results.reserve_exact(counts.total as usize);
            }
            results.push(item.clone());
        })
        .await?;
    bar.finish_and_clear();

    if as_json {
        json(&BatchReport {
            counts: counts.clone(),
            results,
        });
    } else {
        outln!(
            "{} offers fetched and stored, {} failed{}.",
            counts.stored,
            counts.failed,
            if counts.cancelled > 0 {
                format!(", {} cancelled", counts.cancelled)
            } else {
                String::new()
            }
        );
        if counts.reused > 0 {
            outln!(
                "{} of them from the team's copies fetched within the cache lifetime, without a call to 1688.",
                counts.reused
            );
        }
        // Items that failed the way that stopped the batch are said once, below.
        let stop_code = counts.stopped.as_ref().map(|s| s.code.as_str());
        for item in results
            .iter()
            .filter(|r| r.status == BatchStatus::Failed && r.code.as_deref() != stop_code)
        {
            let what = match (&item.offer_id, item.line) {
                (Some(id), _) => id.clone(),
                (None, Some(line)) => format!("line {line}"),
                (None, None) => String::new(),
            };
            eprintln!(
                "  {what}: {} [{}]",
                item.message.as_deref().unwrap_or(""),
                item.code.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(stop) = counts.stopped {
        return Err(CliError::Stopped {
            message: format!(
                "the batch stopped, {} offers were not fetched: {}",
                counts.cancelled, stop.message
            ),
            code: stop.code,
        });
    }
    Ok(if counts.failed > 0 || counts.cancelled > 0 {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}

/// `pifa-cli paused`: the offers paused after repeated failures; `--resume` lifts the pauses.
pub fn paused(
    wb: &Workbench,
    resume: &[String],
    resume_all: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    if resume_all || !resume.is_empty() {
        // No IDs (with --resume-all) lifts every pause.
        let lifted = wb.resume_offers(resume)?;
        if as_json {
            json(&serde_json::json!({ "resumed": lifted }));
        } else {
            outln!("{lifted} offers resumed.");
        }
        return Ok(Outcome::Ok);
    }
    let paused = wb.paused_offers()?;
    if as_json {
        json(&paused);
    } else if paused.is_empty() {
        outln!("No offers are paused.");
    } else {
        for p in &paused {
            outln!(
                "{}  until {}  {} [{}]",
                p.offer_id,
                p.paused_until
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M"),
                p.last_message,
                p.last_code
            );
        }
    }
    Ok(Outcome::Ok)
}
