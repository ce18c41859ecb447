//! The live push stream: every applied event becomes deltas (a conversation's or an agent's
//! new state), kept in a replay buffer and fanned out to subscribers over SSE
//! (`GET /api/v1/stream`), each scoped to its token's queues.
//!
//! A delta's id is the log sequence of the event that caused it, so every replica of a shared
//! PostgreSQL log gives the same ids and a browser resumes on any replica with `Last-Event-ID`.

pub mod caller;
pub mod frame;
pub mod hub;
pub mod page;
pub mod queue;
pub mod rows;
pub mod sse;
#[cfg(test)]
mod tests;
pub mod tiles;
pub mod views;

use std::sync::Arc;

pub use hub::{Hub, StreamSettings};

/// Which callers may see a delta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every subscriber (e.g. center-wide figures).
    All,
    /// Subscribers whose scope holds any of these queues; with none, only subscribers that see
    /// every queue.
    Queues(Vec<String>),
    /// Exactly the subscribers with this scope (figures computed for that scope).
    Scope(Scope),
}

/// One change pushed to subscribers: an SSE event named `kind` carrying `data` (JSON).
#[derive(Debug, Clone)]
pub struct Delta {
    /// The log sequence of the (last) event that caused it; the SSE id.
    pub seq: i64,
    /// The SSE event name: `conversation`, `agent`, later `kpis`, `alert`.
    pub kind: &'static str,
    /// Who may see it.
    pub visibility: Visibility,
    /// The JSON payload, serialised once for every subscriber.
    pub data: Arc<str>,
}

/// A subscriber's queues: `None` is every queue.
pub type Scope = Option<Vec<String>>;

impl Delta {
    /// Whether a subscriber with this scope may see the delta.
    pub fn visible_to(&self, scope: &Scope) -> bool {
        match (scope, &self.visibility) {
            (mine, Visibility::Scope(theirs)) => mine == theirs,
            (None, _) | (_, Visibility::All) => true,
            (Some(mine), Visibility::Queues(queues)) => queues.iter().any(|q| mine.contains(q)),
        }
    }
}

/// Whether a queue is in a scope.
pub fn in_scope(scope: &Scope, queue: &str) -> bool {
    scope
        .as_ref()
        .is_none_or(|qs| qs.iter().any(|q| q == queue))
}
