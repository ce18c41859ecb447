//! The fan-out bench's subscribers: a raw HTTP/1.1 client that reads `GET /api/v1/stream`'s
//! chunked SSE body and records when each `conversation` delta arrives.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

pub fn micros(began: Instant) -> u32 {
    began.elapsed().as_micros() as u32
}

/// What one subscriber saw.
#[derive(Default)]
pub struct Seen {
    /// (log sequence, microseconds since the run began) of each `conversation` delta.
    pub conversations: Vec<(u32, u32)>,
    /// The sequence of its snapshot.
    pub snapshot: i64,
    /// Deltas other than `conversation` ones (agent, kpis, alert).
    pub other_deltas: u64,
    /// Resyncs it was sent.
    pub resyncs: u64,
}

/// A subscriber: opens the stream, reports its snapshot, records deltas until told to stop.
pub async fn subscribe(
    host: String,
    token: String,
    began: Instant,
    ready: mpsc::Sender<i64>,
    mut stop: watch::Receiver<bool>,
    received: Arc<AtomicU64>,
) -> Seen {
    let mut socket = TcpStream::connect(&host).await.expect(
        "connect (too many subscribers for the open-files limit? raise it with `ulimit -n`)",
    );
    let head = format!(
        "GET /api/v1/stream HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut seen = Seen::default();
    let mut raw: Vec<u8> = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut in_body = false;
    let mut ready = Some(ready);
    loop {
        let n = tokio::select! {
            biased;
            n = socket.read(&mut buf) => n.unwrap_or(0),
            _ = stop.changed() => 0,
        };
        if n == 0 {
            return seen;
        }
        let now = micros(began);
        raw.extend_from_slice(&buf[..n]);
        if !in_body {
            let Some(end) = find(&raw, b"\r\n\r\n") else {
                continue;
            };
            assert!(raw.starts_with(b"HTTP/1.1 200"), "stream refused");
            raw.drain(..end + 4);
            in_body = true;
        }
        dechunk(&mut raw, &mut text);
        let mut at = 0;
        while let Some(end) = find(&text[at..], b"\n\n") {
            message(&text[at..at + end], now, &mut seen, &received);
            at += end + 2;
        }
        text.drain(..at);
        if seen.snapshot > 0
            && let Some(ready) = ready.take()
        {
            let _ = ready.send(seen.snapshot).await;
        }
    }
}

/// Records one SSE message.
fn message(message: &[u8], now: u32, seen: &mut Seen, received: &AtomicU64) {
    let (mut kind, mut id, mut data): (&[u8], &[u8], &[u8]) = (b"", b"", b"");
    for line in memchr::memchr_iter(b'\n', message)
        .chain([message.len()])
        .scan(0, |start, end| {
            let line = &message[*start..end];
            *start = end + 1;
            Some(line)
        })
    {
        if let Some(v) = line.strip_prefix(b"event: ") {
            kind = v;
        } else if let Some(v) = line.strip_prefix(b"id: ") {
            id = v;
        } else if let Some(v) = line.strip_prefix(b"data: ") {
            data = v;
        }
    }
    let number = |s: &[u8]| -> i64 {
        s.iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0, |n, b| n * 10 + i64::from(b - b'0'))
    };
    match kind {
        b"conversation" => {
            let seq = number(data.strip_prefix(b"{\"seq\":").expect("seq first"));
            seen.conversations.push((seq as u32, now));
            received.fetch_add(1, Ordering::Relaxed);
        }
        b"snapshot" => seen.snapshot = number(id),
        b"resync" => {
            seen.resyncs += 1;
            seen.snapshot = number(id);
        }
        b"" => {}
        _ => seen.other_deltas += 1,
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Moves complete chunks of a chunked body from `raw` to `text`.
pub fn dechunk(raw: &mut Vec<u8>, text: &mut Vec<u8>) {
    let mut at = 0;
    while let Some(line) = find(&raw[at..], b"\r\n") {
        let size = std::str::from_utf8(&raw[at..at + line]).expect("chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
        let start = at + line + 2;
        if size == 0 || raw.len() < start + size + 2 {
            break;
        }
        text.extend_from_slice(&raw[start..start + size]);
        at = start + size + 2;
    }
    raw.drain(..at);
}
