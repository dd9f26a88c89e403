//! One connection to the team database: TLS where the address needs it, the schema brought up
//! to date (or found newer: then read-only), a task driving the socket.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use pifa_core::team::TeamError;
use tokio_postgres::Client;

use crate::address::TeamAddress;
use crate::error::connecting;

/// Opens a plain connection, without touching the schema. A server on this computer is
/// reached without TLS; any other over TLS with the platform's certificate checks.
pub async fn open(address: &TeamAddress, password: Option<&str>) -> Result<Client, TeamError> {
    Ok(open_watched(address, password).await?.0)
}

/// [`open`], with a flag that turns true when the connection ends: asking it takes no lock, so
/// a caller never waits behind a running statement to learn the connection is gone.
pub async fn open_watched(
    address: &TeamAddress,
    password: Option<&str>,
) -> Result<(Client, Arc<AtomicBool>), TeamError> {
    let config = address.config(password);
    let closed = Arc::new(AtomicBool::new(false));
    let client = if address.is_local() {
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(connecting)?;
        drive(connection, Arc::clone(&closed));
        client
    } else {
        let (client, connection) = config.connect(tls()?).await.map_err(connecting)?;
        drive(connection, Arc::clone(&closed));
        client
    };
    Ok((client, closed))
}

fn drive<S, T>(connection: tokio_postgres::Connection<S, T>, closed: Arc<AtomicBool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // Dropped when the connection ends, and also when its runtime does (a CLI command's
    // runtime ends with the command), polled or not: either way the connection is gone.
    let mark = MarkClosed(closed);
    tokio::spawn(async move {
        let _mark = mark;
        if let Err(e) = connection.await {
            tracing::warn!("the team database connection ended: {e}");
        }
    });
}

struct MarkClosed(Arc<AtomicBool>);

impl Drop for MarkClosed {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, TeamError> {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    use rustls_platform_verifier::ConfigVerifierExt as _;
    let config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| TeamError::Unreachable(format!("TLS cannot be set up: {e}")))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
