//! Which gateway addresses Pifa may send the app secret and tokens to. Every source of a gateway
//! address (Settings, settings.json, `PIFA_GATEWAY`, `--gateway`) goes through [`check_gateway`],
//! and so does every client: the URL is parsed, never compared by prefix, because
//! `http://127.0.0.1.evil.example` and `http://localhost@evil.example` start like loopback.

use url::{Host, Url};

use super::ApiError;

/// A gateway address that passed [`check_gateway`], normalized and without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayUrl {
    text: String,
    loopback: bool,
}

impl GatewayUrl {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host is this computer: plain http is allowed, and no proxy may see the traffic.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

/// The address as it may be shown: a user name or password before `@` becomes `…`.
fn shown(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…{}", &rest[at..]),
        None => text.to_owned(),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => *name == "localhost",
    }
}

/// Accepts `https://host[:port][/path]`, or `http://` when the host is a loopback IP literal
/// (127.0.0.0/8, `::1`) or exactly `localhost`. Anything else — another scheme, a user name or
/// password, a query, a fragment, plain http to another host — is refused with
/// `settings.bad_gateway`, naming the address and what is wrong.
pub fn check_gateway(text: &str) -> Result<GatewayUrl, ApiError> {
    let text = text.trim();
    let bad = |what: &str| {
        ApiError::BadGateway(format!(
            "{:?} is not a usable 1688 gateway address: {what}",
            shown(text)
        ))
    };
    let url = Url::parse(text).map_err(|e| bad(&format!("it is not a web address ({e})")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad(&format!(
            "use https:// (or http:// to this computer), not {}:",
            url.scheme()
        )));
    }
    let Some(host) = url.host() else {
        return Err(bad("it names no host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "it holds a user name or password before @; remove them",
        ));
    }
    if url.query().is_some() {
        return Err(bad("it has a query (?…); give the address alone"));
    }
    if url.fragment().is_some() {
        return Err(bad("it has a fragment (#…); give the address alone"));
    }
    let loopback = is_loopback(&host);
    if url.scheme() == "http" && !loopback {
        return Err(bad(
            "plain http:// would send the app secret unencrypted; use https://, or http:// only to this computer (127.0.0.1, ::1 or localhost)",
        ));
    }
    Ok(GatewayUrl {
        text: url.as_str().trim_end_matches('/').to_owned(),
        loopback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_this_computer() {
        for (given, normalized, loopback) in [
            (
                "https://gw.open.1688.com",
                "https://gw.open.1688.com",
                false,
            ),
            (
                " HTTPS://GW.open.1688.com/ ",
                "https://gw.open.1688.com",
                false,
            ),
            (
                "https://relay.example:8443/1688/",
                "https://relay.example:8443/1688",
                false,
            ),
            ("http://127.0.0.1:8688", "http://127.0.0.1:8688", true),
            ("http://127.9.9.9/gw", "http://127.9.9.9/gw", true),
            ("http://[::1]:8688", "http://[::1]:8688", true),
            ("http://localhost:8688/", "http://localhost:8688", true),
            ("https://127.0.0.1:8443", "https://127.0.0.1:8443", true),
        ] {
            let checked = check_gateway(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(checked.as_str(), normalized);
            assert_eq!(checked.is_loopback(), loopback, "{given}");
        }
    }

    #[test]
    fn look_alikes_userinfo_queries_and_other_schemes_are_refused() {
        for (given, why) in [
            ("http://127.0.0.1.evil.example", "plain http://"),
            ("http://localhost.evil.example:80", "plain http://"),
            ("http://localhost@evil.example", "user name or password"),
            ("http://127.0.0.1:80@evil.example", "user name or password"),
            ("https://user:pw@gw.open.1688.com", "user name or password"),
            ("http://192.168.1.2:8688", "plain http://"),
            ("http://[::ffff:8.8.8.8]", "plain http://"),
            ("https://gw.open.1688.com/?x=1", "query"),
            ("https://gw.open.1688.com/#top", "fragment"),
            ("ftp://gw.open.1688.com", "not ftp:"),
            ("file:///etc/passwd", "not file:"),
            ("gw.open.1688.com", "not a web address"),
            ("", "not a web address"),
        ] {
            let error = check_gateway(given).expect_err(given);
            assert_eq!(error.code(), "settings.bad_gateway");
            let message = error.to_string();
            assert!(message.contains(why), "{given}: {message}");
        }
    }

    #[test]
    fn a_password_in_a_refused_address_is_not_repeated() {
        let message = check_gateway("http://me:hunter2@evil.example/x")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("http://…@evil.example/x"), "{message}");
    }
}
