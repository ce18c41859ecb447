//! A small Server-Sent Events client over a raw HTTP/1.1 connection (chunked body), enough to
//! test `/api/v1/stream` as a browser would use it.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How long a test waits for an expected event before failing (a guard, not a measurement).
pub const WAIT: Duration = Duration::from_secs(15);

/// One SSE message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` (empty when absent).
    pub event: String,
    /// `id:`, when present.
    pub id: Option<String>,
    /// `data:` lines joined by newlines.
    pub data: String,
    /// `retry:`, when present.
    pub retry: Option<u64>,
}

impl SseEvent {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data))
    }
}

/// An open stream.
pub struct SseClient {
    socket: TcpStream,
    raw: Vec<u8>,
    text: String,
    ended: bool,
    /// The response status.
    pub status: u16,
    /// The response head.
    pub head: String,
}

/// Opens `path` with optional bearer token and `Last-Event-ID`.
pub async fn connect(base: &str, path: &str, token: Option<&str>, last: Option<&str>) -> SseClient {
    let host = base.trim_start_matches("http://");
    let socket = TcpStream::connect(host).await.expect("connect");
    open(socket, host, path, token, last, None).await
}

/// Opens `path` as a signed-in page does: with the session cookie.
pub async fn connect_cookie(base: &str, path: &str, cookie: &str) -> SseClient {
    let host = base.trim_start_matches("http://");
    let socket = TcpStream::connect(host).await.expect("connect");
    open(socket, host, path, None, None, Some(cookie)).await
}

/// [`connect`] with a tiny receive buffer, for a client that stops reading.
pub async fn connect_small(base: &str, path: &str, token: &str) -> SseClient {
    let host = base.trim_start_matches("http://");
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    let socket = socket
        .connect(host.parse().expect("addr"))
        .await
        .expect("connect");
    open(socket, host, path, Some(token), None, None).await
}

async fn open(
    mut socket: TcpStream,
    host: &str,
    path: &str,
    token: Option<&str>,
    last: Option<&str>,
    cookie: Option<&str>,
) -> SseClient {
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n");
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(last) = last {
        head.push_str(&format!("Last-Event-ID: {last}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut client = SseClient {
        socket,
        raw: Vec::new(),
        text: String::new(),
        ended: false,
        status: 0,
        head: String::new(),
    };
    let end = loop {
        if let Some(end) = client.raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        assert!(client.fill().await, "no response head");
    };
    client.head = String::from_utf8_lossy(&client.raw[..end]).into_owned();
    client.raw.drain(..end + 4);
    client.status = client
        .head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    client
}

impl SseClient {
    /// Reads more bytes; `false` at the end of the connection.
    async fn fill(&mut self) -> bool {
        let mut buf = [0u8; 16 * 1024];
        match tokio::time::timeout(WAIT, self.socket.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.raw.extend_from_slice(&buf[..n]);
                true
            }
            Err(_) => panic!("nothing arrived on the stream within {WAIT:?}"),
        }
    }

    /// Moves complete chunks from `raw` to `text`.
    fn dechunk(&mut self) {
        loop {
            let Some(line) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                return;
            };
            let size = std::str::from_utf8(&self.raw[..line]).expect("chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
            if size == 0 {
                self.ended = true;
                return;
            }
            if self.raw.len() < line + 2 + size + 2 {
                return;
            }
            let chunk = &self.raw[line + 2..line + 2 + size];
            self.text
                .push_str(std::str::from_utf8(chunk).expect("utf8"));
            self.raw.drain(..line + 2 + size + 2);
        }
    }

    /// The next message that is not a comment (keep-alive), or `None` at the end of the
    /// stream. Fails the test when none arrives in [`WAIT`].
    pub async fn next(&mut self) -> Option<SseEvent> {
        loop {
            self.dechunk();
            while let Some(end) = self.text.find("\n\n") {
                let message: String = self.text.drain(..end + 2).collect();
                if let Some(event) = parse(&message) {
                    return Some(event);
                }
            }
            if self.ended || !self.fill().await {
                return None;
            }
        }
    }

    /// The next message carrying data, figures (`kpis`, `alert`) included.
    pub async fn next_any_data(&mut self) -> Option<SseEvent> {
        loop {
            let event = self.next().await?;
            if !event.data.is_empty() {
                return Some(event);
            }
        }
    }

    /// The next message carrying data about the log (figures, sent once a second whatever
    /// happens, are skipped).
    pub async fn next_data(&mut self) -> Option<SseEvent> {
        loop {
            let event = self.next_any_data().await?;
            if !matches!(event.event.as_str(), "kpis" | "alert") {
                return Some(event);
            }
        }
    }

    /// Data messages up to and including the one whose id is `id`.
    pub async fn until_id(&mut self, id: i64) -> Vec<SseEvent> {
        let mut out = Vec::new();
        loop {
            let event = self.next_data().await.expect("stream ended early");
            let done = event.id.as_deref() == Some(&id.to_string());
            out.push(event);
            if done {
                return out;
            }
        }
    }

    /// Whether a data message arrives within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.next_data()).await.is_err()
    }
}

fn parse(message: &str) -> Option<SseEvent> {
    let mut event = SseEvent {
        event: String::new(),
        id: None,
        data: String::new(),
        retry: None,
    };
    let mut any = false;
    for line in message.lines() {
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        any = true;
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event.event = value.to_owned(),
            "id" => event.id = Some(value.to_owned()),
            "retry" => event.retry = value.parse().ok(),
            "data" => {
                if !event.data.is_empty() {
                    event.data.push('\n');
                }
                event.data.push_str(value);
            }
            _ => {}
        }
    }
    any.then_some(event)
}
