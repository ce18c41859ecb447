//! The JSON the stream carries: conversation and agent deltas, and the snapshot a subscriber
//! starts (or restarts) from.

use std::collections::HashMap;
use std::sync::Arc;

use super::rows::Rows;
use app::model::event::{Event, EventBody};
use app::model::ledger::{Agent, Ledger};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Delta, Scope, Visibility, in_scope};
use crate::ingest::projection::Applied;

/// An agent with the capacity it uses now and what is left (negative when over capacity).
#[derive(Debug, Serialize)]
pub struct AgentWithCapacity<'a> {
    /// The agent as the events say.
    #[serde(flatten)]
    pub agent: &'a Agent,
    /// Capacity units used by active and wrap-up conversations.
    pub capacity_used: u32,
    /// `capacity - capacity_used`.
    pub capacity_free: i64,
}

#[derive(Serialize)]
struct AgentDelta<'a> {
    seq: i64,
    as_of: Option<DateTime<Utc>>,
    agent: AgentWithCapacity<'a>,
}

/// Capacity units each agent uses now (as [`Ledger::capacity_used`], in one pass).
pub fn capacity_by_agent(ledger: &Ledger) -> HashMap<&str, u32> {
    let mut used = HashMap::new();
    for c in ledger.live_conversations() {
        if let Some(agent) = c.agent_id.as_deref() {
            *used.entry(agent).or_insert(0) += c.capacity_held();
        }
    }
    used
}

fn agent_with_capacity(agent: &Agent, capacity_used: u32) -> AgentWithCapacity<'_> {
    AgentWithCapacity {
        agent,
        capacity_used,
        capacity_free: i64::from(agent.capacity) - i64::from(capacity_used),
    }
}

/// The agents whose state or capacity an event may change.
fn agents_of(event: &Event) -> impl Iterator<Item = &str> {
    let from = match &event.body {
        EventBody::ConversationTransferred(t) => Some(t.from_agent_id.as_str()),
        _ => None,
    };
    event.agent_id().into_iter().chain(from)
}

/// The deltas a batch of applied events causes: each touched conversation's and agent's state
/// after the batch, with the sequence of the last event touching it, in sequence order.
pub fn deltas(applied: Applied<'_>, rows: &mut Rows) -> Vec<Delta> {
    let ledger = applied.ledger;
    let mut conversations: HashMap<&str, i64> = HashMap::new();
    let mut agents: HashMap<&str, i64> = HashMap::new();
    for (event, &seq) in applied.events.iter().zip(applied.seqs) {
        if let Some(id) = event.conversation_id() {
            conversations.insert(id, seq);
        }
        for agent in agents_of(event) {
            agents.insert(agent, seq);
        }
    }
    let as_of = ledger.newest_at();
    let mut out = Vec::with_capacity(conversations.len() + agents.len());
    for (id, seq) in conversations {
        let Some(conversation) = ledger.conversation(id) else {
            continue;
        };
        // Keyed by the ledger's own copy of the id: a closed conversation is unfolded into a
        // value that does not outlive this loop (and an agent the ledger does not know has no
        // delta to send).
        if let Some(agent) = conversation
            .agent_id
            .as_deref()
            .and_then(|a| ledger.agent(a))
        {
            let s = agents.entry(agent.id.as_str()).or_insert(seq);
            *s = (*s).max(seq);
        }
        let row = rows.refresh(&conversation);
        let data = format!(
            r#"{{"seq":{seq},"as_of":{},"conversation":{row}}}"#,
            json(&as_of)
        )
        .into();
        let visibility = Visibility::Queues(vec![conversation.queue_id.clone()]);
        out.push(delta(seq, "conversation", visibility, data));
    }
    if !agents.is_empty() {
        let used = capacity_by_agent(ledger);
        for (id, seq) in agents {
            let Some(agent) = ledger.agent(id) else {
                continue;
            };
            let data = json(&AgentDelta {
                seq,
                as_of,
                agent: agent_with_capacity(
                    agent,
                    used.get(agent.id.as_str()).copied().unwrap_or(0),
                ),
            });
            out.push(delta(
                seq,
                "agent",
                Visibility::Queues(agent.queues.clone()),
                data,
            ));
        }
    }
    // Conversations before agents within one sequence, so the order is deterministic.
    out.sort_by_key(|d| (d.seq, d.kind != "conversation"));
    out
}

fn delta(seq: i64, kind: &'static str, visibility: Visibility, data: Arc<str>) -> Delta {
    Delta {
        seq,
        kind,
        visibility,
        data,
    }
}

/// Every live conversation and every agent in scope, sorted by id: what a snapshot holds, copied out of the ledger so that the writer's lock is held only
/// for the copy: the JSON (most of a snapshot's cost) is written after the lock is released,
/// and ingest does not wait for it.
pub struct SnapshotCopy {
    conversations: Vec<Arc<str>>,
    agents: Vec<(Agent, u32)>,
    as_of: Option<DateTime<Utc>>,
}

impl SnapshotCopy {
    /// Copies the live conversations and agents in `scope`.
    pub fn take(ledger: &Ledger, rows: &Rows, scope: &Scope) -> SnapshotCopy {
        let used = capacity_by_agent(ledger);
        SnapshotCopy {
            conversations: rows.in_scope(scope),
            agents: ledger
                .agents()
                .filter(|a| scope.is_none() || a.queues.iter().any(|q| in_scope(scope, q)))
                .map(|a| (a.clone(), used.get(a.id.as_str()).copied().unwrap_or(0)))
                .collect(),
            as_of: ledger.newest_at(),
        }
    }

    /// The snapshot's JSON at log sequence `seq`.
    pub fn to_json(&self, seq: i64) -> Arc<str> {
        let mut agents: Vec<AgentWithCapacity<'_>> = self
            .agents
            .iter()
            .map(|(agent, used)| agent_with_capacity(agent, *used))
            .collect();
        agents.sort_by(|a, b| a.agent.id.cmp(&b.agent.id));
        // The rows are kept as JSON already (in id order): put together, not written again.
        let rows: usize = self.conversations.iter().map(|r| r.len() + 1).sum();
        let mut out = String::with_capacity(rows + 64 * agents.len() + 128);
        out.push_str(&format!(
            r#"{{"seq":{seq},"as_of":{},"conversations":["#,
            json(&self.as_of)
        ));
        for (i, row) in self.conversations.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(row);
        }
        out.push_str(r#"],"agents":"#);
        out.push_str(&json(&agents));
        out.push('}');
        out.into()
    }
}

/// Serialises a view; these types always serialise, but a failure is logged, not a panic.
fn json(value: &impl Serialize) -> Arc<str> {
    match serde_json::to_string(value) {
        Ok(s) => s.into(),
        Err(error) => {
            tracing::error!(%error, "a stream payload did not serialise");
            Arc::from("{}")
        }
    }
}
