//! Durable ingest throughput: batches of 1,000 events POSTed over loopback HTTP to a real server
//! on SQLite (WAL, synchronous=FULL) and on PostgreSQL, side by side in one run.
//!
//! `make bench` (or `cargo bench -p server --bench ingest`); `BENCH_EVENTS` sets the total
//! (default 200,000), `INTRADAY_TEST_PG` the PostgreSQL server.

use std::time::Instant;

use chrono::{TimeDelta, Utc};
use leptos::prelude::get_configuration;
#[path = "support/db.rs"]
mod support;
use serde_json::{Value, json};
use server::config::Config;
use server::db::{self, DbKind};
use server::http::router;
use server::state::AppState;
use server::store::tokens::{self, Scope};
use support::database;

const BATCH: usize = 1_000;

/// Ten events of one conversation, as an ACD would send them.
fn conversation(n: usize, start: chrono::DateTime<Utc>) -> Vec<Value> {
    let c = format!("c{n}");
    let t = |s: i64| (start + TimeDelta::milliseconds(s)).to_rfc3339();
    let agent = format!("a{}", n % 50);
    vec![
        json!({"id": format!("{c}-0"), "type": "conversation.created", "at": t(0), "conversation_id": c, "queue_id": format!("q{}", n % 5), "channel": "chat", "customer": {"id": format!("k{n}"), "name": "Customer"}}),
        json!({"id": format!("{c}-1"), "type": "conversation.offered", "at": t(1), "conversation_id": c, "agent_id": agent, "by": "routing"}),
        json!({"id": format!("{c}-2"), "type": "conversation.accepted", "at": t(2), "conversation_id": c, "agent_id": agent}),
        json!({"id": format!("{c}-3"), "type": "conversation.message", "at": t(3), "conversation_id": c, "from": "customer", "text": "Hello, my order has not arrived", "sentiment": -1}),
        json!({"id": format!("{c}-4"), "type": "conversation.message", "at": t(4), "conversation_id": c, "from": "agent", "text": "Let me check that for you"}),
        json!({"id": format!("{c}-5"), "type": "conversation.message", "at": t(5), "conversation_id": c, "from": "customer", "sentiment": 1}),
        json!({"id": format!("{c}-6"), "type": "conversation.message", "at": t(6), "conversation_id": c, "from": "agent", "text": "It ships today"}),
        json!({"id": format!("{c}-7"), "type": "conversation.message", "at": t(7), "conversation_id": c, "from": "customer", "sentiment": 2}),
        json!({"id": format!("{c}-8"), "type": "conversation.ended", "at": t(8), "conversation_id": c}),
        json!({"id": format!("{c}-9"), "type": "conversation.closed", "at": t(9), "conversation_id": c, "reason": "resolved"}),
    ]
}

async fn post(host: &str, token: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.expect("write");
    s.write_all(body).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    String::from_utf8_lossy(&raw)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn run(kind: DbKind, total: usize) -> f64 {
    let url = database(kind, "bench").await;
    let db = db::connect_and_migrate(&url).await.expect("migrate");
    let token = tokens::generate().expect("random");
    tokens::insert(&db, "bench", &token, &[Scope::Ingest], None)
        .await
        .expect("token");
    let conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
        .expect("Leptos.toml");
    let config = Config {
        ingest_rate_per_second: 0,
        ..Config::default()
    };
    let state = AppState::build(conf.leptos_options, db, kind, config)
        .await
        .expect("state");
    server::tasks::start(&state, server::tasks::Plan::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });

    let start = Utc::now() - TimeDelta::hours(1);
    let bodies: Vec<Vec<u8>> = (0..total / BATCH)
        .map(|b| {
            let events: Vec<Value> = (b * BATCH / 10..(b + 1) * BATCH / 10)
                .flat_map(|n| conversation(n, start + TimeDelta::milliseconds(n as i64 * 50)))
                .collect();
            serde_json::to_vec(&events).expect("json")
        })
        .collect();
    let began = Instant::now();
    for body in &bodies {
        assert_eq!(post(&host, &token, body).await, 200, "a batch was refused");
    }
    let secs = began.elapsed().as_secs_f64();
    let rate = total as f64 / secs;
    println!(
        "{:<10} {:>9} events in {:>6.2} s  = {:>9.0} events/s  ({:.2} ms per 1,000-event batch)",
        kind.as_str(),
        total,
        secs,
        rate,
        secs * 1000.0 / (total / BATCH) as f64
    );
    rate
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let total = total / BATCH * BATCH;
    println!("durable ingest over HTTP, batches of {BATCH}, each acknowledged after commit");
    run(DbKind::Sqlite, total).await;
    run(DbKind::Postgres, total).await;
}
