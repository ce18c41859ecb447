//! The read API answers from the live state with KPIS.md's numbers, names bad parameters,
//! and never shows a token more than its queues.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use server::store::tokens::{self, Scope};

use crate::helpers::{TestApp, request, spawn_app};

pub(crate) fn at(base: DateTime<Utc>, secs: i64) -> String {
    (base + TimeDelta::seconds(secs)).to_rfc3339()
}

/// The small day of the engine's scenario test, 30 minutes ago.
fn day(base: DateTime<Utc>) -> Value {
    let c = |id: &str, ty: &str, s: i64, mut f: Value| {
        f["id"] = json!(format!("{id}-{ty}-{s}"));
        f["type"] = json!(format!("conversation.{ty}"));
        f["at"] = json!(at(base, s));
        f["conversation_id"] = json!(id);
        f
    };
    let created = |id: &str, s: i64, q: &str, ch: &str| {
        c(
            id,
            "created",
            s,
            json!({"queue_id": q, "channel": ch, "customer": {"id": "k", "name": "Ada"}}),
        )
    };
    json!([
        {"id": "q1", "type": "queue.upserted", "at": at(base, 0), "queue_id": "q1", "name": "Billing", "channels": ["chat"], "service_level_seconds": 20},
        {"id": "a1", "type": "agent.upserted", "at": at(base, 0), "agent_id": "a1", "name": "Ann", "queues": ["q1", "q2"], "skills": ["en"], "capacity": 3},
        {"id": "p1", "type": "agent.presence", "at": at(base, 0), "agent_id": "a1", "presence": "available"},
        created("c1", 10, "q1", "chat"),
        c("c1", "offered", 15, json!({"agent_id": "a1", "by": "routing"})),
        c("c1", "accepted", 25, json!({"agent_id": "a1"})),
        c("c1", "message", 40, json!({"from": "agent", "text": "hi"})),
        c("c1", "ended", 100, json!({})),
        c("c1", "closed", 130, json!({"reason": "resolved"})),
        created("c2", 20, "q1", "chat"),
        c("c2", "closed", 60, json!({"reason": "abandoned"})),
        created("c3", 30, "q1", "chat"),
        c("c3", "offered", 35, json!({"agent_id": "a1", "by": "routing"})),
        c("c3", "rejected", 45, json!({"agent_id": "a1", "reason": "declined"})),
        c("c3", "offered", 50, json!({"agent_id": "a1", "by": "routing"})),
        c("c3", "accepted", 80, json!({"agent_id": "a1"})),
        c("c3", "transferred", 200, json!({"from_agent_id": "a1", "to_queue_id": "q2", "by": "agent"})),
        created("c4", 450, "q1", "voice"),
    ])
}

async fn read(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = request(&app.base, "GET", path, Some(token), None, b"").await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub(crate) async fn seeded(kind: server::db::DbKind) -> TestApp {
    let app = spawn_app(kind).await;
    let base = Utc::now() - TimeDelta::minutes(30);
    let (status, body) = app.ingest(&day(base).to_string()).await;
    assert_eq!(status, 200, "{body}");
    app
}

each_backend! {
    async fn kpis_match_the_hand_computed_day_on_every_backend(kind) {
        let app = seeded(kind).await;
        let (status, k) = read(&app, &app.token, "/api/v1/kpis?window=2h").await;
        assert_eq!(status, 200, "{k}");
        assert_eq!(k["incoming"], 4);
        assert_eq!(k["closed"], 2);
        assert_eq!(k["in_queue"], 2);
        assert_eq!(k["ongoing"]["open"], 2);
        assert_eq!(k["avg_speed_to_answer"], 32.5);
        assert_eq!(k["abandoned"], 1);
        assert_eq!(k["service_level"].as_f64(), Some(1.0 / 3.0));
        assert_eq!(k["transfer_rate"], 0.5);
        assert_eq!(k["escalation_rate"], 0.0);
        assert_eq!(k["aht"], 105.0);
        assert_eq!(k["avg_wrap_up"], 30.0);
        assert_eq!(k["avg_first_response"], 15.0);
        assert_eq!(k["offers"], 3);
        assert_eq!(k["avg_acceptance_time"], 20.0);
        assert_eq!(k["agents_logged_in"], 1);
        assert_eq!(k["agent_aht"], 105.0);
        assert!(k["hourly"].as_array().is_some_and(|h| h.len() >= 2), "{k}");
        // Replay: 70 s in, c1 and c3 were with a1 and nothing was closed but c2.
        let then = (Utc::now() - TimeDelta::minutes(30) + TimeDelta::seconds(70)).to_rfc3339();
        let path = format!("/api/v1/kpis?at={}", then.replace('+', "%2B"));
        let (status, r) = read(&app, &app.token, &path).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["ongoing"]["active"], 2, "{r}");
        assert_eq!(r["closed"], 1);
    }
}

each_backend! {
    async fn conversations_and_agents_list_the_live_state(kind) {
        let app = seeded(kind).await;
        let (status, body) = read(&app, &app.token, "/api/v1/conversations").await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = body["conversations"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["conversation_id"].as_str())
            .collect();
        assert_eq!(ids, ["c3", "c4"], "{body}");
        let (_, body) = read(&app, &app.token, "/api/v1/conversations?queue=q2").await;
        assert_eq!(body["conversations"][0]["queue_id"], "q2");
        assert_eq!(body["conversations"].as_array().map(Vec::len), Some(1));
        let (status, body) = read(&app, &app.token, "/api/v1/agents").await;
        assert_eq!(status, 200);
        let a1 = &body["agents"][0];
        assert_eq!(a1["agent_id"], "a1");
        assert_eq!(a1["presence"], "available");
        assert_eq!(
            (a1["capacity"].clone(), a1["capacity_free"].clone()),
            (json!(3), json!(3))
        );
        assert_eq!(a1["offers_rejected"], 1);
        assert_eq!(a1["aht"], 105.0);
    }
}

each_backend! {
    async fn a_token_limited_to_a_queue_sees_only_that_queue(kind) {
        let app = seeded(kind).await;
        let token = tokens::generate().expect("random");
        let q2 = ["q2".to_owned()];
        tokens::insert(&app.db, "wallboard-q2", &token, &[Scope::Read], Some(&q2))
            .await
            .expect("token");
        let (status, k) = read(&app, &token, "/api/v1/kpis").await;
        assert_eq!(status, 200);
        assert_eq!(k["incoming"], 1, "only c3, now in q2: {k}");
        // Asking for another queue does not widen the scope.
        let (_, k) = read(&app, &token, "/api/v1/kpis?queue=q1").await;
        assert_eq!(k["incoming"], 0);
        let (_, c) = read(&app, &token, "/api/v1/conversations").await;
        assert_eq!(c["conversations"].as_array().map(Vec::len), Some(1));
        // An ingest-only token cannot read.
        let ingest_only = tokens::generate().expect("random");
        tokens::insert(&app.db, "feed", &ingest_only, &[Scope::Ingest], None)
            .await
            .expect("token");
        assert_eq!(read(&app, &ingest_only, "/api/v1/kpis").await.0, 403);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_and_missing_tokens_get_clear_errors() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    for (query, field) in [
        ("window=3h", "window"),
        ("tz=Nowhere", "tz"),
        ("channel=fax", "channel"),
        ("at=yesterday", "at"),
        ("sl=7", "sl"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = read(&app, &app.token, &format!("/api/v1/kpis?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["field"], field);
        assert!(
            body["error"].as_str().is_some_and(|m| m.contains(field)),
            "{body}"
        );
    }
    let (status, _) = request(&app.base, "GET", "/api/v1/kpis", None, None, b"").await;
    assert_eq!(status, 401);
    // An empty day has no values, never zeros or NaN.
    let (_, k) = read(&app, &app.token, "/api/v1/kpis").await;
    assert!(
        k["service_level"].is_null() && k["aht"].is_null() && k["longest_wait"].is_null(),
        "{k}"
    );
}

each_backend! {
    async fn the_insights_server_function_answers_without_filters_and_names_a_bad_one(kind) {
        let app = seeded(kind).await;
        let admin = app.session("admin", &[], None).await;
        let (status, _, body) = app
            .page_request("POST", "/api/insights", Some(&admin), Some(""))
            .await;
        assert_eq!(status, 200, "{body}");
        let data: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(data["report"]["incoming"], 4);
        assert_eq!(data["charts"].as_array().map(Vec::len), Some(8));
        // c3 back in queue q2 since 200 s, c4 in q1 since 450 s: longest waiting first.
        let oldest: Vec<&str> = data["oldest"]
            .as_array()
            .expect("oldest")
            .iter()
            .filter_map(|r| r["conversation_id"].as_str())
            .collect();
        assert_eq!(oldest, ["c3", "c4"]);
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/insights",
                Some(&admin),
                Some("filters[0][0]=window&filters[0][1]=3h"),
            )
            .await;
        // The caller's mistake, not the server's.
        assert_eq!(status, 400);
        assert!(
            body.contains(r#""key":"error.filter_window""#) && body.contains(r#""field":"window""#),
            "{body}"
        );
    }
}

each_backend! {
    async fn hourly_history_is_recorded_and_outlives_the_events(kind) {
        let app = seeded(kind).await;
        // Two hours on, every hour of the seeded day is complete.
        let later = Utc::now() + TimeDelta::hours(2);
        let rows = server::live::history::record(&app.db, app.ingestor.live(), later)
            .await
            .expect("record");
        assert!(rows >= 2, "every queue together and q1: {rows}");
        let pruned = server::ops::retention::prune(&app.db, i64::MAX, 1_000)
            .await
            .expect("prune");
        assert_eq!(pruned, 18, "every event is gone");
        let sum = |h: &Value, key: &str| -> i64 {
            h["hours"]
                .as_array()
                .expect("hours")
                .iter()
                .map(|x| x[key].as_i64().unwrap_or(0))
                .sum()
        };
        let (status, all) = read(&app, &app.token, "/api/v1/kpis/history").await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(sum(&all, "incoming"), 4, "{all}");
        assert_eq!(sum(&all, "closed"), 2);
        assert!(all["hours"][0]["queue_id"].is_null());
        let (_, q1) = read(&app, &app.token, "/api/v1/kpis/history?queue=q1").await;
        assert_eq!(sum(&q1, "incoming"), 3, "c3 moved to q2: {q1}");
        assert_eq!(q1["hours"][0]["queue_id"], "q1");
        let (status, bad) = read(&app, &app.token, "/api/v1/kpis/history?from=yesterday").await;
        assert_eq!(status, 400);
        assert_eq!(bad["field"], "from");
    }
}

each_backend! {
    /// A server started on a log rebuilds (log loaded, each conversation derived once at the end)
    /// the very numbers the server that ingested it shows, on both databases.
    async fn a_rebuilt_live_state_shows_the_same_numbers(kind) {
        let app = seeded(kind).await;
        // More pages than one: late events and a second batch after the first.
        let base = Utc::now() - TimeDelta::minutes(20);
        let more = json!([
            {"id": "c4-offered", "type": "conversation.offered", "at": at(base, 0), "conversation_id": "c4", "agent_id": "a1", "by": "routing"},
            {"id": "c4-accepted", "type": "conversation.accepted", "at": at(base, 5), "conversation_id": "c4", "agent_id": "a1"},
            {"id": "c4-message", "type": "conversation.message", "at": at(base, 9), "conversation_id": "c4", "from": "customer", "text": "no", "sentiment": -3},
            {"id": "p2", "type": "agent.presence", "at": at(base, 60), "agent_id": "a1", "presence": "away"},
        ]);
        let (status, body) = app.ingest(&more.to_string()).await;
        assert_eq!(status, 200, "{body}");
        let rebuilt = server::ingest::Ingestor::open(app.db.clone())
            .await
            .expect("rebuild");
        crate::helpers::assert_same(&app.ingestor, &rebuilt, &format!("{kind:?}")).await;
        let (now, limits) = (Utc::now(), app::kpi::Limits::default());
        let r = rebuilt
            .live()
            .read(|e| e.report(&app::kpi::Query::default(), now, &limits));
        assert_eq!((r.kpis.incoming, r.ongoing.active), (4, 1), "{kind:?}");
        assert!(r.alerts.iter().any(|a| a.key == "sentiment:c4"), "{kind:?}");
    }
}
