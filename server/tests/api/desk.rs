//! The agents' desk settings at work: an offer waits for its queue's countdown, a full capacity
//! sets the presence the admin chose (whatever filled it, and undone after a restart), and agents
//! see a silent monitor only when the admin says they are told.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_on};
use crate::my_work::{at, my_act, my_fn, scene, state, supervisor_act};

/// Waits up to `secs` for `what` of the app to become `want`.
async fn wait_for<F, Fut>(secs: u64, want: &str, what: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let start = Instant::now();
    loop {
        let now = what().await;
        if now == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "still {now:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn presence(app: &TestApp, agent: &str) -> String {
    app.ingestor
        .with_ledger(|l| l.agent(agent).map(|a| a.presence.as_str().to_owned()))
        .await
        .unwrap_or_default()
}

async fn admin_set(app: &TestApp, admin: &str, path: &str, form: &str) {
    let (status, body) = my_fn(app, admin, path, form).await;
    assert_eq!(status, 200, "{path} {form}: {body}");
}

each_backend! {
    async fn an_offer_waits_for_its_queues_countdown(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let admin = app.session("admin", &[], None).await;
        admin_set(&app, &admin, "/api/admin_offer_queue_set", "queue_id=q1&seconds=5").await;
        let ann = app.session("agent", &[], Some("a1")).await;
        let (_, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        assert_eq!((work["offer_seconds"].clone(), work["offer_default"].clone()), (json!({"q1": 5}), json!(30)), "{work}");
        let offered = at(0);
        let offer = json!([{"id":"o1","type":"conversation.offered","at":offered,"conversation_id":"c1","agent_id":"a1","by":"routing"}]);
        assert_eq!(app.ingest(&offer.to_string()).await.0, 200);
        wait_for(12, "open/-/q1/-", || state(&app, "c1")).await;
        let payloads = server::store::events::read_conversations(&app.db, &["c1".to_owned()], i64::MAX)
            .await
            .expect("events");
        let rejected: Value = payloads
            .iter()
            .map(|p| serde_json::from_str::<Value>(p).expect("json"))
            .find(|e| e["type"] == "conversation.rejected")
            .expect("rejected");
        assert_eq!(rejected["reason"], "timed_out");
        let ms = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("time").timestamp_millis();
        let waited = ms(rejected["at"].as_str().expect("at")) - ms(&offered);
        assert!((5_000..5_100).contains(&waited), "stamped {waited} ms after the offer, not at its 5 s");
    }
}

each_backend! {
    async fn a_full_capacity_sets_the_admins_presence_whatever_filled_it_and_a_restart_undoes_it(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let admin = app.session("admin", &[], None).await;
        admin_set(&app, &admin, "/api/admin_desk_set", "full_presence=busy_dnd&offer_seconds=30").await;
        // Ann works here (she set her presence on My dashboard); Bob's user never did, so his
        // own system keeps deciding his presence.
        let ann = app.session("agent", &[], Some("a1")).await;
        let (status, body) = my_fn(&app, &ann, "/api/my_presence", "presence=available").await;
        assert_eq!(status, 200, "{body}");
        let _bob = app.session("agent", &[], Some("a2")).await;
        // Routing offers and the agents' own system accepts: no action here filled the capacity.
        let t = at(0);
        let filled = json!([
            {"id":"o1","type":"conversation.offered","at":t,"conversation_id":"c1","agent_id":"a1","by":"routing"},
            {"id":"a1c1","type":"conversation.accepted","at":t,"conversation_id":"c1","agent_id":"a1"},
            {"id":"a2cap","type":"agent.upserted","at":t,"agent_id":"a2","name":"Bob","queues":["q1"],"capacity":1},
            {"id":"o2","type":"conversation.offered","at":t,"conversation_id":"c2","agent_id":"a2","by":"routing"},
            {"id":"a2c2","type":"conversation.accepted","at":t,"conversation_id":"c2","agent_id":"a2"},
        ]);
        assert_eq!(app.ingest(&filled.to_string()).await.0, 200);
        wait_for(8, "busy_dnd", || presence(&app, "a1")).await;
        assert_eq!(presence(&app, "a2").await, "available", "Bob's system decides his presence");

        // Another server over the same log (a restart) finds the busy was the server's, and
        // undoes it when capacity frees.
        let again = spawn_app_on(kind, app.db_url.clone(), server::config::Config {
            ingest_rate_per_second: 0,
            ..server::config::Config::default()
        })
        .await;
        assert_eq!(presence(&again, "a1").await, "busy_dnd");
        let t = at(1);
        let freed = json!([
            {"id":"e1","type":"conversation.ended","at":t,"conversation_id":"c1"},
            {"id":"x1","type":"conversation.closed","at":t,"conversation_id":"c1","reason":"resolved"},
        ]);
        assert_eq!(again.ingest(&freed.to_string()).await.0, 200, "freed");
        wait_for(5, "available", || presence(&again, "a1")).await;

        // A busy the person chose stays, capacity free or not.
        let ann = again.session("agent", &[], Some("a1")).await;
        let (status, body) = my_fn(&again, &ann, "/api/my_presence", "presence=busy").await;
        assert_eq!(status, 200, "{body}");
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_eq!(presence(&again, "a1").await, "busy");
    }
}

each_backend! {
    async fn agents_see_a_silent_monitor_only_when_the_admin_tells_them(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let admin = app.session("admin", &[], None).await;
        let ann = app.session("agent", &[], Some("a1")).await;
        let (status, text) = my_act(&app, &ann, "c1", json!({"action":"take"})).await;
        assert_eq!(status, 200, "{text}");
        let sup = app.session("supervisor", &["q1"], None).await;
        let (status, text) = supervisor_act(&app, &sup, "c1", json!({"action":"monitor"})).await;
        assert_eq!(status, 200, "{text}");
        let (_, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        assert_eq!(work["mine"][0]["monitors"], json!([]), "not told by default: {work}");

        admin_set(&app, &admin, "/api/admin_desk_set", "full_presence=busy&tell_monitoring=true&offer_seconds=30").await;
        let (_, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        let monitors = work["mine"][0]["monitors"].as_array().expect("monitors").clone();
        assert_eq!(monitors.len(), 1, "{work}");
        assert_eq!(monitors[0]["mode"], "silent");
        let (status, detail) = my_fn(&app, &ann, "/api/my_conversation", "id=c1").await;
        assert_eq!(status, 200, "{detail}");
        assert!(detail["events"].as_array().expect("events").iter().any(|e| e["kind"] == "monitored"), "{detail}");
    }
}
