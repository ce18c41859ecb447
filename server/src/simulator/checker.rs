//! An independent checker of an event stream against EVENTS.md, written from the contract and
//! sharing no code with the simulator, so a bug in one is not mirrored in the other.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use serde_json::{Value, json};

/// The event's `type`.
pub fn kind(e: &Value) -> &str {
    e["type"].as_str().unwrap_or_default()
}

/// A string field, or empty.
pub fn text<'a>(e: &'a Value, field: &str) -> &'a str {
    e[field].as_str().unwrap_or_default()
}

/// The event's `at` as Unix milliseconds.
pub fn at_ms(e: &Value) -> i64 {
    DateTime::parse_from_rfc3339(text(e, "at"))
        .expect("RFC 3339 `at`")
        .timestamp_millis()
}

/// Events of one type.
pub fn count(events: &[Value], type_name: &str) -> usize {
    events.iter().filter(|e| kind(e) == type_name).count()
}

/// Events of one type with `field == value`.
pub fn count_where(events: &[Value], type_name: &str, field: &str, value: &str) -> usize {
    events
        .iter()
        .filter(|e| kind(e) == type_name && text(e, field) == value)
        .count()
}

/// A conversation's state per EVENTS.md, with "active" split in its two sub-states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Awaiting,
    InConversation,
    Waiting,
    WrapUp,
    Closed,
}

/// What the checker knows about one conversation.
#[derive(Debug)]
pub struct Tracked {
    /// Current state.
    pub state: State,
    /// The agent it is offered to, with, or parked with.
    pub agent: Option<String>,
    escalation_open: bool,
    last_at: i64,
    cost: u32,
}

/// Default capacity units of a channel (EVENTS.md).
fn cost(channel: &str) -> u32 {
    if channel == "voice" { 3 } else { 1 }
}

/// Applies one conversation event to its tracked state, per the transition table of EVENTS.md.
fn apply(conversations: &mut BTreeMap<String, Tracked>, e: &Value) -> Result<(), String> {
    let id = text(e, "conversation_id").to_owned();
    let at = at_ms(e);
    if kind(e) == "conversation.created" {
        let fresh = Tracked {
            state: State::Open,
            agent: None,
            escalation_open: false,
            last_at: at,
            cost: cost(text(e, "channel")),
        };
        return match conversations.insert(id.clone(), fresh) {
            None => Ok(()),
            Some(_) => Err(format!("{id} created twice")),
        };
    }
    let c = conversations
        .get_mut(&id)
        .ok_or_else(|| format!("{id}: {} before created", kind(e)))?;
    if at <= c.last_at {
        return Err(format!("{id}: {} at {at} not after {}", kind(e), c.last_at));
    }
    c.last_at = at;
    let agent = e["agent_id"].as_str().map(str::to_owned);
    let active = matches!(c.state, State::Awaiting | State::InConversation);
    let bad = |c: &Tracked| Err(format!("{id}: {} in state {:?} ({e})", kind(e), c.state));
    match kind(e) {
        "conversation.offered" if c.state == State::Open && agent.is_some() => {
            c.state = State::Awaiting;
            c.agent = agent;
        }
        "conversation.accepted" if c.state == State::Awaiting && c.agent == agent => {
            c.state = State::InConversation;
        }
        "conversation.rejected"
            if c.state == State::Awaiting
                && c.agent == agent
                && matches!(text(e, "reason"), "declined" | "timed_out") =>
        {
            c.state = State::Open;
            c.agent = None;
        }
        "conversation.transferred"
            if (active || c.state == State::Waiting)
                && c.agent.as_deref() == e["from_agent_id"].as_str()
                && e["to_agent_id"].is_string() != e["to_queue_id"].is_string() =>
        {
            if let Some(to) = e["to_agent_id"].as_str() {
                c.state = State::Awaiting;
                c.agent = Some(to.to_owned());
            } else {
                c.state = State::Open;
                c.agent = None;
            }
        }
        "conversation.released" if active && c.agent == agent => {
            c.state = State::Open;
            c.agent = None;
        }
        "conversation.waiting" if active => c.state = State::Waiting,
        "conversation.resumed" if c.state == State::Waiting => match text(e, "by") {
            "agent" => c.state = State::InConversation,
            "customer" => {
                c.state = State::Open;
                c.agent = None;
            }
            _ => return bad(c),
        },
        "conversation.ended" if active => c.state = State::WrapUp,
        "conversation.closed"
            if c.state != State::Closed
                && matches!(
                    text(e, "reason"),
                    "resolved" | "abandoned" | "force_closed" | "timed_out"
                ) =>
        {
            c.state = State::Closed;
        }
        "conversation.message" if c.state != State::Closed => {
            let sentiment_ok = match e.get("sentiment") {
                None => true,
                Some(s) => s.as_i64().is_some_and(|s| (-3..=3).contains(&s)),
            };
            let text_ok = e
                .get("text")
                .is_none_or(|t| t.as_str().is_some_and(|t| t.chars().count() <= 4000));
            if !(sentiment_ok && text_ok && matches!(text(e, "from"), "customer" | "agent" | "bot"))
            {
                return bad(c);
            }
        }
        "conversation.escalated"
            if c.state != State::Closed && matches!(text(e, "kind"), "agent" | "customer") =>
        {
            c.escalation_open = true;
        }
        "conversation.escalation_resolved" if c.escalation_open && e["by_user"].is_string() => {
            c.escalation_open = false;
        }
        _ => return bad(c),
    }
    Ok(())
}

/// Checks the whole stream: queues and agents upserted before use, valid conversation
/// lifecycles, and agents offered work only while available, within capacity, and never
/// offline while holding work. Returns the conversations' final states.
pub fn check(events: &[Value]) -> Result<BTreeMap<String, Tracked>, String> {
    let mut queues: BTreeSet<&str> = BTreeSet::new();
    let mut agents: BTreeSet<&str> = BTreeSet::new();
    let mut conversations = BTreeMap::new();
    let mut presence: BTreeMap<String, String> = BTreeMap::new();
    for e in events {
        match kind(e) {
            "queue.upserted" => {
                queues.insert(text(e, "queue_id"));
            }
            "agent.upserted" => {
                agents.insert(text(e, "agent_id"));
            }
            _ => {}
        }
        for field in ["agent_id", "from_agent_id", "to_agent_id"] {
            if let Some(a) = e[field].as_str().filter(|a| !agents.contains(a)) {
                return Err(format!("unknown agent {a} in {e}"));
            }
        }
        for field in ["queue_id", "to_queue_id"] {
            if let Some(q) = e[field].as_str().filter(|q| !queues.contains(q)) {
                return Err(format!("unknown queue {q} in {e}"));
            }
        }
        if kind(e) == "agent.presence" {
            let p = text(e, "presence");
            if !matches!(p, "available" | "busy" | "busy_dnd" | "away" | "offline") {
                return Err(format!("bad presence {e}"));
            }
            presence.insert(text(e, "agent_id").to_owned(), p.to_owned());
            if p == "offline" {
                let load = load_of(&conversations, text(e, "agent_id"));
                if load > 0 {
                    return Err(format!("agent offline holding {load} units: {e}"));
                }
            }
        }
        if kind(e).starts_with("conversation.") {
            apply(&mut conversations, e)?;
            if kind(e) == "conversation.offered" {
                let a = text(e, "agent_id");
                if presence.get(a).map(String::as_str) != Some("available") {
                    return Err(format!("offered to {a} while {:?}", presence.get(a)));
                }
            }
            for a in [e["agent_id"].as_str(), e["to_agent_id"].as_str()]
                .into_iter()
                .flatten()
            {
                let load = load_of(&conversations, a);
                if load > 3 {
                    return Err(format!("{a} over capacity ({load}) after {e}"));
                }
            }
        }
    }
    Ok(conversations)
}

/// Units agent `agent` holds: its awaiting, in-conversation and wrap-up conversations.
fn load_of(conversations: &BTreeMap<String, Tracked>, agent: &str) -> u32 {
    conversations
        .values()
        .filter(|c| {
            matches!(
                c.state,
                State::Awaiting | State::InConversation | State::WrapUp
            )
        })
        .filter(|c| c.agent.as_deref() == Some(agent))
        .map(|c| c.cost)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(conversation: &[Value]) -> Vec<Value> {
        let mut events = vec![
            json!({"type": "queue.upserted", "at": "2026-11-25T10:00:00.000Z", "queue_id": "q"}),
            json!({"type": "agent.upserted", "at": "2026-11-25T10:00:00.000Z", "agent_id": "a"}),
            json!({"type": "agent.presence", "at": "2026-11-25T10:00:00.001Z", "agent_id": "a",
                   "presence": "available"}),
            json!({"type": "conversation.created", "at": "2026-11-25T10:00:01.000Z",
                   "conversation_id": "c", "queue_id": "q", "channel": "voice"}),
        ];
        events.extend(conversation.iter().cloned());
        events
    }

    fn event(type_name: &str, ms: u32, fields: Value) -> Value {
        let mut e = json!({"type": type_name, "at": format!("2026-11-25T10:00:02.{ms:03}Z"),
                           "conversation_id": "c"});
        if let (Some(e), Value::Object(fields)) = (e.as_object_mut(), fields) {
            e.extend(fields);
        }
        e
    }

    #[test]
    fn a_valid_lifecycle_passes() {
        let events = stream(&[
            event(
                "conversation.offered",
                1,
                json!({"agent_id": "a", "by": "routing"}),
            ),
            event("conversation.accepted", 2, json!({"agent_id": "a"})),
            event("conversation.escalated", 3, json!({"kind": "agent"})),
            event(
                "conversation.escalation_resolved",
                4,
                json!({"by_user": "sup-1"}),
            ),
            event("conversation.ended", 5, json!({})),
            event("conversation.closed", 6, json!({"reason": "resolved"})),
        ]);
        let states = check(&events).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(states["c"].state, State::Closed);
    }

    #[test]
    fn invalid_sequences_are_caught() {
        let offered = event(
            "conversation.offered",
            1,
            json!({"agent_id": "a", "by": "routing"}),
        );
        let cases = [
            vec![event("conversation.accepted", 1, json!({"agent_id": "a"}))],
            vec![
                offered.clone(),
                event("conversation.accepted", 2, json!({"agent_id": "b"})),
            ],
            vec![
                offered.clone(),
                event("conversation.accepted", 1, json!({"agent_id": "a"})),
            ],
            vec![event(
                "conversation.escalation_resolved",
                1,
                json!({"by_user": "s"}),
            )],
            vec![event("conversation.resumed", 1, json!({"by": "agent"}))],
            vec![
                event("conversation.closed", 1, json!({"reason": "abandoned"})),
                event("conversation.message", 2, json!({"from": "customer"})),
            ],
            vec![event(
                "conversation.message",
                1,
                json!({"from": "customer", "sentiment": 4}),
            )],
            vec![offered.clone(), offered.clone()],
            vec![
                json!({"type": "agent.presence", "at": "2026-11-25T10:00:02.000Z", "agent_id": "a",
                       "presence": "away"}),
                offered.clone(),
            ],
            vec![
                offered.clone(),
                json!({"type": "agent.presence", "at": "2026-11-25T10:00:02.005Z", "agent_id": "a",
                       "presence": "offline"}),
            ],
        ];
        for (i, case) in cases.iter().enumerate() {
            assert!(check(&stream(case)).is_err(), "case {i} passed: {case:?}");
        }
    }
}
