//! Agent KPIs: the agents a question keeps, with presence and capacity now and each one's
//! offers, handle time and occupancy over the window — the agents table's rows and the totals
//! the KPI tiles show. A row's window stats are read from the live per-agent aggregates
//! (`live`) or walked from the conversations the agent was offered (`walk`).

mod live;
mod walk;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ask::Ask;
use super::facts::Status;
use super::report::{KpiReport, mean_s, ratio};
use crate::kpi::engine::Engine;
use crate::kpi::store::agg::logged_ms;
use crate::kpi::store::fast::{FastMap, IdMap};
use crate::model::event::Presence;

pub(in crate::kpi) use live::edges;
use walk::logged_in;

/// One of an agent's current conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentConversation {
    /// Conversation id.
    pub conversation_id: String,
    /// Status.
    pub status: String,
    /// Sentiment (−3 … 3).
    pub sentiment: i8,
}

/// An agent's row (the agents table and `GET /api/v1/agents`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentRow {
    /// Agent id.
    pub agent_id: String,
    /// Display name.
    pub name: String,
    /// Queues.
    pub queues: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Presence now.
    pub presence: String,
    /// Since when (ms; the API renders it).
    #[serde(skip)]
    pub presence_since_ms: Option<i64>,
    /// Since when (RFC 3339).
    pub presence_since: Option<String>,
    /// Capacity units.
    pub capacity: i64,
    /// Used units now.
    pub capacity_used: i64,
    /// Capacity − used (negative after an over-assign).
    pub capacity_free: i64,
    /// Conversations with the agent now: active.
    pub active: u64,
    /// … waiting (parked).
    pub waiting: u64,
    /// … in wrap-up.
    pub wrap_up: u64,
    /// Conversations the agent accepted that closed in the window.
    pub closed: u64,
    /// Offers in the window.
    pub offers: i64,
    /// … accepted.
    pub offers_accepted: i64,
    /// … declined.
    pub offers_rejected: i64,
    /// … timed out.
    pub offers_timed_out: i64,
    /// Declined / offers.
    pub reject_rate: Option<f64>,
    /// Timed out / offers.
    pub timeout_rate: Option<f64>,
    /// Mean offer-to-accept time (s).
    pub avg_acceptance_time: Option<f64>,
    /// Mean of the agent's own handle time per closed-in-window conversation (s).
    pub aht: Option<f64>,
    /// Active time / logged-in time in the window.
    pub occupancy: Option<f64>,
    /// Logged-in time in the window (s).
    pub logged_in_seconds: f64,
    /// Current conversations.
    pub conversations: Vec<AgentConversation>,
    #[serde(skip)]
    handle: (i64, i64),
    #[serde(skip)]
    occupied: (i64, i64),
    #[serde(skip)]
    acceptance_ms: i64,
    /// Presence now (the tiles count it without the text).
    #[serde(skip)]
    state: Option<Presence>,
}

/// The agents a question keeps, as of its instant: their rows (the agents table), how many
/// serve each queue (Erlang C) and the agent tiles' tally.
pub struct AgentsInScope {
    /// Rows, by agent id (only when listing: the report's tiles need only the tally).
    pub rows: Vec<AgentRow>,
    /// Agents in scope now available or busy with free capacity, per queue of theirs.
    pub serving: IdMap<String, u64>,
    /// What the agent tiles sum over the agents in scope.
    tally: Tally,
}

/// The agent tiles' sums over the agents in scope.
#[derive(Default)]
struct Tally {
    /// Agents by presence now, in [`PRESENCES`] order.
    by_presence: [u64; PRESENCES.len()],
    /// Logged in (not offline) now: their capacity, used capacity, and how many of them are
    /// available or busy with free capacity.
    capacity: i64,
    used: i64,
    with_free: u64,
    /// Handle time (ms) and closed conversations; covered and logged-in time (ms).
    handle: (i64, i64),
    occupied: (i64, i64),
}

/// The presences the tiles count, in the order they list them.
const PRESENCES: [Presence; 5] = [
    Presence::Available,
    Presence::Busy,
    Presence::BusyDnd,
    Presence::Away,
    Presence::Offline,
];

impl Tally {
    fn add(&mut self, a: &AgentRow) {
        let presence = a.state.unwrap_or(Presence::Offline);
        if let Some(i) = PRESENCES.iter().position(|&p| p == presence) {
            self.by_presence[i] += 1;
        }
        self.handle.0 += a.handle.0;
        self.handle.1 += a.handle.1;
        self.occupied.0 += a.occupied.0;
        self.occupied.1 += a.occupied.1;
        if presence == Presence::Offline {
            return;
        }
        self.capacity += a.capacity;
        self.used += a.capacity_used;
        if matches!(presence, Presence::Available | Presence::Busy) && a.capacity_free > 0 {
            self.with_free += 1;
        }
    }
}

impl AgentsInScope {
    /// Builds the rows of the agents that pass `ask`'s query (queue set by the agent's
    /// queues, agent ids, skills) as of its instant `t`, with window stats over `[from, t]`.
    /// Only `with_conversations` does a row list the agent's current conversations and carry
    /// its display fields (name, skills, presence since): the report's tiles need none of them.
    pub(in crate::kpi) fn new(
        engine: &Engine,
        ask: &Ask,
        with_conversations: bool,
    ) -> AgentsInScope {
        let (view, q, t, from, queues) = (&ask.view, ask.q, ask.t, ask.from, &ask.queues);
        // Live and without the lists, the per-agent state kept event by event answers.
        let kept = view.is_live() && !with_conversations;
        let mut used: HashMap<&str, i64> = HashMap::new();
        // Active, waiting and wrap-up conversations per agent.
        let mut counts: HashMap<&str, [u64; 3]> = HashMap::new();
        let mut current: HashMap<&str, Vec<AgentConversation>> = HashMap::new();
        // The earliest start of each agent's running active spans (live view).
        let mut open: HashMap<&str, i64> = HashMap::new();
        for &idx in view.live().iter().filter(|_| !kept) {
            let Some(f) = view.get(idx) else { continue };
            if view.is_live() {
                for p in &f.parts {
                    for &(a, _) in p.active.iter().filter(|(_, b)| *b == i64::MAX) {
                        let e = open.entry(&*p.agent).or_insert(a);
                        *e = (*e).min(a);
                    }
                }
            }
            let Some(agent) = f.agent.as_deref() else {
                continue;
            };
            if matches!(f.status, Status::Active | Status::WrapUp) {
                *used.entry(agent).or_default() += Engine::cost(f.channel);
            }
            let slot = match f.status {
                Status::Active => 0,
                Status::Waiting => 1,
                _ => 2,
            };
            counts.entry(agent).or_default()[slot] += 1;
            if with_conversations {
                current.entry(agent).or_default().push(AgentConversation {
                    conversation_id: engine.convs[idx].id().to_string(),
                    status: f.status.as_str().to_owned(),
                    sentiment: f.sentiment,
                });
            }
        }
        for list in current.values_mut() {
            list.sort_by(|a, b| a.conversation_id.cmp(&b.conversation_id));
        }
        let (edges, whole) = if view.is_live() {
            edges(engine, from, t)
        } else {
            (FastMap::default(), (0, 0))
        };
        let mut rows = Vec::with_capacity(if with_conversations {
            engine.agents.len()
        } else {
            0
        });
        let mut tally = Tally::default();
        let mut serving: IdMap<String, u64> = IdMap::default();
        for (id, a) in engine.agents() {
            let in_queues = queues
                .as_ref()
                .is_none_or(|qs| a.queues.iter().any(|x| qs.contains(x)));
            if !in_queues
                || !(q.agents.is_empty() || q.agents.contains(id))
                || !(q.skills.is_empty() || q.skills.iter().any(|s| a.skills.contains(s)))
            {
                continue;
            }
            let (presence, since) = a.presence_at(t);
            let agg = engine.agg.entry(id);
            let now = agg.map(|(_, g)| &g.now).filter(|_| kept);
            let used = match now {
                Some(n) => n.used,
                None => used.get(id.as_str()).copied().unwrap_or(0),
            };
            // The tiles need neither the id nor the presence's text: no allocation per agent.
            let mut row = AgentRow {
                agent_id: if with_conversations {
                    id.clone()
                } else {
                    String::new()
                },
                state: Some(presence),
                name: match (with_conversations, a.name.is_empty()) {
                    (false, _) => String::new(),
                    (true, true) => id.clone(),
                    (true, false) => a.name.clone(),
                },
                queues: if with_conversations {
                    a.queues.clone()
                } else {
                    Vec::new()
                },
                skills: if with_conversations {
                    a.skills.clone()
                } else {
                    Vec::new()
                },
                presence: if with_conversations {
                    presence.as_str().to_owned()
                } else {
                    String::new()
                },
                presence_since_ms: since,
                presence_since: since
                    .filter(|_| with_conversations)
                    .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                capacity: i64::from(a.capacity),
                capacity_used: used,
                capacity_free: i64::from(a.capacity) - used,
                // Hashing the id costs as much as the rest of a kept row: only when listed.
                conversations: if with_conversations {
                    current.remove(id.as_str()).unwrap_or_default()
                } else {
                    Vec::new()
                },
                ..AgentRow::default()
            };
            [row.active, row.waiting, row.wrap_up] = match now {
                Some(n) => n.counts.map(|c| c as u64),
                None => counts.get(id.as_str()).copied().unwrap_or_default(),
            };
            let open = match now {
                Some(n) => n.open_since(),
                None => open.get(id.as_str()).copied(),
            };
            let logged_ms = if view.is_live() {
                let edge = agg
                    .and_then(|(n, _)| edges.get(&n))
                    .copied()
                    .unwrap_or_default();
                let agg = agg.map(|(_, g)| g);
                row.add_aggregates(ask, agg, &a.presence, open, &edge, whole);
                logged_ms(&a.presence, from, t)
            } else {
                let logged = logged_in(&a.presence, from, t);
                row.walk(engine, view, id, from, t, &logged);
                logged.iter().map(|(a, b)| b - a).sum()
            };
            row.finish(logged_ms);
            if matches!(presence, Presence::Available | Presence::Busy) && row.capacity_free > 0 {
                for (i, queue) in a.queues.iter().enumerate() {
                    if !a.queues[..i].contains(queue) {
                        // Counted in place: an entry would copy the id on every call.
                        match serving.get_mut(queue) {
                            Some(n) => *n += 1,
                            None => {
                                serving.insert(queue.clone(), 1);
                            }
                        }
                    }
                }
            }
            tally.add(&row);
            if with_conversations {
                rows.push(row);
            }
        }
        AgentsInScope {
            rows,
            serving,
            tally,
        }
    }
}

impl AgentRow {
    /// The rates and means of the window's sums, with `logged_ms` logged in.
    fn finish(&mut self, logged_ms: i64) {
        self.occupied.1 = logged_ms;
        self.logged_in_seconds = logged_ms as f64 / 1000.0;
        self.occupancy = ratio(self.occupied.0, self.occupied.1);
        self.aht = mean_s(self.handle.0, self.handle.1);
        self.reject_rate = ratio(self.offers_rejected, self.offers);
        self.timeout_rate = ratio(self.offers_timed_out, self.offers);
        self.avg_acceptance_time = mean_s(self.acceptance_ms, self.offers_accepted);
    }
}

/// Fills the agent tiles of `r` from the agents' tally.
pub(in crate::kpi) fn agent_kpis(r: &mut KpiReport, agents: &AgentsInScope) {
    let t = &agents.tally;
    for (p, &n) in PRESENCES.iter().zip(&t.by_presence) {
        r.agents_by_presence.insert(p.as_str().to_owned(), n);
    }
    r.agents_logged_in = t.by_presence[..PRESENCES.len() - 1].iter().sum();
    r.capacity.total = t.capacity;
    r.capacity.used = t.used;
    r.capacity.free = t.capacity - t.used;
    r.agents_with_free_capacity = t.with_free;
    r.agent_aht = mean_s(t.handle.0, t.handle.1);
    r.occupancy = ratio(t.occupied.0, t.occupied.1);
}
