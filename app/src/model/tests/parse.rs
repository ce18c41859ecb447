//! Parsing and validating single events.

use serde_json::{Value, json};

use super::{ev, examples, parsed};
use crate::model::event::parse_event;

#[test]
fn every_type_parses_and_keeps_its_type_name() {
    let all = examples();
    assert_eq!(all.len(), crate::model::event::EVENT_TYPES.len());
    for v in all {
        let e = parsed(v.clone());
        assert_eq!(e.type_name(), v["type"]);
    }
}

#[test]
fn unknown_fields_are_allowed_and_defaults_apply() {
    let e = parsed(ev(
        "q",
        "queue.upserted",
        0,
        json!({"queue_id": "q1", "name": "S", "channels": ["sms"], "vendor_extra": {"x": 1}}),
    ));
    match e.body {
        crate::model::event::EventBody::QueueUpserted(q) => assert_eq!(q.service_level_seconds, 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timestamps_keep_milliseconds_in_utc() {
    let v = json!({"id": "p", "type": "agent.presence", "at": "2026-11-25T10:00:00.123456+01:00", "agent_id": "a", "presence": "away"});
    assert_eq!(parsed(v).at.to_rfc3339(), "2026-11-25T09:00:00.123+00:00");
}

fn field_of(v: Value) -> Vec<String> {
    parse_event(&v)
        .expect_err("must be refused")
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn each_bad_input_names_its_field() {
    let base = || examples()[3].clone();
    let with = |k: &str, x: Value| {
        let mut v = base();
        v[k] = x;
        v
    };
    assert_eq!(field_of(with("id", json!("bad id"))), ["id"]);
    assert_eq!(field_of(with("id", json!("x".repeat(65)))), ["id"]);
    let mut missing = base();
    missing.as_object_mut().expect("object").remove("queue_id");
    assert_eq!(field_of(missing), ["queue_id"]);
    assert_eq!(field_of(with("channel", json!(7))), ["channel"]);
    assert_eq!(field_of(with("channel", json!("fax"))), ["channel"]);
    assert_eq!(
        field_of(with("customer", json!({"id": "k"}))),
        ["customer.name"]
    );
    assert_eq!(
        field_of(with("type", json!("conversation.teleported"))),
        ["type"]
    );
    let no_offset = field_of(with("at", json!("2026-11-25T10:00:00")));
    assert_eq!(no_offset, ["at"]);
    let msg = parse_event(&with("at", json!("2026-11-25T10:00:00"))).unwrap_err()[0]
        .message
        .clone();
    assert!(msg.contains("no UTC offset"), "{msg}");
    let mut sentiment = examples()[13].clone();
    sentiment["sentiment"] = json!(4);
    assert_eq!(field_of(sentiment), ["sentiment"]);
    let mut text = examples()[13].clone();
    text["text"] = json!("x".repeat(4_001));
    assert_eq!(field_of(text), ["text"]);
    let mut both = examples()[7].clone();
    both["to_agent_id"] = json!("a2");
    assert_eq!(field_of(both), ["to_agent_id"]);
    assert_eq!(field_of(json!([1])), [""]);
    let mut offered = examples()[4].clone();
    offered["by"] = json!("telepathy");
    let e = parse_event(&offered).unwrap_err();
    assert_eq!(e[0].field, "by");
    assert!(e[0].message.contains("routing"), "{}", e[0].message);
}

/// A stored payload read straight from its text gives what its JSON tree gives: the event, or
/// the same refusal naming the same fields — for every type, and for each field of each
/// example removed, nulled, or given a wrong type or a bad value.
#[test]
fn a_stored_payload_parses_as_its_tree_does() {
    let mut cases = Vec::new();
    for v in examples() {
        cases.push(v.clone());
        let mut extra = v.clone();
        extra["vendor"] = json!({"nested": [1, "two"]});
        cases.push(extra);
        for key in v.as_object().expect("object").keys() {
            let mut removed = v.clone();
            removed.as_object_mut().expect("object").remove(key);
            cases.push(removed);
            for x in [json!(null), json!(7), json!("x y"), json!(["a"])] {
                let mut changed = v.clone();
                changed[key] = x;
                cases.push(changed);
            }
        }
    }
    let mut direct = 0;
    for v in &cases {
        let text = v.to_string();
        let stored = crate::model::event::parse_stored(&text);
        assert_eq!(stored, parse_event(v), "{text}");
        direct += usize::from(stored.is_ok());
    }
    assert!(direct >= 18, "every type at least once: {direct}");
    // Text a tree would read but a struct refuses (a repeated key: the last one wins).
    let twice = r#"{"id": "p1", "type": "agent.presence", "at": "2026-11-25T10:00:00Z",
        "agent_id": "a1", "presence": "away", "presence": "busy"}"#;
    let tree: Value = serde_json::from_str(twice).expect("json");
    assert_eq!(crate::model::event::parse_stored(twice), parse_event(&tree));
    assert!(crate::model::event::parse_stored("{not json").is_err());
}

#[test]
fn names_and_lists_have_limits_that_name_their_field() {
    let now = "2026-01-01T00:00:00Z";
    let agent = |name: &str, queues: Vec<String>, skills: Vec<String>| {
        json!({"id": "e1", "type": "agent.upserted", "at": now, "agent_id": "a1",
               "name": name, "queues": queues, "skills": skills})
    };
    let many: Vec<String> = (0..101).map(|i| format!("q{i}")).collect();
    assert_eq!(field_of(agent(&"n".repeat(201), vec![], vec![])), ["name"]);
    assert_eq!(field_of(agent("Ann", many.clone(), vec![])), ["queues"]);
    assert_eq!(field_of(agent("Ann", vec![], many.clone())), ["skills"]);
    assert_eq!(
        field_of(agent("Ann", vec!["q".repeat(129)], vec![])),
        ["queues"]
    );
    assert!(parse_event(&agent(&"n".repeat(200), many[..100].to_vec(), vec![])).is_ok());
    let created = json!({"id": "e2", "type": "conversation.created", "at": now,
        "conversation_id": "c1", "queue_id": "q1", "channel": "chat",
        "customer": {"id": "k", "name": "x".repeat(201)}, "subject": "s".repeat(201)});
    assert_eq!(field_of(created), ["customer.name", "subject"]);
    let queue = json!({"id": "e3", "type": "queue.upserted", "at": now, "queue_id": "q1",
        "name": "x".repeat(201), "channels": ["chat"]});
    assert_eq!(field_of(queue), ["name"]);
}
