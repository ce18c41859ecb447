//! Live fan-out: many `GET /api/v1/stream` subscribers over loopback TCP while events arrive
//! through `POST /api/v1/events`, on SQLite and on PostgreSQL side by side in one run.
//!
//! `make bench` (or `cargo bench -p server --bench fanout`); `BENCH_SUBSCRIBERS` (default
//! 1,000), `BENCH_RATE` (events per second, default 500, sent in ten batches a second) and
//! `BENCH_SECONDS` (default 20) set the load, `INTRADAY_TEST_PG` the PostgreSQL server. Each
//! subscriber needs two file descriptors (its socket and the server's): `make bench` raises the
//! open-files limit with `ulimit -n`.
//!
//! Every event touches its own conversation within a batch, so each one becomes exactly one
//! `conversation` delta whose `seq` is the event's log sequence; subscribers record when each
//! arrives. The server runs on its own two-thread runtime (threads `intraday-server`), the
//! subscribers and the sender on another (`bench-client`), so the server's CPU can be read from
//! `/proc/self/task`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::serve::ListenerExt;
use chrono::Utc;
use leptos::prelude::get_configuration;
use sea_orm::Database;
use serde_json::{Value, json};
use server::config::Config;
use server::db::{self, DbKind};
use server::http::router;
use server::state::AppState;
use server::store::tokens::{self, Scope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};

#[path = "fanout/client.rs"]
mod client;
#[path = "support/db.rs"]
mod support;
use client::{micros, subscribe};
use support::{database, pg_url};

const QUEUES: usize = 5;
const AGENTS: usize = 100;
/// Conversations in flight; a batch advances the next ones round robin, one event each.
const SLOTS: usize = 1_000;
/// Events of one conversation (created … closed).
const STAGES: u32 = 10;

/// The load of one run.
#[derive(Clone, Copy)]
struct Load {
    subscribers: usize,
    rate: usize,
    seconds: u64,
}

impl Load {
    fn from_env() -> Load {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Load {
            subscribers: var("BENCH_SUBSCRIBERS", 1_000),
            rate: var("BENCH_RATE", 500).max(10),
            seconds: var("BENCH_SECONDS", 20) as u64,
        }
    }

    /// Events per batch (ten batches a second).
    fn batch(&self) -> usize {
        self.rate / 10
    }

    fn batches(&self) -> usize {
        self.rate * self.seconds as usize / self.batch()
    }
}

/// The queues a subscriber's token sees: most see every queue, a tenth one queue, a tenth two.
fn scope_of(i: usize) -> Option<Vec<String>> {
    match i % 10 {
        8 => Some(vec!["q0".into()]),
        9 => Some(vec!["q1".into(), "q2".into()]),
        _ => None,
    }
}

/// The sender's conversations: each slot runs one conversation through its stages, then the next.
struct Slots {
    stage: Vec<u32>,
    number: Vec<usize>,
    next_number: usize,
    cursor: usize,
}

impl Slots {
    fn new() -> Slots {
        Slots {
            stage: vec![0; SLOTS],
            number: (0..SLOTS).collect(),
            next_number: SLOTS,
            cursor: 0,
        }
    }

    /// The next `n` events, each of a different conversation, and each one's queue index.
    fn batch(&mut self, n: usize, tag: usize) -> (Vec<Value>, Vec<u8>) {
        let at = Utc::now().to_rfc3339();
        let mut events = Vec::with_capacity(n);
        let mut queues = Vec::with_capacity(n);
        for _ in 0..n {
            let slot = self.cursor;
            self.cursor = (self.cursor + 1) % SLOTS;
            let c = self.number[slot];
            let stage = self.stage[slot];
            let queue = c % QUEUES;
            events.push(event(c, stage, queue, &at, tag));
            queues.push(queue as u8);
            self.stage[slot] = (stage + 1) % STAGES;
            if self.stage[slot] == 0 {
                self.number[slot] = self.next_number;
                self.next_number += 1;
            }
        }
        (events, queues)
    }
}

fn event(c: usize, stage: u32, queue: usize, at: &str, tag: usize) -> Value {
    let conversation = format!("c{c}");
    let id = format!("{conversation}-{stage}-{tag}");
    let agent = format!("a{}", queue + QUEUES * ((c / QUEUES) % (AGENTS / QUEUES)));
    let base = json!({"id": id, "at": at, "conversation_id": conversation});
    let extra = match stage {
        0 => {
            json!({"type": "conversation.created", "queue_id": format!("q{queue}"), "channel": "chat", "customer": {"id": format!("k{c}"), "name": "Customer"}})
        }
        1 => json!({"type": "conversation.offered", "agent_id": agent, "by": "routing"}),
        2 => json!({"type": "conversation.accepted", "agent_id": agent}),
        8 => json!({"type": "conversation.ended"}),
        9 => json!({"type": "conversation.closed", "reason": "resolved"}),
        s if s % 2 == 1 => {
            json!({"type": "conversation.message", "from": "customer", "text": "Where is my order?", "sentiment": -1})
        }
        _ => {
            json!({"type": "conversation.message", "from": "agent", "text": "Let me check that for you"})
        }
    };
    let mut merged = base;
    if let (Some(m), Value::Object(e)) = (merged.as_object_mut(), extra) {
        m.extend(e);
    }
    merged
}

/// The agents, each serving one queue, available with room for every conversation it gets.
fn agents() -> Vec<Value> {
    let at = Utc::now().to_rfc3339();
    (0..AGENTS)
        .flat_map(|a| {
            [
                json!({"id": format!("a{a}-up"), "type": "agent.upserted", "at": at, "agent_id": format!("a{a}"), "name": format!("Agent {a}"), "queues": [format!("q{}", a % QUEUES)], "capacity": 50}),
                json!({"id": format!("a{a}-in"), "type": "agent.presence", "at": at, "agent_id": format!("a{a}"), "presence": "available"}),
            ]
        })
        .collect()
}

/// POSTs a batch; the reply's status and body.
async fn post(host: &str, token: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
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

/// Microseconds since the run began.
/// CPU seconds used so far by this process's threads whose name starts with `prefix`.
fn cpu_seconds(prefix: &str) -> f64 {
    let mut ticks = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            if !stat[open + 1..close].starts_with(prefix) {
                continue;
            }
            let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
            // utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3.
            ticks +=
                fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
        }
    }
    ticks as f64 / 100.0
}

/// The figures of one backend.
struct Row {
    kind: DbKind,
    sent: usize,
    seconds: f64,
    send: Percentiles,
    ack: Percentiles,
    delivered: u64,
    expected: u64,
    lost: u64,
    other: u64,
    resyncs: u64,
    server_cpu: f64,
    client_cpu: f64,
    post_p99: f64,
}

struct Percentiles {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Percentiles {
    /// From microseconds, in milliseconds.
    fn of(mut v: Vec<i64>) -> Percentiles {
        v.sort_unstable();
        let at = |q: f64| {
            v.get(((v.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .map_or(f64::NAN, |&us| us as f64 / 1000.0)
        };
        Percentiles {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

/// A started server: its address, an ingest token and ten read tokens (see [`scope_of`]).
type Started = (String, String, Vec<String>);

/// Starts a server on its own runtime.
fn start_server(kind: DbKind, url: String, runtime: &tokio::runtime::Runtime) -> Started {
    let (tx, rx) = std::sync::mpsc::channel();
    runtime.spawn(async move {
        let db = db::connect_and_migrate(&url).await.expect("migrate");
        let conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
            .expect("Leptos.toml");
        // A thousand subscribers connect at once on a few tokens: the per-caller read rate and
        // stream cap (meant for one hostile caller) would refuse most of them.
        let config = Config {
            ingest_rate_per_second: 0,
            read_rate_per_second: 0,
            stream_max_per_caller: 10_000,
            ..Config::default()
        };
        let state = AppState::build(conf.leptos_options, db.clone(), kind, config)
            .await
            .expect("state");
        server::tasks::start(&state, server::tasks::Plan::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let host = listener.local_addr().expect("addr").to_string();
        let ingest = tokens::generate().expect("random");
        tokens::insert(&db, "bench-ingest", &ingest, &[Scope::Ingest], None)
            .await
            .expect("token");
        let mut readers = Vec::new();
        for i in 0..10 {
            let token = tokens::generate().expect("random");
            tokens::insert(
                &db,
                &format!("bench-read-{i}"),
                &token,
                &[Scope::Read],
                scope_of(i).as_deref(),
            )
            .await
            .expect("token");
            readers.push(token);
        }
        tx.send((host, ingest, readers)).expect("send");
        // As `intraday serve` listens.
        axum::serve(listener.tap_io(server::cli::serve::no_delay), router(state)).await
    });
    rx.recv().expect("server start")
}

async fn run(kind: DbKind, load: Load, host: String, ingest: String, readers: Vec<String>) -> Row {
    let began = Instant::now();
    let (status, reply) = post(
        &host,
        &ingest,
        &serde_json::to_vec(&agents()).expect("json"),
    )
    .await;
    assert_eq!(status, 200, "{reply}");

    let received = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop) = watch::channel(false);
    let (ready_tx, mut ready) = mpsc::channel(load.subscribers.max(1));
    let opening = Arc::new(Semaphore::new(100));
    let mut subscribers = Vec::with_capacity(load.subscribers);
    for i in 0..load.subscribers {
        let (host, token) = (host.clone(), readers[i % 10].clone());
        let (ready_tx, stop, received) = (ready_tx.clone(), stop.clone(), received.clone());
        let opening = opening.clone();
        subscribers.push(tokio::spawn(async move {
            let (tx, mut rx) = mpsc::channel(1);
            let permit = opening.acquire_owned().await.expect("semaphore");
            let task = tokio::spawn(subscribe(host, token, began, tx, stop, received));
            let snapshot = rx.recv().await.expect("snapshot");
            drop(permit);
            let _ = ready_tx.send(snapshot).await;
            task.await.expect("subscriber")
        }));
    }
    let mut base = 0;
    for _ in 0..load.subscribers {
        base = ready.recv().await.expect("ready");
    }
    println!(
        "{:<10} {} subscribers connected in {:.1} s; sending {} events/s for {} s",
        kind.as_str(),
        load.subscribers,
        began.elapsed().as_secs_f64(),
        load.rate,
        load.seconds
    );

    let server_cpu0 = cpu_seconds("intraday-server") + cpu_seconds("sqlx");
    let client_cpu0 = cpu_seconds("bench-client");
    let sending = Instant::now();
    let mut slots = Slots::new();
    let mut queues: Vec<u8> = Vec::new();
    let mut sent_at: Vec<(u32, u32)> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for b in 0..load.batches() {
        tick.tick().await;
        let (events, q) = slots.batch(load.batch(), b);
        let body = serde_json::to_vec(&events).expect("json");
        let send = micros(began);
        let (status, reply) = post(&host, &ingest, &body).await;
        let ack = micros(began);
        assert_eq!(status, 200, "{reply}");
        let accepted = serde_json::from_str::<Value>(&reply).expect("reply")["accepted"].as_u64();
        assert_eq!(accepted, Some(load.batch() as u64), "{reply}");
        queues.extend(q);
        sent_at.push((send, ack));
    }
    let seconds = sending.elapsed().as_secs_f64();

    // Expected deliveries: every event to each subscriber whose scope holds its queue.
    let sees = |i: usize, q: u8| scope_of(i).is_none_or(|s| s.contains(&format!("q{q}")));
    let per_scope: Vec<u64> = (0..10)
        .map(|i| queues.iter().filter(|&&q| sees(i, q)).count() as u64)
        .collect();
    let expected: u64 = (0..load.subscribers).map(|i| per_scope[i % 10]).sum();
    let deadline = Instant::now() + Duration::from_secs(10);
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let server_cpu = cpu_seconds("intraday-server") + cpu_seconds("sqlx") - server_cpu0;
    let client_cpu = cpu_seconds("bench-client") - client_cpu0;
    stop_tx.send_replace(true);

    let batch = load.batch() as i64;
    let (mut from_send, mut from_ack) = (Vec::new(), Vec::new());
    let (mut delivered, mut lost, mut other, mut resyncs) = (0, 0, 0, 0);
    for (i, task) in subscribers.into_iter().enumerate() {
        let seen = task.await.expect("subscriber");
        assert_eq!(
            seen.snapshot, base,
            "subscribers started at different sequences"
        );
        other += seen.other_deltas;
        resyncs += seen.resyncs;
        let mut got = vec![false; queues.len()];
        for &(seq, at) in &seen.conversations {
            let k = i64::from(seq) - base - 1;
            let q = usize::try_from(k)
                .ok()
                .and_then(|k| queues.get(k).map(|&q| (k, q)));
            let Some((k, q)) = q else {
                panic!("a delta for sequence {seq}, not one the bench sent");
            };
            assert!(sees(i, q), "a delta outside the subscriber's scope");
            got[k] = true;
            delivered += 1;
            let (send, ack) = sent_at[(k as i64 / batch) as usize];
            from_send.push(i64::from(at) - i64::from(send));
            from_ack.push(i64::from(at) - i64::from(ack));
        }
        lost += got
            .iter()
            .zip(&queues)
            .filter(|(got, q)| !**got && sees(i, **q))
            .count() as u64;
    }
    let post_p99 = Percentiles::of(
        sent_at
            .iter()
            .map(|&(s, a)| i64::from(a) - i64::from(s))
            .collect(),
    )
    .p99;
    Row {
        kind,
        sent: queues.len(),
        seconds,
        send: Percentiles::of(from_send),
        ack: Percentiles::of(from_ack),
        delivered,
        expected,
        lost,
        other,
        resyncs,
        server_cpu: server_cpu / seconds,
        client_cpu: client_cpu / seconds,
        post_p99,
    }
}

fn main() {
    let load = Load::from_env();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-client")
        .enable_all()
        .build()
        .expect("runtime");
    let pg = clients.block_on(async {
        tokio::time::timeout(Duration::from_secs(3), Database::connect(&pg_url()))
            .await
            .is_ok_and(|c| c.is_ok())
    });
    let mut rows = Vec::new();
    for kind in [DbKind::Sqlite, DbKind::Postgres] {
        if kind == DbKind::Postgres && !pg {
            println!("PostgreSQL is not reachable at {}: skipped", pg_url());
            continue;
        }
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("intraday-server")
            .enable_all()
            .build()
            .expect("runtime");
        let url = clients.block_on(database(kind, "fanout"));
        let (host, ingest, readers) = start_server(kind, url, &server);
        rows.push(clients.block_on(run(kind, load, host, ingest, readers)));
        server.shutdown_timeout(Duration::from_secs(1));
    }
    print_table(load, &rows);
}

fn print_table(load: Load, rows: &[Row]) {
    println!();
    println!(
        "fan-out: {} SSE subscribers (8 in 10 see every queue, 1 one queue, 1 two), {} events/s in batches of {} for {} s",
        load.subscribers,
        load.rate,
        load.batch(),
        load.seconds
    );
    println!();
    print!("| |");
    for r in rows {
        print!(" {} |", r.kind.as_str());
    }
    println!();
    print!("|---|");
    for _ in rows {
        print!("---:|");
    }
    println!();
    let line = |label: &str, f: &dyn Fn(&Row) -> String| {
        print!("| {label} |");
        for r in rows {
            print!(" {} |", f(r));
        }
        println!();
    };
    let p = |p: &Percentiles| format!("{:.1} / {:.1} / {:.1} / {:.1}", p.p50, p.p95, p.p99, p.max);
    line("events sent (achieved rate)", &|r| {
        format!("{} ({:.0}/s)", r.sent, r.sent as f64 / r.seconds)
    });
    line("send → client, ms (p50 / p95 / p99 / max)", &|r| {
        p(&r.send)
    });
    line(
        "commit (ack) → client, ms (p50 / p95 / p99 / max)",
        &|r| p(&r.ack),
    );
    line("POST round trip p99, ms", &|r| format!("{:.1}", r.post_p99));
    line("conversation deltas delivered / expected", &|r| {
        format!("{} / {}", r.delivered, r.expected)
    });
    line("lost", &|r| r.lost.to_string());
    line("resyncs", &|r| r.resyncs.to_string());
    line("other deltas delivered (agent, kpis, alert)", &|r| {
        r.other.to_string()
    });
    line("server CPU, cores (of 2)", &|r| {
        format!("{:.2}", r.server_cpu)
    });
    line("bench clients' CPU, cores", &|r| {
        format!("{:.2}", r.client_cpu)
    });
}
