//! Acknowledged events survive `kill -9` of the server, on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use server::db::DbKind;

use crate::helpers::{create_token_cli, free_port, fresh_database, post_events, start_server};

fn batch(n: usize) -> String {
    let at = Utc::now().to_rfc3339();
    let events: Vec<_> = (0..100)
        .map(|i| json!({"id": format!("b{n}-{i}"), "type": "agent.presence", "at": at, "agent_id": format!("a{i}"), "presence": "available"}))
        .collect();
    serde_json::Value::Array(events).to_string()
}

/// Posts 100-event batches numbered from `first` back to back until a request fails; returns
/// the acknowledged ones.
fn spawn_poster(base: String, token: String, first: usize) -> tokio::task::JoinHandle<Vec<usize>> {
    tokio::spawn(async move {
        let mut acked = Vec::new();
        for n in first.. {
            let (base, token, body) = (base.clone(), token.clone(), batch(n));
            // `request` panics when the server dies mid-request; the task boundary catches it.
            let fut = async move { post_events(&base, &token, body.as_bytes()).await };
            match tokio::spawn(fut).await {
                Ok((200, _)) => acked.push(n),
                _ => break,
            }
        }
        acked
    })
}

async fn stored_ids(db: &sea_orm::DatabaseConnection) -> HashSet<String> {
    server::store::events::read_after(db, 0, 1_000_000)
        .await
        .expect("read")
        .into_iter()
        .map(|e| e.event_id)
        .collect()
}

/// Kill trials per backend: `INTRADAY_FAULT_TRIALS` (`make faults` sets 50), else 2.
fn trials() -> usize {
    std::env::var("INTRADAY_FAULT_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

each_backend! {
    async fn acknowledged_events_survive_kill_9(kind) {
        let url = fresh_database(kind).await;
        let token = create_token_cli(&url, "crash-test", &[]);
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let db = server::db::connect(&url).await.expect("db");
        let mut all_acked = Vec::new();
        // Each trial starts from what the last one left (on SQLite, the snapshot written
        // after start-up and the log's tail), posts from two clients and is killed at a
        // moment drawn from the trial's number.
        for trial in 0..trials() {
            let mut child = start_server(&url, port).await;
            let first = (trial + 1) * 1_000_000;
            let posters = [
                spawn_poster(base.clone(), token.clone(), first),
                spawn_poster(base.clone(), token.clone(), first + 500_000),
            ];
            let wait = 300 + (trial as u64 * 7_919) % 900;
            tokio::time::sleep(Duration::from_millis(wait)).await;
            child.kill().expect("kill -9");
            let _ = child.wait();
            let mut acked = Vec::new();
            for poster in posters {
                acked.extend(poster.await.expect("poster"));
            }
            let what = format!("{kind:?}, trial {trial} (killed after {wait} ms)");
            assert!(!acked.is_empty(), "{what}: nothing acknowledged before the kill");
            all_acked.extend(acked);

            let mut child = start_server(&url, port).await;
            let stored = stored_ids(&db).await;
            for n in &all_acked {
                for i in 0..100 {
                    assert!(stored.contains(&format!("b{n}-{i}")), "{what}: acked event b{n}-{i} lost");
                }
            }
            // Exactly once, and all or nothing: a batch is either wholly stored or absent.
            let rows = server::store::events::count(&db).await.expect("count");
            assert_eq!(rows, stored.len() as u64, "{what}: an event stored twice");
            assert_eq!(stored.len() % 100, 0, "{what}: a partial batch was stored");
            // The restarted server holds the whole log, and refuses nothing it had.
            let max = server::store::events::max_seq(&db).await.expect("max seq");
            assert_eq!(
                crate::stream::metric(&base, "intraday_log_applied_seq").await,
                max as f64,
                "{what}: the rebuilt state is behind the log"
            );
            let (status, reply) = post_events(&base, &token, batch(all_acked[0]).as_bytes()).await;
            assert_eq!(status, 200, "{reply}");
            assert!(reply.contains("\"duplicates\":100"), "{what}: {reply}");
            child.kill().expect("kill");
            let _ = child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_finishes_in_flight_batches_and_loses_no_acked_event() {
    let url = fresh_database(DbKind::Sqlite).await;
    let token = create_token_cli(&url, "sigterm-test", &[]);
    let port = free_port();
    let mut child = start_server(&url, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let poster = spawn_poster(base.clone(), token.clone(), 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    crate::helpers::sigterm(&child);
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "intraday serve should exit 0 on SIGTERM, got {status:?}"
    );
    let acked = poster.await.expect("poster");
    assert!(!acked.is_empty());

    let db = server::db::connect(&url).await.expect("db");
    let stored = stored_ids(&db).await;
    for n in &acked {
        assert!(
            (0..100).all(|i| stored.contains(&format!("b{n}-{i}"))),
            "acked batch {n} lost"
        );
    }
    assert_eq!(stored.len() % 100, 0, "a partial batch was stored");
}
