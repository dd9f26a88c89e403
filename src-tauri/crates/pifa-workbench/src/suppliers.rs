//! The supplier book: suppliers' public data and stored offers, and the buyer's own contacts
//! and notes, sealed in `pifa.db` under a key kept in the OS keyring (`pifa_core::suppliers`).
//! The keyring calls block: the Tauri shell runs these methods off the async runtime.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use pifa_core::export::{default_export_dir, write_file, write_new};
use pifa_core::store::{Store, SupplierEntry, SupplierOffer};
use pifa_core::suppliers::{
    self, write_contacts_csv, ContactRow, Contacts, ContactsKey, KeySource, Keyring,
};
use pifa_core::team::TeamId;
use pifa_core::{secrets, Error, OfferId};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::team::run_blocking;
use crate::{CommandError, Workbench};

mod signals;
pub use signals::{SignalChange, SignalsHistory, SupplierBadge};

/// Suppliers a page lists at most.
pub const MAX_SUPPLIER_PAGE: u32 = 200;

/// Which suppliers to list: a text matched against name, ID, province and city.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SupplierQuery {
    pub text: Option<String>,
    /// Only suppliers the buyer keeps contacts for.
    pub with_contacts: bool,
    /// 1-based; 0 reads as 1.
    pub page: u32,
    /// 0 reads as 50.
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierPage {
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
    pub suppliers: Vec<SupplierEntry>,
}

/// One supplier as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierView {
    pub entry: SupplierEntry,
    pub offers: Vec<SupplierOffer>,
    /// The buyer's contacts, opened; `null` when they are locked (see `contactsProblem`).
    pub contacts: Option<Contacts>,
    /// Why the contacts cannot be shown: the keyring's own message (none reachable, locked)
    /// or `contacts.locked` (the key is missing or another one). Never holds a contact.
    pub contacts_problem: Option<CommandError>,
    /// Its badges, service scores and rates over time.
    pub history: SignalsHistory,
}

impl Workbench {
    /// A page of the supplier book, searched in Rust (the book is small: one row per supplier).
    pub fn suppliers(&self, query: &SupplierQuery) -> Result<SupplierPage, CommandError> {
        let entries = self.store()?.supplier_entries()?;
        let needle = query
            .text
            .as_deref()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty());
        let matching: Vec<SupplierEntry> = entries
            .into_iter()
            .filter(|e| !query.with_contacts || e.has_contacts)
            .filter(|e| needle.as_deref().is_none_or(|needle| matches(e, needle)))
            .collect();
        let page_size = match query.page_size {
            0 => 50,
            n => n.min(MAX_SUPPLIER_PAGE),
        };
        let page = query.page.max(1);
        let total = matching.len() as u32;
        let suppliers = matching
            .into_iter()
            .skip(((page - 1) * page_size) as usize)
            .take(page_size as usize)
            .collect();
        Ok(SupplierPage {
            total,
            page,
            page_size,
            suppliers,
        })
    }

    /// A supplier's page: public data, stored offers and the buyer's contacts. `supplier` is
    /// a supplier ID or any stored offer ID (or 1688 link) of that supplier. Locked contacts
    /// still show the rest.
    pub fn supplier(&self, supplier: &str) -> Result<SupplierView, CommandError> {
        self.supplier_with(supplier, &self.contacts_keys())
    }

    pub(crate) fn supplier_with(
        &self,
        supplier: &str,
        keys: &dyn KeySource,
    ) -> Result<SupplierView, CommandError> {
        let store = self.store()?;
        let entry = resolve(&store, supplier)?;
        let offers = store.supplier_offers(&entry.supplier_id)?;
        let history = SignalsHistory::of(store.supplier_history(&entry.supplier_id, None)?);
        let (contacts, contacts_problem) = match suppliers::read(&store, keys, &entry.supplier_id) {
            Ok(contacts) => (Some(contacts), None),
            Err(e) => (None, Some(CommandError::from(e))),
        };
        Ok(SupplierView {
            entry,
            offers,
            contacts,
            contacts_problem,
            history,
        })
    }

    /// Replaces a supplier's contacts with `contacts` (empty fields are removed); returns them
    /// as stored. In a team, the book is the team's: sealed here with the team key, then
    /// shared (refused with `team.offline` while the team database cannot be reached).
    pub async fn set_supplier_contacts(
        &self,
        supplier: &str,
        contacts: &Contacts,
    ) -> Result<Contacts, CommandError> {
        if let Some(team) = self.team_for_change().await? {
            let (workbench, supplier, sealing) =
                (self.clone(), supplier.to_owned(), contacts.clone());
            let (supplier_id, sealed) = run_blocking(move || {
                let keys = workbench.contacts_keys();
                let store = workbench.store()?;
                let entry = resolve(&store, &supplier)?;
                let sealed = suppliers::seal(&store, &keys, &entry.supplier_id, &sealing)?;
                Ok((entry.supplier_id, sealed))
            })
            .await?;
            team.db
                .replace_supplier_contacts(&supplier_id, &sealed, &team.me)
                .await?;
            self.sync_team().await?;
            return Ok(contacts.clone().normalized());
        }
        let (workbench, supplier, contacts) = (self.clone(), supplier.to_owned(), contacts.clone());
        run_blocking(move || {
            workbench.set_supplier_contacts_with(&supplier, &contacts, &workbench.contacts_keys())
        })
        .await
    }

    pub(crate) fn set_supplier_contacts_with(
        &self,
        supplier: &str,
        contacts: &Contacts,
        keys: &dyn KeySource,
    ) -> Result<Contacts, CommandError> {
        let mut store = self.store()?;
        let entry = resolve(&store, supplier)?;
        suppliers::write(&mut store, keys, &entry.supplier_id, contacts)?;
        Ok(contacts.clone().normalized())
    }

    /// Changes only the fields given, keeping the others: `pifa-cli supplier contact --phone`.
    pub async fn update_supplier_contacts(
        &self,
        supplier: &str,
        changes: Contacts,
    ) -> Result<Contacts, CommandError> {
        let current = {
            let (workbench, supplier) = (self.clone(), supplier.to_owned());
            run_blocking(move || {
                let keys = workbench.contacts_keys();
                let store = workbench.store()?;
                let entry = resolve(&store, &supplier)?;
                Ok(suppliers::read(&store, &keys, &entry.supplier_id)?)
            })
            .await?
        };
        self.set_supplier_contacts(supplier, &current.updated_with(changes))
            .await
    }

    /// Where contacts keys come from: the team key in a team (every member seals and opens the
    /// team's book with it), else this computer's own key in the keyring. Reads the keyring
    /// now, before any store is locked.
    fn contacts_keys(&self) -> Preloaded {
        match self.settings().team {
            Some(joined) => Preloaded::team(&joined.team_id),
            None => Preloaded::read(),
        }
    }

    /// Where the contacts export goes unless the user chooses: the Downloads folder (else
    /// `<data>/exports`) and a dated name.
    pub fn contacts_export_default(&self) -> Result<(PathBuf, String), CommandError> {
        let dir = default_export_dir(self.data_dir()?.path());
        let name = crate::shortlists::free_name(&dir, &contacts_stem());
        Ok((dir, name))
    }

    /// Writes every supplier's contacts as a plaintext CSV, only when the user asks: to `path`
    /// (replacing it), else a new file in the default folder. Returns where.
    pub fn export_supplier_contacts(&self, path: Option<&Path>) -> Result<PathBuf, CommandError> {
        let rows = self.contact_rows(&self.contacts_keys())?;
        let language = self.language();
        let write = |file: &mut std::fs::File| write_contacts_csv(&rows, language, file);
        Ok(match path {
            Some(path) => {
                write_file(path, write)?;
                path.to_owned()
            }
            None => {
                let (dir, _) = self.contacts_export_default()?;
                write_new(&dir, &contacts_stem(), write)?
            }
        })
    }

    /// Every supplier with contacts, opened, with its name.
    fn contact_rows(&self, keys: &dyn KeySource) -> Result<Vec<ContactRow>, CommandError> {
        let store = self.store()?;
        let mut rows = Vec::new();
        for id in store.suppliers_with_contacts()? {
            let name = store.supplier_entry(&id)?.and_then(|e| e.supplier.name);
            let contacts = suppliers::read(&store, keys, &id)?;
            rows.push(ContactRow {
                supplier_id: id,
                name,
                contacts,
            });
        }
        Ok(rows)
    }
}

/// The keyring's answer, asked before the store is locked: a keyring that waits for the user
/// to unlock it must not hold up every other action. Asked again only if needed twice.
/// In a team, the second part loads the team key again.
type TeamKeyLoad = Box<dyn Fn() -> pifa_core::Result<Option<ContactsKey>> + Send>;
struct Preloaded(
    RefCell<Option<pifa_core::Result<Option<ContactsKey>>>>,
    Option<TeamKeyLoad>,
);

impl Preloaded {
    fn read() -> Preloaded {
        Preloaded(RefCell::new(Some(Keyring.load())), None)
    }

    /// The team key as the contacts key. It is never made here: `team init` made it, and a
    /// member without it in the keyring joins again with the team code.
    fn team(team_id: &str) -> Preloaded {
        let team_id = TeamId::parse(team_id);
        let load = move || -> pifa_core::Result<Option<ContactsKey>> {
            let Some(team_id) = team_id else {
                return Ok(None);
            };
            Ok(secrets::load_team_key(&team_id)?.map(|key| ContactsKey::from_bytes(*key.bytes())))
        };
        Preloaded(RefCell::new(Some(load())), Some(Box::new(load)))
    }
}

impl KeySource for Preloaded {
    fn load(&self) -> pifa_core::Result<Option<ContactsKey>> {
        match (self.0.borrow_mut().take(), &self.1) {
            (Some(answer), _) => answer,
            (None, Some(team)) => team(),
            (None, None) => Keyring.load(),
        }
    }

    fn save(&self, key: &ContactsKey) -> pifa_core::Result<()> {
        match self.1 {
            Some(_) => Err(Error::ContactsLocked(
                "the team key is missing from this computer's keyring; join the team again with its code".into(),
            )),
            None => Keyring.save(key),
        }
    }
}

fn contacts_stem() -> String {
    format!(
        "pifa supplier contacts {}",
        chrono::Local::now().format("%Y-%m-%d")
    )
}

fn matches(entry: &SupplierEntry, needle: &str) -> bool {
    let s = &entry.supplier;
    [
        Some(&entry.supplier_id),
        s.name.as_ref(),
        s.login_id.as_ref(),
        s.province.as_ref(),
        s.city.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|text| text.to_lowercase().contains(needle))
}

/// A supplier ID (`login:…`), a bare login ID, or an offer ID or link of the supplier.
fn resolve(store: &Store, supplier: &str) -> Result<SupplierEntry, CommandError> {
    let supplier = supplier.trim();
    if let Some(entry) = store.supplier_entry(supplier)? {
        if !entry.supplier_id.starts_with("offer:") {
            return Ok(entry);
        }
    }
    if let Ok(offer_id) = OfferId::parse(supplier) {
        return match store.supplier_id_of_offer(&offer_id)? {
            None => Err(Error::OfferNotFound(offer_id.to_string()).into()),
            // A search item's supplier is not named yet: contacts kept under it would be lost
            // once a detail names it.
            Some(None) => Err(Error::SupplierUnknown(offer_id.to_string()).into()),
            Some(Some(id)) if id.starts_with("offer:") => {
                Err(Error::SupplierUnknown(offer_id.to_string()).into())
            }
            Some(Some(id)) => store
                .supplier_entry(&id)?
                .ok_or_else(|| Error::SupplierNotFound(id).into()),
        };
    }
    if let Some(entry) = store.supplier_entry(&format!("login:{supplier}"))? {
        return Ok(entry);
    }
    Err(Error::SupplierNotFound(supplier.to_owned()).into())
}

#[cfg(test)]
mod tests;
