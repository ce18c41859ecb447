//! A row of the Ongoing grid.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::board::{Escalation, Extras, Monitor};
use crate::model::conversation::{Conversation, ConversationStatus};
use crate::model::event::Channel;

/// A conversation as the server sends it: the ledger's state and the board's extras side by
/// side, borrowed, so a 10,000-row snapshot copies nothing to write its JSON.
#[derive(Serialize)]
pub struct RowOut<'a> {
    /// The ledger's state.
    #[serde(flatten)]
    pub conversation: &'a Conversation,
    /// What the ledger does not keep.
    #[serde(flatten)]
    pub extras: &'a Extras,
}

/// A conversation as the browser keeps it: the fields of [`RowOut`], owned. Unknown fields are
/// ignored, so the server may send more.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OngoingRow {
    /// Conversation id.
    pub id: String,
    /// Its queue now.
    pub queue_id: String,
    /// Channel.
    pub channel: Channel,
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer_name: String,
    /// Skills it needs.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Status (a closed one leaves the grid).
    pub status: ConversationStatus,
    /// Active and not yet accepted.
    #[serde(default)]
    pub awaiting_acceptance: bool,
    /// The assigned agent.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Its latest entry into the queue, while open.
    #[serde(default)]
    pub entered_queue_at: Option<DateTime<Utc>>,
    /// First accept: the handle time counts from here.
    #[serde(default)]
    pub first_accepted_at: Option<DateTime<Utc>>,
    /// An escalation is open.
    #[serde(default)]
    pub open_escalation: bool,
    /// Its latest event: the last change.
    pub updated_at: DateTime<Utc>,
    /// Subject, if the source gave one.
    #[serde(default)]
    pub subject: Option<String>,
    /// Transfers so far.
    #[serde(default)]
    pub transfers: u32,
    /// KPIS.md's sentiment (−3..3), from its last 6 customer messages.
    #[serde(default)]
    pub sentiment: i8,
    /// Whether any customer message carried a sentiment (else "—", not a neutral 0).
    #[serde(default)]
    pub sentiment_known: bool,
    /// Supervisors monitoring it now.
    #[serde(default)]
    pub monitors: Vec<Monitor>,
    /// Since when its current status holds.
    #[serde(default)]
    pub status_since: Option<DateTime<Utc>>,
    /// The open escalation, if any.
    #[serde(default)]
    pub escalation: Option<Escalation>,
}

/// The state an action is taken on, as a short text both sides compute the same way: status,
/// agent, queue and the open escalation. A message or a monitor does not change it, so only a
/// real change of the conversation refuses a supervisor's action taken on what they saw.
pub fn state_token(
    status: ConversationStatus,
    awaiting: bool,
    agent: Option<&str>,
    queue: &str,
    escalation: bool,
) -> String {
    let status = status_word(status, awaiting);
    format!(
        "{status}/{}/{queue}/{}",
        agent.unwrap_or("-"),
        if escalation { "esc" } else { "-" }
    )
}

/// A status as the grid, its filter and the state token name it: awaiting acceptance apart
/// (`offered`), as a supervisor tells the two apart.
pub fn status_word(status: ConversationStatus, awaiting: bool) -> &'static str {
    match (status, awaiting) {
        (ConversationStatus::Open, _) => "open",
        (ConversationStatus::Active, true) => "offered",
        (ConversationStatus::Active, false) => "active",
        (ConversationStatus::Waiting, _) => "waiting",
        (ConversationStatus::WrapUp, _) => "wrap_up",
        (ConversationStatus::Closed, _) => "closed",
    }
}

impl OngoingRow {
    /// The state token of this row ([`state_token`]).
    pub fn state_token(&self) -> String {
        state_token(
            self.status,
            self.awaiting_acceptance,
            self.agent_id.as_deref(),
            &self.queue_id,
            self.open_escalation,
        )
    }

    /// Whether the supervisor's login `who` monitors it now.
    pub fn monitored_by(&self, who: &str) -> bool {
        self.monitors.iter().any(|m| m.supervisor_id == who)
    }
}

/// The state token of a ledger conversation.
pub fn conversation_token(c: &Conversation) -> String {
    state_token(
        c.status,
        c.awaiting_acceptance,
        c.agent_id.as_deref(),
        &c.queue_id,
        c.open_escalation,
    )
}
