//! `pifa-cli batch`: many offers at once from a file of IDs or URLs, with bounded concurrency,
//! a progress bar, Ctrl-C to stop, and one result or one error per offer.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use pifa_core::offer::{find_offer_ids, OfferId};
use pifa_core::sourcing::{self, Fetched};
use pifa_core::store::{Cache, Store};
use pifa_core::Error;
use serde::Serialize;

use crate::connect::Connection;
use crate::output::json;
use crate::{CliError, Outcome};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchResult {
    offer_id: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

#[derive(Serialize, Default)]
struct BatchReport {
    ok: u64,
    failed: u64,
    cancelled: u64,
    results: Vec<BatchResult>,
}

impl BatchReport {
    fn fail(&mut self, offer_id: &str, code: &str, message: String) {
        self.failed += 1;
        self.results.push(BatchResult {
            offer_id: offer_id.to_owned(),
            ok: false,
            title: None,
            code: Some(code.to_owned()),
            message: Some(message),
        });
    }
}

/// Offer IDs from the input, in order, once each; lines that name no offer are reported.
fn read_ids(file: &Path, report: &mut BatchReport) -> Result<Vec<OfferId>, CliError> {
    let input: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(BufReader::new(File::open(file).map_err(|source| {
            Error::InputUnreadable {
                path: file.to_owned(),
                source,
            }
        })?))
    };
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let line = line.map_err(|source| Error::InputUnreadable {
            path: file.to_owned(),
            source,
        })?;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let found = find_offer_ids(&line);
        if found.is_empty() {
            report.fail(
                &format!("line {}", index + 1),
                "offer.bad_id",
                format!("line {} names no 1688 offer: {:?}", index + 1, line.trim()),
            );
        }
        ids.extend(found.into_iter().filter(|id| seen.insert(id.clone())));
    }
    Ok(ids)
}

pub async fn run(
    conn: &Connection,
    store: &mut Store,
    cache: &Cache,
    file: &Path,
    concurrency: usize,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let mut report = BatchReport::default();
    let ids = read_ids(file, &mut report)?;
    let now = Utc::now();
    let mut to_fetch = Vec::with_capacity(ids.len());
    for id in ids {
        match store.paused_until(&id, now)? {
            Some(until) => report.fail(
                id.as_str(),
                "offer.paused",
                format!(
                    "paused until {} after repeated failures (pifa-cli paused --resume lifts it)",
                    until.with_timezone(&chrono::Local).format("%H:%M")
                ),
            ),
            None => to_fetch.push(id),
        }
    }

    let bar = ProgressBar::new(to_fetch.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} offers  {elapsed_precise}  {msg}")
            .expect("template is valid"),
    );
    if as_json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let (cancel, cancelled) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel.send(true);
        }
    });
    let mut storage_error = None;
    sourcing::fetch_many(
        Arc::clone(&conn.client),
        to_fetch,
        concurrency,
        cancelled,
        |offer_id, fetched| {
            bar.inc(1);
            let now = Utc::now();
            let outcome = match fetched {
                Fetched::Cancelled => {
                    report.cancelled += 1;
                    return;
                }
                Fetched::Answer(Ok(raw)) => {
                    sourcing::store_detail(store, cache, &offer_id, &raw, now)
                        .map_err(CliError::from)
                }
                Fetched::Answer(Err(e)) => Err(CliError::from(e)),
            };
            match outcome {
                Ok(offer) => {
                    let _ = store.clear_fetch_failures(&offer_id);
                    report.ok += 1;
                    report.results.push(BatchResult {
                        offer_id: offer_id.to_string(),
                        ok: true,
                        title: offer.title,
                        code: None,
                        message: None,
                    });
                }
                Err(e) => {
                    let serious = match &e {
                        CliError::Api(api) => api.is_serious(),
                        CliError::Core(Error::Unreadable { .. }) => true,
                        _ => false,
                    };
                    if matches!(
                        e,
                        CliError::Core(Error::StoreFull { .. } | Error::StoreReadOnly { .. })
                    ) {
                        storage_error.get_or_insert(e.to_string());
                    }
                    let mut message = e.to_string();
                    if serious {
                        if let Ok(Some(until)) =
                            store.record_fetch_failure(&offer_id, e.code(), &message, now)
                        {
                            message.push_str(&format!(
                                "; paused until {} after repeated failures",
                                until.with_timezone(&chrono::Local).format("%H:%M")
                            ));
                        }
                    }
                    report.fail(offer_id.as_str(), e.code(), message);
                }
            }
        },
    )
    .await;
    bar.finish_and_clear();

    if as_json {
        json(&report);
    } else {
        println!(
            "{} offers fetched and stored, {} failed{}.",
            report.ok,
            report.failed,
            if report.cancelled > 0 {
                format!(", {} cancelled", report.cancelled)
            } else {
                String::new()
            }
        );
        for r in report.results.iter().filter(|r| !r.ok) {
            eprintln!(
                "  {}: {} [{}]",
                r.offer_id,
                r.message.as_deref().unwrap_or(""),
                r.code.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(problem) = storage_error {
        eprintln!("pifa-cli: storing stopped working: {problem}");
    }
    Ok(if report.failed > 0 || report.cancelled > 0 {
        Outcome::SomeFailed
    } else {
        Outcome::Ok
    })
}

/// `pifa-cli paused`: the offers paused after repeated failures; `--resume` lifts the pauses.
pub fn paused(
    store: &mut Store,
    resume: &[String],
    resume_all: bool,
    as_json: bool,
) -> Result<Outcome, CliError> {
    if resume_all || !resume.is_empty() {
        let ids = resume
            .iter()
            .map(|r| OfferId::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Error::from)?;
        let lifted = store.resume_offers(&ids)?;
        if as_json {
            json(&serde_json::json!({ "resumed": lifted }));
        } else {
            println!("{lifted} offers resumed.");
        }
        return Ok(Outcome::Ok);
    }
    let paused = store.paused_offers(Utc::now())?;
    if as_json {
        json(&paused);
    } else if paused.is_empty() {
        println!("No offers are paused.");
    } else {
        for p in &paused {
            println!(
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
