//! What Intraday reads of Chatwoot's webhook payloads, read leniently from the JSON: ids come
//! as numbers (or numeric strings), times as Unix seconds (integer or fractional) or RFC 3339
//! text, depending on the field and the Chatwoot version; everything else is ignored.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A conversation as a conversation event (or a message's `conversation`) carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct Conv {
    /// `id`: the conversation's number in its account (Chatwoot's `display_id`).
    pub id: u64,
    /// `inbox_id`.
    pub inbox_id: Option<u64>,
    /// `status`: `open`, `pending`, `snoozed` or `resolved`.
    pub status: Option<String>,
    /// The inbox's channel type, e.g. `Channel::WebWidget`.
    pub channel: Option<String>,
    /// `meta.assignee` (or `assignee_id`): the agent it is assigned to.
    pub assignee: Option<Person>,
    /// `meta.team` (or `team_id`).
    pub team: Option<Team>,
    /// `meta.sender`: the contact.
    pub contact: Option<Person>,
    /// `created_at`.
    pub created_at: Option<DateTime<Utc>>,
    /// When its latest change happened: `updated_at`, else `timestamp`.
    pub changed_at: Option<DateTime<Utc>>,
    /// The attributes `conversation_updated` says changed (`changed_attributes`).
    pub changed: Vec<String>,
    /// Its status changed (`conversation_status_changed`, or `status` among `changed`).
    pub status_changed: bool,
}

/// A contact or a Chatwoot user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Id.
    pub id: u64,
    /// Name (may be empty).
    pub name: String,
}

/// A team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    /// Id.
    pub id: u64,
    /// Name (may be empty).
    pub name: String,
}

/// A message as `message_created` carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct Msg {
    /// `id`.
    pub id: u64,
    /// `message_type`: `incoming`, `outgoing`, `activity` or `template` (also as 0–3).
    pub kind: String,
    /// `private`: an internal note.
    pub private: bool,
    /// `content`.
    pub content: Option<String>,
    /// `created_at`.
    pub created_at: Option<DateTime<Utc>>,
    /// `sender`, when it is a Chatwoot user (`type` `user`).
    pub user: Option<Person>,
    /// `sender` is an agent bot.
    pub by_bot: bool,
    /// `conversation`.
    pub conversation: Option<Conv>,
    /// `inbox.name`.
    pub inbox_name: Option<String>,
    /// Written by Intraday itself (an action carried out in Chatwoot): its echo.
    pub echo: bool,
}

/// An id: a non-negative number, or a string of digits.
pub fn id(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A time: Unix seconds (integer or fractional), or RFC 3339 text.
pub fn time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    match v? {
        Value::Number(n) => {
            let ms = (n.as_f64()? * 1000.0).round();
            if !(0.0..=253_402_300_799_000.0).contains(&ms) {
                return None;
            }
            DateTime::from_timestamp_millis(ms as i64)
        }
        Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .and_then(|t| DateTime::from_timestamp_millis(t.timestamp_millis()))
            .or_else(|| time(Some(&Value::from(s.trim().parse::<f64>().ok()?)))),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn person(v: Option<&Value>) -> Option<Person> {
    let v = v?;
    Some(Person {
        id: id(v.get("id"))?,
        name: text(v.get("name")).unwrap_or_default(),
    })
}

impl Conv {
    /// Reads a conversation; `None` without a usable `id`.
    pub fn read(v: &Value) -> Option<Conv> {
        let meta = v.get("meta");
        let meta_field = |k: &str| meta.and_then(|m| m.get(k)).filter(|x| !x.is_null());
        // An agent bot holding the conversation is not an agent: the conversation waits for
        // one (`assignee_type` `AgentBot`, or the assignee's `type` `agent_bot`).
        let bot = meta_field("assignee_type").and_then(Value::as_str) == Some("AgentBot")
            || meta_field("assignee")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                == Some("agent_bot");
        let assignee = person(meta_field("assignee"))
            .or_else(|| {
                id(v.get("assignee_id")).map(|id| Person {
                    id,
                    name: String::new(),
                })
            })
            .filter(|_| !bot);
        let team = meta_field("team")
            .and_then(|t| {
                Some(Team {
                    id: id(t.get("id"))?,
                    name: text(t.get("name")).unwrap_or_default(),
                })
            })
            .or_else(|| {
                id(v.get("team_id")).map(|id| Team {
                    id,
                    name: String::new(),
                })
            });
        let changed = match v.get("changed_attributes") {
            // `[{"status": {"previous_value": …, "current_value": …}}, …]`
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|o| o.keys().cloned())
                .collect(),
            Some(Value::Object(o)) => o.keys().cloned().collect(),
            _ => Vec::new(),
        };
        Some(Conv {
            id: id(v.get("id"))?,
            inbox_id: id(v.get("inbox_id")),
            status: text(v.get("status")),
            channel: text(v.get("channel")).or_else(|| text(meta_field("channel"))),
            assignee,
            team,
            contact: person(meta_field("sender")),
            created_at: time(v.get("created_at")),
            changed_at: time(v.get("updated_at")).or_else(|| time(v.get("timestamp"))),
            status_changed: changed.iter().any(|c| c == "status"),
            changed,
        })
    }
}

impl Msg {
    /// Reads a message; `None` without a usable `id`.
    pub fn read(v: &Value) -> Option<Msg> {
        let kind = match v.get("message_type") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(0) => "incoming",
                Some(1) => "outgoing",
                Some(2) => "activity",
                Some(3) => "template",
                _ => "unknown",
            }
            .to_owned(),
            Some(Value::String(s)) => s.clone(),
            _ => "unknown".to_owned(),
        };
        let sender = v.get("sender").filter(|s| !s.is_null());
        let sender_type = sender
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let user = (sender_type.eq_ignore_ascii_case("user"))
            .then(|| person(sender))
            .flatten();
        Some(Msg {
            id: id(v.get("id"))?,
            kind,
            private: v.get("private").and_then(Value::as_bool).unwrap_or(false),
            content: text(v.get("content")),
            created_at: time(v.get("created_at")),
            user,
            by_bot: sender_type.eq_ignore_ascii_case("agent_bot"),
            conversation: v.get("conversation").and_then(Conv::read),
            inbox_name: v
                .get("inbox")
                .and_then(|i| i.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            echo: v
                .get("content_attributes")
                .and_then(|a| a.get("intraday_event_id"))
                .is_some_and(|id| !id.is_null())
                || v.get("source_id")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.starts_with(super::carry::SOURCE_PREFIX)),
        })
    }
}
