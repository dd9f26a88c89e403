//! The API cache: answers keyed by request, each with the moment it goes stale. It lives in its
//! own file (`cache.db`) so it can be deleted at any time without losing anything the user made.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{classify, open_connection, read::parse_time, CACHE_MIGRATIONS};
use crate::{DataDir, Result};

pub struct Cache {
    conn: Connection,
    path: PathBuf,
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

    pub fn open(path: impl Into<PathBuf>) -> Result<Cache> {
        let path = path.into();
        let conn = open_connection(&path, CACHE_MIGRATIONS)?;
        Ok(Cache { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Result<Option<CachedAnswer>> {
        self.conn
            .query_row(
                "SELECT body, fetched_at, stale_at FROM answers WHERE cache_key = ?1",
                [key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
            .map(|found| {
                found.map(|(body, fetched_at, stale_at)| CachedAnswer {
                    body,
                    fetched_at: parse_time(&fetched_at),
                    fresh: now < parse_time(&stale_at),
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
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.conn
            .execute(
                "INSERT INTO answers (cache_key, kind, body, fetched_at, stale_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (cache_key) DO UPDATE SET kind = excluded.kind, body = excluded.body,
                     fetched_at = excluded.fetched_at, stale_at = excluded.stale_at",
                params![key, kind, body, at(fetched_at), at(fetched_at + ttl)],
            )
            .map(drop)
            .map_err(|e| classify(&self.path, "writing the cache", e))
    }
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
    /// Counts one lookup; a failure to count never fails the lookup itself.
    pub fn count(&self, kind: &str, lookup: Lookup) {
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
