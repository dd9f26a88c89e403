//! OAuth for a desktop app (RFC 8252): the browser comes back to a listener on 127.0.0.1 with
//! `?code=…&state=…`; the state must be the one Pifa sent. When no browser can reach the
//! listener, the user pastes the code or the whole address instead.
//!
//! Anything on this computer (another user, a web page probing loopback ports) can connect to
//! the listener, so: the state is 32 bytes from the OS, compared in constant time; an `error`
//! ends the wait only with the right state; and each connection is served on its own task
//! with a short read timeout, so an idle one cannot hold up the browser's.

use std::sync::Arc;
use std::time::Duration;

use subtle::ConstantTimeEq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{ApiError, GatewayClient, TokenSet};
use crate::words::{self, Word};
use crate::Language;

/// The page the browser shows after the redirect. Pifa does not know the browser's language,
/// so the page says it in both, from the catalogs.
fn reply_page(word: Word) -> String {
    let say = |language| {
        let text = words::text(language, word, &[]);
        // Catalog text, but still escaped: it lands in HTML.
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<!doctype html><meta charset=utf-8><title>Pifa</title>\
         <p style=\"font:16px system-ui;margin:3em\">{}<br>{}</p>",
        say(Language::SimplifiedChinese),
        say(Language::English)
    )
}

pub struct LoopbackRedirect {
    listener: TcpListener,
    redirect_uri: String,
}

/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// A random `state` from the OS's generator, so a stray or forged redirect is refused: one
/// that could be guessed would let someone deliver a code of their own account (login CSRF).
pub fn new_state() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ApiError::Transient(format!(
            "the system's random number generator failed ({e}); try again"
        ))
    })?;
    Ok(hex::encode(bytes))
}

fn same_state(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn query_pairs(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn pick(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// The code from what a user pasted: the code itself, or the whole address the browser ended
/// on (whose `state` must match).
pub fn code_from_pasted(pasted: &str, expected_state: &str) -> Result<String, ApiError> {
    let pasted = pasted.trim();
    if pasted.contains("code=") {
        let pairs = query_pairs(pasted);
        match pick(&pairs, "state") {
            Some(state) if same_state(&state, expected_state) => {}
            Some(_) => {
                return Err(ApiError::NeedsAuthorization(
                    "the pasted address belongs to another authorization request".into(),
                ))
            }
            None => {
                return Err(ApiError::NeedsAuthorization(
                    "the pasted address has no state, so it cannot be told apart from a forged one: paste the whole address the browser shows, or the code alone".into(),
                ))
            }
        }
        return pick(&pairs, "code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ApiError::NeedsAuthorization("the pasted address has no code".into()));
    }
    if !pasted.is_empty()
        && pasted
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Ok(pasted.to_owned());
    }
    Err(ApiError::NeedsAuthorization(
        "paste the code, or the whole address the browser shows after authorizing".into(),
    ))
}

impl LoopbackRedirect {
    pub async fn bind() -> Result<LoopbackRedirect, ApiError> {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
            ApiError::Transient(format!(
                "cannot listen on loopback for the authorization: {e}"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| ApiError::Transient(e.to_string()))?
            .port();
        Ok(LoopbackRedirect {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser's return and answers it with a page; other requests (a favicon,
    /// a forged or stray callback) are answered and ignored. Gives up after `timeout`.
    pub async fn wait_for_code(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<String, ApiError> {
        let expected: Arc<str> = expected_state.into();
        // Dropped on return: connections still being read are cut.
        let mut connections = tokio::task::JoinSet::new();
        let waiting = async {
            loop {
                tokio::select! {
                    accepted = self.listener.accept() => {
                        if let Ok((socket, _)) = accepted {
                            let expected = Arc::clone(&expected);
                            connections.spawn(answer_callback(socket, expected));
                        }
                    }
                    Some(joined) = connections.join_next(), if !connections.is_empty() => {
                        if let Ok(Some(outcome)) = joined {
                            return outcome;
                        }
                    }
                }
            }
        };
        tokio::time::timeout(timeout, waiting).await.map_err(|_| {
            ApiError::NeedsAuthorization("the authorization was not completed in time".into())
        })?
    }
}

/// Reads one request head (within [`READ_TIMEOUT`], at most 16 KiB) and answers it. `Some`
/// when it settles the authorization: a code, or 1688's refusal, each with the right state.
async fn answer_callback(
    mut socket: TcpStream,
    expected_state: Arc<str>,
) -> Option<Result<String, ApiError>> {
    let mut request = Vec::with_capacity(1024);
    let reading = async {
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, reading).await.ok()?;
    let head = String::from_utf8_lossy(&request);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("");
    if !target.starts_with("/callback") {
        let _ = socket
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        return None;
    }
    let pairs = query_pairs(target);
    let state_ok = pick(&pairs, "state").is_some_and(|s| same_state(&s, &expected_state));
    let (page, outcome) = match (pick(&pairs, "code"), pick(&pairs, "error")) {
        (Some(code), _) if state_ok && !code.is_empty() => {
            (reply_page(words::LOOPBACK_AUTHORIZED), Some(Ok(code)))
        }
        (_, Some(error)) if state_ok => {
            // The right state: 1688's own refusal. Its text is still shown only trimmed.
            let said: String = pick(&pairs, "error_description")
                .unwrap_or(error)
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect();
            let refused =
                ApiError::NeedsAuthorization(format!("1688 refused the authorization: {said}"));
            (reply_page(words::LOOPBACK_NOT_OURS), Some(Err(refused)))
        }
        _ => (reply_page(words::LOOPBACK_NOT_OURS), None),
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
    outcome
}

/// Opens the authorize page: with `PIFA_BROWSER` (a command that takes the URL, e.g. for tests
/// or an unusual desktop) when set, else the system's default browser.
pub fn open_browser(url: String) -> Result<(), String> {
    match std::env::var("PIFA_BROWSER")
        .ok()
        .filter(|c| !c.trim().is_empty())
    {
        Some(command) => {
            let mut words = command.split_whitespace();
            let program = words.next().unwrap_or_default().to_owned();
            std::process::Command::new(&program)
                .args(words)
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map(drop)
                .map_err(|e| format!("{program}: {e}"))
        }
        None => open::that_detached(&url).map_err(|e| e.to_string()),
    }
}

/// The whole browser round trip: listen, have `open_browser` open the authorize page, take the
/// code when the browser comes back, and trade it for tokens.
pub async fn authorize_with_browser<F>(
    client: &GatewayClient,
    open_browser: F,
    timeout: Duration,
) -> Result<TokenSet, ApiError>
where
    F: FnOnce(String) -> Result<(), String>,
{
    let redirect = LoopbackRedirect::bind().await?;
    let state = new_state()?;
    let redirect_uri = redirect.redirect_uri().to_owned();
    open_browser(client.authorize_url(&redirect_uri, &state)).map_err(|e| {
        ApiError::NeedsAuthorization(format!("the browser could not be opened: {e}"))
    })?;
    let code = redirect.wait_for_code(&state, timeout).await?;
    client.exchange_code(&code, &redirect_uri).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_codes_and_addresses() {
        assert_eq!(code_from_pasted(" 3f2a-99 ", "s").unwrap(), "3f2a-99");
        assert_eq!(
            code_from_pasted("http://127.0.0.1:5/callback?code=abc&state=s", "s").unwrap(),
            "abc"
        );
        assert!(code_from_pasted("http://127.0.0.1:5/callback?code=abc&state=other", "s").is_err());
        assert!(code_from_pasted("not a code!", "s").is_err());
    }

    #[test]
    fn a_pasted_address_without_its_state_is_refused() {
        let error = code_from_pasted("http://127.0.0.1:5/callback?code=abc", "s").unwrap_err();
        assert!(error.to_string().contains("no state"), "{error}");
    }

    #[test]
    fn states_are_long_random_and_unrelated() {
        let (a, b) = (new_state().unwrap(), new_state().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same_state(&a, &a.clone()));
        assert!(!same_state(&a, &b));
        assert!(!same_state(&a, &a[..63]));
    }

    /// Sends `GET path` to `uri`'s host and reads the whole answer.
    async fn get(uri: &str, path: &str) -> String {
        let address = uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let mut socket = TcpStream::connect(address).await.unwrap();
        socket
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        socket.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn the_listener_takes_the_right_state_only() {
        let redirect = LoopbackRedirect::bind().await.unwrap();
        let uri = redirect.redirect_uri().to_owned();
        let waiting = tokio::spawn(redirect.wait_for_code("good", Duration::from_secs(5)));
        assert!(get(&uri, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(get(&uri, "/callback?code=x&state=forged")
            .await
            .contains("does not belong"));
        assert!(get(&uri, "/callback?code=the-code&state=good")
            .await
            .contains("authorized"));
        assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    }

    #[tokio::test]
    async fn an_error_without_the_state_neither_ends_the_wait_nor_is_shown() {
        let redirect = LoopbackRedirect::bind().await.unwrap();
        let uri = redirect.redirect_uri().to_owned();
        let waiting = tokio::spawn(redirect.wait_for_code("good", Duration::from_secs(5)));
        for forged in [
            "/callback?error=x&error_description=Call+400-000-0000+to+finish",
            "/callback?error=x&error_description=Call+400&state=forged",
        ] {
            assert!(get(&uri, forged).await.contains("does not belong"));
        }
        assert!(
            !waiting.is_finished(),
            "a forged error must not end the login"
        );
        get(
            &uri,
            "/callback?error=access_denied&error_description=user+said+no&state=good",
        )
        .await;
        let error = waiting.await.unwrap().unwrap_err();
        assert!(error.to_string().contains("user said no"), "{error}");
        assert!(!error.to_string().contains("400-000"), "{error}");
    }

    #[tokio::test]
    async fn an_idle_connection_does_not_hold_up_the_browser() {
        let redirect = LoopbackRedirect::bind().await.unwrap();
        let uri = redirect.redirect_uri().to_owned();
        let address = uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let waiting = tokio::spawn(redirect.wait_for_code("good", Duration::from_secs(30)));
        // Connected, sends nothing: before, this blocked the listener until the timeout.
        let _idle = TcpStream::connect(&address).await.unwrap();
        let started = std::time::Instant::now();
        let answer = tokio::time::timeout(
            Duration::from_secs(3),
            get(&uri, "/callback?code=c0de&state=good"),
        )
        .await
        .expect("the real callback is answered while the idle connection waits");
        assert!(answer.contains("authorized"));
        assert_eq!(waiting.await.unwrap().unwrap(), "c0de");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
