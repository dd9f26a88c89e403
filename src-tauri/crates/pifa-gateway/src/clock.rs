//! The double's clock: real time, or faster, so token expiry and price drift can be watched in
//! a test or a demo without waiting days; and the Beijing-time notations 1688 writes dates in.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub const DAY_MS: i64 = 86_400_000;
/// 1688 writes its dates in Beijing time (UTC+8) without a zone.
const BEIJING_MS: i64 = 8 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct Clock {
    started: Instant,
    epoch_ms: i64,
    speed: f64,
}

impl Clock {
    pub fn new(speed: f64) -> Clock {
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Clock {
            started: Instant::now(),
            epoch_ms,
            speed: speed.max(0.0),
        }
    }

    /// Simulated milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        // The cast saturates, and so does the sum: any --clock-speed is safe.
        let simulated = (self.started.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64;
        self.epoch_ms.saturating_add(simulated)
    }

    /// Real milliseconds since the Unix epoch: what clients' `_aop_timestamp` is checked against.
    pub fn real_now_ms(&self) -> i64 {
        self.epoch_ms + self.started.elapsed().as_millis() as i64
    }
}

/// The Beijing civil date and time of `ms`: `(year, month, day, seconds into the day, millis)`.
fn beijing(ms: i64) -> (i64, i64, i64, i64, i64) {
    let china = ms.saturating_add(BEIJING_MS);
    let secs = china.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rest, china.rem_euclid(1000))
}

/// `20261128120000000+0800`, the form `refresh_token_timeout` takes.
pub fn ali_time(ms: i64) -> String {
    let (year, month, day, rest, millis) = beijing(ms);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}{millis:03}+0800",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
    )
}

/// `2024-04-20 08:00:00`, the form the newer APIs' dates take (Beijing time, no zone).
pub fn beijing_time(ms: i64) -> String {
    let (year, month, day, rest, _) = beijing(ms);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_the_live_ones() {
        // 2015-06-26 17:44:05 +0800 is 1435311845000 ms.
        assert_eq!(ali_time(1_435_311_845_000), "20150626174405000+0800");
        assert_eq!(beijing_time(1_435_311_845_000), "2015-06-26 17:44:05");
        // No overflow at the edges.
        let _ = (
            beijing_time(i64::MAX),
            beijing_time(i64::MIN),
            ali_time(i64::MIN),
        );
        for speed in [f64::MAX, f64::INFINITY, f64::NAN, -1.0] {
            let _ = Clock::new(speed).now_ms();
        }
    }
}
