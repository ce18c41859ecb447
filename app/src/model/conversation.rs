//! The conversation state machine of EVENTS.md: compact transitions, one step at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::{Channel, CloseReason, EventBody, ResumedBy};

/// A conversation's status (KPIS.md's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Waiting in its queue.
    Open,
    /// With an agent: awaiting acceptance or in conversation.
    Active,
    /// Parked; uses no capacity.
    Waiting,
    /// The agent ended the session and wraps up.
    WrapUp,
    /// Final.
    Closed,
}

/// A conversation as derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Conversation id.
    pub id: String,
    /// The queue it is in now (its latest after transfers).
    pub queue_id: String,
    /// The channel it was created with.
    pub channel: Channel,
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer_name: String,
    /// Skills it needs.
    pub skills: Vec<String>,
    /// Status.
    pub status: ConversationStatus,
    /// Active and not yet accepted.
    pub awaiting_acceptance: bool,
    /// The assigned agent (kept after close: the last one).
    pub agent_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Latest entry into the queue, while open.
    pub entered_queue_at: Option<DateTime<Utc>>,
    /// First accept.
    pub first_accepted_at: Option<DateTime<Utc>>,
    /// Close time.
    pub closed_at: Option<DateTime<Utc>>,
    /// Close reason.
    pub close_reason: Option<CloseReason>,
    /// An escalation is open.
    pub open_escalation: bool,
    /// When the latest event of the conversation happened.
    pub updated_at: DateTime<Utc>,
}

impl Conversation {
    /// The status in words, as refusal messages name it.
    pub fn state_name(&self) -> &'static str {
        match (self.status, self.awaiting_acceptance) {
            (ConversationStatus::Open, _) => "open",
            (ConversationStatus::Active, true) => "active, awaiting acceptance",
            (ConversationStatus::Active, false) => "active, in conversation",
            (ConversationStatus::Waiting, _) => "waiting",
            (ConversationStatus::WrapUp, _) => "wrap-up",
            (ConversationStatus::Closed, _) => "closed",
        }
    }

    /// The capacity units it holds on its agent now (KPIS.md's costs): its channel's cost while
    /// active or in wrap-up, else none.
    pub fn capacity_held(&self) -> u32 {
        match self.status {
            ConversationStatus::Active | ConversationStatus::WrapUp => self.channel.cost(),
            _ => 0,
        }
    }
}

/// What one event does to a conversation, without the JSON around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transition {
    /// `created`.
    Created {
        /// Queue.
        queue_id: String,
        /// Channel.
        channel: Channel,
        /// Customer id.
        customer_id: String,
        /// Customer name.
        customer_name: String,
        /// Skills.
        skills: Vec<String>,
    },
    /// `offered`.
    Offered(String),
    /// `accepted`.
    Accepted(String),
    /// `rejected`.
    Rejected(String),
    /// `transferred` to an agent.
    TransferredToAgent {
        /// The agent it leaves.
        from: String,
        /// The agent it is offered to.
        to: String,
    },
    /// `transferred` to a queue.
    TransferredToQueue {
        /// The agent it leaves.
        from: String,
        /// The new queue.
        to: String,
    },
    /// `released`.
    Released(String),
    /// `waiting`.
    Waiting,
    /// `resumed`.
    Resumed(ResumedBy),
    /// `ended`.
    Ended,
    /// `closed`.
    Closed(CloseReason),
    /// `escalated`.
    Escalated,
    /// `escalation_resolved`.
    EscalationResolved,
    /// `message`, `monitored`, `monitor_ended`: no state change.
    Note,
}

impl Transition {
    /// The transition of a conversation event; `None` for agent and queue events.
    pub fn of(body: &EventBody) -> Option<Transition> {
        use EventBody as B;
        Some(match body {
            B::QueueUpserted(_) | B::AgentUpserted(_) | B::AgentPresence(_) => return None,
            B::ConversationCreated(c) => Transition::Created {
                queue_id: c.queue_id.clone(),
                channel: c.channel,
                customer_id: c.customer.id.clone(),
                customer_name: c.customer.name.clone(),
                skills: c.skills.clone(),
            },
            B::ConversationOffered(o) => Transition::Offered(o.agent_id.clone()),
            B::ConversationAccepted(a) => Transition::Accepted(a.agent_id.clone()),
            B::ConversationRejected(r) => Transition::Rejected(r.agent_id.clone()),
            B::ConversationTransferred(t) => match (&t.to_agent_id, &t.to_queue_id) {
                (Some(to), _) => Transition::TransferredToAgent {
                    from: t.from_agent_id.clone(),
                    to: to.clone(),
                },
                (None, Some(to)) => Transition::TransferredToQueue {
                    from: t.from_agent_id.clone(),
                    to: to.clone(),
                },
                (None, None) => return None,
            },
            B::ConversationReleased(r) => Transition::Released(r.agent_id.clone()),
            B::ConversationWaiting(_) => Transition::Waiting,
            B::ConversationResumed(r) => Transition::Resumed(r.by),
            B::ConversationEnded(_) => Transition::Ended,
            B::ConversationClosed(c) => Transition::Closed(c.reason),
            B::ConversationEscalated(_) => Transition::Escalated,
            B::ConversationEscalationResolved(_) => Transition::EscalationResolved,
            B::ConversationMessage(_)
            | B::ConversationMonitored(_)
            | B::ConversationMonitorEnded(_) => Transition::Note,
        })
    }

    /// The event type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Transition::Created { .. } => "conversation.created",
            Transition::Offered(_) => "conversation.offered",
            Transition::Accepted(_) => "conversation.accepted",
            Transition::Rejected(_) => "conversation.rejected",
            Transition::TransferredToAgent { .. } | Transition::TransferredToQueue { .. } => {
                "conversation.transferred"
            }
            Transition::Released(_) => "conversation.released",
            Transition::Waiting => "conversation.waiting",
            Transition::Resumed(_) => "conversation.resumed",
            Transition::Ended => "conversation.ended",
            Transition::Closed(_) => "conversation.closed",
            Transition::Escalated => "conversation.escalated",
            Transition::EscalationResolved => "conversation.escalation_resolved",
            Transition::Note => "conversation.message",
        }
    }
}

/// A refused step: the field to blame and a message naming the current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepError {
    /// The field to blame.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

fn refuse(c: &Conversation, t: &Transition, allowed: &str) -> StepError {
    StepError {
        field: "type",
        message: format!(
            "conversation {} is {}; {} is not allowed (allowed from: {allowed})",
            c.id,
            c.state_name(),
            t.type_name()
        ),
    }
}

fn agent_mismatch(c: &Conversation, field: &'static str, given: &str) -> StepError {
    StepError {
        field,
        message: format!(
            "conversation {} is {} with agent {}, not {given}",
            c.id,
            c.state_name(),
            c.agent_id.as_deref().unwrap_or("(none)")
        ),
    }
}

/// Starts a conversation from its `created` transition.
pub fn start(id: &str, at: DateTime<Utc>, t: &Transition) -> Option<Conversation> {
    let Transition::Created {
        queue_id,
        channel,
        customer_id,
        customer_name,
        skills,
    } = t
    else {
        return None;
    };
    Some(Conversation {
        id: id.to_owned(),
        queue_id: queue_id.clone(),
        channel: *channel,
        customer_id: customer_id.clone(),
        customer_name: customer_name.clone(),
        skills: skills.clone(),
        status: ConversationStatus::Open,
        awaiting_acceptance: false,
        agent_id: None,
        created_at: at,
        entered_queue_at: Some(at),
        first_accepted_at: None,
        closed_at: None,
        close_reason: None,
        open_escalation: false,
        updated_at: at,
    })
}

/// Applies one transition at `at`, or says why it is not allowed in the current state.
pub fn step(c: &mut Conversation, at: DateTime<Utc>, t: &Transition) -> Result<(), StepError> {
    use ConversationStatus as S;
    let active = c.status == S::Active;
    let awaiting = active && c.awaiting_acceptance;
    let is_agent = |agent: &str| c.agent_id.as_deref() == Some(agent);
    match t {
        Transition::Created { .. } => {
            return Err(StepError {
                field: "conversation_id",
                message: format!(
                    "conversation {} already exists (it is {})",
                    c.id,
                    c.state_name()
                ),
            });
        }
        Transition::Offered(agent) => {
            if c.status != S::Open {
                return Err(refuse(c, t, "open"));
            }
            c.status = S::Active;
            c.awaiting_acceptance = true;
            c.agent_id = Some(agent.clone());
            c.entered_queue_at = None;
        }
        Transition::Accepted(agent) | Transition::Rejected(agent) => {
            if !awaiting {
                return Err(refuse(c, t, "active, awaiting acceptance"));
            }
            if !is_agent(agent) {
                return Err(agent_mismatch(c, "agent_id", agent));
            }
            if matches!(t, Transition::Accepted(_)) {
                c.awaiting_acceptance = false;
                c.first_accepted_at.get_or_insert(at);
            } else {
                back_to_queue(c, at);
            }
        }
        Transition::TransferredToAgent { from, to } => {
            if !(active || c.status == S::Waiting) {
                return Err(refuse(c, t, "active, waiting"));
            }
            if !is_agent(from) {
                return Err(agent_mismatch(c, "from_agent_id", from));
            }
            c.status = S::Active;
            c.awaiting_acceptance = true;
            c.agent_id = Some(to.clone());
        }
        Transition::TransferredToQueue { from, to } => {
            if !(active || c.status == S::Waiting) {
                return Err(refuse(c, t, "active, waiting"));
            }
            if !is_agent(from) {
                return Err(agent_mismatch(c, "from_agent_id", from));
            }
            c.queue_id = to.clone();
            back_to_queue(c, at);
        }
        Transition::Released(agent) => {
            if !active {
                return Err(refuse(c, t, "active"));
            }
            if !is_agent(agent) {
                return Err(agent_mismatch(c, "agent_id", agent));
            }
            back_to_queue(c, at);
        }
        Transition::Waiting => {
            if !active {
                return Err(refuse(c, t, "active"));
            }
            c.status = S::Waiting;
            c.awaiting_acceptance = false;
        }
        Transition::Resumed(by) => {
            if c.status != S::Waiting {
                return Err(refuse(c, t, "waiting"));
            }
            match by {
                ResumedBy::Agent => {
                    c.status = S::Active;
                    c.awaiting_acceptance = false;
                }
                ResumedBy::Customer => back_to_queue(c, at),
            }
        }
        Transition::Ended => {
            if !active {
                return Err(refuse(c, t, "active"));
            }
            c.status = S::WrapUp;
            c.awaiting_acceptance = false;
        }
        Transition::Closed(reason) => {
            if c.status == S::Closed {
                return Err(refuse(c, t, "open, active, waiting, wrap-up"));
            }
            c.status = S::Closed;
            c.awaiting_acceptance = false;
            c.entered_queue_at = None;
            c.closed_at = Some(at);
            c.close_reason = Some(*reason);
        }
        Transition::Escalated => c.open_escalation = true,
        Transition::EscalationResolved => {
            if !c.open_escalation {
                return Err(StepError {
                    field: "type",
                    message: format!("conversation {} has no open escalation to resolve", c.id),
                });
            }
            c.open_escalation = false;
        }
        Transition::Note => {}
    }
    c.updated_at = at;
    Ok(())
}

fn back_to_queue(c: &mut Conversation, at: DateTime<Utc>) {
    c.status = ConversationStatus::Open;
    c.awaiting_acceptance = false;
    c.agent_id = None;
    c.entered_queue_at = Some(at);
}
