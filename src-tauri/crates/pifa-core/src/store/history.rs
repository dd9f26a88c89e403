//! Stored price history. `price_points` stay the record of each observation (tiers, SKU
//! prices) for [`HISTORY_RAW_KEPT`]; whole days older than that are compacted into `price_days`: per
//! day, the open, low, high and close (each with its time) of the schedule priced at every tier
//! break the day's observations named, and of each SKU's own price. A quantity's price on a
//! compacted day is the row of the largest break at or below it (else the smallest): between
//! two breaks of the union every observation's schedule is flat, so this is exact.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::codec::Stamp;
use super::Store;
use crate::history::{
    self, HistoryRange, PriceHistory, PriceMark, SeriesOf, Sparkline, CHART_BUCKETS, SPARK_BUCKETS,
};
use crate::offer::tiers::{minimum_order, tier_at, OrderPricing};
use crate::offer::{Offer, Tier};
use crate::{Money, OfferId, Result};

/// Every observation is kept this long; older days keep their open, low, high and close.
pub const HISTORY_RAW_KEPT: Duration = Duration::days(90);
/// How long compaction may hold the store at a time (on open, after a watch round); what is
/// left waits for the next time.
pub const COMPACT_BUDGET: std::time::Duration = std::time::Duration::from_millis(200);
/// SKU lines on one chart: more is noise.
const MAX_SKU_SERIES: usize = 12;
/// A sparkline covers the last 30 days.
const SPARK_SPAN: Duration = Duration::days(30);

/// The SKUs' own prices of an observation, as `price_points.skus` keeps them (`null` when the
/// offer has none).
pub(crate) fn sku_prices_json(offer: &Offer) -> Option<String> {
    let prices: BTreeMap<&str, Money> = offer
        .skus
        .iter()
        .filter_map(|s| s.price.map(|p| (s.sku_id.as_str(), p)))
        .collect();
    (!prices.is_empty()).then(|| serde_json::to_string(&prices).expect("prices serialize"))
}

/// One stored observation, parsed. Consecutive observations mostly repeat their tiers and SKU
/// prices, so the parsed forms are shared.
struct Observation {
    at: DateTime<Utc>,
    tiers: Rc<Vec<Tier>>,
    sku_low: Option<Money>,
    lowest: Option<Money>,
    skus: Rc<BTreeMap<String, Money>>,
}

impl Observation {
    /// The schedule at `qty`: the tier there (the first below them), else the lowest SKU or
    /// listed price. What a tier's line and a compacted day's rows hold.
    fn at_qty(&self, qty: u32) -> Option<Money> {
        match tier_at(&self.tiers, qty) {
            Some(tier) => Some(tier.price),
            None => self.sku_low.or(self.lowest),
        }
    }

    /// What an order costs a piece at this observation, under the offer's terms.
    fn ordered(&self, pricing: OrderPricing) -> Option<Money> {
        pricing.unit_price(&self.tiers, self.sku_low, self.lowest)
    }

    fn of_sku(&self, sku: &str) -> Option<Money> {
        self.skus.get(sku).copied()
    }
}

/// Observations of an offer from `since` (or all) up to `before` (or all), oldest first.
fn observations(
    conn: &Connection,
    offer_id: &str,
    since: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> rusqlite::Result<Vec<Observation>> {
    let mut statement = conn.prepare_cached(
        "SELECT observed_at, tiers, sku_low, lowest_price, skus FROM price_points
         WHERE offer_id = ?1 AND observed_at >= ?2 AND (?3 IS NULL OR observed_at < ?3)
         ORDER BY observed_at",
    )?;
    let since = since.map_or_else(String::new, Stamp::text);
    let mut rows = statement.query(params![offer_id, since, before.map(Stamp)])?;
    let mut out = Vec::new();
    let mut tiers_text = String::new();
    let mut tiers: Rc<Vec<Tier>> = Rc::default();
    let mut skus_text: Option<String> = None;
    let mut skus: Rc<BTreeMap<String, Money>> = Rc::default();
    while let Some(r) = rows.next()? {
        let text = r.get_ref(1)?.as_str()?;
        if text != tiers_text {
            tiers = Rc::new(parse_tiers(text));
            tiers_text = text.to_owned();
        }
        let text: Option<&str> = r.get_ref(4)?.as_str_or_null()?;
        if text != skus_text.as_deref() {
            skus = Rc::new(
                text.and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or_default(),
            );
            skus_text = text.map(str::to_owned);
        }
        out.push(Observation {
            at: r.get::<_, Stamp>(0)?.0,
            tiers: tiers.clone(),
            sku_low: r.get(2)?,
            lowest: r.get(3)?,
            skus: skus.clone(),
        });
    }
    Ok(out)
}

/// A stored tier as written (`{"minQty":2,"price":"12.5"}`), borrowed from the row.
#[derive(serde::Deserialize)]
struct StoredTier<'a> {
    #[serde(rename = "minQty")]
    min_qty: u32,
    price: &'a str,
}

/// A point's tiers. Reading a year of history parses thousands of these: plain decimals take
/// a short path; anything else goes through the full parser.
fn parse_tiers(text: &str) -> Vec<Tier> {
    let fast = serde_json::from_str::<Vec<StoredTier<'_>>>(text)
        .ok()
        .and_then(|stored| {
            stored
                .iter()
                .map(|t| {
                    Some(Tier {
                        min_qty: t.min_qty,
                        price: plain_decimal(t.price)?,
                    })
                })
                .collect::<Option<Vec<_>>>()
        });
    fast.unwrap_or_else(|| serde_json::from_str(text).unwrap_or_default())
}

/// "12.5" as money without allocating; `None` for any other form (signs, exponents, more than
/// four decimals), which the full parser handles.
fn plain_decimal(text: &str) -> Option<Money> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 4 {
        return None;
    }
    let digits = |part: &str| {
        part.bytes().try_fold(0i64, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let scale = 10i64.pow(4 - fraction.len() as u32);
    Some(Money::from_units(
        digits(whole)? * 10_000 + digits(fraction)? * scale,
    ))
}

/// A compacted day of one line: `min_qty` is the break for the schedule's rows, 0 for a SKU's.
struct DayRow {
    day: String,
    min_qty: u32,
    marks: [PriceMark; 4],
}

fn day_rows(
    conn: &Connection,
    offer_id: &str,
    sku_id: &str,
    since: Option<DateTime<Utc>>,
) -> rusqlite::Result<Vec<DayRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT day, min_qty, open, open_at, low, low_at, high, high_at, close, close_at
         FROM price_days WHERE offer_id = ?1 AND sku_id = ?2 AND day >= ?3
         ORDER BY day, min_qty",
    )?;
    let since = since.map_or_else(String::new, |s| s.format("%Y-%m-%d").to_string());
    let rows = statement.query_map(params![offer_id, sku_id, since], |r| {
        let mark = |price: usize| -> rusqlite::Result<PriceMark> {
            Ok(PriceMark {
                price: r.get(price)?,
                at: r.get::<_, Stamp>(price + 1)?.0,
            })
        };
        Ok(DayRow {
            day: r.get(0)?,
            min_qty: r.get(1)?,
            marks: [mark(2)?, mark(4)?, mark(6)?, mark(8)?],
        })
    })?;
    rows.collect()
}

/// The marks of compacted days at `qty` (SKU rows have one row a day: any `qty` picks it).
fn day_marks(rows: &[DayRow], qty: u32, since: Option<DateTime<Utc>>) -> Vec<PriceMark> {
    let mut out = Vec::new();
    let mut rest = rows;
    while let Some(first) = rest.first() {
        let len = rest.iter().take_while(|r| r.day == first.day).count();
        let (day, after) = rest.split_at(len);
        let row = day
            .iter()
            .rev()
            .find(|r| r.min_qty <= qty)
            .unwrap_or(&day[0]);
        let mut marks = row.marks;
        marks.sort_by_key(|m| m.at);
        for (i, mark) in marks.iter().enumerate() {
            let repeat = i > 0 && marks[i - 1] == *mark;
            if !repeat && since.is_none_or(|s| mark.at >= s) {
                out.push(*mark);
            }
        }
        rest = after;
    }
    out
}

/// Both stores of one line, merged in time order.
fn merged(mut days: Vec<PriceMark>, raw: impl Iterator<Item = PriceMark>) -> Vec<PriceMark> {
    let sorted = days.is_empty();
    days.extend(raw);
    if !sorted {
        days.sort_by_key(|m| m.at);
    }
    days
}

/// An order's line: its compacted days at the order's quantity, then its observations priced
/// under `pricing`. Compacted days keep the tier schedule, so there a per-SKU offer is priced by
/// its tiers (1688 sends such offers one tier: the minimum order at the lowest SKU price).
fn order_line(
    days: &[DayRow],
    raw: &[Observation],
    pricing: OrderPricing,
    since: Option<DateTime<Utc>>,
) -> Vec<PriceMark> {
    let days = pricing
        .order_qty()
        .map_or_else(Vec::new, |qty| day_marks(days, qty, since));
    merged(
        days,
        raw.iter().filter_map(|o| {
            o.ordered(pricing)
                .map(|price| PriceMark { at: o.at, price })
        }),
    )
}

/// What an order cost a piece over an offer's whole history, oldest first: its compacted days,
/// then each observation kept (`None` where it had no price for the order).
pub(crate) fn order_history(
    conn: &Connection,
    offer_id: &str,
    pricing: OrderPricing,
) -> rusqlite::Result<Vec<(DateTime<Utc>, Option<Money>)>> {
    let days = match pricing.order_qty() {
        Some(qty) => day_marks(&day_rows(conn, offer_id, "", None)?, qty, None),
        None => Vec::new(),
    };
    let raw = observations(conn, offer_id, None, None)?;
    Ok(days
        .into_iter()
        .map(|m| (m.at, Some(m.price)))
        .chain(raw.iter().map(|o| (o.at, o.ordered(pricing))))
        .collect())
}

/// What one compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct CompactReport {
    /// Observations folded into days.
    pub points: u64,
    /// Day rows written (or merged into).
    pub days: u64,
    /// Nothing older than [`HISTORY_RAW_KEPT`] is left.
    pub done: bool,
}

impl Store {
    /// Folds observations of whole days older than [`HISTORY_RAW_KEPT`] into daily rows, one offer per
    /// transaction, for at most `budget`.
    pub fn compact_history(
        &mut self,
        now: DateTime<Utc>,
        budget: std::time::Duration,
    ) -> Result<CompactReport> {
        let started = Instant::now();
        let cutoff = (now - HISTORY_RAW_KEPT)
            .date_naive()
            .and_time(NaiveTime::MIN)
            .and_utc();
        let mut report = CompactReport::default();
        loop {
            let next: Option<String> = self
                .conn
                .query_row(
                    "SELECT offer_id FROM price_points WHERE observed_at < ?1 LIMIT 1",
                    [Stamp(cutoff)],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.error("finding history to compact", e))?;
            let Some(offer_id) = next else {
                report.done = true;
                return Ok(report);
            };
            if started.elapsed() > budget {
                return Ok(report);
            }
            let (points, days) = self
                .compact_offer(&offer_id, cutoff)
                .map_err(|e| self.error("compacting price history", e))?;
            report.points += points;
            report.days += days;
        }
    }

    fn compact_offer(
        &mut self,
        offer_id: &str,
        cutoff: DateTime<Utc>,
    ) -> rusqlite::Result<(u64, u64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let points = observations(&tx, offer_id, None, Some(cutoff))?;
        let mut rows = 0;
        let mut rest = points.as_slice();
        while let Some(first) = rest.first() {
            let day = first.at.format("%Y-%m-%d").to_string();
            let len = rest
                .iter()
                .take_while(|o| o.at.date_naive() == first.at.date_naive())
                .count();
            let (group, after) = rest.split_at(len);
            let mut breaks: BTreeSet<u32> = group
                .iter()
                .flat_map(|o| o.tiers.iter().map(|t| t.min_qty))
                .collect();
            if breaks.is_empty() {
                breaks.insert(1);
            }
            for qty in breaks {
                let marks = group
                    .iter()
                    .filter_map(|o| o.at_qty(qty).map(|price| PriceMark { at: o.at, price }));
                rows += write_day(&tx, offer_id, "", &day, qty, marks)?;
            }
            let skus: BTreeSet<&String> = group.iter().flat_map(|o| o.skus.keys()).collect();
            for sku in skus {
                let marks = group
                    .iter()
                    .filter_map(|o| o.of_sku(sku).map(|price| PriceMark { at: o.at, price }));
                rows += write_day(&tx, offer_id, sku, &day, 0, marks)?;
            }
            rest = after;
        }
        tx.execute(
            "DELETE FROM price_points WHERE offer_id = ?1 AND observed_at < ?2",
            params![offer_id, Stamp(cutoff)],
        )?;
        tx.commit()?;
        Ok((points.len() as u64, rows))
    }

    /// An offer's price history over `range` for a chart: the unit price at `qty` (the watched
    /// quantity, else the minimum order), each tier break and each SKU's own price.
    pub fn price_history_of(
        &self,
        offer_id: &OfferId,
        range: HistoryRange,
        qty: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let offer = self.offer(offer_id)?;
        let qty = self.chart_qty(&offer, qty)?;
        let pricing = OrderPricing::of(&offer, qty);
        let since = range.span().map(|span| now - span);
        let fail = |e| self.error("reading price history", e);
        let id = offer_id.as_str();
        let raw = observations(&self.conn, id, since, None).map_err(fail)?;
        let schedule_days = day_rows(&self.conn, id, "", since).map_err(fail)?;
        let mut lines = vec![SeriesOf::Quantity { qty }];
        if offer.tiers.len() > 1 {
            lines.extend(
                offer
                    .tiers
                    .iter()
                    .map(|t| SeriesOf::Tier { min_qty: t.min_qty }),
            );
        }
        let priced_skus: Vec<_> = offer.skus.iter().filter(|s| s.price.is_some()).collect();
        if priced_skus.len() > 1 {
            lines.extend(priced_skus.iter().take(MAX_SKU_SERIES).map(|s| {
                SeriesOf::Sku {
                    sku_id: s.sku_id.clone(),
                    specs: s
                        .specs
                        .iter()
                        .map(|spec| spec.value.as_str())
                        .collect::<Vec<_>>()
                        .join(" / "),
                }
            }));
        }
        let mut all_marks = Vec::with_capacity(lines.len());
        for of in &lines {
            let marks = match of {
                SeriesOf::Quantity { .. } => order_line(&schedule_days, &raw, pricing, since),
                SeriesOf::Tier { min_qty: q } => merged(
                    day_marks(&schedule_days, *q, since),
                    raw.iter()
                        .filter_map(|o| o.at_qty(*q).map(|price| PriceMark { at: o.at, price })),
                ),
                SeriesOf::Sku { sku_id, .. } => merged(
                    day_marks(
                        &day_rows(&self.conn, id, sku_id, since).map_err(fail)?,
                        0,
                        since,
                    ),
                    raw.iter().filter_map(|o| {
                        o.of_sku(sku_id).map(|price| PriceMark { at: o.at, price })
                    }),
                ),
            };
            all_marks.push(marks);
        }
        let from = since.or_else(|| all_marks.first()?.first().map(|m| m.at));
        let start = from.unwrap_or(now);
        let series = lines
            .into_iter()
            .zip(&all_marks)
            .map(|(of, marks)| history::series(of, marks, start, now, CHART_BUCKETS))
            .collect();
        Ok(PriceHistory {
            offer_id: offer_id.clone(),
            title: offer.title.or(offer.title_en),
            qty,
            range,
            from,
            to: now,
            series,
        })
    }

    /// Sparklines for a page of list rows: each offer's unit price at its quantity over the
    /// last 30 days. Offers not stored are left out.
    pub fn sparklines(
        &self,
        requests: &[(OfferId, Option<u32>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Sparkline>> {
        let since = now - SPARK_SPAN;
        let fail = |e| self.error("reading price history", e);
        let mut out = Vec::with_capacity(requests.len());
        for (offer_id, qty) in requests {
            let offer = match self.offer(offer_id) {
                Ok(offer) => offer,
                Err(crate::Error::OfferNotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let qty = self.chart_qty(&offer, *qty)?;
            let id = offer_id.as_str();
            let days = day_rows(&self.conn, id, "", Some(since)).map_err(fail)?;
            let raw = observations(&self.conn, id, Some(since), None).map_err(fail)?;
            let marks = order_line(&days, &raw, OrderPricing::of(&offer, qty), Some(since));
            let line = history::series(
                SeriesOf::Quantity { qty },
                &marks,
                since,
                now,
                SPARK_BUCKETS,
            );
            out.push(Sparkline {
                offer_id: offer_id.clone(),
                qty,
                points: line.points,
                low: line.low,
                high: line.high,
                current: line.current,
            });
        }
        Ok(out)
    }

    /// The quantity a chart prices: the one asked for, else the watched one, at least the
    /// offer's minimum order.
    fn chart_qty(&self, offer: &Offer, qty: Option<u32>) -> Result<u32> {
        let qty = match qty {
            Some(qty) => qty,
            None => self
                .conn
                .query_row(
                    "SELECT target_qty FROM watches WHERE offer_id = ?1",
                    [offer.offer_id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.error("reading a watch", e))?
                .unwrap_or(1),
        };
        Ok(qty.max(minimum_order(offer)))
    }
}

/// Writes (or merges into) one day row from its observations in time order; 0 when none
/// had a price.
fn write_day(
    tx: &Connection,
    offer_id: &str,
    sku_id: &str,
    day: &str,
    min_qty: u32,
    marks: impl Iterator<Item = PriceMark>,
) -> rusqlite::Result<u64> {
    let marks: Vec<PriceMark> = marks.collect();
    let (Some(open), Some(close)) = (marks.first(), marks.last()) else {
        return Ok(0);
    };
    let low = marks.iter().min_by_key(|m| m.price).expect("not empty");
    let high = marks
        .iter()
        .max_by_key(|m| (m.price, std::cmp::Reverse(m.at)))
        .expect("not empty");
    tx.prepare_cached(
        "INSERT INTO price_days (offer_id, sku_id, day, min_qty, open, open_at, low, low_at,
             high, high_at, close, close_at, points)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (offer_id, sku_id, day, min_qty) DO UPDATE SET
             open = IIF(excluded.open_at < open_at, excluded.open, open),
             open_at = MIN(excluded.open_at, open_at),
             low = MIN(excluded.low, low),
             low_at = IIF(excluded.low < low, excluded.low_at, low_at),
             high = MAX(excluded.high, high),
             high_at = IIF(excluded.high > high, excluded.high_at, high_at),
             close = IIF(excluded.close_at > close_at, excluded.close, close),
             close_at = MAX(excluded.close_at, close_at),
             points = points + excluded.points",
    )?
    .execute(params![
        offer_id,
        sku_id,
        day,
        min_qty,
        open.price,
        Stamp(open.at),
        low.price,
        Stamp(low.at),
        high.price,
        Stamp(high.at),
        close.price,
        Stamp(close.at),
        marks.len() as i64,
    ])?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tiers_read_the_same_on_the_short_path_as_on_the_full_one() {
        for text in [
            r#"[{"minQty":2,"price":"12.5"},{"minQty":100,"price":"11"},{"minQty":1000,"price":"9.8765"}]"#,
            r#"[{"minQty":2,"price":"0.05"}]"#,
            r#"[{"minQty":2,"price":"1e1"}]"#,
            r#"[{"minQty":2,"price":"12.50001"}]"#,
            "[]",
        ] {
            let full: Vec<Tier> = serde_json::from_str(text).unwrap_or_default();
            assert_eq!(parse_tiers(text), full, "{text}");
        }
        assert_eq!(plain_decimal("12.5"), Some(Money::from_units(125_000)));
        assert_eq!(plain_decimal(".5"), None);
        assert_eq!(plain_decimal("1e1"), None);
    }
}
