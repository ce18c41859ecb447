//! Agents' and queues' reference data as the engine keeps it: names, queues, skills and
//! capacity, each agent's presence over time, each queue's service-level threshold.

use serde::{Deserialize, Serialize};

use crate::model::event::{AgentUpserted, Presence, QueueUpserted};

/// Default service-level threshold (EVENTS.md).
pub const DEFAULT_SL_SECONDS: u32 = 20;

/// An agent: reference data and presence over time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AgentRec {
    /// Display name.
    pub name: String,
    /// Queues.
    pub queues: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Capacity units.
    pub capacity: u32,
    /// `at` of the winning upsert.
    upserted: Option<i64>,
    /// Presence changes ordered by (`at`, arrival).
    pub presence: Vec<(i64, u64, Presence)>,
}

impl Default for AgentRec {
    /// An agent known only by id: no queues or skills, the default capacity of 3, offline.
    fn default() -> AgentRec {
        AgentRec {
            name: String::new(),
            queues: Vec::new(),
            skills: Vec::new(),
            capacity: 3,
            upserted: None,
            presence: Vec::new(),
        }
    }
}

impl AgentRec {
    /// Takes an `agent.upserted` at `at` unless a later one already won.
    pub(in crate::kpi) fn upsert(&mut self, a: &AgentUpserted, at: i64) {
        if self.upserted.is_none_or(|t| at >= t) {
            self.name = a.name.clone();
            self.queues = a.queues.clone();
            self.skills = a.skills.clone();
            self.capacity = a.capacity;
            self.upserted = Some(at);
        }
    }

    /// Presence as of `t` (offline before any) and since when.
    pub fn presence_at(&self, t: i64) -> (Presence, Option<i64>) {
        let n = self.presence.partition_point(|(at, _, _)| *at <= t);
        match n {
            0 => (Presence::Offline, None),
            n => (self.presence[n - 1].2, Some(self.presence[n - 1].0)),
        }
    }
}

/// A queue's reference data.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueRec {
    /// Display name.
    pub name: String,
    /// Service-level threshold (s).
    pub service_level_seconds: u32,
    upserted: Option<i64>,
}

impl QueueRec {
    /// A queue known only by id: named by it, with the default threshold.
    pub(in crate::kpi) fn new(id: &str) -> QueueRec {
        QueueRec {
            name: id.to_owned(),
            service_level_seconds: DEFAULT_SL_SECONDS,
            upserted: None,
        }
    }

    /// Takes a `queue.upserted` at `at` unless a later one already won; whether its
    /// service-level threshold changed.
    pub(in crate::kpi) fn upsert(&mut self, q: &QueueUpserted, at: i64) -> bool {
        if self.upserted.is_some_and(|t| at < t) {
            // A later upsert already won.
            return false;
        }
        let sl_changed = self.service_level_seconds != q.service_level_seconds;
        self.name = q.name.clone();
        self.service_level_seconds = q.service_level_seconds;
        self.upserted = Some(at);
        sl_changed
    }

    /// Whether it had been upserted by `t` (ms).
    pub fn upserted_by(&self, t: i64) -> bool {
        self.upserted.is_some_and(|u| u <= t)
    }
}
