//! The soak's clients over raw HTTP/1.1: supervisors' grids (the delta stream, keeping the
//! state it describes), agents' dashboards (the `my` feed, asking for their work on each
//! `changed` as the browser does), and slow clients that never read.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

// The fan-out bench's reader of chunked bodies; its subscriber is not used here.
#[path = "../../benches/fanout/client.rs"]
#[allow(dead_code)]
mod bench_client;
use bench_client::{dechunk, find};

/// The browser's least gap between two refreshes of My dashboard (`live_feed.rs`).
const REFRESH_GAP: Duration = Duration::from_millis(250);

/// Delivery latencies (event time → read by a client) in 100 µs buckets up to 10 s.
pub struct Latencies(Vec<AtomicU64>);

impl Latencies {
    pub fn new() -> Latencies {
        Latencies((0..100_001).map(|_| AtomicU64::new(0)).collect())
    }

    fn record(&self, micros: i64) {
        let bucket = (micros.max(0) / 100).min(100_000) as usize;
        self.0[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// The `q` quantile in milliseconds, and how many were recorded.
    pub fn quantile(&self, q: f64) -> (f64, u64) {
        let counts: Vec<u64> = self.0.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, n) in counts.iter().enumerate() {
            seen += n;
            if seen >= want {
                return ((bucket as f64 + 1.0) / 10.0, total);
            }
        }
        (f64::NAN, total)
    }
}

/// One HTTP/1.1 request on a new connection: the status and body.
pub async fn request(host: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(host).await.expect("connect");
    s.write_all(head.as_bytes()).await.expect("write");
    s.write_all(body).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8_lossy(&raw);
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// A POST with a bearer token and a JSON body.
pub async fn post_json(host: &str, path: &str, token: &str, body: &[u8]) -> (u16, String) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    request(host, &head, body).await
}

/// A GET of `/metrics` (the soak's server runs with `INTRADAY_METRICS_OPEN`): one series' value.
pub async fn metric(host: &str, series: &str) -> f64 {
    let head = format!("GET /metrics HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let (status, text) = request(host, &head, b"").await;
    assert_eq!(status, 200, "{text}");
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
}

/// Opens a stream: the socket, after its request was sent.
async fn open(host: &str, path: &str, auth: &str) -> TcpStream {
    let mut socket = TcpStream::connect(host)
        .await
        .expect("connect (too many clients for the open-files limit? raise it with `ulimit -n`)");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n{auth}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    socket
}

/// Reads a chunked SSE body: complete messages, as (event, id, data).
struct SseReader {
    raw: Vec<u8>,
    text: Vec<u8>,
    in_body: bool,
}

impl SseReader {
    fn new() -> SseReader {
        SseReader {
            raw: Vec::new(),
            text: Vec::new(),
            in_body: false,
        }
    }

    /// Takes bytes read from the socket; calls `each` on every complete message.
    fn feed(&mut self, bytes: &[u8], mut each: impl FnMut(&[u8], &[u8], &[u8])) {
        self.raw.extend_from_slice(bytes);
        if !self.in_body {
            let Some(end) = find(&self.raw, b"\r\n\r\n") else {
                return;
            };
            assert!(self.raw.starts_with(b"HTTP/1.1 200"), "stream refused");
            self.raw.drain(..end + 4);
            self.in_body = true;
        }
        dechunk(&mut self.raw, &mut self.text);
        let mut at = 0;
        while let Some(end) = find(&self.text[at..], b"\n\n") {
            let message = &self.text[at..at + end];
            let (mut kind, mut id, mut data): (&[u8], &[u8], &[u8]) = (b"", b"", b"");
            for line in message.split(|&b| b == b'\n') {
                if let Some(v) = line.strip_prefix(b"event: ") {
                    kind = v;
                } else if let Some(v) = line.strip_prefix(b"id: ") {
                    id = v;
                } else if let Some(v) = line.strip_prefix(b"data: ") {
                    data = v;
                }
            }
            each(kind, id, data);
            at += end + 2;
        }
        self.text.drain(..at);
    }
}

fn number(s: &[u8]) -> i64 {
    s.iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0, |n, b| n * 10 + i64::from(b - b'0'))
}

fn digest(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The element texts of the JSON array that follows `key` in `json` (`"key":[…]`).
fn elements<'a>(json: &'a [u8], key: &[u8]) -> Vec<&'a [u8]> {
    let start = find(json, key).expect("the array's key") + key.len();
    assert_eq!(json[start], b'[', "an array after the key");
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut out, mut from) = (Vec::new(), start + 1);
    for (i, &b) in json.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    if i > from {
                        out.push(&json[from..i]);
                    }
                    return out;
                }
            }
            b',' if depth == 1 => {
                out.push(&json[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    panic!("an unterminated array");
}

/// The id of a row or agent object (its first field, `{"id":"…"`).
fn id_of(object: &[u8]) -> Vec<u8> {
    let rest = object
        .strip_prefix(br#"{"id":""#)
        .expect("an object whose first field is its id");
    rest[..find(rest, b"\"").expect("id's end")].to_vec()
}

/// What a grid shows: live conversations and agents, each as a digest of its JSON.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GridState {
    pub conversations: HashMap<Vec<u8>, u64>,
    pub agents: HashMap<Vec<u8>, u64>,
}

impl GridState {
    /// From a `snapshot` or `resync` payload.
    pub fn from_snapshot(data: &[u8]) -> GridState {
        let mut state = GridState::default();
        for row in elements(data, br#""conversations":"#) {
            state.conversations.insert(id_of(row), digest(row));
        }
        for agent in elements(data, br#""agents":"#) {
            state.agents.insert(id_of(agent), digest(agent));
        }
        state
    }

    /// A `conversation` or `agent` delta.
    fn apply(&mut self, kind: &[u8], data: &[u8]) {
        let (key, map): (&[u8], _) = match kind {
            b"conversation" => (br#""conversation":"#, &mut self.conversations),
            b"agent" => (br#""agent":"#, &mut self.agents),
            _ => return,
        };
        let object =
            &data[find(data, key).expect("the delta's object") + key.len()..data.len() - 1];
        let id = id_of(object);
        if kind == b"conversation" && find(object, br#""status":"closed""#).is_some() {
            map.remove(&id);
        } else {
            map.insert(id, digest(object));
        }
    }
}

/// What one grid saw.
#[derive(Default)]
pub struct Grid {
    pub state: GridState,
    /// The id of the last message that carried one.
    pub last_id: i64,
    /// Deltas received.
    pub deltas: u64,
    /// Ids that did not move forward (a delta delivered twice or out of order).
    pub repeated: u64,
    pub resyncs: u64,
}

/// A supervisor's grid on `GET /api/v1/stream`: keeps the state its snapshot and deltas
/// describe; records latencies when `latencies` is given. Reports its first snapshot on
/// `ready`, and returns what it saw when told to stop.
pub async fn grid(
    host: String,
    token: String,
    ready: tokio::sync::mpsc::Sender<()>,
    mut stop: watch::Receiver<bool>,
    latencies: Option<Arc<Latencies>>,
) -> Grid {
    let mut socket = open(
        &host,
        "/api/v1/stream",
        &format!("Authorization: Bearer {token}"),
    )
    .await;
    let mut grid = Grid::default();
    let mut reader = SseReader::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut ready = Some(ready);
    loop {
        let n = tokio::select! {
            biased;
            n = socket.read(&mut buf) => n.unwrap_or(0),
            _ = stop.changed() => 0,
        };
        if n == 0 {
            return grid;
        }
        let now = chrono::Utc::now();
        reader.feed(&buf[..n], |kind, id, data| {
            match kind {
                b"snapshot" | b"resync" => {
                    grid.state = GridState::from_snapshot(data);
                    grid.resyncs += u64::from(kind == b"resync");
                }
                b"conversation" | b"agent" => {
                    grid.state.apply(kind, data);
                    grid.deltas += 1;
                    if let Some(l) = &latencies
                        && kind == b"conversation"
                        && let Some(at) = as_of(data)
                    {
                        l.record((now - at).num_microseconds().unwrap_or(i64::MAX));
                    }
                }
                _ => {}
            }
            if !id.is_empty() {
                let id = number(id);
                if id <= grid.last_id && kind != b"resync" && kind != b"snapshot" {
                    grid.repeated += 1;
                }
                grid.last_id = id;
            }
        });
        if grid.last_id > 0
            && let Some(ready) = ready.take()
        {
            let _ = ready.send(()).await;
        }
    }
}

/// A delta's `as_of`: the newest event's time when it was published.
fn as_of(data: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let key = br#""as_of":""#;
    let start = find(data, key)? + key.len();
    let end = start + find(&data[start..], b"\"")?;
    let text = std::str::from_utf8(&data[start..end]).ok()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.to_utc())
}

/// A fresh subscriber's snapshot of the token's scope.
pub async fn fresh_snapshot(host: &str, token: &str) -> GridState {
    let mut socket = open(
        host,
        "/api/v1/stream",
        &format!("Authorization: Bearer {token}"),
    )
    .await;
    let mut reader = SseReader::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "the stream ended before its snapshot");
        let mut state = None;
        reader.feed(&buf[..n], |kind, _, data| {
            if kind == b"snapshot" {
                state = Some(GridState::from_snapshot(data));
            }
        });
        if let Some(state) = state {
            return state;
        }
    }
}

/// The agent's `my_work`, without its reading time.
pub async fn my_work(host: &str, cookie: &str) -> Value {
    let head = format!(
        "POST /api/my_work HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, body) = request(host, &head, b"").await;
    assert_eq!(status, 200, "{body}");
    let mut work: Value = serde_json::from_str(&body).expect("my_work");
    if let Some(w) = work.as_object_mut() {
        w.remove("as_of");
    }
    work
}

/// What one agent's dashboard saw.
#[derive(Default)]
pub struct Desk {
    /// Its last answer from `my_work`.
    pub shown: Value,
    pub changes: u64,
    pub fetches: u64,
}

/// An agent's dashboard: on each `changed` of its feed it asks for its work again, at most
/// once per [`REFRESH_GAP`], as the browser does.
pub async fn desk(
    host: String,
    cookie: String,
    ready: tokio::sync::mpsc::Sender<()>,
    mut stop: watch::Receiver<bool>,
) -> Desk {
    let mut socket = open(&host, "/api/v1/stream/my", &format!("Cookie: {cookie}")).await;
    let mut desk = Desk {
        shown: my_work(&host, &cookie).await,
        fetches: 1,
        ..Desk::default()
    };
    let mut reader = SseReader::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut ready = Some(ready);
    let mut last_fetch = Instant::now();
    let mut dirty = false;
    loop {
        let wait = REFRESH_GAP.saturating_sub(last_fetch.elapsed());
        tokio::select! {
            biased;
            _ = stop.changed() => return desk,
            () = tokio::time::sleep(wait), if dirty => {
                dirty = false;
                last_fetch = Instant::now();
                desk.shown = my_work(&host, &cookie).await;
                desk.fetches += 1;
            }
            n = socket.read(&mut buf) => {
                let n = n.unwrap_or(0);
                if n == 0 {
                    return desk;
                }
                let mut changed = 0;
                reader.feed(&buf[..n], |kind, _, _| changed += u64::from(kind == b"changed"));
                if changed > 0 {
                    desk.changes += changed;
                    dirty = true;
                }
                if let Some(ready) = ready.take() {
                    let _ = ready.send(()).await;
                }
            }
        }
    }
}

/// A client that opens the delta stream and never reads it, until told to stop. Its receive
/// buffer is small, as a stalled browser's fills: the server's queue for it fills within
/// seconds rather than after the kernel's megabytes.
pub async fn slow(host: String, token: String, mut stop: watch::Receiver<bool>) {
    let addr: std::net::SocketAddr = host.parse().expect("address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut socket = socket.connect(addr).await.expect("connect");
    let head = format!(
        "GET /api/v1/stream HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    let _ = stop.changed().await;
    drop(socket);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_split_at_top_level_commas_only() {
        let json = br#"{"seq":1,"conversations":[{"id":"a","t":"x,]\"}"},{"id":"b","q":[1,2]}],"agents":[]}"#;
        let rows = elements(json, br#""conversations":"#);
        assert_eq!(
            rows,
            vec![
                &br#"{"id":"a","t":"x,]\"}"}"#[..],
                &br#"{"id":"b","q":[1,2]}"#[..]
            ]
        );
        assert!(elements(json, br#""agents":"#).is_empty());
        assert_eq!(id_of(rows[1]), b"b");
    }
}
