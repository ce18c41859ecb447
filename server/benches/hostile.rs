//! Ingest latency while signed-in callers try to load the server (SECURITY.md): 100-event
//! batches posted one after another to a real server on SQLite, first alone, then with 200
//! hostile readers running — each asking the read API with the most filter values a question
//! may hold, over and over, and holding live streams (more than its cap, which get 429) —
//! once all on one token (as one hostile person or leaked token would: the read rate applies
//! to them together) and once each on a token of its own (200 credentials: each within its
//! rate). Side by side in one run: p50 / p99 / max of a batch's round trip, and how many of
//! the readers' questions were answered and refused.
//!
//! `cargo bench -p server --bench hostile`; `BENCH_READERS` (default 200), `BENCH_BATCHES`
//! (default 300), `BENCH_SEED_CONVERSATIONS` (default 20,000).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use leptos::prelude::get_configuration;
use serde_json::{Value, json};
use server::config::Config;
use server::db::{self, DbKind};
use server::http::router;
use server::state::AppState;
use server::store::tokens::{self, Scope};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A closed conversation of five events in queue `q{n % 5}`, handled by agent `a{n % 100}`.
fn conversation(prefix: &str, n: usize, at: chrono::DateTime<Utc>) -> Vec<Value> {
    let c = format!("{prefix}{n}");
    let t = |ms: i64| (at + TimeDelta::milliseconds(ms)).to_rfc3339();
    let agent = format!("a{}", n % 100);
    vec![
        json!({"id": format!("{c}-0"), "type": "conversation.created", "at": t(0), "conversation_id": c, "queue_id": format!("q{}", n % 5), "channel": "chat", "customer": {"id": format!("k{n}"), "name": "Customer"}}),
        json!({"id": format!("{c}-1"), "type": "conversation.offered", "at": t(1), "conversation_id": c, "agent_id": agent, "by": "routing"}),
        json!({"id": format!("{c}-2"), "type": "conversation.accepted", "at": t(2), "conversation_id": c, "agent_id": agent}),
        json!({"id": format!("{c}-3"), "type": "conversation.ended", "at": t(3), "conversation_id": c}),
        json!({"id": format!("{c}-4"), "type": "conversation.closed", "at": t(4), "conversation_id": c, "reason": "resolved"}),
    ]
}

/// One request; the status (0 when the connection failed).
async fn send(host: &str, head: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(host).await else {
        return 0;
    };
    if s.write_all(head.as_bytes()).await.is_err() || s.write_all(body).await.is_err() {
        return 0;
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw).await;
    String::from_utf8_lossy(&raw)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn post(host: &str, token: &str, body: &[u8]) -> u16 {
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(host, &head, body).await
}

/// A hostile reader: the heaviest questions it may ask, back to back, and a stream held open
/// now and then (beyond its cap: refused).
async fn hostile(
    host: String,
    token: String,
    stop: Arc<AtomicBool>,
    asked: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
) {
    let agents: String = (0..100).map(|n| format!("agent=a{n}&")).collect();
    let questions = [
        format!("/api/v1/kpis?window=24h&{agents}"),
        format!("/api/v1/agents?window=24h&{agents}"),
        "/api/v1/conversations?window=24h".to_owned(),
    ];
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let path = &questions[n % questions.len()];
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        );
        if n.is_multiple_of(10) {
            // A stream: its head, its snapshot, then dropped.
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            if let Ok(mut s) = tokio::net::TcpStream::connect(&host).await {
                let head = format!(
                    "GET /api/v1/stream HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
                );
                let _ = s.write_all(head.as_bytes()).await;
                let mut buf = vec![0u8; 64 * 1024];
                let read = tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await;
                if let Ok(Ok(n)) = read
                    && buf[..n].starts_with(b"HTTP/1.1 429")
                {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
        } else if send(&host, &head, b"").await == 429 {
            refused.fetch_add(1, Ordering::Relaxed);
        }
        asked.fetch_add(1, Ordering::Relaxed);
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let readers = env("BENCH_READERS", 200);
    let batches = env("BENCH_BATCHES", 300);
    let seed = env("BENCH_SEED_CONVERSATIONS", 20_000);
    let dir = std::env::temp_dir().join(format!("intraday-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let db = db::connect_and_migrate(&url).await.expect("migrate");
    let token = tokens::generate().expect("random");
    tokens::insert(&db, "bench", &token, &[Scope::Ingest, Scope::Read], None)
        .await
        .expect("token");
    let conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
        .expect("Leptos.toml");
    // The default read rate: what a server as shipped does.
    let config = Config {
        ingest_rate_per_second: 0,
        ..Config::default()
    };
    let mut own_tokens = Vec::with_capacity(readers);
    for n in 0..readers {
        let own = tokens::generate().expect("random");
        tokens::insert(&db, &format!("reader{n}"), &own, &[Scope::Read], None)
            .await
            .expect("token");
        own_tokens.push(own);
    }
    let state = AppState::build(conf.leptos_options, db, DbKind::Sqlite, config)
        .await
        .expect("state");
    server::tasks::start(&state, server::tasks::Plan::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });

    let start = Utc::now() - TimeDelta::hours(12);
    for chunk in (0..seed).collect::<Vec<_>>().chunks(200) {
        let events: Vec<Value> = chunk
            .iter()
            .flat_map(|&n| conversation("s", n, start + TimeDelta::milliseconds(n as i64 * 2_000)))
            .collect();
        let body = serde_json::to_vec(&events).expect("json");
        assert_eq!(post(&host, &token, &body).await, 200, "seeding");
    }
    println!(
        "ingest of 100-event batches on SQLite, {seed} conversations already in the day, {batches} batches each"
    );
    let rounds = [
        ("alone", 0, false),
        ("readers on one token", readers, false),
        ("readers, a token each", readers, true),
    ];
    for (round, (name, hostile_readers, own)) in rounds.into_iter().enumerate() {
        let stop = Arc::new(AtomicBool::new(false));
        let asked = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..hostile_readers)
            .map(|n| {
                tokio::spawn(hostile(
                    host.clone(),
                    if own {
                        own_tokens[n].clone()
                    } else {
                        token.clone()
                    },
                    stop.clone(),
                    asked.clone(),
                    refused.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(if hostile_readers > 0 {
            1_000
        } else {
            0
        }))
        .await;
        let began = Instant::now();
        let mut times = Vec::with_capacity(batches);
        for b in 0..batches {
            let events: Vec<Value> = (0..20)
                .flat_map(|i| {
                    let n = round * 1_000_000 + b * 20 + i;
                    conversation("live", n, Utc::now() - TimeDelta::seconds(10))
                })
                .collect();
            let body = serde_json::to_vec(&events).expect("json");
            let t = Instant::now();
            assert_eq!(post(&host, &token, &body).await, 200, "a batch was refused");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let secs = began.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        times.sort_by(f64::total_cmp);
        let asked = asked.load(Ordering::Relaxed) as f64;
        let refused = refused.load(Ordering::Relaxed) as f64;
        println!(
            "{hostile_readers:>4} {name:<22} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (reader requests/s: {:.0} answered, {:.0} refused 429)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
            (asked - refused) / secs,
            refused / secs
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
