//! A server's start with a simulated day in its SQLite log: what `intraday serve` does before
//! it answers, timed, with the process's RSS after —
//! - cold, from the log alone: read the log page by page, parse each stored event, rebuild the
//!   ledger and the KPI engine (`Ingestor::open`);
//! - then writing the snapshot of that state (`Snapshots::write`, as the server does after
//!   start-up, every few minutes and at shutdown);
//! - then, in a new process (so its RSS is its own), a start from that snapshot
//!   (`Ingestor::open_with`; the log holds nothing after it).
//!
//! `cargo bench -p server --bench startup`; `BENCH_CONVERSATIONS` sets the day's size (default
//! 1,000,000, the kpis bench's day). Writing the log first takes a few minutes at 1 M and is
//! not what is measured; the database file is left in `target/startup_bench/`, and
//! `BENCH_REUSE=1` starts from it again when it holds a day of that size.

extern crate server;

use std::sync::Arc;
use std::time::Instant;

use app::model::event::EventBody as B;
use chrono::Utc;
use serde_json::{Value, json};
use server::ingest::Ingestor;
use server::live::snapshot::Snapshots;
use server::store::events::{self, NewEvent};

#[path = "kpis/day.rs"]
#[allow(dead_code, reason = "the SQL rows of the day are the kpis bench's")]
mod day;

use day::Raw;

/// Events per transaction while writing the log.
const WRITE_BATCH: usize = 50_000;

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The event as a sender would post it, and the row the ingest path would store for it.
fn posted(r: &Raw) -> (NewEvent, Value) {
    let e = day::event(r);
    let fields = match &e.body {
        B::QueueUpserted(q) => json!({"queue_id": q.queue_id, "name": q.name,
            "channels": q.channels, "service_level_seconds": q.service_level_seconds}),
        B::AgentUpserted(a) => json!({"agent_id": a.agent_id, "name": a.name, "queues": a.queues,
            "skills": a.skills, "capacity": a.capacity}),
        B::AgentPresence(p) => json!({"agent_id": p.agent_id, "presence": p.presence}),
        B::ConversationCreated(c) => json!({"conversation_id": c.conversation_id,
            "queue_id": c.queue_id, "channel": c.channel,
            "customer": {"id": c.customer.id, "name": c.customer.name}}),
        B::ConversationOffered(o) => json!({"conversation_id": o.conversation_id,
            "agent_id": o.agent_id, "by": o.by}),
        B::ConversationAccepted(a) => json!({"conversation_id": a.conversation_id,
            "agent_id": a.agent_id}),
        B::ConversationRejected(x) => json!({"conversation_id": x.conversation_id,
            "agent_id": x.agent_id, "reason": x.reason}),
        B::ConversationTransferred(t) => json!({"conversation_id": t.conversation_id,
            "from_agent_id": t.from_agent_id, "to_agent_id": t.to_agent_id,
            "to_queue_id": t.to_queue_id, "by": t.by}),
        B::ConversationMessage(m) => json!({"conversation_id": m.conversation_id,
            "from": m.from, "text": m.text, "sentiment": m.sentiment}),
        B::ConversationEnded(x) => json!({"conversation_id": x.conversation_id}),
        B::ConversationClosed(x) => json!({"conversation_id": x.conversation_id,
            "reason": x.reason}),
        _ => panic!("the simulated day has no {}", e.type_name()),
    };
    let mut v = json!({"id": e.id, "type": e.type_name(), "at": e.at.to_rfc3339()});
    if let (Some(v), Value::Object(f)) = (v.as_object_mut(), fields) {
        // Absent optional fields are left out, as a sender would.
        v.extend(f.into_iter().filter(|(_, x)| !x.is_null()));
    }
    let row = NewEvent::of(&e, &v);
    (row, v)
}

/// Writes the day's log as the ingest path stores it, checking that every payload parses back
/// to the same event.
async fn write_log(raws: &[Raw], path: &std::path::Path, url: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let db = server::db::connect_and_migrate(url)
        .await
        .expect("database");
    let began = Instant::now();
    for chunk in raws.chunks(WRITE_BATCH) {
        let rows: Vec<NewEvent> = chunk
            .iter()
            .map(|r| {
                let (row, v) = posted(r);
                let parsed = app::model::event::parse_event(&v).expect("a valid event");
                assert_eq!(
                    parsed,
                    day::event(r),
                    "the payload says what the event does"
                );
                row
            })
            .collect();
        let txn = sea_orm::TransactionTrait::begin(&db).await.expect("begin");
        events::append(&txn, &rows).await.expect("append");
        txn.commit().await.expect("commit");
    }
    println!(
        "log written: {} events in {:.1} s ({})",
        raws.len(),
        began.elapsed().as_secs_f64(),
        path.display()
    );
}

/// The start from a snapshot, in the child process the parent runs (`BENCH_RESTORE=SNAPSHOT`).
async fn restore(url: &str, snapshot: &std::path::Path) {
    let rss_before = rss_mb();
    let began = Instant::now();
    let db = server::db::connect(url).await.expect("database");
    let ingestor = Ingestor::open_with(db, Vec::new(), Some(snapshot))
        .await
        .expect("restore");
    let elapsed = began.elapsed().as_secs_f64();
    let rss_after = rss_mb();
    assert!(ingestor.restored_seq() > 0, "the snapshot was read");
    let conversations = ingestor.live().read(|e| e.len());
    println!(
        "start from the snapshot: {elapsed:.2} s; {conversations} conversations held; RSS \
         {rss_after:.0} MB after ({rss_before:.0} MB before)"
    );
}

#[tokio::main]
async fn main() {
    if let Ok(snapshot) = std::env::var("BENCH_RESTORE") {
        let url = std::env::var("BENCH_URL").expect("BENCH_URL");
        restore(&url, std::path::Path::new(&snapshot)).await;
        return;
    }
    let n = env("BENCH_CONVERSATIONS", 1_000_000);
    let now = Utc::now().timestamp_millis();
    let sim = day::generate(n, now);
    let total = sim.raws.len();
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into())
        .join("startup_bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join("day.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // `BENCH_REUSE=1` starts from the log a previous run wrote, when it holds this day's count.
    let reuse = std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1") && path.exists() && {
        let db = server::db::connect(&url).await.expect("database");
        events::count(&db).await.ok() == Some(total as u64)
    };
    if reuse {
        println!("log reused: {total} events ({})", path.display());
    } else {
        write_log(&sim.raws, &path, &url).await;
    }
    drop(sim);

    // The start: a new connection, then what `AppState::build` does before serving.
    let rss_before = rss_mb();
    let began = Instant::now();
    let db = server::db::connect(&url).await.expect("database");
    let ingestor = Ingestor::open(db).await.expect("rebuild");
    let elapsed = began.elapsed().as_secs_f64();
    let rss_after = rss_mb();
    let conversations = ingestor.live().read(|e| e.len());
    println!(
        "cold start: {total} events read, parsed and applied to the ledger and the engine in \
         {elapsed:.2} s ({:.0} events/s); {conversations} conversations held",
        total as f64 / elapsed
    );
    println!(
        "RSS: {rss_after:.0} MB after ({rss_before:.0} MB before the rebuild, {:.0} MB for it)",
        rss_after - rss_before
    );

    let snapshot = dir.join("day.db.snapshot");
    let snapshots = Snapshots::new(Arc::new(ingestor), snapshot.clone());
    let began = Instant::now();
    let written = snapshots.write().await.expect("a snapshot");
    println!(
        "snapshot written in {:.2} s, ingest waiting {:.2} s of it: {:.0} MB ({})",
        began.elapsed().as_secs_f64(),
        written.ingest_waited.as_secs_f64(),
        written.bytes as f64 / 1e6,
        snapshot.display()
    );
    drop(snapshots);
    let status = std::process::Command::new(std::env::current_exe().expect("this bench"))
        .env("BENCH_RESTORE", &snapshot)
        .env("BENCH_URL", &url)
        .status()
        .expect("run the restore");
    assert!(status.success(), "the restore failed: {status:?}");
    println!("goals: start ≤ 5 s, RSS ≤ 300 MB");
}
