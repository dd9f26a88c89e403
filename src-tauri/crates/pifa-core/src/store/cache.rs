//! The API cache: answers keyed by request, each with the moment it goes stale. It lives in its
//! own file (`cache.db`) so it can be deleted at any time without losing anything the user made.
//! A detail answer's body is not kept here: the store holds it, compressed, with its offer.
//!
//! Because it is disposable, a cache file that cannot be opened is moved aside and a new one
//! made, and old or surplus answers are deleted at every open, so it cannot grow without bound.

pub(crate) mod calls;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

use super::codec::Stamp;
use super::{classify, open_connection, CACHE_MIGRATIONS};
use crate::{DataDir, Error, Notice, Result};

/// Answers fetched longer ago than this are deleted at open; a fresh fetch would be asked for
/// long before anyway.
pub const MAX_AGE: Duration = Duration::days(30);
/// At most this many answers are kept, the newest first.
pub const MAX_ROWS: u64 = 50_000;
/// At most this many bytes of answers are kept, the newest first.
pub const MAX_BYTES: u64 = 512 << 20;
/// Bigger answers are used but not cached: real ones are 10-200 KB, so this is a gateway
/// sending junk, which must not fill the disk.
pub const MAX_BODY_BYTES: usize = 4 << 20;

pub struct Cache {
    conn: Connection,
    path: PathBuf,
    notices: Vec<Notice>,
    /// The gateway lookups are counted under (`calls.rs`).
    gateway: crate::metrics::CurrentGateway,
}

/// A cached answer and whether it is still fresh at the time asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAnswer {
    pub body: String,
    pub fetched_at: DateTime<Utc>,
    pub fresh: bool,
}

impl Cache {
    pub fn open_in(data_dir: &DataDir) -> Result<Cache> {
        Cache::open(data_dir.path().join("cache.db"))
    }

    /// Opens the cache, evicting old answers; a file that cannot be used is moved aside as
    /// `cache.db.corrupt-<time>` and a new one made, which [`Cache::notices`] reports.
    pub fn open(path: impl Into<PathBuf>) -> Result<Cache> {
        let path = path.into();
        let now = Utc::now();
        let failure = match Cache::open_as_is(&path, now) {
            Ok(cache) => return Ok(cache),
            Err(e) if disposable(&e) => e,
            Err(e) => return Err(e),
        };
        let aside = set_aside(&path, now).map_err(|_| failure)?;
        let mut cache = Cache::open_as_is(&path, now)?;
        cache.notices.push(Notice::new(
            "cache.rebuilt",
            format!(
                "the cache {} could not be used, so a new one was started (nothing you made is lost); the old file is kept as {}",
                path.display(),
                aside.display()
            ),
            aside,
        ));
        Ok(cache)
    }

    fn open_as_is(path: &Path, now: DateTime<Utc>) -> Result<Cache> {
        let (conn, notices) = open_connection(path, CACHE_MIGRATIONS)?;
        let cache = Cache {
            conn,
            path: path.to_owned(),
            notices,
            gateway: Default::default(),
        };
        match cache.evict(now, MAX_ROWS, MAX_BYTES) {
            Err(e) if disposable(&e) => Err(e),
            // A full disk or a file busy elsewhere: eviction waits for the next open.
            _ => Ok(cache),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening worked around (a rebuilt file, a file system without WAL).
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Deletes answers older than [`MAX_AGE`], then the oldest beyond `max_rows` answers or
    /// `max_bytes` bytes; returns how many went.
    fn evict(&self, now: DateTime<Utc>, max_rows: u64, max_bytes: u64) -> Result<u64> {
        let old = self
            .conn
            .execute(
                "DELETE FROM answers WHERE fetched_at < ?1",
                [Stamp(now - MAX_AGE)],
            )
            .map_err(|e| classify(&self.path, "evicting old answers", e))?;
        let surplus = self
            .conn
            .execute(
                "DELETE FROM answers WHERE cache_key IN (
                     SELECT cache_key FROM (
                         SELECT cache_key, ROW_NUMBER() OVER newest AS n,
                                SUM(octet_length(body)) OVER newest AS bytes
                         FROM answers
                         WINDOW newest AS (ORDER BY fetched_at DESC, cache_key))
                     WHERE n > ?1 OR bytes > ?2)",
                params![
                    i64::try_from(max_rows).unwrap_or(i64::MAX),
                    i64::try_from(max_bytes).unwrap_or(i64::MAX)
                ],
            )
            .map_err(|e| classify(&self.path, "evicting surplus answers", e))?;
        Ok((old + surplus) as u64)
    }

    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Result<Option<CachedAnswer>> {
        self.conn
            .query_row(
                "SELECT body, fetched_at, stale_at FROM answers WHERE cache_key = ?1",
                [key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Stamp>(1)?,
                        r.get::<_, Stamp>(2)?,
                    ))
                },
            )
            .optional()
            .map(|found| {
                found.map(|(body, fetched_at, stale_at)| CachedAnswer {
                    body,
                    fetched_at: fetched_at.0,
                    fresh: now < stale_at.0,
                })
            })
            .map_err(|e| classify(&self.path, "reading the cache", e))
    }

    pub fn put(
        &self,
        key: &str,
        kind: &str,
        body: &str,
        fetched_at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<()> {
        put_in(&self.conn, key, kind, body, fetched_at, ttl)
            .map_err(|e| classify(&self.path, "writing the cache", e))
    }

    /// Notes that offers' details were fetched, each key with when, in one transaction. A
    /// detail answer is kept once, compressed, with its offer in the store: its row here holds
    /// no body, only when it goes stale, which is all a detail lookup asks of the cache.
    pub fn fetched_details<'a>(
        &self,
        fetched: impl IntoIterator<Item = (&'a str, DateTime<Utc>)>,
        ttl: Duration,
    ) -> Result<()> {
        let put = || -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            for (key, fetched_at) in fetched {
                put_in(&tx, key, "detail", "", fetched_at, ttl)?;
            }
            tx.commit()
        };
        put().map_err(|e| classify(&self.path, "writing the cache", e))
    }
}

fn put_in(
    conn: &Connection,
    key: &str,
    kind: &str,
    body: &str,
    fetched_at: DateTime<Utc>,
    ttl: Duration,
) -> rusqlite::Result<()> {
    if body.len() > MAX_BODY_BYTES {
        // Not kept; nor is an older answer for the same request, which is now outdated.
        return conn
            .prepare_cached("DELETE FROM answers WHERE cache_key = ?1")?
            .execute([key])
            .map(drop);
    }
    conn.prepare_cached(
        "INSERT INTO answers (cache_key, kind, body, fetched_at, stale_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (cache_key) DO UPDATE SET kind = excluded.kind, body = excluded.body,
             fetched_at = excluded.fetched_at, stale_at = excluded.stale_at",
    )?
    .execute(params![key, kind, body, Stamp(fetched_at), Stamp(fetched_at + ttl)])
    .map(drop)
}

/// Whether moving the file aside can help: not for a full disk, a read-only directory or a
/// file another process holds locked.
fn disposable(error: &Error) -> bool {
    match error {
        Error::StoreCorrupt { .. } | Error::StoreTooNew { .. } | Error::StoreOpen { .. } => true,
        Error::Store { source, .. } => !matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        ),
        _ => false,
    }
}

/// Renames the cache file, and its WAL files along with it, to `<name>.corrupt-<time>`.
fn set_aside(path: &Path, now: DateTime<Utc>) -> std::io::Result<PathBuf> {
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{}", now.format("%Y%m%dT%H%M%SZ")));
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut to = aside.as_os_str().to_owned();
        to.push(suffix);
        // A WAL left beside a new file would be replayed into it.
        match std::fs::rename(&from, &to) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                std::fs::remove_file(&from)?;
            }
            _ => {}
        }
    }
    Ok(aside)
}

/// How cached lookups of one kind went: for the health view.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CacheCounts {
    pub kind: String,
    #[ts(type = "number")]
    pub hits: u64,
    #[ts(type = "number")]
    pub stale: u64,
    #[ts(type = "number")]
    pub misses: u64,
    /// Lookups answered from the cache (fresh or stale), in whole percent; `null` before any.
    pub served_percent: Option<u8>,
}

/// What a cached lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Stale,
    Miss,
}

impl Lookup {
    fn column(self) -> &'static str {
        match self {
            Lookup::Hit => "hit",
            Lookup::Stale => "stale",
            Lookup::Miss => "miss",
        }
    }
}

impl Cache {
    /// Counts one lookup, all-time and in its hour; a failure to count never fails the lookup
    /// itself.
    pub fn count(&self, kind: &str, lookup: Lookup) {
        self.count_at(kind, lookup, Utc::now());
    }

    /// [`count`](Self::count) at a given time.
    pub fn count_at(&self, kind: &str, lookup: Lookup, at: DateTime<Utc>) {
        self.count_hour(kind, lookup, at);
        let _ = self.conn.execute(
            "INSERT INTO counters (kind, result, count) VALUES (?1, ?2, 1)
             ON CONFLICT (kind, result) DO UPDATE SET count = count + 1",
            params![kind, lookup.column()],
        );
    }

    pub fn counts(&self) -> Result<Vec<CacheCounts>> {
        let mut statement = self
            .conn
            .prepare("SELECT kind, result, count FROM counters ORDER BY kind")
            .map_err(|e| classify(&self.path, "reading cache counters", e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| classify(&self.path, "reading cache counters", e))?;
        let mut counts: Vec<CacheCounts> = Vec::new();
        for row in rows {
            let (kind, result, count) =
                row.map_err(|e| classify(&self.path, "reading cache counters", e))?;
            if counts.last().is_none_or(|c| c.kind != kind) {
                counts.push(CacheCounts {
                    kind: kind.clone(),
                    ..CacheCounts::default()
                });
            }
            let entry = counts.last_mut().expect("just pushed");
            match result.as_str() {
                "hit" => entry.hits = count as u64,
                "stale" => entry.stale = count as u64,
                _ => entry.misses = count as u64,
            }
        }
        for entry in &mut counts {
            let served = entry.hits + entry.stale;
            let all = served + entry.misses;
            entry.served_percent = (all > 0).then(|| (served * 100 / all) as u8);
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_fresh_until_their_ttl_passes() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let t0 = Utc::now();
        cache
            .put(
                "detail:1",
                "detail",
                r#"{"标题":"纯棉T恤"}"#,
                t0,
                Duration::hours(1),
            )
            .unwrap();
        let hit = cache
            .get("detail:1", t0 + Duration::minutes(59))
            .unwrap()
            .unwrap();
        assert!(hit.fresh);
        assert_eq!(hit.body, r#"{"标题":"纯棉T恤"}"#);
        assert!(
            !cache
                .get("detail:1", t0 + Duration::hours(2))
                .unwrap()
                .unwrap()
                .fresh
        );
        assert_eq!(cache.get("detail:2", t0).unwrap(), None);
    }

    fn keys(cache: &Cache) -> Vec<String> {
        let mut statement = cache
            .conn
            .prepare("SELECT cache_key FROM answers ORDER BY cache_key")
            .unwrap();
        let keys = statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        keys
    }

    #[test]
    fn old_answers_go_at_open() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.db");
        let cache = Cache::open(&path).unwrap();
        let now = Utc::now();
        let hour = Duration::hours(1);
        cache
            .put("detail:old", "detail", "{}", now - Duration::days(31), hour)
            .unwrap();
        cache
            .put("detail:new", "detail", "{}", now - Duration::days(29), hour)
            .unwrap();
        drop(cache);
        let cache = Cache::open(&path).unwrap();
        assert_eq!(keys(&cache), ["detail:new"]);
        assert!(cache.notices().is_empty());
    }

    #[test]
    fn the_newest_answers_are_kept_within_the_row_and_byte_caps() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let now = Utc::now();
        for n in 0..5 {
            let body = "字".repeat(100); // 300 bytes
            let at = now - Duration::minutes(n);
            cache
                .put(&format!("k{n}"), "detail", &body, at, Duration::hours(1))
                .unwrap();
        }
        assert_eq!(cache.evict(now, 3, u64::MAX).unwrap(), 2);
        assert_eq!(keys(&cache), ["k0", "k1", "k2"]);
        // 700 bytes hold two answers of 300.
        assert_eq!(cache.evict(now, u64::MAX, 700).unwrap(), 1);
        assert_eq!(keys(&cache), ["k0", "k1"]);
    }

    #[test]
    fn an_oversized_answer_is_not_cached_nor_its_outdated_copy_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        let t0 = Utc::now();
        let hour = Duration::hours(1);
        cache.put("detail:1", "detail", "{}", t0, hour).unwrap();
        let huge = "x".repeat(MAX_BODY_BYTES + 1);
        cache.put("detail:1", "detail", &huge, t0, hour).unwrap();
        assert_eq!(cache.get("detail:1", t0).unwrap(), None);
        let fits = "x".repeat(MAX_BODY_BYTES);
        cache.put("detail:1", "detail", &fits, t0, hour).unwrap();
        assert_eq!(
            cache.get("detail:1", t0).unwrap().unwrap().body.len(),
            MAX_BODY_BYTES
        );
    }

    #[test]
    fn a_corrupt_cache_is_moved_aside_and_rebuilt() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.db");
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &garbage).unwrap();
        let cache = Cache::open(&path).unwrap();
        let [notice] = cache.notices() else {
            panic!("one notice expected: {:?}", cache.notices())
        };
        assert_eq!(notice.code, "cache.rebuilt");
        assert!(notice.message.contains("cache.db"), "{notice:?}");
        let aside = notice
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(aside.starts_with("cache.db.corrupt-"), "{aside}");
        assert_eq!(std::fs::read(&notice.path).unwrap(), garbage);
        let t0 = Utc::now();
        cache
            .put("detail:1", "detail", "{}", t0, Duration::hours(1))
            .unwrap();
        assert!(cache.get("detail:1", t0).unwrap().is_some());
        drop(cache);
        assert!(Cache::open(&path).unwrap().notices().is_empty());
    }

    #[test]
    fn a_cache_that_is_no_cache_at_all_is_rebuilt_too() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.db");
        // A valid SQLite file with the wrong tables: a negative version, then an unknown one.
        for version in [-1, 99] {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(&format!("PRAGMA user_version = {version}"))
                .unwrap();
            let cache = Cache::open(&path).unwrap();
            assert_eq!(cache.notices()[0].code, "cache.rebuilt", "{version}");
            drop(cache);
            std::fs::remove_file(&path).unwrap();
        }
    }

    #[test]
    fn lookups_are_counted_by_kind() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path().join("cache.db")).unwrap();
        for lookup in [Lookup::Hit, Lookup::Hit, Lookup::Stale, Lookup::Miss] {
            cache.count("detail", lookup);
        }
        cache.count("search", Lookup::Miss);
        let counts = cache.counts().unwrap();
        assert_eq!(
            counts[0],
            CacheCounts {
                kind: "detail".into(),
                hits: 2,
                stale: 1,
                misses: 1,
                served_percent: Some(75),
            }
        );
        assert_eq!(
            counts[1],
            CacheCounts {
                kind: "search".into(),
                hits: 0,
                stale: 0,
                misses: 1,
                served_percent: Some(0),
            }
        );
    }
}
