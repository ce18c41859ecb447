//! Agent KPIs: presence and capacity now, each agent's offers, handle time and occupancy over
//! the window, and the totals the KPI tiles show.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::agg::{AgentAgg, AgentSums, for_each_keyed, logged_ms};
use super::answer::View;
use super::engine::Engine;
use super::facts::{OfferOutcome, Status};
use super::fast::{FastMap, IdMap};
use super::grid::{MINUTE_MS, minute_ceil, minute_of, quarter_ceil, quarter_of};
use super::query::Query;
use super::report::{KpiReport, mean_s, ratio};
use crate::model::event::Presence;

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

/// The agents in scope as of the evaluation instant.
pub struct AgentView {
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

/// Total length of the union of intervals, clipped to `[lo, hi]`, intersected with `within`
/// (sorted, disjoint).
fn covered(mut spans: Vec<(i64, i64)>, within: &[(i64, i64)]) -> i64 {
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut total = 0;
    for (a, b) in merged {
        for (c, d) in within {
            total += (b.min(*d) - a.max(*c)).max(0);
        }
    }
    total
}

impl AgentView {
    /// Builds the rows of the agents that pass `q` (queue set by the agent's queues, agent
    /// ids, skills) as of `t`, with window stats over `[from, t]`. Only `with_conversations`
    /// does a row list the agent's current conversations and carry its display fields (name,
    /// skills, presence since): the report's tiles need none of them.
    pub(super) fn new(
        engine: &Engine,
        view: &View,
        t: i64,
        from: i64,
        q: &Query,
        queues: &Option<Vec<String>>,
        with_conversations: bool,
    ) -> AgentView {
        // Live and without the lists, the per-agent state kept event by event answers.
        let kept = view.is_live() && !with_conversations;
        let mut used: HashMap<&str, i64> = HashMap::new();
        // Active, waiting and wrap-up conversations per agent.
        let mut counts: HashMap<&str, [u64; 3]> = HashMap::new();
        let mut current: HashMap<&str, Vec<AgentConversation>> = HashMap::new();
        // The earliest start of each agent's running active spans (live view).
        let mut open: HashMap<&str, i64> = HashMap::new();
        for &idx in view.live.iter().filter(|_| !kept) {
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
                row.add_aggregates(engine, agg, &a.presence, open, from, t, &edge, whole);
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
        AgentView {
            rows,
            serving,
            tally,
        }
    }
}

impl AgentRow {
    /// The window stats of agent `id` from the conversations it was offered, as derived in
    /// `view` (replay and filtered questions).
    fn walk(
        &mut self,
        engine: &Engine,
        view: &View,
        id: &str,
        from: i64,
        t: i64,
        logged: &[(i64, i64)],
    ) {
        let facts = engine
            .agent_convs
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|idx| view.get(idx));
        self.walk_facts(facts, id, from, t, logged);
    }

    /// [`AgentRow::walk`] over the given conversations of agent `id` (the drill-through passes
    /// only those of the supervisor's queues).
    pub(super) fn walk_facts<F: std::ops::Deref<Target = super::facts::Facts>>(
        &mut self,
        facts: impl Iterator<Item = F>,
        id: &str,
        from: i64,
        t: i64,
        logged: &[(i64, i64)],
    ) {
        let mut spans = Vec::new();
        for f in facts {
            // Closed before the window: none of its offers, intervals or close is in it.
            if f.closed.is_some_and(|(c, _)| c < from) {
                continue;
            }
            for o in f.offers.iter().filter(|o| *o.agent == *id) {
                if from <= o.at && o.at <= t {
                    self.offers += 1;
                    match o.outcome {
                        Some((OfferOutcome::Accepted, at)) => {
                            self.offers_accepted += 1;
                            self.acceptance_ms += at - o.at;
                        }
                        Some((OfferOutcome::Declined, _)) => self.offers_rejected += 1,
                        Some((OfferOutcome::TimedOut, _)) => self.offers_timed_out += 1,
                        None => {}
                    }
                }
            }
            let Some(part) = f.parts.iter().find(|p| *p.agent == *id) else {
                continue;
            };
            spans.extend(part.active.iter().map(|&(a, b)| (a.max(from), b.min(t))));
            let accepted = f
                .offers
                .iter()
                .any(|o| *o.agent == *id && matches!(o.outcome, Some((OfferOutcome::Accepted, _))));
            if accepted && f.closed.is_some_and(|(c, _)| from <= c && c <= t) {
                self.closed += 1;
                self.handle.0 += part.handle_ms;
                self.handle.1 += 1;
            }
        }
        self.occupied.0 = covered(spans, logged);
    }

    /// Limits the row of agent `id` to a supervisor's queues: `in_scope` are the agent's
    /// conversations of those queues (as of `t`), and every count, sum and list is made of
    /// them alone, as the rest of what that supervisor sees.
    pub(super) fn limit_to(
        &mut self,
        scope: &[String],
        in_scope: &[(String, super::facts::Facts)],
        presence: &[(i64, u64, Presence)],
        id: &str,
        from: i64,
        t: i64,
    ) {
        self.queues.retain(|q| scope.contains(q));
        let mine = || {
            in_scope
                .iter()
                .filter(|(_, f)| f.agent.as_deref() == Some(id) && f.status != Status::Closed)
        };
        let (mut counts, mut used) = ([0u64; 3], 0);
        for (_, f) in mine() {
            match f.status {
                Status::Active => counts[0] += 1,
                Status::Waiting => counts[1] += 1,
                Status::WrapUp => counts[2] += 1,
                Status::Open | Status::Closed => {}
            }
            if matches!(f.status, Status::Active | Status::WrapUp) {
                used += Engine::cost(f.channel);
            }
        }
        [self.active, self.waiting, self.wrap_up] = counts;
        self.capacity_used = used;
        self.capacity_free = self.capacity - used;
        let live: std::collections::HashSet<&str> = mine().map(|(c, _)| c.as_str()).collect();
        self.conversations
            .retain(|c| live.contains(c.conversation_id.as_str()));
        (self.offers, self.offers_accepted, self.offers_rejected) = (0, 0, 0);
        (self.offers_timed_out, self.closed, self.acceptance_ms) = (0, 0, 0);
        (self.handle, self.occupied) = ((0, 0), (0, 0));
        let logged = logged_in(presence, from, t);
        self.walk_facts(in_scope.iter().map(|(_, f)| f), id, from, t, &logged);
        self.finish(logged.iter().map(|(a, b)| b - a).sum());
    }

    /// The rates and means of the window's sums, with `logged_ms` logged in.
    pub(super) fn finish(&mut self, logged_ms: i64) {
        self.occupied.1 = logged_ms;
        self.logged_in_seconds = logged_ms as f64 / 1000.0;
        self.occupancy = ratio(self.occupied.0, self.occupied.1);
        self.aht = mean_s(self.handle.0, self.handle.1);
        self.reject_rate = ratio(self.offers_rejected, self.offers);
        self.timeout_rate = ratio(self.offers_timed_out, self.offers);
        self.avg_acceptance_time = mean_s(self.acceptance_ms, self.offers_accepted);
    }

    /// The window stats of agent `id` from the live aggregates: whole quarters from the
    /// rollups, the partial ones at both ends from `edge`, occupancy with the span still
    /// running (since `open`) added to the finished ones.
    #[allow(clippy::too_many_arguments)]
    fn add_aggregates(
        &mut self,
        engine: &Engine,
        agg: Option<&AgentAgg>,
        presence: &[(i64, u64, Presence)],
        open: Option<i64>,
        from: i64,
        t: i64,
        edge: &AgentSums,
        whole: (i64, i64),
    ) {
        let mut s = agg.map_or_else(AgentSums::default, |g| g.sums(whole.0, whole.1));
        // The occupancy of those whole quarters, for `covered` below (the edges add none).
        let whole_covered = s.covered_ms;
        s += edge;
        self.offers = s.offers;
        self.offers_accepted = s.offers_accepted;
        self.offers_rejected = s.offers_declined;
        self.offers_timed_out = s.offers_timed_out;
        self.acceptance_ms = s.acceptance_ms;
        self.closed = s.closed as u64;
        self.handle = (s.handle_ms, s.closed);
        // Nothing applied after `t`: no finished span runs past it.
        let open_end = engine.newest().is_none_or(|n| n <= t);
        // Occupancy of whole quarters `[a, b)`: those summed above are not summed twice, and a
        // head of them is what they hold less the quarters after it, when those are fewer (a
        // span running since late in the window).
        let whole_part = |g: &AgentAgg, a: i64, b: i64| {
            if (a, b) == whole {
                whole_covered
            } else if a == whole.0 && b <= whole.1 && whole.1 - b < b - a {
                whole_covered - g.covered_sum(b, whole.1)
            } else {
                g.covered_sum(a, b)
            }
        };
        let covered_in = |lo: i64, hi: i64, open_end: bool| {
            agg.map_or(0, |g| {
                g.covered_with(presence, lo, hi, open_end, |a, b| whole_part(g, a, b))
            })
        };
        // With a span running since `since`, the agent is occupied from then on while logged
        // in; the finished spans count before it.
        self.occupied.0 = match open.map(|s| s.max(from)).filter(|&s| s < t) {
            Some(since) => covered_in(from, since, false) + logged_ms(presence, since, t),
            None => covered_in(from, t, open_end),
        };
    }
}

/// The offer and handle contributions at the partial quarters of `[from, t]` (live view), by
/// agent number ([`super::agg::Aggs::number`]), and the whole quarters between them. Whole minutes come
/// from the per-minute sums; only a partial minute reads its conversations. When nothing keyed
/// is later than `t` (the usual live case), the window's end needs no partial quarter at all.
pub(super) fn edges(engine: &Engine, from: i64, t: i64) -> (FastMap<u32, AgentSums>, (i64, i64)) {
    let agg = &engine.agg;
    let hi = t + 1;
    // Past `hi` there is nothing: the end may round up to any boundary.
    let open_end = agg.latest() < hi;
    let round_up = |hi: i64, ceil: fn(i64) -> i64, floor: fn(i64) -> i64| {
        if open_end { ceil(hi) } else { floor(hi) }
    };
    let (qa, qb) = (quarter_ceil(from), round_up(hi, quarter_ceil, quarter_of));
    let (parts, whole) = if qa <= qb {
        ([(from, qa), (qb, hi)], (qa, qb))
    } else {
        ([(from, hi), (0, 0)], (0, 0))
    };
    let mut out = FastMap::<u32, AgentSums>::default();
    out.reserve(engine.agents.len());
    for (lo, hi) in parts.into_iter().filter(|(lo, hi)| lo < hi) {
        let (ma, mb) = (minute_ceil(lo), round_up(hi, minute_ceil, minute_of));
        let scans = if ma <= mb {
            agg.add_minutes(ma, mb, &mut out);
            [(lo, ma), (mb, hi)]
        } else {
            [(lo, hi), (0, 0)]
        };
        for (lo, hi) in scans.into_iter().filter(|(lo, hi)| lo < hi) {
            for (m, ids) in engine.grid.minutes(lo, hi) {
                let (lo, hi) = (lo.max(m), hi.min(m + MINUTE_MS));
                for &idx in ids {
                    let Some(f) = engine.facts(idx as usize) else {
                        continue;
                    };
                    for_each_keyed(&f, |agent, at, s| {
                        if lo <= at
                            && at < hi
                            && let Some(n) = agg.number(agent)
                        {
                            *out.entry(n).or_default() += &s;
                        }
                    });
                }
            }
        }
    }
    (out, whole)
}

/// Logged-in (not offline) intervals within `[from, t]`, from presence changes in order.
fn logged_in(presence: &[(i64, u64, Presence)], from: i64, t: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for (i, &(at, _, p)) in presence.iter().enumerate() {
        if at > t {
            break;
        }
        let end = presence.get(i + 1).map_or(t, |n| n.0.min(t));
        let (a, b) = (at.max(from), end);
        if p != Presence::Offline && b > a {
            out.push((a, b));
        }
    }
    out
}

/// Fills the agent tiles of `r` from the agents' tally.
pub(super) fn agent_kpis(r: &mut KpiReport, agents: &AgentView) {
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
