//! The My dashboard's server side: an agent's actions on their own work (take, accept, write,
//! wait, resume, end, close with notes, transfer, escalate), each written with its audit record
//! and outbox entry; refused actions change nothing; another agent's work is not found.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

pub(crate) fn at(offset_s: i64) -> String {
    (chrono::Utc::now() + chrono::TimeDelta::seconds(offset_s)).to_rfc3339()
}

/// Queue q1 with agents a1 (capacity 1) and a2, both available; open conversations c1 and c2
/// in q1, c3 in q2.
pub(crate) async fn scene(app: &TestApp) {
    let t = at(-60);
    let body = json!([
        {"id":"q1","type":"queue.upserted","at":t,"queue_id":"q1","name":"Billing","channels":["chat"]},
        {"id":"q2","type":"queue.upserted","at":t,"queue_id":"q2","name":"Sales","channels":["chat"]},
        {"id":"a1","type":"agent.upserted","at":t,"agent_id":"a1","name":"Ann","queues":["q1"],"capacity":1},
        {"id":"a2","type":"agent.upserted","at":t,"agent_id":"a2","name":"Bob","queues":["q1"]},
        {"id":"p1","type":"agent.presence","at":t,"agent_id":"a1","presence":"available"},
        {"id":"p2","type":"agent.presence","at":t,"agent_id":"a2","presence":"available"},
        {"id":"c1","type":"conversation.created","at":t,"conversation_id":"c1","queue_id":"q1",
         "channel":"chat","customer":{"id":"u1","name":"Zoë"}},
        {"id":"c2","type":"conversation.created","at":t,"conversation_id":"c2","queue_id":"q1",
         "channel":"chat","customer":{"id":"u2","name":"Yan"}},
        {"id":"c3","type":"conversation.created","at":t,"conversation_id":"c3","queue_id":"q2",
         "channel":"chat","customer":{"id":"u3","name":"Xi"}},
    ]);
    assert_eq!(app.ingest(&body.to_string()).await.0, 200);
}

/// An agent's action on My dashboard (`my_act`), as the page sends it.
pub(crate) async fn my_act(app: &TestApp, cookie: &str, id: &str, request: Value) -> (u16, String) {
    act(app, "/api/my_act", cookie, id, request).await
}

/// A supervisor's action on the Ongoing tab (`ongoing_act`), as the page sends it.
pub(crate) async fn supervisor_act(
    app: &TestApp,
    cookie: &str,
    id: &str,
    request: Value,
) -> (u16, String) {
    act(app, "/api/ongoing_act", cookie, id, request).await
}

/// An action's JSON body POSTed to server function `path` from the app's own page.
async fn act(app: &TestApp, path: &str, cookie: &str, id: &str, request: Value) -> (u16, String) {
    let body = json!({"id": id, "request": request}).to_string();
    let (status, _, text) = crate::helpers::request_with(
        &app.base,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Origin", app.base.as_str()),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await;
    (status, text)
}

/// A server function of the dashboard with a form body.
pub(crate) async fn my_fn(app: &TestApp, cookie: &str, path: &str, form: &str) -> (u16, Value) {
    let (status, _, text) = crate::helpers::request_with(
        &app.base,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Origin", app.base.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    )
    .await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|l| l.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default()
}

pub(crate) async fn state(app: &TestApp, id: &str) -> String {
    app.ingestor
        .with_ledger(|l| {
            l.conversation(id)
                .map(|c| app::ongoing::row::conversation_token(&c))
                .unwrap_or_default()
        })
        .await
}

async fn event_count(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    server::store::entities::event::Entity::find()
        .count(&app.db)
        .await
        .expect("count")
}

each_backend! {
    async fn an_agent_works_a_conversation_from_taking_it_to_closing_it(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let ann = app.session("agent", &[], Some("a1")).await;
        let (status, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        assert_eq!(status, 200, "{work}");
        assert_eq!((work["presence"].as_str(), work["capacity"].as_u64(), work["used"].as_u64()), (Some("available"), Some(1), Some(0)));
        assert_eq!(ids(&work["open"]), ["c1", "c2"], "their queue's open conversations, not q2's");
        assert_eq!(ids(&work["mine"]), Vec::<&str>::new());
        let (status, text) = my_act(&app, &ann, "c1", json!({"action":"take"})).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(state(&app, "c1").await, "active/a1/q1/-");
        // A supervisor listens in silently: the agent's work does not say so.
        let sup = app.session("supervisor", &["q1"], None).await;
        let (status, text) = supervisor_act(&app, &sup, "c1", json!({"action":"monitor"})).await;
        assert_eq!(status, 200, "{text}");
        let (_, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        assert_eq!((ids(&work["mine"]), ids(&work["open"]), work["used"].as_u64()), (vec!["c1"], vec!["c2"], Some(1)));
        assert_eq!(work["mine"][0]["monitors"], json!([]), "{work}");
        let (status, detail) = my_fn(&app, &ann, "/api/my_conversation", "id=c1").await;
        assert_eq!(status, 200, "{detail}");
        assert!(!detail.to_string().contains("monitor"), "{detail}");
        // Capacity full: the presence went busy by itself.
        assert_eq!(work["presence"], "busy");
        // Another queue's conversation's transcript is not theirs to read.
        let (status, _) = my_fn(&app, &ann, "/api/my_conversation", "id=c3").await;
        assert_eq!(status, 404);
        // Capacity 1 is full: the second is refused with the reason, and nothing changes.
        let before = event_count(&app).await;
        let (status, text) = my_act(&app, &ann, "c2", json!({"action":"take"})).await;
        assert_eq!(status, 422, "{text}");
        assert!(text.contains("problem.my_no_capacity"), "{text}");
        assert_eq!(state(&app, "c2").await, "open/-/q1/-");
        assert_eq!(event_count(&app).await, before);

        for request in [
            json!({"action":"send","text":"Hello, how can I help?"}),
            json!({"action":"wait"}),
            json!({"action":"resume"}),
            json!({"action":"escalate","note":"asks for a refund over my limit"}),
            json!({"action":"end"}),
            json!({"action":"close","notes":"refund approved by a supervisor"}),
        ] {
            let (status, text) = my_act(&app, &ann, "c1", request.clone()).await;
            assert_eq!(status, 200, "{request}: {text}");
        }
        assert!(state(&app, "c1").await.starts_with("closed"), "{}", state(&app, "c1").await);
        let (_, work) = my_fn(&app, &ann, "/api/my_work", "").await;
        assert_eq!(ids(&work["closed_today"]), ["c1"]);
        // Capacity free again: back to available (the log changes only through events, so both
        // changes are presence events).
        assert_eq!(work["presence"], "available");
        assert_eq!(work["closed_today"][0]["reason"], "resolved");
        // Their closed conversation's transcript stays readable for the day.
        let (status, detail) = my_fn(&app, &ann, "/api/my_conversation", "id=c1").await;
        assert_eq!(status, 200, "{detail}");
        assert!(detail["events"].as_array().is_some_and(|e| e.len() >= 8), "{detail}");
        // Each action audited as the person, and sent out through the webhook's outbox.
        let audit = server::store::audit::recent(&app.db, 20).await.expect("audit");
        for name in ["take", "send", "wait", "resume", "escalate", "end", "close"] {
            assert!(
                audit.iter().any(|e| e.action == format!("conversation.{name}") && e.actor.starts_with("agent")),
                "{name}: {audit:?}"
            );
        }
        let out = server::store::outbox::recent(&app.db, app::model::outbox::OutboxFilter::All, 20).await.expect("outbox");
        let agents_actions = out.iter().filter(|o| o.actor.starts_with("agent")).count();
        assert_eq!(agents_actions, 7, "{out:?}");
        // The wrap-up notes are for colleagues only; the message is the agent's.
        let payloads = server::store::events::read_conversations(&app.db, &["c1".to_owned()], i64::MAX)
            .await
            .expect("events");
        let events: Vec<Value> = payloads.iter().map(|p| serde_json::from_str(p).expect("json")).collect();
        let notes = events.iter().find(|e| e["text"] == "refund approved by a supervisor").expect("notes");
        assert_eq!((notes["from"].as_str(), notes["visibility"].as_str()), (Some("agent"), Some("agents")));
        let hello = events.iter().find(|e| e["text"] == "Hello, how can I help?").expect("message");
        assert_eq!(hello["agent_id"], "a1");
        assert!(events.iter().any(|e| e["type"] == "conversation.offered" && e["by"] == "agent"));
        // After a restart the day's closed list is read back from the log, the same.
        let again = crate::helpers::spawn_app_on(kind, app.db_url.clone(), server::config::Config {
            ingest_rate_per_second: 0,
            ..server::config::Config::default()
        })
        .await;
        let ann_again = again.session("agent", &[], Some("a1")).await;
        let (_, after) = my_fn(&again, &ann_again, "/api/my_work", "").await;
        assert_eq!(after["closed_today"], work["closed_today"], "{after}");
    }
}

each_backend! {
    async fn offers_are_accepted_or_declined_and_other_work_is_not_found(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let offer = json!([
            {"id":"o1","type":"conversation.offered","at":at(-5),"conversation_id":"c1","agent_id":"a1","by":"routing"},
            {"id":"o2","type":"conversation.offered","at":at(-5),"conversation_id":"c2","agent_id":"a2","by":"routing"},
        ]);
        assert_eq!(app.ingest(&offer.to_string()).await.0, 200);
        let ann = app.session("agent", &[], Some("a1")).await;
        // Bob's offer and another queue's conversation are not Ann's to see.
        let before = event_count(&app).await;
        for (id, request) in [("c2", json!({"action":"accept"})), ("c3", json!({"action":"take"})), ("nope", json!({"action":"accept"}))] {
            let (status, text) = my_act(&app, &ann, id, request).await;
            assert_eq!(status, 404, "{id}: {text}");
        }
        // Taken a moment ago by a colleague: said so.
        let (status, text) = my_act(&app, &ann, "c2", json!({"action":"take"})).await;
        assert_eq!(status, 409, "{text}");
        assert!(text.contains("problem.my_taken"), "{text}");
        // A stale view is refused as changed.
        let (status, text) = my_act(&app, &ann, "c1", json!({"action":"accept","expected_state":"open/-/q1/-"})).await;
        assert_eq!(status, 409, "{text}");
        assert_eq!(event_count(&app).await, before);
        let (status, text) = my_act(&app, &ann, "c1", json!({"action":"decline"})).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(state(&app, "c1").await, "open/-/q1/-");
        // A person not linked to an agent has no work of their own.
        let sup = app.session("supervisor", &["q1"], None).await;
        let (status, text) = my_act(&app, &sup, "c1", json!({"action":"take"})).await;
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("problem.my_not_agent"), "{text}");
        // A supervisor who takes conversations (linked to an agent) may.
        let working = app.session("supervisor", &["q1"], Some("a2")).await;
        let (status, text) = my_act(&app, &working, "c2", json!({"action":"accept"})).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(state(&app, "c2").await, "active/a2/q1/-");
    }
}

each_backend! {
    async fn the_agents_feed_announces_changes_of_their_queues_and_their_own_work(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        let ann = app.session("agent", &[], Some("a1")).await;
        let mut feed = crate::sse::connect_cookie(&app.base, "/api/v1/stream/my", &ann).await;
        assert_eq!(feed.status, 200, "{}", feed.head);
        assert_eq!(feed.next_data().await.expect("first").event, "changed");
        // Another queue's conversation is none of Ann's business.
        let other = json!([{"id":"m3","type":"conversation.message","at":at(0),"conversation_id":"c3","from":"customer","text":"Secret"}]);
        assert_eq!(app.ingest(&other.to_string()).await.0, 200);
        assert!(feed.quiet_for(std::time::Duration::from_millis(500)).await, "no change announced for q2");
        let mine = json!([{"id":"m1","type":"conversation.offered","at":at(0),"conversation_id":"c1","agent_id":"a1","by":"routing"}]);
        assert_eq!(app.ingest(&mine.to_string()).await.0, 200);
        let next = feed.next_data().await.expect("a change");
        assert_eq!(next.event, "changed");
        assert!(!next.data.contains("Zoë"), "no customer data: {next:?}");
        // Ann joins q2: the feed ends so that the page connects again with both queues.
        let moved = json!([{"id":"a1q2","type":"agent.upserted","at":at(0),"agent_id":"a1","name":"Ann","queues":["q1","q2"],"capacity":1}]);
        assert_eq!(app.ingest(&moved.to_string()).await.0, 200);
        let mut seen = Vec::new();
        while seen.last().map(String::as_str) != Some("shutdown") {
            let e = feed.next_data().await.expect("the feed ends with a shutdown");
            seen.push(e.event);
            assert!(seen.len() < 20, "{seen:?}");
        }
        let mut again = crate::sse::connect_cookie(&app.base, "/api/v1/stream/my", &ann).await;
        assert_eq!(again.next_data().await.expect("first").event, "changed");
        let q2 = json!([{"id":"m4","type":"conversation.message","at":at(0),"conversation_id":"c3","from":"customer","text":"Hello"}]);
        assert_eq!(app.ingest(&q2.to_string()).await.0, 200);
        assert_eq!(again.next_data().await.expect("q2's change").event, "changed");
        // A person not linked to an agent has no feed of their own.
        let sup = app.session("supervisor", &["q1"], None).await;
        let denied = crate::sse::connect_cookie(&app.base, "/api/v1/stream/my", &sup).await;
        assert_eq!(denied.status, 403, "{}", denied.head);
    }
}

each_backend! {
    async fn an_offer_to_a_person_left_alone_times_out(kind) {
        let app = spawn_app(kind).await;
        scene(&app).await;
        // Ann is worked by a person here; Bob is not (his system answers for him).
        let _ann = app.session("agent", &[], Some("a1")).await;
        let offers = json!([
            {"id":"o1","type":"conversation.offered","at":at(-40),"conversation_id":"c1","agent_id":"a1","by":"routing"},
            {"id":"o2","type":"conversation.offered","at":at(-40),"conversation_id":"c2","agent_id":"a2","by":"routing"},
        ]);
        assert_eq!(app.ingest(&offers.to_string()).await.0, 200);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while state(&app, "c1").await != "open/-/q1/-" {
            assert!(std::time::Instant::now() < deadline, "c1 is still {}", state(&app, "c1").await);
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let payloads = server::store::events::read_conversations(&app.db, &["c1".to_owned()], i64::MAX)
            .await
            .expect("events");
        let rejected: Vec<Value> = payloads
            .iter()
            .map(|p| serde_json::from_str::<Value>(p).expect("json"))
            .filter(|e| e["type"] == "conversation.rejected")
            .collect();
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert_eq!((rejected[0]["agent_id"].as_str(), rejected[0]["reason"].as_str()), (Some("a1"), Some("timed_out")));
        // Stamped when the 30 s ran out, not when it was noticed.
        let offered = chrono::DateTime::parse_from_rfc3339(&at(-40)).expect("time");
        let stamped = chrono::DateTime::parse_from_rfc3339(rejected[0]["at"].as_str().expect("at")).expect("time");
        assert!((stamped - offered).num_seconds() <= 31, "{stamped} vs {offered}");
        assert_eq!(state(&app, "c2").await, "offered/a2/q1/-");
    }
}

each_backend! {
    async fn an_agent_who_asks_for_no_page_starts_at_their_own_work(kind) {
        let app = spawn_app(kind).await;
        for (login, role, agent) in [
            ("ada", app::auth::Role::Agent, Some("a1")),
            ("sam", app::auth::Role::Supervisor, Some("a2")),
        ] {
            let new = server::store::users::NewUser {
                login: login.into(),
                role,
                queues: vec!["q1".into()],
                agent_id: agent.map(str::to_owned),
            };
            server::store::users::insert(&app.db, &new, "a long enough password")
                .await
                .expect("user");
        }
        let sign_in = |form: &'static str| {
            let app = &app;
            async move {
                let (status, head, _) = app.page_request("POST", "/auth/signin", None, Some(form)).await;
                assert_eq!(status, 303, "{head}");
                head.lines()
                    .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
                    .map(|l| l.trim().to_owned())
                    .unwrap_or_default()
            }
        };
        assert_eq!(sign_in("login=ada&password=a+long+enough+password").await, "/my");
        assert_eq!(sign_in("login=ada&password=a+long+enough+password&next=%2Finsights").await, "/insights");
        // A supervisor who also takes conversations starts where supervisors do.
        assert_eq!(sign_in("login=sam&password=a+long+enough+password").await, "/");
    }
}
