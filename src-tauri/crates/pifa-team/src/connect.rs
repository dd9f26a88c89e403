//! One connection to the team database: TLS where the address needs it, the schema brought up
//! to date (or found newer: then read-only), a task driving the socket.

use std::sync::Once;

use pifa_core::team::TeamError;
use tokio_postgres::Client;

use crate::address::TeamAddress;
use crate::error::connecting;

/// Opens a plain connection, without touching the schema. A server on this computer is
/// reached without TLS; any other over TLS with the platform's certificate checks.
pub async fn open(address: &TeamAddress, password: Option<&str>) -> Result<Client, TeamError> {
    let config = address.config(password);
    if address.is_local() {
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(connecting)?;
        drive(connection);
        Ok(client)
    } else {
        let (client, connection) = config.connect(tls()?).await.map_err(connecting)?;
        drive(connection);
        Ok(client)
    }
}

fn drive<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("the team database connection ended: {e}");
        }
    });
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
