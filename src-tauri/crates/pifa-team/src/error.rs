//! How the driver's failures read as team errors: an unreachable server (the desktop goes
//! read-only on its last copy) is told apart from a refused login and from a failed statement.

use pifa_core::team::TeamError;
use tokio_postgres::error::SqlState;

/// A failure while connecting.
pub(crate) fn connecting(error: tokio_postgres::Error) -> TeamError {
    match error.as_db_error() {
        Some(db)
            if *db.code() == SqlState::INVALID_PASSWORD
                || *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            TeamError::LoginRefused(db.message().to_owned())
        }
        // The server answered but takes no one now: shutting down, starting, full, or the
        // database closed to connections. For the desktop that is the same as unreachable.
        Some(db) if is_not_taking_connections(db.code()) => {
            TeamError::Unreachable(db.message().to_owned())
        }
        Some(db) => TeamError::Failed {
            doing: "connecting",
            detail: db.message().to_owned(),
        },
        None => match certificate_refused(&error) {
            Some(why) => TeamError::TlsUntrusted(why),
            // No answer from a server: down, unreachable, refused TLS, timed out.
            None => TeamError::Unreachable(error.to_string()),
        },
    }
}

/// Why the server's certificate was refused, if that is what failed: rustls's error sits inside
/// the I/O error the driver reports.
fn certificate_refused(error: &tokio_postgres::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let tls = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .or_else(|| current.downcast_ref::<rustls::Error>());
        if let Some(
            e @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented),
        ) = tls
        {
            return Some(e.to_string());
        }
        cause = current.source();
    }
    None
}

fn is_not_taking_connections(code: &SqlState) -> bool {
    // Class 57: operator intervention (admin shutdown, crash shutdown, cannot connect now).
    code.code().starts_with("57")
        || *code == SqlState::TOO_MANY_CONNECTIONS
        || *code == SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE
}

/// A failure of a statement, `doing` what the user would call it.
pub(crate) fn failed(doing: &'static str) -> impl FnOnce(tokio_postgres::Error) -> TeamError {
    move |error| {
        if error.is_closed() || error.as_db_error().is_none() {
            // The connection went away: the server is gone for now.
            return TeamError::Unreachable(error.to_string());
        }
        let db = error.as_db_error().expect("checked above");
        if db.code().code().starts_with("57") {
            // Terminated by the administrator or a shutdown mid-statement.
            return TeamError::Unreachable(db.message().to_owned());
        }
        TeamError::Failed {
            doing,
            detail: db.message().to_owned(),
        }
    }
}
