//! The last few 1688 keyword searches, so the first screen can offer them again. Bounded: only
//! the newest [`RECENT_SEARCHES`] keywords are kept.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::codec::Stamp;
use super::Store;
use crate::Result;

/// How many keywords are kept.
pub const RECENT_SEARCHES: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecentSearch {
    pub keyword: String,
    #[ts(type = "string")]
    pub searched_at: DateTime<Utc>,
}

impl Store {
    /// Notes a search of `keyword` (already normalized); searching it again moves it to the top.
    pub fn note_search(&mut self, keyword: &str, at: DateTime<Utc>) -> Result<()> {
        let fail = |e| self.error("noting a recent search", e);
        let tx = self.conn.unchecked_transaction().map_err(fail)?;
        tx.execute(
            "INSERT INTO recent_searches (keyword, searched_at) VALUES (?1, ?2)
             ON CONFLICT (keyword) DO UPDATE SET searched_at = excluded.searched_at",
            params![keyword, Stamp(at)],
        )
        .map_err(fail)?;
        tx.execute(
            "DELETE FROM recent_searches WHERE keyword NOT IN
             (SELECT keyword FROM recent_searches ORDER BY searched_at DESC, keyword LIMIT ?1)",
            [RECENT_SEARCHES],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The newest searches first, at most `limit`.
    pub fn recent_searches(&self, limit: u32) -> Result<Vec<RecentSearch>> {
        let fail = |e| self.error("listing recent searches", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT keyword, searched_at FROM recent_searches
                 ORDER BY searched_at DESC, keyword LIMIT ?1",
            )
            .map_err(fail)?;
        statement
            .query_map([limit], |row| {
                Ok(RecentSearch {
                    keyword: row.get(0)?,
                    searched_at: row.get::<_, Stamp>(1)?.into(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn searches_are_kept_newest_first_without_repeats_and_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
        let start = Utc::now();
        for i in 0..(RECENT_SEARCHES + 3) {
            store
                .note_search(&format!("词{i}"), start + Duration::seconds(i.into()))
                .unwrap();
        }
        // Searching an old keyword again brings it to the top rather than adding a row.
        store
            .note_search("词5", start + Duration::seconds(100))
            .unwrap();
        let kept = store.recent_searches(100).unwrap();
        assert_eq!(kept.len(), RECENT_SEARCHES as usize);
        assert_eq!(kept[0].keyword, "词5");
        assert_eq!(kept[1].keyword, format!("词{}", RECENT_SEARCHES + 2));
        // The oldest ones went.
        assert!(!kept
            .iter()
            .any(|s| s.keyword == "词0" || s.keyword == "词2"));
        assert_eq!(store.recent_searches(2).unwrap().len(), 2);
    }
}
