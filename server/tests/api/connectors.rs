//! The Chatwoot connector end to end: signed deliveries through the webhook URL, a day of a
//! Chatwoot account against the same day sent as native events, refusals, idempotency, the
//! payloads kept aside, their retention, and the command line. Actions carried back to
//! Chatwoot: `connectors_outbound.rs`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_same, intraday, request, request_with, spawn_app};

pub(crate) const SECRET: &str = "chatwoot-webhook-secret-0001";

pub(crate) fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/chatwoot/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

/// Adds a Chatwoot connector to the app's database; returns its key.
async fn connector(app: &TestApp, unsigned: bool) -> String {
    let form = app::model::connector::ConnectorForm {
        name: format!("Chatwoot {unsigned}"),
        secret: SECRET.into(),
        unsigned,
        ..Default::default()
    };
    server::connectors::admin::create(&app.db, "test", &form)
        .await
        .expect("connector")
        .key
}

/// POSTs a body to the connector's URL, signed at `ts` (Unix seconds) unless `ts` is `None`.
async fn deliver_raw(
    app: &TestApp,
    key: &str,
    body: &[u8],
    secret: &str,
    ts: Option<i64>,
    delivery: &str,
) -> (u16, Value) {
    let path = format!("/api/v1/connectors/chatwoot/{key}");
    let ts = ts.map(|t| t.to_string());
    let signature = ts
        .as_ref()
        .map(|t| server::connectors::chatwoot::sign::signature(secret, t, body));
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("X-Chatwoot-Delivery", delivery),
    ];
    if let (Some(t), Some(s)) = (&ts, &signature) {
        headers.push(("X-Chatwoot-Timestamp", t));
        headers.push(("X-Chatwoot-Signature", s));
    }
    let (status, _, text) = request_with(&app.base, "POST", &path, &headers, body).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn deliver(app: &TestApp, key: &str, body: &Value) -> Value {
    let bytes = body.to_string().into_bytes();
    let now = chrono::Utc::now().timestamp();
    let (status, answer) = deliver_raw(app, key, &bytes, SECRET, Some(now), "d").await;
    assert_eq!(status, 200, "{answer} for {body}");
    answer
}

/// One step of a conversation's day, at seconds from the day's start.
#[derive(Clone, Debug)]
enum Step {
    Created,
    Incoming,
    Assigned(u64),
    Outgoing,
    Note,
    Snoozed,
    Resolved,
}

struct Script {
    id: u64,
    inbox: u64,
    customer: u64,
    steps: Vec<(i64, Step)>,
}

/// Forty conversations over five hours: answered, transferred, parked and resumed, resolved
/// unanswered, still ongoing, one opened again after it was resolved.
fn day() -> Vec<Script> {
    let mut out = Vec::new();
    for i in 0..40u64 {
        let t0 = (i as i64) * 420;
        let agent = 7 + i % 2;
        let steps = match i % 5 {
            0 => {
                let mut s = vec![
                    (t0, Step::Created),
                    (t0 + 10, Step::Incoming),
                    (t0 + 60 + i as i64, Step::Assigned(agent)),
                    (t0 + 90 + i as i64, Step::Outgoing),
                    (t0 + 600, Step::Resolved),
                ];
                if i == 0 {
                    s.push((t0 + 700, Step::Assigned(8)));
                    s.push((t0 + 710, Step::Outgoing));
                }
                s
            }
            1 => vec![
                (t0, Step::Created),
                (t0 + 30, Step::Assigned(7)),
                (t0 + 200, Step::Assigned(8)),
                (t0 + 260, Step::Outgoing),
                (t0 + 500, Step::Resolved),
            ],
            2 => vec![
                (t0, Step::Created),
                (t0 + 20, Step::Incoming),
                (t0 + 40, Step::Assigned(8)),
                (t0 + 120, Step::Snoozed),
                (t0 + 300, Step::Assigned(8)),
                (t0 + 400, Step::Resolved),
            ],
            3 => vec![
                (t0, Step::Created),
                (t0 + 5, Step::Incoming),
                (t0 + 900, Step::Resolved),
            ],
            _ => vec![
                (t0, Step::Created),
                (t0 + 45, Step::Assigned(agent)),
                (t0 + 80, Step::Note),
            ],
        };
        out.push(Script {
            id: 1000 + i,
            inbox: if i % 3 == 0 { 5 } else { 3 },
            customer: 500 + i,
            steps,
        });
    }
    out
}

fn agent_name(id: u64) -> &'static str {
    if id == 7 { "Ana Costa" } else { "Bruno Lima" }
}

pub(crate) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The day as Chatwoot sends it, in time order: each step's payloads (a status change comes
/// as `conversation_status_changed` and `conversation_updated`, as Chatwoot sends both).
fn chatwoot_payloads(day: &[Script], start: i64) -> Vec<(i64, Value)> {
    let mut out = Vec::new();
    let mut message = 90_000u64;
    for c in day {
        let created = start + c.steps[0].0;
        let mut status = "open";
        let mut assignee: Option<u64> = None;
        for (offset, step) in &c.steps {
            let t = start + offset;
            let conv = |status: &str, assignee: Option<u64>, event: &str| {
                let mut v = fixture("conversation_updated_assignee");
                v["id"] = json!(c.id);
                v["inbox_id"] = json!(c.inbox);
                v["channel"] = json!(if c.inbox == 5 {
                    "Channel::Email"
                } else {
                    "Channel::WebWidget"
                });
                v["status"] = json!(status);
                v["meta"]["sender"]["id"] = json!(c.customer);
                v["meta"]["sender"]["name"] = json!(format!("Customer {}", c.customer));
                match assignee {
                    Some(a) => {
                        v["meta"]["assignee"]["id"] = json!(a);
                        v["meta"]["assignee"]["name"] = json!(agent_name(a));
                    }
                    None => {
                        v["meta"]["assignee"] = Value::Null;
                        v["meta"]["assignee_type"] = Value::Null;
                    }
                }
                v["created_at"] = json!(created);
                v["updated_at"] = json!(t as f64 + 0.25);
                v["timestamp"] = json!(t);
                v["event"] = json!(event);
                v
            };
            let msg = |name: &str, id: u64, sender: Value, conv: Value| {
                let mut v = fixture(name);
                v["id"] = json!(id);
                v["created_at"] = json!(iso(t * 1000 + 500));
                v["content"] = json!(format!("message {id}"));
                v["inbox"] = json!({"id": c.inbox, "name": format!("Inbox {}", c.inbox)});
                v["sender"] = sender;
                v["conversation"] = conv;
                v
            };
            match step {
                Step::Created => out.push((t, conv(status, assignee, "conversation_created"))),
                Step::Incoming => {
                    message += 1;
                    let sender =
                        json!({"id": c.customer, "name": format!("Customer {}", c.customer)});
                    let m = msg(
                        "message_created_incoming",
                        message,
                        sender,
                        conv(status, assignee, "message_created"),
                    );
                    out.push((t, m));
                }
                Step::Outgoing | Step::Note => {
                    message += 1;
                    let a = assignee.expect("assigned");
                    let sender = json!({"id": a, "name": agent_name(a), "email": "a@example.com", "type": "user"});
                    let name = if matches!(step, Step::Note) {
                        "message_created_private"
                    } else {
                        "message_created_outgoing"
                    };
                    out.push((
                        t,
                        msg(
                            name,
                            message,
                            sender,
                            conv(status, assignee, "message_created"),
                        ),
                    ));
                }
                Step::Assigned(a) => {
                    let was = status;
                    assignee = Some(*a);
                    status = "open";
                    if was != "open" {
                        out.push((t, conv(status, assignee, "conversation_status_changed")));
                    }
                    out.push((t, conv(status, assignee, "conversation_updated")));
                }
                Step::Snoozed => {
                    status = "snoozed";
                    out.push((t, conv(status, assignee, "conversation_status_changed")));
                    out.push((t, conv(status, assignee, "conversation_updated")));
                }
                Step::Resolved => {
                    status = "resolved";
                    out.push((t, conv(status, assignee, "conversation_status_changed")));
                    out.push((t, conv(status, assignee, "conversation_updated")));
                    assignee = None;
                }
            }
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

/// The same day as an integration writing Intraday's events (EVENTS.md) would send it, with
/// the connector's names for queues, agents and customers.
fn native_events(day: &[Script], start: i64, prefix: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("native-{n}")
    };
    let mut queues_seen: Vec<u64> = Vec::new();
    // Agents as first seen in each queue, in time order: each upsert lists every queue so far.
    let mut seen: Vec<(i64, u64, String)> = day
        .iter()
        .flat_map(|c| {
            c.steps.iter().filter_map(move |(t, step)| match step {
                Step::Assigned(a) => Some((start + t, *a, format!("{prefix}-inbox-{}", c.inbox))),
                _ => None,
            })
        })
        .collect();
    seen.sort();
    let mut agents: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
    for (t, a, queue) in seen {
        let queues = agents.entry(a).or_default();
        if !queues.contains(&queue) {
            queues.push(queue);
            out.push(
                json!({"id": id(), "type": "agent.upserted", "at": iso(t * 1000 + 250),
                "agent_id": format!("{prefix}-user-{a}"), "name": agent_name(a), "queues": queues,
                "skills": [], "capacity": 3}),
            );
        }
    }
    let mut message = 90_000u64;
    for c in day {
        let queue = format!("{prefix}-inbox-{}", c.inbox);
        let created = start + c.steps[0].0;
        if !queues_seen.contains(&c.inbox) {
            queues_seen.push(c.inbox);
            out.push(json!({"id": id(), "type": "queue.upserted", "at": iso(created * 1000), "queue_id": queue,
                "name": format!("Chatwoot inbox {}", c.inbox), "channels": [if c.inbox == 5 { "email" } else { "chat" }]}));
        }
        let mut conversation = format!("{prefix}-{}", c.id);
        let mut state = "open";
        let mut agent: Option<String> = None;
        for (offset, step) in &c.steps {
            let t = start + offset;
            let at = iso(t * 1000 + 250);
            match step {
                Step::Created => out.push(json!({"id": id(), "type": "conversation.created", "at": iso(created * 1000),
                    "conversation_id": conversation, "queue_id": queue, "channel": if c.inbox == 5 { "email" } else { "chat" },
                    "customer": {"id": format!("{prefix}-contact-{}", c.customer), "name": format!("Customer {}", c.customer)}})),
                Step::Incoming => {
                    message += 1;
                    out.push(json!({"id": id(), "type": "conversation.message", "at": iso(t * 1000 + 500), "conversation_id": conversation,
                        "from": "customer", "visibility": "all", "text": format!("message {message}")}));
                }
                Step::Outgoing | Step::Note => {
                    message += 1;
                    let visibility = if matches!(step, Step::Note) { "agents" } else { "all" };
                    out.push(json!({"id": id(), "type": "conversation.message", "at": iso(t * 1000 + 500), "conversation_id": conversation,
                        "from": "agent", "agent_id": agent, "visibility": visibility, "text": format!("message {message}")}));
                }
                Step::Assigned(a) => {
                    let who = format!("{prefix}-user-{a}");
                    if state == "closed" {
                        // Opened again after it was resolved: a new conversation.
                        conversation = format!("{prefix}-{}.2", c.id);
                        out.push(json!({"id": id(), "type": "conversation.created", "at": at,
                            "conversation_id": conversation, "queue_id": queue, "channel": if c.inbox == 5 { "email" } else { "chat" },
                            "customer": {"id": format!("{prefix}-contact-{}", c.customer), "name": format!("Customer {}", c.customer)}}));
                        state = "open";
                    }
                    match (state, &agent) {
                        ("open", _) => {
                            out.push(json!({"id": id(), "type": "conversation.offered", "at": at, "conversation_id": conversation, "agent_id": who, "by": "routing"}));
                            out.push(json!({"id": id(), "type": "conversation.accepted", "at": at, "conversation_id": conversation, "agent_id": who}));
                        }
                        ("waiting", Some(current)) if *current == who => {
                            out.push(json!({"id": id(), "type": "conversation.resumed", "at": at, "conversation_id": conversation, "by": "agent"}));
                        }
                        (_, Some(current)) => {
                            out.push(json!({"id": id(), "type": "conversation.transferred", "at": at, "conversation_id": conversation,
                                "from_agent_id": current, "to_agent_id": who, "by": "routing"}));
                            out.push(json!({"id": id(), "type": "conversation.accepted", "at": at, "conversation_id": conversation, "agent_id": who}));
                        }
                        _ => unreachable!("active without an agent"),
                    }
                    state = "active";
                    agent = Some(who);
                }
                Step::Snoozed => {
                    out.push(json!({"id": id(), "type": "conversation.waiting", "at": at, "conversation_id": conversation}));
                    state = "waiting";
                }
                Step::Resolved => {
                    if state == "active" {
                        out.push(json!({"id": id(), "type": "conversation.ended", "at": at, "conversation_id": conversation}));
                    }
                    out.push(json!({"id": id(), "type": "conversation.closed", "at": at, "conversation_id": conversation, "reason": "resolved"}));
                    state = "closed";
                    agent = None;
                }
            }
        }
    }
    out
}

async fn kpis(app: &TestApp, at: &str) -> Value {
    let path = format!("/api/v1/kpis?window=24h&at={at}");
    let (status, body) = request(&app.base, "GET", &path, Some(&app.token), None, b"").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

each_backend! {
    async fn a_chatwoot_day_through_the_webhook_equals_the_same_day_sent_as_events(kind) {
        let via_chatwoot = spawn_app(kind).await;
        let native = spawn_app(kind).await;
        let key = connector(&via_chatwoot, false).await;
        let prefix = server::connectors::prefix(&key);
        let start = chrono::Utc::now().timestamp() - 6 * 3600;
        let day = day();
        let payloads = chatwoot_payloads(&day, start);
        // Chatwoot's queue delivers late and out of order: every seventh payload is held back
        // and sent at the end, and every fifth is delivered twice.
        let (mut held, mut mapped) = (Vec::new(), 0);
        for (i, (_, body)) in payloads.iter().enumerate() {
            if i % 7 == 3 && body["event"] == "message_created" {
                held.push(body.clone());
                continue;
            }
            let answer = deliver(&via_chatwoot, &key, body).await;
            assert_ne!(answer["outcome"], "dead_letter", "{answer} for {body}");
            mapped += usize::from(answer["outcome"] == "mapped");
            if i % 5 == 0 {
                let again = deliver(&via_chatwoot, &key, body).await;
                assert_eq!(again["accepted"], 0, "{again}: a delivery sent twice adds nothing");
            }
        }
        for body in held {
            let answer = deliver(&via_chatwoot, &key, &body).await;
            assert_eq!(answer["outcome"], "mapped", "{answer}: a late message is placed");
        }
        assert!(mapped > 100, "{mapped} deliveries mapped");
        let events = native_events(&day, start, &prefix);
        let (status, body) = native.ingest(&Value::Array(events).to_string()).await;
        assert_eq!(status, 200, "{body}");

        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let k = kpis(&via_chatwoot, &at).await;
        assert_eq!(kpis(&native, &at).await, k, "{kind:?}: the KPIs");
        assert_same(&native.ingestor, &via_chatwoot.ingestor, &format!("{kind:?}")).await;
        assert_eq!(k["incoming"], 41, "{k}");
        assert_eq!(k["ongoing"]["active"], 9, "{k}");
    }
}

each_backend! {
    async fn a_delivery_is_trusted_only_with_a_fresh_signature_and_read_only_within_limits(kind) {
        let app = spawn_app(kind).await;
        let key = connector(&app, false).await;
        let body = fixture("conversation_created").to_string().into_bytes();
        let now = chrono::Utc::now().timestamp();
        let refused = [
            (deliver_raw(&app, &key, &body, "another-secret-000000", Some(now), "a").await, 401, "does not match"),
            (deliver_raw(&app, &key, &body, SECRET, Some(now - 301), "b").await, 401, "away from this server's clock"),
            (deliver_raw(&app, &key, &body, SECRET, None, "c").await, 401, "not signed"),
            (deliver_raw(&app, "nosuchconnector", &body, SECRET, Some(now), "d").await, 404, "no such connector"),
            (deliver_raw(&app, &key, b"not json", SECRET, Some(now), "e").await, 400, "not JSON"),
            (deliver_raw(&app, &key, b"[1]", SECRET, Some(now), "f").await, 400, "not a JSON object"),
            (deliver_raw(&app, &key, &vec![b' '; (1 << 20) + 1], SECRET, Some(now), "g").await, 413, "over the limit"),
        ];
        for ((status, answer), expected, words) in refused {
            assert_eq!(status, expected, "{answer}");
            assert!(answer.to_string().contains(words), "{answer} should say {words:?}");
        }
        assert_eq!(app.stored().await, 0, "nothing of a refused delivery is stored");
        // A tampered body with a good signature of the original is refused too.
        let ts = now.to_string();
        let signature = server::connectors::chatwoot::sign::signature(SECRET, &ts, &body);
        let mut tampered = body.clone();
        let pos = tampered.iter().position(|b| *b == b'4').expect("a digit");
        tampered[pos] = b'5';
        let (status, _, _) = request_with(&app.base, "POST", &format!("/api/v1/connectors/chatwoot/{key}"),
            &[("X-Chatwoot-Timestamp", &ts), ("X-Chatwoot-Signature", &signature)], &tampered).await;
        assert_eq!(status, 401);
        // The real one is taken, once.
        let (status, answer) = deliver_raw(&app, &key, &body, SECRET, Some(now), "h").await;
        assert_eq!((status, answer["outcome"].as_str()), (200, Some("mapped")), "{answer}");
        assert_eq!(answer["accepted"], 2, "{answer}: the queue and the conversation");
        let (_, again) = deliver_raw(&app, &key, &body, SECRET, Some(now), "h").await;
        assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(0)), "{again}");
        assert_eq!(app.stored().await, 2);
        // The admin sees every refusal and the deliveries.
        let activity = server::connectors::admin::Connectors { db: app.db.clone(), ingestor: app.ingestor.clone() }
            .received(&key).await.expect("activity");
        let count = |event: &str, outcome: &str| activity.counts.iter()
            .find(|c| c.event == event && c.outcome == outcome).map_or(0, |c| c.count);
        assert_eq!(count("(none)", "refused"), 6, "{:?}", activity.counts);
        assert_eq!(count("conversation_created", "mapped"), 2, "{:?}", activity.counts);

        // A connector for Chatwoot versions that do not sign takes unsigned deliveries, and
        // still refuses a wrong signature.
        let open = connector(&app, true).await;
        let mut other = fixture("conversation_created");
        other["id"] = json!(43);
        let other = other.to_string().into_bytes();
        let (status, answer) = deliver_raw(&app, &open, &other, SECRET, None, "i").await;
        assert_eq!((status, answer["outcome"].as_str()), (200, Some("mapped")), "{answer}");
        let (status, _) = deliver_raw(&app, &open, &other, "wrong-secret-00000000", Some(now), "j").await;
        assert_eq!(status, 401);
    }
}

each_backend! {
    async fn a_payload_that_cannot_be_placed_is_kept_aside_and_can_be_retried_or_discarded(kind) {
        let app = spawn_app(kind).await;
        let key = connector(&app, false).await;
        let admin = server::connectors::admin::Connectors { db: app.db.clone(), ingestor: app.ingestor.clone() };
        let now = chrono::Utc::now().timestamp();
        let mut created = fixture("conversation_created");
        created["created_at"] = json!(now - 600);
        created["updated_at"] = json!(now as f64 - 600.0);
        deliver(&app, &key, &created).await;
        // An unknown status is kept aside with its reason, and answered 200 (Chatwoot never
        // retries a failed delivery, so a refusal would only lose it).
        let mut odd = created.clone();
        odd["event"] = json!("conversation_status_changed");
        odd["status"] = json!("archived");
        let answer = deliver(&app, &key, &odd).await;
        assert_eq!(answer["outcome"], "dead_letter", "{answer}");
        assert!(answer["detail"].as_str().is_some_and(|d| d.contains("archived")), "{answer}");
        // An assignment the ledger refuses (older than the conversation) is kept aside too.
        let mut early = fixture("conversation_updated_assignee");
        early["created_at"] = json!(now - 600);
        early["updated_at"] = json!(now as f64 - 7200.0);
        let answer = deliver(&app, &key, &early).await;
        assert_eq!(answer["outcome"], "dead_letter", "{answer}");
        let kept = admin.received(&key).await.expect("activity").dead_letters;
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept[1].reason.contains("older than the conversation"), "{kept:?}");
        let stored = app.stored().await;

        // Still unplaceable: it stays, nothing stored.
        assert_eq!(admin.retry("admin", &key, kept[0].id).await.expect("retry"), "dead_letter");
        assert_eq!(app.stored().await, stored);
        assert_eq!(admin.received(&key).await.expect("activity").dead_letters.len(), 2);
        // Discarded: gone; discarding again says so.
        admin.discard("admin", &key, kept[0].id).await.expect("discard");
        let again = admin.discard("admin", &key, kept[0].id).await.expect_err("gone");
        assert_eq!(again.status, 404);
        // The audit log names each.
        let audit = server::store::audit::page(&app.db, 0, 50).await.expect("audit");
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert!(actions.contains(&"connector.retry") && actions.contains(&"connector.discard"), "{actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_adds_lists_and_removes_connectors() {
    let url = crate::helpers::fresh_database(server::db::DbKind::Sqlite).await;
    let out = intraday()
        .args([
            "connector",
            "add",
            "chatwoot",
            "Support",
            "--secret",
            SECRET,
            "--queue-by",
            "team",
            "--db",
            &url,
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let path = stdout.lines().last().expect("a last line").to_owned();
    let key = path
        .strip_prefix("/api/v1/connectors/chatwoot/")
        .expect("the webhook path last");
    assert_eq!(key.len(), 24, "{stdout}");
    assert!(
        !stdout.contains(SECRET),
        "the secret is never printed: {stdout}"
    );

    let list = intraday()
        .args(["connector", "list", "--db", &url])
        .output()
        .expect("run");
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        listed.contains(key) && listed.contains("Support\tteam"),
        "{listed}"
    );

    for (args, words) in [
        (vec!["--secret", "short"], "--secret"),
        (
            vec!["--secret", SECRET, "--base-url", "ftp://x"],
            "--base-url",
        ),
        (vec!["--secret", SECRET, "--account", "x"], "--account"),
    ] {
        let mut all = vec!["connector", "add", "chatwoot", "Other"];
        all.extend(args);
        all.extend(["--db", &url]);
        let bad = intraday().args(&all).output().expect("run");
        assert!(!bad.status.success());
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains(words), "{err}");
    }
    let taken = intraday()
        .args([
            "connector",
            "add",
            "chatwoot",
            "Support",
            "--secret",
            SECRET,
            "--db",
            &url,
        ])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&taken.stderr).contains("another connector has this name"));

    let removed = intraday()
        .args(["connector", "remove", key, "--db", &url])
        .output()
        .expect("run");
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let gone = intraday()
        .args(["connector", "remove", key, "--db", &url])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("there is no connector"));
}

each_backend! {
    async fn the_hourly_retention_run_forgets_deliveries_after_7_days_and_keeps_what_was_set_aside(kind) {
        let app = spawn_app(kind).await;
        let key = connector(&app, false).await;
        let day = 86_400_000;
        let now = server::store::now_ms();
        for (age, event) in [(8 * day, "old"), (6 * day, "recent")] {
            let d = server::store::connectors::Delivery {
                connector_key: &key,
                delivery_id: "",
                event,
                outcome: "ignored",
                accepted: 0,
                duplicates: 0,
                detail: "",
            };
            server::store::connectors::record(&app.db, &d, now - age).await.expect("record");
        }
        let aside = server::store::connectors::DeadLetter {
            connector_key: &key,
            delivery_id: "",
            event: "conversation_created",
            reason: "kept",
            payload: "{}",
        };
        server::store::connectors::keep_aside(&app.db, &aside, now - 30 * day).await.expect("keep");
        server::ops::retention::run_once(&app.db, 35).await.expect("retention");
        let left: Vec<String> = server::store::connectors::recent(&app.db, &key, 10).await.expect("recent")
            .into_iter().map(|d| d.event).collect();
        assert_eq!(left, ["recent"]);
        assert_eq!(server::store::connectors::dead_letter_count(&app.db, &key).await.expect("count"), 1);
    }
}
