//! A scripted HTTP server on 127.0.0.1 for the client's tests: each request is recorded and
//! answered by a closure, including answers no well-behaved gateway double would give
//! (redirects, bodies cut off mid-way, garbage). One request per connection.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{AppCredentials, ClientConfig, GatewayClient, RetryPolicy, TokenSet};

#[derive(Debug, Clone)]
pub struct Request {
    /// The path and query.
    pub target: String,
    pub params: Vec<(String, String)>,
}

impl Request {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Declares `declared` bytes, sends `sent`, then closes the connection.
    CutOff { declared: usize, sent: Vec<u8> },
    /// A 200 in chunked encoding: no length is declared up front.
    Chunked(Vec<u8>),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type", "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn raw(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Location", location.to_owned())],
            body: Vec::new(),
        }
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct FakeServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Request>>>,
    serving: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301..=308 => "Redirect",
        401 => "Unauthorized",
        _ => "Status",
    }
}

async fn serve_one(
    mut socket: tokio::net::TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<Request>>,
) {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
    let mut words = head.split_whitespace();
    let target = words.nth(1).unwrap_or("").to_owned();
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    params.extend(form_urlencoded::parse(&data[head_end..head_end + length]).into_owned());
    let request = Request { target, params };
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request.clone());
    let (head, body) = match handler(&request) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            (head, body)
        }
        Reply::CutOff { declared, sent } => (
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"),
            sent,
        ),
        Reply::Chunked(body) => {
            let mut chunked = Vec::with_capacity(body.len() + body.len() / 8192 * 16 + 16);
            for piece in body.chunks(64 * 1024) {
                chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                chunked.extend_from_slice(piece);
                chunked.extend_from_slice(b"\r\n");
            }
            chunked.extend_from_slice(b"0\r\n\r\n");
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .to_owned(),
                chunked,
            )
        }
    };
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&body).await;
    let _ = socket.shutdown().await;
}

impl FakeServer {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recording = Arc::clone(&seen);
        let serving = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (handler, recording) = (Arc::clone(&handler), Arc::clone(&recording));
                tokio::spawn(async move { serve_one(socket, &*handler, &recording).await });
            }
        });
        FakeServer { url, seen, serving }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Requests whose path contains `part`.
    pub fn count(&self, part: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.target.contains(part))
            .count()
    }
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_total: Duration::from_secs(5),
    }
}

/// A client for `server` with fast retries, holding `tokens`.
pub async fn client_for(server: &FakeServer, tokens: Option<TokenSet>) -> GatewayClient {
    let mut config = ClientConfig::new(
        &server.url,
        AppCredentials {
            app_key: "k".into(),
            app_secret: "TOPSECRET".into(),
        },
    );
    config.retry = fast_retries();
    config.rate_per_second = std::num::NonZeroU32::new(10_000).unwrap();
    config.burst = config.rate_per_second;
    let client = GatewayClient::new(config).unwrap();
    client.set_tokens(tokens).await;
    client
}

/// Tokens whose access token is good for hours.
pub fn tokens(access: &str, refresh: &str) -> TokenSet {
    TokenSet {
        access_token: access.into(),
        access_expires_at: chrono::Utc::now() + chrono::Duration::hours(5),
        refresh_token: Some(refresh.into()),
        refresh_expires_at: None,
    }
}

/// The documented detail answer (`tests/fixtures`), for `offer_id`.
pub fn detail_answer(offer_id: &str) -> serde_json::Value {
    let mut answer: serde_json::Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/query_product_detail.json"
    ))
    .unwrap();
    answer["result"]["result"]["offerId"] = serde_json::json!(offer_id.parse::<u64>().unwrap());
    answer
}
