//! The fuzz targets: each a generator of inputs shaped like what callers send (valid, nearly
//! valid and garbage mixed) and a checker of what must hold for any of them.

use std::collections::HashSet;

use app::model::event::parse_event;
use app::model::ledger::Ledger;
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use server::connectors::chatwoot::map::{Mapped, QueueBy, map};
use server::connectors::chatwoot::sign;
use server::ingest::body::{BodyFormat, parse};

/// The instant the ledger and the mapping take as now (fixed, so a found case replays).
pub fn now() -> DateTime<Utc> {
    "2026-06-21T00:00:00Z".parse().expect("time")
}

/// Every type of the contract, and one it does not know.
fn types() -> Vec<&'static str> {
    let mut all = app::model::event::EVENT_TYPES.to_vec();
    all.push("agent.deleted");
    all
}

const FIELDS: [&str; 27] = [
    "conversation_id",
    "queue_id",
    "agent_id",
    "channel",
    "customer",
    "subject",
    "skills",
    "by",
    "reason",
    "from",
    "text",
    "sentiment",
    "visibility",
    "presence",
    "queues",
    "capacity",
    "name",
    "channels",
    "service_level_seconds",
    "to_agent_id",
    "to_queue_id",
    "from_agent_id",
    "kind",
    "note",
    "by_user",
    "supervisor_id",
    "mode",
];

const WORDS: [&str; 24] = [
    "c0",
    "c1",
    "c2",
    "a0",
    "a1",
    "a2",
    "q0",
    "q1",
    "chat",
    "voice",
    "email",
    "routing",
    "supervisor",
    "agent",
    "customer",
    "resolved",
    "abandoned",
    "available",
    "offline",
    "all",
    "agents",
    "declined",
    "timed_out",
    "silent",
];

/// A JSON value of the kinds events hold, nested a little.
pub fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..300).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        proptest::sample::select(WORDS.to_vec()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        "[a-z]{190,260}".prop_map(Value::from),
        "[ -~]{3990,4010}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![Just("id".to_owned()), Just("name".to_owned()), ".{0,6}"],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An `at`: mostly a valid time within two days of now, else text that is almost one.
fn at() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-172_900i64..400).prop_map(|s| Value::from((now() + TimeDelta::seconds(s)).to_rfc3339())),
        1 => Just(Value::from("2026-06-20T10:00:00")),
        1 => ".{0,30}".prop_map(Value::from),
        1 => value(),
    ]
}

/// An object shaped like an event: the common fields mostly present and right, a few of the
/// type's fields with any values.
pub fn event_like() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            8 => "[A-Za-z0-9._:-]{1,64}".prop_map(Value::from),
            1 => ".{0,70}".prop_map(Value::from),
            1 => value(),
        ],
        prop_oneof![
            8 => proptest::sample::select(types()).prop_map(Value::from),
            1 => ".{0,20}".prop_map(Value::from),
        ],
        at(),
        proptest::collection::btree_map(proptest::sample::select(FIELDS.to_vec()), value(), 0..8),
        any::<u8>(),
    )
        .prop_map(|(id, kind, at, fields, drop)| {
            let mut event = serde_json::Map::new();
            for (k, v) in [("id", id), ("type", kind), ("at", at)] {
                if drop % 7 != k.len() as u8 {
                    event.insert(k.to_owned(), v);
                }
            }
            for (k, v) in fields {
                event.insert(k.to_owned(), v);
            }
            Value::Object(event)
        })
}

/// A request body: bytes of any kind, or events as JSON or NDJSON text, maybe cut or changed.
pub fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        (
            proptest::collection::vec(event_like(), 0..6),
            any::<bool>(),
            any::<u16>(),
            any::<u8>()
        )
            .prop_map(|(events, lines, cut, byte)| {
                let mut text = if lines {
                    events
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                } else {
                    Value::from(events).to_string()
                }
                .into_bytes();
                if cut % 3 == 0 && !text.is_empty() {
                    let at = usize::from(cut) % text.len();
                    text.insert(at, byte);
                }
                text
            }),
    ]
}

/// The ingest body parser: events, or where the body is wrong (line and column from 1).
pub fn body(bytes: &[u8], ndjson: bool) -> Result<(), TestCaseError> {
    let format = if ndjson {
        BodyFormat::Ndjson
    } else {
        BodyFormat::Json
    };
    match parse(format, bytes) {
        Ok(events) => {
            for e in &events {
                let _ = parse_event(e);
            }
        }
        Err(e) => {
            prop_assert!(e.line >= 1 && e.column >= 1, "{e:?}");
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

/// The validator: an event, or every problem with its field and words.
pub fn event(value: &Value) -> Result<(), TestCaseError> {
    match parse_event(value) {
        Ok(event) => prop_assert!(!event.id.is_empty() && event.id.len() <= 64),
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(!e.message.is_empty(), "{e:?}");
            }
        }
    }
    Ok(())
}

/// Lifecycle events over three conversations, three agents and two queues, in batches.
pub fn event_batches() -> impl Strategy<Value = Vec<Vec<Value>>> {
    let one = (
        proptest::sample::select(app::model::event::EVENT_TYPES[..16].to_vec()),
        0usize..3,
        0usize..3,
        0usize..3,
        -7_200i64..60,
        proptest::sample::select(WORDS.to_vec()),
    )
        .prop_map(|(kind, c, a, b, s, word)| {
            let at = (now() + TimeDelta::seconds(s)).to_rfc3339();
            json!({
                "id": format!("e{c}{a}{b}{s}{kind}").replace('-', "m"),
                "type": kind, "at": at,
                "conversation_id": format!("c{c}"), "queue_id": format!("q{}", a % 2),
                "channel": "chat", "customer": {"id": "k", "name": "K"},
                "agent_id": format!("a{a}"), "from_agent_id": format!("a{b}"),
                "to_agent_id": format!("a{a}"), "by": if word == "agent" { "agent" } else { "routing" },
                "reason": if word == "abandoned" { "abandoned" } else { "resolved" },
                "from": "customer", "kind": "agent", "by_user": "sue", "name": "N",
                "queues": ["q0", "q1"], "presence": if word == "offline" { "offline" } else { "available" },
                "channels": ["chat"],
            })
        });
    proptest::collection::vec(proptest::collection::vec(one, 1..6), 1..10)
}

fn state(ledger: &Ledger) -> String {
    let mut v: Vec<String> = ledger.conversations().map(|c| format!("{c:?}")).collect();
    v.extend(ledger.agents().map(|a| format!("{a:?}")));
    v.extend(ledger.queues().map(|q| format!("{q:?}")));
    v.sort();
    v.join("\n")
}

/// The ledger: each batch applied whole or not at all, whatever the order.
pub fn ledger(batches: &[Vec<Value>]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::new();
    let mut seen = HashSet::new();
    for batch in batches {
        let events: Vec<_> = batch
            .iter()
            .filter(|e| seen.insert(e["id"].to_string()))
            .filter_map(|e| parse_event(e).ok())
            .collect();
        let before = state(&ledger);
        if let Err(errors) = ledger.apply(&events, now()) {
            prop_assert!(!errors.is_empty());
            prop_assert_eq!(state(&ledger), before, "a refused batch changed the ledger");
        }
    }
    Ok(())
}

/// A read API query string's pairs.
pub fn query_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        proptest::sample::select(vec![
            "window", "tz", "queue", "channel", "agent", "skill", "at", "status"
        ])
        .prop_map(str::to_owned),
        ".{0,8}",
    ];
    let value = prop_oneof![
        proptest::sample::select(vec![
            "24h",
            "12h",
            "today",
            "4h",
            "Europe/Warsaw",
            "UTC",
            "chat",
            "q0",
            "a0",
            "2026-06-20T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "",
            ",",
            ",,q1,"
        ])
        .prop_map(str::to_owned),
        ".{0,40}",
        "[a-z,]{120,700}",
    ];
    proptest::collection::vec((key, value), 0..10)
}

/// The query parser: a query, or the filter that is wrong.
pub fn query(pairs: &[(String, String)]) -> Result<(), TestCaseError> {
    if let Err(e) = app::kpi::Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    {
        prop_assert!(!e.message.is_empty(), "{e:?}");
    }
    Ok(())
}

const EMBED_SECRET: &str = "fuzz-embed-secret-0123456789abcdef";

/// A portal's token: text, token-shaped text, a token signed with another secret, or one signed
/// with the right secret carrying any claims.
pub fn embed_token() -> impl Strategy<Value = (String, bool)> {
    let claims = (
        prop_oneof![".{0,70}", "[a-z.]{1,20}"],
        proptest::sample::select(vec!["agent", "supervisor", "admin", "", "root"]),
        proptest::collection::vec(".{0,10}", 0..3),
        -100i64..100_000,
    )
        .prop_map(|(sub, role, queues, exp)| server::auth::embed::Claims {
            sub,
            role: role.to_owned(),
            queues,
            agent_id: None,
            locale: None,
            jti: None,
            exp: now().timestamp() + exp,
        });
    prop_oneof![
        ".{0,200}".prop_map(|t| (t, false)),
        "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,60}".prop_map(|t| (t, false)),
        claims.clone().prop_map(|c| (
            server::auth::embed::sign("another-secret-entirely", &c),
            false
        )),
        claims.prop_map(|c| (server::auth::embed::sign(EMBED_SECRET, &c), true)),
    ]
}

/// The embed token check: nothing but a token signed with the secret signs anyone in, and
/// never as an admin or for longer than allowed.
pub fn embed((token, signed): &(String, bool)) -> Result<(), TestCaseError> {
    let result = server::auth::embed::verify(Some(EMBED_SECRET), token, now().timestamp());
    if let Ok(viewer) = result {
        prop_assert!(*signed, "an unsigned token signed someone in: {token}");
        prop_assert!(!viewer.is_admin());
    }
    Ok(())
}

/// Chatwoot's signature: only the signature of exactly this body at this time lets it in.
pub fn signature(body: &[u8], given: &str, timestamp: &str) -> Result<(), TestCaseError> {
    const SECRET: &str = "fuzz-chatwoot-secret";
    let at = now().timestamp();
    prop_assert!(sign::verify(SECRET, Some(given), Some(timestamp), body, at).is_err());
    let ts = at.to_string();
    let good = sign::signature(SECRET, &ts, body);
    prop_assert!(sign::verify(SECRET, Some(&good), Some(&ts), body, at).is_ok());
    let mut changed = body.to_vec();
    changed.push(b' ');
    prop_assert!(sign::verify(SECRET, Some(&good), Some(&ts), &changed, at).is_err());
    Ok(())
}

const FIXTURES: [&str; 7] = [
    include_str!("../fixtures/chatwoot/conversation_created.json"),
    include_str!("../fixtures/chatwoot/conversation_updated_assignee.json"),
    include_str!("../fixtures/chatwoot/conversation_updated_team.json"),
    include_str!("../fixtures/chatwoot/conversation_status_changed_resolved.json"),
    include_str!("../fixtures/chatwoot/message_created_incoming.json"),
    include_str!("../fixtures/chatwoot/message_created_outgoing.json"),
    include_str!("../fixtures/chatwoot/message_created_private.json"),
];

const PATHS: [&[&str]; 22] = [
    &["id"],
    &["status"],
    &["inbox_id"],
    &["channel"],
    &["created_at"],
    &["updated_at"],
    &["event"],
    &["meta", "assignee"],
    &["meta", "assignee", "id"],
    &["meta", "assignee", "name"],
    &["meta", "assignee_type"],
    &["meta", "sender"],
    &["meta", "sender", "name"],
    &["meta", "team"],
    &["changed_attributes"],
    &["message_type"],
    &["private"],
    &["content"],
    &["sender"],
    &["conversation", "status"],
    &["conversation", "id"],
    &["conversation", "meta", "assignee", "id"],
];

/// A Chatwoot payload: one of the fixtures with a few fields set to other values.
pub fn chatwoot_payload() -> impl Strategy<Value = Value> {
    let status = prop_oneof![
        4 => proptest::sample::select(vec!["open", "pending", "snoozed", "resolved"]).prop_map(Value::from),
        1 => value(),
    ];
    let change = prop_oneof![
        3 => (proptest::sample::select(PATHS.to_vec()), value()),
        2 => status.prop_map(|s| (&["status"][..], s)),
        1 => (1u64..5).prop_map(|n| (&["id"][..], Value::from(n))),
        1 => (0u64..3).prop_map(|n| (&["meta", "assignee", "id"][..], Value::from(n))),
    ];
    (
        proptest::sample::select(FIXTURES.to_vec()),
        proptest::collection::vec(change, 0..6),
        -200_000i64..200,
    )
        .prop_map(|(fixture, changes, shift)| {
            let mut v: Value = serde_json::from_str(fixture).expect("fixture");
            // Move it in time, as deliveries come at any time.
            if let Some(t) = v["updated_at"].as_f64() {
                v["updated_at"] = json!(t + shift as f64 + 100_000.0);
            }
            for (path, value) in changes {
                let mut at = &mut v;
                for (i, key) in path.iter().enumerate() {
                    if !at.is_object() {
                        break;
                    }
                    if i + 1 == path.len() {
                        at[*key] = value.clone();
                    } else {
                        at = &mut at[*key];
                    }
                }
            }
            v
        })
}

/// Payloads delivered before the one under test.
pub fn chatwoot_history() -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(chatwoot_payload(), 0..6)
}

/// The Chatwoot mapping: events that Intraday's contract accepts, or a reason; never a panic.
pub fn chatwoot(payload: &Value, history: &[Value]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::new();
    let mut applied = HashSet::new();
    for (n, body) in history.iter().chain(std::iter::once(payload)).enumerate() {
        let event = body["event"].as_str().unwrap_or("");
        let queue_by = if n % 2 == 0 {
            QueueBy::Inbox
        } else {
            QueueBy::Team
        };
        match map(event, body, "cwfuzz0000", queue_by, &ledger, now()) {
            Mapped::Events(events) => {
                let mut parsed = Vec::new();
                for e in events {
                    let id = e["id"].as_str().unwrap_or_default().to_owned();
                    match parse_event(&e) {
                        Ok(p) => {
                            if applied.insert(id) {
                                parsed.push(p);
                            }
                        }
                        Err(errors) => {
                            return Err(TestCaseError::fail(format!(
                                "the mapping made an event the contract refuses: {e} {errors:?}"
                            )));
                        }
                    }
                }
                // Placed or refused as a whole: a refused batch is kept aside by the connector.
                let before = state(&ledger);
                if ledger.apply(&parsed, now()).is_err() {
                    prop_assert_eq!(state(&ledger), before);
                }
            }
            Mapped::Ignored(why) | Mapped::Unplaceable(why) => prop_assert!(!why.is_empty()),
        }
    }
    Ok(())
}
