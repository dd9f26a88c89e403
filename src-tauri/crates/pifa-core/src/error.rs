//! The core's one error type. Every variant names what went wrong and where, and maps to a
//! stable machine-readable code that the UI and scripts can rely on.

use std::io;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no data directory could be determined for this user; set PIFA_DATA_DIR to choose one"
    )]
    NoDataDir,

    #[error("the data directory {path} cannot be used: {source}")]
    DataDirUnusable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the settings file {path} cannot be read: {source}")]
    SettingsUnreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the settings file {path} cannot be written: {source}")]
    SettingsUnwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("unknown language {0:?}: expected \"en\" or \"zh-CN\"")]
    UnknownLanguage(String),

    #[error("{0} minutes is not a usable interval: choose from {min} to {max} minutes (a week)", min = crate::settings::MINUTES.start(), max = crate::settings::MINUTES.end())]
    BadInterval(u32),

    #[error("the database {path} cannot be opened: {source}")]
    StoreOpen {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the database {path} is read-only: Pifa needs to write to its data directory")]
    StoreReadOnly { path: PathBuf },

    #[error("the disk holding {path} is full: nothing was changed; free some space and try again")]
    StoreFull { path: PathBuf },

    #[error("the database {path} is damaged or not a Pifa database")]
    StoreCorrupt { path: PathBuf },

    #[error("the database {path} was written by a newer Pifa (schema {found}, this one knows up to {known}); update Pifa")]
    StoreTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("the database {path} failed while {doing}: {source}")]
    Store {
        path: PathBuf,
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the file {path} cannot be read: {source}")]
    InputUnreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("no OS keyring is reachable ({0}); on Linux install and start a Secret Service such as gnome-keyring or KeePassXC in your desktop session")]
    KeyringUnavailable(String),

    #[error("the OS keyring is locked: unlock it (log in to your desktop session or open your keyring app) and try again")]
    KeyringLocked,

    #[error("the OS keyring holds something Pifa cannot use: {0}")]
    KeyringCorrupt(String),

    #[error("line {line} is not JSON: {reason}")]
    ImportNotJson { line: u64, reason: String },

    #[error("cannot read line {line}: {source}")]
    ImportUnreadableLine {
        line: u64,
        #[source]
        source: io::Error,
    },

    #[error("offer {0} is not stored")]
    OfferNotFound(String),

    /// Fetches of the offer failed too often in a row (see `store::FAILURES_BEFORE_PAUSE`).
    #[error("paused after repeated failures; resume it to fetch it again")]
    OfferPaused,

    #[error(transparent)]
    BadOfferId(#[from] crate::offer::OfferIdError),

    #[error("a shortlist needs a name of 1 to 60 characters, not {0:?}")]
    ShortlistBadName(String),

    #[error("there is already a shortlist named {0:?}")]
    ShortlistNameTaken(String),

    #[error("shortlist {0} does not exist (it may have been deleted)")]
    ShortlistNotFound(i64),

    #[error("compare 2 to 8 offers side by side, not {0}")]
    CompareCount(usize),

    #[error("the export could not be written to {path}: {source}")]
    ExportUnwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the answer for {what} cannot be read: {source}")]
    Unreadable {
        what: String,
        #[source]
        source: crate::offer::CleanError,
    },

    /// A detail answer about another offer than the one asked for.
    #[error(
        "1688 sent an answer Pifa cannot use: the answer is for offer {answered}, not {requested}"
    )]
    WrongOffer { requested: String, answered: String },

    #[error("type what to search for")]
    EmptyKeyword,

    #[error("paste offer IDs or 1688 offer links, one or more per line")]
    BatchEmpty,

    #[error("a batch is already running: wait for it or cancel it first")]
    BatchRunning,

    /// The app key or secret is missing; the text says where to give them.
    #[error("{0}")]
    NoCredentials(String),

    /// No usable 1688 authorization; the text says how to get one.
    #[error("{0}")]
    NotAuthorized(String),

    #[error("the demo gateway could not start: {0}")]
    DemoStart(String),

    #[error("cannot pick: {0}")]
    PickBadRequest(String),

    #[error("unusable weights: {0}")]
    PickBadWeights(String),

    #[error("the pick was cancelled before every candidate was fetched")]
    PickCancelled,

    #[error("pick run {0} does not exist")]
    PickRunNotFound(i64),

    #[error("a pick is already running: wait for it or cancel it first")]
    PickRunning,

    #[error("the log folder {path} could not be opened: {reason}")]
    LogFolderUnopenable { path: PathBuf, reason: String },

    #[error("the 1688 page {url} could not be opened in the browser: {reason}")]
    OfferPageUnopenable { url: String, reason: String },

    #[error("the clipboard could not be written: {0}")]
    ClipboardUnavailable(String),

    /// The supplier contacts cannot be opened with the key the keyring holds (or it holds none);
    /// the text says which, never a contact.
    #[error("the supplier contacts are locked: {0}")]
    ContactsLocked(String),

    #[error("a stored supplier contact does not open with its supplier and field: it was altered or moved between suppliers")]
    ContactsDamaged,

    #[error("the {field} is longer than {max} characters")]
    ContactsTooLong { field: &'static str, max: usize },

    #[error("supplier {0:?} is not stored: give a supplier ID from `pifa-cli supplier list` or an offer ID of that supplier")]
    SupplierNotFound(String),

    #[error("the supplier of offer {0} is not known yet: refresh the offer so 1688 names it")]
    SupplierUnknown(String),

    #[error("offer {0} is not watched: `pifa-cli watch add {0} --qty N` starts a watch")]
    WatchNotFound(String),

    #[error("this watch rule cannot be used: {0}")]
    WatchBadRule(String),

    /// A health threshold outside what Settings accepts; the text names the target and range.
    #[error("{0}")]
    BadThreshold(String),

    /// A demo fault profile that does not exist; the text names where it was given.
    #[error("{0}")]
    BadDemoFaults(String),
}

impl Error {
    /// Every further fetch would fail the same way, whatever the offer: a full or read-only
    /// disk, no app or authorization, no demo gateway. A run of fetches stops at the first.
    pub fn stops_run(&self) -> bool {
        matches!(
            self,
            Error::StoreFull { .. }
                | Error::StoreReadOnly { .. }
                | Error::NoCredentials(_)
                | Error::NotAuthorized(_)
                | Error::DemoStart(_)
        )
    }
}

impl Error {
    /// What this error names (a file, an offer, a name), by name, for a front end that explains
    /// the code in the user's language: the values, unlike the English message, read the same
    /// in every language. Empty for errors that name nothing of the user's.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let path = |path: &std::path::Path| vec![("path", path.display().to_string())];
        match self {
            Error::DataDirUnusable { path: p, .. }
            | Error::SettingsUnreadable { path: p, .. }
            | Error::SettingsUnwritable { path: p, .. }
            | Error::StoreOpen { path: p, .. }
            | Error::StoreReadOnly { path: p }
            | Error::StoreFull { path: p }
            | Error::StoreCorrupt { path: p }
            | Error::StoreTooNew { path: p, .. }
            | Error::Store { path: p, .. }
            | Error::InputUnreadable { path: p, .. }
            | Error::ExportUnwritable { path: p, .. }
            | Error::LogFolderUnopenable { path: p, .. } => path(p),
            Error::ImportNotJson { line, .. } | Error::ImportUnreadableLine { line, .. } => {
                vec![("line", line.to_string())]
            }
            Error::UnknownLanguage(value) => vec![("value", value.clone())],
            Error::BadInterval(minutes) => vec![("minutes", minutes.to_string())],
            Error::OfferNotFound(id) | Error::SupplierUnknown(id) | Error::WatchNotFound(id) => {
                vec![("offerId", id.clone())]
            }
            Error::BadOfferId(e) => vec![("input", e.input.clone())],
            Error::ShortlistBadName(name) | Error::ShortlistNameTaken(name) => {
                vec![("name", name.clone())]
            }
            Error::CompareCount(count) => vec![("count", count.to_string())],
            Error::PickRunNotFound(run) => vec![("run", run.to_string())],
            Error::ContactsTooLong { max, .. } => vec![("max", max.to_string())],
            Error::SupplierNotFound(supplier) => vec![("supplier", supplier.clone())],
            _ => Vec::new(),
        }
    }
}

/// Declares an error type's stable codes once. `code()` matches every variant, so a new variant
/// does not compile until it has a code, and `ALL_CODES` lists the same codes, so the UI can
/// check that each one is explained (see [`all_codes`]).
macro_rules! stable_codes {
    ($type:ty { $($variant:pat => $code:literal,)* }) => {
        impl $type {
            /// Every code [`Self::code`] can give.
            pub const ALL_CODES: &'static [&'static str] = &[$($code),*];

            /// A stable code for this kind of error. Codes are part of the contract with the UI
            /// and with scripts: never rename one.
            pub fn code(&self) -> &'static str {
                match self {
                    $($variant => $code,)*
                }
            }
        }
    };
}
pub(crate) use stable_codes;

stable_codes!(Error {
    Error::NoDataDir => "data_dir.none",
    Error::DataDirUnusable { .. } => "data_dir.unusable",
    Error::SettingsUnreadable { .. } => "settings.unreadable",
    Error::SettingsUnwritable { .. } => "settings.unwritable",
    Error::UnknownLanguage(_) => "settings.unknown_language",
    Error::BadInterval(_) => "settings.bad_ttl",
    Error::StoreOpen { .. } => "store.open",
    Error::StoreReadOnly { .. } => "store.read_only",
    Error::StoreFull { .. } => "store.disk_full",
    Error::StoreCorrupt { .. } => "store.corrupt",
    Error::StoreTooNew { .. } => "store.too_new",
    Error::Store { .. } => "store.failed",
    Error::InputUnreadable { .. } => "input.unreadable",
    Error::KeyringUnavailable(_) => "keyring.unavailable",
    Error::KeyringLocked => "keyring.locked",
    Error::KeyringCorrupt(_) => "keyring.corrupt",
    Error::ImportNotJson { .. } => "import.not_json",
    Error::ImportUnreadableLine { .. } => "import.unreadable_line",
    Error::OfferNotFound(_) => "offer.not_found",
    Error::OfferPaused => "offer.paused",
    Error::ShortlistBadName(_) => "shortlist.bad_name",
    Error::ShortlistNameTaken(_) => "shortlist.name_taken",
    Error::ShortlistNotFound(_) => "shortlist.not_found",
    Error::CompareCount(_) => "compare.count",
    Error::ExportUnwritable { .. } => "export.unwritable",
    Error::BadOfferId(_) => "offer.bad_id",
    Error::Unreadable { .. } => "offer.unreadable",
    Error::WrongOffer { .. } => "gateway.malformed",
    Error::EmptyKeyword => "search.empty_keyword",
    Error::BatchEmpty => "batch.empty",
    Error::BatchRunning => "batch.running",
    Error::NoCredentials(_) => "auth.no_credentials",
    Error::NotAuthorized(_) => "auth.not_authorized",
    Error::DemoStart(_) => "demo.start",
    Error::LogFolderUnopenable { .. } => "logs.unopenable",
    Error::OfferPageUnopenable { .. } => "offer.unopenable",
    Error::ClipboardUnavailable(_) => "clipboard.unavailable",
    Error::PickBadRequest(_) => "pick.bad_request",
    Error::PickBadWeights(_) => "pick.bad_weights",
    Error::PickCancelled => "pick.cancelled",
    Error::PickRunNotFound(_) => "pick.run_not_found",
    Error::PickRunning => "pick.running",
    Error::ContactsLocked(_) => "contacts.locked",
    Error::ContactsDamaged => "contacts.damaged",
    Error::ContactsTooLong { .. } => "contacts.too_long",
    Error::SupplierNotFound(_) => "supplier.not_found",
    Error::SupplierUnknown(_) => "supplier.unknown",
    Error::WatchNotFound(_) => "watch.not_found",
    Error::WatchBadRule(_) => "watch.bad_rule",
    Error::BadThreshold(_) => "settings.bad_threshold",
    Error::BadDemoFaults(_) => "settings.bad_demo_faults",
});

/// The code of a failure of Pifa itself (a task that stopped unexpectedly) rather than of the
/// user's data or setup; the front ends report such failures under it.
pub const INTERNAL: &str = "internal";

/// Every stable code a user action can fail with, sorted: the core's, the gateway's and
/// [`INTERNAL`]. Exported for the UI, which must explain each in every language.
pub fn all_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Error::ALL_CODES
        .iter()
        .chain(crate::protocol::ApiError::ALL_CODES)
        .chain(crate::team::TeamError::ALL_CODES)
        .chain([&INTERNAL])
        .copied()
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Writes the UI's list of codes, `ErrorCode.ts`, beside the ts-rs bindings and like them
    /// whenever `cargo test` runs; only when it changed, so a dev server does not reload.
    #[test]
    fn export_error_codes() {
        let codes = all_codes();
        // One code a line, so a new code is a one-line change to review.
        let union: String = codes.iter().map(|code| format!("\n  | {code:?}")).collect();
        let list: String = codes.iter().map(|code| format!("\n  {code:?},")).collect();
        let text = format!(
            "// This file was generated by pifa-core (error::tests::export_error_codes) when `cargo test` ran. Do not edit this file manually.\n\n\
             /** Every stable code a Pifa command can fail with. */\n\
             export type ErrorCode ={union};\n\n\
             /** The same codes, for the check that each is explained in every language. */\n\
             export const errorCodes: readonly ErrorCode[] = [{list}\n];\n"
        );
        // Where ts-rs writes, which cargo sets from .cargo/config.toml.
        let dir = std::env::var_os("TS_RS_EXPORT_DIR").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings"),
            PathBuf::from,
        );
        let path = dir.join("ErrorCode.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }

    #[test]
    fn what_an_error_names_is_in_its_params() {
        use std::io::ErrorKind::PermissionDenied;
        let p = || PathBuf::from("/数据/pifa.db");
        let sql = || rusqlite::Error::InvalidQuery;
        let samples = [
            Error::DataDirUnusable {
                path: p(),
                source: PermissionDenied.into(),
            },
            Error::SettingsUnreadable {
                path: p(),
                source: PermissionDenied.into(),
            },
            Error::SettingsUnwritable {
                path: p(),
                source: PermissionDenied.into(),
            },
            Error::UnknownLanguage("fr".into()),
            Error::BadInterval(0),
            Error::StoreOpen {
                path: p(),
                source: sql(),
            },
            Error::StoreReadOnly { path: p() },
            Error::StoreFull { path: p() },
            Error::StoreCorrupt { path: p() },
            Error::StoreTooNew {
                path: p(),
                found: 99,
                known: 20,
            },
            Error::Store {
                path: p(),
                doing: "reading",
                source: sql(),
            },
            Error::InputUnreadable {
                path: p(),
                source: PermissionDenied.into(),
            },
            Error::ImportNotJson {
                line: 4,
                reason: "EOF while parsing".into(),
            },
            Error::ImportUnreadableLine {
                line: 5,
                source: std::io::ErrorKind::InvalidData.into(),
            },
            Error::OfferNotFound("624516873409".into()),
            Error::BadOfferId(crate::offer::OfferId::parse("x").unwrap_err()),
            Error::ShortlistBadName(String::new()),
            Error::ShortlistNameTaken("春季".into()),
            Error::CompareCount(9),
            Error::ExportUnwritable {
                path: p(),
                source: PermissionDenied.into(),
            },
            Error::PickRunNotFound(7),
            Error::LogFolderUnopenable {
                path: p(),
                reason: "no file manager".into(),
            },
            Error::ContactsTooLong {
                field: "note",
                max: 500,
            },
            Error::SupplierNotFound("b2b-1".into()),
            Error::SupplierUnknown("624516873409".into()),
            Error::WatchNotFound("624516873409".into()),
            Error::OfferPaused,
            Error::KeyringLocked,
        ];
        for error in &samples {
            let params = error.params();
            let message = error.to_string();
            // What the explanation is told is what the English message names.
            for (name, value) in &params {
                assert!(
                    message.contains(value.as_str()),
                    "{name}={value:?} not in {message:?}"
                );
            }
            let names_nothing = matches!(error, Error::OfferPaused | Error::KeyringLocked);
            assert_eq!(params.is_empty(), names_nothing, "{}", error.code());
        }
        assert_eq!(
            Error::StoreFull { path: p() }.params()[0].1,
            "/数据/pifa.db"
        );
    }

    #[test]
    fn codes_are_dotted_lowercase_words() {
        for code in all_codes() {
            let well_formed = code.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            });
            assert!(well_formed, "{code:?}");
        }
        assert!(all_codes().contains(&"offer.paused"));
        assert!(all_codes().contains(&"gateway.clock_skew"));
        assert_eq!(Error::OfferPaused.code(), "offer.paused");
    }
}
