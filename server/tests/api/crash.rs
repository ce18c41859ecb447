//! Acknowledged events and actions survive `kill -9` of the server, on SQLite and PostgreSQL;
//! the outbox delivers every action as recorded after the restarts.

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

/// Force-closes conversations `x{trial}-{k}` one after another until a request fails; returns
/// the acknowledged ones.
fn spawn_actor(base: String, token: String, trial: usize) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut acked = Vec::new();
        for k in 0..ACTIONS_PER_TRIAL {
            let id = format!("x{trial}-{k}");
            let (base, token, path) = (
                base.clone(),
                token.clone(),
                format!("/api/v1/conversations/{id}/actions"),
            );
            let body = json!({"action": "force_close", "reason": "spam"}).to_string();
            let fut = async move {
                crate::helpers::request(
                    &base,
                    "POST",
                    &path,
                    Some(&token),
                    Some("application/json"),
                    body.as_bytes(),
                )
                .await
            };
            match tokio::spawn(fut).await {
                Ok((200, _)) => acked.push(id),
                _ => break,
            }
        }
        acked
    })
}

const ACTIONS_PER_TRIAL: usize = 400;

/// The conversations a trial's actor closes, open in queue `q` before the server starts.
fn conversations(trial: usize) -> String {
    let at = Utc::now().to_rfc3339();
    let events: Vec<_> = (0..ACTIONS_PER_TRIAL)
        .map(|k| {
            json!({"id": format!("x{trial}-{k}-c"), "type": "conversation.created", "at": at,
            "conversation_id": format!("x{trial}-{k}"), "queue_id": "q", "channel": "chat",
            "customer": {"id": "k", "name": "K"}})
        })
        .collect();
    serde_json::Value::Array(events).to_string()
}

/// A webhook receiver: each delivery's `X-Intraday-Delivery` and body.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(i64, String)>>>) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    type Got = std::sync::Arc<std::sync::Mutex<Vec<(i64, String)>>>;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(got): State<Got>, headers: HeaderMap, body: String| async move {
                    let id = headers
                        .get("x-intraday-delivery")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(-1);
                    got.lock().expect("got").push((id, body));
                    axum::http::StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(got.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
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
        let act = create_token_cli(&url, "crash-actor", &["--scope", "act"]);
        let db = server::db::connect(&url).await.expect("db");
        let (hook, received) = receiver().await;
        for (key, value) in [(app::model::admin::WEBHOOK_URL, hook.as_str()), (app::model::admin::WEBHOOK_SECRET, "crash-test-webhook-secret")] {
            server::store::settings::set(&db, key, &serde_json::to_string(value).expect("json")).await.expect("setting");
        }
        let mut all_acked = Vec::new();
        let mut all_closed: Vec<String> = Vec::new();
        // Each trial starts from what the last one left (on SQLite, the snapshot written
        // after start-up and the log's tail), posts from two clients and is killed at a
        // moment drawn from the trial's number.
        for trial in 0..trials() {
            let mut child = start_server(&url, port).await;
            let (status, reply) = post_events(&base, &token, conversations(trial).as_bytes()).await;
            assert_eq!(status, 200, "{reply}");
            let first = (trial + 1) * 1_000_000;
            let posters = [
                spawn_poster(base.clone(), token.clone(), first),
                spawn_poster(base.clone(), token.clone(), first + 500_000),
            ];
            let actor = spawn_actor(base.clone(), act.clone(), trial);
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
            all_closed.extend(actor.await.expect("actor"));

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
            let actions = server::store::events::read_after(&db, 0, 1_000_000).await.expect("read")
                .into_iter().filter(|e| e.event_id.starts_with("sv-")).collect::<Vec<_>>();
            let posted = stored.len() - actions.len() - (trial + 1) * ACTIONS_PER_TRIAL;
            assert_eq!(posted % 100, 0, "{what}: a partial batch was stored");
            // An action is its events and its outbox row, both or neither; an acknowledged one
            // is there exactly once.
            let outbox = server::store::outbox::recent(&db, app::model::outbox::OutboxFilter::All, 1_000_000).await.expect("outbox");
            let closes = |id: &str| actions.iter().filter(|e| e.conversation_id.as_deref() == Some(id) && e.event_type == "conversation.closed").count();
            let rows_of = |id: &str| outbox.iter().filter(|r| r.conversation_id == id).count();
            for k in 0..ACTIONS_PER_TRIAL {
                for t in 0..=trial {
                    let id = format!("x{t}-{k}");
                    assert_eq!(closes(&id), rows_of(&id), "{what}: {id}'s events and outbox row disagree");
                    assert!(closes(&id) <= 1, "{what}: {id} closed twice");
                }
            }
            for id in &all_closed {
                assert_eq!(closes(id), 1, "{what}: acknowledged action on {id} lost");
            }
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
            if trial + 1 == trials() {
                // The last restart delivers every action still waiting: each row reaches the
                // webhook (at least once: a kill between its delivery and its record sends it
                // again, under the same delivery id) exactly as it was recorded.
                let deadline = std::time::Instant::now() + Duration::from_secs(60);
                loop {
                    let rows = server::store::outbox::recent(&db, app::model::outbox::OutboxFilter::All, 1_000_000).await.expect("outbox");
                    if rows.iter().all(|r| r.delivered_ms.is_some()) {
                        let got = received.lock().expect("received").clone();
                        for r in &rows {
                            let bodies: Vec<&String> = got.iter().filter(|(id, _)| *id == r.id).map(|(_, b)| b).collect();
                            assert!(!bodies.is_empty(), "{what}: outbox row {} never reached the webhook", r.id);
                            assert!(bodies.iter().all(|b| **b == r.payload), "{what}: row {} delivered other than recorded", r.id);
                        }
                        assert!(got.iter().all(|(id, _)| rows.iter().any(|r| r.id == *id)), "{what}: a delivery of no row");
                        break;
                    }
                    assert!(std::time::Instant::now() < deadline, "{what}: the outbox did not drain");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            child.kill().expect("kill");
            let _ = child.wait();
        }
        assert!(!all_closed.is_empty(), "{kind:?}: no action was acknowledged before a kill");
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
