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

/// Posts 100-event batches back to back until a request fails; returns the acknowledged ones.
fn spawn_poster(base: String, token: String) -> tokio::task::JoinHandle<Vec<usize>> {
    tokio::spawn(async move {
        let mut acked = Vec::new();
        for n in 0.. {
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

each_backend! {
    async fn acknowledged_events_survive_kill_9(kind) {
        let url = fresh_database(kind).await;
        let token = create_token_cli(&url, "crash-test", &[]);
        let port = free_port();
        let mut child = start_server(&url, port).await;
        let base = format!("http://127.0.0.1:{port}");

        // Post batches back to back from another task and kill the server while they fly.
        let poster = spawn_poster(base.clone(), token.clone());
        tokio::time::sleep(Duration::from_millis(700)).await;
        child.kill().expect("kill -9");
        let _ = child.wait();
        let acked = poster.await.expect("poster");
        assert!(
            acked.len() >= 2,
            "{kind:?}: too few batches acknowledged before the kill"
        );

        let mut child = start_server(&url, port).await;
        let db = server::db::connect(&url).await.expect("db");
        let stored = stored_ids(&db).await;
        for n in &acked {
            for i in 0..100 {
                assert!(
                    stored.contains(&format!("b{n}-{i}")),
                    "{kind:?}: acked event b{n}-{i} lost"
                );
            }
        }
        // All or nothing: a batch is either wholly stored or absent.
        assert_eq!(
            stored.len() % 100,
            0,
            "{kind:?}: a partial batch was stored"
        );
        // The restarted server rebuilt its ledger from the log and refuses nothing it had.
        let (status, reply) = post_events(&base, &token, batch(acked[0]).as_bytes()).await;
        assert_eq!(status, 200, "{reply}");
        assert!(reply.contains("\"duplicates\":100"), "{reply}");
        child.kill().expect("kill");
        let _ = child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_finishes_in_flight_batches_and_loses_no_acked_event() {
    let url = fresh_database(DbKind::Sqlite).await;
    let token = create_token_cli(&url, "sigterm-test", &[]);
    let port = free_port();
    let mut child = start_server(&url, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let poster = spawn_poster(base.clone(), token.clone());
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
