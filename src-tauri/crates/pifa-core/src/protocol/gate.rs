//! Where a gateway client waits for its turn to call 1688. The rate limit belongs to the app
//! key, not to a desktop: alone, this process's own limiter ([`LocalGate`]) is the gate; in a
//! team, a gate shared by every desktop of the team (in `pifa-team`) takes its place.

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// What a gate's waits return: boxed, so the client can hold any gate behind one pointer.
pub type GateFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Paces the calls on the wire of one app key.
pub trait CallGate: Send + Sync {
    /// Resolves when the next call may go on the wire.
    fn until_ready(&self) -> GateFuture<'_>;
    /// 1688 answered that the app key is over its limit: slow down whoever shares the gate.
    fn throttled(&self) -> GateFuture<'_>;
}

/// This process's own limit: `rate` calls per second, bursts of `burst` after a quiet spell.
pub struct LocalGate {
    limiter: DefaultDirectRateLimiter,
}

impl LocalGate {
    pub fn new(rate: NonZeroU32, burst: NonZeroU32) -> LocalGate {
        LocalGate {
            limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
        }
    }
}

impl CallGate for LocalGate {
    fn until_ready(&self) -> GateFuture<'_> {
        Box::pin(self.limiter.until_ready())
    }

    /// Nothing more to do here: the client already waits a second before retrying.
    fn throttled(&self) -> GateFuture<'_> {
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test]
    async fn the_local_gate_lets_a_burst_through_then_holds_to_the_rate() {
        let gate = LocalGate::new(NonZeroU32::new(20).unwrap(), NonZeroU32::new(5).unwrap());
        let started = Instant::now();
        for _ in 0..5 {
            gate.until_ready().await;
        }
        assert!(
            started.elapsed() < Duration::from_millis(40),
            "the burst waits for nothing"
        );
        for _ in 0..10 {
            gate.until_ready().await;
        }
        // Ten more at 20 a second: about half a second.
        assert!(
            started.elapsed() >= Duration::from_millis(440),
            "{:?}",
            started.elapsed()
        );
    }
}
