//! The supplier book's secret half: the contacts and notes a buyer keeps for a supplier, sealed
//! in `pifa.db` with XChaCha20-Poly1305 under a random key that lives only in the OS keyring.
//!
//! Each field is sealed apart with its own random 24-byte nonce, and the supplier's ID and the
//! field's name are bound as associated data, so a value moved to another supplier or field
//! fails to open instead of showing up there. A copied `pifa.db` alone reveals which suppliers
//! have contacts, never what they say. Losing the keyring entry loses the contacts: there is no
//! other copy of the key by design.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::export::neutralized;
use crate::store::{SealedField, Store};
use crate::{secrets, words, Error, Language, Result};

const NONCE_BYTES: usize = 24;
/// Bound into every value, so a later format can never be confused with this one.
const FORMAT: &str = "pifa.contacts.v1";
/// What the key check seals: opening it proves the key is the one the contacts were sealed with.
const CHECK_TEXT: &str = "pifa supplier contacts";

/// The longest value a field takes, in characters: generous for notes, small enough that a
/// paste by mistake is refused rather than stored.
pub const MAX_FIELD_CHARS: usize = 4000;

/// A buyer's own contacts and notes for a supplier. Every field is optional; an empty one is
/// not stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Contacts {
    /// 联系人.
    pub person: Option<String>,
    pub phone: Option<String>,
    /// 旺旺 ID.
    pub wangwang: Option<String>,
    /// 微信 ID.
    pub wechat: Option<String>,
    pub email: Option<String>,
    /// The buyer's free notes (sample quality, negotiated prices).
    pub note: Option<String>,
}

impl Contacts {
    /// The fields by their stored names, in a fixed order.
    fn fields(&self) -> [(&'static str, Option<&String>); 6] {
        [
            ("person", self.person.as_ref()),
            ("phone", self.phone.as_ref()),
            ("wangwang", self.wangwang.as_ref()),
            ("wechat", self.wechat.as_ref()),
            ("email", self.email.as_ref()),
            ("note", self.note.as_ref()),
        ]
    }

    fn slot(&mut self, field: &str) -> Option<&mut Option<String>> {
        Some(match field {
            "person" => &mut self.person,
            "phone" => &mut self.phone,
            "wangwang" => &mut self.wangwang,
            "wechat" => &mut self.wechat,
            "email" => &mut self.email,
            "note" => &mut self.note,
            _ => return None,
        })
    }

    /// Trimmed, with blank fields as `None`.
    pub fn normalized(mut self) -> Contacts {
        for field in [
            &mut self.person,
            &mut self.phone,
            &mut self.wangwang,
            &mut self.wechat,
            &mut self.email,
            &mut self.note,
        ] {
            *field = field
                .take()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, value)| value.is_none())
    }

    /// `other`'s fields where it has one, this one's elsewhere: how `contact --phone` keeps
    /// what it was not given.
    pub fn updated_with(mut self, other: Contacts) -> Contacts {
        for (name, value) in other.fields() {
            if let (Some(value), Some(slot)) = (value, self.slot(name)) {
                *slot = Some(value.clone());
            }
        }
        self
    }
}

/// The 32-byte data key. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct ContactsKey([u8; 32]);

impl std::fmt::Debug for ContactsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactsKey(…)")
    }
}

impl ContactsKey {
    pub fn from_bytes(bytes: [u8; 32]) -> ContactsKey {
        ContactsKey(bytes)
    }

    /// A new key from the OS's random source.
    pub fn generate() -> Result<ContactsKey> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::ContactsLocked(format!("no random key could be made ({e})")))?;
        Ok(ContactsKey(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// `nonce ‖ ciphertext` of `text`, bound to `context`.
    fn seal(&self, context: &str, text: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|e| Error::ContactsLocked(format!("no random nonce could be made ({e})")))?;
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            // Encryption fails only for messages beyond what any field can hold.
            .map_err(|_| Error::ContactsLocked("a value could not be sealed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The text sealed under `context`, or `None` when it does not open (another key, another
    /// context, or altered bytes: the cipher cannot tell which).
    fn open(&self, context: &str, sealed: &[u8]) -> Option<String> {
        if sealed.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// The associated data of one field: the format, the supplier and the field, NUL-separated
/// (no supplier ID or field name holds a NUL).
fn context(supplier_id: &str, field: &str) -> String {
    format!("{FORMAT}\0{supplier_id}\0{field}")
}

fn check_context() -> String {
    format!("{FORMAT}\0key-check")
}

/// Where the data key comes from: the OS keyring in the app, a fixed key in tests.
pub trait KeySource {
    fn load(&self) -> Result<Option<ContactsKey>>;
    fn save(&self, key: &ContactsKey) -> Result<()>;
}

/// The OS keyring, beside the other secrets. Its calls block: use it off the async runtime.
pub struct Keyring;

impl KeySource for Keyring {
    fn load(&self) -> Result<Option<ContactsKey>> {
        Ok(secrets::load_contacts_key()?.map(ContactsKey))
    }

    fn save(&self, key: &ContactsKey) -> Result<()> {
        secrets::save_contacts_key(&key.0)
    }
}

/// The key the stored contacts open with. With `create`, a first use makes the key and keeps
/// it in the keyring; a keyring that lost the key of existing contacts never gets a new one
/// silently, since that would hide the loss.
pub fn key(store: &Store, source: &dyn KeySource, create: bool) -> Result<Option<ContactsKey>> {
    let check = store.contacts_key_check()?;
    let key = source.load()?;
    match (key, check) {
        (Some(key), Some(check)) => verified(key, &check).map(Some),
        (None, Some(_)) => Err(missing()),
        (key, None) if create => {
            let key = match key {
                Some(key) => key,
                None => {
                    let key = ContactsKey::generate()?;
                    // Keyring first: a check row without its key would lock the book for good.
                    source.save(&key)?;
                    source.load()?.unwrap_or(key)
                }
            };
            store.add_contacts_key_check(&key.seal(&check_context(), CHECK_TEXT)?)?;
            // Another process (the app beside pifa-cli) may have made the first key at the same
            // moment: the check row that landed decides, so nothing is sealed with the loser.
            let check = store.contacts_key_check()?.ok_or_else(missing)?;
            verified(key, &check).map(Some)
        }
        (key, None) => Ok(key),
    }
}

fn verified(key: ContactsKey, check: &[u8]) -> Result<ContactsKey> {
    if key.open(&check_context(), check).as_deref() == Some(CHECK_TEXT) {
        Ok(key)
    } else {
        Err(Error::ContactsLocked(
            "the key in the OS keyring is not the one they were sealed with (was the keyring replaced or restored from elsewhere?)".into(),
        ))
    }
}

fn missing() -> Error {
    Error::ContactsLocked(
        "their key is missing from the OS keyring; without it they cannot be read".into(),
    )
}

/// A supplier's contacts, opened. No stored contacts need no key (and no keyring).
pub fn read(store: &Store, source: &dyn KeySource, supplier_id: &str) -> Result<Contacts> {
    let sealed = store.sealed_contacts(supplier_id)?;
    if sealed.is_empty() {
        return Ok(Contacts::default());
    }
    let key = key(store, source, false)?.ok_or_else(missing)?;
    open_all(&key, supplier_id, &sealed)
}

/// Opens sealed fields with a key known to be the right one.
pub fn open_all(key: &ContactsKey, supplier_id: &str, sealed: &[SealedField]) -> Result<Contacts> {
    let mut contacts = Contacts::default();
    for (field, value) in sealed {
        let text = key
            .open(&context(supplier_id, field), value)
            .ok_or(Error::ContactsDamaged)?;
        // A field this version does not know is skipped, not shown under another name.
        if let Some(slot) = contacts.slot(field) {
            *slot = Some(text);
        }
    }
    Ok(contacts)
}

/// Seals and stores a supplier's contacts in place of the ones it had.
pub fn write(
    store: &mut Store,
    source: &dyn KeySource,
    supplier_id: &str,
    contacts: &Contacts,
) -> Result<()> {
    let sealed = seal(store, source, supplier_id, contacts)?;
    store.replace_sealed_contacts(supplier_id, &sealed, Utc::now())
}

/// A supplier's contacts sealed field by field, as [`write`] stores them (and team mode shares
/// them: the team database only ever holds them sealed).
pub fn seal(
    store: &Store,
    source: &dyn KeySource,
    supplier_id: &str,
    contacts: &Contacts,
) -> Result<Vec<SealedField>> {
    let contacts = contacts.clone().normalized();
    if let Some((field, _)) = contacts
        .fields()
        .into_iter()
        .find(|(_, v)| v.is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS))
    {
        return Err(Error::ContactsTooLong {
            field,
            max: MAX_FIELD_CHARS,
        });
    }
    let sealed: Vec<SealedField> = if contacts.is_empty() {
        Vec::new()
    } else {
        let key = key(store, source, true)?.expect("a key is made on first use");
        contacts
            .fields()
            .into_iter()
            .filter_map(|(field, value)| Some((field, value?)))
            .map(|(field, value)| {
                Ok((
                    field.to_owned(),
                    key.seal(&context(supplier_id, field), value)?,
                ))
            })
            .collect::<Result<_>>()?
    };
    Ok(sealed)
}

/// One supplier's contacts, opened, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub supplier_id: String,
    pub name: Option<String>,
    pub contacts: Contacts,
}

/// The contacts as CSV for Excel, like the shortlist export: BOM, CRLF, formulas neutralized
/// (a note may start with `=`). Plaintext: written only when the user asks.
pub fn write_contacts_csv(
    rows: &[ContactRow],
    language: Language,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    let mut csv = crate::export::excel_csv(out)?;
    let header = [
        words::CSV_SUPPLIER_ID,
        words::CSV_SUPPLIER,
        words::CSV_CONTACT_PERSON,
        words::CSV_PHONE,
        words::CSV_WANGWANG,
        words::CSV_WECHAT,
        words::CSV_EMAIL,
        words::CSV_NOTES,
    ]
    .map(|word| words::text(language, word, &[]));
    csv.write_record(header)?;
    for row in rows {
        let (id, name, c) = (&row.supplier_id, &row.name, &row.contacts);
        let cell = |v: Option<&String>| v.map(|v| neutralized(v)).unwrap_or_default();
        csv.write_record([
            neutralized(id),
            cell(name.as_ref()),
            cell(c.person.as_ref()),
            cell(c.phone.as_ref()),
            cell(c.wangwang.as_ref()),
            cell(c.wechat.as_ref()),
            cell(c.email.as_ref()),
            cell(c.note.as_ref()),
        ])?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests;
