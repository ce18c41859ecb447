//! One agent's day, for the drill-through: presence and capacity over the window, and their
//! conversations.

use serde::{Deserialize, Serialize};

use super::agents::AgentRow;
use super::answer::window_start;
use super::query::Query;
use crate::kpi::engine::Engine;
use crate::model::event::Presence;

/// A stretch of one presence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceSpan {
    /// Start (ms).
    pub from: i64,
    /// End (ms).
    pub to: i64,
    /// Presence value.
    pub presence: String,
}

/// Capacity units used from `at` (ms) on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityStep {
    /// From when.
    pub at: i64,
    /// Units used.
    pub used: i64,
}

/// One of the agent's conversations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentConversationRow {
    /// Conversation id.
    pub conversation_id: String,
    /// Queue now.
    pub queue_id: String,
    /// Channel.
    pub channel: String,
    /// Status now.
    pub status: String,
    /// Created (ms).
    pub created: i64,
    /// Closed (ms).
    pub closed: Option<i64>,
    /// The agent's handle time (s).
    pub handle: f64,
    /// Sentiment.
    pub sentiment: i8,
}

/// The drill-through's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentDetail {
    /// The agents-table row.
    pub row: AgentRow,
    /// Window start and end (ms).
    pub window: (i64, i64),
    /// Presence over the window.
    pub presence: Vec<PresenceSpan>,
    /// Capacity used over the window (a step function).
    pub capacity: Vec<CapacityStep>,
    /// Conversations offered to the agent that were live in the window, newest first.
    pub conversations: Vec<AgentConversationRow>,
}

impl Engine {
    /// The drill-through of agent `id` for the window of `q` (its other filters ignored), made
    /// of the agent's work in `q.scope`'s queues only.
    pub fn agent_detail(
        &self,
        id: &str,
        q: &Query,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<AgentDetail> {
        let t = q.at.unwrap_or(now).timestamp_millis();
        let from = window_start(q.window, q.tz, t).min(t);
        let only = Query {
            agents: vec![id.to_owned()],
            window: q.window,
            tz: q.tz,
            at: q.at,
            ..Query::default()
        };
        let mut row = self
            .agent_rows(&only, now)
            .into_iter()
            .find(|r| r.agent_id == id)?;
        let rec = self.agents.get(id)?;
        // A supervisor sees the agent's work in their own queues only, as everywhere else.
        let derived: Vec<(String, super::facts::Facts)> = self
            .agent_convs
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|idx| {
                let c = &self.convs[idx];
                let f = c.derive(&self.names, t)?;
                let visible = q
                    .scope
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|x| *x == *f.queue));
                visible.then(|| (c.id().to_string(), f))
            })
            .collect();
        if let Some(scope) = &q.scope {
            row.limit_to(scope, &derived, &rec.presence, id, from, t);
        }
        let mut presence = Vec::new();
        let (mut cur, mut since) = (rec.presence_at(from).0, from);
        for &(at, _, p) in rec
            .presence
            .iter()
            .filter(|(at, _, _)| *at > from && *at <= t)
        {
            presence.push(PresenceSpan {
                from: since,
                to: at,
                presence: cur.as_str().to_owned(),
            });
            (cur, since) = (p, at);
        }
        presence.push(PresenceSpan {
            from: since,
            to: t,
            presence: cur.as_str().to_owned(),
        });
        presence.retain(|s| s.to > s.from || s.presence != Presence::Offline.as_str());

        let mut changes: Vec<(i64, i64)> = Vec::new();
        let mut conversations = Vec::new();
        for (conversation_id, f) in &derived {
            if f.created > t || f.closed.is_some_and(|(x, _)| x < from) {
                continue;
            }
            let part = f.parts.iter().find(|p| &*p.agent == id);
            for &(a, b) in part.map(|p| p.busy.as_slice()).unwrap_or_default() {
                let cost = Engine::cost(f.channel);
                changes.push((a.max(from), cost));
                changes.push((b.min(t).max(a.max(from)), -cost));
            }
            conversations.push(AgentConversationRow {
                conversation_id: conversation_id.clone(),
                queue_id: f.queue.to_string(),
                channel: f.channel.as_str().to_owned(),
                status: f.status.as_str().to_owned(),
                created: f.created,
                closed: f.closed.map(|(x, _)| x),
                handle: part.map_or(0.0, |p| p.handle_ms as f64 / 1000.0),
                sentiment: f.sentiment,
            });
        }
        conversations.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then(a.conversation_id.cmp(&b.conversation_id))
        });
        changes.sort_unstable();
        let mut capacity = vec![CapacityStep { at: from, used: 0 }];
        let mut used = 0;
        for (at, delta) in changes {
            used += delta;
            match capacity.last_mut() {
                Some(last) if last.at == at => last.used = used,
                _ => capacity.push(CapacityStep { at, used }),
            }
        }
        Some(AgentDetail {
            row,
            window: (from, t),
            presence,
            capacity,
            conversations,
        })
    }
}
