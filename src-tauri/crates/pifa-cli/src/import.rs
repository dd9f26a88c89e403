//! `pifa-cli import` and `pifa-cli recheck`: the workbench does the work; this shows progress
//! and prints the report.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use pifa_workbench::{AnswerSource, Workbench};

use crate::output::json;
use crate::{CliError, Outcome};

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

/// Imports answers from a file (`-`: standard input).
pub fn run(wb: &Workbench, file: &Path, as_json: bool) -> Result<Outcome, CliError> {
    let source = match file == Path::new("-") {
        true => AnswerSource::Stdin,
        false => AnswerSource::File(file.to_owned()),
    };
    let bar = progress(None);
    let shown = bar.clone();
    let report =
        crate::runtime()?.block_on(wb.import_answers(source, move |line| shown.set_position(line)));
    bar.finish_and_clear();
    let report = report?;
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

pub fn recheck(wb: &Workbench, as_json: bool) -> Result<Outcome, CliError> {
    let bar = progress(Some(wb.stored_answer_count()?));
    let report = wb.recheck(|n| bar.set_position(n))?;
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
