//! Price history for charts: the ranges a buyer can pick, the series a chart draws, and the
//! downsampling that keeps a series to a few hundred points however long the history is. The
//! storage side (observations, daily roll-ups, compaction) is `store/history.rs`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Money, OfferId};

/// The most points one series of a chart gets (four per bucket: first, lowest, highest, last).
pub const CHART_BUCKETS: usize = 100;
/// A sparkline in a list row is a few dozen pixels wide.
pub const SPARK_BUCKETS: usize = 24;

/// How far back a chart looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum HistoryRange {
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
    #[serde(rename = "90d")]
    Quarter,
    #[serde(rename = "1y")]
    Year,
    #[serde(rename = "all")]
    All,
}

impl HistoryRange {
    pub const ALL: [HistoryRange; 5] = [
        HistoryRange::Week,
        HistoryRange::Month,
        HistoryRange::Quarter,
        HistoryRange::Year,
        HistoryRange::All,
    ];

    /// How long back from now; `None` for the whole history.
    pub fn span(self) -> Option<Duration> {
        match self {
            HistoryRange::Week => Some(Duration::days(7)),
            HistoryRange::Month => Some(Duration::days(30)),
            HistoryRange::Quarter => Some(Duration::days(90)),
            HistoryRange::Year => Some(Duration::days(365)),
            HistoryRange::All => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryRange::Week => "7d",
            HistoryRange::Month => "30d",
            HistoryRange::Quarter => "90d",
            HistoryRange::Year => "1y",
            HistoryRange::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<HistoryRange> {
        HistoryRange::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One observed unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceMark {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub price: Money,
}

/// What one line of a price chart follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(export)]
pub enum SeriesOf {
    /// The unit price at the chart's quantity.
    Quantity { qty: u32 },
    /// The price of one tier break (the schedule priced at its minimum quantity).
    Tier {
        #[serde(rename = "minQty")]
        min_qty: u32,
    },
    /// One SKU's own price, for offers priced per SKU; `specs` as the supplier names it.
    Sku {
        #[serde(rename = "skuId")]
        sku_id: String,
        specs: String,
    },
}

/// One line of a chart: observed prices in time order, at most four per bucket, with the
/// range's exact lowest, highest and latest price (which the points always include).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceSeries {
    pub of: SeriesOf,
    pub points: Vec<PriceMark>,
    pub low: Option<PriceMark>,
    pub high: Option<PriceMark>,
    pub current: Option<PriceMark>,
    /// Observations in the range before downsampling.
    pub observations: u32,
}

/// An offer's price history over a range: the line at the quantity first, then one per tier
/// break and one per SKU where the offer prices by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PriceHistory {
    pub offer_id: OfferId,
    pub title: Option<String>,
    pub qty: u32,
    pub range: HistoryRange,
    /// Where the range starts (`null` for the whole history).
    #[ts(type = "string | null")]
    pub from: Option<DateTime<Utc>>,
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
    pub series: Vec<PriceSeries>,
}

/// A tiny line for a list row: the price at a quantity over 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Sparkline {
    pub offer_id: OfferId,
    pub qty: u32,
    pub points: Vec<PriceMark>,
    pub low: Option<PriceMark>,
    pub high: Option<PriceMark>,
    pub current: Option<PriceMark>,
}

/// Which offer at which quantity (the watched one, else the minimum order, when left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SparkRequest {
    pub offer_id: String,
    pub qty: Option<u32>,
}

/// The series of `marks` (in time order) between `from` and `to`, downsampled to `buckets`
/// equal stretches of time, each keeping its first, lowest, highest and last observation: a
/// subset of real observations, so a step line drawn through them only shows prices that held,
/// and the range's extremes are always among them.
pub fn series(
    of: SeriesOf,
    marks: &[PriceMark],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    buckets: usize,
) -> PriceSeries {
    let low = marks.iter().copied().min_by_key(|m| (m.price, m.at));
    let high = marks
        .iter()
        .copied()
        .max_by_key(|m| (m.price, std::cmp::Reverse(m.at)));
    PriceSeries {
        of,
        points: downsample(marks, from, to, buckets),
        low,
        high,
        current: marks.last().copied(),
        observations: marks.len() as u32,
    }
}

/// At most `4 × buckets` of `marks` (in time order): per bucket, its first, lowest, highest and
/// last.
pub fn downsample(
    marks: &[PriceMark],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    buckets: usize,
) -> Vec<PriceMark> {
    let buckets = buckets.max(1);
    if marks.len() <= buckets * 4 {
        return marks.to_vec();
    }
    let start = from.min(marks[0].at).timestamp_millis();
    let end = to.max(marks[marks.len() - 1].at).timestamp_millis();
    let width = ((end - start) / buckets as i64).max(1);
    let bucket_of = |m: &PriceMark| ((m.at.timestamp_millis() - start) / width) as usize;
    let mut kept: Vec<PriceMark> = Vec::with_capacity(buckets * 4);
    let mut rest = marks;
    while let Some(first) = rest.first() {
        let bucket = bucket_of(first);
        let len = rest.iter().take_while(|m| bucket_of(m) == bucket).count();
        let (group, after) = rest.split_at(len);
        let mut chosen = [0, 0, 0, len - 1];
        for (i, m) in group.iter().enumerate() {
            if m.price < group[chosen[1]].price {
                chosen[1] = i;
            }
            if m.price > group[chosen[2]].price {
                chosen[2] = i;
            }
        }
        chosen.sort_unstable();
        let mut previous = None;
        for i in chosen {
            if previous != Some(i) {
                kept.push(group[i]);
                previous = Some(i);
            }
        }
        rest = after;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(minute: i64, units: i64) -> PriceMark {
        PriceMark {
            at: DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minute),
            price: Money::from_units(units),
        }
    }

    #[test]
    fn short_series_stay_whole() {
        let marks: Vec<_> = (0..50).map(|i| mark(i, 1_000 + i)).collect();
        let s = series(
            SeriesOf::Quantity { qty: 1 },
            &marks,
            marks[0].at,
            marks[49].at,
            100,
        );
        assert_eq!(s.points, marks);
        assert_eq!(s.observations, 50);
    }

    #[test]
    fn downsampling_is_bounded_ordered_and_keeps_the_extremes() {
        // Two years of hourly prices with one dip and one spike in the middle of buckets.
        let n = 2 * 365 * 24;
        let mut marks: Vec<_> = (0..n)
            .map(|i| mark(i * 60, 100_000 + (i * 7919) % 5_000))
            .collect();
        marks[4_321] = mark(4_321 * 60, 1);
        marks[9_999] = mark(9_999 * 60, 999_999);
        let (from, to) = (marks[0].at, marks[n as usize - 1].at);
        let s = series(
            SeriesOf::Quantity { qty: 1 },
            &marks,
            from,
            to,
            CHART_BUCKETS,
        );
        assert!(s.points.len() <= 4 * CHART_BUCKETS, "{}", s.points.len());
        assert!(s.points.len() >= 3 * CHART_BUCKETS, "{}", s.points.len());
        assert!(s.points.windows(2).all(|w| w[0].at < w[1].at), "in order");
        assert_eq!(s.low, Some(marks[4_321]));
        assert_eq!(s.high, Some(marks[9_999]));
        assert_eq!(s.current, marks.last().copied());
        for extreme in [marks[4_321], marks[9_999], marks[0], *marks.last().unwrap()] {
            assert!(s.points.contains(&extreme), "{extreme:?} dropped");
        }
        // Every kept point is a real observation.
        assert!(s.points.iter().all(|p| marks.contains(p)));
    }

    #[test]
    fn ranges_read_and_write_as_the_buttons_name_them() {
        for range in HistoryRange::ALL {
            assert_eq!(HistoryRange::parse(range.as_str()), Some(range));
            assert_eq!(
                serde_json::to_value(range).unwrap(),
                serde_json::json!(range.as_str())
            );
        }
        assert_eq!(HistoryRange::parse("2w"), None);
    }
}
