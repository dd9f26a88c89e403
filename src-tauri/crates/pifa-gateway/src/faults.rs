//! Limits and injected faults: the QPS limit per app key, the quota, and at configured rates
//! 5xx answers, held requests, malformed or truncated answers, dropped connections, throttling,
//! repeated offers in search pages and revoked access tokens. One seeded generator draws them,
//! so a run with the same seed and the same order of calls meets the same faults.

use std::collections::VecDeque;

use crate::catalog::Rng;
use crate::GatewayConfig;

pub struct Faults {
    rng: Rng,
    /// Times (ms) of the business calls in the last second.
    recent: VecDeque<i64>,
    used: u64,
    /// Business calls that reached the token check, for `revoke_every`.
    token_checks: u64,
}

/// What happens to one business call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Serve,
    Throttled,
    QuotaSpent,
    ServerError,
    Timeout,
    /// Complete HTTP answer, JSON that does not parse.
    Malformed,
    /// `Content-Length` promises more than is sent before the connection closes.
    Truncated,
    /// The connection closes with no answer at all.
    Dropped,
    /// A valid answer padded past 8 MiB, with no `Content-Length`.
    Oversized,
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults {
            rng: Rng::new(seed ^ 0xFA17),
            recent: VecDeque::new(),
            used: 0,
            token_checks: 0,
        }
    }

    pub fn decide(&mut self, now_ms: i64, config: &GatewayConfig) -> Fate {
        // Drawn first and always, so throttling does not shift the later draws.
        let roll = self.rng.below(0, 100) as u32;
        while self
            .recent
            .front()
            .is_some_and(|&t| t <= now_ms.saturating_sub(1000))
        {
            self.recent.pop_front();
        }
        if config.qps_limit > 0 && self.recent.len() >= config.qps_limit as usize {
            return Fate::Throttled;
        }
        self.recent.push_back(now_ms);
        let mut bound = config.throttle_percent;
        if roll < bound {
            return Fate::Throttled;
        }
        if config.quota.is_some_and(|quota| self.used >= quota) {
            return Fate::QuotaSpent;
        }
        self.used += 1;
        for (percent, fate) in [
            (config.error_5xx_percent, Fate::ServerError),
            (config.timeout_percent, Fate::Timeout),
            (config.malformed_percent, Fate::Malformed),
            (config.truncate_percent, Fate::Truncated),
            (config.drop_percent, Fate::Dropped),
            (config.oversize_percent, Fate::Oversized),
        ] {
            bound = bound.saturating_add(percent);
            if roll < bound {
                return fate;
            }
        }
        Fate::Serve
    }

    /// Counts a call at the token check; true when this one revokes every access token.
    pub fn revoke_due(&mut self, every: u64) -> bool {
        self.token_checks += 1;
        every > 0 && self.token_checks % every == 0
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u32) -> bool {
        percent > 0 && self.rng.chance(u64::from(percent))
    }

    /// A draw for the choices a fault makes (which offer to repeat, where).
    pub fn below(&mut self, high: u64) -> u64 {
        self.rng.below(0, high)
    }

    /// Extra latency for this answer, up to `jitter_ms`.
    pub fn jitter_ms(&mut self, jitter_ms: u64) -> u64 {
        if jitter_ms == 0 {
            0
        } else {
            self.rng.below(0, jitter_ms.saturating_add(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_met_and_repeat_with_the_seed() {
        // Demo mode's realistic profile: 10% 5xx, 3% dropped, 2% truncated, 1% throttled.
        let config = GatewayConfig::default().with_demo_faults(pifa_core::DemoFaults::Realistic);
        let fates = |seed| {
            let mut faults = Faults::new(seed);
            (0..20_000)
                .map(|n| faults.decide(n * 10, &config))
                .collect::<Vec<_>>()
        };
        let run = fates(7);
        assert_eq!(run, fates(7));
        let share = |fate| run.iter().filter(|f| **f == fate).count() as f64 / 200.0;
        for (fate, percent) in [
            (Fate::ServerError, 10.0),
            (Fate::Dropped, 3.0),
            (Fate::Truncated, 2.0),
            (Fate::Throttled, 1.0),
        ] {
            assert!(
                (share(fate) - percent).abs() < 0.6,
                "{fate:?}: {}",
                share(fate)
            );
        }
    }

    #[test]
    fn revocation_comes_every_n_calls() {
        let mut faults = Faults::new(1);
        let due: Vec<u64> = (1..=10).filter(|_| faults.revoke_due(4)).collect();
        assert_eq!(due.len(), 2);
        assert!(!(0..10).any(|_| Faults::new(1).revoke_due(0)));
    }
}
