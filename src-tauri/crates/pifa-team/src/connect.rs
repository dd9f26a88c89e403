//! One connection to the team database: TLS where the address needs it, the schema brought up
//! to date (or found newer: then read-only), a task driving the socket.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;

use pifa_core::team::TeamError;
use tokio_postgres::Client;

use crate::address::TeamAddress;
use crate::error::connecting;

/// Opens a plain connection, without touching the schema. A server on this computer is
/// reached without TLS unless the address asks for it; any other over TLS with the platform's
/// certificate checks (and the team's own authority, `sslrootcert`).
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
    let client = if address.uses_tls() {
        let tls = tls(address.root_cert())?;
        let (client, connection) = config.connect(tls).await.map_err(connecting)?;
        drive(connection, Arc::clone(&closed));
        client
    } else {
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(connecting)?;
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

/// A CA file larger than this is not a CA file.
const MAX_ROOT_CERT_BYTES: u64 = 1 << 20;

/// TLS with the platform's certificate checks, trusting `root_cert`'s certificates besides.
fn tls(root_cert: Option<&Path>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, TeamError> {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let extra_roots = match root_cert {
        Some(path) => read_root_cert(path)?,
        None => Vec::new(),
    };
    let set_up = |e: rustls::Error| TeamError::Unreachable(format!("TLS cannot be set up: {e}"));
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra_roots,
        Arc::clone(&provider),
    )
    .map_err(set_up)?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(set_up)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn read_root_cert(path: &Path) -> Result<Vec<CertificateDer<'static>>, TeamError> {
    use std::io::Read as _;
    let unusable =
        |why: String| TeamError::BadUrl(format!("its sslrootcert {}: {why}", path.display()));
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_ROOT_CERT_BYTES + 1).read_to_end(&mut pem))
        .map_err(|e| unusable(format!("cannot be read ({e})")))?;
    if pem.len() as u64 > MAX_ROOT_CERT_BYTES {
        return Err(unusable("is larger than any certificate file".into()));
    }
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(format!("is not a PEM certificate file ({e})")))?;
    if certs.is_empty() {
        return Err(unusable("holds no PEM certificate".into()));
    }
    Ok(certs)
}
