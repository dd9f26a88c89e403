//! Shortlists: each action one call into the store, plus the CSV export and its file name.

use std::path::PathBuf;

use chrono::Utc;
use pifa_core::export::{
    default_export_dir, file_stem, write_file, write_new, write_shortlist_csv,
};
use pifa_core::store::{
    checked_shortlist_name, Shortlist, ShortlistPage, ShortlistQuery, ShortlistRow,
};
use pifa_core::OfferId;

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

impl Workbench {
    pub fn shortlists(&self) -> Result<Vec<Shortlist>, CommandError> {
        Ok(self.reader()?.shortlists()?)
    }

    pub fn shortlist(&self, shortlist_id: i64) -> Result<Shortlist, CommandError> {
        Ok(self.reader()?.shortlist(shortlist_id)?)
    }

    /// In a team the list is the team's (refused with `team.offline` while its database cannot
    /// be reached); else this computer's.
    pub async fn create_shortlist(&self, name: &str) -> Result<Shortlist, CommandError> {
        let name = checked_shortlist_name(name)?;
        if let Some(team) = self.team_for_change().await? {
            let id = team.db.create_shortlist(&name, &team.me).await?;
            self.sync_team().await?;
            return self.shortlist(id);
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.store()?.create_shortlist(&name, Utc::now())?)).await
    }

    pub async fn rename_shortlist(
        &self,
        shortlist_id: i64,
        name: &str,
    ) -> Result<Shortlist, CommandError> {
        let name = checked_shortlist_name(name)?;
        if let Some(team) = self.team_for_change().await? {
            team.db.rename_shortlist(shortlist_id, &name).await?;
            self.sync_team().await?;
            return self.shortlist(shortlist_id);
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.store()?.rename_shortlist(shortlist_id, &name)?)).await
    }

    /// Deletes a shortlist; its offers stay stored.
    pub async fn delete_shortlist(&self, shortlist_id: i64) -> Result<(), CommandError> {
        if let Some(team) = self.team_for_change().await? {
            team.db.delete_shortlist(shortlist_id).await?;
            self.sync_team().await?;
            return Ok(());
        }
        let workbench = self.clone();
        run_blocking(move || Ok(workbench.store()?.delete_shortlist(shortlist_id)?)).await
    }

    /// Adds a stored offer. In a team its answer is shared with the list, so every member
    /// sees the offer as this desktop stored it.
    pub async fn add_to_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &str,
    ) -> Result<Shortlist, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if let Some(team) = self.team_for_change().await? {
            let answer = {
                let (workbench, offer_id) = (self.clone(), offer_id.clone());
                run_blocking(move || Ok(workbench.reader()?.stored_answer(&offer_id)?)).await?
            }
            .ok_or_else(|| pifa_core::Error::OfferNotFound(offer_id.to_string()))?;
            team.db
                .add_to_shortlist(shortlist_id, &offer_id, &answer, &team.me)
                .await?;
            self.sync_team().await?;
            return self.shortlist(shortlist_id);
        }
        let workbench = self.clone();
        run_blocking(move || {
            Ok(workbench
                .store()?
                .add_to_shortlist(shortlist_id, &offer_id, Utc::now())?)
        })
        .await
    }

    pub async fn remove_from_shortlist(
        &self,
        shortlist_id: i64,
        offer_id: &str,
    ) -> Result<Shortlist, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if let Some(team) = self.team_for_change().await? {
            team.db
                .remove_from_shortlist(shortlist_id, &offer_id)
                .await?;
            self.sync_team().await?;
            return self.shortlist(shortlist_id);
        }
        let workbench = self.clone();
        run_blocking(move || {
            Ok(workbench
                .store()?
                .remove_from_shortlist(shortlist_id, &offer_id)?)
        })
        .await
    }

    /// Sets the note and target quantity of one offer on a shortlist.
    pub async fn set_shortlist_entry(
        &self,
        shortlist_id: i64,
        offer_id: &str,
        note: &str,
        target_qty: Option<u32>,
    ) -> Result<(), CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        if let Some(team) = self.team_for_change().await? {
            team.db
                .set_shortlist_entry(shortlist_id, &offer_id, note, target_qty)
                .await?;
            self.sync_team().await?;
            return Ok(());
        }
        let (workbench, note) = (self.clone(), note.to_owned());
        run_blocking(move || {
            Ok(workbench.store()?.set_shortlist_entry(
                shortlist_id,
                &offer_id,
                &note,
                target_qty,
            )?)
        })
        .await
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
