//! Rows for the ongoing-conversations grid and the agents table.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::agents::{AgentRow, AgentsInScope};
use super::answer::window_start;
use super::ask::Ask;
use super::facts::Status;
use super::query::Query;
use crate::kpi::engine::Engine;

/// A conversation row of the ongoing grid (`GET /api/v1/conversations`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversationRow {
    /// Conversation id.
    pub conversation_id: String,
    /// Queue it is in now.
    pub queue_id: String,
    /// Channel.
    pub channel: String,
    /// `open`, `active`, `waiting`, `wrap_up`.
    pub status: String,
    /// Active and not yet accepted.
    pub awaiting_acceptance: bool,
    /// Current agent.
    pub agent_id: Option<String>,
    /// Customer name.
    pub customer: String,
    /// Skills it needs.
    pub skills: Vec<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Latest entry into its queue (RFC 3339).
    pub queue_entry_at: String,
    /// Seconds in queue since that entry, while in queue.
    pub wait: Option<f64>,
    /// First accept (RFC 3339).
    pub first_accepted_at: Option<String>,
    /// Sentiment (−3 … 3).
    pub sentiment: i8,
    /// An escalation is open.
    pub open_escalation: bool,
    /// Latest event (RFC 3339).
    pub updated_at: String,
}

fn rfc3339(t: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(t)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Engine {
    /// Conversations not closed that pass `q`'s filters (default status: every ongoing one),
    /// oldest first.
    pub fn conversation_rows(&self, q: &Query, now: DateTime<Utc>) -> Vec<ConversationRow> {
        let t = now.timestamp_millis();
        let queues = q.queue_set();
        let mut rows: Vec<ConversationRow> = self
            .live()
            .filter_map(|c| {
                let f = c.held()?;
                if !q.keeps(f, &queues) || f.status == Status::Closed {
                    return None;
                }
                Some(ConversationRow {
                    conversation_id: c.id().to_string(),
                    queue_id: f.queue.to_string(),
                    channel: f.channel.as_str().to_owned(),
                    status: f.status.as_str().to_owned(),
                    awaiting_acceptance: f.awaiting,
                    agent_id: f.agent.as_deref().map(str::to_owned),
                    customer: f.customer.to_string(),
                    skills: f.skills.to_vec(),
                    created_at: rfc3339(f.created),
                    queue_entry_at: rfc3339(f.queue_entry),
                    wait: f
                        .in_queue()
                        .then(|| (t - f.queue_entry).max(0) as f64 / 1000.0),
                    first_accepted_at: f.first_accepted.map(rfc3339),
                    sentiment: f.sentiment,
                    open_escalation: f.open_escalation,
                    updated_at: rfc3339(f.updated),
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.created_at, &a.conversation_id).cmp(&(&b.created_at, &b.conversation_id))
        });
        rows
    }

    /// The agents table: agents that pass `q` (by their queues, ids and skills) with their
    /// window KPIs, by id.
    pub fn agent_rows(&self, q: &Query, now: DateTime<Utc>) -> Vec<AgentRow> {
        debug_assert!(
            self.settled(),
            "Engine::load must be followed by settle before a read"
        );
        let t = q.at.unwrap_or(now).timestamp_millis();
        let from = window_start(q.window, q.tz, t).min(t);
        let queues = q.queue_set();
        let view = if q.at.is_none() {
            self.live_view()
        } else {
            self.view_at(t, &Query::default(), &None)
        };
        let ask = Ask {
            q,
            t,
            from,
            queues,
            open_end: self.newest().is_none_or(|n| n <= t),
            view,
        };
        AgentsInScope::new(self, &ask, true).rows
    }
}
