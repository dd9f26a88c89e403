//! Waking at a moment to within a few microseconds, for the double's latency. Tokio's timer
//! counts whole milliseconds and rounds a deadline up to the next one, so a 20 ms latency came
//! out at 21–22 ms: enough to hide a client's own overhead in a benchmark. One thread sleeps
//! until the earliest deadline asked for and wakes its waiter.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use tokio::sync::oneshot;

#[derive(Default)]
struct Alarms {
    /// Earliest first; the sequence number keeps the heap's order total.
    waiting: Mutex<BinaryHeap<Reverse<(Instant, u64, Waker)>>>,
    changed: Condvar,
}

struct Waker(oneshot::Sender<()>);

// Only the deadline and sequence number order alarms.
impl PartialEq for Waker {
    fn eq(&self, _: &Waker) -> bool {
        true
    }
}
impl Eq for Waker {}
impl PartialOrd for Waker {
    fn partial_cmp(&self, other: &Waker) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Waker {
    fn cmp(&self, _: &Waker) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

fn alarms() -> &'static Alarms {
    static ALARMS: OnceLock<&'static Alarms> = OnceLock::new();
    ALARMS.get_or_init(|| {
        let alarms: &'static Alarms = Box::leak(Box::default());
        std::thread::Builder::new()
            .name("pifa-gateway-alarm".into())
            .spawn(move || ring(alarms))
            .expect("a thread for the double's latency");
        alarms
    })
}

/// Wakes each waiter at its deadline, forever (the thread ends with the process).
fn ring(alarms: &Alarms) {
    let mut waiting = alarms
        .waiting
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    loop {
        let now = Instant::now();
        while waiting.peek().is_some_and(|Reverse((at, _, _))| *at <= now) {
            let Reverse((_, _, Waker(waiter))) = waiting.pop().expect("peeked");
            let _ = waiter.send(());
        }
        waiting = match waiting.peek() {
            Some(Reverse((at, _, _))) => {
                let wait = at.saturating_duration_since(now);
                alarms
                    .changed
                    .wait_timeout(waiting, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => alarms
                .changed
                .wait(waiting)
                .unwrap_or_else(PoisonError::into_inner),
        };
    }
}

/// Returns at `deadline` (at once if it has passed).
pub(crate) async fn sleep_until(deadline: Instant) {
    static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if deadline <= Instant::now() {
        return;
    }
    let (waker, woken) = oneshot::channel();
    let alarms = alarms();
    let sequence = SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    alarms
        .waiting
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Reverse((deadline, sequence, Waker(waker))));
    alarms.changed.notify_one();
    let _ = woken.await;
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_wake_at_their_deadlines_in_order() {
        let started = std::time::Instant::now();
        let waits: Vec<_> = [20u64, 5, 12, 5]
            .into_iter()
            .map(|ms| {
                tokio::spawn(async move {
                    let deadline = started + Duration::from_millis(ms);
                    super::sleep_until(deadline).await;
                    let now = std::time::Instant::now();
                    assert!(now >= deadline, "{ms} ms: woken early");
                    (ms, now - deadline)
                })
            })
            .collect();
        for wait in waits {
            // Never early (`late` would have panicked below zero); how late on a busy machine
            // is the batch bench's to say.
            let (ms, late) = wait.await.unwrap();
            assert!(late < Duration::from_millis(500), "{ms} ms: {late:?} late");
        }
    }
}
