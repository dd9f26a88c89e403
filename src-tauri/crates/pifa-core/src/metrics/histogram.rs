//! A latency histogram with fixed, log-spaced buckets: eight per doubling from 100 µs, so any
//! percentile read from it is within about 4.5% of the true one, and histograms of any hours
//! add up by simply adding counts.

use std::time::Duration;

/// Eight buckets per doubling.
const PER_DOUBLING: f64 = 8.0;
/// Bucket 0 holds everything under this.
const FIRST_US: f64 = 100.0;
/// 100 µs · 2^(167/8) ≈ 190 s: the last bucket holds everything longer.
pub const BUCKETS: usize = 168;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Sparse: only buckets with calls, by index.
    counts: std::collections::BTreeMap<u16, u64>,
}

/// Which bucket a latency falls in.
pub fn bucket(latency: Duration) -> u16 {
    let us = latency.as_secs_f64() * 1e6;
    if us < FIRST_US {
        return 0;
    }
    let index = ((us / FIRST_US).log2() * PER_DOUBLING).floor() as usize + 1;
    index.min(BUCKETS - 1) as u16
}

/// A bucket's representative latency in ms: the geometric middle of its bounds.
fn middle_ms(index: u16) -> f64 {
    if index == 0 {
        return FIRST_US / 2.0 / 1000.0;
    }
    let low = FIRST_US * 2f64.powf((f64::from(index) - 1.0) / PER_DOUBLING);
    low * 2f64.powf(0.5 / PER_DOUBLING) / 1000.0
}

impl LatencyHistogram {
    pub fn add(&mut self, latency: Duration) {
        *self.counts.entry(bucket(latency)).or_default() += 1;
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (&index, &count) in &other.counts {
            *self.counts.entry(index).or_default() += count;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// The latency (ms) under which `quantile` (0–1) of the calls fell; `None` without calls.
    pub fn quantile_ms(&self, quantile: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((quantile.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (&index, &count) in &self.counts {
            seen += count;
            if seen >= rank {
                return Some(middle_ms(index));
            }
        }
        self.counts.keys().next_back().map(|&i| middle_ms(i))
    }

    /// `index:count` pairs separated by commas, as kept in the database.
    pub fn encode(&self) -> String {
        let pairs: Vec<String> = self
            .counts
            .iter()
            .map(|(index, count)| format!("{index}:{count}"))
            .collect();
        pairs.join(",")
    }

    /// Reads [`encode`](Self::encode)'s text; pairs that do not parse are skipped (only Pifa
    /// writes this column).
    pub fn decode(text: &str) -> LatencyHistogram {
        let mut histogram = LatencyHistogram::default();
        for pair in text.split(',') {
            let parsed = pair
                .split_once(':')
                .and_then(|(i, c)| Some((i.parse::<u16>().ok()?, c.parse::<u64>().ok()?)));
            if let Some((index, count)) = parsed.filter(|(i, _)| usize::from(*i) < BUCKETS) {
                *histogram.counts.entry(index).or_default() += count;
            }
        }
        histogram
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_within_a_bucket_of_the_truth() {
        let mut histogram = LatencyHistogram::default();
        for ms in 1..=1000u64 {
            histogram.add(Duration::from_millis(ms));
        }
        for (q, truth) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let got = histogram.quantile_ms(q).unwrap();
            assert!((got - truth).abs() / truth < 0.05, "p{q}: {got} vs {truth}");
        }
        assert_eq!(LatencyHistogram::default().quantile_ms(0.5), None);
        assert_eq!(bucket(Duration::from_secs(3600)) as usize, BUCKETS - 1);
        assert_eq!(bucket(Duration::from_micros(10)), 0);
    }

    #[test]
    fn histograms_round_trip_and_merge() {
        let mut a = LatencyHistogram::default();
        a.add(Duration::from_millis(120));
        a.add(Duration::from_millis(120));
        a.add(Duration::from_secs(4));
        assert_eq!(LatencyHistogram::decode(&a.encode()), a);
        let mut b = LatencyHistogram::decode("junk,3:2");
        b.merge(&a);
        assert_eq!(b.total(), 5);
        assert_eq!(LatencyHistogram::decode("").total(), 0);
    }
}
