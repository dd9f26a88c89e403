//! Alerts: raised where an observation is stored, so no fetch that records a price of a watched
//! offer (offer page, refresh, batch, search, watch check, import) goes unweighed, and raised in
//! the same transaction as the observation, so a crash or a restart can neither lose nor repeat
//! one. Each alert is one event, unique in the table by offer, kind, observation time and SKU.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::{Offer, Percent};
use crate::watch::rules::{
    weigh, Event, MoveDirection, MoveRule, Seen, Snooze, StockRule, TierShape, Told, WatchRules,
};
use crate::{Money, OfferId, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AlertKind {
    PriceDrop,
    PriceRise,
    AtOrBelowTarget,
    OutOfStock,
    BackInStock,
    TiersChanged,
    Delisted,
    Relisted,
}

impl AlertKind {
    const ALL: [AlertKind; 8] = [
        AlertKind::PriceDrop,
        AlertKind::PriceRise,
        AlertKind::AtOrBelowTarget,
        AlertKind::OutOfStock,
        AlertKind::BackInStock,
        AlertKind::TiersChanged,
        AlertKind::Delisted,
        AlertKind::Relisted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::PriceDrop => "price_drop",
            AlertKind::PriceRise => "price_rise",
            AlertKind::AtOrBelowTarget => "below_target",
            AlertKind::OutOfStock => "out_of_stock",
            AlertKind::BackInStock => "back_in_stock",
            AlertKind::TiersChanged => "tiers_changed",
            AlertKind::Delisted => "delisted",
            AlertKind::Relisted => "relisted",
        }
    }

    fn parse(text: &str) -> AlertKind {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .unwrap_or(AlertKind::PriceRise)
    }
}

/// What an alert says beyond its prices, kept as JSON with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    change_bp: Option<i64>,
    target_price: Option<Money>,
    sku: Option<String>,
    sku_specs: Option<String>,
    old_tiers: Option<TierShape>,
    new_tiers: Option<TierShape>,
    status: Option<String>,
}

// Deserialize: a team desktop keeps a copy of the team's alerts as read (`shared_watches.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Alert {
    #[ts(type = "number")]
    pub alert_id: i64,
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub kind: AlertKind,
    /// The watch's target quantity when the alert was raised, which the prices are for;
    /// `null` for alerts from before Pifa kept it whose watch has since gone.
    pub target_qty: Option<u32>,
    /// Moves: the price last alerted about (or the watch's start) and the new one. Target: the
    /// price observed before and the one at or below the target.
    pub old_price: Option<Money>,
    pub new_price: Option<Money>,
    /// A move, in hundredths of a percent of the old price.
    #[ts(type = "number | null")]
    pub change_bp: Option<i64>,
    pub target_price: Option<Money>,
    /// Stock alerts: the SKU and its specs as the supplier names them ("红色 / XL").
    pub sku: Option<String>,
    pub sku_specs: Option<String>,
    /// Tier alerts: the minimum order and tier breaks before and after.
    pub old_tiers: Option<TierShape>,
    pub new_tiers: Option<TierShape>,
    /// Delisting alerts: the status 1688 gave (its own words, untrusted text).
    pub status: Option<String>,
    /// When the observation that raised it was fetched.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub seen: bool,
    /// In English, for the command line and logs; the app words it from the fields.
    pub message: String,
    /// Team mode: the member whose check raised it, and the members who have seen it; `null`
    /// and empty on this computer's own alerts.
    #[serde(default)]
    pub raised_by: Option<String>,
    #[serde(default)]
    pub seen_by: Vec<String>,
}

/// A watch as the evaluation needs it.
struct Armed {
    qty: u32,
    rules: WatchRules,
    told: Told,
    observed_at: Option<String>,
    snoozed_until: Option<Stamp>,
    snooze_until_target: bool,
}

/// The rules of a `watches` row, from `move_direction` on (see [`WATCH_RULE_COLUMNS`]).
pub(super) fn rules_from_row(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<WatchRules> {
    let direction: Option<String> = r.get(first)?;
    let threshold: Percent = r.get(first + 1)?;
    let stock: bool = r.get(first + 3)?;
    let sku: Option<String> = r.get(first + 4)?;
    Ok(WatchRules {
        moves: direction
            .as_deref()
            .and_then(MoveDirection::parse)
            .map(|direction| MoveRule {
                threshold,
                direction,
            }),
        target_price: r.get(first + 2)?,
        stock: stock.then_some(StockRule { sku }),
        tiers: r.get(first + 5)?,
        delisting: r.get(first + 6)?,
        daily_cap: r.get(first + 7)?,
    })
}

/// The columns [`rules_from_row`] reads, in its order.
pub(super) const WATCH_RULE_COLUMNS: &str = "move_direction, alert_threshold_bp, target_price, \
     stock_rule, stock_sku, tiers_rule, delisting_rule, daily_cap";

pub(super) fn told_from(json: &str) -> Told {
    serde_json::from_str(json).unwrap_or_default()
}

pub(super) fn told_json(told: &Told) -> String {
    serde_json::to_string(told).expect("told state serializes")
}

/// Weighs a complete observation (a stored detail answer) of `offer` against its watch's rules,
/// raising what it should, held back while snoozed or past the daily cap. An observation no
/// newer than the last one weighed (a cached answer saved again) is skipped.
pub(super) fn observe(conn: &Connection, offer: &Offer) -> rusqlite::Result<()> {
    let id = offer.offer_id.as_str();
    // Cached: this runs for every detail stored, watched or not.
    let armed = conn
        .prepare_cached(&format!(
            "SELECT target_qty, told, observed_at, snoozed_until, snooze_until_target,
                    {WATCH_RULE_COLUMNS}
             FROM watches WHERE offer_id = ?1"
        ))?
        .query_row([id], |r| {
            Ok(Armed {
                qty: r.get(0)?,
                told: told_from(&r.get::<_, String>(1)?),
                observed_at: r.get(2)?,
                snoozed_until: r.get(3)?,
                snooze_until_target: r.get(4)?,
                rules: rules_from_row(r, 5)?,
            })
        })
        .optional()?;
    let Some(armed) = armed else {
        return Ok(());
    };
    let at = Stamp(offer.fetched_at);
    let at_text = Stamp::text(offer.fetched_at);
    if armed
        .observed_at
        .as_ref()
        .is_some_and(|seen| *seen >= at_text)
    {
        return Ok(());
    }
    let sku = armed.rules.stock.as_ref().and_then(|s| s.sku.as_deref());
    let seen = Seen::of(offer, armed.qty, sku);
    let today: u32 = conn.query_row(
        "SELECT COUNT(*) FROM alerts WHERE offer_id = ?1 AND created_at > ?2 AND created_at <= ?3",
        params![id, Stamp(offer.fetched_at - Duration::hours(24)), at],
        |r| r.get(0),
    )?;
    let snooze = Snooze {
        until: armed.snoozed_until.map(|until| until.0),
        until_target: armed.snooze_until_target,
    };
    let weighed = weigh(
        &armed.rules,
        &armed.told,
        &seen,
        snooze,
        offer.fetched_at,
        today,
    );
    for event in &weighed.raised {
        raise(conn, offer, armed.qty, event, at)?;
    }
    conn.execute(
        "UPDATE watches SET told = ?2, observed_at = ?3, snooze_until_target = ?4 WHERE offer_id = ?1",
        params![
            id,
            told_json(&weighed.told),
            at,
            weighed.snooze_until_target
        ],
    )?;
    Ok(())
}

fn yuan(price: Option<Money>) -> String {
    price.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"))
}

fn shape(tiers: &TierShape) -> String {
    let breaks: Vec<String> = tiers.breaks.iter().map(|b| format!("{b}+")).collect();
    format!(
        "minimum {}, tiers {}",
        tiers.minimum_order,
        breaks.join(" ")
    )
}

/// One alert as raised, before it is kept: what the local store and the team both keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedAlert {
    pub kind: AlertKind,
    pub old_price: Option<Money>,
    pub new_price: Option<Money>,
    /// Tells apart alerts of one kind from one observation (the SKU of a stock alert).
    pub event_key: String,
    /// In English, for the command line and logs.
    pub message: String,
    /// The rest of what the alert says, as JSON (read back by [`AlertRow`]).
    pub details: String,
}

/// What the buyer is told about `event` on `offer` watched at `qty` pieces.
pub fn describe(offer: &Offer, qty: u32, event: &Event) -> RaisedAlert {
    let id = &offer.offer_id;
    let mut details = Details::default();
    let (kind, old, new, key, message) = match event {
        Event::Move {
            old,
            new,
            change_bp,
        } => {
            details.change_bp = Some(*change_bp);
            let (kind, verb) = if *change_bp < 0 {
                (AlertKind::PriceDrop, "fell")
            } else {
                (AlertKind::PriceRise, "rose")
            };
            let change = change_bp.unsigned_abs();
            let message = format!(
                "offer {id}: the unit price at {qty} pieces {verb} from ¥{old} to ¥{new} ({}{}.{:02}%)",
                if *change_bp < 0 { "-" } else { "+" },
                change / 100,
                change % 100
            );
            (kind, Some(*old), Some(*new), String::new(), message)
        }
        Event::AtOrBelowTarget { old, new, target } => {
            details.target_price = Some(*target);
            let message = format!(
                "offer {id}: the unit price at {qty} pieces is ¥{new}, at or below the target ¥{target} (was {})",
                yuan(*old)
            );
            (
                AlertKind::AtOrBelowTarget,
                *old,
                Some(*new),
                String::new(),
                message,
            )
        }
        Event::OutOfStock { sku } | Event::BackInStock { sku } => {
            details.sku = Some(sku.clone());
            details.sku_specs = offer.skus.iter().find(|s| s.sku_id == *sku).map(|s| {
                let values: Vec<&str> = s.specs.iter().map(|spec| spec.value.as_str()).collect();
                values.join(" / ")
            });
            let (kind, what) = match event {
                Event::OutOfStock { .. } => (AlertKind::OutOfStock, "cannot supply"),
                _ => (AlertKind::BackInStock, "can supply again"),
            };
            let message = format!("offer {id}: SKU {sku} {what} {qty} pieces");
            (kind, None, None, sku.clone(), message)
        }
        Event::TiersChanged { old, new } => {
            let message = format!(
                "offer {id}: the tiers changed from {} to {}",
                shape(old),
                shape(new)
            );
            details.old_tiers = Some(old.clone());
            details.new_tiers = Some(new.clone());
            (AlertKind::TiersChanged, None, None, String::new(), message)
        }
        Event::Delisted { status } => {
            details.status = status.clone();
            let message = format!(
                "offer {id} is no longer listed (status {})",
                status.as_deref().unwrap_or("unknown")
            );
            (AlertKind::Delisted, None, None, String::new(), message)
        }
        Event::Relisted => (
            AlertKind::Relisted,
            None,
            None,
            String::new(),
            format!("offer {id} is listed again"),
        ),
    };
    RaisedAlert {
        kind,
        old_price: old,
        new_price: new,
        event_key: key,
        message,
        details: serde_json::to_string(&details).expect("details serialize"),
    }
}

/// Stores one alert for `event`; an alert for the same event already stored stays as it is.
fn raise(
    conn: &Connection,
    offer: &Offer,
    qty: u32,
    event: &Event,
    at: Stamp,
) -> rusqlite::Result<()> {
    let alert = describe(offer, qty, event);
    conn.execute(
        "INSERT OR IGNORE INTO alerts (offer_id, kind, message, old_price, new_price, created_at, qty,
             event_key, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            offer.offer_id.as_str(),
            alert.kind.as_str(),
            alert.message,
            alert.old_price,
            alert.new_price,
            at,
            qty,
            alert.event_key,
            alert.details
        ],
    )?;
    Ok(())
}

/// An alert as kept (locally or by the team), to be read back as an [`Alert`].
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub alert_id: i64,
    pub offer_id: OfferId,
    pub title: Option<String>,
    /// [`AlertKind::as_str`].
    pub kind: String,
    pub target_qty: Option<u32>,
    pub old_price: Option<Money>,
    pub new_price: Option<Money>,
    pub at: DateTime<Utc>,
    pub seen: bool,
    pub message: String,
    /// [`RaisedAlert::details`].
    pub details: String,
}

impl From<AlertRow> for Alert {
    fn from(row: AlertRow) -> Alert {
        let details: Details = serde_json::from_str(&row.details).unwrap_or_default();
        Alert {
            alert_id: row.alert_id,
            offer_id: row.offer_id,
            title: row.title,
            kind: AlertKind::parse(&row.kind),
            target_qty: row.target_qty,
            old_price: row.old_price,
            new_price: row.new_price,
            change_bp: details.change_bp,
            target_price: details.target_price,
            sku: details.sku,
            sku_specs: details.sku_specs,
            old_tiers: details.old_tiers,
            new_tiers: details.new_tiers,
            status: details.status,
            at: row.at,
            seen: row.seen,
            message: row.message,
            raised_by: None,
            seen_by: Vec::new(),
        }
    }
}

/// The current out-of-stock set for display, in order.
pub(super) fn out_of_stock_list(told: &Told) -> Vec<String> {
    told.out_of_stock
        .iter()
        .flat_map(BTreeSet::iter)
        .cloned()
        .collect()
}

impl Store {
    /// Alerts, newest first; `unseen_only` leaves out those already seen.
    pub fn alerts(&self, unseen_only: bool) -> Result<Vec<Alert>> {
        self.query_alerts("(?1 = 0 OR a.seen_at IS NULL)", params![unseen_only])
    }

    /// The newest alert's ID (0 with none): what a round of checks raised comes after it.
    pub fn last_alert_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(alert_id), 0) FROM alerts", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.error("reading alerts", e))
    }

    /// Alerts raised after the one with ID `after`, newest first.
    pub fn alerts_after(&self, after: i64) -> Result<Vec<Alert>> {
        self.query_alerts("a.alert_id > ?1", params![after])
    }

    fn query_alerts(&self, filter: &str, values: impl rusqlite::Params) -> Result<Vec<Alert>> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT a.alert_id, a.offer_id, o.title, a.kind, a.qty, a.old_price,
                        a.new_price, a.created_at, a.seen_at IS NOT NULL, a.message, a.details
                 FROM alerts a
                 LEFT JOIN offers o ON o.offer_id = a.offer_id
                 WHERE {filter}
                 ORDER BY a.created_at DESC, a.alert_id DESC LIMIT 200"
            ))
            .map_err(|e| self.error("reading alerts", e))?;
        let rows = statement
            .query_map(values, |r| {
                let offer_id: String = r.get(1)?;
                Ok(Alert::from(AlertRow {
                    alert_id: r.get(0)?,
                    offer_id: OfferId::parse(&offer_id).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            1,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                    title: r.get(2)?,
                    kind: r.get(3)?,
                    target_qty: r.get(4)?,
                    old_price: r.get(5)?,
                    new_price: r.get(6)?,
                    at: r.get::<_, Stamp>(7)?.0,
                    seen: r.get(8)?,
                    message: r.get(9)?,
                    details: r.get(10)?,
                }))
            })
            .map_err(|e| self.error("reading alerts", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("reading alerts", e))
    }

    /// Marks every alert seen; returns how many were new.
    pub fn mark_alerts_seen(&mut self, now: DateTime<Utc>) -> Result<u64> {
        self.conn
            .execute(
                "UPDATE alerts SET seen_at = ?1 WHERE seen_at IS NULL",
                [Stamp(now)],
            )
            .map(|n| n as u64)
            .map_err(|e| self.error("marking alerts seen", e))
    }

    /// Marks one alert seen; false when it was already seen or does not exist.
    pub fn mark_alert_seen(&mut self, alert_id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE alerts SET seen_at = ?2 WHERE alert_id = ?1 AND seen_at IS NULL",
                params![alert_id, Stamp(now)],
            )
            .map(|n| n == 1)
            .map_err(|e| self.error("marking an alert seen", e))
    }

    /// The alerts the desktop has not been told about yet, oldest first, now noted as told:
    /// whichever process raised them, each is notified once.
    pub fn take_unnotified_alerts(&mut self, now: DateTime<Utc>) -> Result<Vec<Alert>> {
        let fail = |e| super::classify(&self.path, "noting notified alerts", e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let ids: Vec<i64> = {
            let mut statement = tx
                .prepare("SELECT alert_id FROM alerts WHERE notified_at IS NULL ORDER BY alert_id")
                .map_err(fail)?;
            let rows = statement.query_map([], |r| r.get(0)).map_err(fail)?;
            rows.collect::<rusqlite::Result<_>>().map_err(fail)?
        };
        tx.execute(
            "UPDATE alerts SET notified_at = ?1 WHERE notified_at IS NULL",
            [Stamp(now)],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        let Some(first) = ids.first() else {
            return Ok(Vec::new());
        };
        let mut alerts = self.alerts_after(first - 1)?;
        alerts.retain(|a| ids.binary_search(&a.alert_id).is_ok());
        alerts.reverse();
        Ok(alerts)
    }
}
