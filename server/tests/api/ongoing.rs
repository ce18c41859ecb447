//! The Ongoing tab's server side: supervisor actions (their rules, the concurrent case, the
//! events and audit record written together), the same actions over the HTTP API, and the
//! grid's rows on the stream.

use serde_json::{Value, json};

use crate::helpers::{TestApp, request, spawn_app};
use crate::sse::{self, WAIT};

fn at(offset_s: i64) -> String {
    (chrono::Utc::now() + chrono::TimeDelta::seconds(offset_s)).to_rfc3339()
}

/// Queues q1 and q2; agents a1 (q1, available), a2 (q1, offline), a3 (q2, available); an open
/// conversation c1 in q1 with a subject.
async fn scene(app: &TestApp) {
    let t = at(-60);
    let body = json!([
        {"id":"q1","type":"queue.upserted","at":t,"queue_id":"q1","name":"Billing","channels":["chat"]},
        {"id":"q2","type":"queue.upserted","at":t,"queue_id":"q2","name":"Sales","channels":["chat"]},
        {"id":"a1","type":"agent.upserted","at":t,"agent_id":"a1","name":"Ann","queues":["q1"],"capacity":1},
        {"id":"a2","type":"agent.upserted","at":t,"agent_id":"a2","name":"Bob","queues":["q1"]},
        {"id":"a3","type":"agent.upserted","at":t,"agent_id":"a3","name":"Cid","queues":["q2"]},
        {"id":"p1","type":"agent.presence","at":t,"agent_id":"a1","presence":"available"},
        {"id":"p3","type":"agent.presence","at":t,"agent_id":"a3","presence":"available"},
        {"id":"c1","type":"conversation.created","at":t,"conversation_id":"c1","queue_id":"q1",
         "channel":"chat","customer":{"id":"u1","name":"Zoë <b>"},"subject":"Refund"},
    ]);
    assert_eq!(app.ingest(&body.to_string()).await.0, 200);
}

async fn act_token(app: &TestApp, name: &str, queues: Option<&[&str]>) -> String {
    use server::store::tokens;
    let token = tokens::generate().expect("random");
    let queues: Option<Vec<String>> = queues.map(|q| q.iter().map(|s| s.to_string()).collect());
    tokens::insert(
        &app.db,
        name,
        &token,
        &[tokens::Scope::Act],
        queues.as_deref(),
    )
    .await
    .expect("token");
    token
}

async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    let (status, text) = request(
        &app.base,
        "POST",
        &format!("/api/v1/conversations/{id}/actions"),
        Some(token),
        Some("application/json"),
        body.to_string().as_bytes(),
    )
    .await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn state_of(app: &TestApp, id: &str) -> String {
    app.ingestor
        .with_ledger(|l| {
            l.conversation(id)
                .map(|c| app::ongoing::row::conversation_token(&c))
                .unwrap_or_default()
        })
        .await
}

each_backend! {
    async fn each_action_follows_its_rules_and_changes_nothing_when_refused(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let sup = act_token(&app, "sup", None).await;
        let stored = app.stored().await;

        // Another queue's token does not see it; a token without `act` may not act.
        let other = act_token(&app, "other", Some(&["q2"])).await;
        let (status, body) = act(&app, &other, "c1", json!({"action":"monitor"})).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = act(&app, &app.token, "c1", json!({"action":"monitor"})).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"dance"})).await;
        assert_eq!(status, 400, "{body}");

        // Assign: an offline agent, another queue's agent, a stale state are refused.
        let (status, body) = act(&app, &sup, "c1", json!({"action":"assign","agent_id":"a2"})).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"].as_str().unwrap().contains("offline"), "{body}");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"assign","agent_id":"a3"})).await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = act(&app, &sup, "c1",
            json!({"action":"assign","agent_id":"a1","expected_state":"active/a9/q1/-"})).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["reason"], "changed", "{body}");
        assert_eq!(app.stored().await, stored, "a refused action stores nothing");
        assert_eq!(state_of(&app, "c1").await, "open/-/q1/-");

        // Accepted, on the state it names: offered to a1, audited with before and after.
        let (status, body) = act(&app, &sup, "c1",
            json!({"action":"assign","agent_id":"a1","expected_state":"open/-/q1/-"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["before"], "open/-/q1/-");
        assert_eq!(body["after"], "offered/a1/q1/-");
        assert_eq!(app.stored().await, stored + 1);
        let audit = server::store::audit::recent(&app.db, 5).await.expect("audit");
        let entry = audit.iter().find(|e| e.action == "conversation.assign").expect("audited");
        assert_eq!(entry.actor, "token:sup");
        assert_eq!(entry.target, "c1");
        let detail: Value = serde_json::from_str(&entry.detail).expect("json");
        assert_eq!(detail["before"], "open/-/q1/-");
        assert_eq!(detail["after"], "offered/a1/q1/-");
        // The same action on the state it no longer is in: refused as changed.
        let (status, _) = act(&app, &sup, "c1",
            json!({"action":"assign","agent_id":"a1","expected_state":"open/-/q1/-"})).await;
        assert_eq!(status, 409);

        let accept = json!([{"id":"acc1","type":"conversation.accepted","at":at(0),"conversation_id":"c1","agent_id":"a1"}]);
        assert_eq!(app.ingest(&accept.to_string()).await.0, 200);

        // Whisper, monitor, join and write, stop monitoring.
        let (status, body) = act(&app, &sup, "c1", json!({"action":"whisper","text":"  "})).await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"whisper","text":"Offer the voucher"})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"message","text":"Hello"})).await;
        assert_eq!(status, 422, "join first: {body}");
        assert_eq!(act(&app, &sup, "c1", json!({"action":"monitor"})).await.0, 200);
        assert_eq!(act(&app, &sup, "c1", json!({"action":"monitor"})).await.0, 422);
        assert_eq!(act(&app, &sup, "c1", json!({"action":"join"})).await.0, 200);
        assert_eq!(act(&app, &sup, "c1", json!({"action":"message","text":"Hello"})).await.0, 200);
        assert_eq!(act(&app, &sup, "c1", json!({"action":"stop_monitoring"})).await.0, 200);
        assert_eq!(act(&app, &sup, "c1", json!({"action":"stop_monitoring"})).await.0, 422);

        // The whisper is stored as EVENTS.md says: a supervisor's message to agents only.
        let payloads = server::store::events::read_conversations(&app.db, &["c1".to_owned()], i64::MAX)
            .await
            .expect("events");
        let whisper: Value = payloads
            .iter()
            .map(|p| serde_json::from_str::<Value>(p).unwrap())
            .find(|e| e["text"] == "Offer the voucher")
            .expect("whisper stored");
        assert_eq!(whisper["from"], "supervisor");
        assert_eq!(whisper["visibility"], "agents");
        assert_eq!(whisper["supervisor_id"], "sup");

        // Transfer to a queue (a2's queue q1 is where it is), and switched off by the admin.
        let (status, body) = act(&app, &sup, "c1", json!({"action":"transfer","queue_id":"q1"})).await;
        assert_eq!(status, 422, "{body}");
        server::store::settings::set(&app.db, app::model::admin::SUPERVISOR_ACTIONS,
            r#"{"transfer":false}"#).await.expect("setting");
        let before = app.stored().await;
        let (status, body) = act(&app, &sup, "c1", json!({"action":"transfer","queue_id":"q2"})).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["reason"], "switched_off");
        assert_eq!(app.stored().await, before);

        // Force close needs a reason; then it closes, with a notice before.
        let (status, _) = act(&app, &sup, "c1", json!({"action":"force_close","reason":""})).await;
        assert_eq!(status, 422);
        let (status, body) = act(&app, &sup, "c1", json!({"action":"force_close","reason":"Spam"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(state_of(&app, "c1").await, "closed/a1/q1/-");
        let (status, _) = act(&app, &sup, "c1", json!({"action":"monitor"})).await;
        assert_eq!(status, 404, "a closed conversation is no longer ongoing");
    }
}

each_backend! {
    async fn two_supervisors_acting_at_once_one_wins(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let t = at(-30);
        let more = json!([
            {"id":"a4","type":"agent.upserted","at":t,"agent_id":"a4","name":"Dee","queues":["q1"]},
            {"id":"p4","type":"agent.presence","at":t,"agent_id":"a4","presence":"available"},
        ]);
        assert_eq!(app.ingest(&more.to_string()).await.0, 200);
        let a = act_token(&app, "alice", None).await;
        let b = act_token(&app, "bert", Some(&["q1"])).await;
        let expected = "open/-/q1/-";
        let (ra, rb) = tokio::join!(
            act(&app, &a, "c1", json!({"action":"assign","agent_id":"a1","expected_state":expected})),
            act(&app, &b, "c1", json!({"action":"assign","agent_id":"a4","expected_state":expected})),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
        let winner = if ra.0 == 200 { "a1" } else { "a4" };
        assert_eq!(state_of(&app, "c1").await, format!("offered/{winner}/q1/-"));
    }
}

each_backend! {
    async fn an_action_whose_audit_record_fails_stores_no_event(kind) {
        use sea_orm::ConnectionTrait;
        let app = spawn_app(kind).await;
        scene(&app).await;
        let sup = act_token(&app, "sup", None).await;
        let stored = app.stored().await;
        // The audit table gone, the action's transaction cannot complete.
        app.db
            .execute_unprepared("ALTER TABLE audit_log RENAME TO audit_log_away")
            .await
            .expect("rename");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"assign","agent_id":"a1"})).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(app.stored().await, stored, "no event without its audit record");
        assert_eq!(state_of(&app, "c1").await, "open/-/q1/-", "the ledger was rebuilt");
        app.db
            .execute_unprepared("ALTER TABLE audit_log_away RENAME TO audit_log")
            .await
            .expect("rename back");
        let (status, body) = act(&app, &sup, "c1", json!({"action":"assign","agent_id":"a1"})).await;
        assert_eq!(status, 200, "{body}");
    }
}

each_backend! {
    async fn the_pages_act_as_the_signed_in_supervisor_of_the_queue(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let body = json!({"id":"c1","request":{"action":"monitor","expected_state":"open/-/q1/-"}}).to_string();
        let post = |cookie: String| {
            let base = app.base.clone();
            let body = body.clone();
            async move {
                crate::helpers::request_with(
                    &base,
                    "POST",
                    "/api/ongoing_act",
                    &[("Cookie", cookie.as_str()), ("Origin", base.as_str()), ("Content-Type", "application/json")],
                    body.as_bytes(),
                )
                .await
            }
        };
        let agent = app.session("agent", &["q1"], Some("a1")).await;
        assert_eq!(post(agent).await.0, 403);
        let other = app.session("supervisor", &["q2"], None).await;
        let (status, _, text) = post(other).await;
        assert_eq!(status, 404, "{text}");
        assert!(text.contains("problem.action_no_conversation"), "{text}");
        let mine = app.session("supervisor", &["q1"], None).await;
        let (status, _, text) = post(mine).await;
        assert_eq!(status, 200, "{text}");
        let audit = server::store::audit::recent(&app.db, 5).await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "conversation.monitor" && e.actor.starts_with("supervisor")), "{audit:?}");
    }
}

each_backend! {
    async fn the_stream_carries_the_grids_details_and_rows_leave_when_closed(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let t = at(-10);
        let events = json!([
            {"id":"m1","type":"conversation.message","at":t,"conversation_id":"c1","from":"customer","text":"hi","sentiment":-3},
            {"id":"e1","type":"conversation.escalated","at":t,"conversation_id":"c1","kind":"customer","note":"angry"},
        ]);
        assert_eq!(app.ingest(&events.to_string()).await.0, 200);
        let mut client = sse::connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        let snapshot = client.next_data().await.expect("snapshot");
        assert_eq!(snapshot.event, "snapshot");
        let row = snapshot.json()["conversations"]
            .as_array()
            .and_then(|c| c.iter().find(|r| r["id"] == "c1").cloned())
            .expect("c1 in the snapshot");
        assert_eq!(row["subject"], "Refund");
        assert_eq!(row["sentiment"], -3);
        assert_eq!(row["sentiment_known"], true);
        assert_eq!(row["escalation"]["kind"], "customer");
        assert_eq!(row["escalation"]["note"], "angry");
        assert_eq!(row["customer_name"], "Zoë <b>");

        let sup = act_token(&app, "sup", None).await;
        assert_eq!(act(&app, &sup, "c1", json!({"action":"monitor"})).await.0, 200);
        let delta = tokio::time::timeout(WAIT, async {
            loop {
                let e = client.next_data().await.expect("delta");
                if e.event == "conversation" {
                    return e.json();
                }
            }
        })
        .await
        .expect("a conversation delta");
        assert_eq!(delta["conversation"]["monitors"][0]["supervisor_id"], "sup");
        assert_eq!(delta["conversation"]["monitors"][0]["mode"], "silent");

        assert_eq!(act(&app, &sup, "c1", json!({"action":"force_close","reason":"test"})).await.0, 200);
        let closed = tokio::time::timeout(WAIT, async {
            loop {
                let e = client.next_data().await.expect("delta");
                if e.event == "conversation" && e.json()["conversation"]["status"] == "closed" {
                    return e.json();
                }
            }
        })
        .await
        .expect("the closing delta");
        assert_eq!(closed["conversation"]["close_reason"], "force_closed");
    }
}

/// A server function of the Ongoing page called with a session and a JSON body.
async fn page_fn(app: &TestApp, cookie: &str, path: &str, body: &str) -> (u16, String) {
    let (status, _, text) = crate::helpers::request_with(
        &app.base,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Origin", app.base.as_str()),
            (
                "Content-Type",
                if body.starts_with('{') {
                    "application/json"
                } else {
                    "application/x-www-form-urlencoded"
                },
            ),
        ],
        body.as_bytes(),
    )
    .await;
    (status, text)
}

each_backend! {
    async fn the_grids_columns_follow_the_supervisor_and_bad_ones_change_nothing(kind) {
        let app = spawn_app(kind).await;
        let s = app.session("supervisor", &["q1"], None).await;
        let setup = |cookie: String| {
            let app = &app;
            async move {
                let (status, text) = page_fn(app, &cookie, "/api/ongoing_setup", "").await;
                assert_eq!(status, 200, "{text}");
                let v: Value = serde_json::from_str(&text).expect("json");
                v["columns"].clone()
            }
        };
        assert_eq!(setup(s.clone()).await, json!([]));
        // Kept in the order of the grid, once each.
        let (status, text) = page_fn(&app, &s, "/api/my_ongoing_columns", r#"{"columns":["sentiment","status","status"]}"#).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(setup(s.clone()).await, json!(["status", "sentiment"]));
        // Another browser (a new session of the same person) gets the same grid.
        let users = server::store::users::list(&app.db).await.expect("users");
        let viewer = server::store::users::viewer(&users[0]).expect("viewer");
        let token = server::store::sessions::start(&app.db, &viewer, server::store::now_ms() + 60_000)
            .await
            .expect("session");
        let again = format!("{}={token}", server::auth::session::COOKIE);
        assert_ne!(again, s);
        assert_eq!(setup(again).await, json!(["status", "sentiment"]));
        // Another supervisor has their own.
        let other = app.session("supervisor", &["q1"], None).await;
        assert_eq!(setup(other).await, json!([]));
        // An unknown or overlong list is refused and the saved choice stays.
        let (status, text) = page_fn(&app, &s, "/api/my_ongoing_columns", r#"{"columns":["status","<script>"]}"#).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("is not a column"), "{text}");
        let many = serde_json::to_string(&vec!["status"; 40]).expect("json");
        let (status, text) = page_fn(&app, &s, "/api/my_ongoing_columns", &format!(r#"{{"columns":{many}}}"#)).await;
        assert_eq!(status, 400, "{text}");
        assert_eq!(setup(s.clone()).await, json!(["status", "sentiment"]));
        // An empty list is the default columns again.
        let (status, text) = page_fn(&app, &s, "/api/my_ongoing_columns", r#"{"columns":[]}"#).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(setup(s).await, json!([]));
    }
}

each_backend! {
    async fn the_top_bars_escalation_count_is_of_the_supervisors_queues(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let t = at(-30);
        let body = json!([
            {"id":"c2","type":"conversation.created","at":t,"conversation_id":"c2","queue_id":"q2",
             "channel":"chat","customer":{"id":"u2","name":"Ed"}},
            {"id":"e1","type":"conversation.escalated","at":t,"conversation_id":"c1","kind":"customer"},
            {"id":"e2","type":"conversation.escalated","at":t,"conversation_id":"c2","kind":"customer"},
        ]);
        assert_eq!(app.ingest(&body.to_string()).await.0, 200);
        let count = |cookie: String| {
            let app = &app;
            async move {
                let (status, text) = page_fn(app, &cookie, "/api/open_escalations", "").await;
                assert_eq!(status, 200, "{text}");
                text
            }
        };
        assert_eq!(count(app.session("supervisor", &["q1"], None).await).await, "1");
        assert_eq!(count(app.session("admin", &[], None).await).await, "2");
        let r = json!([{"id":"r1","type":"conversation.escalation_resolved","at":at(-1),"conversation_id":"c1","by_user":"s"}]);
        assert_eq!(app.ingest(&r.to_string()).await.0, 200);
        assert_eq!(count(app.session("supervisor", &["q1"], None).await).await, "0");
    }
}
