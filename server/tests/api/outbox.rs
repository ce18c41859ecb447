//! The outbox's webhook: enqueued actions reach a receiver exactly once each, signed, with
//! the exact payload; failures are retried on the schedule; pending rows survive a restart;
//! an admin can redeliver; the webhook settings refuse bad input and change nothing then.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use server::config::Config;
use server::db::DbKind;
use server::store::entities::outbox as row;
use server::store::outbox::{OutboxEntry, enqueue};

use crate::helpers::{TestApp, free_port, fresh_database, kill_server, spawn_app, spawn_app_with};

const SECRET: &str = "a-receiver-secret-0123456789";

/// One POST the receiver got.
#[derive(Clone, Debug)]
struct Delivery {
    /// `X-Intraday-Delivery`.
    id: i64,
    /// Whether `X-Intraday-Signature` is the HMAC of `"{X-Intraday-Timestamp}.{body}"`.
    signed: bool,
    /// `Content-Type`.
    content_type: String,
    /// The body, as sent.
    body: String,
}

/// The receiver's record and what it answers next.
#[derive(Default)]
struct Inbox {
    deliveries: Vec<Delivery>,
    /// Statuses to answer, in order; 200 once they run out (or `refuse` is set).
    script: VecDeque<u16>,
    /// Answer 503 to everything while set.
    refuse: bool,
}

/// A webhook receiver on 127.0.0.1 that checks each delivery's signature with [`SECRET`].
#[derive(Clone)]
struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inbox.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inbox }
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.inbox.lock().expect("inbox").deliveries.clone()
    }

    /// How many deliveries of row `id` arrived.
    fn count(&self, id: i64) -> usize {
        self.deliveries().iter().filter(|d| d.id == id).count()
    }
}

async fn receive(
    State(inbox): State<Arc<Mutex<Inbox>>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let timestamp = header("x-intraday-timestamp");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (t - chrono::Utc::now().timestamp()).abs() < 60);
    let delivery = Delivery {
        id: header("x-intraday-delivery").parse().unwrap_or(-1),
        signed: fresh && header("x-intraday-signature") == format!("sha256={expected}"),
        content_type: header("content-type"),
        body,
    };
    let mut inbox = inbox.lock().expect("inbox");
    inbox.deliveries.push(delivery);
    let status = if inbox.refuse {
        503
    } else {
        inbox.script.pop_front().unwrap_or(200)
    };
    StatusCode::from_u16(status).expect("status")
}

/// An action as the ingest path would enqueue it.
fn entry(n: usize) -> OutboxEntry {
    let at = chrono::Utc::now();
    OutboxEntry {
        action: "assign".into(),
        conversation_id: format!("c{n}"),
        actor: "sue".into(),
        at_ms: at.timestamp_millis(),
        payload: json!({
            "action": "assign",
            "conversation_id": format!("c{n}"),
            "by": "sue",
            "at": at.to_rfc3339(),
            "events": [{"id": format!("e{n}"), "type": "conversation.assigned", "note": "ünïcode ✓"}],
            "agent_id": "ann",
        }),
        destination: None,
    }
}

/// Enqueues `n` actions; their row ids, oldest first.
async fn enqueue_n(db: &sea_orm::DatabaseConnection, n: usize) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for i in 0..n {
        let e = entry(i);
        enqueue(db, &e).await.expect("enqueue");
        out.push(e.payload.to_string());
    }
    let rows = row::Entity::find().all(db).await.expect("rows");
    let mut ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.into_iter().zip(out).collect()
}

/// A form field's value, encoded.
fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// Calls an admin server function; its status and body.
async fn call(app: &TestApp, admin: &str, function: &str, form: &str) -> (u16, String) {
    let (status, _, body) = app
        .page_request("POST", &format!("/api/{function}"), Some(admin), Some(form))
        .await;
    (status, body)
}

/// Points the webhook at `url` with [`SECRET`], as an admin.
async fn set_webhook(app: &TestApp, admin: &str, url: &str) {
    let (status, body) = call(
        app,
        admin,
        "admin_webhook_url_set",
        &format!("url={}", enc(url)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let form = format!("secret={}", enc(SECRET));
    let (status, body) = call(app, admin, "admin_webhook_secret_set", &form).await;
    assert_eq!(status, 200, "{body}");
}

/// Polls `check` every 50 ms until it holds; fails after `within`.
pub(crate) async fn eventually<F, Fut>(within: Duration, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn stored(db: &sea_orm::DatabaseConnection, id: i64) -> row::Model {
    row::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("db")
        .expect("row")
}

async fn all_delivered(db: &sea_orm::DatabaseConnection) -> bool {
    row::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .iter()
        .all(|r| r.delivered_ms.is_some())
}

each_backend! {
    async fn enqueued_actions_are_delivered_once_each_signed_with_their_exact_payload(kind) {
        let app = spawn_app(kind).await;
        let receiver = Receiver::start().await;
        let admin = app.session("admin", &[], None).await;
        let rows = enqueue_n(&app.db, 3).await;
        // No webhook yet: the actions wait.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert!(receiver.deliveries().is_empty());
        assert!(row::Entity::find().all(&app.db).await.expect("rows").iter().all(|r| r.delivered_ms.is_none() && r.attempts == 0));

        set_webhook(&app, &admin, &receiver.url).await;
        eventually(Duration::from_secs(10), "all delivered", || all_delivered(&app.db)).await;
        // A round or two more must not send anything again.
        tokio::time::sleep(Duration::from_millis(2_200)).await;
        let got = receiver.deliveries();
        assert_eq!(got.len(), 3, "{got:?}");
        for (id, payload) in &rows {
            let d: Vec<&Delivery> = got.iter().filter(|d| d.id == *id).collect();
            assert_eq!(d.len(), 1, "row {id} exactly once: {got:?}");
            assert!(d[0].signed, "row {id}: a valid, fresh signature");
            assert_eq!(d[0].content_type, "application/json");
            assert_eq!(&d[0].body, payload, "the exact payload");
            let r = stored(&app.db, *id).await;
            assert_eq!((r.attempts, r.failed, r.last_status), (0, false, Some(200)));
        }
        let ids: Vec<i64> = got.iter().map(|d| d.id).collect();
        assert!(ids.is_sorted(), "oldest first: {ids:?}");
        let (_, metrics) = app.metrics().await;
        assert!(
            metrics.contains("intraday_webhook_attempts_total{result=\"delivered\"} 3"),
            "{metrics}"
        );
    }
}

each_backend! {
    async fn a_failing_receiver_gets_the_action_on_the_third_try(kind) {
        let config = Config {
            ingest_rate_per_second: 0,
            webhook_retry_ms: 20,
            ..Config::default()
        };
        let app = spawn_app_with(kind, config).await;
        let receiver = Receiver::start().await;
        receiver.inbox.lock().expect("inbox").script = VecDeque::from([500, 500]);
        let admin = app.session("admin", &[], None).await;
        set_webhook(&app, &admin, &receiver.url).await;
        let rows = enqueue_n(&app.db, 1).await;
        let id = rows[0].0;

        // The first failure is recorded, then retried.
        eventually(Duration::from_secs(10), "the first failure", || async {
            stored(&app.db, id).await.attempts >= 1
        })
        .await;
        let r = stored(&app.db, id).await;
        if r.delivered_ms.is_none() && r.attempts == 1 {
            assert_eq!(r.last_status, Some(500));
            assert!(r.last_error.as_deref().is_some_and(|e| e.starts_with("HTTP 500")), "{r:?}");
            assert!(!r.failed);
        }
        eventually(Duration::from_secs(15), "delivered", || all_delivered(&app.db)).await;
        let r = stored(&app.db, id).await;
        assert_eq!(r.attempts, 2, "two failed tries recorded: {r:?}");
        assert_eq!(r.last_status, Some(200));
        assert_eq!(receiver.count(id), 3, "delivered on the third try");
        assert!(receiver.deliveries().iter().all(|d| d.signed && d.body == rows[0].1));
        let (_, metrics) = app.metrics().await;
        assert!(metrics.contains("intraday_webhook_attempts_total{result=\"failed\"} 2"), "{metrics}");
        assert!(metrics.contains("intraday_webhook_attempts_total{result=\"delivered\"} 1"), "{metrics}");
    }
}

each_backend! {
    async fn actions_pending_when_the_server_stops_are_delivered_after_a_restart(kind) {
        use server::store::settings;
        let url = fresh_database(kind).await;
        let db = server::db::connect_and_migrate(&url).await.expect("migrate");
        let receiver = Receiver::start().await;
        receiver.inbox.lock().expect("inbox").refuse = true;
        let webhook = |u: &str| serde_json::to_string(u).expect("json");
        settings::set(&db, app::model::admin::WEBHOOK_URL, &webhook(&receiver.url)).await.expect("url");
        settings::set(&db, app::model::admin::WEBHOOK_SECRET, &webhook(SECRET)).await.expect("secret");
        let port = free_port();
        let first = crate::helpers::start_server(&url, port).await;
        let rows = enqueue_n(&db, 2).await;
        eventually(Duration::from_secs(15), "both tried and refused", || async {
            row::Entity::find().all(&db).await.expect("rows").iter().all(|r| r.attempts >= 1)
        })
        .await;
        // Stop sending before the crash, so no row is mid-try (claimed) when it comes.
        settings::remove(&db, app::model::admin::WEBHOOK_URL).await.expect("remove");
        tokio::time::sleep(server::outbox::ROUND_EVERY * 2).await;
        kill_server(first);
        let tried: Vec<i32> = {
            let mut v = Vec::new();
            for (id, _) in &rows {
                let r = stored(&db, *id).await;
                assert!(r.delivered_ms.is_none() && !r.failed, "{r:?}");
                v.push(r.attempts);
            }
            v
        };

        receiver.inbox.lock().expect("inbox").refuse = false;
        settings::set(&db, app::model::admin::WEBHOOK_URL, &webhook(&receiver.url)).await.expect("url");
        let second = crate::helpers::start_server(&url, port).await;
        eventually(Duration::from_secs(20), "delivered after the restart", || all_delivered(&db)).await;
        kill_server(second);
        for ((id, payload), attempts) in rows.iter().zip(tried) {
            let r = stored(&db, *id).await;
            assert_eq!(r.attempts, attempts, "the failures before the restart were kept");
            let accepted: Vec<Delivery> = receiver
                .deliveries()
                .into_iter()
                .filter(|d| d.id == *id)
                .collect();
            assert_eq!(accepted.len(), attempts as usize + 1, "{accepted:?}");
            assert!(accepted.iter().all(|d| d.signed && d.body == *payload));
        }
    }
}

each_backend! {
    async fn an_admin_redelivers_a_delivered_or_failed_action(kind) {
        let app = spawn_app(kind).await;
        let receiver = Receiver::start().await;
        let admin = app.session("admin", &[], None).await;
        set_webhook(&app, &admin, &receiver.url).await;
        let rows = enqueue_n(&app.db, 2).await;
        let (delivered, failed) = (rows[0].0, rows[1].0);
        eventually(Duration::from_secs(10), "both delivered", || all_delivered(&app.db)).await;
        // Arrange a row given up on.
        row::ActiveModel {
            id: Set(failed),
            delivered_ms: Set(None),
            failed: Set(true),
            attempts: Set(154),
            last_status: Set(Some(502)),
            last_error: Set(Some("HTTP 502 bad gateway".into())),
            ..Default::default()
        }
        .update(&app.db)
        .await
        .expect("fail it");
        let (status, body) = call(&app, &admin, "admin_outbox", "show=failed").await;
        assert_eq!(status, 200, "{body}");
        let listed: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(listed[0]["id"], failed);
        assert_eq!(listed[0]["state"], "Failed");
        assert_eq!(listed[0]["last_error"], "HTTP 502 bad gateway");

        for id in [delivered, failed] {
            let (status, body) = call(&app, &admin, "admin_outbox_redeliver", &format!("id={id}")).await;
            assert_eq!(status, 200, "{body}");
        }
        eventually(Duration::from_secs(10), "both sent again", || async {
            receiver.count(delivered) == 2 && receiver.count(failed) == 2 && all_delivered(&app.db).await
        })
        .await;
        let r = stored(&app.db, failed).await;
        assert_eq!((r.failed, r.attempts, r.last_status), (false, 0, Some(200)), "a fresh series");
        let (_, body) = call(&app, &admin, "admin_outbox", "show=failed").await;
        assert_eq!(serde_json::from_str::<Value>(&body).expect("json"), json!([]));
        let (_, body) = call(&app, &admin, "admin_outbox", "").await;
        let all: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(all[0]["id"], failed, "newest first");
        assert_eq!(all[1]["state"], "Delivered");

        let audit = server::store::audit::recent(&app.db, 10).await.expect("audit");
        let redelivered: Vec<&str> = audit
            .iter()
            .filter(|a| a.action == "outbox.redeliver")
            .map(|a| a.target.as_str())
            .collect();
        assert_eq!(redelivered, [format!("outbox:{failed}"), format!("outbox:{delivered}")]);
        let (status, body) = call(&app, &admin, "admin_outbox_redeliver", "id=999999").await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains(r#""key":"problem.no_outbox_row""#), "{body}");
    }
}

each_backend! {
    async fn the_webhook_settings_refuse_bad_urls_and_secrets_and_change_nothing(kind) {
        let app = spawn_app(kind).await;
        let admin = app.session("admin", &[], None).await;
        let long = format!("http://hooks.example/{}", "a".repeat(2_048));
        let cases = [
            ("admin_webhook_url_set", format!("url={}", enc("https://hooks.example/in")), "problem.webhook_tls"),
            ("admin_webhook_url_set", format!("url={}", enc("ftp://hooks.example/in")), "problem.webhook_scheme"),
            ("admin_webhook_url_set", format!("url={}", enc("http://user:pw@hooks.example/")), "problem.webhook_url"),
            ("admin_webhook_url_set", format!("url={}", enc(&long)), "problem.webhook_url_length"),
            ("admin_webhook_secret_set", "secret=short".to_owned(), "problem.webhook_secret"),
            ("admin_webhook_secret_set", format!("secret={}", "x".repeat(257)), "problem.webhook_secret"),
            ("admin_webhook_secret_set", String::new(), "problem.webhook_secret"),
        ];
        for (function, form, key) in &cases {
            let (status, body) = call(&app, &admin, function, form).await;
            assert_eq!(status, 400, "{function} {form}: {body}");
            assert!(body.contains(&format!(r#""key":"{key}""#)), "{function}: {body}");
            let field = if function.contains("url") { "webhook_url" } else { "webhook_secret" };
            assert!(body.contains(field), "{function}: {body} names {field}");
        }
        // The https refusal says why and what to do, in both languages.
        for locale in app::i18n::Locale::ALL {
            let text = app::i18n::tr(locale, "problem.webhook_tls");
            assert!(text.contains("TLS") && text.contains("http://"), "{locale:?}: {text}");
        }
        let (status, body) = call(&app, &admin, "admin_webhook", "").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).expect("json"),
            json!({"url": "", "secret_set": false}),
            "nothing changed"
        );
        let audit = server::store::audit::recent(&app.db, 50).await.expect("audit");
        assert!(audit.iter().all(|a| !a.action.starts_with("settings.webhook")), "{audit:?}");

        // Good values are kept (the URL normalised), the secret never shown or audited.
        set_webhook(&app, &admin, "HTTP://Hooks.Example:8080/in?x=1").await;
        let (_, body) = call(&app, &admin, "admin_webhook", "").await;
        assert_eq!(
            serde_json::from_str::<Value>(&body).expect("json"),
            json!({"url": "http://hooks.example:8080/in?x=1", "secret_set": true})
        );
        let audit = server::store::audit::recent(&app.db, 50).await.expect("audit");
        assert!(audit.iter().any(|a| a.action == "settings.webhook_secret"));
        assert!(audit.iter().all(|a| !a.detail.contains(SECRET)), "{audit:?}");
        let (status, _, html) = app.page_request("GET", "/admin/webhook", Some(&admin), None).await;
        assert_eq!(status, 200);
        assert!(!html.contains(SECRET), "the page never shows the secret");
        assert!(html.contains("data-testid=\"webhook-state\""), "{html}");
        // An empty URL turns the webhook off.
        let (status, body) = call(&app, &admin, "admin_webhook_url_set", "url=").await;
        assert_eq!(status, 200, "{body}");
        let (_, body) = call(&app, &admin, "admin_webhook", "").await;
        assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["url"], "");
    }
}

each_backend! {
    async fn a_due_row_is_claimed_by_one_replica_only_until_its_claim_passes(kind) {
        let app = spawn_app(kind).await;
        // A second connection pool, as another replica of the same database would have.
        let other = server::db::connect_and_migrate(&app.db_url).await.expect("connect");
        enqueue_n(&app.db, 1).await;
        let now = server::store::now_ms();
        let due = server::store::outbox::due(&app.db, now, 50, true).await.expect("due");
        let seen = server::store::outbox::due(&other, now, 50, true).await.expect("due");
        assert_eq!(due, seen, "both replicas see the same due row");
        let until = now + 60_000;
        let (a, b) = tokio::join!(
            server::store::outbox::claim(&app.db, &due[0], until),
            server::store::outbox::claim(&other, &seen[0], until),
        );
        assert!(a.expect("claim") ^ b.expect("claim"), "exactly one claim wins");
        assert!(server::store::outbox::due(&app.db, now + 1_000, 50, true).await.expect("due").is_empty(), "claimed: not due");
        assert_eq!(server::store::outbox::due(&other, until, 50, true).await.expect("due").len(), 1, "due again once the claim passes");
    }
}

each_backend! {
    async fn retention_prunes_old_rows_done_with_and_keeps_pending_ones(kind) {
        let app = spawn_app(kind).await;
        let rows = enqueue_n(&app.db, 3).await;
        let (delivered, failed, pending) = (rows[0].0, rows[1].0, rows[2].0);
        let day_ago = server::store::now_ms() - 86_400_000;
        for (id, delivered_ms, given_up) in [
            (delivered, Some(day_ago), false),
            (failed, None, true),
            (pending, None, false),
        ] {
            row::ActiveModel {
                id: Set(id),
                created_ms: Set(day_ago),
                delivered_ms: Set(delivered_ms),
                failed: Set(given_up),
                ..Default::default()
            }
            .update(&app.db)
            .await
            .expect("age it");
        }
        enqueue(&app.db, &entry(9)).await.expect("a new row, kept");
        let pruned = server::store::outbox::prune(&app.db, day_ago + 1).await.expect("prune");
        assert_eq!(pruned, 2);
        let left: Vec<i64> = row::Entity::find().all(&app.db).await.expect("rows").iter().map(|r| r.id).collect();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left.contains(&pending), "a pending row stays, however old");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_migration_goes_down_and_up_again() {
    use migrations::{Migrator, MigratorTrait};
    let url = fresh_database(DbKind::Sqlite).await;
    let db = server::db::connect_and_migrate(&url)
        .await
        .expect("migrate");
    enqueue(&db, &entry(1)).await.expect("enqueue");
    // Down to just before it (past any migration added after it).
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261207_000002_create_outbox")
        .expect("listed");
    Migrator::down(&db, Some((names.len() - at) as u32))
        .await
        .expect("down");
    assert!(
        row::Entity::find().all(&db).await.is_err(),
        "the table is gone"
    );
    Migrator::up(&db, None).await.expect("up");
    assert_eq!(row::Entity::find().all(&db).await.expect("rows").len(), 0);
}

each_backend! {
    async fn supervisor_actions_reach_the_webhook_as_taken_and_refused_ones_never(kind) {
        let app = spawn_app(kind).await;
        let receiver = Receiver::start().await;
        let admin = app.session("admin", &[], None).await;
        set_webhook(&app, &admin, &receiver.url).await;
        let t = chrono::Utc::now().to_rfc3339();
        let scene = serde_json::json!([
            {"id":"q1","type":"queue.upserted","at":t,"queue_id":"q1","name":"Billing","channels":["chat"]},
            {"id":"a1","type":"agent.upserted","at":t,"agent_id":"a1","name":"Ann","queues":["q1"]},
            {"id":"p1","type":"agent.presence","at":t,"agent_id":"a1","presence":"available"},
            {"id":"c1","type":"conversation.created","at":t,"conversation_id":"c1","queue_id":"q1","channel":"chat","customer":{"id":"k","name":"Ada"}},
        ]);
        assert_eq!(app.ingest(&scene.to_string()).await.0, 200);
        let token = server::store::tokens::generate().expect("random");
        server::store::tokens::insert(&app.db, "bot", &token, &[server::store::tokens::Scope::Act], None)
            .await
            .expect("token");
        let act = |body: serde_json::Value| {
            let (base, token) = (app.base.clone(), token.clone());
            async move {
                crate::helpers::request(&base, "POST", "/api/v1/conversations/c1/actions", Some(&token), Some("application/json"), body.to_string().as_bytes()).await.0
            }
        };
        // Refused: a stale state; then taken: assign, then force close.
        assert_eq!(act(serde_json::json!({"action":"assign","agent_id":"a1","expected_state":"waiting/a1/q1/-"})).await, 409);
        assert_eq!(act(serde_json::json!({"action":"assign","agent_id":"a1","expected_state":"open/-/q1/-"})).await, 200);
        assert_eq!(act(serde_json::json!({"action":"force_close","reason":"spam"})).await, 200);
        eventually(Duration::from_secs(10), "both delivered", || async { receiver.deliveries().len() >= 2 }).await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let got = receiver.deliveries();
        assert_eq!(got.len(), 2, "exactly the actions taken: {got:?}");
        assert!(got.iter().all(|d| d.signed));
        let bodies: Vec<serde_json::Value> = got.iter().map(|d| serde_json::from_str(&d.body).expect("json")).collect();
        assert_eq!(bodies[0]["action"], "assign");
        assert_eq!(bodies[0]["agent_id"], "a1");
        assert_eq!(bodies[0]["by"], "token:bot");
        assert_eq!(bodies[0]["before"], "open/-/q1/-");
        assert_eq!(bodies[0]["after"], "offered/a1/q1/-");
        assert_eq!(bodies[0]["events"][0]["type"], "conversation.offered");
        assert_eq!(bodies[1]["action"], "force_close");
        assert_eq!(bodies[1]["reason"], "spam");
        assert_eq!(bodies[1]["events"].as_array().map(Vec::len), Some(2));
        // The events the webhook names are the stored ones.
        let stored = server::store::events::read_conversations(&app.db, &["c1".to_owned()], i64::MAX).await.expect("events");
        for e in bodies.iter().flat_map(|b| b["events"].as_array().cloned().unwrap_or_default()) {
            assert!(stored.iter().any(|p| p.contains(e["id"].as_str().unwrap())), "{e}");
        }
    }
}
