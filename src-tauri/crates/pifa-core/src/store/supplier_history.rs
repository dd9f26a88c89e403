//! What a supplier's public signals were over time: badges, 诚信通 years, trade medal, service
//! scores and rates. A row is written when they change, and while they hold at most one a
//! day, so a chart shows that they held. Recorded with each detail answer, in the transaction
//! that stores it (`write.rs`).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::{Badges, Percent, ServiceScores, Supplier};
use crate::Result;

/// While a supplier's signals hold, one more row this long after the last one says so.
pub const SIGNALS_HOLD_INTERVAL: Duration = Duration::days(1);

/// The most observations [`Store::supplier_history`] answers: years of daily rows.
pub const SUPPLIER_HISTORY_ROWS: u32 = 1000;

/// The signals of a supplier that move over time (its name and place are no signal). What no
/// answer said stays `None`: nothing is guessed from another field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierSignals {
    pub tp_years: Option<u32>,
    pub badges: Option<Badges>,
    pub trade_medal_level: Option<u32>,
    pub scores: ServiceScores,
    pub repurchase_rate: Option<Percent>,
    pub pickup_48h_rate: Option<Percent>,
    pub quality_refund_rate: Option<Percent>,
}

impl SupplierSignals {
    pub fn of(supplier: &Supplier) -> SupplierSignals {
        SupplierSignals {
            tp_years: supplier.tp_years,
            badges: supplier.badges,
            trade_medal_level: supplier.trade_medal_level,
            scores: supplier.scores,
            repurchase_rate: supplier.repurchase_rate,
            pickup_48h_rate: supplier.pickup_48h_rate,
            quality_refund_rate: supplier.quality_refund_rate,
        }
    }
}

/// A supplier's signals as seen at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplierObservation {
    #[ts(type = "string")]
    pub observed_at: DateTime<Utc>,
    pub signals: SupplierSignals,
}

const COLUMNS: &str = "observed_at, tp_years, power_merchant, super_factory, tp_member,
    trade_medal, score_composite, score_logistics, score_dispute, score_offer, score_after_sales,
    score_consulting, repurchase_bp, pickup_48h_bp, quality_refund_bp";

/// Records the supplier's signals as its row now holds them, after an answer of `at` was merged
/// into it. The merged row, not the answer alone: a detail says no 诚信通 years and a search item
/// no scores, so an answer alone would flip values to unknown and back. Unnamed suppliers
/// (`offer:…`) have no page and are not followed; an answer older than the last observation
/// is no news. Returns whether a row was written. `current` is the supplier's row as stored
/// now, which its writer has at hand.
pub(super) fn observe(
    tx: &Transaction<'_>,
    supplier_key: &str,
    current: &Supplier,
    at: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    if supplier_key.starts_with("offer:") {
        return Ok(false);
    }
    // Cached statements: this runs for every detail stored.
    let signals = SupplierSignals::of(current);
    let last = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM supplier_observations WHERE supplier_key = ?1
             ORDER BY observed_at DESC LIMIT 1"
        ))?
        .query_row([supplier_key], observation_from_row)
        .optional()?;
    if let Some(last) = last {
        let holding = last.signals == signals && at - last.observed_at < SIGNALS_HOLD_INTERVAL;
        if at <= last.observed_at || holding {
            return Ok(false);
        }
    }
    insert(tx, supplier_key, at, &signals)
}

fn insert(
    tx: &Transaction<'_>,
    supplier_key: &str,
    at: DateTime<Utc>,
    s: &SupplierSignals,
) -> rusqlite::Result<bool> {
    let badge = |has: fn(&Badges) -> bool| s.badges.as_ref().map(has);
    let inserted = tx
        .prepare_cached(&format!(
            "INSERT OR IGNORE INTO supplier_observations (supplier_key, {COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ))?
        .execute(params![
            supplier_key,
            Stamp(at),
            s.tp_years,
            badge(|b| b.power_merchant),
            badge(|b| b.super_factory),
            badge(|b| b.tp_member),
            s.trade_medal_level,
            s.scores.composite,
            s.scores.logistics,
            s.scores.dispute,
            s.scores.offer,
            s.scores.after_sales,
            s.scores.consulting,
            s.repurchase_rate,
            s.pickup_48h_rate,
            s.quality_refund_rate,
        ])?;
    Ok(inserted == 1)
}

/// A row in [`COLUMNS`]' order. Badges are known together or not at all (`badges_known`).
fn observation_from_row(row: &Row<'_>) -> rusqlite::Result<SupplierObservation> {
    let power_merchant: Option<bool> = row.get(2)?;
    let badges = match power_merchant {
        None => None,
        Some(power_merchant) => Some(Badges {
            power_merchant,
            super_factory: row.get::<_, Option<bool>>(3)?.unwrap_or(false),
            tp_member: row.get::<_, Option<bool>>(4)?.unwrap_or(false),
        }),
    };
    Ok(SupplierObservation {
        observed_at: row.get::<_, Stamp>(0)?.0,
        signals: SupplierSignals {
            tp_years: row.get(1)?,
            badges,
            trade_medal_level: row.get(5)?,
            scores: ServiceScores {
                composite: row.get(6)?,
                logistics: row.get(7)?,
                dispute: row.get(8)?,
                offer: row.get(9)?,
                after_sales: row.get(10)?,
                consulting: row.get(11)?,
            },
            repurchase_rate: row.get(12)?,
            pickup_48h_rate: row.get(13)?,
            quality_refund_rate: row.get(14)?,
        },
    })
}

impl Store {
    /// A supplier's observations from `since` on (all when `None`), oldest first: the newest
    /// [`SUPPLIER_HISTORY_ROWS`] of them.
    pub fn supplier_history(
        &self,
        supplier_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<SupplierObservation>> {
        let fail = |e| self.error("reading a supplier's history", e);
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM supplier_observations
                     WHERE supplier_key = ?1 AND observed_at >= ?2
                     ORDER BY observed_at DESC LIMIT ?3)
                 ORDER BY observed_at"
            ))
            .map_err(fail)?;
        let since = since.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let rows = statement
            .query_map(
                params![supplier_id, Stamp(since), SUPPLIER_HISTORY_ROWS],
                observation_from_row,
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offer::{clean_answer, Offer};
    use chrono::TimeZone;
    use serde_json::{json, Value};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap()
    }

    /// The documented detail answer as offer `id` from supplier `seller`, with the given badge
    /// words, 48-hour pickup and repurchase rates (fractions, as details write them).
    fn detail(id: &str, seller: &str, identities: &str, pickup: &str, repurchase: &str) -> Value {
        let mut raw: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/query_product_detail.json"
        ))
        .unwrap();
        let r = raw.pointer_mut("/result/result").unwrap();
        r["offerId"] = json!(id.parse::<u64>().unwrap());
        r["sellerOpenId"] = json!(seller);
        r["offerIdentities"] = json!([identities]);
        r["sellerDataInfo"]["collect30DayWithin48HPercent"] = json!(pickup);
        r["sellerDataInfo"]["repeatPurchasePercent"] = json!(repurchase);
        raw
    }

    fn offer(raw: &Value, at: DateTime<Utc>) -> Offer {
        clean_answer(raw, at).unwrap()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().join("pifa.db")).unwrap();
        (tmp, store)
    }

    fn save(store: &mut Store, raw: &Value, at: DateTime<Utc>) {
        store.save_offer(&offer(raw, at), Some(raw), true).unwrap();
    }

    const SELLER: &str = "open:BBByiwuxinda";

    #[test]
    fn a_row_when_signals_change_and_one_a_day_while_they_hold() {
        let (_tmp, mut store) = store();
        let same = detail("624516873409", "BBByiwuxinda", "超级工厂", "0.98", "0.4666");
        save(&mut store, &same, t0());
        // Again within the day, the same: no row; another offer of the same supplier: neither.
        save(&mut store, &same, t0() + Duration::hours(3));
        let sibling = detail("624516873410", "BBByiwuxinda", "超级工厂", "0.98", "0.4666");
        save(&mut store, &sibling, t0() + Duration::hours(4));
        assert_eq!(store.supplier_history(SELLER, None).unwrap().len(), 1);

        // A day on, still the same: one row says they held, and only one that day.
        save(&mut store, &same, t0() + Duration::hours(25));
        save(&mut store, &same, t0() + Duration::hours(26));
        // Changed: 实力商家 now, and a lower pickup rate; recorded at once.
        let changed = detail(
            "624516873409",
            "BBByiwuxinda",
            "超级工厂,实力商家",
            "0.955",
            "0.4666",
        );
        save(&mut store, &changed, t0() + Duration::hours(27));

        let history = store.supplier_history(SELLER, None).unwrap();
        let at: Vec<i64> = history
            .iter()
            .map(|o| (o.observed_at - t0()).num_hours())
            .collect();
        assert_eq!(at, [0, 25, 27]);
        assert_eq!(history[0].signals, history[1].signals);
        let (before, after) = (history[1].signals, history[2].signals);
        assert!(!before.badges.unwrap().power_merchant);
        assert!(after.badges.unwrap().power_merchant && after.badges.unwrap().super_factory);
        assert_eq!(before.pickup_48h_rate, Some(Percent { basis_points: 9800 }));
        assert_eq!(after.pickup_48h_rate, Some(Percent { basis_points: 9550 }));
        assert_eq!(after.scores.composite, Some(45));

        // `since` leaves out what came before it; the store's row is the latest observation.
        let recent = store
            .supplier_history(SELLER, Some(t0() + Duration::hours(26)))
            .unwrap();
        assert_eq!(recent.len(), 1);
        let entry = store.supplier_entry(SELLER).unwrap().unwrap();
        assert_eq!(SupplierSignals::of(&entry.supplier), recent[0].signals);
    }

    #[test]
    fn what_no_answer_said_stays_unknown_and_nothing_is_taken_from_another_field() {
        let (_tmp, mut store) = store();
        // No badges, no medal, no scores, no other rate: only the repurchase rate.
        let mut raw = detail("624516873409", "BBByiwuxinda", "", "", "0.4666");
        let r = raw.pointer_mut("/result/result").unwrap();
        r.as_object_mut().unwrap().remove("offerIdentities");
        r["sellerDataInfo"] = json!({ "repeatPurchasePercent": "0.4666" });
        save(&mut store, &raw, t0());
        let [first] = store
            .supplier_history(SELLER, None)
            .unwrap()
            .try_into()
            .unwrap();
        let s = first.signals;
        assert_eq!(s.repurchase_rate, Some(Percent { basis_points: 4666 }));
        assert_eq!(
            (s.badges, s.tp_years, s.trade_medal_level),
            (None, None, None)
        );
        assert_eq!((s.pickup_48h_rate, s.quality_refund_rate), (None, None));
        assert_eq!(s.scores, ServiceScores::default());
        // In the table too: NULL, not 0.
        let nulls: i64 = store
            .conn
            .query_row(
                "SELECT (power_merchant IS NULL) + (tp_years IS NULL) + (pickup_48h_bp IS NULL)
                     + (score_composite IS NULL) FROM supplier_observations",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(nulls, 4);
    }

    #[test]
    fn search_items_rechecks_and_older_answers_observe_nothing() {
        let (_tmp, mut store) = store();
        let raw = detail("624516873409", "BBByiwuxinda", "超级工厂", "0.98", "0.4666");
        save(&mut store, &raw, t0());
        // Re-cleaning a stored answer is no new observation, even days later.
        let later = offer(&raw, t0() + Duration::days(3));
        store.save_offer(&later, None, false).unwrap();
        // An answer older than the last observation is no news, even with other signals.
        let old = detail("624516873409", "BBByiwuxinda", "", "0.5", "0.1");
        save(&mut store, &old, t0() - Duration::days(1));
        // A search item of the offer, a day later: it updates the supplier (诚信通 years, the
        // repurchase rate rounded) but observes nothing.
        let mut item: Value =
            serde_json::from_str::<Value>(include_str!("../../tests/fixtures/keyword_query.json"))
                .unwrap()["result"]["result"]["data"][0]
                .clone();
        item["offerId"] = json!(624516873409u64);
        save(&mut store, &item, t0() + Duration::days(1));
        let entry = store.supplier_entry(SELLER).unwrap().unwrap();
        assert_eq!(entry.supplier.tp_years, Some(6));
        assert_eq!(store.supplier_history(SELLER, None).unwrap().len(), 1);
        // The next detail observes the merged row: the years the search item said are kept.
        save(
            &mut store,
            &raw,
            t0() + Duration::days(1) + Duration::hours(1),
        );
        let history = store.supplier_history(SELLER, None).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[0].signals.tp_years, history[1].signals.tp_years),
            (None, Some(6))
        );
        assert!(store
            .supplier_history("offer:624516873409", None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_store_from_before_starts_each_named_supplier_with_its_current_values() {
        let version = super::super::USER_MIGRATIONS
            .iter()
            .position(|sql| sql.contains("CREATE TABLE supplier_observations"))
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.db");
        super::super::create_at_version(&path, version).unwrap();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                r#"INSERT INTO suppliers (supplier_key, name, tp_years, power_merchant, super_factory,
                       tp_member, badges_known, trade_medal, scores, repurchase_bp, pickup_48h_bp,
                       quality_refund_bp, updated_at)
                   VALUES ('login:seller000001', '义乌市鑫达日用品厂', 6, 1, 0, 1, 1, 4,
                       '{"composite":45,"logistics":null,"dispute":40,"offer":null,"afterSales":null,"consulting":50}',
                       4666, 9700, NULL, '2026-10-30T08:00:00.000Z'),
                   ('open:BBBunknownbadges', NULL, NULL, 0, 0, 0, 0, NULL, '{}', NULL, NULL, 20,
                       '2026-10-31T08:00:00.000Z'),
                   ('offer:624516873409', NULL, 3, 0, 0, 0, 0, NULL, '{}', 1100, NULL, NULL,
                       '2026-10-31T08:00:00.000Z');"#,
            )
            .unwrap();
        let store = Store::open(&path).unwrap();
        let [known] = store
            .supplier_history("login:seller000001", None)
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(Stamp::text(known.observed_at), "2026-10-30T08:00:00.000Z");
        let s = known.signals;
        assert_eq!(
            s.badges,
            Some(Badges {
                power_merchant: true,
                super_factory: false,
                tp_member: true
            })
        );
        assert_eq!((s.tp_years, s.trade_medal_level), (Some(6), Some(4)));
        assert_eq!(
            s.scores,
            ServiceScores {
                composite: Some(45),
                dispute: Some(40),
                consulting: Some(50),
                ..ServiceScores::default()
            }
        );
        assert_eq!(
            (s.repurchase_rate, s.pickup_48h_rate, s.quality_refund_rate),
            (
                Some(Percent { basis_points: 4666 }),
                Some(Percent { basis_points: 9700 }),
                None
            )
        );
        // Badges never said stay unknown, not "none".
        let [unknown] = store
            .supplier_history("open:BBBunknownbadges", None)
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(unknown.signals.badges, None);
        assert_eq!(
            unknown.signals.quality_refund_rate,
            Some(Percent { basis_points: 20 })
        );
        // A search item's unnamed supplier has no page to show a history on.
        assert!(store
            .supplier_history("offer:624516873409", None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn the_history_is_bounded_to_the_newest_rows() {
        let (_tmp, mut store) = store();
        let tx = store.conn.transaction().unwrap();
        let signals = SupplierSignals::default();
        for n in 0..SUPPLIER_HISTORY_ROWS + 5 {
            insert(&tx, SELLER, t0() + Duration::days(n.into()), &signals).unwrap();
        }
        tx.commit().unwrap();
        let history = store.supplier_history(SELLER, None).unwrap();
        assert_eq!(history.len(), SUPPLIER_HISTORY_ROWS as usize);
        assert_eq!(
            history[0].observed_at,
            t0() + Duration::days(5),
            "oldest kept first"
        );
        assert!(history
            .windows(2)
            .all(|w| w[0].observed_at < w[1].observed_at));
    }
}
