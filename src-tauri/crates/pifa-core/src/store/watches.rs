//! Price watches: offers the buyer follows at a target quantity, with their alert rules and
//! snooze. Every check stores the fresh detail like any other fetch (recording a price point when
//! prices moved); alerts are raised where observations are stored (`alerts.rs`).

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::alerts::{out_of_stock_list, rules_from_row, told_from, told_json, WATCH_RULE_COLUMNS};
use super::codec::Stamp;
use super::Store;
use crate::offer::tiers::{order_size, OrderPricing, OrderSize};
use crate::offer::{Offer, Percent};
use crate::watch::rules::{change_bp, Earlier, Seen, Snooze, Told, WatchRules, DEFAULT_ALERT_BP};
use crate::{Error, Money, OfferId, Result};

/// What one watch shows in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Watch {
    pub offer_id: OfferId,
    pub title: Option<String>,
    /// The offer's main picture.
    pub image: Option<String>,
    pub target_qty: u32,
    /// The move rule's threshold (the default when moves are not alerted).
    pub alert_threshold: Percent,
    pub rules: WatchRules,
    pub state: WatchState,
    /// The order the target quantity takes on the offer as stored, which its prices are for,
    /// when that is more (raised to the minimum, in whole lots); `null` when the order is the
    /// quantity itself or this store lacks the offer.
    pub order: Option<OrderSize>,
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
    /// Team mode: the member who set its rules last, and whose check was the last; `null` on
    /// this computer's own watches.
    #[serde(default)]
    pub set_by: Option<String>,
    #[serde(default)]
    pub last_checked_by: Option<String>,
}

/// Where a watch stands: what the buyer was last told, and its snooze.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WatchState {
    /// The price moves are measured from: the last one alerted about, or the start.
    pub baseline_price: Option<Money>,
    /// An "at or below target" alert was raised and the price has not risen clear of it since.
    pub at_or_below_target: bool,
    /// SKUs the buyer was told cannot supply the quantity.
    pub out_of_stock: Vec<String>,
    pub delisted: bool,
    /// No alerts until then…
    #[ts(type = "string | null")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// …or until the price crosses the target price.
    pub snoozed_until_target: bool,
    /// Alerts in the last 24 hours (the daily cap counts these).
    pub alerts_today: u32,
    /// When the newest observation weighed against the rules was fetched.
    #[ts(type = "string | null")]
    pub observed_at: Option<DateTime<Utc>>,
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

/// A `watches` row: offer, target, created, last checked, last error and its code, rules, told,
/// observed, snoozed until, snoozed until the target.
struct WatchRow {
    offer_id: String,
    target_qty: u32,
    created_at: Stamp,
    checked: Option<Stamp>,
    last_error: Option<String>,
    last_error_code: Option<String>,
    rules: WatchRules,
    told: Told,
    observed_at: Option<Stamp>,
    snoozed_until: Option<Stamp>,
    snoozed_until_target: bool,
}

/// What a watch is besides its offer: the one shape this computer's watches and the team's
/// copy both take to be shown.
pub(super) struct WatchParts {
    pub offer_id: OfferId,
    pub target_qty: u32,
    pub rules: WatchRules,
    pub told: Told,
    pub observed_at: Option<DateTime<Utc>>,
    pub snooze: Snooze,
    pub created_at: DateTime<Utc>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    pub alerts_today: u32,
    /// Team mode: who set it, and whose check was the last.
    pub set_by: Option<String>,
    pub last_checked_by: Option<String>,
}

impl Store {
    /// Starts watching a stored offer at a quantity (or changes the quantity and threshold),
    /// keeping a watch's other rules; a new watch alerts on moves of 5% either way.
    pub fn watch_offer(
        &mut self,
        offer_id: &OfferId,
        target_qty: u32,
        alert_threshold: Option<Percent>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut rules = self
            .watch(offer_id, now)?
            .map_or_else(WatchRules::default, |w| w.rules);
        if let Some(threshold) = alert_threshold {
            let default = WatchRules::default()
                .moves
                .expect("moves are on by default");
            rules.moves.get_or_insert(default).threshold = threshold;
        }
        self.set_watch(offer_id, target_qty, &rules, now)
    }

    /// Watches a stored offer at a quantity with these rules, or changes a watch. What the
    /// buyer was told starts from the stored offer: a new quantity measures moves from today's
    /// price there, a new target or stock rule starts unalerted; the rest is kept.
    pub fn set_watch(
        &mut self,
        offer_id: &OfferId,
        target_qty: u32,
        rules: &WatchRules,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let offer = self.offer(offer_id)?;
        let target_qty = target_qty.max(1);
        rules.check(&offer)?;
        let before = self.watch_row(offer_id)?;
        // A search item is no complete observation: everything starts at the first detail.
        let sku = rules.stock.as_ref().and_then(|s| s.sku.as_deref());
        let seen = offer
            .source
            .is_detail()
            .then(|| Seen::of(&offer, target_qty, sku));
        let earlier = before.as_ref().map(|old| Earlier {
            qty: old.target_qty,
            rules: &old.rules,
            told: &old.told,
        });
        let told = Told::after_edit(earlier, rules, target_qty, seen.as_ref());
        let observed_at = match &before {
            Some(old) => old.observed_at,
            None => seen.is_some().then_some(Stamp(offer.fetched_at)),
        };
        let moves = rules.moves;
        let threshold = moves.map_or(DEFAULT_ALERT_BP, |m| m.threshold.basis_points);
        let stock_sku = rules.stock.as_ref().and_then(|s| s.sku.clone());
        // Snoozing "until the target" means nothing without a target.
        let keep_target_snooze = rules.target_price.is_some();
        self.conn
            .execute(
                "INSERT INTO watches (offer_id, target_qty, alert_threshold_bp, created_at,
                     move_direction, target_price, stock_rule, stock_sku, tiers_rule,
                     delisting_rule, daily_cap, told, observed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (offer_id) DO UPDATE SET target_qty = excluded.target_qty,
                     alert_threshold_bp = excluded.alert_threshold_bp,
                     move_direction = excluded.move_direction, target_price = excluded.target_price,
                     stock_rule = excluded.stock_rule, stock_sku = excluded.stock_sku,
                     tiers_rule = excluded.tiers_rule, delisting_rule = excluded.delisting_rule,
                     daily_cap = excluded.daily_cap, told = excluded.told,
                     observed_at = excluded.observed_at,
                     snooze_until_target = snooze_until_target AND ?14",
                params![
                    offer_id.as_str(),
                    target_qty,
                    threshold,
                    Stamp(now),
                    moves.map(|m| m.direction.as_str()),
                    rules.target_price,
                    rules.stock.is_some(),
                    stock_sku,
                    rules.tiers,
                    rules.delisting,
                    rules.daily_cap,
                    told_json(&told),
                    observed_at,
                    keep_target_snooze,
                ],
            )
            .map(drop)
            .map_err(|e| self.error("starting a watch", e))
    }

    /// Snoozes a watch's alerts until a time, or until the price crosses its target; with
    /// neither, ends a snooze.
    pub fn snooze_watch(
        &mut self,
        offer_id: &OfferId,
        until: Option<DateTime<Utc>>,
        until_target: bool,
    ) -> Result<()> {
        let Some(watch) = self.watch_row(offer_id)? else {
            return Err(Error::WatchNotFound(offer_id.to_string()));
        };
        if until_target && watch.rules.target_price.is_none() {
            return Err(Error::WatchBadRule(
                "snoozing until the target needs a target price".into(),
            ));
        }
        self.conn
            .execute(
                "UPDATE watches SET snoozed_until = ?2, snooze_until_target = ?3 WHERE offer_id = ?1",
                params![offer_id.as_str(), until.map(Stamp), until_target],
            )
            .map(drop)
            .map_err(|e| self.error("snoozing a watch", e))
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

    fn watch_row(&self, offer_id: &OfferId) -> Result<Option<WatchRow>> {
        Ok(self.watch_rows(Some(offer_id))?.pop())
    }

    fn watch_rows(&self, only: Option<&OfferId>) -> Result<Vec<WatchRow>> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT offer_id, target_qty, created_at, last_checked_at, last_error,
                        last_error_code, told, observed_at, snoozed_until, snooze_until_target,
                        {WATCH_RULE_COLUMNS}
                 FROM watches WHERE ?1 IS NULL OR offer_id = ?1 ORDER BY created_at, offer_id"
            ))
            .map_err(|e| self.error("listing watches", e))?;
        let rows = statement
            .query_map([only.map(OfferId::as_str)], |r| {
                Ok(WatchRow {
                    offer_id: r.get(0)?,
                    target_qty: r.get(1)?,
                    created_at: r.get(2)?,
                    checked: r.get(3)?,
                    last_error: r.get(4)?,
                    last_error_code: r.get(5)?,
                    told: told_from(&r.get::<_, String>(6)?),
                    observed_at: r.get(7)?,
                    snoozed_until: r.get(8)?,
                    snoozed_until_target: r.get(9)?,
                    rules: rules_from_row(r, 10)?,
                })
            })
            .map_err(|e| self.error("listing watches", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("listing watches", e))
    }

    /// Alerts about an offer in the 24 hours before `now`.
    fn alerts_in_day(&self, offer_id: &OfferId, now: DateTime<Utc>) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM alerts WHERE offer_id = ?1 AND created_at > ?2",
                params![offer_id.as_str(), Stamp(now - Duration::hours(24))],
                |r| r.get(0),
            )
            .map_err(|e| self.error("counting alerts", e))
    }

    fn watches_of(&self, only: Option<&OfferId>, now: DateTime<Utc>) -> Result<Vec<Watch>> {
        let rows = self.watch_rows(only)?;
        let mut watches = Vec::with_capacity(rows.len());
        for row in rows {
            let offer_id = OfferId::parse(&row.offer_id)?;
            let parts = WatchParts {
                alerts_today: self.alerts_in_day(&offer_id, now)?,
                offer_id,
                target_qty: row.target_qty,
                rules: row.rules,
                told: row.told,
                observed_at: row.observed_at.map(|s| s.0),
                snooze: Snooze {
                    until: row.snoozed_until.map(|s| s.0),
                    until_target: row.snoozed_until_target,
                },
                created_at: row.created_at.0,
                last_checked_at: row.checked.map(|s| s.0),
                last_error: row.last_error,
                last_error_code: row.last_error_code,
                set_by: None,
                last_checked_by: None,
            };
            watches.push(self.watch_view(parts, now)?);
        }
        Ok(watches)
    }

    /// A watch as the lists show it, with what this store holds of its offer (title, picture,
    /// price history); a team watch on an offer only others have fetched shows without them.
    pub(super) fn watch_view(&self, w: WatchParts, now: DateTime<Utc>) -> Result<Watch> {
        let (title, image, order, history, paused_until) = match self.offer(&w.offer_id) {
            Ok(offer) => (
                offer.title.clone().or_else(|| offer.title_en.clone()),
                offer.images.first().cloned(),
                order_size(&offer, w.target_qty)
                    .ok()
                    .filter(|o| o.order_qty != o.requested_qty),
                self.history_of(&offer, w.target_qty)?,
                self.paused_until(&w.offer_id, now)?,
            ),
            Err(Error::OfferNotFound(_)) => (None, None, None, Vec::new(), None),
            Err(e) => return Err(e),
        };
        let priced = || history.iter().filter_map(|p| p.unit_price);
        let (first_price, current_price) = (priced().next(), priced().next_back());
        Ok(Watch {
            title,
            image,
            target_qty: w.target_qty,
            alert_threshold: Percent {
                basis_points: w
                    .rules
                    .moves
                    .map_or(DEFAULT_ALERT_BP, |m| m.threshold.basis_points),
            },
            state: WatchState {
                baseline_price: w.told.price,
                at_or_below_target: w.told.below_target,
                out_of_stock: out_of_stock_list(&w.told),
                delisted: w.told.delisted.unwrap_or(false),
                snoozed_until: w.snooze.until.filter(|until| *until > now),
                snoozed_until_target: w.snooze.until_target,
                alerts_today: w.alerts_today,
                observed_at: w.observed_at,
            },
            rules: w.rules,
            change_bp: first_price
                .zip(current_price)
                .and_then(|(a, b)| change_bp(a, b)),
            order,
            current_price,
            first_price,
            points: history.len() as u32,
            created_at: w.created_at,
            last_checked_at: w.last_checked_at,
            last_error: w.last_error,
            last_error_code: w.last_error_code,
            paused_until,
            offer_id: w.offer_id,
            set_by: w.set_by,
            last_checked_by: w.last_checked_by,
        })
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

    /// The unit price at `qty` pieces at every recorded price point, oldest first (days older
    /// than the history keeps point by point: their open, low, high and close).
    pub fn price_history(&self, offer_id: &OfferId, qty: u32) -> Result<Vec<PricePoint>> {
        self.history_of(&self.offer(offer_id)?, qty)
    }

    /// [`Store::price_history`] of an offer already read: an order of `qty` priced as its
    /// offer page quotes it.
    fn history_of(&self, offer: &Offer, qty: u32) -> Result<Vec<PricePoint>> {
        let pricing = OrderPricing::of(offer, qty);
        let history = super::history::order_history(&self.conn, offer.offer_id.as_str(), pricing)
            .map_err(|e| self.error("reading price history", e))?;
        Ok(history
            .into_iter()
            .map(|(at, unit_price)| PricePoint { at, unit_price })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_is_measured_in_hundredths_of_a_percent_of_the_old_price() {
        let m = |s: &str| s.parse::<Money>().unwrap();
        assert_eq!(change_bp(m("10.00"), m("9.40")), Some(-600));
        assert_eq!(change_bp(m("0"), m("1")), None);
    }
}
