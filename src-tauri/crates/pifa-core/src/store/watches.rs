//! Price watches: offers the buyer follows at a target quantity. Every check stores the fresh
//! detail like any other fetch (recording a price point when prices moved); a move of at least
//! the watch's threshold between the last two points raises one alert.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::offer::tiers::{minimum_order, tier_at};
use crate::offer::{Percent, Tier};
use crate::{Error, Money, OfferId, Result};

/// A move of 5% or more alerts unless the buyer chose otherwise.
pub const DEFAULT_ALERT_BP: u32 = 500;

/// The most points a price chart gets: more than its width in pixels, and few enough for any
/// webview however long the watch has run.
pub const CHART_POINTS: usize = 2_000;

/// What one watch shows in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Watch {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub target_qty: u32,
    /// A move of at least this much between two checks raises an alert.
    pub alert_threshold: Percent,
    /// The unit price at the target quantity now, and when the watch began.
    pub current_price: Option<Money>,
    pub first_price: Option<Money>,
    /// From the first price to the current one, in hundredths of a percent (-250 = 2.5% down).
    #[ts(type = "number | null")]
    pub change_bp: Option<i64>,
    /// Price points recorded for this offer.
    pub points: u32,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub last_checked_at: Option<DateTime<Utc>>,
    /// Why the last check failed, if it did: in English, for the command line and logs…
    pub last_error: Option<String>,
    /// …and its stable code (see `ErrorCode`), which the app explains in the user's language;
    /// `null` for failures noted before Pifa kept it.
    pub last_error_code: Option<String>,
    #[ts(type = "string | null")]
    pub paused_until: Option<DateTime<Utc>>,
}

/// The unit price at a quantity at one moment: one point of a price chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PricePoint {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// `null` when that answer had no price for the quantity.
    pub unit_price: Option<Money>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AlertKind {
    PriceDrop,
    PriceRise,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::PriceDrop => "price_drop",
            AlertKind::PriceRise => "price_rise",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
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
    pub old_price: Option<Money>,
    pub new_price: Option<Money>,
    /// The price point that moved.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub seen: bool,
    /// In English, for the command line and logs; the app words it from the fields.
    pub message: String,
}

/// The unit price a recorded price snapshot gives at `qty` pieces (raised to the first tier):
/// its tiers when it has them, else its lowest SKU price, else its lowest price.
fn price_at(
    tiers: &[Tier],
    sku_low: Option<Money>,
    lowest: Option<Money>,
    qty: u32,
) -> Option<Money> {
    match tiers.first() {
        Some(first) => tier_at(tiers, qty.max(first.min_qty)).map(|t| t.price),
        None => sku_low.or(lowest),
    }
}

/// At most `max` (at least 6) of `points`, in order: evenly spaced ones plus the lowest and the
/// highest priced, so the chart keeps its ends and its range.
fn thin(points: Vec<PricePoint>, max: usize) -> Vec<PricePoint> {
    let n = points.len();
    if n <= max {
        return points;
    }
    let priced = || {
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.unit_price.map(|price| (i, price)))
    };
    let lowest = priced().min_by_key(|(_, price)| *price).map(|(i, _)| i);
    let highest = priced().max_by_key(|(_, price)| *price).map(|(i, _)| i);
    // Two places are left for the extremes; the even spread includes the first and the last.
    let spread = max.saturating_sub(2).max(2);
    let mut keep: Vec<usize> = (0..spread)
        .map(|k| k * (n - 1) / (spread - 1))
        .chain(lowest)
        .chain(highest)
        .collect();
    keep.sort_unstable();
    keep.dedup();
    points
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.binary_search(i).is_ok())
        .map(|(_, point)| point)
        .collect()
}

/// A `watches` row: offer, target, threshold, created, last checked, last error.
type WatchRow = (
    String,
    u32,
    Percent,
    Stamp,
    Option<Stamp>,
    Option<String>,
    Option<String>,
);

/// How far `new` is from `old`, in hundredths of a percent of `old`.
fn change_bp(old: Money, new: Money) -> Option<i64> {
    let old = i128::from(old.units());
    (old > 0).then(|| ((i128::from(new.units()) - old) * 10_000 / old) as i64)
}

impl Store {
    /// Starts watching a stored offer at a quantity (or changes the quantity and threshold).
    pub fn watch_offer(
        &mut self,
        offer_id: &OfferId,
        target_qty: u32,
        alert_threshold: Option<Percent>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.offer(offer_id)?;
        let threshold = Percent {
            basis_points: alert_threshold.map_or(DEFAULT_ALERT_BP, |p| p.basis_points.max(1)),
        };
        self.conn
            .execute(
                "INSERT INTO watches (offer_id, target_qty, alert_threshold_bp, created_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (offer_id) DO UPDATE SET target_qty = excluded.target_qty,
                     alert_threshold_bp = excluded.alert_threshold_bp",
                params![offer_id.as_str(), target_qty.max(1), threshold, Stamp(now)],
            )
            .map(drop)
            .map_err(|e| self.error("starting a watch", e))
    }

    /// Stops watching; the offer, its price history and its alerts stay.
    pub fn unwatch_offer(&mut self, offer_id: &OfferId) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM watches WHERE offer_id = ?1",
                [offer_id.as_str()],
            )
            .map(drop)
            .map_err(|e| self.error("stopping a watch", e))
    }

    /// Every watch, oldest first.
    pub fn watches(&self, now: DateTime<Utc>) -> Result<Vec<Watch>> {
        self.watches_of(None, now)
    }

    /// The watch on one offer, if there is one.
    pub fn watch(&self, offer_id: &OfferId, now: DateTime<Utc>) -> Result<Option<Watch>> {
        Ok(self.watches_of(Some(offer_id), now)?.pop())
    }

    fn watches_of(&self, only: Option<&OfferId>, now: DateTime<Utc>) -> Result<Vec<Watch>> {
        let rows: Vec<WatchRow> = {
            let mut statement = self
                .conn
                .prepare(
                    "SELECT offer_id, target_qty, alert_threshold_bp, created_at, last_checked_at, last_error,
                            last_error_code
                     FROM watches WHERE ?1 IS NULL OR offer_id = ?1 ORDER BY created_at, offer_id",
                )
                .map_err(|e| self.error("listing watches", e))?;
            let rows = statement
                .query_map([only.map(OfferId::as_str)], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .map_err(|e| self.error("listing watches", e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.error("listing watches", e))?
        };
        let mut watches = Vec::with_capacity(rows.len());
        for (offer_id, target_qty, threshold, created_at, checked, last_error, last_error_code) in
            rows
        {
            let offer_id = OfferId::parse(&offer_id)?;
            let offer = self.offer(&offer_id)?;
            let history = self.price_history(&offer_id, target_qty)?;
            let priced = || history.iter().filter_map(|p| p.unit_price);
            let (first_price, current_price) = (priced().next(), priced().next_back());
            watches.push(Watch {
                title: offer.title.or(offer.title_en),
                target_qty,
                alert_threshold: threshold,
                change_bp: first_price
                    .zip(current_price)
                    .and_then(|(a, b)| change_bp(a, b)),
                current_price,
                first_price,
                points: history.len() as u32,
                created_at: created_at.0,
                last_checked_at: checked.map(DateTime::from),
                last_error,
                last_error_code,
                paused_until: self.paused_until(&offer_id, now)?,
                offer_id,
            });
        }
        Ok(watches)
    }

    /// Watched offers not checked within `interval`, oldest check first.
    pub fn due_watches(&self, now: DateTime<Utc>, interval: Duration) -> Result<Vec<OfferId>> {
        let before = Stamp(now - interval);
        let mut statement = self
            .conn
            .prepare(
                "SELECT offer_id FROM watches
                 WHERE last_checked_at IS NULL OR last_checked_at < ?1
                 ORDER BY last_checked_at IS NOT NULL, last_checked_at",
            )
            .map_err(|e| self.error("finding due watches", e))?;
        let rows = statement
            .query_map([before], |r| r.get::<_, String>(0))
            .map_err(|e| self.error("finding due watches", e))?;
        let ids: Vec<String> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("finding due watches", e))?;
        ids.iter()
            .map(|id| OfferId::parse(id).map_err(Error::from))
            .collect()
    }

    /// Notes a check of a watched offer: when, and why it failed if it did (`(code, message)`).
    pub fn record_watch_check(
        &mut self,
        offer_id: &OfferId,
        failure: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (code, message) = failure.unzip();
        self.conn
            .execute(
                "UPDATE watches SET last_checked_at = ?2, last_error = ?3, last_error_code = ?4
                 WHERE offer_id = ?1",
                params![offer_id.as_str(), Stamp(now), message, code],
            )
            .map(drop)
            .map_err(|e| self.error("recording a watch check", e))
    }

    /// The unit price at `qty` pieces at every recorded price point, oldest first.
    pub fn price_history(&self, offer_id: &OfferId, qty: u32) -> Result<Vec<PricePoint>> {
        let minimum = minimum_order(&self.offer(offer_id)?);
        let qty = qty.max(minimum);
        let mut statement = self
            .conn
            .prepare(
                "SELECT observed_at, tiers, sku_low, lowest_price FROM price_points
                 WHERE offer_id = ?1 ORDER BY observed_at",
            )
            .map_err(|e| self.error("reading price history", e))?;
        let rows = statement
            .query_map([offer_id.as_str()], |r| {
                let tiers: Vec<Tier> =
                    serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default();
                Ok(PricePoint {
                    at: r.get::<_, Stamp>(0)?.0,
                    unit_price: price_at(&tiers, r.get(2)?, r.get(3)?, qty),
                })
            })
            .map_err(|e| self.error("reading price history", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("reading price history", e))
    }

    /// The price history for a chart: at most [`CHART_POINTS`] points, spread evenly over the
    /// history, always with the first, the last, the lowest and the highest price.
    pub fn price_chart(&self, offer_id: &OfferId, qty: u32) -> Result<Vec<PricePoint>> {
        Ok(thin(self.price_history(offer_id, qty)?, CHART_POINTS))
    }

    /// Compares a watched offer's newest price point with the one before at the watch's
    /// quantity; a move of at least the threshold raises an alert, once per point.
    pub fn check_watch_alert(&mut self, offer_id: &OfferId) -> Result<Option<Alert>> {
        let watch: Option<(u32, Percent)> = self
            .conn
            .query_row(
                "SELECT target_qty, alert_threshold_bp FROM watches WHERE offer_id = ?1",
                [offer_id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.error("reading a watch", e))?;
        let Some((target_qty, threshold)) = watch else {
            return Ok(None);
        };
        let history = self.price_history(offer_id, target_qty)?;
        let [.., before, newest] = history.as_slice() else {
            return Ok(None);
        };
        let (Some(old), Some(new)) = (before.unit_price, newest.unit_price) else {
            return Ok(None);
        };
        let Some(change) =
            change_bp(old, new).filter(|c| c.unsigned_abs() >= u64::from(threshold.basis_points))
        else {
            return Ok(None);
        };
        let at = Stamp(newest.at);
        let known: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM alerts WHERE offer_id = ?1 AND created_at = ?2)",
                params![offer_id.as_str(), at],
                |r| r.get(0),
            )
            .map_err(|e| self.error("reading alerts", e))?;
        if known {
            return Ok(None);
        }
        let kind = if change < 0 {
            AlertKind::PriceDrop
        } else {
            AlertKind::PriceRise
        };
        let message = format!(
            "offer {offer_id}: the unit price at {target_qty} pieces {} from ¥{old} to ¥{new} ({}{}.{:02}%)",
            if change < 0 { "fell" } else { "rose" },
            if change < 0 { "-" } else { "+" },
            change.unsigned_abs() / 100,
            change.unsigned_abs() % 100
        );
        self.conn
            .execute(
                "INSERT INTO alerts (offer_id, kind, message, old_price, new_price, created_at, qty)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    offer_id.as_str(),
                    kind.as_str(),
                    message,
                    old,
                    new,
                    at,
                    target_qty
                ],
            )
            .map_err(|e| self.error("raising an alert", e))?;
        let alert_id = self.conn.last_insert_rowid();
        Ok(self.query_alerts(false, Some(alert_id))?.pop())
    }

    /// Alerts, newest first; `unseen_only` leaves out those already seen.
    pub fn alerts(&self, unseen_only: bool) -> Result<Vec<Alert>> {
        self.query_alerts(unseen_only, None)
    }

    fn query_alerts(&self, unseen_only: bool, alert_id: Option<i64>) -> Result<Vec<Alert>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT a.alert_id, a.offer_id, o.title, a.kind, a.qty, a.old_price,
                        a.new_price, a.created_at, a.seen_at IS NOT NULL, a.message
                 FROM alerts a
                 LEFT JOIN offers o ON o.offer_id = a.offer_id
                 WHERE (?1 = 0 OR a.seen_at IS NULL) AND (?2 IS NULL OR a.alert_id = ?2)
                 ORDER BY a.created_at DESC, a.alert_id DESC LIMIT 200",
            )
            .map_err(|e| self.error("reading alerts", e))?;
        let rows = statement
            .query_map(params![unseen_only, alert_id], |r| {
                let offer_id: String = r.get(1)?;
                let kind: String = r.get(3)?;
                Ok(Alert {
                    alert_id: r.get(0)?,
                    offer_id: OfferId::parse(&offer_id).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            1,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                    title: r.get(2)?,
                    kind: if kind == "price_drop" {
                        AlertKind::PriceDrop
                    } else {
                        AlertKind::PriceRise
                    },
                    target_qty: r.get(4)?,
                    old_price: r.get(5)?,
                    new_price: r.get(6)?,
                    at: r.get::<_, Stamp>(7)?.0,
                    seen: r.get(8)?,
                    message: r.get(9)?,
                })
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_prices_a_quantity_by_its_tiers_else_its_lowest_prices() {
        let m = |s: &str| s.parse::<Money>().unwrap();
        let tiers = [
            Tier {
                min_qty: 2,
                price: m("12.50"),
            },
            Tier {
                min_qty: 100,
                price: m("11.00"),
            },
        ];
        assert_eq!(price_at(&tiers, None, None, 1), Some(m("12.50")));
        assert_eq!(price_at(&tiers, None, None, 150), Some(m("11.00")));
        assert_eq!(
            price_at(&[], Some(m("7.20")), Some(m("9")), 5),
            Some(m("7.20"))
        );
        assert_eq!(
            price_at(&[], None, None, 5),
            None,
            "a missing price stays missing"
        );
        assert_eq!(change_bp(m("10.00"), m("9.40")), Some(-600));
        assert_eq!(change_bp(m("0"), m("1")), None);
    }

    #[test]
    fn thinning_keeps_short_histories_whole_and_long_ones_within_the_cap() {
        let point = |minute: i64, units: Option<i64>| PricePoint {
            at: DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minute),
            unit_price: units.map(Money::from_units),
        };
        let short: Vec<_> = (0..6).map(|i| point(i, Some(i))).collect();
        assert_eq!(thin(short.clone(), 6), short);

        // The extremes sit between the evenly spaced picks, and unpriced points are no extreme.
        let mut long: Vec<_> = (0..1_000).map(|i| point(i, Some(500))).collect();
        long[333] = point(333, Some(1));
        long[667] = point(667, Some(900));
        long[500] = point(500, None);
        let thinned = thin(long, 10);
        assert!(thinned.len() <= 10, "{}", thinned.len());
        let minutes: Vec<i64> = thinned
            .iter()
            .map(|p| (p.at - DateTime::<Utc>::UNIX_EPOCH).num_minutes())
            .collect();
        for kept in [0, 333, 667, 999] {
            assert!(minutes.contains(&kept), "{kept} missing from {minutes:?}");
        }
        assert!(minutes.windows(2).all(|w| w[0] < w[1]), "in order");
    }
}
