//! OAuth for a desktop app (RFC 8252): the browser comes back to a listener on 127.0.0.1 with
//! `?code=…&state=…`; the state must be the one Pifa sent. When no browser can reach the
//! listener, the user pastes the code or the whole address instead.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{ApiError, GatewayClient, TokenSet};

const PAGE_OK: &str = "<!doctype html><meta charset=utf-8><title>Pifa</title>\
    <p style=\"font:16px system-ui;margin:3em\">Pifa 已获得 1688 授权 — Pifa is authorized. You can close this tab.</p>";
const PAGE_BAD: &str = "<!doctype html><meta charset=utf-8><title>Pifa</title>\
    <p style=\"font:16px system-ui;margin:3em\">This answer does not belong to Pifa's authorization request. Please start again from Pifa.</p>";

pub struct LoopbackRedirect {
    listener: TcpListener,
    redirect_uri: String,
}

/// A random `state`, so a stray or forged redirect is refused.
pub fn new_state() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
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
        if pick(&pairs, "state").is_some_and(|s| s != expected_state) {
            return Err(ApiError::NeedsAuthorization(
                "the pasted address belongs to another authorization request".into(),
            ));
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

    /// Waits for the browser's return and answers it with a page; other requests (a favicon)
    /// are ignored. Gives up after `timeout`.
    pub async fn wait_for_code(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<String, ApiError> {
        let waiting = async {
            loop {
                let (mut socket, _) = match self.listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(_) => continue,
                };
                let mut request = Vec::with_capacity(1024);
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request);
                let target = head
                    .lines()
                    .next()
                    .and_then(|line| line.split_whitespace().nth(1))
                    .unwrap_or("");
                if !target.starts_with("/callback") {
                    let _ = socket.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                    continue;
                }
                let pairs = query_pairs(target);
                let (page, outcome) = match (pick(&pairs, "code"), pick(&pairs, "state")) {
                    (Some(code), Some(state)) if state == expected_state && !code.is_empty() => {
                        (PAGE_OK, Some(Ok(code)))
                    }
                    (_, _) if pick(&pairs, "error").is_some() => (
                        PAGE_BAD,
                        Some(Err(ApiError::NeedsAuthorization(format!(
                            "1688 refused the authorization: {}",
                            pick(&pairs, "error_description")
                                .or_else(|| pick(&pairs, "error"))
                                .unwrap_or_default()
                        )))),
                    ),
                    _ => (PAGE_BAD, None),
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
                if let Some(outcome) = outcome {
                    return outcome;
                }
            }
        };
        tokio::time::timeout(timeout, waiting).await.map_err(|_| {
            ApiError::NeedsAuthorization("the authorization was not completed in time".into())
        })?
    }
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
    let state = new_state();
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

    #[tokio::test]
    async fn the_listener_takes_the_right_state_only() {
        let redirect = LoopbackRedirect::bind().await.unwrap();
        let uri = redirect.redirect_uri().to_owned();
        let waiting = tokio::spawn(redirect.wait_for_code("good", Duration::from_secs(5)));
        let get = |target: String| async move {
            let address = target
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap()
                .to_owned();
            let path = format!(
                "/{}",
                target
                    .trim_start_matches("http://")
                    .split_once('/')
                    .unwrap()
                    .1
            );
            let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
            socket
                .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut answer = String::new();
            socket.read_to_string(&mut answer).await.unwrap();
            answer
        };
        let host = uri.trim_end_matches("/callback");
        assert!(get(format!("{host}/favicon.ico"))
            .await
            .starts_with("HTTP/1.1 404"));
        assert!(get(format!("{uri}?code=x&state=forged"))
            .await
            .contains("does not belong"));
        assert!(get(format!("{uri}?code=the-code&state=good"))
            .await
            .contains("authorized"));
        assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    }
}
