//! Database faults (RELIABILITY.md): PostgreSQL stopped and started again under load. While it
//! is down, ingest answers 503 with `Retry-After` (never a 500, never a request held past the
//! pool's timeout); when it is back, ingest works again without restarting Intraday, every
//! acknowledged batch is stored exactly once and no batch is stored in part, the live state
//! equals a clean replay of the log and a replica on the same log catches up by itself.
//!
//! The database is a private cluster (`initdb`, `pg_ctl` as the `postgres` user) on a port of
//! its own, so stopping it disturbs no other test.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use server::config::Config;
use server::db::DbKind;

use crate::helpers::{free_port, header, request_with, spawn_app_on};

/// A PostgreSQL cluster of this test's own.
struct PrivatePg {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl PrivatePg {
    fn start_new() -> PrivatePg {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries under /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .find(|p| p.join("initdb").exists())
            .expect("initdb");
        let dir = std::env::temp_dir().join(format!("intraday-faults-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let pg = PrivatePg {
            dir,
            bin,
            port: free_port(),
        };
        let chown = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&pg.dir)
            .status()
            .expect("chown");
        assert!(
            chown.success(),
            "the cluster's directory must belong to postgres"
        );
        let data = pg.dir.join("data").display().to_string();
        let initdb = pg.bin.join("initdb").display().to_string();
        let args = [&initdb, "-D", &data, "-A", "trust", "-U", "postgres"];
        assert!(pg.as_postgres(&args), "{args:?}");
        pg.start();
        pg
    }

    /// Runs a command as the `postgres` user (PostgreSQL refuses to run as root); whether it
    /// succeeded.
    fn as_postgres(&self, args: &[&str]) -> bool {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", &args.join(" ")])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `pg_ctl start|stop`, waiting for it, stopping in `mode` (`fast`, `immediate`).
    fn pg_ctl(&self, what: &str, mode: &str) -> bool {
        let data = self.dir.join("data").display().to_string();
        let options = format!("'-p {} -k {}'", self.port, self.dir.display());
        let log = self.dir.join("log").display().to_string();
        self.as_postgres(&[
            &self.bin.join("pg_ctl").display().to_string(),
            "-D",
            &data,
            "-o",
            &options,
            "-l",
            &log,
            "-w",
            "-m",
            mode,
            what,
        ])
    }

    fn start(&self) {
        assert!(self.pg_ctl("start", "fast"), "pg_ctl start");
    }

    fn stop(&self) {
        assert!(self.pg_ctl("stop", "fast"), "pg_ctl stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        self.pg_ctl("stop", "immediate");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One batch sent: its number, the answer's status and `Retry-After`, how long it took.
struct Sent {
    n: usize,
    status: u16,
    retry_after: Option<String>,
    took: Duration,
}

/// A batch of two events of a new conversation: created, and a customer's message.
fn batch(n: usize) -> String {
    let t = chrono::Utc::now().to_rfc3339();
    serde_json::json!([
        {"id": format!("f{n}-c"), "type": "conversation.created", "at": t, "conversation_id": format!("f{n}"), "queue_id": "q1", "channel": "chat", "customer": {"id": format!("k{n}"), "name": "Customer"}},
        {"id": format!("f{n}-m"), "type": "conversation.message", "at": t, "conversation_id": format!("f{n}"), "from": "customer", "text": "hello"},
    ])
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_and_started_under_load_loses_nothing_acknowledged() {
    let pg = PrivatePg::start_new();
    let app = spawn_app_on(
        DbKind::Postgres,
        pg.url(),
        Config {
            ingest_rate_per_second: 0,
            ..Config::default()
        },
    )
    .await;
    // A second server on the same log: a replica that only follows it.
    let replica = spawn_app_on(DbKind::Postgres, pg.url(), Config::default()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (base, token, stop) = (app.base.clone(), app.token.clone(), stop.clone());
        tokio::spawn(async move {
            let bearer = format!("Bearer {token}");
            let mut sent = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = batch(n);
                let began = Instant::now();
                let (status, head, _) = request_with(
                    &base,
                    "POST",
                    "/api/v1/events",
                    &[
                        ("Authorization", &bearer),
                        ("Content-Type", "application/json"),
                    ],
                    body.as_bytes(),
                )
                .await;
                sent.push(Sent {
                    n,
                    status,
                    retry_after: header(&head, "retry-after").map(str::to_owned),
                    took: began.elapsed(),
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            sent
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Down for longer than the pool waits for a connection (10 s): a request that began
    // while it was down is answered 503 then; one that began near its return is served.
    pg.stop();
    tokio::time::sleep(Duration::from_secs(12)).await;
    pg.start();
    // Back by itself: a batch is acknowledged again within the pool's timeout and a bit.
    let back = Instant::now();
    let mut recovered = false;
    while back.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (status, _) = crate::helpers::post_events(
            &app.base,
            &app.token,
            batch(1_000_000 + back.elapsed().as_millis() as usize).as_bytes(),
        )
        .await;
        if status == 200 {
            recovered = true;
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let sent = writer.await.expect("writer");
    assert!(recovered, "ingest did not come back after the database did");

    let story: Vec<String> = sent
        .iter()
        .map(|s| format!("{}:{}:{}ms", s.n, s.status, s.took.as_millis()))
        .collect();
    let story = story.join(" ");
    let refused: Vec<&Sent> = sent.iter().filter(|s| s.status != 200).collect();
    assert!(
        !refused.is_empty(),
        "no batch was refused while the database was down: {story}"
    );
    for s in &refused {
        assert_eq!(s.status, 503, "batch {} while the database was down", s.n);
        assert!(
            s.retry_after.is_some(),
            "batch {}: 503 without Retry-After",
            s.n
        );
    }
    let slowest = sent.iter().map(|s| s.took).max().unwrap_or_default();
    assert!(
        slowest < Duration::from_secs(15),
        "a request was held {slowest:?}, past the pool's 10 s timeout: {story}"
    );
    assert!(
        sent.iter().rev().take(5).all(|s| s.status == 200),
        "the last batches were not all acknowledged"
    );

    // Every acknowledged batch stored once, whole; a refused one whole or not at all.
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT event_id FROM events WHERE event_id LIKE 'f%'".to_owned(),
        ))
        .await
        .expect("read the log");
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "event_id").expect("id"))
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an event stored twice");
    for s in &sent {
        let created = unique.contains(&format!("f{}-c", s.n));
        let message = unique.contains(&format!("f{}-m", s.n));
        assert_eq!(created, message, "batch {} stored in part", s.n);
        if s.status == 200 {
            assert!(created, "acknowledged batch {} is not in the log", s.n);
        }
    }

    // The live state took back every refused batch: it equals a clean replay of the log, and
    // the replica caught up with it by itself.
    let log = server::store::events::max_seq(&app.db)
        .await
        .expect("max seq");
    let deadline = Instant::now() + Duration::from_secs(30);
    while replica.ingestor.applied_seq() < log {
        assert!(
            Instant::now() < deadline,
            "the replica never caught up with {log}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fresh = spawn_app_on(DbKind::Postgres, pg.url(), Config::default()).await;
    crate::helpers::assert_same(
        &app.ingestor,
        &fresh.ingestor,
        "the server after the outage",
    )
    .await;
    crate::helpers::assert_same(
        &replica.ingestor,
        &fresh.ingestor,
        "the replica after the outage",
    )
    .await;
}
