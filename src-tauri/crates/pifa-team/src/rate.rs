//! The 1688 app key's rate limit, kept once for the whole team: one row per app key in
//! `pifa.rate_limits`, GCRA on the server's clock. Each call takes the next free slot in one
//! atomic statement (`tat`, the time the next call may go, moves on by one interval) and sleeps
//! until its slot, so however many desktops share the key, the calls of all of them together
//! are one interval apart: never more than the configured calls in any second. A throttled
//! answer from 1688 pushes `tat` a second ahead, which slows the whole team.
//!
//! The gate has a connection of its own, not the team database's transaction client, so a call
//! waiting for its turn never holds up other team work.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use pifa_core::protocol::{CallGate, GateFuture, LocalGate};
use pifa_core::team::TeamError;
use tokio_postgres::{Client, Statement};

use crate::error::failed;
use crate::{connect, schema, TeamAddress, TEAM_MIGRATIONS};

/// How long the team is held back after 1688 says the app key is over its limit: throttling
/// clears on the gateway's clock, a second at least.
const THROTTLE_PAUSE: Duration = Duration::from_secs(1);

/// Calls leave a desktop a little after their slot, some later than others, and 1688 counts
/// them as they arrive: the slots of each second leave this much of it free, so calls late by
/// different amounts (up to this much apart) still never meet more than the rate in a second
/// at 1688. It costs 10% of the rate; 25 ms was too little: a busy desktop held one call back
/// long enough for eleven to arrive in one second (the team rate test, five CLIs on 2 cores),
/// and one throttled answer costs the whole team a second.
const ARRIVAL_MARGIN_US: i64 = 100_000;

/// The longest a turn is asked for: a server that stopped answering (a network gone quiet
/// rather than closed) must not hold calls up.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// How long after losing the team database the gate tries to reach it again.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// Takes the next slot: the later of `tat` and now, on the server's clock, read after the row
/// is locked (in `SET`, which `ON CONFLICT` evaluates once it holds the row). The wait is
/// reckoned from a clock reading later still, so a call never goes before its slot.
const TAKE_SLOT: &str = "
    INSERT INTO pifa.rate_limits AS r (app_key, tat)
    VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond')
    ON CONFLICT (app_key) DO UPDATE
        SET tat = greatest(r.tat, clock_timestamp()) + $2::bigint * interval '1 microsecond'
    RETURNING r.tat - $2::bigint * interval '1 microsecond', clock_timestamp()";

/// No slot before a second from now, for anyone.
const SLOW_DOWN: &str = "
    INSERT INTO pifa.rate_limits AS r (app_key, tat, throttles, last_throttled)
    VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond', 1, clock_timestamp())
    ON CONFLICT (app_key) DO UPDATE
        SET tat = greatest(r.tat, clock_timestamp() + $2::bigint * interval '1 microsecond'),
            throttles = r.throttles + 1,
            last_throttled = clock_timestamp()";

/// Whose limit a call waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The team's: the slot it was given, on the team server's clock.
    Team(DateTime<Utc>),
    /// This desktop's own, the team database being out of reach.
    Local,
}

/// The connection and its prepared statements.
struct Linked {
    client: Client,
    take: Statement,
    slow: Statement,
}

enum Link {
    Up(Arc<Linked>),
    /// Lost or never made: the local limit until `retry_at`.
    Down {
        retry_at: Instant,
    },
    /// A new connection is being made in the background.
    Connecting,
}

struct Shared {
    app_key: String,
    /// One slot per call: (1 s + the arrival margin) / rate, rounded up to the microsecond:
    /// `rate + 1` slots never fit in one second, with the margin to spare.
    interval_us: i64,
    address: TeamAddress,
    /// Kept to connect again; never logged or shown.
    password: Option<String>,
    link: Mutex<Link>,
    local: LocalGate,
    reconnect_after: Mutex<Duration>,
}

/// The team's gate for one app key: a [`CallGate`] for the gateway client.
#[derive(Clone)]
pub struct TeamGate {
    shared: Arc<Shared>,
}

impl TeamGate {
    /// The gate of `app_key` at `rate` calls per second in the team database at `address`.
    /// Never fails: an unreachable database leaves the gate on the local limit (`rate`, bursts
    /// of `burst`, as without a team) until it can be reached, with a warning in the log.
    pub async fn connect(
        address: &TeamAddress,
        password: Option<&str>,
        app_key: &str,
        rate: NonZeroU32,
        burst: NonZeroU32,
    ) -> TeamGate {
        let shared = Arc::new(Shared {
            app_key: app_key.to_owned(),
            interval_us: interval_us(rate),
            address: address.clone(),
            password: password.map(str::to_owned),
            link: Mutex::new(Link::Connecting),
            local: LocalGate::new(rate, burst),
            reconnect_after: Mutex::new(RECONNECT_AFTER),
        });
        // Made before the first call, not in the background: until it is, this desktop's
        // calls would go on its own limit, over the team's.
        let link = match link(&shared).await {
            Ok(linked) => Link::Up(Arc::new(linked)),
            Err(e) => {
                warn_local(&shared, &e);
                Link::Down {
                    retry_at: Instant::now() + shared.reconnect_after(),
                }
            }
        };
        shared.set_link(link);
        TeamGate { shared }
    }

    /// How long after losing the database the gate tries again (5 s; tests shorten it).
    pub fn set_reconnect_after(&self, pause: Duration) {
        *self
            .shared
            .reconnect_after
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = pause;
    }

    /// Whether calls wait for the team's limit now (else this desktop's own).
    pub fn is_shared(&self) -> bool {
        matches!(&*self.shared.lock_link(), Link::Up(_))
    }

    /// Waits for this call's turn: the team's slot, or the local limit while the database is
    /// out of reach.
    pub async fn wait_turn(&self) -> Turn {
        let shared = &self.shared;
        if let Some(linked) = shared.linked() {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
                [&shared.app_key, &shared.interval_us];
            let asked = linked.client.query_one(&linked.take, &params);
            match tokio::time::timeout(ASK_TIMEOUT, asked)
                .await
                .map_err(|_| TeamError::Unreachable("the team database did not answer".into()))
                .and_then(|answer| answer.map_err(failed("taking a turn at the team's rate limit")))
            {
                Ok(row) => {
                    let (slot, now): (DateTime<Utc>, DateTime<Utc>) = (row.get(0), row.get(1));
                    if let Ok(wait) = (slot - now).to_std() {
                        tokio::time::sleep(wait).await;
                    }
                    return Turn::Team(slot);
                }
                Err(e) => shared.lost(&linked, &e),
            }
        }
        // Out of reach: never stop fetching because the database blipped. Each desktop holds
        // to its own limit meanwhile, as it would without a team.
        shared.local.until_ready().await;
        Turn::Local
    }

    /// 1688 throttled the app key: no desktop of the team calls for the next second.
    pub async fn slow_down(&self) {
        let shared = &self.shared;
        let Some(linked) = shared.linked() else {
            return;
        };
        let pause_us = THROTTLE_PAUSE.as_micros() as i64;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&shared.app_key, &pause_us];
        let told = linked.client.execute(&linked.slow, &params);
        if let Err(e) = tokio::time::timeout(ASK_TIMEOUT, told)
            .await
            .map_err(|_| TeamError::Unreachable("the team database did not answer".into()))
            .and_then(|answer| answer.map_err(failed("slowing the team down")))
        {
            shared.lost(&linked, &e);
        }
    }
}

impl CallGate for TeamGate {
    fn until_ready(&self) -> GateFuture<'_> {
        Box::pin(async move {
            self.wait_turn().await;
        })
    }

    fn throttled(&self) -> GateFuture<'_> {
        Box::pin(self.slow_down())
    }
}

fn interval_us(rate: NonZeroU32) -> i64 {
    let rate = i64::from(rate.get());
    (1_000_000 + ARRIVAL_MARGIN_US + rate - 1) / rate
}

async fn link(shared: &Shared) -> Result<Linked, TeamError> {
    let mut client = connect::open(&shared.address, shared.password.as_deref()).await?;
    // The table may be newer than the desktop that connected first: bring the schema up.
    schema::migrate(&mut client, TEAM_MIGRATIONS).await?;
    let take = client
        .prepare(TAKE_SLOT)
        .await
        .map_err(failed("preparing the team's rate limit"))?;
    let slow = client
        .prepare(SLOW_DOWN)
        .await
        .map_err(failed("preparing the team's rate limit"))?;
    Ok(Linked { client, take, slow })
}

fn warn_local(shared: &Shared, error: &TeamError) {
    tracing::warn!(
        app_key = %shared.app_key,
        code = error.code(),
        "the team's rate limit cannot be reached; this desktop paces its 1688 calls on its own until it can: {error}"
    );
}

impl Shared {
    fn lock_link(&self) -> std::sync::MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_link(&self, link: Link) {
        *self.lock_link() = link;
    }

    fn reconnect_after(&self) -> Duration {
        *self
            .reconnect_after
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection if it is up; when it is down and due, starts connecting again in the
    /// background (this call goes on the local limit meanwhile).
    fn linked(self: &Arc<Self>) -> Option<Arc<Linked>> {
        let mut link = self.lock_link();
        match &*link {
            Link::Up(linked) if !linked.client.is_closed() => return Some(Arc::clone(linked)),
            Link::Up(_) => {
                *link = Link::Down {
                    retry_at: Instant::now(),
                };
            }
            Link::Connecting => return None,
            Link::Down { .. } => {}
        }
        if let Link::Down { retry_at } = &*link {
            if Instant::now() < *retry_at {
                return None;
            }
        }
        *link = Link::Connecting;
        drop(link);
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            let next = match self::link(&shared).await {
                Ok(linked) => {
                    tracing::info!(app_key = %shared.app_key, "the team's rate limit is reachable again");
                    Link::Up(Arc::new(linked))
                }
                Err(_) => Link::Down {
                    retry_at: Instant::now() + shared.reconnect_after(),
                },
            };
            shared.set_link(next);
        });
        None
    }

    /// `linked` failed: the local limit until the database can be reached again.
    fn lost(&self, linked: &Arc<Linked>, error: &TeamError) {
        let mut link = self.lock_link();
        // Only the first call to find it gone says so and marks it down.
        if matches!(&*link, Link::Up(current) if Arc::ptr_eq(current, linked)) {
            warn_local(self, error);
            *link = Link::Down {
                retry_at: Instant::now() + self.reconnect_after(),
            };
        }
    }
}
