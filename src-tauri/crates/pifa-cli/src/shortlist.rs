//! `pifa-cli shortlist`: the app's shortlists on the command line, by name, with the same
//! comparison and CSV export.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use pifa_core::export::{write_file, write_shortlist_csv};
use pifa_core::offer::find_offer_ids;
use pifa_core::store::Shortlist;
use pifa_core::Error;
use pifa_workbench::Workbench;

use crate::output::{fit, json, quiet_on_broken_pipe};
use crate::{CliError, Outcome};

#[derive(Subcommand)]
pub enum ShortlistAction {
    /// Every shortlist with its number of offers.
    List,
    /// Make a new, empty shortlist.
    Create { name: String },
    /// Add stored offers (IDs or offer URLs) to a shortlist.
    Add {
        name: String,
        #[arg(required = true)]
        offers: Vec<String>,
    },
    /// Take offers off a shortlist; they stay stored.
    Remove {
        name: String,
        #[arg(required = true)]
        offers: Vec<String>,
    },
    /// Compare a shortlist's offers at a quantity, cheapest total first.
    Show {
        name: String,
        /// Price every offer at this many pieces (default: each offer's own target or MOQ).
        #[arg(long, short = 'q', value_name = "N")]
        qty: Option<u32>,
    },
    /// Write the comparison as CSV for Excel (UTF-8 with BOM, formulas neutralized).
    Export {
        name: String,
        #[arg(long, short = 'q', value_name = "N")]
        qty: Option<u32>,
        /// The file to write; `-` writes to standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },
    /// Delete a shortlist; its offers stay stored.
    Delete { name: String },
}

/// Shortlists go by name on the command line.
pub(crate) fn find(wb: &Workbench, name: &str) -> Result<Shortlist, CliError> {
    wb.shortlists()?
        .into_iter()
        .find(|s| s.name == name.trim())
        .ok_or_else(|| {
            CliError::config(
                "shortlist.not_found",
                format!(
                    "there is no shortlist named {name:?} (`pifa-cli shortlist list` shows them)"
                ),
            )
        })
}

fn offer_ids(inputs: &[String]) -> Result<Vec<pifa_core::OfferId>, CliError> {
    let mut ids = Vec::new();
    for input in inputs {
        let found = find_offer_ids(input);
        if found.is_empty() {
            return Err(Error::BadOfferId(pifa_core::offer::OfferIdError {
                input: input.clone(),
            })
            .into());
        }
        ids.extend(found);
    }
    Ok(ids)
}

pub async fn run(
    wb: &Workbench,
    action: &ShortlistAction,
    as_json: bool,
) -> Result<Outcome, CliError> {
    let report = |list: &Shortlist| {
        if as_json {
            json(list);
        } else {
            outln!("{}: {} offers", list.name, list.offers);
        }
    };
    match action {
        ShortlistAction::List => {
            let lists = wb.shortlists()?;
            if as_json {
                json(&lists);
            } else if lists.is_empty() {
                outln!("No shortlists yet (`pifa-cli shortlist create NAME` makes one).");
            } else {
                lists.iter().for_each(report);
            }
        }
        ShortlistAction::Create { name } => report(&wb.create_shortlist(name).await?),
        ShortlistAction::Add { name, offers } => {
            let list = find(wb, name)?;
            for id in offer_ids(offers)? {
                wb.add_to_shortlist(list.shortlist_id, id.as_str()).await?;
            }
            report(&wb.shortlist(list.shortlist_id)?);
        }
        ShortlistAction::Remove { name, offers } => {
            let list = find(wb, name)?;
            for id in offer_ids(offers)? {
                wb.remove_from_shortlist(list.shortlist_id, id.as_str())
                    .await?;
            }
            report(&wb.shortlist(list.shortlist_id)?);
        }
        ShortlistAction::Show { name, qty } => {
            let list = find(wb, name)?;
            let rows = wb.shortlist_rows(list.shortlist_id, *qty)?;
            if as_json {
                json(&rows);
                return Ok(Outcome::Ok);
            }
            outln!(
                "{} ({} offers), cheapest total first:",
                list.name,
                rows.len()
            );
            for (rank, row) in rows.iter().enumerate() {
                let priced = match (&row.quote.quote, &row.quote.problem) {
                    (Some(q), _) => format!("{} × ¥{} = ¥{}", q.billed_qty, q.unit_price, q.total),
                    (None, Some(problem)) => problem.text(pifa_core::Language::English),
                    (None, None) => "—".to_owned(),
                };
                outln!(
                    "{:>3}. {}  {}  {}",
                    rank + 1,
                    fit(row.offer_id.as_str(), 13),
                    fit(&priced, 30),
                    row.title.as_deref().unwrap_or("")
                );
            }
        }
        ShortlistAction::Export { name, qty, output } => {
            let list = find(wb, name)?;
            let rows = wb.shortlist_rows(list.shortlist_id, *qty)?;
            let language = wb.language();
            if output.as_os_str() == "-" {
                let mut stdout = std::io::stdout().lock();
                let written =
                    write_shortlist_csv(&rows, language, &mut stdout).and_then(|()| stdout.flush());
                quiet_on_broken_pipe(written).map_err(|source| Error::ExportUnwritable {
                    path: output.clone(),
                    source,
                })?;
            } else {
                write_file(output, |file| write_shortlist_csv(&rows, language, file))?;
                if !as_json {
                    eprintln!("{} offers written to {}", rows.len(), output.display());
                }
            }
        }
        ShortlistAction::Delete { name } => {
            let list = find(wb, name)?;
            wb.delete_shortlist(list.shortlist_id).await?;
            if !as_json {
                outln!("Deleted {}; its offers stay stored.", list.name);
            }
        }
    }
    Ok(Outcome::Ok)
}
