//! The team database's address: a `postgresql://` URL as the team's administrator hands it out.
//! Its password, if it carries one, is taken out (it belongs in the keyring); the rest is kept in
//! Settings and shown. A server on another machine is reached only over TLS, its certificate
//! checked against the platform's roots and, for a team with its own certificate authority, the
//! one named by `sslrootcert`. libpq's `sslmode=verify-ca|verify-full` read as TLS required (the
//! host name is always checked too).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pifa_core::team::TeamError;
use tokio_postgres::config::{Host, SslMode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamAddress {
    /// The URL without its password: what Settings keeps, the keyring files the password
    /// under, and messages may show.
    shown: String,
    /// `shown` as the driver reads it: without `sslrootcert`, and `verify-*` as `require`.
    driver: String,
    /// Whether every host is this computer (loopback or a local socket): only then may the
    /// connection go unencrypted.
    local: bool,
    /// Whether the address asks for TLS itself (`sslmode=require|verify-ca|verify-full`).
    asks_tls: bool,
    /// The team's own certificate authority (PEM), trusted beside the platform's roots.
    root_cert: Option<PathBuf>,
}

impl TeamAddress {
    /// Reads an address; returns it with the password it carried, if any.
    pub fn parse(text: &str) -> Result<(TeamAddress, Option<String>), TeamError> {
        let text = text.trim();
        let mut url = url::Url::parse(text).map_err(|e| {
            TeamError::BadUrl(format!(
                "expected postgresql://user@host:port/database ({e})"
            ))
        })?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(TeamError::BadUrl(format!(
                "it starts with {}:// where postgresql:// is expected",
                url.scheme()
            )));
        }
        if url.username().is_empty() {
            return Err(TeamError::BadUrl(
                "it names no database user (postgresql://USER@host/database)".into(),
            ));
        }
        let password = url
            .password()
            .map(|p| {
                percent_decode(p)
                    .ok_or_else(|| TeamError::BadUrl("its password is not valid UTF-8".into()))
            })
            .transpose()?;
        url.set_password(None)
            .map_err(|()| TeamError::BadUrl("it names no host".into()))?;
        let shown = url.to_string();
        let mut root_cert = None;
        let mut asks_tls = false;
        let mut kept = Vec::new();
        for (key, value) in url.query_pairs().into_owned() {
            match (key.as_str(), value.as_str()) {
                ("sslrootcert", "") => {
                    return Err(TeamError::BadUrl("its sslrootcert names no file".into()))
                }
                ("sslrootcert", path) => root_cert = Some(PathBuf::from(path)),
                ("sslmode", "require" | "verify-ca" | "verify-full") => {
                    asks_tls = true;
                    kept.push((key, "require".to_owned()));
                }
                _ => kept.push((key, value)),
            }
        }
        let mut driver = url;
        driver.set_query(None);
        if !kept.is_empty() {
            driver.query_pairs_mut().extend_pairs(kept);
        }
        let driver = driver.to_string();
        // tokio-postgres reads the rest (hosts, ports, options) exactly as it will connect.
        let config = tokio_postgres::Config::from_str(&driver)
            .map_err(|e| TeamError::BadUrl(e.to_string()))?;
        if config.get_hosts().is_empty() {
            return Err(TeamError::BadUrl("it names no host".into()));
        }
        let local = config.get_hosts().iter().all(is_this_computer);
        if !local && config.get_ssl_mode() == SslMode::Disable {
            return Err(TeamError::TlsRequired {
                host: first_host(&config),
            });
        }
        Ok((
            TeamAddress {
                shown,
                driver,
                local,
                asks_tls,
                root_cert,
            },
            password.filter(|p| !p.is_empty()),
        ))
    }

    /// The address without a password.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    pub fn is_local(&self) -> bool {
        self.local
    }

    /// Whether the connection is encrypted: always to another machine, and to this one when
    /// the address asks.
    pub fn uses_tls(&self) -> bool {
        !self.local || self.asks_tls
    }

    /// The team's own certificate authority, if the address names one.
    pub fn root_cert(&self) -> Option<&Path> {
        self.root_cert.as_deref()
    }

    /// The driver's configuration, with the password from the keyring, if any. A server on
    /// another machine gets TLS whatever `sslmode` said (`prefer` would fall back to plain).
    pub(crate) fn config(&self, password: Option<&str>) -> tokio_postgres::Config {
        let mut config =
            tokio_postgres::Config::from_str(&self.driver).expect("checked when parsed");
        if let Some(password) = password {
            config.password(password);
        }
        if self.uses_tls() {
            config.ssl_mode(SslMode::Require);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        config.application_name("pifa");
        config
    }
}

impl std::fmt::Display for TeamAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

fn is_this_computer(host: &Host) -> bool {
    match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost")
                || IpAddr::from_str(name).is_ok_and(|ip| ip.is_loopback())
        }
    }
}

fn first_host(config: &tokio_postgres::Config) -> String {
    match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => String::new(),
    }
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|p| p.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_out_of_the_address() {
        let (address, password) =
            TeamAddress::parse(" postgresql://buyer:s%40cret+1@127.0.0.1:5432/team ").unwrap();
        assert_eq!(address.as_str(), "postgresql://buyer@127.0.0.1:5432/team");
        assert_eq!(password.as_deref(), Some("s@cret+1"));
        assert!(address.is_local());
        let (address, password) = TeamAddress::parse("postgres://buyer@localhost/team").unwrap();
        assert_eq!(password, None);
        assert!(address.is_local());
    }

    #[test]
    fn a_server_elsewhere_is_reached_over_tls_only() {
        let (address, _) = TeamAddress::parse("postgresql://buyer@db.example.com/team").unwrap();
        assert!(!address.is_local());
        assert_eq!(address.config(None).get_ssl_mode(), SslMode::Require);
        let refused = TeamAddress::parse("postgresql://buyer@10.0.0.5/team?sslmode=disable");
        assert_eq!(
            refused,
            Err(TeamError::TlsRequired {
                host: "10.0.0.5".into()
            })
        );
        // Loopback may go plain, and `localhost@evil` is not loopback.
        assert!(TeamAddress::parse("postgresql://b@127.0.0.1/t?sslmode=disable").is_ok());
        let (tricked, _) = TeamAddress::parse("postgresql://b@localhost.evil.example/t").unwrap();
        assert!(!tricked.is_local());
    }

    #[test]
    fn libpq_tls_modes_and_the_teams_own_authority_are_understood() {
        let text = "postgresql://b@db.example.com:6432/t?sslmode=verify-full&sslrootcert=/etc/pifa/ca.pem&application_name=x";
        let (address, _) = TeamAddress::parse(text).unwrap();
        // Settings keep what the administrator wrote; the driver gets what it understands.
        assert_eq!(address.as_str(), text);
        assert_eq!(address.root_cert(), Some(Path::new("/etc/pifa/ca.pem")));
        assert!(address.uses_tls());
        assert_eq!(address.config(None).get_ssl_mode(), SslMode::Require);
        for mode in ["verify-ca", "require"] {
            let (local, _) =
                TeamAddress::parse(&format!("postgresql://b@127.0.0.1/t?sslmode={mode}")).unwrap();
            assert!(local.is_local() && local.uses_tls(), "{mode}");
            assert_eq!(local.root_cert(), None);
        }
        let (plain, _) = TeamAddress::parse("postgresql://b@127.0.0.1/t").unwrap();
        assert!(!plain.uses_tls());
        assert!(matches!(
            TeamAddress::parse("postgresql://b@db.example.com/t?sslrootcert="),
            Err(TeamError::BadUrl(m)) if m.contains("sslrootcert")
        ));
    }

    #[test]
    fn unusable_addresses_say_what_is_wrong() {
        for (text, says) in [
            ("db.example.com", "expected postgresql://"),
            ("https://buyer@db.example.com/team", "starts with https://"),
            ("postgresql://db.example.com/team", "no database user"),
        ] {
            match TeamAddress::parse(text) {
                Err(TeamError::BadUrl(message)) => assert!(message.contains(says), "{message}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
