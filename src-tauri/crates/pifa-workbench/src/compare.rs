//! Comparing 2–8 stored offers side by side at one quantity, refreshing them all from 1688
//! before deciding (the batch machinery: progress, failures named), and the comparison as CSV.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use pifa_core::batch::{BatchCounts, BatchItem};
use pifa_core::compare::{self, write_comparison_csv, Comparison};
use pifa_core::export::{default_export_dir, write_file, write_new};
use pifa_core::OfferId;

use crate::shortlists::free_name;
use crate::{CommandError, Workbench, BATCH_CONCURRENCY};

/// The IDs compared, each once, in the order given.
fn parse_ids(offer_ids: &[String]) -> Result<Vec<OfferId>, CommandError> {
    let mut ids: Vec<OfferId> = Vec::new();
    for id in offer_ids {
        let id = OfferId::parse(id)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    compare::check_count(ids.len())?;
    Ok(ids)
}

fn export_stem() -> String {
    format!("compare {}", chrono::Local::now().format("%Y-%m-%d"))
}

impl Workbench {
    /// Compares stored offers at `quantity`; `skus` maps an offer ID to the SKU the buyer chose
    /// (else the cheapest in stock for the order).
    pub fn compare_offers(
        &self,
        offer_ids: &[String],
        quantity: u32,
        skus: &BTreeMap<String, String>,
    ) -> Result<Comparison, CommandError> {
        let ids = parse_ids(offer_ids)?;
        // The settings file is read before the database is locked, not while it is.
        let ttls = self.ttls();
        let offers = {
            let store = self.reader()?;
            ids.iter()
                .map(|id| store.offer(id))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(compare::compare(&offers, quantity, skus, ttls, Utc::now())?)
    }

    /// Fetches every compared offer from 1688 again, whatever the age of its copy, as a batch:
    /// each result goes to `on_item` as it settles; a failure is named there, the rest still
    /// fetched. Then compare again with [`Workbench::compare_offers`].
    pub async fn refresh_compared(
        &self,
        offer_ids: &[String],
        on_item: impl FnMut(&BatchItem, &BatchCounts),
    ) -> Result<BatchCounts, CommandError> {
        let ids = parse_ids(offer_ids)?;
        let text = ids
            .iter()
            .map(OfferId::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        self.run_batch(&text, BATCH_CONCURRENCY, None, on_item)
            .await
    }

    /// What the save dialog preselects for a comparison: Downloads (else `<data>/exports`) and
    /// a free dated name.
    pub fn comparison_export_default(&self) -> Result<(PathBuf, String), CommandError> {
        let dir = default_export_dir(self.data_dir()?.path());
        let name = free_name(&dir, &export_stem());
        Ok((dir, name))
    }

    /// Writes the comparison as CSV to `path` (the user's choice), or without one to a new
    /// dated file in Downloads; returns where.
    pub fn export_comparison(
        &self,
        offer_ids: &[String],
        quantity: u32,
        skus: &BTreeMap<String, String>,
        path: Option<&Path>,
    ) -> Result<PathBuf, CommandError> {
        let comparison = self.compare_offers(offer_ids, quantity, skus)?;
        let language = self.language();
        let write = |file: &mut std::fs::File| write_comparison_csv(&comparison, language, file);
        Ok(match path {
            Some(path) => {
                write_file(path, write)?;
                path.to_owned()
            }
            None => write_new(
                &default_export_dir(self.data_dir()?.path()),
                &export_stem(),
                write,
            )?,
        })
    }
}
