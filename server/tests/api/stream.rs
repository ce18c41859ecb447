//! `GET /api/v1/stream` on SQLite and PostgreSQL: deltas with log-sequence ids, scoping,
//! resuming, resyncs, slow clients.

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use server::config::Config;
use server::store::tokens::{self, Scope};

use crate::helpers::{TestApp, get, spawn_app, spawn_app_with};
use crate::sse::{SseEvent, connect, connect_small};

/// A minute ago plus `s` seconds, RFC 3339.
fn at(s: i64) -> String {
    (Utc::now() - TimeDelta::minutes(1) + TimeDelta::seconds(s)).to_rfc3339()
}

/// `conversation.created` for `id` in `queue`.
pub fn created(id: &str, queue: &str) -> Value {
    json!({"id": format!("{id}-created"), "type": "conversation.created", "at": at(0),
           "conversation_id": id, "queue_id": queue, "channel": "chat",
           "customer": {"id": "k1", "name": "Ada"}})
}

/// `agent.upserted` (queue q1), then `conversation.offered` and `conversation.accepted` of
/// `id` by that agent.
pub fn offered_and_accepted(id: &str, agent: &str) -> Vec<Value> {
    vec![
        json!({"id": format!("{id}-{agent}"), "type": "agent.upserted", "at": at(0),
               "agent_id": agent, "name": agent, "queues": ["q1"]}),
        json!({"id": format!("{id}-offered"), "type": "conversation.offered", "at": at(1),
               "conversation_id": id, "agent_id": agent, "by": "routing"}),
        json!({"id": format!("{id}-accepted"), "type": "conversation.accepted", "at": at(2),
               "conversation_id": id, "agent_id": agent}),
    ]
}

/// Ingests a batch and asserts it was accepted.
pub async fn ingest(app: &TestApp, events: &[Value]) {
    let (status, reply) = app.ingest(&Value::Array(events.to_vec()).to_string()).await;
    assert_eq!(status, 200, "{reply}");
}

/// The highest log sequence.
pub async fn max_seq(db: &sea_orm::DatabaseConnection) -> i64 {
    server::store::events::max_seq(db).await.expect("max seq")
}

/// A counter or gauge from `/metrics` of a server whose metrics are open (the first sample
/// whose line starts with `sample`).
pub async fn metric(base: &str, sample: &str) -> f64 {
    let (_, text) = get(base, "/metrics").await;
    sample_of(&text, sample)
}

/// A counter or gauge from the app's `/metrics`, read with its token.
pub async fn app_metric(app: &crate::helpers::TestApp, sample: &str) -> f64 {
    sample_of(&app.metrics().await.1, sample)
}

fn sample_of(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {sample} in {text}"))
}

/// The first data message: a `snapshot` (or `resync`).
async fn first(client: &mut crate::sse::SseClient) -> SseEvent {
    client.next_data().await.expect("a first event")
}

fn conversation_ids(snapshot: &Value) -> Vec<&str> {
    snapshot["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect()
}

each_backend! {
    async fn subscriber_receives_deltas_whose_ids_are_log_sequences(kind) {
        let app = spawn_app(kind).await;
        let mut client = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        assert_eq!(client.status, 200, "{kind:?}: {}", client.head);
        assert!(client.head.contains("text/event-stream"), "{}", client.head);
        let retry = client.next().await.expect("retry hint");
        assert_eq!(retry.retry, Some(3000));
        let snapshot = first(&mut client).await;
        assert_eq!(
            (snapshot.event.as_str(), snapshot.id.as_deref()),
            ("snapshot", Some("0"))
        );

        ingest(&app, &[created("c1", "q1")]).await;
        let seq = max_seq(&app.db).await;
        let delta = client.next_data().await.expect("delta");
        let data = delta.json();
        assert_eq!(delta.event, "conversation", "{kind:?}");
        assert_eq!(delta.id, Some(seq.to_string()));
        assert_eq!(
            (
                data["seq"].as_i64(),
                data["conversation"]["status"].as_str()
            ),
            (Some(seq), Some("open"))
        );
        assert!(data["as_of"].as_str().is_some(), "{data}");

        // One batch: the conversation and its agent share the last sequence;
        // only the last delta of the sequence carries the id.
        ingest(&app, &offered_and_accepted("c1", "a1")).await;
        let seq = max_seq(&app.db).await;
        let events = client.until_id(seq).await;
        let kinds: Vec<(&str, Option<&str>)> = events
            .iter()
            .map(|e| (e.event.as_str(), e.id.as_deref()))
            .collect();
        let id = seq.to_string();
        assert_eq!(
            kinds,
            [("conversation", None), ("agent", Some(id.as_str()))]
        );
        assert_eq!(events[0].json()["conversation"]["status"], "active");
        let agent = &events[1].json()["agent"];
        assert_eq!(
            (agent["id"].as_str(), agent["capacity_used"].as_u64()),
            (Some("a1"), Some(1))
        );
        assert_eq!(
            agent["capacity_free"].as_i64(),
            agent["capacity"].as_i64().map(|c| c - 1)
        );
    }
}

each_backend! {
    async fn a_token_sees_only_its_queues_and_needs_the_read_scope(kind) {
        let app = spawn_app(kind).await;
        let scoped = tokens::generate().expect("token");
        let q1 = vec!["q1".to_owned()];
        tokens::insert(&app.db, "q1 only", &scoped, &[Scope::Read], Some(&q1))
            .await
            .expect("token");
        let ingest_only = tokens::generate().expect("token");
        tokens::insert(&app.db, "ingest", &ingest_only, &[Scope::Ingest], None)
            .await
            .expect("token");
        ingest(
            &app,
            &[created("before-q1", "q1"), created("before-q2", "q2")],
        )
        .await;

        let path = format!("/api/v1/stream?access_token={scoped}");
        let mut client = connect(&app.base, &path, None, None).await;
        assert_eq!(client.status, 200, "{kind:?}: {}", client.head);
        let snapshot = first(&mut client).await.json();
        assert_eq!(conversation_ids(&snapshot), ["before-q1"], "{kind:?}");

        ingest(&app, &[created("in-q2", "q2")]).await;
        ingest(&app, &[created("in-q1", "q1")]).await;
        let delta = client.next_data().await.expect("delta");
        assert_eq!(delta.json()["conversation"]["id"], "in-q1", "{kind:?}");

        let none = connect(&app.base, "/api/v1/stream", None, None).await;
        assert_eq!(none.status, 401);
        let unknown = connect(&app.base, "/api/v1/stream", Some("itk_nope"), None).await;
        assert_eq!(unknown.status, 401);
        let forbidden = connect(&app.base, "/api/v1/stream", Some(&ingest_only), None).await;
        assert_eq!(forbidden.status, 403);
    }
}

each_backend! {
    async fn resuming_replays_exactly_the_missed_deltas(kind) {
        let app = spawn_app(kind).await;
        ingest(&app, &[created("c1", "q1")]).await;
        let seen = max_seq(&app.db).await;
        let mut client = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        let snapshot = first(&mut client).await;
        assert_eq!(snapshot.id, Some(seen.to_string()));
        drop(client);

        ingest(&app, &[created("c2", "q1")]).await;
        ingest(&app, &[created("c3", "q2")]).await;
        ingest(&app, &offered_and_accepted("c2", "a1")).await;
        let last = max_seq(&app.db).await;

        let mut client = connect(
            &app.base,
            "/api/v1/stream",
            Some(&app.token),
            Some(&seen.to_string()),
        )
        .await;
        let events = client.until_id(last).await;
        let got: Vec<(String, i64)> = events
            .iter()
            .map(|e| {
                let data = e.json();
                let id = data["conversation"]["id"]
                    .as_str()
                    .or(data["agent"]["id"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                (id, data["seq"].as_i64().unwrap_or_default())
            })
            .collect();
        let expected: Vec<(String, i64)> = [
            ("c2", seen + 1),
            ("c3", seen + 2),
            ("c2", last),
            ("a1", last),
        ]
        .iter()
        .map(|(id, seq)| (id.to_string(), *seq))
        .collect();
        assert_eq!(got, expected, "{kind:?}");
        assert!(
            events
                .iter()
                .all(|e| e.event != "snapshot" && e.event != "resync")
        );
        assert!(
            client
                .quiet_for(std::time::Duration::from_millis(300))
                .await,
            "{kind:?}: a delta was sent twice"
        );

        // The query parameter resumes as the header does.
        let path = format!("/api/v1/stream?last_event_id={}", seen + 2);
        let mut client = connect(&app.base, &path, Some(&app.token), None).await;
        let events = client.until_id(last).await;
        assert_eq!(events.len(), 2, "{kind:?}: {events:?}");
    }
}

each_backend! {
    async fn resuming_from_before_the_buffer_or_the_future_gets_a_resync_snapshot(kind) {
        let config = Config {
            ingest_rate_per_second: 0,
            stream_buffer: 2,
            ..Config::default()
        };
        let app = spawn_app_with(kind, config).await;
        for n in 1..=5 {
            ingest(&app, &[created(&format!("c{n}"), "q1")]).await;
        }
        let last = max_seq(&app.db).await;
        for from in ["1".to_owned(), (last + 100).to_string()] {
            let mut client =
                connect(&app.base, "/api/v1/stream", Some(&app.token), Some(&from)).await;
            let resync = first(&mut client).await;
            assert_eq!(resync.event, "resync", "{kind:?} from {from}");
            assert_eq!(resync.id, Some(last.to_string()));
            let data = resync.json();
            assert_eq!(conversation_ids(&data), ["c1", "c2", "c3", "c4", "c5"]);
            assert_eq!(data["seq"].as_i64(), Some(last));
        }
        // Still in the buffer: deltas, no snapshot.
        let mut client = connect(
            &app.base,
            "/api/v1/stream",
            Some(&app.token),
            Some(&(last - 1).to_string()),
        )
        .await;
        assert_eq!(first(&mut client).await.event, "conversation");
        let sample = "intraday_stream_resyncs_total{reason=\"too_far_behind\"}";
        assert_eq!(app_metric(&app, sample).await, 2.0, "{kind:?}");
    }
}

each_backend! {
    async fn a_slow_client_never_delays_a_fast_one_and_is_resynced(kind) {
        let config = Config {
            ingest_rate_per_second: 0,
            stream_client_buffer: 4,
            ..Config::default()
        };
        let app = spawn_app_with(kind, config).await;
        let mut slow = connect_small(&app.base, "/api/v1/stream", &app.token).await;
        let mut fast = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        first(&mut fast).await;
        let overflow = "intraday_stream_resyncs_total{reason=\"overflow\"}";
        // The longest name and subject an event may carry (200 characters each).
        let padding = "x".repeat(200);
        let mut batches = 0;
        while app_metric(&app, overflow).await < 1.0 {
            batches += 1;
            assert!(batches <= 400, "{kind:?}: the slow client never overflowed");
            let batch: Vec<Value> = (0..50)
                .map(|n| {
                    let mut e = created(&format!("b{batches}-{n}"), "q1");
                    e["customer"]["name"] = json!(padding);
                    e["subject"] = json!(padding);
                    e
                })
                .collect();
            ingest(&app, &batch).await;
            // The fast client gets every batch while the slow one reads nothing.
            let events = fast.until_id(max_seq(&app.db).await).await;
            let deltas = events.iter().filter(|e| e.event == "conversation").count();
            assert_eq!(deltas, 50, "{kind:?}");
        }
        assert_eq!(app_metric(&app, "intraday_stream_subscribers").await, 2.0);
        // When the slow client reads again it gets a snapshot of everything instead of the
        // deltas it had no room for.
        let last = max_seq(&app.db).await;
        let resync = loop {
            let event = slow.next_data().await.expect("slow stream open");
            if event.event == "resync" {
                break event;
            }
        };
        let data = resync.json();
        assert_eq!(data["seq"].as_i64(), Some(last), "{kind:?}");
        assert_eq!(conversation_ids(&data).len(), batches * 50);
    }
}
