//! Chatwoot's webhook events as Intraday's events (EVENTS.md), from the ledger as it is: a
//! Chatwoot payload says what a conversation *is* now (its status and assignee), Intraday's
//! contract says what *happened*, so the transitions are those that lead from the ledger's
//! state to the payload's. Deterministic and idempotent: each event's id derives from the
//! connector, the Chatwoot ids and the time of the change, and a conversation already in the
//! payload's state gets no event at all, so the same delivery twice adds nothing.
//!
//! What Chatwoot lacks, and how it is read (the README's Chatwoot section says the same):
//! no acceptance step (an assignment is an offer and its acceptance at the same instant), no
//! wrap-up (resolving ends and closes at once), and a resolved conversation that opens again is
//! a new conversation in Intraday (`{id}.2`, `{id}.3`, …), since Intraday's closed is final.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::payload::{Conv, Msg, Person};
use app::model::event::MAX_NAME_CHARS;
use app::model::ledger::{Conversation, ConversationStatus as S, Ledger};

/// How many times one Chatwoot conversation may be reopened in Intraday's memory.
const MAX_GENERATIONS: u32 = 50;
/// The longest message text EVENTS.md accepts, in characters.
const TEXT_CHARS: usize = 4_000;

/// What becomes a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueBy {
    /// Each inbox is a queue.
    Inbox,
    /// Each team is a queue; a conversation without a team is in its inbox's queue.
    Team,
}

/// What a payload became.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapped {
    /// Events to ingest (perhaps none: the ledger already says so).
    Events(Vec<Value>),
    /// Nothing to do, and why (typing, contacts, an activity message, …).
    Ignored(String),
    /// It cannot be placed, and why: kept aside for the admin.
    Unplaceable(String),
}

/// Maps one delivery. `prefix` is the connector's (ids of its events and things start with
/// it); `now` is the server's clock (a time ahead of it is taken as now).
pub fn map(
    event: &str,
    body: &Value,
    prefix: &str,
    queue_by: QueueBy,
    ledger: &Ledger,
    now: DateTime<Utc>,
) -> Mapped {
    let mut m = Mapper {
        prefix,
        queue_by,
        ledger,
        now,
        inbox_name: None,
        out: Vec::new(),
    };
    let result = match event {
        "conversation_created"
        | "conversation_status_changed"
        | "conversation_updated"
        | "conversation_opened"
        | "conversation_resolved" => match Conv::read(body) {
            Some(mut conv) => {
                conv.status_changed |= event == "conversation_status_changed";
                m.conversation(&conv)
            }
            None => Err(Mapped::Unplaceable(
                "the payload has no conversation id".into(),
            )),
        },
        "message_created" => match Msg::read(body) {
            Some(msg) => m.message(&msg),
            None => Err(Mapped::Unplaceable("the payload has no message id".into())),
        },
        "message_updated" => Err(Mapped::Ignored(
            "an edited message changes no figure".into(),
        )),
        "conversation_typing_on" | "conversation_typing_off" => {
            Err(Mapped::Ignored("typing indicators are not recorded".into()))
        }
        e if e.starts_with("contact_") => Err(Mapped::Ignored(
            "contacts are read from conversations".into(),
        )),
        "intraday_test_delivery" => Err(Mapped::Ignored(
            "a test delivery from the Connectors page".into(),
        )),
        "webwidget_triggered" => Err(Mapped::Ignored(
            "a widget opened without a conversation".into(),
        )),
        other => Err(Mapped::Ignored(format!("unknown event {other:?}"))),
    };
    match result {
        Ok(()) => Mapped::Events(m.out),
        Err(e) => e,
    }
}

/// Where a payload says the conversation is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// Waiting in its queue: `pending`, or `open` with nobody assigned.
    Queue,
    /// `open` and assigned to this Chatwoot user.
    Agent(Person),
    /// `snoozed`.
    Parked,
    /// `resolved`.
    Resolved,
}

/// The conversation as the batch being planned leaves it.
struct Now {
    id: String,
    status: S,
    agent: Option<String>,
    queue: String,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

impl Now {
    fn of(c: &Conversation) -> Now {
        Now {
            id: c.id.clone(),
            status: c.status,
            agent: c.agent_id.clone(),
            queue: c.queue_id.clone(),
            created_at: c.created_at,
            closed_at: c.closed_at,
        }
    }
}

struct Mapper<'a> {
    prefix: &'a str,
    queue_by: QueueBy,
    ledger: &'a Ledger,
    now: DateTime<Utc>,
    /// The inbox's name, when the payload carries it (messages do).
    inbox_name: Option<String>,
    out: Vec<Value>,
}

impl Mapper<'_> {
    fn conversation(&mut self, conv: &Conv) -> Result<(), Mapped> {
        let target = match conv.status.as_deref() {
            Some("pending") => Target::Queue,
            Some("open") => conv.assignee.clone().map_or(Target::Queue, Target::Agent),
            Some("snoozed") => Target::Parked,
            Some("resolved") => Target::Resolved,
            Some(other) => {
                return Err(Mapped::Unplaceable(format!(
                    "conversation {}: unknown status {other:?}",
                    conv.id
                )));
            }
            None => {
                return Err(Mapped::Unplaceable(format!(
                    "conversation {} has no status",
                    conv.id
                )));
            }
        };
        let at = self.clamp(conv.changed_at.or(conv.created_at));
        let queue = self.queue(conv)?;
        let mut now = match self.current(conv.id) {
            Some(c) if c.status == S::Closed => {
                if c.closed_at.is_some_and(|closed| at <= closed) || target == Target::Resolved {
                    // An update older than the close, or a resolve already recorded.
                    return Ok(());
                }
                if !conv.status_changed {
                    // Only a change of status opens it again: an assignment's late echo
                    // (its action taken in Intraday before the close) does not.
                    return Err(Mapped::Ignored(format!(
                        "conversation {} is closed in Intraday; only a change of its status opens it again",
                        conv.id
                    )));
                }
                // Opened again after it was resolved: a new conversation from now.
                let generation = self.generation_of(&c.id) + 1;
                self.create(conv, generation, &queue, at)?
            }
            Some(c) if at < c.created_at && self.generation_of(&c.id) > 1 => {
                // Older than this conversation, opened again: about the one already closed.
                return Err(Mapped::Ignored(format!(
                    "an update of conversation {} from before it was opened again",
                    conv.id
                )));
            }
            Some(c) if at < c.created_at => {
                return Err(Mapped::Unplaceable(format!(
                    "conversation {}: an update dated {} is older than the conversation ({})",
                    conv.id,
                    rfc3339(at),
                    rfc3339(c.created_at)
                )));
            }
            Some(c) => c,
            None => {
                let created = self.clamp(Some(conv.created_at.unwrap_or(at)));
                self.create(conv, 1, &queue, created.min(at))?
            }
        };
        self.move_to(&mut now, &target, &queue, at)
    }

    fn message(&mut self, msg: &Msg) -> Result<(), Mapped> {
        if msg.echo {
            return Err(Mapped::Ignored(
                "the echo of a message written in Intraday (already recorded)".into(),
            ));
        }
        let (from, visibility) = match (msg.kind.as_str(), msg.private) {
            ("activity" | "template", _) => {
                return Err(Mapped::Ignored(format!(
                    "{} messages are not conversation messages",
                    msg.kind
                )));
            }
            (_, true) => ("agent", "agents"),
            ("incoming", false) => ("customer", "all"),
            ("outgoing", false) if msg.by_bot || msg.user.is_none() => ("bot", "all"),
            ("outgoing", false) => ("agent", "all"),
            (other, false) => {
                return Err(Mapped::Unplaceable(format!(
                    "message {}: unknown message_type {other:?}",
                    msg.id
                )));
            }
        };
        self.inbox_name.clone_from(&msg.inbox_name);
        let Some(conv) = &msg.conversation else {
            return Err(Mapped::Unplaceable(format!(
                "message {} names no conversation",
                msg.id
            )));
        };
        let at = self.clamp(msg.created_at.or(conv.changed_at));
        let conversation_id = match self.generation_at(conv.id, at) {
            Some(id) => id,
            None => {
                // The message came before its conversation_created: the conversation as the
                // message carries it (the later conversation_created is then a duplicate).
                if conv.status.is_none() {
                    return Err(Mapped::Unplaceable(format!(
                        "message {}: conversation {} is not known yet and the message does not say its status",
                        msg.id, conv.id
                    )));
                }
                let mut conv = conv.clone();
                conv.changed_at = Some(conv.changed_at.unwrap_or(at).max(at));
                self.conversation(&conv)?;
                self.generation_at(conv.id, at)
                    .or_else(|| self.planned_id(conv.id))
                    .ok_or_else(|| {
                        Mapped::Unplaceable(format!(
                            "message {}: conversation {} could not be placed",
                            msg.id, conv.id
                        ))
                    })?
            }
        };
        let mut event = json!({
            "id": format!("{}:m:{}", self.prefix, msg.id),
            "type": "conversation.message",
            "at": rfc3339(at),
            "conversation_id": conversation_id,
            "from": from,
            "visibility": visibility,
        });
        if from == "agent"
            && let Some(user) = &msg.user
        {
            let agent = self.agent_id(user.id);
            self.ensure_agent(user, None, at);
            event["agent_id"] = agent.into();
        }
        if let Some(text) = msg.content.as_deref().filter(|t| !t.is_empty()) {
            event["text"] = text.chars().take(TEXT_CHARS).collect::<String>().into();
        }
        self.out.push(event);
        Ok(())
    }

    /// Emits the transitions from `now` to `target`, in order, all at `at`.
    fn move_to(
        &mut self,
        now: &mut Now,
        target: &Target,
        queue: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Mapped> {
        // A team change (queues by team) moves an assigned conversation to the new queue; an
        // unassigned one stays where it is (Intraday moves conversations between queues only
        // from an agent).
        if now.queue != queue
            && matches!(now.status, S::Active | S::Waiting)
            && let Some(agent) = now.agent.clone()
        {
            self.transition(
                now,
                "transferred",
                at,
                json!({"from_agent_id": agent, "to_queue_id": queue, "by": "routing"}),
            );
            now.status = S::Open;
            now.agent = None;
            now.queue = queue.to_owned();
        }
        match (target, now.status) {
            (Target::Queue, S::Open) | (Target::Parked, S::Waiting) => {}
            (Target::Queue, S::Active) => {
                let agent = now.agent.clone().unwrap_or_default();
                self.transition(now, "released", at, json!({"agent_id": agent}));
                now.status = S::Open;
                now.agent = None;
            }
            (Target::Queue, S::Waiting) => {
                self.transition(now, "resumed", at, json!({"by": "customer"}));
                now.status = S::Open;
                now.agent = None;
            }
            (Target::Agent(user), status) => {
                let agent = self.agent_id(user.id);
                self.ensure_agent(user, Some(queue), at);
                match status {
                    S::Open => {
                        self.transition(
                            now,
                            "offered",
                            at,
                            json!({"agent_id": agent, "by": "routing"}),
                        );
                        self.transition(now, "accepted", at, json!({"agent_id": agent}));
                    }
                    S::Waiting | S::Active if now.agent.as_deref() != Some(&agent) => {
                        let from = now.agent.clone().unwrap_or_default();
                        self.transition(
                            now,
                            "transferred",
                            at,
                            json!({"from_agent_id": from, "to_agent_id": agent, "by": "routing"}),
                        );
                        self.transition(now, "accepted", at, json!({"agent_id": agent}));
                    }
                    S::Waiting => {
                        self.transition(now, "resumed", at, json!({"by": "agent"}));
                    }
                    S::Active => {
                        let awaiting = self
                            .ledger
                            .live_conversation(&now.id)
                            .is_some_and(|c| c.awaiting_acceptance);
                        if awaiting {
                            self.transition(now, "accepted", at, json!({"agent_id": agent}));
                        }
                    }
                    S::WrapUp | S::Closed => {
                        return Err(Mapped::Unplaceable(format!(
                            "conversation {} is in wrap-up in Intraday and cannot be assigned again",
                            now.id
                        )));
                    }
                }
                now.status = S::Active;
                now.agent = Some(agent);
            }
            (Target::Parked, S::Active) => {
                self.transition(now, "waiting", at, json!({}));
                now.status = S::Waiting;
            }
            (Target::Parked, S::Open) => {
                return Err(Mapped::Ignored(format!(
                    "conversation {} was snoozed with nobody assigned: Intraday parks only conversations an agent holds, so it stays in its queue",
                    now.id
                )));
            }
            (Target::Resolved, S::Active) => {
                self.transition(now, "ended", at, json!({}));
                self.transition(now, "closed", at, json!({"reason": "resolved"}));
                now.status = S::Closed;
            }
            (Target::Resolved, S::Open | S::Waiting | S::WrapUp) => {
                self.transition(now, "closed", at, json!({"reason": "resolved"}));
                now.status = S::Closed;
            }
            (Target::Resolved, S::Closed) => {}
            (Target::Queue | Target::Parked, S::WrapUp | S::Closed) => {
                return Err(Mapped::Unplaceable(format!(
                    "conversation {} is {} in Intraday",
                    now.id,
                    if now.status == S::Closed {
                        "closed"
                    } else {
                        "in wrap-up"
                    }
                )));
            }
        }
        Ok(())
    }

    fn transition(&mut self, now: &Now, step: &str, at: DateTime<Utc>, fields: Value) {
        let mut event = json!({
            "id": format!("{}:{}:{step}:{}", self.prefix, now.id.strip_prefix(self.prefix).unwrap_or(&now.id).trim_start_matches('-'), at.timestamp_millis()),
            "type": format!("conversation.{step}"),
            "at": rfc3339(at),
            "conversation_id": now.id,
        });
        if let (Some(e), Value::Object(f)) = (event.as_object_mut(), fields) {
            e.extend(f);
        }
        self.out.push(event);
    }

    /// Emits `conversation.created` (and the queue if it is new) for generation `generation`.
    fn create(
        &mut self,
        conv: &Conv,
        generation: u32,
        queue: &str,
        at: DateTime<Utc>,
    ) -> Result<Now, Mapped> {
        if generation > MAX_GENERATIONS {
            return Err(Mapped::Unplaceable(format!(
                "conversation {} was reopened more than {MAX_GENERATIONS} times",
                conv.id
            )));
        }
        let id = self.conversation_id(conv.id, generation);
        let channel = conv
            .channel
            .as_deref()
            .map(channel)
            .or_else(|| {
                self.ledger
                    .queue(queue)
                    .and_then(|q| q.channels.first())
                    .map(|c| c.as_str())
            })
            .unwrap_or("chat");
        let customer = match &conv.contact {
            Some(p) => {
                json!({"id": format!("{}-contact-{}", self.prefix, p.id), "name": name(&p.name)})
            }
            None => json!({"id": format!("{}-contact-unknown", self.prefix), "name": ""}),
        };
        let suffix = id
            .strip_prefix(self.prefix)
            .unwrap_or(&id)
            .trim_start_matches('-');
        self.out.push(json!({
            "id": format!("{}:{suffix}:created", self.prefix),
            "type": "conversation.created",
            "at": rfc3339(at),
            "conversation_id": id,
            "queue_id": queue,
            "channel": channel,
            "customer": customer,
        }));
        Ok(Now {
            id,
            status: S::Open,
            agent: None,
            queue: queue.to_owned(),
            created_at: at,
            closed_at: None,
        })
    }

    /// The queue the conversation belongs in, upserted first if the ledger lacks it.
    fn queue(&mut self, conv: &Conv) -> Result<String, Mapped> {
        let (id, name) = match (self.queue_by, &conv.team, conv.inbox_id) {
            (QueueBy::Team, Some(team), _) => (
                format!("{}-team-{}", self.prefix, team.id),
                Some(team.name.clone()).filter(|n| !n.is_empty()),
            ),
            (_, _, Some(inbox)) => (
                format!("{}-inbox-{inbox}", self.prefix),
                self.inbox_name.clone(),
            ),
            (_, _, None) => {
                // A payload without an inbox: the conversation's queue as the ledger has it.
                return self.current(conv.id).map(|c| c.queue).ok_or_else(|| {
                    Mapped::Unplaceable(format!(
                        "conversation {} names no inbox and is not known yet",
                        conv.id
                    ))
                });
            }
        };
        let known = self.ledger.queue(&id);
        let planned = self
            .out
            .iter()
            .any(|e| e["type"] == "queue.upserted" && e["queue_id"] == id.as_str());
        if known.is_none() && !planned {
            let fallback = match (self.queue_by, &conv.team) {
                (QueueBy::Team, Some(team)) => format!("Chatwoot team {}", team.id),
                _ => format!("Chatwoot inbox {}", conv.inbox_id.unwrap_or_default()),
            };
            let channel = conv.channel.as_deref().map(channel).unwrap_or("chat");
            self.out.push(json!({
                "id": format!("{}:q:{}", self.prefix, id.strip_prefix(self.prefix).unwrap_or(&id).trim_start_matches('-')),
                "type": "queue.upserted",
                "at": rfc3339(self.clamp(conv.created_at.or(conv.changed_at))),
                "queue_id": id,
                "name": self::name(&name.unwrap_or(fallback)),
                "channels": [channel],
            }));
        }
        Ok(id)
    }

    /// Upserts the agent when the ledger lacks it, lacks its name, or lacks `queue`.
    fn ensure_agent(&mut self, user: &Person, queue: Option<&str>, at: DateTime<Utc>) {
        let id = self.agent_id(user.id);
        let known = self.ledger.agent(&id);
        let mut queues: Vec<String> = known.map(|a| a.queues.clone()).unwrap_or_default();
        let new_queue = queue.is_some_and(|q| !queues.iter().any(|k| k == q));
        if let Some(q) = queue.filter(|_| new_queue) {
            queues.push(q.to_owned());
        }
        let name = if user.name.is_empty() {
            known.map_or_else(|| format!("Chatwoot user {}", user.id), |a| a.name.clone())
        } else {
            self::name(&user.name)
        };
        let renamed = known.is_some_and(|a| a.name != name);
        if known.is_some() && !new_queue && !renamed {
            return;
        }
        if self
            .out
            .iter()
            .any(|e| e["type"] == "agent.upserted" && e["agent_id"] == id.as_str())
        {
            return;
        }
        let mut event = json!({
            // The queue count keeps two upserts of one instant apart (assigned in two queues).
            "id": format!("{}:a:{}:{}:{}", self.prefix, user.id, queues.len(), at.timestamp_millis()),
            "type": "agent.upserted",
            "at": rfc3339(at),
            "agent_id": id,
            "name": name,
            "queues": queues,
        });
        if let Some(a) = known {
            event["skills"] = json!(a.skills);
            event["capacity"] = json!(a.capacity);
        }
        self.out.push(event);
    }

    fn agent_id(&self, user: u64) -> String {
        format!("{}-user-{user}", self.prefix)
    }

    fn conversation_id(&self, conv: u64, generation: u32) -> String {
        if generation <= 1 {
            format!("{}-{conv}", self.prefix)
        } else {
            format!("{}-{conv}.{generation}", self.prefix)
        }
    }

    /// The newest generation of a Chatwoot conversation the ledger knows, as it is.
    fn current(&self, conv: u64) -> Option<Now> {
        let mut found = None;
        for generation in 1..=MAX_GENERATIONS {
            match self
                .ledger
                .conversation(&self.conversation_id(conv, generation))
            {
                Some(c) => found = Some(Now::of(&c)),
                None => break,
            }
        }
        found
    }

    fn generation_of(&self, id: &str) -> u32 {
        id.rsplit_once('.')
            .and_then(|(_, g)| g.parse().ok())
            .unwrap_or(1)
    }

    /// The generation a message at `at` belongs to: the newest created at or before it (or
    /// the first, for a message older than all of them).
    fn generation_at(&self, conv: u64, at: DateTime<Utc>) -> Option<String> {
        let mut found = None;
        for generation in 1..=MAX_GENERATIONS {
            let id = self.conversation_id(conv, generation);
            match self.ledger.conversation(&id) {
                Some(c) if generation == 1 || c.created_at <= at => found = Some(id),
                Some(_) => {}
                None => break,
            }
        }
        found
    }

    /// The conversation this batch creates for a Chatwoot conversation, if it does.
    fn planned_id(&self, conv: u64) -> Option<String> {
        let first = self.conversation_id(conv, 1);
        self.out
            .iter()
            .filter(|e| e["type"] == "conversation.created")
            .filter_map(|e| e["conversation_id"].as_str())
            .find(|id| *id == first || id.starts_with(&format!("{first}.")))
            .map(str::to_owned)
    }

    fn clamp(&self, at: Option<DateTime<Utc>>) -> DateTime<Utc> {
        at.map_or(self.now, |t| t.min(self.now))
    }
}

/// Intraday's channel for a Chatwoot inbox's channel type.
pub fn channel(kind: &str) -> &'static str {
    match kind.trim_start_matches("Channel::") {
        "Email" => "email",
        "Sms" | "TwilioSms" => "sms",
        "Whatsapp" | "Telegram" | "Line" => "messaging",
        "FacebookPage" | "Instagram" | "TwitterProfile" | "Tiktok" => "social",
        "Voice" => "voice",
        // WebWidget, Api and anything newer: a chat.
        _ => "chat",
    }
}

/// A Chatwoot name within the contract's limit (Chatwoot allows longer ones).
fn name(s: &str) -> String {
    s.chars().take(MAX_NAME_CHARS).collect()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests;
