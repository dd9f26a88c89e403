//! The answers offers were cleaned from, kept so a better cleaner can redo them (`recheck`).
//!
//! Each is stored as the text 1688 sent, zstd-compressed with a dictionary trained on 1688's
//! answer shapes (`raw_answers.dict`, made by `pifa-cli/tests/raw_dictionary.rs`): answers share
//! most of their keys and many values, so the dictionary takes a 5 KB detail to about 550 bytes
//! where zstd alone gets 1.5 KB. Rows from before compression hold the text's bytes as they were
//! and read back the same way; [`Store::pack_raw_answers`] compresses them a batch at a time.
//!
//! Stored rows need the dictionary they were written with: it is never replaced. A better one
//! would be added beside it with its own ID (the zstd frame names the one it needs).

use std::cell::RefCell;
use std::sync::OnceLock;

use rusqlite::{params, Connection};
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use super::Store;
use crate::protocol::client::MAX_ANSWER_BYTES;
use crate::Result;

const DICTIONARY: &[u8] = include_bytes!("raw_answers.dict");
/// zstd's default level: at this size, higher levels gain a few percent for several times the time.
const LEVEL: i32 = 3;
/// How every zstd frame starts; JSON text never does.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

fn encoder() -> &'static EncoderDictionary<'static> {
    static ENCODER: OnceLock<EncoderDictionary<'static>> = OnceLock::new();
    ENCODER.get_or_init(|| EncoderDictionary::copy(DICTIONARY, LEVEL))
}

fn decoder() -> &'static DecoderDictionary<'static> {
    static DECODER: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    DECODER.get_or_init(|| DecoderDictionary::copy(DICTIONARY))
}

thread_local! {
    // A compression context is worth keeping: making one costs more than a small answer.
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// An answer's text, compressed as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedAnswer(Vec<u8>);

impl PackedAnswer {
    pub fn pack(text: &str) -> PackedAnswer {
        COMPRESSOR.with(|cell| {
            let mut cell = cell.borrow_mut();
            let packed = match cell.as_mut() {
                Some(compressor) => compressor.compress(text.as_bytes()),
                None => Compressor::with_prepared_dictionary(encoder())
                    .and_then(|compressor| cell.insert(compressor).compress(text.as_bytes())),
            };
            // Compressing into a growing buffer fails only when memory does.
            PackedAnswer(packed.expect("zstd compresses into memory"))
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The text of a stored answer, compressed or (from before compression) not; `None` when it is
/// damaged.
pub(crate) fn unpack(body: &[u8]) -> Option<String> {
    if !body.starts_with(&ZSTD_MAGIC) {
        return String::from_utf8(body.to_vec()).ok();
    }
    let size = zstd::zstd_safe::get_frame_content_size(body).ok()??;
    if size > MAX_ANSWER_BYTES as u64 {
        return None;
    }
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let decompressor = match cell.as_mut() {
            Some(decompressor) => decompressor,
            None => cell.insert(Decompressor::with_prepared_dictionary(decoder()).ok()?),
        };
        let bytes = decompressor.decompress(body, size as usize).ok()?;
        String::from_utf8(bytes).ok()
    })
}

/// Keeps the answer `offer_id` got from `source`, replacing the one before.
pub(super) fn save(
    conn: &Connection,
    offer_id: &str,
    source: &str,
    packed: &PackedAnswer,
    fetched_at: &super::codec::Stamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO raw_answers (offer_id, source, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (offer_id, source) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
    )?
    .execute(params![offer_id, source, packed.bytes(), fetched_at])
    .map(drop)
}

/// Rows compressed per transaction when packing older ones.
const PACK_BATCH: usize = 500;

impl Store {
    /// Compresses up to `budget` answers stored before compression (in transactions of a few
    /// hundred, so a kill loses nothing) and returns how many it did.
    pub fn pack_raw_answers(&mut self, budget: usize) -> Result<usize> {
        let mut packed = 0;
        while packed < budget {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| super::classify(&self.path, "packing stored answers", e))?;
            let done = pack_some(&tx, PACK_BATCH.min(budget - packed))
                .and_then(|done| tx.commit().map(|()| done))
                .map_err(|e| super::classify(&self.path, "packing stored answers", e))?;
            packed += done;
            if done == 0 {
                break;
            }
        }
        Ok(packed)
    }
}

fn pack_some(conn: &Connection, limit: usize) -> rusqlite::Result<usize> {
    // A plain text row starts with the JSON's first byte; a packed one with zstd's magic.
    let rows: Vec<(String, String, Vec<u8>)> = conn
        .prepare_cached(
            // The condition of the partial index `raw_answers_unpacked`, as written there.
            "SELECT offer_id, source, body FROM raw_answers INDEXED BY raw_answers_unpacked
             WHERE substr(body, 1, 4) <> x'28B52FFD' LIMIT ?1",
        )?
        .query_map(params![limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn
        .prepare_cached("UPDATE raw_answers SET body = ?3 WHERE offer_id = ?1 AND source = ?2")?;
    for (offer_id, source, body) in &rows {
        // The column held text, which SQLite does not check: whatever it held is kept.
        let packed = PackedAnswer::pack(&String::from_utf8_lossy(body));
        update.execute(params![offer_id, source, packed.bytes()])?;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_back_as_sent_compressed_or_from_before() {
        let text = r#"{"result":{"success":true,"code":"200","result":{"offerId":624516873409,"subject":"保温杯 316不锈钢","productSaleInfo":{"priceRangeList":[{"startQuantity":2,"price":"14.90"}]}}}}"#;
        let packed = PackedAnswer::pack(text);
        assert!(packed.len() < text.len(), "{} bytes", packed.len());
        assert!(packed.bytes().starts_with(&ZSTD_MAGIC));
        assert_eq!(unpack(packed.bytes()).as_deref(), Some(text));
        assert_eq!(unpack(text.as_bytes()).as_deref(), Some(text));
        assert_eq!(unpack(&[&ZSTD_MAGIC[..], b"broken"].concat()), None);
        // The partial index of unpacked answers and its query name the magic as a literal.
        assert_eq!(hex::encode_upper(ZSTD_MAGIC), "28B52FFD");
    }

    #[test]
    fn answers_stored_before_compression_are_packed_through_their_index() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
        let text = r#"{"result":{"success":true,"code":"200","result":{"offerId":624516873409,"subject":"保温杯","productSaleInfo":{"priceRangeList":[{"startQuantity":2,"price":"14.90"}]}}}}"#;
        store.import_answers(&[text], chrono::Utc::now()).unwrap();
        // As a store from before compression held it: the text itself.
        store
            .conn
            .execute("UPDATE raw_answers SET body = CAST(?1 AS BLOB)", [text])
            .unwrap();
        let plan: String = store
            .conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT offer_id FROM raw_answers INDEXED BY raw_answers_unpacked
                 WHERE substr(body, 1, 4) <> x'28B52FFD'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("raw_answers_unpacked"), "{plan}");
        assert_eq!(store.pack_raw_answers(10).unwrap(), 1);
        assert_eq!(
            store.pack_raw_answers(10).unwrap(),
            0,
            "nothing left to pack"
        );
        let body: Vec<u8> = store
            .conn
            .query_row("SELECT body FROM raw_answers", [], |r| r.get(0))
            .unwrap();
        assert!(body.starts_with(&ZSTD_MAGIC));
        assert_eq!(unpack(&body).as_deref(), Some(text));
    }
}
