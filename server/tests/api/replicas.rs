//! Real `intraday serve` processes: two replicas on one PostgreSQL database stay in step, and
//! SIGTERM ends every live stream with a `shutdown` event.

use std::process::Child;
use std::time::Duration;

use serde_json::Value;
use server::db::DbKind;

use crate::helpers::{create_token_cli, free_port, fresh_database, post_events, start_server};
use crate::sse::{SseClient, WAIT, connect};
use crate::stream::{created, metric, offered_and_accepted};

async fn post(base: &str, token: &str, events: &[Value]) {
    let body = Value::Array(events.to_vec()).to_string();
    let (status, reply) = post_events(base, token, body.as_bytes()).await;
    assert_eq!(status, 200, "{reply}");
}

async fn open(base: &str, token: &str) -> (SseClient, Value) {
    let mut client = connect(base, "/api/v1/stream", Some(token), None).await;
    assert_eq!(client.status, 200, "{}", client.head);
    let snapshot = client.next_data().await.expect("snapshot");
    assert_eq!(snapshot.event, "snapshot");
    (client, snapshot.json())
}

async fn max_seq(url: &str) -> i64 {
    let db = server::db::connect(url).await.expect("connect");
    server::store::events::max_seq(&db).await.expect("max seq")
}

/// Waits until a server applied the log up to `seq`.
async fn applied(base: &str, seq: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while metric(base, "intraday_log_applied_seq").await < seq as f64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{base} never applied {seq}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_log_stay_in_step() {
    let url = fresh_database(DbKind::Postgres).await;
    let token = create_token_cli(&url, "replicas", &[]);
    let (port_a, port_b) = (free_port(), free_port());
    let a = start_server(&url, port_a).await;
    let b = start_server(&url, port_b).await;
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );

    // An event ingested through A reaches B's stream, with the same id, and B's state.
    let (mut stream_b, _) = open(&base_b, &token).await;
    post(&base_a, &token, &[created("via-a", "q1")]).await;
    let seq = max_seq(&url).await;
    let delta = stream_b.next_data().await.expect("delta on B");
    assert_eq!(delta.id, Some(seq.to_string()));
    assert_eq!(delta.json()["conversation"]["id"], "via-a");

    // Concurrent batches through both: each replica applies the log in its one order.
    let side = |base: String, name: &'static str| {
        let token = token.clone();
        async move {
            for n in 0..15 {
                let id = format!("{name}{n}");
                post(&base, &token, &[created(&id, "q1")]).await;
                if n % 2 == 0 {
                    post(
                        &base,
                        &token,
                        &offered_and_accepted(&id, &format!("agent-{name}")),
                    )
                    .await;
                }
            }
        }
    };
    tokio::join!(side(base_a.clone(), "a"), side(base_b.clone(), "b"));
    let last = max_seq(&url).await;
    applied(&base_a, last).await;
    applied(&base_b, last).await;
    let (_, snapshot_a) = open(&base_a, &token).await;
    let (_, snapshot_b) = open(&base_b, &token).await;
    assert_eq!(snapshot_a["seq"].as_i64(), Some(last));
    assert_eq!(
        snapshot_a["conversations"].as_array().map(Vec::len),
        Some(31)
    );
    assert_eq!(snapshot_a, snapshot_b);

    // B's earlier stream saw every delta up to the end, in id order.
    let events = stream_b.until_id(last).await;
    let ids: Vec<i64> = events
        .iter()
        .filter_map(|e| e.id.as_deref()?.parse().ok())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    stop(a);
    stop(b);
}

each_backend! {
    async fn sigterm_ends_streams_with_a_shutdown_event_and_exits(kind) {
        let url = fresh_database(kind).await;
        let token = create_token_cli(&url, "shutdown", &[]);
        let port = free_port();
        let mut child = start_server(&url, port).await;
        let base = format!("http://127.0.0.1:{port}");
        let (mut client, _) = open(&base, &token).await;

        crate::helpers::sigterm(&child);
        let last = client.next_data().await.expect("a final event");
        assert_eq!(
            (last.event.as_str(), last.retry),
            ("shutdown", Some(1000)),
            "{kind:?}"
        );
        assert!(
            client.next().await.is_none(),
            "{kind:?}: the stream goes on"
        );

        let deadline = std::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{kind:?}: still running"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(status.success(), "{kind:?}: {status}");
    }
}
