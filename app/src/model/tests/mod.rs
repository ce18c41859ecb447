//! Tests of event parsing, the state machine and the ledger (unit and property tests), with
//! the event builders they share.

mod ledger;
mod ledger_seal;
mod parse;
mod properties;
mod snapshot;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::event::{Event, parse_event};

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
        .expect("time")
        .to_utc()
}

pub fn now() -> DateTime<Utc> {
    t0() + TimeDelta::hours(12)
}

pub fn ev(id: &str, ty: &str, secs: i64, fields: Value) -> Value {
    let mut v = json!({"id": id, "type": ty, "at": (t0() + TimeDelta::seconds(secs)).to_rfc3339()});
    for (k, x) in fields.as_object().expect("object") {
        v[k] = x.clone();
    }
    v
}

pub fn parsed(v: Value) -> Event {
    parse_event(&v).unwrap_or_else(|e| panic!("{e:?} for {v}"))
}

pub fn created(c: &str, secs: i64) -> Event {
    parsed(ev(
        &format!("{c}-c"),
        "conversation.created",
        secs,
        json!({"conversation_id": c,
        "queue_id": "q1", "channel": "voice", "customer": {"id": "k1", "name": "Ada"}}),
    ))
}

pub fn simple(c: &str, ty: &str, secs: i64, fields: Value) -> Event {
    let mut f = fields;
    f["conversation_id"] = json!(c);
    parsed(ev(&format!("{c}-{ty}-{secs}"), ty, secs, f))
}

pub fn examples() -> Vec<Value> {
    vec![
        ev(
            "e1",
            "queue.upserted",
            0,
            json!({"queue_id": "q1", "name": "Support", "channels": ["chat", "voice"], "service_level_seconds": 30}),
        ),
        ev(
            "e2",
            "agent.upserted",
            0,
            json!({"agent_id": "a1", "name": "Ann", "queues": ["q1"], "skills": ["polish"], "capacity": 4}),
        ),
        ev(
            "e3",
            "agent.presence",
            0,
            json!({"agent_id": "a1", "presence": "busy_dnd"}),
        ),
        ev(
            "e4",
            "conversation.created",
            1,
            json!({"conversation_id": "c1", "queue_id": "q1", "channel": "chat", "customer": {"id": "k1", "name": "Ada"}, "subject": "Order", "skills": ["polish"]}),
        ),
        ev(
            "e5",
            "conversation.offered",
            2,
            json!({"conversation_id": "c1", "agent_id": "a1", "by": "routing"}),
        ),
        ev(
            "e6",
            "conversation.accepted",
            3,
            json!({"conversation_id": "c1", "agent_id": "a1"}),
        ),
        ev(
            "e7",
            "conversation.rejected",
            3,
            json!({"conversation_id": "c1", "agent_id": "a1", "reason": "timed_out"}),
        ),
        ev(
            "e8",
            "conversation.transferred",
            4,
            json!({"conversation_id": "c1", "from_agent_id": "a1", "to_queue_id": "q2", "by": "supervisor"}),
        ),
        ev(
            "e9",
            "conversation.released",
            4,
            json!({"conversation_id": "c1", "agent_id": "a1"}),
        ),
        ev(
            "e10",
            "conversation.waiting",
            4,
            json!({"conversation_id": "c1"}),
        ),
        ev(
            "e11",
            "conversation.resumed",
            4,
            json!({"conversation_id": "c1", "by": "customer"}),
        ),
        ev(
            "e12",
            "conversation.ended",
            4,
            json!({"conversation_id": "c1"}),
        ),
        ev(
            "e13",
            "conversation.closed",
            4,
            json!({"conversation_id": "c1", "reason": "force_closed"}),
        ),
        ev(
            "e14",
            "conversation.message",
            4,
            json!({"conversation_id": "c1", "from": "customer", "text": "hi", "sentiment": -3}),
        ),
        ev(
            "e15",
            "conversation.escalated",
            4,
            json!({"conversation_id": "c1", "kind": "customer", "note": "angry"}),
        ),
        ev(
            "e16",
            "conversation.escalation_resolved",
            4,
            json!({"conversation_id": "c1", "by_user": "sup"}),
        ),
        ev(
            "e17",
            "conversation.monitored",
            4,
            json!({"conversation_id": "c1", "supervisor_id": "sup", "mode": "silent"}),
        ),
        ev(
            "e18",
            "conversation.monitor_ended",
            4,
            json!({"conversation_id": "c1"}),
        ),
    ]
}
