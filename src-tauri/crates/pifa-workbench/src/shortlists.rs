//! Shortlists: each action one call into the store, plus the CSV export and its file name.

use std::path::PathBuf;

use chrono::Utc;
use pifa_core::export::{
    default_export_dir, file_stem, write_file, write_new, write_shortlist_csv,
};
use pifa_core::store::{Shortlist, ShortlistPage, ShortlistQuery, ShortlistRow};
use pifa_core::OfferId;

use crate::{CommandError, Workbench};

impl Workbench {
    pub fn shortlists(&self) -> Result<Vec<Shortlist>, CommandError> {
        Ok(self.reader()?.shortlists()?)
    }

    pub fn shortlist(&self, shortlist_id: i64) -> Result<Shortlist, CommandError> {
        Ok(self.reader()?.shortlist(shortlist_id)?)
    }

    pub fn create_shortlist(&self, name: &str) -> Result<Shortlist, CommandError> {
        Ok(self.store()?.create_shortlist(name, Utc::now())?)
    }

    pub fn rename_shortlist(
        &self,
        shortlist_id: i64,
        name: &str,
    ) -> Result<Shortlist, CommandError> {
        Ok(self.store()?.rename_shortlist(shortlist_id, name)?)
    }

    /// Deletes a shortlist; its offers stay stored.
    pub fn delete_shortlist(&self, shortlist_id: i64) -> Result<(), CommandError> {
        Ok(self.store()?.delete_shortlist(shortlist_id)?)
    }

    pub fn add_to_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &str,
    ) -> Result<Shortlist, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self
            .store()?
            .add_to_shortlist(shortlist_id, &offer_id, Utc::now())?)
    }

    pub fn remove_from_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &str,
    ) -> Result<Shortlist, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self
            .store()?
            .remove_from_shortlist(shortlist_id, &offer_id)?)
    }

    /// Sets the note and target quantity of one offer on a shortlist.
    pub fn set_shortlist_entry(
        &self,
        shortlist_id: i64,
        offer_id: &str,
        note: &str,
        target_qty: Option<u32>,
    ) -> Result<(), CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self
            .store()?
            .set_shortlist_entry(shortlist_id, &offer_id, note, target_qty)?)
    }

    /// One page of a shortlist, compared at a quantity: cheapest total first.
    pub fn shortlist_page(&self, query: &ShortlistQuery) -> Result<ShortlistPage, CommandError> {
        Ok(self.reader()?.shortlist_page(query)?)
    }

    /// Every offer of a shortlist compared at `quantity` (else each one's target or MOQ).
    pub fn shortlist_rows(
        &self,
        shortlist_id: i64,
        quantity: Option<u32>,
    ) -> Result<Vec<ShortlistRow>, CommandError> {
        Ok(self.reader()?.shortlist_rows(shortlist_id, quantity)?)
    }

    /// The shortlists holding an offer, for the offer page.
    pub fn shortlists_of(&self, offer_id: &str) -> Result<Vec<i64>, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self.reader()?.shortlists_of(&offer_id)?)
    }

    /// Writes a shortlist's comparison as CSV into the Downloads folder (else
    /// `<data>/exports`), named after the shortlist and today, never over an existing file;
    /// returns where.
    pub fn export_shortlist(
        &self,
        shortlist_id: i64,
        quantity: Option<u32>,
    ) -> Result<PathBuf, CommandError> {
        let (shortlist, rows) = {
            let store = self.store()?;
            (
                store.shortlist(shortlist_id)?,
                store.shortlist_rows(shortlist_id, quantity)?,
            )
        };
        let dir = default_export_dir(self.data_dir()?.path());
        let stem = export_stem(&shortlist.name);
        let language = self.language();
        Ok(write_new(&dir, &stem, |file| {
            write_shortlist_csv(&rows, language, file)
        })?)
    }

    /// What the save dialog preselects for a shortlist's export: the Downloads folder (else
    /// `<data>/exports`) and a free name after the shortlist and today.
    pub fn shortlist_export_default(
        &self,
        shortlist_id: i64,
    ) -> Result<(PathBuf, String), CommandError> {
        let shortlist = self.reader()?.shortlist(shortlist_id)?;
        let dir = default_export_dir(self.data_dir()?.path());
        let name = free_name(&dir, &export_stem(&shortlist.name));
        Ok((dir, name))
    }

    /// Writes a shortlist's comparison to the file the user chose, replacing it (the dialog
    /// asked first).
    pub fn export_shortlist_to(
        &self,
        shortlist_id: i64,
        quantity: Option<u32>,
        path: &std::path::Path,
    ) -> Result<PathBuf, CommandError> {
        let rows = self.reader()?.shortlist_rows(shortlist_id, quantity)?;
        let language = self.language();
        write_file(path, |file| write_shortlist_csv(&rows, language, file))?;
        Ok(path.to_owned())
    }
}

/// `stem.csv`, else `stem (2).csv`, ...: the first name not taken in `dir` (as `write_new`
/// names files), for a save dialog to preselect.
pub(crate) fn free_name(dir: &std::path::Path, stem: &str) -> String {
    (1..)
        .map(|n| match n {
            1 => format!("{stem}.csv"),
            n => format!("{stem} ({n}).csv"),
        })
        .find(|name| !dir.join(name).exists())
        .expect("some name is free")
}

fn export_stem(name: &str) -> String {
    format!(
        "{} {}",
        file_stem(name),
        chrono::Local::now().format("%Y-%m-%d")
    )
}
