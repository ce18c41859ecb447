//! The fields of each event type, as EVENTS.md lists them.

use serde::{Deserialize, Serialize};

use super::kinds::*;

fn default_service_level() -> u32 {
    20
}

fn default_capacity() -> u32 {
    3
}

/// `queue.upserted`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct QueueUpserted {
    /// Queue id.
    pub queue_id: String,
    /// Display name.
    pub name: String,
    /// Channels it serves.
    pub channels: Vec<Channel>,
    /// Service-level threshold in seconds (default 20).
    #[serde(default = "default_service_level")]
    pub service_level_seconds: u32,
}

/// `agent.upserted`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AgentUpserted {
    /// Agent id.
    pub agent_id: String,
    /// Display name.
    pub name: String,
    /// Queue ids.
    #[serde(default)]
    pub queues: Vec<String>,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Capacity units (default 3).
    #[serde(default = "default_capacity")]
    pub capacity: u32,
}

/// `agent.presence`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AgentPresence {
    /// Agent id.
    pub agent_id: String,
    /// New presence.
    pub presence: Presence,
}

/// The customer of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Customer id.
    pub id: String,
    /// Customer name.
    pub name: String,
}

/// `conversation.created`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Created {
    /// Conversation id.
    pub conversation_id: String,
    /// Queue it waits in.
    pub queue_id: String,
    /// Its channel.
    pub channel: Channel,
    /// Who.
    pub customer: Customer,
    /// Optional subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Skills it needs.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// `conversation.offered`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Offered {
    /// Conversation id.
    pub conversation_id: String,
    /// Agent offered to.
    pub agent_id: String,
    /// Who offered.
    pub by: OfferedBy,
}

/// `conversation.accepted`, `conversation.released`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WithAgent {
    /// Conversation id.
    pub conversation_id: String,
    /// The agent.
    pub agent_id: String,
}

/// `conversation.rejected`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Rejected {
    /// Conversation id.
    pub conversation_id: String,
    /// The agent who did not take it.
    pub agent_id: String,
    /// Declined or timed out.
    pub reason: RejectReason,
}

/// `conversation.transferred`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Transferred {
    /// Conversation id.
    pub conversation_id: String,
    /// The agent it leaves.
    pub from_agent_id: String,
    /// To an agent (an offer)…
    #[serde(default)]
    pub to_agent_id: Option<String>,
    /// …or to a queue.
    #[serde(default)]
    pub to_queue_id: Option<String>,
    /// Who transferred.
    pub by: OfferedBy,
}

/// Events with only a conversation id: `waiting`, `ended`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConversationOnly {
    /// Conversation id.
    pub conversation_id: String,
}

/// `conversation.resumed`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Resumed {
    /// Conversation id.
    pub conversation_id: String,
    /// Agent or customer.
    pub by: ResumedBy,
}

/// `conversation.closed`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Closed {
    /// Conversation id.
    pub conversation_id: String,
    /// Why.
    pub reason: CloseReason,
}

/// `conversation.message`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Message {
    /// Conversation id.
    pub conversation_id: String,
    /// Who wrote it.
    pub from: MessageFrom,
    /// The text (≤ 4,000 characters).
    #[serde(default)]
    pub text: Option<String>,
    /// Sentiment −3..3.
    #[serde(default)]
    pub sentiment: Option<i8>,
    /// The agent who wrote it.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// The supervisor who wrote it.
    #[serde(default)]
    pub supervisor_id: Option<String>,
    /// Everyone, or agents only (a whisper, an internal note).
    #[serde(default)]
    pub visibility: Visibility,
}

/// `conversation.escalated`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Escalated {
    /// Conversation id.
    pub conversation_id: String,
    /// Agent or customer.
    pub kind: EscalationKind,
    /// Optional note.
    #[serde(default)]
    pub note: Option<String>,
}

/// `conversation.escalation_resolved`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct EscalationResolved {
    /// Conversation id.
    pub conversation_id: String,
    /// The user who resolved it.
    pub by_user: String,
}

/// `conversation.monitored`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Monitored {
    /// Conversation id.
    pub conversation_id: String,
    /// The supervisor.
    pub supervisor_id: String,
    /// Silent or joined.
    pub mode: MonitorMode,
}

/// `conversation.monitor_ended`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct MonitorEnded {
    /// Conversation id.
    pub conversation_id: String,
    /// The supervisor who stops; without it, every supervisor's monitoring ends.
    #[serde(default)]
    pub supervisor_id: Option<String>,
}
