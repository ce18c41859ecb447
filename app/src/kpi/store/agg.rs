//! Per-agent aggregates kept up to date event by event, like the grid: each agent's offers,
//! handle time and occupancy per quarter hour, so the agents table and the agent tiles read a
//! few sums per agent instead of walking every conversation the agent was offered.
//!
//! Offers are keyed by offer time and handle time by close time (additive). Occupancy is not
//! additive over conversations (an agent's active spans overlap), so each agent keeps the net
//! change of its number of *finished* active spans by time; a quarter stores how many spans run
//! into it and its covered-while-logged-in time, recomputed when a span or a presence change
//! touches it. Spans still running (end unknown in the live view) are added at read time.
//!
//! Offers and closes are also kept per minute (only the agents with one in that minute), so
//! the partial quarters at a window's edges read up to 14 minutes' sums rather than every
//! conversation of those minutes.

use std::collections::BTreeMap;

use super::deltas::Deltas;
use super::fast::{FastMap, IdMap};
use super::grid::{QUARTER_MS, minute_of, quarter_ceil, quarter_of};
use super::minutes::MinuteSums;
use crate::kpi::domain::agent_sums::{AgentSums, Contribution, contributions};
use crate::kpi::domain::facts::Facts;
use crate::kpi::domain::reference::AgentRec;
use crate::model::event::Presence;
use crate::model::snapshot;

/// Logged-in (not offline) time within `[lo, hi)`, from presence changes in order.
pub fn logged_ms(presence: &[(i64, u64, Presence)], lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        return 0;
    }
    let mut i = presence.partition_point(|(at, _, _)| *at <= lo);
    let mut cur = i
        .checked_sub(1)
        .map_or(Presence::Offline, |j| presence[j].2);
    let (mut pos, mut total) = (lo, 0);
    while let Some(&(at, _, p)) = presence.get(i).filter(|(at, _, _)| *at < hi) {
        if cur != Presence::Offline {
            total += at - pos;
        }
        (pos, cur, i) = (at, p, i + 1);
    }
    if cur != Presence::Offline {
        total += hi - pos;
    }
    total
}

/// One quarter of one agent.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Quarter {
    sums: AgentSums,
    /// Finished spans running into the quarter: `start < quarter ≤ end`.
    depth: i32,
    /// Net change of the number of finished spans running, at times within the quarter (ms
    /// from its start, sorted).
    deltas: Deltas,
}

/// Quarters per chunk: a day's, kept side by side so that a window's sums read contiguous
/// memory.
const CHUNK: usize = 96;
const CHUNK_MS: i64 = CHUNK as i64 * QUARTER_MS;
/// Quarters per hour: a chunk also keeps each hour's sums, so a day's window reads ~24 hours
/// and a few quarters rather than ~96 quarters.
const PER_HOUR: usize = 4;

/// One day of one agent: its quarters and their hourly rollups (an hour holds the sum of its
/// four quarters).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Chunk {
    #[serde(
        serialize_with = "snapshot::array_out",
        deserialize_with = "snapshot::array_in"
    )]
    quarters: [Quarter; CHUNK],
    hours: [AgentSums; CHUNK / PER_HOUR],
}

/// The chunk holding quarter `q` (its start, ms) and the quarter's slot in it.
fn chunk_of(q: i64) -> (i64, usize) {
    let c = q.div_euclid(CHUNK_MS) * CHUNK_MS;
    (c, ((q - c) / QUARTER_MS) as usize)
}

/// An agent's conversations now (live view): what the live conversations assigned to it use.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentNow {
    /// Capacity units used (active or wrap-up conversations).
    pub used: i64,
    /// Conversations with the agent: active, waiting, wrap-up.
    pub counts: [i64; 3],
    /// Starts of the agent's running active spans (a multiset).
    open: BTreeMap<i64, u32>,
}

impl AgentNow {
    /// The earliest start of a running active span.
    pub fn open_since(&self) -> Option<i64> {
        self.open.keys().next().copied()
    }
}

/// One agent's aggregates.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct AgentAgg {
    /// Its live conversations now.
    pub now: AgentNow,
    /// Quarters by chunk.
    quarters: BTreeMap<i64, Box<Chunk>>,
}

impl AgentAgg {
    /// Sums of the whole quarters in `[a, b)` (both quarter boundaries): whole hours from the
    /// hourly rollups, the quarters at both ends one by one.
    pub fn sums(&self, a: i64, b: i64) -> AgentSums {
        let mut s = AgentSums::default();
        self.each_sum(a, b, |x| s += x);
        s
    }

    /// The occupancy part of [`AgentAgg::sums`], alone.
    pub fn covered_sum(&self, a: i64, b: i64) -> i64 {
        let mut covered = 0;
        self.each_sum(a, b, |x| covered += x.covered_ms);
        covered
    }

    /// Feeds `add` the sums that make up [`AgentAgg::sums`]`(a, b)`: whole hours' and the
    /// quarters' at both ends.
    fn each_sum(&self, a: i64, b: i64, mut add: impl FnMut(&AgentSums)) {
        if a >= b {
            return;
        }
        for (&c, chunk) in self.quarters.range(chunk_of(a).0..b) {
            let lo = ((a.max(c) - c) / QUARTER_MS) as usize;
            let hi = ((b.min(c + CHUNK_MS) - c) / QUARTER_MS) as usize;
            let (ha, hb) = (lo.div_ceil(PER_HOUR), hi / PER_HOUR);
            if ha < hb {
                let quarters = chunk.quarters[lo..ha * PER_HOUR]
                    .iter()
                    .chain(&chunk.quarters[hb * PER_HOUR..hi]);
                quarters.for_each(|q| add(&q.sums));
                chunk.hours[ha..hb].iter().for_each(&mut add);
            } else {
                chunk.quarters[lo..hi].iter().for_each(|q| add(&q.sums));
            }
        }
    }

    fn quarter(&self, q: i64) -> Option<&Quarter> {
        let (c, i) = chunk_of(q);
        self.quarters.get(&c).map(|chunk| &chunk.quarters[i])
    }

    fn chunk_mut(&mut self, q: i64) -> (&mut Chunk, usize) {
        let (c, i) = chunk_of(q);
        let chunk = self.quarters.entry(c).or_insert_with(|| {
            Box::new(Chunk {
                quarters: std::array::from_fn(|_| Quarter::default()),
                hours: [AgentSums::default(); CHUNK / PER_HOUR],
            })
        });
        (chunk, i)
    }

    fn quarter_mut(&mut self, q: i64) -> &mut Quarter {
        let (chunk, i) = self.chunk_mut(q);
        &mut chunk.quarters[i]
    }

    /// Time within `[lo, hi)` (inside one quarter) covered by a finished span while logged in:
    /// the quarter's kept total less the parts outside `[lo, hi)` when those are shorter. A
    /// walk reads every span change before its end, so a window starting early in a quarter
    /// walks the quarter's start, not all of it.
    pub(in crate::kpi) fn covered_part(
        &self,
        presence: &[(i64, u64, Presence)],
        lo: i64,
        hi: i64,
    ) -> i64 {
        let q = quarter_of(lo);
        let Some(quarter) = self.quarter(q) else {
            return 0;
        };
        let end = q + QUARTER_MS;
        if (lo - q) + (end - hi) < hi - lo {
            quarter.sums.covered_ms
                - covered_walk(quarter, q, presence, q, lo)
                - covered_walk(quarter, q, presence, hi, end)
        } else {
            covered_walk(quarter, q, presence, lo, hi)
        }
    }

    /// [`AgentAgg::covered_part`] by a walk over all of `[lo, hi)`, for the tests.
    #[cfg(test)]
    pub fn covered_walked(&self, presence: &[(i64, u64, Presence)], lo: i64, hi: i64) -> i64 {
        let q = quarter_of(lo);
        self.quarter(q)
            .map_or(0, |quarter| covered_walk(quarter, q, presence, lo, hi))
    }

    /// Time within `[lo, hi)` covered by a finished span while logged in. With `open_end`
    /// (no span changes at or after `hi`: nothing was applied after it) the quarter holding
    /// `hi` is read whole. The reports read it through [`AgentAgg::covered_with`], which reuses
    /// whole quarters they have summed already; the tests check the aggregates through this.
    #[cfg(test)]
    pub fn covered(
        &self,
        presence: &[(i64, u64, Presence)],
        lo: i64,
        hi: i64,
        open_end: bool,
    ) -> i64 {
        self.covered_with(presence, lo, hi, open_end, |a, b| self.covered_sum(a, b))
    }

    /// Time within `[lo, hi)` covered by a finished span while logged in (`open_end` as for
    /// `covered`), with the whole quarters' part from `whole(a, b)` (for a caller that has
    /// already summed them).
    pub fn covered_with(
        &self,
        presence: &[(i64, u64, Presence)],
        lo: i64,
        hi: i64,
        open_end: bool,
        whole: impl FnOnce(i64, i64) -> i64,
    ) -> i64 {
        if hi <= lo {
            return 0;
        }
        let b = if open_end {
            quarter_ceil(hi)
        } else {
            quarter_of(hi)
        };
        let a = quarter_ceil(lo);
        if a > b {
            return self.covered_part(presence, lo, hi);
        }
        let mut total = self.covered_part(presence, lo, a) + whole(a, b);
        if b < hi {
            total += self.covered_part(presence, b, hi);
        }
        total
    }

    fn recompute(&mut self, q: i64, presence: &[(i64, u64, Presence)]) {
        // Walked: `covered_part` would read the total this sets.
        let covered = self.quarter(q).map_or(0, |quarter| {
            covered_walk(quarter, q, presence, q, q + QUARTER_MS)
        });
        let (chunk, i) = self.chunk_mut(q);
        let was = std::mem::replace(&mut chunk.quarters[i].sums.covered_ms, covered);
        chunk.hours[i / PER_HOUR].covered_ms += covered - was;
    }

    fn add_keyed(&mut self, at: i64, s: &AgentSums, sign: i32) {
        let (chunk, i) = self.chunk_mut(quarter_of(at));
        let (quarter, hour) = (&mut chunk.quarters[i].sums, &mut chunk.hours[i / PER_HOUR]);
        if sign > 0 {
            *quarter += s;
            *hour += s;
        } else {
            *quarter -= s;
            *hour -= s;
        }
    }

    fn add_span(&mut self, a: i64, b: i64, sign: i32, floor: i64, p: &[(i64, u64, Presence)]) {
        for (t, d) in [(a, sign), (b, -sign)] {
            if quarter_of(t) < floor {
                continue;
            }
            // Within its quarter: 0 ≤ offset < 900,000.
            let offset = (t - quarter_of(t)) as u32;
            self.quarter_mut(quarter_of(t)).deltas.add(offset, d);
        }
        let mut q = quarter_of(a).max(floor);
        while q <= quarter_of(b) {
            if q > a {
                self.quarter_mut(q).depth += sign;
            }
            self.recompute(q, p);
            q += QUARTER_MS;
        }
    }
}

/// Time within `[lo, hi)` of `quarter` (starting at `q`) covered by a finished span while
/// logged in: the presence changes cut `[lo, hi)` into logged-in and offline stretches; a
/// logged-in one walks its span changes, an offline one only sums them (for the depth after).
fn covered_walk(
    quarter: &Quarter,
    q: i64,
    presence: &[(i64, u64, Presence)],
    lo: i64,
    hi: i64,
) -> i64 {
    if hi <= lo {
        // Nothing to walk (and no need to sum the changes before `lo`).
        return 0;
    }
    let deltas = &quarter.deltas;
    // Span changes up to `lo` only set the depth at `lo`.
    let mut di = deltas.upto(lo - q);
    let mut depth = quarter.depth + deltas.sum(0..di);
    let mut pi = presence.partition_point(|(at, _, _)| *at <= lo);
    let mut logged = pi
        .checked_sub(1)
        .is_some_and(|j| presence[j].2 != Presence::Offline);
    let (mut pos, mut total) = (lo, 0);
    loop {
        let end = presence.get(pi).map_or(hi, |(at, _, _)| (*at).min(hi));
        let dj = deltas.before(end - q).max(di);
        if logged {
            for (x, d) in deltas.slice(di..dj) {
                let x = q + i64::from(x);
                if depth > 0 {
                    total += x - pos;
                }
                (pos, depth) = (x, depth + d);
            }
            if depth > 0 {
                total += end - pos;
            }
        } else {
            depth += deltas.sum(di..dj);
        }
        (pos, di) = (end, dj);
        if end >= hi {
            return total;
        }
        logged = presence[pi].2 != Presence::Offline;
        pi += 1;
    }
}

/// Every agent's aggregates.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Aggs {
    index: IdMap<String, usize>,
    by_agent: Vec<AgentAgg>,
    /// Offer and close sums per minute, by agent (its index in `by_agent`).
    minutes: MinuteSums<u32, AgentSums>,
    /// The latest time of an offer or close ever added: none kept is later.
    latest: i64,
    /// Quarters before this were pruned: nothing is kept for them any more.
    floor: i64,
}

impl Default for Aggs {
    fn default() -> Aggs {
        Aggs {
            index: IdMap::default(),
            by_agent: Vec::new(),
            minutes: MinuteSums::default(),
            latest: i64::MIN,
            floor: 0,
        }
    }
}

fn presence_of<'a>(agents: &'a BTreeMap<String, AgentRec>, id: &str) -> &'a [(i64, u64, Presence)] {
    agents.get(id).map_or(&[], |a| a.presence.as_slice())
}

impl Aggs {
    /// An agent's aggregates.
    pub fn get(&self, agent: &str) -> Option<&AgentAgg> {
        self.index.get(agent).map(|&i| &self.by_agent[i])
    }

    /// An agent's number (see [`Aggs::number`]) and aggregates, in one lookup.
    pub fn entry(&self, agent: &str) -> Option<(u32, &AgentAgg)> {
        self.index
            .get(agent)
            .map(|&i| (i as u32, &self.by_agent[i]))
    }

    /// An agent's number in [`Aggs::add_minutes`]'s sums (agents without an offer or a
    /// close have none).
    pub fn number(&self, agent: &str) -> Option<u32> {
        self.index.get(agent).map(|&i| i as u32)
    }

    /// The latest time of an offer or close kept (or a later one): nothing keyed is after it.
    pub fn latest(&self) -> i64 {
        self.latest
    }

    /// Adds the offer and close sums of the whole minutes in `[a, b)` to `out`, by agent
    /// number.
    pub fn add_minutes(&self, a: i64, b: i64, out: &mut FastMap<u32, AgentSums>) {
        self.minutes.add_range(a, b, out);
    }

    /// Replaces a conversation's contribution `old` by `new`.
    pub fn update(
        &mut self,
        old: Option<&Facts>,
        new: Option<&Facts>,
        agents: &BTreeMap<String, AgentRec>,
    ) {
        // Only what changed moves: most events leave most contributions as they were.
        let mut gone = old.map(contributions).unwrap_or_default();
        let mut came = new.map(contributions).unwrap_or_default();
        gone.retain(|c| match came.iter().position(|x| x == c) {
            Some(i) => {
                came.swap_remove(i);
                false
            }
            None => true,
        });
        let floor = self.floor;
        for (list, sign) in [(gone, -1), (came, 1)] {
            for c in list {
                match c {
                    Contribution::Keyed(agent, at, s) => {
                        if quarter_of(at) >= floor {
                            let i = self.agent_index(agent);
                            self.by_agent[i].add_keyed(at, &s, sign);
                            self.minutes.add(minute_of(at), i as u32, &s, sign < 0);
                            self.latest = self.latest.max(at);
                        }
                    }
                    Contribution::Assigned(agent, used, slot) => {
                        let now = &mut self.agent(agent).now;
                        now.used += i64::from(sign) * used;
                        now.counts[slot] += i64::from(sign);
                    }
                    Contribution::Running(agent, a) => {
                        let open = &mut self.agent(agent).now.open;
                        let n = open.entry(a).or_default();
                        *n = n.wrapping_add_signed(sign);
                        if *n == 0 {
                            open.remove(&a);
                        }
                    }
                    Contribution::Span(agent, a, b) => {
                        let p = presence_of(agents, agent);
                        self.agent(agent).add_span(a, b, sign, floor, p);
                    }
                }
            }
        }
    }

    /// Recomputes an agent's occupancy from `at` on, after a presence change at `at`.
    pub fn presence_changed(&mut self, agent: &str, at: i64, rec: &AgentRec) {
        let Some(a) = self.index.get(agent).map(|&i| &mut self.by_agent[i]) else {
            return;
        };
        let from = quarter_of(at).max(self.floor);
        let chunks: Vec<i64> = a
            .quarters
            .range(chunk_of(from).0..)
            .map(|(&c, _)| c)
            .collect();
        for c in chunks {
            let mut q = c.max(from);
            while q < c + CHUNK_MS {
                a.recompute(q, &rec.presence);
                q += QUARTER_MS;
            }
        }
    }

    /// Drops every quarter before the one containing `before` (ms).
    pub fn prune(&mut self, before: i64) {
        self.floor = self.floor.max(quarter_of(before));
        for a in &mut self.by_agent {
            a.quarters = a.quarters.split_off(&chunk_of(self.floor).0);
        }
        self.minutes.prune(self.floor);
    }

    fn agent_index(&mut self, id: &str) -> usize {
        match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.by_agent.push(AgentAgg::default());
                self.index.insert(id.to_owned(), self.by_agent.len() - 1);
                self.by_agent.len() - 1
            }
        }
    }

    fn agent(&mut self, id: &str) -> &mut AgentAgg {
        let i = self.agent_index(id);
        &mut self.by_agent[i]
    }
}
