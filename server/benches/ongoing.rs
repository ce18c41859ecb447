//! The Ongoing grid's snapshot on the server: the time to take 10,000 ongoing conversations'
//! rows (with their grid details, kept as JSON by the hub) under the writer's lock, and to put
//! the snapshot's JSON together after it, as a subscriber's stream does when it starts.
//!
//! `cargo bench -p server --bench ongoing` (part of `make bench`); `BENCH_ROWS` (default
//! 10,000) and `BENCH_ROUNDS` (default 200) set the size. Goal: p99 of the whole snapshot
//! ≤ 20 ms.

use std::time::Instant;

use app::model::event::{Event, parse_event};
use app::model::ledger::Ledger;
use chrono::{TimeDelta, Utc};
use serde_json::json;
use server::stream::rows::Rows;
use server::stream::views::SnapshotCopy;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A day's ongoing conversations: a quarter open, the rest with agents, with messages,
/// monitors and escalations so every grid field is filled.
fn events(rows: usize) -> Vec<Event> {
    let t0 = Utc::now() - TimeDelta::hours(2);
    let at = |s: usize| (t0 + TimeDelta::milliseconds(s as i64)).to_rfc3339();
    let mut out = Vec::new();
    let mut push = |v: serde_json::Value| out.push(parse_event(&v).expect("valid"));
    for q in 0..5 {
        push(
            json!({"id": format!("q{q}"), "type": "queue.upserted", "at": at(0), "queue_id": format!("q{q}"), "name": format!("Queue {q}"), "channels": ["chat"]}),
        );
    }
    for a in 0..200 {
        push(
            json!({"id": format!("a{a}"), "type": "agent.upserted", "at": at(0), "agent_id": format!("a{a}"), "name": format!("Agent {a}"), "queues": [format!("q{}", a % 5)], "capacity": 100}),
        );
    }
    for i in 0..rows {
        let c = format!("c{i}");
        let q = format!("q{}", i % 5);
        let agent = format!("a{}", (i % 40) * 5 + i % 5);
        let s = 10 + i * 3;
        push(
            json!({"id": format!("{c}-c"), "type": "conversation.created", "at": at(s), "conversation_id": c, "queue_id": q, "channel": "chat", "customer": {"id": format!("k{i}"), "name": format!("Customer {i}")}, "subject": "A question about my bill"}),
        );
        if i % 4 != 0 {
            push(
                json!({"id": format!("{c}-o"), "type": "conversation.offered", "at": at(s + 1), "conversation_id": c, "agent_id": agent, "by": "routing"}),
            );
            push(
                json!({"id": format!("{c}-a"), "type": "conversation.accepted", "at": at(s + 2), "conversation_id": c, "agent_id": agent}),
            );
            push(
                json!({"id": format!("{c}-m"), "type": "conversation.message", "at": at(s + 2), "conversation_id": c, "from": "customer", "text": "hello", "sentiment": (i % 7) as i64 - 3}),
            );
        }
        if i % 10 == 0 {
            push(
                json!({"id": format!("{c}-s"), "type": "conversation.monitored", "at": at(s + 2), "conversation_id": c, "supervisor_id": "sup", "mode": "silent"}),
            );
            push(
                json!({"id": format!("{c}-e"), "type": "conversation.escalated", "at": at(s + 2), "conversation_id": c, "kind": "customer", "note": "wants a manager"}),
            );
        }
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let n = env("BENCH_ROWS", 10_000);
    let rounds = env("BENCH_ROUNDS", 200);
    let events = events(n);
    let mut ledger = Ledger::new();
    let mut rows = Rows::default();
    for chunk in events.chunks(5_000) {
        ledger.apply(chunk, Utc::now()).expect("valid day");
        chunk.iter().for_each(|e| rows.note(e));
    }
    rows.rebuild(&ledger);
    let scope = None;
    let (mut copy_ms, mut json_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut bytes = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let copy = SnapshotCopy::take(&ledger, &rows, &scope);
        let copied = start.elapsed();
        let json = copy.to_json(1);
        let done = start.elapsed();
        bytes = json.len();
        copy_ms.push(copied.as_secs_f64() * 1e3);
        json_ms.push((done - copied).as_secs_f64() * 1e3);
        total_ms.push(done.as_secs_f64() * 1e3);
    }
    for v in [&mut copy_ms, &mut json_ms, &mut total_ms] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "ongoing snapshot: {n} rows, {rounds} rounds, {} bytes of JSON",
        bytes
    );
    println!("| part | p50 ms | p99 ms |");
    println!("|---|---:|---:|");
    for (name, v) in [
        ("rows taken under the writer's lock", &copy_ms),
        ("JSON put together after it", &json_ms),
        ("whole snapshot", &total_ms),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} |",
            percentile(v, 0.5),
            percentile(v, 0.99)
        );
    }
    let p99 = percentile(&total_ms, 0.99);
    println!(
        "goal p99 ≤ 20 ms: {}",
        if p99 <= 20.0 { "met" } else { "NOT met" }
    );
}
