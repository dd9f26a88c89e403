//! The write side of stored-offer search: one narrow `offer_keys` row per offer with what search
//! filters, sorts and matches on (the supplier's signals copied in, the price steps packed), kept
//! in the offer's own transaction. `seq` grows with every change, so a reader's in-memory index
//! (`index.rs`) reads only the rows that changed since it last looked.

use rusqlite::{params, Connection};

use crate::offer::Tier;
use crate::Money;

/// Bytes per packed step: the starting quantity (u32) and the price in units (i64), big-endian,
/// as the migration that created the table packs them in SQL.
const STEP_BYTES: usize = 12;

/// The steps search prices by (`write::price_steps`), packed for the `steps` column.
pub(crate) fn pack_steps(steps: &[Tier]) -> Option<Vec<u8>> {
    (!steps.is_empty()).then(|| {
        steps
            .iter()
            .flat_map(|step| {
                let mut bytes = [0u8; STEP_BYTES];
                bytes[..4].copy_from_slice(&step.min_qty.to_be_bytes());
                bytes[4..].copy_from_slice(&step.price.units().to_be_bytes());
                bytes
            })
            .collect()
    })
}

/// The steps a `steps` column holds, by rising quantity; a damaged tail is left out.
pub(super) fn unpack_steps(bytes: &[u8]) -> impl Iterator<Item = Tier> + '_ {
    bytes.chunks_exact(STEP_BYTES).map(|chunk| Tier {
        min_qty: u32::from_be_bytes(chunk[..4].try_into().expect("4 bytes")),
        price: Money::from_units(i64::from_be_bytes(chunk[4..].try_into().expect("8 bytes"))),
    })
}

/// Writes the keys of the offer stored at `rowid`, as its row, supplier and steps now stand.
/// `supplier_name` is the name this answer gave, matched by text search with the titles.
pub(crate) fn write(
    tx: &Connection,
    rowid: i64,
    supplier_name: Option<&str>,
    steps: &[Tier],
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO offer_keys (rid, seq, offer_id, fetched_at, listed, minimum_order,
             lot_size, month_sold, offer_repurchase_bp, power_merchant, super_factory, tp_years,
             province, repurchase_bp, pickup_48h_bp, quality_refund_bp, service_tenths, steps,
             title, title_en, supplier_name)
         SELECT o.rowid, (SELECT COALESCE(MAX(seq), 0) + 1 FROM offer_keys), o.offer_id,
             o.fetched_at, NOT (o.status IS NOT NULL AND o.status <> 'published'),
             o.minimum_order, o.batch_size, o.month_sold, o.offer_repurchase_bp,
             s.power_merchant, s.super_factory, s.tp_years, s.province, s.repurchase_bp,
             s.pickup_48h_bp, s.quality_refund_bp, s.trust_score_tenths, ?2, o.title,
             o.title_en, ?3
         FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
         WHERE o.rowid = ?1",
    )?
    .execute(params![rowid, pack_steps(steps), supplier_name])?;
    Ok(())
}

/// Follows what a search item may change on an offer a detail answer brought (30-day sales and
/// the repurchase rate), without touching the rest of its keys.
pub(crate) fn follow_sales(tx: &Connection, offer_id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE offer_keys SET month_sold = o.month_sold,
             offer_repurchase_bp = o.offer_repurchase_bp,
             seq = (SELECT MAX(seq) FROM offer_keys) + 1
         FROM offers o WHERE o.offer_id = ?1 AND offer_keys.rid = o.rowid",
    )?
    .execute([offer_id])?;
    Ok(())
}
