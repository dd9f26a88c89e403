//! Team mode's pure parts: its errors, the team code members pass on out of band, and the check
//! that a code belongs to a team database. Talking to PostgreSQL is `pifa-team`'s job; the core
//! only knows what a team is, so its codes join every other stable code (`error::all_codes`).

pub mod code;

pub use code::{TeamCode, TeamId, TeamKey};

use crate::error::stable_codes;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    /// The connection string cannot be read; the text says which part.
    #[error("the team database address is not usable: {0}")]
    BadUrl(String),

    #[error("the team database at {host} is not on this computer, so its connection must be encrypted: add sslmode=require (or verify-full) to the address")]
    TlsRequired { host: String },

    /// The server's certificate did not pass the checks: a setting to fix, not an outage.
    #[error("the team database's certificate is not trusted ({0}): if the team runs its own certificate authority, add sslrootcert=/path/to/ca.pem to the address")]
    TlsUntrusted(String),

    /// The server cannot be reached now (down, no network, refused TLS): the last team data is
    /// shown read-only meanwhile.
    #[error("the team database cannot be reached ({0}); showing the last team data, read-only")]
    Unreachable(String),

    #[error("the team database refused the login: {0}")]
    LoginRefused(String),

    #[error("this change was not saved: the team database cannot be reached, and team data is read-only until it is back")]
    Offline,

    #[error("the team database was set up by a newer Pifa (team schema {found}, this one knows up to {known}): it can be read but not changed; update Pifa")]
    SchemaTooNew { found: i64, known: i64 },

    #[error("not a Pifa team code: {0}")]
    BadCode(String),

    #[error("this team code is not for the team in this database: ask for the code again")]
    WrongCode,

    #[error("no team is set up: join one with its code (`pifa-cli team join CODE --url …`) or create one (`team init`)")]
    NotJoined,

    #[error("this database already holds the team {0:?}: join it with its team code instead")]
    AlreadySetUp(String),

    #[error("this database holds no Pifa team yet: create one with `team init`")]
    NoTeam,

    #[error("there is already a team shortlist named {0:?}")]
    ShortlistNameTaken(String),

    #[error("team shortlist {0} does not exist (another member may have deleted it)")]
    ShortlistNotFound(i64),

    #[error("offer {0} is not on this team shortlist")]
    NotOnShortlist(String),

    #[error("a team name has 1 to 200 characters")]
    BadName,

    #[error("the team database failed while {doing}: {detail}")]
    Failed { doing: &'static str, detail: String },
}

stable_codes!(TeamError {
    TeamError::BadUrl(_) => "team.bad_url",
    TeamError::TlsRequired { .. } => "team.tls_required",
    TeamError::TlsUntrusted(_) => "team.tls_untrusted",
    TeamError::Unreachable(_) => "team.unreachable",
    TeamError::LoginRefused(_) => "team.login_refused",
    TeamError::Offline => "team.offline",
    TeamError::SchemaTooNew { .. } => "team.schema_too_new",
    TeamError::BadCode(_) => "team.bad_code",
    TeamError::WrongCode => "team.wrong_code",
    TeamError::NotJoined => "team.not_joined",
    TeamError::AlreadySetUp(_) => "team.already_set_up",
    TeamError::NoTeam => "team.no_team",
    TeamError::BadName => "team.bad_name",
    TeamError::ShortlistNameTaken(_) => "shortlist.name_taken",
    TeamError::ShortlistNotFound(_) => "shortlist.not_found",
    TeamError::NotOnShortlist(_) => "offer.not_found",
    TeamError::Failed { .. } => "team.failed",
});
