//! The typed events of EVENTS.md (version 1): common fields, the body of each type, and what
//! an event is about. Parsing and validation live in `parse`.

use chrono::{DateTime, Utc};
use serde::Serialize;

mod kinds;
mod parse;
mod payloads;

pub use kinds::*;
pub use parse::parse_event;
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
    ConversationMonitorEnded(ConversationOnly),
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
            B::ConversationWaiting(e)
            | B::ConversationEnded(e)
            | B::ConversationMonitorEnded(e) => &e.conversation_id,
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
