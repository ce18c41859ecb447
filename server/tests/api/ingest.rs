//! `POST /api/v1/events` on SQLite and PostgreSQL: acceptance, idempotency, every refusal class.

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use server::config::Config;
use server::db::DbKind;
use server::store::tokens::{self, Scope};

use crate::helpers::{request, spawn_app, spawn_app_with};

/// A minute ago plus `s` seconds, RFC 3339.
fn at(s: i64) -> String {
    (Utc::now() - TimeDelta::minutes(1) + TimeDelta::seconds(s)).to_rfc3339()
}

fn conversation(n: u32) -> Vec<Value> {
    let c = format!("c{n}");
    vec![
        json!({"id": format!("{c}-1"), "type": "conversation.created", "at": at(0), "conversation_id": c,
               "queue_id": "q1", "channel": "chat", "customer": {"id": "k1", "name": "Ada"}}),
        json!({"id": format!("{c}-2"), "type": "conversation.offered", "at": at(1), "conversation_id": c,
               "agent_id": "a1", "by": "routing"}),
        json!({"id": format!("{c}-3"), "type": "conversation.accepted", "at": at(2), "conversation_id": c,
               "agent_id": "a1"}),
    ]
}

fn body(events: &[Value]) -> String {
    Value::Array(events.to_vec()).to_string()
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

each_backend! {
    async fn accepted_batch_is_durable_and_duplicates_are_counted_and_ignored(kind) {
        let app = spawn_app(kind).await;
        let (status, reply) = app.ingest(&body(&conversation(1))).await;
        assert_eq!(
            (status, json_of(&reply)),
            (200, json!({"accepted": 3, "duplicates": 0})),
            "{kind:?}"
        );
        assert_eq!(app.stored().await, 3);

        // A retry of the same batch plus one new event: only the new one is stored.
        let mut retry = conversation(1);
        retry.extend(conversation(2).into_iter().take(1));
        let (status, reply) = app.ingest(&body(&retry)).await;
        assert_eq!(
            (status, json_of(&reply)),
            (200, json!({"accepted": 1, "duplicates": 3}))
        );
        assert_eq!(app.stored().await, 4);

        // A duplicate id is ignored whatever its content.
        let mut changed = conversation(1)[0].clone();
        changed["queue_id"] = json!("elsewhere");
        let (status, reply) = app.ingest(&changed.to_string()).await;
        assert_eq!(
            (status, json_of(&reply)),
            (200, json!({"accepted": 0, "duplicates": 1}))
        );
        assert_eq!(app.stored().await, 4);
        let state = app
            .ingestor
            .with_ledger(|l| l.conversation("c1").map(|c| c.queue_id.clone()))
            .await;
        assert_eq!(state.as_deref(), Some("q1"));
    }
}

each_backend! {
    async fn ndjson_batches_are_accepted(kind) {
        let app = spawn_app(kind).await;
        let lines: Vec<String> = conversation(1).iter().map(Value::to_string).collect();
        let (status, reply) = request(
            &app.base,
            "POST",
            "/api/v1/events",
            Some(&app.token),
            Some("application/x-ndjson"),
            lines.join("\n").as_bytes(),
        )
        .await;
        assert_eq!(
            (status, json_of(&reply)["accepted"].clone()),
            (200, json!(3)),
            "{kind:?} {reply}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_taken_in_at_order_whatever_its_order() {
    let app = spawn_app(DbKind::Sqlite).await;
    let mut events = conversation(1);
    events.reverse();
    let (status, reply) = app.ingest(&body(&events)).await;
    assert_eq!(status, 200, "{reply}");
    let status = app
        .ingestor
        .with_ledger(|l| l.conversation("c1").map(|c| c.status))
        .await;
    assert_eq!(status, Some(app::model::ledger::ConversationStatus::Active));
}

each_backend! {
    async fn invalid_events_are_refused_by_index_id_and_field_and_nothing_is_stored(kind) {
        let app = spawn_app(kind).await;
        let mut events = conversation(1);
        events[1]["by"] = json!("telepathy");
        events.push(json!({"id": "bad id!", "type": "conversation.ended", "at": at(3), "conversation_id": "c1"}));
        let (status, reply) = app.ingest(&body(&events)).await;
        assert_eq!(status, 422, "{kind:?} {reply}");
        let errors = json_of(&reply)["errors"]
            .as_array()
            .cloned()
            .expect("errors");
        assert!(
            errors
                .iter()
                .any(|e| e["index"] == 1 && e["id"] == "c1-2" && e["field"] == "by"),
            "{reply}"
        );
        assert!(
            errors.iter().any(|e| e["index"] == 3 && e["field"] == "id"),
            "{reply}"
        );
        assert_eq!(
            app.stored().await,
            0,
            "{kind:?}: a refused batch stores nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_type_is_refused() {
    let app = spawn_app(DbKind::Sqlite).await;
    let (status, reply) = app
        .ingest(&json!({"id": "x1", "type": "conversation.teleported", "at": at(0)}).to_string())
        .await;
    assert_eq!(status, 422);
    assert_eq!(json_of(&reply)["errors"][0]["field"], "type", "{reply}");
    assert_eq!(app.stored().await, 0);
}

each_backend! {
    async fn invalid_transition_is_refused_naming_the_current_state(kind) {
        let app = spawn_app(kind).await;
        let mut events = conversation(1);
        events.push(json!({"id": "c1-4", "type": "conversation.closed", "at": at(3), "conversation_id": "c1", "reason": "resolved"}));
        assert_eq!(app.ingest(&body(&events)).await.0, 200);
        let (status, reply) = app
            .ingest(&json!({"id": "c1-5", "type": "conversation.accepted", "at": at(4), "conversation_id": "c1", "agent_id": "a1"}).to_string())
            .await;
        assert_eq!(status, 422, "{kind:?}");
        let error = &json_of(&reply)["errors"][0];
        assert_eq!(
            (error["index"].clone(), error["id"].clone()),
            (json!(0), json!("c1-5"))
        );
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("closed"),
            "{reply}"
        );
        assert_eq!(app.stored().await, 4);
    }
}

each_backend! {
    async fn late_event_is_placed_in_order_accepted_when_it_fits_refused_when_not(kind) {
        let app = spawn_app(kind).await;
        assert_eq!(app.ingest(&body(&conversation(1))).await.0, 200);
        // A customer message from between the offer and the accept, arriving after both.
        let late_message = json!({"id": "c1-late", "type": "conversation.message", "at": at(1),
                                  "conversation_id": "c1", "from": "customer", "sentiment": -1});
        let (status, reply) = app.ingest(&late_message.to_string()).await;
        assert_eq!(status, 200, "{kind:?} {reply}");
        // A close placed before the (stored) accept would make that accept invalid: refused.
        let late_close = json!({"id": "c1-close", "type": "conversation.closed", "at": at(1),
                                "conversation_id": "c1", "reason": "abandoned"});
        let (status, reply) = app.ingest(&late_close.to_string()).await;
        assert_eq!(status, 422, "{kind:?} {reply}");
        assert_eq!(app.stored().await, 4);
    }
}

each_backend! {
    async fn unparsable_json_is_400_with_line_and_column(kind) {
        let app = spawn_app(kind).await;
        let (status, reply) = app.ingest("[\n  {\"id\": \"a\",,}\n]").await;
        assert_eq!(status, 400, "{kind:?}");
        let v = json_of(&reply);
        assert_eq!(
            (v["line"].clone(), v["column"].clone()),
            (json!(2), json!(14)),
            "{reply}"
        );
        assert!(
            v["error"]
                .as_str()
                .unwrap_or_default()
                .contains("invalid JSON")
        );
        assert_eq!(app.stored().await, 0);
    }
}

each_backend! {
    async fn missing_unknown_and_unscoped_tokens_are_401_and_403(kind) {
        let app = spawn_app(kind).await;
        let events = body(&conversation(1));
        let post = |token: Option<String>| {
            let base = app.base.clone();
            let events = events.clone();
            async move {
                request(
                    &base,
                    "POST",
                    "/api/v1/events",
                    token.as_deref(),
                    Some("application/json"),
                    events.as_bytes(),
                )
                .await
            }
        };
        let (status, reply) = post(None).await;
        assert_eq!(status, 401, "{reply}");
        assert!(reply.contains("missing API token"));
        assert_eq!(post(Some("itk_nope".into())).await.0, 401);
        let reader = tokens::generate().expect("random");
        tokens::insert(&app.db, "wallboard", &reader, &[Scope::Read], None)
            .await
            .expect("insert");
        let (status, reply) = post(Some(reader)).await;
        assert_eq!(status, 403, "{kind:?}");
        assert!(reply.contains("no ingest scope"), "{reply}");
        assert_eq!(app.stored().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_type_is_415() {
    let app = spawn_app(DbKind::Sqlite).await;
    let (status, reply) = request(
        &app.base,
        "POST",
        "/api/v1/events",
        Some(&app.token),
        Some("text/plain"),
        body(&conversation(1)).as_bytes(),
    )
    .await;
    assert_eq!(status, 415);
    assert!(reply.contains("application/x-ndjson"), "{reply}");
    assert_eq!(app.stored().await, 0);
}

each_backend! {
    async fn an_oversized_body_is_413(kind) {
        let app = spawn_app_with(
            kind,
            Config {
                max_body_bytes: 2_000,
                ingest_rate_per_second: 0,
                ..Config::default()
            },
        )
        .await;
        let big: Vec<Value> = (0..40).flat_map(conversation).collect();
        let (status, reply) = app.ingest(&body(&big)).await;
        assert_eq!(status, 413, "{kind:?} {reply}");
        assert!(reply.contains("2000 bytes"), "{reply}");
        assert_eq!(app.stored().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_batch_is_413() {
    let app = spawn_app(DbKind::Sqlite).await;
    let many: Vec<Value> = (0..5_001)
        .map(|n| json!({"id": format!("p{n}"), "type": "agent.presence", "at": at(0), "agent_id": "a1", "presence": "away"}))
        .collect();
    let (status, reply) = app.ingest(&body(&many)).await;
    assert_eq!(status, 413);
    assert!(reply.contains("at most 5000"), "{reply}");
    assert_eq!(app.stored().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_rate_is_429_with_retry_after() {
    let app = spawn_app_with(
        DbKind::Sqlite,
        Config {
            ingest_rate_per_second: 1,
            ..Config::default()
        },
    )
    .await;
    let one = |n: u32| {
        json!({"id": format!("p{n}"), "type": "agent.presence", "at": at(0), "agent_id": "a1", "presence": "away"}).to_string()
    };
    // A burst of two is allowed, the third request within the second is not.
    assert_eq!(app.ingest(&one(1)).await.0, 200);
    assert_eq!(app.ingest(&one(2)).await.0, 200);
    let (status, reply) = app.ingest(&one(3)).await;
    assert_eq!(status, 429, "{reply}");
    assert!(reply.contains("retry"), "{reply}");
    assert_eq!(app.stored().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_too_old_or_in_the_future_are_refused() {
    let app = spawn_app(DbKind::Sqlite).await;
    let future = (Utc::now() + TimeDelta::minutes(10)).to_rfc3339();
    let (status, reply) = app
        .ingest(&json!({"id": "f1", "type": "agent.presence", "at": future, "agent_id": "a1", "presence": "away"}).to_string())
        .await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(json_of(&reply)["errors"][0]["field"], "at");
    assert_eq!(app.stored().await, 0);
}

each_backend! {
    async fn a_simulated_day_ingests_with_no_refused_event(kind) {
        use server::simulator::drive::{LocalSink, SimPlan, drive};
        let app = spawn_app(kind).await;
        let plan = SimPlan {
            seed: 7,
            speed: 1.0,
            backfill: std::time::Duration::from_secs(24 * 3600),
            live: false,
        };
        drive(&plan, &LocalSink(app.ingestor.clone()), None)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let stored = app.stored().await;
        assert!(stored > 10_000, "{kind:?}: only {stored} events for a day");
        let (conversations, agents) = app
            .ingestor
            .with_ledger(|l| (l.conversations().count(), l.agents().count()))
            .await;
        assert!(conversations > 1_000, "{conversations}");
        assert!((20..=60).contains(&agents), "{agents}");
        // A restart replays it in several pages, each read while the one before is applied.
        let rebuilt = server::ingest::Ingestor::open(app.db.clone())
            .await
            .expect("rebuild");
        crate::helpers::assert_same(&app.ingestor, &rebuilt, &format!("{kind:?} replayed")).await;
    }
}
