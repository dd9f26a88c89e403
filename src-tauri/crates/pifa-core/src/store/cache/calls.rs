//! Gateway calls and cache lookups over time, kept beside the answers in `cache.db`: operational
//! data, as disposable as the answers. Raw call records stay [`RAW_KEPT`]; hourly roll-ups stay
//! [`HOURS_KEPT`]. Both are pruned at every flush.
//!
//! Everything is kept per gateway ([`GatewayKey`]) and read for one: the demo double's figures
//! and a live gateway's never add up, and those kept as `unknown` are read for none.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::{Cache, Lookup};
use crate::metrics::{CallRecord, CurrentGateway, GatewayKey, LatencyHistogram, Outcome};
use crate::store::classify;
use crate::store::codec::Stamp;
use crate::Result;

/// How long each call on the wire is kept: long enough for "today" in any time zone and the
/// error log's latest messages.
pub const RAW_KEPT: Duration = Duration::days(3);
/// How long the hourly roll-ups are kept.
pub const HOURS_KEPT: Duration = Duration::days(400);

/// The start of the hour `at` falls in.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(3600), 0).unwrap_or(at)
}

/// One hour's calls of one API that ended one way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallHour {
    pub hour: DateTime<Utc>,
    pub api: String,
    pub outcome: Outcome,
    pub count: u64,
    /// Sum of the latencies, for the mean.
    pub latency_us: u64,
    pub histogram: LatencyHistogram,
}

/// One hour's lookups of one kind that found one thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupHour {
    pub hour: DateTime<Utc>,
    pub kind: String,
    pub lookup: Lookup,
    pub count: u64,
}

/// A failed call, for the error log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCall {
    pub at: DateTime<Utc>,
    pub api: String,
    pub outcome: Outcome,
    pub attempt: u32,
    pub message: String,
}

/// An hour's row in `call_hours`: gateway, hour, API, outcome.
type HourKey<'a> = (&'a str, DateTime<Utc>, &'a str, Outcome);
/// Its calls, latency sum (µs) and histogram.
type HourSums = (u64, i64, LatencyHistogram);

fn micros(latency: std::time::Duration) -> i64 {
    i64::try_from(latency.as_micros()).unwrap_or(i64::MAX)
}

/// The gateway a record is kept under.
fn gateway_of(record: &CallRecord) -> &str {
    record
        .gateway
        .as_ref()
        .map_or(GatewayKey::UNKNOWN, GatewayKey::as_str)
}

impl Cache {
    /// Writes call records and their hourly roll-ups in one transaction, then prunes what is
    /// past keeping (relative to `now`).
    pub fn record_calls(&self, records: &[CallRecord], now: DateTime<Utc>) -> Result<()> {
        let failed = |e| classify(&self.path, "recording gateway calls", e);
        let tx = self.conn.unchecked_transaction().map_err(failed)?;
        let mut hours: BTreeMap<HourKey<'_>, HourSums> = BTreeMap::new();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO calls (gateway, at, api, outcome, latency_us, attempt, message)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(failed)?;
            for record in records {
                insert
                    .execute(params![
                        gateway_of(record),
                        Stamp(record.at),
                        record.api,
                        record.outcome.as_str(),
                        micros(record.latency),
                        record.attempt,
                        record.message
                    ])
                    .map_err(failed)?;
                let hour = hours
                    .entry((
                        gateway_of(record),
                        hour_of(record.at),
                        record.api,
                        record.outcome,
                    ))
                    .or_default();
                hour.0 += 1;
                hour.1 = hour.1.saturating_add(micros(record.latency));
                hour.2.add(record.latency);
            }
            let mut read = tx
                .prepare_cached(
                    "SELECT histogram FROM call_hours
                     WHERE gateway = ?1 AND hour = ?2 AND api = ?3 AND outcome = ?4",
                )
                .map_err(failed)?;
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO call_hours (gateway, hour, api, outcome, count, latency_us, histogram)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (gateway, hour, api, outcome) DO UPDATE SET count = count + excluded.count,
                         latency_us = latency_us + excluded.latency_us, histogram = excluded.histogram",
                )
                .map_err(failed)?;
            for ((gateway, hour, api, outcome), (count, latency, mut histogram)) in hours {
                let key = params![gateway, Stamp(hour), api, outcome.as_str()];
                let before: Option<String> = read
                    .query_row(key, |r| r.get(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .map_err(failed)?;
                if let Some(before) = before {
                    histogram.merge(&LatencyHistogram::decode(&before));
                }
                upsert
                    .execute(params![
                        gateway,
                        Stamp(hour),
                        api,
                        outcome.as_str(),
                        count as i64,
                        latency,
                        histogram.encode()
                    ])
                    .map_err(failed)?;
            }
        }
        tx.execute("DELETE FROM calls WHERE at < ?1", [Stamp(now - RAW_KEPT)])
            .map_err(failed)?;
        let old_hours = Stamp(now - HOURS_KEPT);
        tx.execute("DELETE FROM call_hours WHERE hour < ?1", [&old_hours])
            .map_err(failed)?;
        tx.execute("DELETE FROM lookup_hours WHERE hour < ?1", [&old_hours])
            .map_err(failed)?;
        tx.commit().map_err(failed)
    }

    /// Counts lookups from now on under the gateway `current` names (the connection keeps it
    /// up to date); until this is called they count under no gateway's figures.
    pub fn count_lookups_for(&mut self, current: CurrentGateway) {
        self.gateway = current;
    }

    /// Counts one lookup in its hour; a failure to count never fails the lookup itself.
    pub(super) fn count_hour(&self, kind: &str, lookup: Lookup, at: DateTime<Utc>) {
        let _ = self.conn.execute(
            "INSERT INTO lookup_hours (gateway, hour, kind, result, count) VALUES (?1, ?2, ?3, ?4, 1)
             ON CONFLICT (gateway, hour, kind, result) DO UPDATE SET count = count + 1",
            params![
                self.gateway.get().as_str(),
                Stamp(hour_of(at)),
                kind,
                lookup.column()
            ],
        );
    }

    /// The hourly roll-ups of `gateway`'s calls for the hours starting in `[from, to)`.
    pub fn call_hours(
        &self,
        gateway: &GatewayKey,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallHour>> {
        let failed = |e| classify(&self.path, "reading gateway calls", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT hour, api, outcome, count, latency_us, histogram FROM call_hours
                 WHERE gateway = ?1 AND gateway <> 'unknown' AND hour >= ?2 AND hour < ?3 ORDER BY hour, api, outcome",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map(params![gateway.as_str(), Stamp(from), Stamp(to)], |r| {
                Ok((
                    r.get::<_, Stamp>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(failed)?;
        let mut hours = Vec::new();
        for row in rows {
            let (hour, api, outcome, count, latency_us, histogram) = row.map_err(failed)?;
            // Written by a newer Pifa with a class this one does not know: left out.
            let Some(outcome) = Outcome::parse(&outcome) else {
                continue;
            };
            hours.push(CallHour {
                hour: hour.0,
                api,
                outcome,
                count: count.max(0) as u64,
                latency_us: latency_us.max(0) as u64,
                histogram: LatencyHistogram::decode(&histogram),
            });
        }
        Ok(hours)
    }

    /// Cache lookups made while `gateway` was connected, per hour for the hours starting in
    /// `[from, to)`.
    pub fn lookup_hours(
        &self,
        gateway: &GatewayKey,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LookupHour>> {
        let failed = |e| classify(&self.path, "reading cache lookups", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT hour, kind, result, count FROM lookup_hours
                 WHERE gateway = ?1 AND gateway <> 'unknown' AND hour >= ?2 AND hour < ?3 ORDER BY hour, kind, result",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map(params![gateway.as_str(), Stamp(from), Stamp(to)], |r| {
                Ok((
                    r.get::<_, Stamp>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(failed)?;
        let mut hours = Vec::new();
        for row in rows {
            let (hour, kind, result, count) = row.map_err(failed)?;
            let lookup = match result.as_str() {
                "hit" => Lookup::Hit,
                "stale" => Lookup::Stale,
                _ => Lookup::Miss,
            };
            hours.push(LookupHour {
                hour: hour.0,
                kind,
                lookup,
                count: count.max(0) as u64,
            });
        }
        Ok(hours)
    }

    /// `gateway`'s calls on the wire since `since` that ended as `outcome` (from the raw
    /// records, so `since` need not be on the hour; at most [`RAW_KEPT`] back).
    pub fn calls_since(
        &self,
        gateway: &GatewayKey,
        since: DateTime<Utc>,
        outcome: Outcome,
    ) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM calls WHERE gateway = ?1 AND gateway <> 'unknown' AND at >= ?2 AND outcome = ?3",
                params![gateway.as_str(), Stamp(since), outcome.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| classify(&self.path, "counting gateway calls", e))
    }

    /// `gateway`'s newest `per_outcome` failed calls of each outcome since `since`, newest
    /// first.
    pub fn latest_failures(
        &self,
        gateway: &GatewayKey,
        since: DateTime<Utc>,
        per_outcome: usize,
    ) -> Result<Vec<FailedCall>> {
        let failed = |e| classify(&self.path, "reading failed gateway calls", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT at, api, outcome, attempt, message FROM (
                     SELECT *, ROW_NUMBER() OVER (PARTITION BY outcome ORDER BY at DESC) AS n
                     FROM calls WHERE gateway = ?1 AND gateway <> 'unknown' AND at >= ?2 AND message IS NOT NULL)
                 WHERE n <= ?3 ORDER BY at DESC",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map(
                params![
                    gateway.as_str(),
                    Stamp(since),
                    i64::try_from(per_outcome).unwrap_or(i64::MAX)
                ],
                |r| {
                    Ok((
                        r.get::<_, Stamp>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .map_err(failed)?;
        let mut calls = Vec::new();
        for row in rows {
            let (at, api, outcome, attempt, message) = row.map_err(failed)?;
            if let Some(outcome) = Outcome::parse(&outcome) {
                calls.push(FailedCall {
                    at: at.0,
                    api,
                    outcome,
                    attempt: attempt.clamp(0, i64::from(u32::MAX)) as u32,
                    message,
                });
            }
        }
        Ok(calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ApiError;
    use chrono::TimeZone;
    use std::time::Duration as StdDuration;

    fn record(at: DateTime<Utc>, outcome: Result<(), ApiError>, ms: u64) -> CallRecord {
        CallRecord {
            at,
            gateway: Some(GatewayKey::demo()),
            ..CallRecord::new(
                "product.search.queryProductDetail",
                outcome.as_ref().map(|_| ()),
                StdDuration::from_millis(ms),
                1,
            )
        }
    }

    #[test]
    fn calls_roll_up_by_hour_across_flushes_and_old_ones_go() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let demo = &GatewayKey::demo();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 10, 15, 0).unwrap();
        let throttled = || {
            Err(ApiError::Throttled(
                "App call exceeds limited frequency".into(),
            ))
        };
        cache
            .record_calls(&[record(t0, Ok(()), 100), record(t0, throttled(), 10)], t0)
            .unwrap();
        cache
            .record_calls(&[record(t0 + Duration::minutes(30), Ok(()), 300)], t0)
            .unwrap();
        let hours = cache
            .call_hours(demo, t0 - Duration::hours(1), t0 + Duration::hours(2))
            .unwrap();
        assert_eq!(hours.len(), 2, "{hours:?}");
        let ok = hours.iter().find(|h| h.outcome == Outcome::Ok).unwrap();
        // Both flushes went into one hour's row, histogram merged.
        assert_eq!(
            (ok.hour, ok.count, ok.latency_us),
            (hour_of(t0), 2, 400_000)
        );
        assert_eq!(ok.histogram.total(), 2);
        let next_hour = hour_of(t0) + Duration::hours(1);
        assert!(cache
            .call_hours(demo, next_hour, next_hour + Duration::hours(1))
            .unwrap()
            .is_empty());
        assert_eq!(cache.calls_since(demo, t0, Outcome::Throttled).unwrap(), 1);
        let failures = cache
            .latest_failures(demo, t0 - Duration::hours(1), 5)
            .unwrap();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].message.contains("limited frequency"));

        // Four days on: the raw records are gone, the roll-ups stay.
        let later = t0 + Duration::days(4);
        cache.record_calls(&[], later).unwrap();
        assert_eq!(
            cache
                .calls_since(demo, t0 - Duration::days(1), Outcome::Throttled)
                .unwrap(),
            0
        );
        assert_eq!(
            cache
                .call_hours(demo, t0 - Duration::hours(1), later)
                .unwrap()
                .len(),
            2
        );
        cache
            .record_calls(&[], t0 + HOURS_KEPT + Duration::days(1))
            .unwrap();
        assert!(cache
            .call_hours(demo, t0 - Duration::hours(1), later)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn each_gateway_keeps_its_own_calls_and_lookups() {
        let tmp = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let (demo, live) = (
            GatewayKey::demo(),
            GatewayKey::live("https://gw.open.1688.com"),
        );
        let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 10, 15, 0).unwrap();
        let throttled = CallRecord {
            gateway: Some(live.clone()),
            ..record(t0, Err(ApiError::Throttled("frequency".into())), 5)
        };
        let untagged = CallRecord {
            gateway: None,
            ..record(t0, Ok(()), 5)
        };
        cache
            .record_calls(
                &[
                    record(t0, Ok(()), 5),
                    record(t0, Ok(()), 5),
                    throttled,
                    untagged,
                ],
                t0,
            )
            .unwrap();
        let count = |key: &GatewayKey| -> u64 {
            cache
                .call_hours(key, t0 - Duration::hours(1), t0 + Duration::hours(1))
                .unwrap()
                .iter()
                .map(|h| h.count)
                .sum()
        };
        assert_eq!((count(&demo), count(&live)), (2, 1));
        assert_eq!(
            count(&GatewayKey::unknown()),
            0,
            "an untagged record counts nowhere"
        );
        assert_eq!(cache.calls_since(&demo, t0, Outcome::Throttled).unwrap(), 0);
        assert_eq!(cache.calls_since(&live, t0, Outcome::Throttled).unwrap(), 1);
        assert!(cache
            .latest_failures(&demo, t0 - Duration::hours(1), 5)
            .unwrap()
            .is_empty());

        // Lookups count under whatever gateway is connected at the time.
        let current = CurrentGateway::new(demo.clone());
        cache.count_lookups_for(current.clone());
        cache.count_at("detail", Lookup::Hit, t0);
        current.set(live.clone());
        cache.count_at("detail", Lookup::Miss, t0);
        cache.count_at("detail", Lookup::Miss, t0);
        let lookups = |key: &GatewayKey| -> Vec<(Lookup, u64)> {
            cache
                .lookup_hours(key, t0 - Duration::hours(1), t0 + Duration::hours(1))
                .unwrap()
                .iter()
                .map(|h| (h.lookup, h.count))
                .collect()
        };
        assert_eq!(lookups(&demo), [(Lookup::Hit, 1)]);
        assert_eq!(lookups(&live), [(Lookup::Miss, 2)]);
    }

    #[test]
    fn figures_from_before_the_gateway_was_kept_become_unknown_and_count_nowhere() {
        use crate::store::CACHE_MIGRATIONS;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.db");
        let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 10, 15, 0).unwrap();
        {
            // The schema as it was just before: the migrations up to the one that added the
            // `calls` table, with a call, its hour and a lookup in it.
            let before = CACHE_MIGRATIONS
                .iter()
                .position(|sql| sql.contains("CREATE TABLE calls"))
                .unwrap()
                + 1;
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &CACHE_MIGRATIONS[..before] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(&format!("PRAGMA user_version = {before}"))
                .unwrap();
            conn.execute(
                "INSERT INTO calls (at, api, outcome, latency_us, attempt, message)
                 VALUES (?1, 'getToken', 'transient', 1000, 1, 'HTTP 502')",
                [Stamp(t0)],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO call_hours VALUES (?1, 'getToken', 'transient', 1, 1000, '')",
                [Stamp(hour_of(t0))],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO lookup_hours VALUES (?1, 'detail', 'miss', 3)",
                [Stamp(hour_of(t0))],
            )
            .unwrap();
        }
        let cache = Cache::open(&path).unwrap();
        let window = (t0 - Duration::hours(1), t0 + Duration::hours(1));
        for key in [
            GatewayKey::demo(),
            GatewayKey::live("https://gw.open.1688.com"),
        ] {
            assert!(cache
                .call_hours(&key, window.0, window.1)
                .unwrap()
                .is_empty());
            assert!(cache
                .lookup_hours(&key, window.0, window.1)
                .unwrap()
                .is_empty());
            assert!(cache.latest_failures(&key, window.0, 5).unwrap().is_empty());
        }
        // Not even when asked for by name.
        let unknown = GatewayKey::unknown();
        assert!(cache
            .call_hours(&unknown, window.0, window.1)
            .unwrap()
            .is_empty());
        assert_eq!(
            cache
                .calls_since(&unknown, window.0, Outcome::Transient)
                .unwrap(),
            0
        );
        // Kept, not lost: under 'unknown', pruned with age like the rest.
        let kept = |table: &str| -> i64 {
            cache
                .conn
                .query_row(
                    &format!("SELECT SUM(count) FROM {table} WHERE gateway = 'unknown'"),
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!((kept("call_hours"), kept("lookup_hours")), (1, 3));
        // New figures of the same hour and API go beside them, not into them.
        cache
            .record_calls(
                &[record(t0, Err(ApiError::Transient("HTTP 502".into())), 1)],
                t0,
            )
            .unwrap();
        assert_eq!(
            cache
                .call_hours(&GatewayKey::demo(), window.0, window.1)
                .unwrap()[0]
                .count,
            1
        );
    }

    #[test]
    fn hours_start_on_the_hour() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 10, 59, 59).unwrap();
        assert_eq!(
            hour_of(at),
            Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap()
        );
    }
}
