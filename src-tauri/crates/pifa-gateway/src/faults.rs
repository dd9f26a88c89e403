//! Limits and injected faults: the QPS limit per app key, the quota, and random 5xx, timeouts
//! and malformed answers at configured rates.

use std::collections::VecDeque;

use crate::catalog::Rng;

pub struct Faults {
    rng: Rng,
    /// Times (ms) of the business calls in the last second.
    recent: VecDeque<i64>,
    used: u64,
}

/// What happens to one business call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Serve,
    Throttled,
    QuotaSpent,
    ServerError,
    Timeout,
    Malformed,
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults {
            rng: Rng::new(seed ^ 0xFA17),
            recent: VecDeque::new(),
            used: 0,
        }
    }

    pub fn decide(&mut self, now_ms: i64, config: &crate::GatewayConfig) -> Fate {
        while self.recent.front().is_some_and(|&t| t <= now_ms - 1000) {
            self.recent.pop_front();
        }
        if config.qps_limit > 0 && self.recent.len() >= config.qps_limit as usize {
            return Fate::Throttled;
        }
        self.recent.push_back(now_ms);
        if config.quota.is_some_and(|quota| self.used >= quota) {
            return Fate::QuotaSpent;
        }
        self.used += 1;
        let roll = self.rng.below(0, 100) as u32;
        let (e5, timeout, malformed) = (
            config.error_5xx_percent,
            config.timeout_percent,
            config.malformed_percent,
        );
        if roll < e5 {
            Fate::ServerError
        } else if roll < e5 + timeout {
            Fate::Timeout
        } else if roll < e5 + timeout + malformed {
            Fate::Malformed
        } else {
            Fate::Serve
        }
    }

    /// Extra latency for this answer, up to `jitter_ms`.
    pub fn jitter_ms(&mut self, jitter_ms: u64) -> u64 {
        if jitter_ms == 0 {
            0
        } else {
            self.rng.below(0, jitter_ms + 1)
        }
    }
}
