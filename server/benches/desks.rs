//! Event → agent screen: agents on My dashboard and supervisors on the Ongoing grid connected at
//! once while conversations are offered to the agents, on SQLite and on PostgreSQL side by side
//! in one run.
//!
//! `cargo bench -p server --bench desks` (in `make bench`); `BENCH_AGENTS` (default 500),
//! `BENCH_SUPERVISORS` (default 50), `BENCH_RATE` (offers per second, default 20),
//! `BENCH_SECONDS` (default 20) and `BENCH_CLOSED` (conversations closed earlier today, default
//! 20,000: a busy day's worth, which "Closed today" reads) set the load, `INTRADAY_TEST_PG` the
//! PostgreSQL server.
//!
//! Each agent does what the page does: it listens to `GET /api/v1/stream/my` and on `changed`
//! asks `POST /api/my_work` again (at once when its last ask is 250 ms old, else when it is),
//! as the browser's refresher does. Each supervisor holds `GET /api/v1/stream` open. The figure
//! is the time from the acknowledgement of the batch that offers a conversation to the moment
//! its agent's `my_work` answer first lists the offer: what the agent's screen shows, less the
//! browser's drawing (measured for the other tabs by `make bench-ui`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
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
use tokio::sync::{mpsc, watch};

#[path = "fanout/client.rs"]
mod client;
#[path = "support/db.rs"]
mod support;
use client::{dechunk, find, micros, subscribe};
use support::{database, pg_url};

const QUEUES: usize = 10;
/// The browser's least gap between two refreshes (ms), as `live_feed.rs` has it.
const REFRESH_GAP: Duration = Duration::from_millis(250);

#[derive(Clone, Copy)]
struct Load {
    agents: usize,
    supervisors: usize,
    rate: usize,
    seconds: u64,
    closed: usize,
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
            agents: var("BENCH_AGENTS", 500).max(1),
            supervisors: var("BENCH_SUPERVISORS", 50),
            rate: var("BENCH_RATE", 20).max(1),
            seconds: var("BENCH_SECONDS", 20) as u64,
            closed: var("BENCH_CLOSED", 20_000),
        }
    }
}

/// A started server: its address, an ingest token, a read token and the agents' session
/// cookies.
struct Started {
    host: String,
    ingest: String,
    read: String,
    cookies: Vec<String>,
}

fn start_server(
    kind: DbKind,
    url: String,
    agents: usize,
    runtime: &tokio::runtime::Runtime,
) -> Started {
    let (tx, rx) = std::sync::mpsc::channel();
    runtime.spawn(async move {
        let db = db::connect_and_migrate(&url).await.expect("migrate");
        let conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
            .expect("Leptos.toml");
        let config = Config {
            ingest_rate_per_second: 0,
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
        let read = tokens::generate().expect("random");
        tokens::insert(&db, "bench-read", &read, &[Scope::Read], None)
            .await
            .expect("token");
        // Portal-style sessions (no stored user, so no password hashing for 500 people).
        let mut cookies = Vec::with_capacity(agents);
        for a in 0..agents {
            let viewer = app::auth::Viewer {
                user_id: None,
                login: format!("agent{a}"),
                role: app::auth::Role::Agent,
                queues: Vec::new(),
                agent_id: Some(format!("a{a}")),
                locale: None,
                embedded: false,
            };
            let token =
                server::store::sessions::start(&db, &viewer, server::store::now_ms() + 3_600_000)
                    .await
                    .expect("session");
            cookies.push(format!("{}={token}", server::auth::session::COOKIE));
        }
        tx.send(Started {
            host,
            ingest,
            read,
            cookies,
        })
        .expect("send");
        axum::serve(listener.tap_io(server::cli::serve::no_delay), router(state)).await
    });
    rx.recv().expect("server start")
}

/// The agents (each in one queue, room for everything) and their queues.
fn reference(agents: usize) -> Vec<Value> {
    let at = Utc::now().to_rfc3339();
    let queues = (0..QUEUES).map(|q| {
        json!({"id": format!("q{q}"), "type": "queue.upserted", "at": at, "queue_id": format!("q{q}"), "name": format!("Queue {q}"), "channels": ["chat"]})
    });
    let people = (0..agents).flat_map(|a| {
        [
            json!({"id": format!("a{a}-up"), "type": "agent.upserted", "at": at, "agent_id": format!("a{a}"), "name": format!("Agent {a}"), "queues": [format!("q{}", a % QUEUES)], "capacity": 1000}),
            json!({"id": format!("a{a}-in"), "type": "agent.presence", "at": at, "agent_id": format!("a{a}"), "presence": "available"}),
        ]
    });
    queues.chain(people).collect()
}

/// One HTTP/1.1 request on a new connection; the status and body.
async fn request(host: &str, head: &str, body: &[u8]) -> (u16, String) {
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

async fn post_events(host: &str, token: &str, body: &[u8]) -> (u16, String) {
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    request(host, &head, body).await
}

/// The agent's `my_work`: the ids of the offers it lists.
async fn my_offers(host: &str, cookie: &str) -> Vec<String> {
    let head = format!(
        "POST /api/my_work HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, body) = request(host, &head, b"").await;
    assert_eq!(status, 200, "{body}");
    let work: Value = serde_json::from_str(&body).expect("my_work");
    work["mine"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter(|r| r["awaiting_acceptance"] == true)
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// One agent's screen: on each `changed` of its feed it asks for its work (the browser's
/// refresher's pace) and records when each offer first shows.
async fn agent_screen(
    host: String,
    cookie: String,
    began: Instant,
    ready: mpsc::Sender<()>,
    mut stop: watch::Receiver<bool>,
) -> HashMap<String, u32> {
    let mut socket = TcpStream::connect(&host)
        .await
        .expect("connect (raise `ulimit -n`)");
    let head = format!(
        "GET /api/v1/stream/my HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut shown: HashMap<String, u32> = HashMap::new();
    let (mut raw, mut text) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 16 * 1024];
    let mut in_body = false;
    let mut ready = Some(ready);
    let mut last_fetch: Option<Instant> = None;
    let mut dirty = false;
    loop {
        let wait = match (dirty, last_fetch) {
            (true, Some(t)) => REFRESH_GAP.saturating_sub(t.elapsed()),
            (true, None) => Duration::ZERO,
            _ => Duration::from_secs(3600),
        };
        tokio::select! {
            biased;
            _ = stop.changed() => return shown,
            () = tokio::time::sleep(wait), if dirty => {
                dirty = false;
                last_fetch = Some(Instant::now());
                let offers = my_offers(&host, &cookie).await;
                let now = micros(began);
                for id in offers {
                    shown.entry(id).or_insert(now);
                }
            }
            n = socket.read(&mut buf) => {
                let n = n.unwrap_or(0);
                if n == 0 {
                    return shown;
                }
                raw.extend_from_slice(&buf[..n]);
                if !in_body {
                    let Some(end) = find(&raw, b"\r\n\r\n") else { continue };
                    assert!(raw.starts_with(b"HTTP/1.1 200"), "feed refused");
                    raw.drain(..end + 4);
                    in_body = true;
                }
                dechunk(&mut raw, &mut text);
                if find(&text, b"event: changed").is_some() {
                    dirty = true;
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(()).await;
                    }
                }
                if let Some(end) = text.iter().rposition(|&b| b == b'\n') {
                    text.drain(..=end);
                }
            }
        }
    }
}

struct Row {
    kind: DbKind,
    offers: usize,
    shown: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

fn percentile(v: &[i64], q: f64) -> f64 {
    v.get(((v.len() as f64 * q).ceil() as usize).saturating_sub(1))
        .map_or(f64::NAN, |&us| us as f64 / 1000.0)
}

async fn run(kind: DbKind, load: Load, s: Started) -> Row {
    let began = Instant::now();
    let (status, reply) = post_events(
        &s.host,
        &s.ingest,
        &serde_json::to_vec(&reference(load.agents)).expect("json"),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    // The day so far: conversations each agent handled and closed.
    let earlier = (Utc::now() - chrono::TimeDelta::minutes(30)).to_rfc3339();
    for chunk in (0..load.closed).collect::<Vec<_>>().chunks(1_000) {
        let events: Vec<Value> = chunk
            .iter()
            .flat_map(|&n| {
                let (id, agent) = (format!("e{n}"), n % load.agents);
                [
                    json!({"id": format!("{id}-c"), "type": "conversation.created", "at": earlier, "conversation_id": id, "queue_id": format!("q{}", agent % QUEUES), "channel": "chat", "customer": {"id": format!("k{n}"), "name": "Earlier"}}),
                    json!({"id": format!("{id}-o"), "type": "conversation.offered", "at": earlier, "conversation_id": id, "agent_id": format!("a{agent}"), "by": "routing"}),
                    json!({"id": format!("{id}-a"), "type": "conversation.accepted", "at": earlier, "conversation_id": id, "agent_id": format!("a{agent}")}),
                    json!({"id": format!("{id}-x"), "type": "conversation.closed", "at": earlier, "conversation_id": id, "reason": "resolved"}),
                ]
            })
            .collect();
        let (status, reply) = post_events(
            &s.host,
            &s.ingest,
            &serde_json::to_vec(&events).expect("json"),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
    }
    let (stop_tx, stop) = watch::channel(false);
    let (ready_tx, mut ready) = mpsc::channel(load.agents + load.supervisors + 1);
    let mut supervisors = Vec::new();
    for _ in 0..load.supervisors {
        let (tx, mut rx) = mpsc::channel(1);
        supervisors.push(tokio::spawn(subscribe(
            s.host.clone(),
            s.read.clone(),
            began,
            tx,
            stop.clone(),
            Arc::new(AtomicU64::new(0)),
        )));
        rx.recv().await.expect("supervisor snapshot");
    }
    let mut agents = Vec::new();
    for cookie in &s.cookies {
        agents.push(tokio::spawn(agent_screen(
            s.host.clone(),
            cookie.clone(),
            began,
            ready_tx.clone(),
            stop.clone(),
        )));
    }
    for _ in 0..load.agents {
        ready.recv().await.expect("agent ready");
    }
    println!(
        "{:<10} {} closed earlier; {} agents and {} supervisors connected in {:.1} s; offering {} conversations/s for {} s",
        kind.as_str(),
        load.closed,
        load.agents,
        load.supervisors,
        began.elapsed().as_secs_f64(),
        load.rate,
        load.seconds
    );
    // Ten batches a second; each offers `rate / 10` new conversations (created and offered
    // together) and closes those offered two seconds before, so the work in flight stays level.
    let per_batch = (load.rate / 10).max(1);
    let mut acked: HashMap<String, u32> = HashMap::new();
    let mut offered: Vec<(String, usize)> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let batches = load.seconds as usize * 10;
    for b in 0..batches {
        tick.tick().await;
        let at = Utc::now().to_rfc3339();
        let mut events = Vec::new();
        let mut new = Vec::new();
        for k in 0..per_batch {
            let n = b * per_batch + k;
            let agent = (n * 7919) % load.agents;
            let id = format!("d{n}");
            events.push(json!({"id": format!("{id}-c"), "type": "conversation.created", "at": at, "conversation_id": id, "queue_id": format!("q{}", agent % QUEUES), "channel": "chat", "customer": {"id": format!("k{n}"), "name": "Customer"}}));
            events.push(json!({"id": format!("{id}-o"), "type": "conversation.offered", "at": at, "conversation_id": id, "agent_id": format!("a{agent}"), "by": "routing"}));
            new.push((id, agent));
        }
        if b >= 20 {
            for (id, _) in &offered[(b - 20) * per_batch..(b - 19) * per_batch] {
                events.push(json!({"id": format!("{id}-x"), "type": "conversation.closed", "at": at, "conversation_id": id, "reason": "abandoned"}));
            }
        }
        let (status, reply) = post_events(
            &s.host,
            &s.ingest,
            &serde_json::to_vec(&events).expect("json"),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        let ack = micros(began);
        for (id, _) in &new {
            acked.insert(id.clone(), ack);
        }
        offered.extend(new);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_tx.send_replace(true);
    let mut latencies = Vec::new();
    let mut shown = 0;
    for (a, task) in agents.into_iter().enumerate() {
        let seen = task.await.expect("agent");
        for (id, agent) in &offered {
            if *agent != a {
                continue;
            }
            if let (Some(at), Some(ack)) = (seen.get(id), acked.get(id)) {
                shown += 1;
                latencies.push(i64::from(*at) - i64::from(*ack));
            }
        }
    }
    for task in supervisors {
        let _ = task.await;
    }
    latencies.sort_unstable();
    Row {
        kind,
        offers: offered.len(),
        shown,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
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
    let mut kinds = vec![DbKind::Sqlite];
    if pg {
        kinds.push(DbKind::Postgres);
    } else {
        println!("PostgreSQL not reachable at {}: SQLite only", pg_url());
    }
    let mut rows = Vec::new();
    for kind in kinds {
        let servers = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("intraday-server")
            .enable_all()
            .build()
            .expect("runtime");
        let url = clients.block_on(database(kind, "desks"));
        let started = start_server(kind, url, load.agents, &servers);
        rows.push(clients.block_on(run(kind, load, started)));
        servers.shutdown_background();
    }
    println!();
    println!("| backend | offers | shown | ack → agent's screen p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
            r.kind.as_str(),
            r.offers,
            r.shown,
            r.p50,
            r.p99,
            r.max
        );
    }
}
