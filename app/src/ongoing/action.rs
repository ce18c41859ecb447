//! A supervisor's action on a conversation and the events it becomes (EVENTS.md: `by:
//! "supervisor"`). Planned here, pure, against the conversation as the ledger holds it when the
//! action is taken (the server plans under the writer's lock, so the check and the write are
//! one step and two supervisors acting at once cannot both win).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::board::Extras;
use super::row::conversation_token;
use crate::model::admin::{SupervisorAction, SupervisorActions};
use crate::model::conversation::{Conversation, ConversationStatus};
use crate::model::event::{MonitorMode, Presence};
use crate::model::problem::Problem;

/// The longest message, whisper or force-close reason (EVENTS.md's limit for a text).
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The longest force-close reason.
pub const MAX_REASON_CHARS: usize = 500;

/// What a supervisor does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Listen in silently.
    Monitor,
    /// Stop monitoring (silent or joined).
    StopMonitoring,
    /// Become a participant who can write; agent and customer are told.
    Join,
    /// Write to everyone, once joined.
    Message {
        /// The text.
        text: String,
    },
    /// Write to the agent only.
    Whisper {
        /// The text.
        text: String,
    },
    /// Offer an open conversation to an agent of its queue.
    Assign {
        /// The agent.
        agent_id: String,
    },
    /// Move an active or waiting conversation to another agent of its queue, or to a queue.
    Transfer {
        /// The agent, or
        #[serde(default)]
        agent_id: Option<String>,
        /// the queue.
        #[serde(default)]
        queue_id: Option<String>,
    },
    /// Close it now; participants are told.
    ForceClose {
        /// Why (kept in the audit log and sent to the outbound webhook, not to the customer).
        reason: String,
    },
    /// Clear its open escalation.
    ResolveEscalation,
}

impl Action {
    /// Its name, as the audit log and the outbound webhook name it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Monitor => "monitor",
            Action::StopMonitoring => "stop_monitoring",
            Action::Join => "join",
            Action::Message { .. } => "message",
            Action::Whisper { .. } => "whisper",
            Action::Assign { .. } => "assign",
            Action::Transfer { .. } => "transfer",
            Action::ForceClose { .. } => "force_close",
            Action::ResolveEscalation => "resolve_escalation",
        }
    }

    /// The admin's switch it depends on, if any (stopping to monitor, a joined supervisor's
    /// messages and resolving an escalation cannot be switched off).
    pub fn switch(&self) -> Option<SupervisorAction> {
        match self {
            Action::Monitor => Some(SupervisorAction::Monitor),
            Action::Join => Some(SupervisorAction::Join),
            Action::Whisper { .. } => Some(SupervisorAction::Whisper),
            Action::Assign { .. } => Some(SupervisorAction::Assign),
            Action::Transfer { .. } => Some(SupervisorAction::Transfer),
            Action::ForceClose { .. } => Some(SupervisorAction::ForceClose),
            Action::StopMonitoring | Action::Message { .. } | Action::ResolveEscalation => None,
        }
    }
}

/// An action with the state it was taken on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRequest {
    /// The action.
    #[serde(flatten)]
    pub action: Action,
    /// The conversation's state token as the supervisor saw it ([`super::row::state_token`]);
    /// when given and the conversation has changed since, the action is refused.
    #[serde(default)]
    pub expected_state: Option<String>,
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// Not a conversation of the caller's queues (or none at all).
    NotFound,
    /// The admin switched the action off.
    SwitchedOff,
    /// The conversation changed since the caller saw it.
    Changed,
    /// Not possible in its state, or a bad target or text.
    Invalid,
}

impl RefusalKind {
    /// The HTTP status it is answered with.
    pub fn status(self) -> u16 {
        match self {
            RefusalKind::NotFound => 404,
            RefusalKind::SwitchedOff => 403,
            RefusalKind::Changed => 409,
            RefusalKind::Invalid => 422,
        }
    }
}

/// A refused action: which kind, and the problem in words (a text key and its values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Which kind.
    pub kind: RefusalKind,
    /// What to tell the person.
    pub problem: Problem,
}

pub(super) fn refuse(
    kind: RefusalKind,
    key: &'static str,
    args: &[&dyn std::fmt::Display],
) -> Refusal {
    Refusal {
        kind,
        problem: Problem::new(key, args),
    }
}

/// An agent as an assignment needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Id.
    pub id: String,
    /// Queues they work.
    pub queues: Vec<String>,
    /// Presence now.
    pub presence: Presence,
    /// Capacity units.
    pub capacity: u32,
    /// Units in use.
    pub used: u32,
}

/// Everything an action is checked against, read under the writer's lock.
pub struct Situation<'a> {
    /// The conversation now.
    pub conversation: &'a Conversation,
    /// Its extras now.
    pub extras: &'a Extras,
    /// The admin's switches.
    pub switches: SupervisorActions,
    /// The acting supervisor's login (monitors and messages name it).
    pub login: &'a str,
    /// The queues the supervisor may act in (`None`: every queue).
    pub scope: Option<&'a [String]>,
    /// An agent by id.
    pub agent: &'a dyn Fn(&str) -> Option<Candidate>,
    /// Whether a queue exists.
    pub queue_exists: &'a dyn Fn(&str) -> bool,
    /// The server clock.
    pub now: DateTime<Utc>,
    /// A prefix unique to this action for the events' ids.
    pub id_prefix: &'a str,
}

/// The events an accepted action writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The events, in order (all at one instant).
    pub events: Vec<Value>,
    /// The state token before.
    pub before: String,
    /// Set when the assigned agent has no free capacity: allowed, and said.
    pub over_capacity: bool,
}

/// Checks an action against the conversation as it is and writes its events.
pub fn plan(request: &ActionRequest, s: &Situation<'_>) -> Result<Planned, Refusal> {
    use ConversationStatus as S;
    let c = s.conversation;
    let action = &request.action;
    if c.status == S::Closed {
        return Err(refuse(
            RefusalKind::Changed,
            "problem.action_closed",
            &[&c.id],
        ));
    }
    if let Some(switch) = action.switch()
        && !s.switches.allows(switch)
    {
        return Err(refuse(
            RefusalKind::SwitchedOff,
            "problem.action_off",
            &[&action.name()],
        ));
    }
    let before = conversation_token(c);
    if let Some(expected) = &request.expected_state
        && *expected != before
    {
        return Err(refuse(
            RefusalKind::Changed,
            "problem.action_changed",
            &[&c.id, &c.state_name()],
        ));
    }
    // Never before the conversation's latest event: placed earlier, the action would be a
    // late event and could undo what came after it.
    let at = s.now.max(c.updated_at);
    let mut out = Out::new(s.id_prefix, &c.id, at, Some(s.login));
    let mut over_capacity = false;
    let joined = s
        .extras
        .monitors
        .iter()
        .any(|m| m.supervisor_id == s.login && m.mode == MonitorMode::Joined);
    let monitoring = s.extras.monitors.iter().any(|m| m.supervisor_id == s.login);
    match action {
        Action::Monitor => {
            if monitoring {
                return Err(invalid("problem.action_monitoring"));
            }
            out.push(
                "conversation.monitored",
                json!({"supervisor_id": s.login, "mode": "silent"}),
            );
        }
        Action::StopMonitoring => {
            if !monitoring {
                return Err(invalid("problem.action_not_monitoring"));
            }
            out.push(
                "conversation.monitor_ended",
                json!({"supervisor_id": s.login}),
            );
        }
        Action::Join => {
            if !matches!(c.status, S::Active | S::Waiting) || c.agent_id.is_none() {
                return Err(state_refusal(c, "active, waiting"));
            }
            if joined {
                return Err(invalid("problem.action_joined"));
            }
            out.push(
                "conversation.monitored",
                json!({"supervisor_id": s.login, "mode": "joined"}),
            );
            out.notice("A supervisor joined the conversation.");
        }
        Action::Message { text } => {
            if !joined {
                return Err(invalid("problem.action_join_first"));
            }
            let text = checked_text(text, MAX_TEXT_CHARS)?;
            out.message(text, "all");
        }
        Action::Whisper { text } => {
            if !matches!(c.status, S::Active | S::Waiting | S::WrapUp) || c.agent_id.is_none() {
                return Err(state_refusal(c, "active, waiting, wrap-up"));
            }
            let text = checked_text(text, MAX_TEXT_CHARS)?;
            out.message(text, "agents");
        }
        Action::Assign { agent_id } => {
            if c.status != S::Open {
                return Err(state_refusal(c, "open"));
            }
            over_capacity = eligible(s, agent_id)?;
            out.push(
                "conversation.offered",
                json!({"agent_id": agent_id, "by": "supervisor"}),
            );
        }
        Action::Transfer { agent_id, queue_id } => {
            let from = match (c.status, c.agent_id.as_deref()) {
                (S::Active | S::Waiting, Some(from)) => from,
                _ => return Err(state_refusal(c, "active, waiting")),
            };
            match (agent_id, queue_id) {
                (Some(to), None) => {
                    if to == from {
                        return Err(invalid("problem.action_same_agent"));
                    }
                    over_capacity = eligible(s, to)?;
                    out.push(
                        "conversation.transferred",
                        json!({"from_agent_id": from, "to_agent_id": to, "by": "supervisor"}),
                    );
                }
                (None, Some(to)) => {
                    if *to == c.queue_id {
                        return Err(invalid("problem.action_same_queue"));
                    }
                    if !(s.queue_exists)(to) || s.scope.is_some_and(|q| !q.contains(to)) {
                        return Err(refuse(
                            RefusalKind::Invalid,
                            "problem.action_no_queue",
                            &[to],
                        ));
                    }
                    out.push(
                        "conversation.transferred",
                        json!({"from_agent_id": from, "to_queue_id": to, "by": "supervisor"}),
                    );
                }
                _ => return Err(invalid("problem.action_one_target")),
            }
        }
        Action::ForceClose { reason } => {
            checked_text(reason, MAX_REASON_CHARS)?;
            out.notice("A supervisor closed the conversation.");
            out.push("conversation.closed", json!({"reason": "force_closed"}));
        }
        Action::ResolveEscalation => {
            if !c.open_escalation {
                return Err(invalid("problem.action_no_escalation"));
            }
            out.push(
                "conversation.escalation_resolved",
                json!({"by_user": s.login}),
            );
        }
    }
    Ok(Planned {
        events: out.events,
        before,
        over_capacity,
    })
}

pub(super) fn invalid(key: &'static str) -> Refusal {
    refuse(RefusalKind::Invalid, key, &[])
}

pub(super) fn state_refusal(c: &Conversation, allowed: &str) -> Refusal {
    refuse(
        RefusalKind::Invalid,
        "problem.action_state",
        &[&c.id, &c.state_name(), &allowed],
    )
}

pub(super) fn checked_text(text: &str, max: usize) -> Result<&str, Refusal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(invalid("problem.action_text_empty"));
    }
    if trimmed.chars().count() > max {
        return Err(refuse(
            RefusalKind::Invalid,
            "problem.action_text_long",
            &[&max],
        ));
    }
    Ok(trimmed)
}

/// Whether `agent` may be given the conversation: of its queue, signed in. `Ok(true)` when
/// they have no free capacity left for it (allowed: the supervisor was warned).
fn eligible(s: &Situation<'_>, agent: &str) -> Result<bool, Refusal> {
    eligible_agent(s.conversation, (s.agent)(agent), agent)
}

/// [`eligible`] for conversation `c` and agent `agent` as found (`None`: no such agent).
pub(super) fn eligible_agent(
    c: &Conversation,
    found: Option<Candidate>,
    agent: &str,
) -> Result<bool, Refusal> {
    let Some(a) = found else {
        return Err(refuse(
            RefusalKind::Invalid,
            "problem.action_no_agent",
            &[&agent],
        ));
    };
    if !a.queues.contains(&c.queue_id) {
        return Err(refuse(
            RefusalKind::Invalid,
            "problem.action_agent_queue",
            &[&agent, &c.queue_id],
        ));
    }
    if a.presence == Presence::Offline {
        return Err(refuse(
            RefusalKind::Invalid,
            "problem.action_agent_offline",
            &[&agent],
        ));
    }
    Ok(a.used + c.channel.cost() > a.capacity)
}

/// The events being written, all at one instant, ids from the action's prefix.
pub(super) struct Out<'a> {
    prefix: &'a str,
    conversation: &'a str,
    /// The supervisor whose messages these are (`None`: an agent's action).
    supervisor: Option<&'a str>,
    at: String,
    pub(super) events: Vec<Value>,
}

impl<'a> Out<'a> {
    pub(super) fn new(
        prefix: &'a str,
        conversation: &'a str,
        at: DateTime<Utc>,
        supervisor: Option<&'a str>,
    ) -> Out<'a> {
        Out {
            prefix,
            conversation,
            supervisor,
            at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            events: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, kind: &str, mut fields: Value) {
        let n = self.events.len();
        if let Value::Object(map) = &mut fields {
            map.insert("id".into(), format!("{}-{n}", self.prefix).into());
            map.insert("type".into(), kind.into());
            map.insert("at".into(), self.at.clone().into());
            map.insert("conversation_id".into(), self.conversation.into());
        }
        self.events.push(fields);
    }

    fn message(&mut self, text: &str, visibility: &str) {
        let fields = json!({
            "from": "supervisor",
            "supervisor_id": self.supervisor,
            "text": text,
            "visibility": visibility,
        });
        self.push("conversation.message", fields);
    }

    /// A notice to agent and customer, written by the supervisor.
    fn notice(&mut self, text: &str) {
        self.message(text, "all");
    }
}
