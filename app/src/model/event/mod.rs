//! The typed events of EVENTS.md (version 1) and their strict validation.
//!
//! `parse_event` checks the common fields by hand (so messages name the field exactly), then
//! deserialises the type's payload; unknown fields of known types are allowed (the server keeps
//! the original JSON), unknown types are refused.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod kinds;
mod payloads;

pub use kinds::*;
pub use payloads::*;

/// What happened, by type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBody {
    /// `queue.upserted`
    QueueUpserted(QueueUpserted),
    /// `agent.upserted`
    AgentUpserted(AgentUpserted),
    /// `agent.presence`
    AgentPresence(AgentPresence),
    /// `conversation.created`
    ConversationCreated(Created),
    /// `conversation.offered`
    ConversationOffered(Offered),
    /// `conversation.accepted`
    ConversationAccepted(WithAgent),
    /// `conversation.rejected`
    ConversationRejected(Rejected),
    /// `conversation.transferred`
    ConversationTransferred(Transferred),
    /// `conversation.released`
    ConversationReleased(WithAgent),
    /// `conversation.waiting`
    ConversationWaiting(ConversationOnly),
    /// `conversation.resumed`
    ConversationResumed(Resumed),
    /// `conversation.ended`
    ConversationEnded(ConversationOnly),
    /// `conversation.closed`
    ConversationClosed(Closed),
    /// `conversation.message`
    ConversationMessage(Message),
    /// `conversation.escalated`
    ConversationEscalated(Escalated),
    /// `conversation.escalation_resolved`
    ConversationEscalationResolved(EscalationResolved),
    /// `conversation.monitored`
    ConversationMonitored(Monitored),
    /// `conversation.monitor_ended`
    ConversationMonitorEnded(MonitorEnded),
}

impl EventBody {
    /// The conversation the event is about, if any.
    pub fn conversation_id(&self) -> Option<&str> {
        use EventBody as B;
        Some(match self {
            B::QueueUpserted(_) | B::AgentUpserted(_) | B::AgentPresence(_) => return None,
            B::ConversationCreated(e) => &e.conversation_id,
            B::ConversationOffered(e) => &e.conversation_id,
            B::ConversationAccepted(e) | B::ConversationReleased(e) => &e.conversation_id,
            B::ConversationRejected(e) => &e.conversation_id,
            B::ConversationTransferred(e) => &e.conversation_id,
            B::ConversationWaiting(e) | B::ConversationEnded(e) => &e.conversation_id,
            B::ConversationMonitorEnded(e) => &e.conversation_id,
            B::ConversationResumed(e) => &e.conversation_id,
            B::ConversationClosed(e) => &e.conversation_id,
            B::ConversationMessage(e) => &e.conversation_id,
            B::ConversationEscalated(e) => &e.conversation_id,
            B::ConversationEscalationResolved(e) => &e.conversation_id,
            B::ConversationMonitored(e) => &e.conversation_id,
        })
    }
}

/// One event: common fields and the typed body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The sender's id, the idempotency key.
    pub id: String,
    /// When it happened at the source, UTC, millisecond precision.
    pub at: DateTime<Utc>,
    /// What happened.
    pub body: EventBody,
}

/// Every event type of version 1.
pub const EVENT_TYPES: [&str; 18] = [
    "queue.upserted",
    "agent.upserted",
    "agent.presence",
    "conversation.created",
    "conversation.offered",
    "conversation.accepted",
    "conversation.rejected",
    "conversation.transferred",
    "conversation.released",
    "conversation.waiting",
    "conversation.resumed",
    "conversation.ended",
    "conversation.closed",
    "conversation.message",
    "conversation.escalated",
    "conversation.escalation_resolved",
    "conversation.monitored",
    "conversation.monitor_ended",
];

impl Event {
    /// The event's `type`.
    pub fn type_name(&self) -> &'static str {
        use EventBody as B;
        match &self.body {
            B::QueueUpserted(_) => "queue.upserted",
            B::AgentUpserted(_) => "agent.upserted",
            B::AgentPresence(_) => "agent.presence",
            B::ConversationCreated(_) => "conversation.created",
            B::ConversationOffered(_) => "conversation.offered",
            B::ConversationAccepted(_) => "conversation.accepted",
            B::ConversationRejected(_) => "conversation.rejected",
            B::ConversationTransferred(_) => "conversation.transferred",
            B::ConversationReleased(_) => "conversation.released",
            B::ConversationWaiting(_) => "conversation.waiting",
            B::ConversationResumed(_) => "conversation.resumed",
            B::ConversationEnded(_) => "conversation.ended",
            B::ConversationClosed(_) => "conversation.closed",
            B::ConversationMessage(_) => "conversation.message",
            B::ConversationEscalated(_) => "conversation.escalated",
            B::ConversationEscalationResolved(_) => "conversation.escalation_resolved",
            B::ConversationMonitored(_) => "conversation.monitored",
            B::ConversationMonitorEnded(_) => "conversation.monitor_ended",
        }
    }

    /// The conversation the event is about, if any.
    pub fn conversation_id(&self) -> Option<&str> {
        self.body.conversation_id()
    }

    /// The agent the event is mainly about, if any (for a transfer: the agent it goes to, else
    /// the agent it leaves).
    pub fn agent_id(&self) -> Option<&str> {
        use EventBody as B;
        match &self.body {
            B::AgentUpserted(e) => Some(&e.agent_id),
            B::AgentPresence(e) => Some(&e.agent_id),
            B::ConversationOffered(e) => Some(&e.agent_id),
            B::ConversationAccepted(e) | B::ConversationReleased(e) => Some(&e.agent_id),
            B::ConversationRejected(e) => Some(&e.agent_id),
            B::ConversationTransferred(e) => e.to_agent_id.as_deref().or(Some(&e.from_agent_id)),
            _ => None,
        }
    }
}

/// A problem with one field of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`customer.id`), empty for the whole event.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Parses and validates one event given as JSON.
pub fn parse_event(value: &Value) -> Result<Event, Vec<FieldError>> {
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new("", "an event must be a JSON object")]);
    };
    let mut errors = Vec::new();
    let id = match object.get("id") {
        Some(Value::String(id)) => {
            if let Some(message) = check_event_id(id) {
                errors.push(FieldError::new("id", message));
            }
            id.clone()
        }
        Some(_) => {
            errors.push(FieldError::new("id", "must be a string"));
            String::new()
        }
        None => {
            errors.push(FieldError::new("id", "is required"));
            String::new()
        }
    };
    let at = match object.get("at") {
        Some(Value::String(s)) => match parse_at(s) {
            Ok(at) => Some(at),
            Err(message) => {
                errors.push(FieldError::new("at", message));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new(
                "at",
                "must be an RFC 3339 timestamp string",
            ));
            None
        }
        None => {
            errors.push(FieldError::new("at", "is required"));
            None
        }
    };
    let body = match object.get("type") {
        Some(Value::String(t)) => parse_body(t, value)
            .map_err(|mut e| errors.append(&mut e))
            .ok(),
        Some(_) => {
            errors.push(FieldError::new("type", "must be a string"));
            None
        }
        None => {
            errors.push(FieldError::new("type", "is required"));
            None
        }
    };
    match (at, body) {
        (Some(at), Some(body)) if errors.is_empty() => Ok(Event { id, at, body }),
        _ => Err(errors),
    }
}

fn check_event_id(id: &str) -> Option<String> {
    if id.is_empty() || id.chars().count() > 64 {
        return Some(format!(
            "must be 1 to 64 characters, got {}",
            id.chars().count()
        ));
    }
    id.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
        .map(|c| format!("contains {c:?}; allowed are A-Z, a-z, 0-9 and . _ : -"))
}

fn parse_at(s: &str) -> Result<DateTime<Utc>, String> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(at) => DateTime::from_timestamp_millis(at.timestamp_millis())
            .ok_or_else(|| format!("{s:?} is out of range")),
        Err(_) if NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok() => Err(format!(
            "{s:?} has no UTC offset; add Z or an offset such as +01:00"
        )),
        Err(e) => Err(format!("{s:?} is not an RFC 3339 timestamp ({e})")),
    }
}

/// Where an event's fields are read from: a parsed JSON tree (every error with its field's
/// path), or the stored text itself (no tree built; errors only say that it failed).
trait Source {
    fn payload<T: DeserializeOwned>(&self) -> Result<T, Vec<FieldError>>;
}

impl Source for Value {
    fn payload<T: DeserializeOwned>(&self) -> Result<T, Vec<FieldError>> {
        payload(self)
    }
}

impl Source for str {
    fn payload<T: DeserializeOwned>(&self) -> Result<T, Vec<FieldError>> {
        serde_json::from_str(self).map_err(|e| vec![FieldError::new("", e.to_string())])
    }
}

/// Parses an event the log stored (so valid when it arrived) straight from its text: the same
/// event [`parse_event`] gives for it, without building a JSON tree first (a cold start parses
/// millions). Anything the direct path cannot read goes through [`parse_event`], which names
/// the fields at fault.
pub fn parse_stored(json: &str) -> Result<Event, Vec<FieldError>> {
    #[derive(serde::Deserialize)]
    struct Head<'a> {
        id: String,
        #[serde(borrow)]
        at: std::borrow::Cow<'a, str>,
        #[serde(borrow, rename = "type")]
        kind: std::borrow::Cow<'a, str>,
    }
    let direct = serde_json::from_str::<Head>(json).ok().and_then(|head| {
        if check_event_id(&head.id).is_some() {
            return None;
        }
        let at = parse_at(&head.at).ok()?;
        let body = parse_body(&head.kind, json).ok()?;
        Some(Event {
            id: head.id,
            at,
            body,
        })
    });
    match direct {
        Some(event) => Ok(event),
        None => match serde_json::from_str::<Value>(json) {
            Ok(value) => parse_event(&value),
            Err(e) => Err(vec![FieldError::new("", format!("not JSON: {e}"))]),
        },
    }
}

fn payload<T: DeserializeOwned>(value: &Value) -> Result<T, Vec<FieldError>> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let field = match inner.strip_prefix("missing field `") {
            Some(rest) => {
                let name = rest.split('`').next().unwrap_or_default();
                if path == "." {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                }
            }
            None if path == "." => String::new(),
            None => path,
        };
        let message = if inner.starts_with("missing field") {
            "is required".to_owned()
        } else {
            inner
        };
        vec![FieldError { field, message }]
    })
}

fn parse_body<S: Source + ?Sized>(
    type_name: &str,
    value: &S,
) -> Result<EventBody, Vec<FieldError>> {
    use EventBody as B;
    let body = match type_name {
        "queue.upserted" => B::QueueUpserted(value.payload()?),
        "agent.upserted" => B::AgentUpserted(value.payload()?),
        "agent.presence" => B::AgentPresence(value.payload()?),
        "conversation.created" => B::ConversationCreated(value.payload()?),
        "conversation.offered" => B::ConversationOffered(value.payload()?),
        "conversation.accepted" => B::ConversationAccepted(value.payload()?),
        "conversation.rejected" => B::ConversationRejected(value.payload()?),
        "conversation.transferred" => B::ConversationTransferred(value.payload()?),
        "conversation.released" => B::ConversationReleased(value.payload()?),
        "conversation.waiting" => B::ConversationWaiting(value.payload()?),
        "conversation.resumed" => B::ConversationResumed(value.payload()?),
        "conversation.ended" => B::ConversationEnded(value.payload()?),
        "conversation.closed" => B::ConversationClosed(value.payload()?),
        "conversation.message" => B::ConversationMessage(value.payload()?),
        "conversation.escalated" => B::ConversationEscalated(value.payload()?),
        "conversation.escalation_resolved" => B::ConversationEscalationResolved(value.payload()?),
        "conversation.monitored" => B::ConversationMonitored(value.payload()?),
        "conversation.monitor_ended" => B::ConversationMonitorEnded(value.payload()?),
        other => {
            return Err(vec![FieldError::new(
                "type",
                format!(
                    "unknown event type {other:?}; known types: {}",
                    EVENT_TYPES.join(", ")
                ),
            )]);
        }
    };
    let errors = check_body(&body);
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(errors)
    }
}

/// Rules serde cannot express: id lengths, ranges, one-of fields.
fn check_body(body: &EventBody) -> Vec<FieldError> {
    use EventBody as B;
    let mut errors = Vec::new();
    let mut id = |field: &str, value: &str| {
        if value.trim().is_empty() || value.chars().count() > 128 {
            errors.push(FieldError::new(
                field,
                "must be a non-empty string of at most 128 characters",
            ));
        }
    };
    let mut limits = Vec::new();
    let mut name = |field: &str, value: &str| {
        if value.chars().count() > MAX_NAME_CHARS {
            limits.push(FieldError::new(
                field,
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
    };
    match body {
        B::QueueUpserted(q) => name("name", &q.name),
        B::AgentUpserted(a) => name("name", &a.name),
        B::ConversationCreated(c) => {
            name("customer.name", &c.customer.name);
            if let Some(subject) = &c.subject {
                name("subject", subject);
            }
        }
        _ => {}
    }
    let lists: [(&str, usize); 4] = match body {
        B::QueueUpserted(q) => [("channels", q.channels.len()), ("", 0), ("", 0), ("", 0)],
        B::AgentUpserted(a) => [
            ("queues", a.queues.len()),
            ("skills", a.skills.len()),
            ("", 0),
            ("", 0),
        ],
        B::ConversationCreated(c) => [("skills", c.skills.len()), ("", 0), ("", 0), ("", 0)],
        _ => [("", 0); 4],
    };
    for (field, n) in lists.into_iter().filter(|(_, n)| *n > MAX_LIST) {
        limits.push(FieldError::new(
            field,
            format!("may list at most {MAX_LIST} entries (this one has {n})"),
        ));
    }
    let entries: &[(&str, &[String])] = match body {
        B::AgentUpserted(a) => &[("queues", &a.queues), ("skills", &a.skills)],
        B::ConversationCreated(c) => &[("skills", &c.skills)],
        _ => &[],
    };
    for (field, list) in entries {
        if list.iter().any(|v| v.chars().count() > 128) {
            limits.push(FieldError::new(
                field,
                "each entry must be at most 128 characters",
            ));
        }
    }
    match body {
        B::QueueUpserted(q) => {
            id("queue_id", &q.queue_id);
            if q.channels.is_empty() {
                errors.push(FieldError::new(
                    "channels",
                    "must list at least one channel",
                ));
            }
            if q.service_level_seconds == 0 {
                errors.push(FieldError::new(
                    "service_level_seconds",
                    "must be a positive number of seconds",
                ));
            }
        }
        B::AgentUpserted(a) => id("agent_id", &a.agent_id),
        B::AgentPresence(a) => id("agent_id", &a.agent_id),
        B::ConversationCreated(c) => {
            id("conversation_id", &c.conversation_id);
            id("queue_id", &c.queue_id);
            id("customer.id", &c.customer.id);
        }
        B::ConversationOffered(o) => {
            id("conversation_id", &o.conversation_id);
            id("agent_id", &o.agent_id);
        }
        B::ConversationAccepted(a) | B::ConversationReleased(a) => {
            id("conversation_id", &a.conversation_id);
            id("agent_id", &a.agent_id);
        }
        B::ConversationRejected(r) => {
            id("conversation_id", &r.conversation_id);
            id("agent_id", &r.agent_id);
        }
        B::ConversationTransferred(t) => {
            id("conversation_id", &t.conversation_id);
            id("from_agent_id", &t.from_agent_id);
            match (&t.to_agent_id, &t.to_queue_id) {
                (Some(a), None) => id("to_agent_id", a),
                (None, Some(q)) => id("to_queue_id", q),
                _ => errors.push(FieldError::new(
                    "to_agent_id",
                    "give exactly one of to_agent_id and to_queue_id",
                )),
            }
        }
        B::ConversationMessage(m) => {
            id("conversation_id", &m.conversation_id);
            if let Some(a) = &m.agent_id {
                id("agent_id", a);
            }
            if let Some(s) = &m.supervisor_id {
                id("supervisor_id", s);
            }
            if m.text.as_ref().is_some_and(|t| t.chars().count() > 4_000) {
                errors.push(FieldError::new("text", "must be at most 4,000 characters"));
            }
            if m.sentiment.is_some_and(|s| !(-3..=3).contains(&s)) {
                errors.push(FieldError::new(
                    "sentiment",
                    "must be an integer from -3 to 3",
                ));
            }
        }
        B::ConversationEscalationResolved(e) => {
            id("conversation_id", &e.conversation_id);
            id("by_user", &e.by_user);
        }
        B::ConversationMonitored(m) => {
            id("conversation_id", &m.conversation_id);
            id("supervisor_id", &m.supervisor_id);
        }
        B::ConversationMonitorEnded(m) => {
            id("conversation_id", &m.conversation_id);
            if let Some(s) = &m.supervisor_id {
                id("supervisor_id", s);
            }
        }
        other => {
            if let Some(c) = other.conversation_id() {
                id("conversation_id", c);
            }
        }
    }
    errors.append(&mut limits);
    errors
}

/// The longest display name, customer name or subject (in characters): every stream frame
/// and page copies them.
pub const MAX_NAME_CHARS: usize = 200;
/// The most entries of a list in an event (queues, skills, channels).
pub const MAX_LIST: usize = 100;
