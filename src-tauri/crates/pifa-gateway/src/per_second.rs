//! Business calls counted per second of the double's clock (whole seconds, as a per-second
//! limit counts them), keeping only the busiest: what load tests compare with the rate limit
//! the callers were given. Constant memory, however long the double runs.

#[derive(Debug, Default)]
pub struct PerSecond {
    /// The second being counted (ms since the epoch / 1000), and its calls so far.
    second: i64,
    count: u64,
    busiest: u64,
}

impl PerSecond {
    /// Counts a call arriving at `now_ms`.
    pub fn arrived(&mut self, now_ms: i64) {
        let second = now_ms.div_euclid(1000);
        if second != self.second {
            self.second = second;
            self.count = 0;
        }
        self.count += 1;
        self.busiest = self.busiest.max(self.count);
    }

    /// The most calls that arrived within one second.
    pub fn busiest(&self) -> u64 {
        self.busiest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_whole_second_is_kept() {
        let mut counts = PerSecond::default();
        assert_eq!(counts.busiest(), 0);
        // Three in one second, four in the next (two of them at its very edges), one later.
        for ms in [
            10_100, 10_500, 10_999, 11_000, 11_001, 11_500, 11_999, 15_000,
        ] {
            counts.arrived(ms);
        }
        assert_eq!(counts.busiest(), 4);
        // A quiet second in between starts the count again.
        for ms in [16_000, 16_100, 18_000] {
            counts.arrived(ms);
        }
        assert_eq!(counts.busiest(), 4);
    }
}
