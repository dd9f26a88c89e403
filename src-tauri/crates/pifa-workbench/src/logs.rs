//! The log file a user can send: `tracing` events of every Pifa crate (and, in the app, Tauri's
//! `log` records) go to daily files in `<data dir>/logs/`, a week of them kept. The app and the
//! CLI write the same files, so a cron `watch check` leaves a trace beside the app's.
//!
//! Nothing here decides what is logged; call sites pick their fields (offer IDs, codes, messages
//! that are already shown to users) so no secret or token ever reaches the file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::level_filters::LevelFilter;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer as _;
use ts_rs::TS;

/// Files are `pifa.YYYY-MM-DD.log`.
const PREFIX: &str = "pifa";
const SUFFIX: &str = "log";
/// Daily files kept; older ones are deleted as new ones start.
const KEPT_FILES: usize = 7;
/// How much of the end of a file is read for the last problems: the file may be large, the
/// Status page needs only its newest lines.
const TAIL_BYTES: u64 = 256 * 1024;
/// Files read back for the last problems: today's may have just begun.
const FILES_READ: usize = 2;
/// How many problems the Status page shows.
pub const LAST_PROBLEMS: usize = 20;
/// The level for Pifa's own events (`error`, `warn`, `info`, `debug`, `trace`); other crates
/// log warnings and errors only, so no request line with a token in its address is written.
pub const LEVEL_ENV: &str = "PIFA_LOG";

/// Starts writing the log into the log folder of the data directory (`--data-dir`,
/// `PIFA_DATA_DIR` or the platform's) for the rest of the process. Only the first call in a
/// process takes effect. Without a usable folder nothing is logged: the program works the same
/// without its log, and the data directory's problem is reported by every action anyway.
pub fn start(explicit_data_dir: Option<&Path>) {
    if let Ok(data_dir) = pifa_core::DataDir::resolve(explicit_data_dir) {
        // A second start in one process (tests) keeps the first logger.
        let _ = start_in(&data_dir.log_dir());
    }
}

/// Starts writing the log into `dir`.
pub fn start_in(dir: &Path) -> io::Result<()> {
    // Made here: the appender would otherwise complain on standard error, which the CLI keeps
    // for its own lines.
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    // Private like the data directory: the log names the offers and searches of the user.
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEPT_FILES)
        .build(dir)
        .map_err(io::Error::other)?;
    let own = std::env::var(LEVEL_ENV)
        .ok()
        .and_then(|level| level.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    // "pifa" covers every crate of the workspace (pifa_core, pifa_workbench, pifa_app, ...).
    let filter = Targets::new()
        .with_target("pifa", own)
        .with_default(LevelFilter::WARN);
    // Written in place, not through a background writer: events are few, and a CLI that exits
    // right after a failure must not lose the line saying why.
    let file = tracing_subscriber::fmt::layer()
        .with_writer(appender)
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(file.with_filter(filter))
        .try_init()
        .map_err(io::Error::other)?;
    // A panic in a background task would otherwise leave no trace once the window is closed.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |panic| {
        let payload = panic.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        // One line, so the Status page reads it whole.
        let what = what.replace('\n', " ");
        let place = panic
            .location()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::error!(target: "pifa::panic", place = %place, "Pifa stopped unexpectedly: {what}");
        previous(panic);
    }));
    Ok(())
}

/// How bad a logged problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum LogLevel {
    Error,
    Warn,
}

/// One warning or error read back from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    /// The module that logged it, such as `pifa_workbench::sourcing`.
    pub target: String,
    /// The message and its fields, as written.
    pub message: String,
}

/// What the Status page shows about the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogStatus {
    /// The folder holding the log files.
    #[ts(type = "string")]
    pub dir: PathBuf,
    /// The newest log file, `null` before anything was logged.
    #[ts(type = "string | null")]
    pub file: Option<PathBuf>,
    /// The newest warnings and errors, newest first.
    pub problems: Vec<LogEntry>,
}

/// The log files in `dir`, newest first (their names hold the day, so they sort by name).
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pifa.") && n.ends_with(".log"))
        })
        .collect();
    files.sort_unstable_by(|a, b| b.cmp(a));
    files
}

/// The log's state in `dir`: its newest file and up to `limit` newest warnings and errors.
pub fn status(dir: &Path, limit: usize) -> LogStatus {
    let files = log_files(dir);
    let mut problems = Vec::new();
    for file in files.iter().take(FILES_READ) {
        if problems.len() >= limit {
            break;
        }
        // An unreadable file is skipped: the page shows what can be read.
        let Ok(text) = read_tail(file, TAIL_BYTES) else {
            continue;
        };
        let found: Vec<LogEntry> = text.lines().filter_map(parse_line).collect();
        problems.extend(found.into_iter().rev().take(limit - problems.len()));
    }
    LogStatus {
        dir: dir.to_path_buf(),
        file: files.into_iter().next(),
        problems,
    }
}

/// At most the last `max` bytes of a file, from the first whole line in them.
pub fn read_tail(path: &Path, max: u64) -> io::Result<String> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let start = len.saturating_sub(max);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity((len - start) as usize);
    file.take(max).read_to_end(&mut bytes)?;
    if start > 0 {
        // The cut may fall inside a line (and inside a UTF-8 character): begin after it.
        let first = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..first);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A warning or error line as the file layer writes it:
/// `2026-11-30T08:00:00.123456Z  WARN pifa_workbench::sourcing: message key=value`.
/// Other levels and anything else (a torn or foreign line) are `None`.
pub fn parse_line(line: &str) -> Option<LogEntry> {
    let (at, rest) = line.split_once(' ')?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    let rest = rest.trim_start();
    let (level, rest) = rest.split_once(' ')?;
    let level = match level {
        "ERROR" => LogLevel::Error,
        "WARN" => LogLevel::Warn,
        _ => return None,
    };
    let (target, message) = rest.trim_start().split_once(": ")?;
    if target.is_empty() || target.contains(char::is_whitespace) {
        return None;
    }
    Some(LogEntry {
        at,
        level,
        target: target.to_owned(),
        message: message.trim_end().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn warnings_and_errors_are_read_and_anything_else_skipped() {
        let line = "2026-11-30T08:00:00.123456Z  WARN pifa_workbench::sourcing: 刷新搜索页失败: 网关超时 code=gateway.transient keyword=保温杯";
        let entry = parse_line(line).unwrap();
        assert_eq!(entry.level, LogLevel::Warn);
        assert_eq!(entry.target, "pifa_workbench::sourcing");
        assert_eq!(
            entry.message,
            "刷新搜索页失败: 网关超时 code=gateway.transient keyword=保温杯"
        );
        assert_eq!(entry.at.to_rfc3339(), "2026-11-30T08:00:00.123456+00:00");
        let error = parse_line("2026-11-30T08:00:01Z ERROR pifa_app::watches: x").unwrap();
        assert_eq!(error.level, LogLevel::Error);
        for other in [
            "2026-11-30T08:00:00.1Z  INFO pifa_cli: started",
            "",
            "garbage",
            "\u{fffd}\u{fffd} WARN x: y",
            "2026-13-40T99:00:00Z  WARN x: y",
            "2026-11-30T08:00:00Z  WARN",
            "2026-11-30T08:00:00Z  WARN no colon here",
        ] {
            assert_eq!(parse_line(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_newest_problems_come_first_from_the_newest_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(
            dir.join("pifa.2026-11-29.log"),
            "2026-11-29T10:00:00Z  WARN pifa_core: older\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("pifa.2026-11-30.log"),
            "2026-11-30T10:00:00Z ERROR pifa_core: first\nnot a log line\n2026-11-30T11:00:00Z  INFO pifa_core: fine\n2026-11-30T12:00:00Z  WARN pifa_core: second\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "2026-11-30T13:00:00Z  WARN x: y\n").unwrap();
        let status = status(dir, 20);
        let messages: Vec<&str> = status.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["second", "first", "older"]);
        assert!(status.file.unwrap().ends_with("pifa.2026-11-30.log"));
        assert_eq!(super::status(dir, 2).problems.len(), 2);
        let empty = super::status(&dir.join("none"), 20);
        assert_eq!((empty.file, empty.problems.len()), (None, 0));
    }

    #[test]
    fn only_the_tail_of_a_large_file_is_read_and_a_cut_character_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.2026-11-30.log");
        let mut file = File::create(&path).unwrap();
        let old = "2026-11-30T01:00:00Z  WARN pifa_core: 旧的问题\n";
        for _ in 0..(2 * TAIL_BYTES as usize / old.len()) {
            file.write_all(old.as_bytes()).unwrap();
        }
        file.write_all("2026-11-30T02:00:00Z ERROR pifa_core: 最新的问题\n".as_bytes())
            .unwrap();
        drop(file);
        let tail = read_tail(&path, TAIL_BYTES).unwrap();
        assert!(tail.len() as u64 <= TAIL_BYTES);
        assert!(tail.starts_with("2026-11-30T01"), "begins at a whole line");
        assert!(!tail.contains('\u{fffd}'));
        let status = status(tmp.path(), 3);
        assert_eq!(status.problems[0].message, "最新的问题");
        assert_eq!(status.problems[1].message, "旧的问题");
    }
}
