//! The supplier book's rows: suppliers' public data (plaintext, from what 1688 answered), their
//! stored offers, and the buyer's contacts, which arrive here already sealed
//! (`crate::suppliers`): this module never sees a contact in the clear.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::{OfferId, Supplier, PUBLISHED};
use crate::{Money, Result};

/// A supplier as the book lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierEntry {
    /// The ID Pifa files the supplier under (`login:…`, `open:…`, `name:…`).
    pub supplier_id: String,
    pub supplier: Supplier,
    /// Stored offers of this supplier.
    pub offer_count: u32,
    /// Whether the buyer keeps contacts or notes for it (their content stays sealed).
    pub has_contacts: bool,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// One stored offer of a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierOffer {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub image: Option<String>,
    pub unit: Option<String>,
    pub moq: Option<u32>,
    /// The lowest unit price stored for it.
    pub lowest_price: Option<Money>,
    /// 1688's status when it is not `published`.
    pub delisted_status: Option<String>,
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
}

/// A sealed contact field as stored: `(field, nonce ‖ ciphertext)`.
pub type SealedField = (String, Vec<u8>);

impl Store {
    /// Every named supplier (a search item's unnamed one, `offer:…`, is no entry of the book),
    /// most recently seen first.
    pub fn supplier_entries(&self) -> Result<Vec<SupplierEntry>> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT s.*,
                     (SELECT COUNT(*) FROM offers o WHERE o.supplier_key = s.supplier_key) AS offer_count,
                     EXISTS (SELECT 1 FROM supplier_contacts c WHERE c.supplier_key = s.supplier_key) AS has_contacts
                 FROM suppliers s WHERE s.supplier_key NOT LIKE 'offer:%'
                 ORDER BY s.updated_at DESC, s.supplier_key",
            )
            .map_err(|e| self.error("listing suppliers", e))?;
        let rows = statement
            .query_map([], entry_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("listing suppliers", e))?;
        Ok(rows)
    }

    /// One supplier by its ID.
    pub fn supplier_entry(&self, supplier_id: &str) -> Result<Option<SupplierEntry>> {
        self.conn
            .query_row(
                "SELECT s.*,
                     (SELECT COUNT(*) FROM offers o WHERE o.supplier_key = s.supplier_key) AS offer_count,
                     EXISTS (SELECT 1 FROM supplier_contacts c WHERE c.supplier_key = s.supplier_key) AS has_contacts
                 FROM suppliers s WHERE s.supplier_key = ?1",
                [supplier_id],
                entry_from_row,
            )
            .optional()
            .map_err(|e| self.error("reading a supplier", e))
    }

    /// The ID of a stored offer's supplier: `Ok(None)` when the offer is not stored, `Some(None)`
    /// when it names no supplier.
    pub fn supplier_id_of_offer(&self, offer_id: &OfferId) -> Result<Option<Option<String>>> {
        self.conn
            .query_row(
                "SELECT supplier_key FROM offers WHERE offer_id = ?1",
                [offer_id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error("finding an offer's supplier", e))
    }

    /// A supplier's stored offers, most recently fetched first.
    pub fn supplier_offers(&self, supplier_id: &str) -> Result<Vec<SupplierOffer>> {
        let mut statement = self
            .conn
            .prepare_cached(concat!(
                "SELECT o.offer_id, o.title, o.extras, o.unit, o.moq, o.lowest_price, o.status,
                         o.fetched_at, ",
                super::parts::source_answer!(),
                " FROM offers o WHERE o.supplier_key = ?1 ORDER BY o.fetched_at DESC, o.offer_id"
            ))
            .map_err(|e| self.error("listing a supplier's offers", e))?;
        let rows = statement
            .query_map([supplier_id], |row| {
                let id: String = row.get("offer_id")?;
                Ok(SupplierOffer {
                    offer_id: OfferId::parse(&id).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                    title: row.get("title")?,
                    image: super::parts::main_image(
                        super::read::blob(row, "extras")?,
                        super::read::blob(row, "source_answer")?,
                    ),
                    unit: row.get("unit")?,
                    moq: row.get("moq")?,
                    lowest_price: row.get("lowest_price")?,
                    delisted_status: row
                        .get::<_, Option<String>>("status")?
                        .filter(|status| status != PUBLISHED),
                    fetched_at: row.get::<_, Stamp>("fetched_at")?.0,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("listing a supplier's offers", e))?;
        Ok(rows)
    }

    /// The sealed contact fields of one supplier.
    pub fn sealed_contacts(&self, supplier_id: &str) -> Result<Vec<SealedField>> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT field, sealed FROM supplier_contacts WHERE supplier_key = ?1 ORDER BY field",
            )
            .map_err(|e| self.error("reading supplier contacts", e))?;
        let rows = statement
            .query_map([supplier_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("reading supplier contacts", e))?;
        Ok(rows)
    }

    /// The IDs of every supplier with contacts, for the export.
    pub fn suppliers_with_contacts(&self) -> Result<Vec<String>> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT supplier_key FROM supplier_contacts ORDER BY supplier_key",
            )
            .map_err(|e| self.error("listing supplier contacts", e))?;
        let rows = statement
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("listing supplier contacts", e))?;
        Ok(rows)
    }

    /// Replaces a supplier's sealed contacts with `fields` (absent fields are removed), at once.
    pub fn replace_sealed_contacts(
        &mut self,
        supplier_id: &str,
        fields: &[SealedField],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "saving supplier contacts", e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute(
            "DELETE FROM supplier_contacts WHERE supplier_key = ?1",
            [supplier_id],
        )
        .map_err(fail)?;
        for (field, sealed) in fields {
            tx.execute(
                "INSERT INTO supplier_contacts (supplier_key, field, sealed, updated_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![supplier_id, field, sealed, Stamp(now)],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// The sealed value that shows whether a key is the one the contacts were sealed with.
    pub fn contacts_key_check(&self) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT sealed FROM contacts_key_check WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error("reading the contacts key check", e))
    }

    /// Keeps the first check only: the key that made it is the one contacts are sealed with.
    pub fn add_contacts_key_check(&self, sealed: &[u8]) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO contacts_key_check (id, sealed) VALUES (1, ?1)
                 ON CONFLICT (id) DO NOTHING",
                [sealed],
            )
            .map(drop)
            .map_err(|e| self.error("saving the contacts key check", e))
    }
}

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SupplierEntry> {
    Ok(SupplierEntry {
        supplier_id: row.get("supplier_key")?,
        supplier: super::read::supplier_from_row(row)?,
        offer_count: row.get("offer_count")?,
        has_contacts: row.get("has_contacts")?,
        updated_at: row.get::<_, Stamp>("updated_at")?.0,
    })
}
