//! KPI engine tests: hand-computed scenarios and properties against from-scratch evaluation.

mod alerts;
mod properties;
mod scenario;
mod sealed;
mod snapshot;
mod window_properties;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::model::event::{Event, parse_event};

/// Time zero of the scenarios.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T08:00:00Z")
        .expect("time")
        .to_utc()
}

/// `t0` plus seconds.
pub fn at(secs: f64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds((secs * 1000.0) as i64)
}

/// An event of type `ty` at `secs`, with `fields`; ids are unique per (type, subject, time).
pub fn ev(ty: &str, secs: f64, fields: Value) -> Event {
    let subject = fields
        .get("conversation_id")
        .or(fields.get("agent_id"))
        .or(fields.get("queue_id"))
        .and_then(Value::as_str)
        .unwrap_or("x")
        .to_owned();
    let mut v = json!({"id": format!("{subject}-{ty}-{}", (secs * 1000.0) as i64), "type": ty,
        "at": at(secs).to_rfc3339()});
    for (k, x) in fields.as_object().expect("object") {
        v[k] = x.clone();
    }
    parse_event(&v).unwrap_or_else(|e| panic!("{e:?} for {v}"))
}

/// A conversation event.
pub fn conv(c: &str, ty: &str, secs: f64, mut fields: Value) -> Event {
    fields["conversation_id"] = json!(c);
    ev(&format!("conversation.{ty}"), secs, fields)
}

/// `conversation.created` in a queue with a channel.
pub fn created(c: &str, secs: f64, queue: &str, channel: &str) -> Event {
    conv(
        c,
        "created",
        secs,
        json!({"queue_id": queue, "channel": channel, "customer": {"id": "k", "name": "Ada"},
            "skills": ["en"]}),
    )
}
