//! This desktop's copy of its team's watches and newest alerts (team mode). The team database
//! is the truth and every read there replaces the copy whole; while the server is unreachable
//! the pages show the copy (read-only), each watch with what this store holds of its offer now.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::alerts::{told_from, told_json};
use super::codec::Stamp;
use super::watches::WatchParts;
use super::{Alert, Store, Watch};
use crate::watch::rules::{Snooze, Told, WatchRules};
use crate::{OfferId, Result};

/// A watch as the team keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedWatch {
    pub offer_id: OfferId,
    pub target_qty: u32,
    pub rules: WatchRules,
    pub told: Told,
    /// When the newest observation weighed was fetched.
    pub observed_at: Option<DateTime<Utc>>,
    pub snooze: Snooze,
    /// Who set its rules last (member id and name).
    pub set_by: String,
    pub set_by_name: String,
    pub created_at: DateTime<Utc>,
    pub next_check_at: DateTime<Utc>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// The name of the member whose check that was.
    pub last_checked_by: Option<String>,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    /// Alerts about the offer observed in the last 24 hours.
    pub alerts_today: u32,
}

/// The names under which a copy's time is kept.
const WATCHES: &str = "watches";
const ALERTS: &str = "alerts";

const SHARED_WATCH_COLUMNS: &str = "offer_id, target_qty, rules, told, observed_at, \
     snoozed_until, snooze_until_target, set_by, set_by_name, created_at, next_check_at, \
     last_checked_at, last_checked_by, last_error, last_error_code, alerts_today";

fn shared_watch_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<SharedWatch> {
    let offer_id: String = r.get(0)?;
    let rules: String = r.get(2)?;
    let told: String = r.get(3)?;
    Ok(SharedWatch {
        offer_id: OfferId::parse(&offer_id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        target_qty: r.get(1)?,
        // Written here from a parsed value; a row that no longer reads keeps the defaults
        // rather than hiding the whole list.
        rules: serde_json::from_str(&rules).unwrap_or_default(),
        told: told_from(&told),
        observed_at: r.get::<_, Option<Stamp>>(4)?.map(|s| s.0),
        snooze: Snooze {
            until: r.get::<_, Option<Stamp>>(5)?.map(|s| s.0),
            until_target: r.get(6)?,
        },
        set_by: r.get(7)?,
        set_by_name: r.get(8)?,
        created_at: r.get::<_, Stamp>(9)?.0,
        next_check_at: r.get::<_, Stamp>(10)?.0,
        last_checked_at: r.get::<_, Option<Stamp>>(11)?.map(|s| s.0),
        last_checked_by: r.get(12)?,
        last_error: r.get(13)?,
        last_error_code: r.get(14)?,
        alerts_today: r.get(15)?,
    })
}

fn note_copied(tx: &Transaction<'_>, what: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO shared_copies (what, copied_at) VALUES (?1, ?2)
         ON CONFLICT (what) DO UPDATE SET copied_at = excluded.copied_at",
        params![what, Stamp(now)],
    )
    .map(drop)
}

impl Store {
    /// Makes this copy's watches the team's, in one transaction.
    pub fn replace_shared_watches(
        &mut self,
        watches: &[SharedWatch],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "copying the team's watches", e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute("DELETE FROM shared_watches", []).map_err(fail)?;
        {
            let mut insert = tx
                .prepare(&format!(
                    "INSERT INTO shared_watches ({SHARED_WATCH_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
                ))
                .map_err(fail)?;
            for w in watches {
                insert
                    .execute(params![
                        w.offer_id.as_str(),
                        w.target_qty,
                        serde_json::to_string(&w.rules).expect("watch rules serialize"),
                        told_json(&w.told),
                        w.observed_at.map(Stamp),
                        w.snooze.until.map(Stamp),
                        w.snooze.until_target,
                        w.set_by,
                        w.set_by_name,
                        Stamp(w.created_at),
                        Stamp(w.next_check_at),
                        w.last_checked_at.map(Stamp),
                        w.last_checked_by,
                        w.last_error,
                        w.last_error_code,
                        w.alerts_today,
                    ])
                    .map_err(fail)?;
            }
        }
        note_copied(&tx, WATCHES, now).map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The team's watches as last copied, oldest first; `None` when never copied.
    pub fn shared_watches(&self) -> Result<Option<Vec<SharedWatch>>> {
        if self.copied_at(WATCHES)?.is_none() {
            return Ok(None);
        }
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {SHARED_WATCH_COLUMNS} FROM shared_watches ORDER BY created_at, offer_id"
            ))
            .map_err(|e| self.error("reading the team's watches", e))?;
        let watches = statement
            .query_map([], shared_watch_of)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("reading the team's watches", e))?;
        Ok(Some(watches))
    }

    /// A team watch as the watch list shows it, with what this store holds of its offer.
    pub fn shared_watch_view(&self, w: SharedWatch, now: DateTime<Utc>) -> Result<Watch> {
        let parts = WatchParts {
            offer_id: w.offer_id,
            target_qty: w.target_qty,
            rules: w.rules,
            told: w.told,
            observed_at: w.observed_at,
            snooze: w.snooze,
            created_at: w.created_at,
            last_checked_at: w.last_checked_at,
            last_error: w.last_error,
            last_error_code: w.last_error_code,
            alerts_today: w.alerts_today,
            set_by: Some(w.set_by_name),
            last_checked_by: w.last_checked_by,
        };
        self.watch_view(parts, now)
    }

    /// Makes this copy's alerts the team's newest, `seen` meaning seen by this member, in one
    /// transaction.
    pub fn replace_shared_alerts(&mut self, alerts: &[Alert], now: DateTime<Utc>) -> Result<()> {
        let path = self.path.clone();
        let fail = |e| super::classify(&path, "copying the team's alerts", e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute("DELETE FROM shared_alerts", []).map_err(fail)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO shared_alerts (alert_id, at, alert) VALUES (?1, ?2, ?3)")
                .map_err(fail)?;
            for a in alerts {
                // The alert as the app shows it: its details are the team database's to
                // derive, and this copy is replaced whole, never queried by field.
                let text = serde_json::to_string(a).expect("alerts serialize");
                insert
                    .execute(params![a.alert_id, Stamp(a.at), text])
                    .map_err(fail)?;
            }
        }
        note_copied(&tx, ALERTS, now).map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The team's alerts as last copied, newest first; `None` when never copied.
    pub fn shared_alerts(&self) -> Result<Option<Vec<Alert>>> {
        if self.copied_at(ALERTS)?.is_none() {
            return Ok(None);
        }
        let mut statement = self
            .conn
            .prepare("SELECT alert FROM shared_alerts ORDER BY at DESC, alert_id DESC")
            .map_err(|e| self.error("reading the team's alerts", e))?;
        let texts = statement
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("reading the team's alerts", e))?;
        // Written here from parsed alerts; one that no longer reads is left out, not the list.
        Ok(Some(
            texts
                .iter()
                .filter_map(|text| serde_json::from_str(text).ok())
                .collect(),
        ))
    }

    fn copied_at(&self, what: &str) -> Result<Option<DateTime<Utc>>> {
        self.conn
            .query_row(
                "SELECT copied_at FROM shared_copies WHERE what = ?1",
                [what],
                |r| r.get::<_, Stamp>(0),
            )
            .optional()
            .map(|at| at.map(|s| s.0))
            .map_err(|e| self.error("reading the team's copy", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AlertKind;
    use crate::Money;

    fn watch(offer: &str, set_by_name: &str, at: DateTime<Utc>) -> SharedWatch {
        SharedWatch {
            offer_id: OfferId::parse(offer).unwrap(),
            target_qty: 50,
            rules: WatchRules {
                target_price: Some(Money::from_units(1_200)),
                ..WatchRules::default()
            },
            told: Told {
                price: Some(Money::from_units(1_350)),
                below_target: true,
                ..Told::default()
            },
            observed_at: Some(at),
            snooze: Snooze {
                until: Some(at + chrono::Duration::hours(3)),
                until_target: false,
            },
            set_by: "m-1".into(),
            set_by_name: set_by_name.into(),
            created_at: at,
            next_check_at: at + chrono::Duration::hours(1),
            last_checked_at: Some(at),
            last_checked_by: Some("王经理".into()),
            last_error: None,
            last_error_code: None,
            alerts_today: 1,
        }
    }

    fn alert(alert_id: i64, at: DateTime<Utc>) -> Alert {
        Alert {
            alert_id,
            offer_id: OfferId::parse("624516873409").unwrap(),
            title: Some("保温杯 500ml".into()),
            kind: AlertKind::AtOrBelowTarget,
            target_qty: Some(50),
            old_price: Some(Money::from_units(1_350)),
            new_price: Some(Money::from_units(1_190)),
            change_bp: None,
            target_price: Some(Money::from_units(1_200)),
            sku: None,
            sku_specs: None,
            old_tiers: None,
            new_tiers: None,
            status: None,
            at,
            seen: false,
            message: "保温杯 500ml is at or below the target".into(),
            raised_by: Some("王经理".into()),
            seen_by: vec!["林采购".into()],
        }
    }

    #[test]
    fn the_copy_of_the_teams_watches_and_alerts_is_replaced_whole_and_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("team.db")).unwrap();
        // Never copied is not the same as a team without watches.
        assert_eq!(store.shared_watches().unwrap(), None);
        assert_eq!(store.shared_alerts().unwrap(), None);

        let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let first = vec![
            watch("624516873409", "林采购", now),
            watch("624516873410", "王经理", now),
        ];
        store.replace_shared_watches(&first, now).unwrap();
        assert_eq!(store.shared_watches().unwrap().as_deref(), Some(&first[..]));
        let later = vec![watch("624516873410", "王经理", now)];
        store.replace_shared_watches(&later, now).unwrap();
        assert_eq!(store.shared_watches().unwrap(), Some(later.clone()));
        store.replace_shared_watches(&[], now).unwrap();
        assert_eq!(store.shared_watches().unwrap(), Some(Vec::new()));

        let alerts = vec![alert(8, now), alert(7, now - chrono::Duration::hours(1))];
        store.replace_shared_alerts(&alerts, now).unwrap();
        assert_eq!(store.shared_alerts().unwrap(), Some(alerts));

        // An offer this desktop never fetched still shows, with who set and checked its watch.
        let view = store.shared_watch_view(later[0].clone(), now).unwrap();
        assert_eq!(view.title, None);
        assert_eq!(view.set_by.as_deref(), Some("王经理"));
        assert_eq!(view.state.baseline_price, Some(Money::from_units(1_350)));
        assert!(view.state.at_or_below_target);
        assert_eq!(view.state.snoozed_until, later[0].snooze.until);
    }
}
