//! The double's clock: real time, or faster, so token expiry and price drift can be watched in
//! a test or a demo without waiting days.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

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
        self.epoch_ms + (self.started.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64
    }

    /// Real milliseconds since the Unix epoch: what clients' `_aop_timestamp` is checked against.
    pub fn real_now_ms(&self) -> i64 {
        self.epoch_ms + self.started.elapsed().as_millis() as i64
    }
}
