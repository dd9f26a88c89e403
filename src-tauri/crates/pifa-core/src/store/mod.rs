//! Pifa's SQLite files: `pifa.db` holds what the user has (offers, price history, shortlists,
//! watches, alerts); `cache.db` holds API answers that can be fetched again, so
//! deleting it loses nothing the user made.
//!
//! Both run in WAL mode with foreign keys on and a busy timeout, and carry their schema version
//! in `PRAGMA user_version`, upgraded by the migrations embedded in [`schema`].

mod alerts;
mod cache;
mod codec;
mod failures;
mod history;
mod lag;
mod parts;
mod picks;
mod raw_answers;
mod read;
mod recent;
mod schema;
mod search;
mod shared;
mod shared_points;
mod shared_watches;
mod shortlists;
mod supplier_history;
mod suppliers;
mod watches;
mod write;

pub use crate::watch::rules::DEFAULT_ALERT_BP;
pub use alerts::{describe, Alert, AlertKind, AlertRow, RaisedAlert};
pub use cache::calls::{hour_of, CallHour, FailedCall, LookupHour, HOURS_KEPT, RAW_KEPT};
pub use cache::Cache;
pub use cache::{CacheCounts, CachedAnswer, Lookup};
pub use failures::{PausedOffer, FAILURES_BEFORE_PAUSE, PAUSE};
pub use history::{CompactReport, COMPACT_BUDGET, HISTORY_RAW_KEPT};
pub use picks::{PickRun, PickRunSummary};
pub use raw_answers::PackedAnswer;
pub use recent::{RecentSearch, RECENT_SEARCHES};
pub use schema::{CACHE_MIGRATIONS, USER_MIGRATIONS};
pub use search::{OfferPage, OfferQuery, OfferSort, OfferSummary, SupplierSummary};
pub use shared::{SharedContact, SharedEntry, SharedShortlist, StoredAnswer};
pub use shared_points::{PriceObservation, OBSERVATIONS_AT_ONCE};
pub use shared_watches::SharedWatch;
pub use shortlists::{
    checked_name as checked_shortlist_name, compare, Shortlist, ShortlistPage, ShortlistQuery,
    ShortlistRow,
};
pub use supplier_history::{
    SupplierObservation, SupplierSignals, SIGNALS_HOLD_INTERVAL, SUPPLIER_HISTORY_ROWS,
};
pub use suppliers::{SealedField, SupplierEntry, SupplierOffer};
pub use watches::{PricePoint, Watch, WatchState};
pub use write::{ReadyAnswer, RecheckReport, SaveOutcome, IMPORT_GROUP, PRICE_POINT_INTERVAL};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::{DataDir, Error, Notice, Result};

/// Stored answers from before compression compressed per opening (about a second's work).
const PACK_BUDGET: usize = 50_000;

/// Bumped whenever the cleaner reads answers differently, so `recheck` knows what to redo.
pub const CLEANER_VERSION: i64 = 2;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    notices: Vec<Notice>,
    /// Stored-offer search's in-memory index, built on the first search.
    search: search::SearchCache,
}

#[cfg(test)]
impl Store {
    /// Caps the database at the pages it has: the next write that needs a page fails as on a
    /// full disk (`SQLITE_FULL`), without mounting a small filesystem.
    pub(crate) fn fill_disk_for_test(&self) {
        let pages: i64 = self
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
    }
}

impl Store {
    /// Opens (creating and upgrading as needed) the user database in a data directory.
    pub fn open_in(data_dir: &DataDir) -> Result<Store> {
        Store::open(data_dir.path().join("pifa.db"))
    }

    pub fn open(path: impl Into<PathBuf>) -> Result<Store> {
        let path = path.into();
        let (conn, notices) = open_connection(&path, USER_MIGRATIONS)?;
        // Storing an offer looks up its key in several indexes at random places; past a few
        // tens of thousands of offers they outgrow SQLite's default 2 MiB of cache, and each
        // miss is a read. Pages are taken only as used.
        conn.execute_batch("PRAGMA cache_size = -32768")
            .map_err(|e| classify(&path, "configuring", e))?;
        let mut store = Store {
            conn,
            path,
            notices,
            search: Default::default(),
        };
        // History older than 90 days folds into days a little at a time, here and after each
        // watch round; a store that cannot be written now is still readable.
        if let Err(e) = store.compact_history(chrono::Utc::now(), COMPACT_BUDGET) {
            tracing::warn!(code = e.code(), "price history not compacted: {e}");
        }
        // Answers stored before compression are compressed a batch at a time, likewise.
        if let Err(e) = store.pack_raw_answers(PACK_BUDGET) {
            tracing::warn!(code = e.code(), "stored answers not compressed: {e}");
        }
        Ok(store)
    }

    /// A second connection to this store that only reads. In WAL, its reads see the last
    /// committed state and never wait for a writer (a batch storing offers), which keeps the
    /// window responsive; without WAL they wait as any reader does.
    pub fn reader(&self) -> Result<Store> {
        let path = &self.path;
        let fail = |doing| move |e| classify(path, doing, e);
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(fail("opening a reader"))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(fail("setting the busy timeout"))?;
        // A write through the reader is a bug; SQLite refuses it rather than racing the writer.
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA foreign_keys = ON;")
            .map_err(fail("configuring a reader"))?;
        Ok(Store {
            conn,
            path: self.path.clone(),
            notices: Vec::new(),
            search: Default::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening worked around (a file system without WAL), for the user to hear once.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when SQLite answers "ok".
    pub fn check_integrity(&self) -> Result<()> {
        let answer: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.error("checking integrity", e))?;
        if answer == "ok" {
            Ok(())
        } else {
            Err(Error::StoreCorrupt {
                path: self.path.clone(),
            })
        }
    }

    pub(crate) fn error(&self, doing: &'static str, source: rusqlite::Error) -> Error {
        classify(&self.path, doing, source)
    }
}

/// Opens a database file with Pifa's settings and brings its schema up to date; says what it
/// had to work around.
pub(crate) fn open_connection(
    path: &Path,
    migrations: &[&str],
) -> Result<(Connection, Vec<Notice>)> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| match classify(path, "opening", source) {
        Error::Store { source, .. } => Error::StoreOpen {
            path: path.to_owned(),
            source,
        },
        other => other,
    })?;
    configure(conn, path, migrations)
}

fn configure(
    conn: Connection,
    path: &Path,
    migrations: &[&str],
) -> Result<(Connection, Vec<Notice>)> {
    // Before the journal exists: SQLite gives the journal files the database's mode.
    make_private(path);
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| classify(path, "setting the busy timeout", e))?;
    let notices = choose_journal(&conn, path)?.into_iter().collect();
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .map_err(|e| classify(path, "configuring", e))?;
    // Every statement of an offer's write stays prepared: parsing SQL again cost more than
    // running it. And it stays prepared when used again: SQLite (3.54) marks statements whose
    // plan might depend on a bound value, and rusqlite clears the bindings of a statement it
    // caches, which throws such a plan away; with the query planner's stability guarantee the
    // plan holds (Pifa runs no ANALYZE whose statistics it would use).
    conn.set_prepared_statement_cache_capacity(64);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(|e| classify(path, "configuring", e))?;
    schema::migrate(&conn, path, migrations)?;
    make_private(path);
    Ok((conn, notices))
}

/// WAL where the file system supports it; else a rollback journal, which is as safe but lets
/// readers wait for writers. Some network mounts cannot share WAL's index, and that is no reason
/// to refuse the user's data, nor to call it read-only.
fn choose_journal(conn: &Connection, path: &Path) -> Result<Option<Notice>> {
    // journal_mode answers with a row, so it is read rather than executed.
    // Changing the journal needs the file to itself, and SQLite's busy timeout does not cover
    // that: another opener (the app and pifa-cli at once) gets a moment to finish.
    let mode = |mode: &str| {
        let mut tries = 0;
        loop {
            let answer = conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |row| {
                row.get::<_, String>(0)
            });
            match answer {
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                answer => return answer,
            }
        }
    };
    match mode("WAL") {
        Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(None),
        // SQLite keeps the old mode when the file system cannot share memory.
        Ok(_) => {}
        Err(e) if lacks_wal(&e, path) => {}
        Err(e) => return Err(classify(path, "switching to WAL", e)),
    }
    mode("DELETE").map_err(|e| classify(path, "choosing a rollback journal", e))?;
    Ok(Some(Notice::new(
        "store.no_wal",
        format!(
            "the file system holding {} does not support SQLite's write-ahead log, so Pifa uses a rollback journal there (safe, but slower when several windows or scripts use it)",
            path.display()
        ),
        path.to_owned(),
    )))
}

/// Whether switching to WAL failed for want of file-system support (shared memory or locks)
/// rather than because of the file itself.
fn lacks_wal(error: &rusqlite::Error, path: &Path) -> bool {
    match error.sqlite_error_code() {
        Some(ErrorCode::SystemIoFailure) => true,
        Some(ErrorCode::CannotOpen) => !is_read_only(path),
        _ => false,
    }
}

/// Owner-only access (0600) to a database and its journal files: offers, notes and shortlists
/// are the user's business. Best effort: a file system without Unix modes keeps its own.
fn make_private(path: &Path) {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm", "-journal"] {
        use std::os::unix::fs::PermissionsExt;
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Turns SQLite's error codes into errors that say what the user can do.
pub(crate) fn classify(path: &Path, doing: &'static str, source: rusqlite::Error) -> Error {
    let path = path.to_owned();
    match source.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) if is_read_only(&path) => {
            Error::StoreReadOnly { path }
        }
        Some(ErrorCode::ReadOnly) => Error::StoreReadOnly { path },
        Some(ErrorCode::DiskFull) => Error::StoreFull { path },
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            Error::StoreCorrupt { path }
        }
        _ => Error::Store {
            path,
            doing,
            source,
        },
    }
}

/// Whether the folder holding `path` refuses new files (a read-only mount or missing rights).
fn is_read_only(path: &Path) -> bool {
    let dir = path.parent().unwrap_or(Path::new("."));
    let probe = dir.join(".pifa-write-probe");
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
        ),
    }
}

/// Applies the first `count` user migrations to a new file: how tests build every earlier
/// schema version to upgrade from.
#[doc(hidden)]
pub fn create_at_version(path: &Path, count: usize) -> Result<()> {
    let conn = Connection::open(path).map_err(|e| classify(path, "creating", e))?;
    schema::migrate(&conn, path, &USER_MIGRATIONS[..count])
}

impl Store {
    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.error("reading the schema version", e))
    }

    /// Rows in a table, for tests and health views. Only Pifa's own table names are accepted.
    pub fn row_count(&self, table: &str) -> Result<u64> {
        const TABLES: &[&str] = &[
            "offers",
            "suppliers",
            "raw_answers",
            "price_points",
            "price_days",
            "shortlists",
            "shortlist_items",
            "watches",
            "alerts",
            "offer_keys",
            "fetch_failures",
        ];
        let table = TABLES
            .iter()
            .find(|t| **t == table)
            .expect("a Pifa table name");
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.error("counting rows", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn without_wal_support_a_rollback_journal_is_used_and_said() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.db");
        // SQLite's dot-file locking has no shared memory for WAL's index, like some network
        // mounts.
        let conn = Connection::open_with_flags_and_vfs(&path, OpenFlags::default(), "unix-dotfile")
            .unwrap();
        let (conn, notices) = configure(conn, &path, USER_MIGRATIONS).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        let [notice] = notices.as_slice() else {
            panic!("one notice expected: {notices:?}")
        };
        assert_eq!(notice.code, "store.no_wal");
        assert!(notice.message.contains("pifa.db"), "{notice:?}");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, USER_MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_reader_reads_while_a_write_is_open_and_cannot_write() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
        let mut reader = store.reader().unwrap();
        store
            .create_shortlist("before", chrono::Utc::now())
            .unwrap();
        // A writer in the middle of a transaction (a batch storing offers).
        let tx = store
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("INSERT INTO shortlists (name, created_at) VALUES ('during', '2026-11-30T00:00:00.000Z')", [])
            .unwrap();
        let started = std::time::Instant::now();
        let names: Vec<String> = reader
            .shortlists()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        // Far below the 5 s busy timeout: the read did not wait for the write lock.
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(names, ["before"], "the reader sees only what was committed");
        tx.commit().unwrap();
        let err = reader
            .create_shortlist("through the reader", chrono::Utc::now())
            .unwrap_err();
        assert!(err.to_string().contains("pifa.db"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn database_files_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.db");
        // A database from before, readable by everyone.
        drop(Store::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(&path).unwrap();
        assert!(store.notices().is_empty());
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
}
