//! The live engine's state, made of the parts of [`super::store`]: every conversation's ordered
//! steps and facts, agents' presence timelines and aggregates, queues, the per-minute grid and
//! the now-values per cell — updated incrementally, one event at a time, with late events
//! placed in order (old contribution out, new one in).

use once_cell::race::OnceBox;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::event::{Channel, Event, EventBody};

use super::domain::facts::{Act, Creation, Name, Names, Status, Step};
use super::domain::reference::{AgentRec, DEFAULT_SL_SECONDS, QueueRec};
use super::store::agg::Aggs;
pub use super::store::conv::Conv;
use super::store::conv::{FactsRef, Open};
use super::store::derived::Kept;
use super::store::fast::IdMap;
use super::store::grid::{Grid, minute_of};
use super::store::now::{Now, NowEntry};
use super::store::slots::{SlotSet, Slots};
use crate::model::snapshot;

/// What an apply changed (for deltas).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// Conversations changed.
    pub conversations: BTreeSet<String>,
    /// Agents changed (reference data, presence, or their conversations).
    pub agents: BTreeSet<String>,
    /// Queues changed.
    pub queues: BTreeSet<String>,
}

/// The incremental KPI engine.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Engine {
    /// Conversations by slot (what the grid and the other indexes refer to), found by id.
    pub(super) convs: Slots,
    /// Agent and queue ids, one copy each, and their numbers in steps.
    pub(super) names: Names,
    /// Conversations not closed, in no particular order.
    pub(super) live: Vec<usize>,
    pub(super) grid: Grid,
    /// Now-values of the live conversations, per cell.
    pub(super) now: Now,
    pub(super) agents: BTreeMap<String, AgentRec>,
    /// Conversations each agent was offered.
    #[serde(deserialize_with = "snapshot::keyed")]
    pub(super) agent_convs: IdMap<Name, SlotSet>,
    /// Each agent's offers, handle time and occupancy per quarter hour.
    pub(super) agg: Aggs,
    pub(super) queues: BTreeMap<String, QueueRec>,
    pub(super) queue_names: Vec<String>,
    queue_index: IdMap<String, u32>,
    arrivals: u64,
    newest: Option<i64>,
    /// Conversations [`Engine::load`] took steps for but has not derived yet (a bit per index).
    pending: Vec<u64>,
    /// Closed conversations keeping derived facts ([`super::store::derived`]).
    #[serde(skip)]
    kept: Kept,
    /// The minute of the newest event when they were last dropped.
    #[serde(skip)]
    kept_minute: Option<i64>,
}

impl Engine {
    /// An empty engine.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// The newest `at` applied (ms).
    pub fn newest(&self) -> Option<i64> {
        self.newest
    }

    /// Applies validated events in log order. Late events are placed at their time.
    pub fn apply(&mut self, events: &[Event]) -> Changed {
        self.settle();
        let mut changed = Changed::default();
        let mut touched: BTreeSet<usize> = BTreeSet::new();
        self.take(
            events,
            &mut |i| {
                touched.insert(i);
            },
            Some(&mut changed),
        );
        for idx in touched {
            self.refresh(idx, Some(&mut changed));
        }
        if self.newest.map(minute_of) != self.kept_minute {
            self.forget_derived();
        }
        changed
    }

    /// Drops every closed conversation's kept facts ([`super::store::derived`]).
    fn forget_derived(&mut self) {
        for idx in self.kept.take() {
            if let Some(c) = self.convs.get_mut(idx as usize) {
                c.derived = OnceBox::new();
            }
        }
        self.kept_minute = self.newest.map(minute_of);
    }

    /// How many closed conversations keep derived facts.
    pub fn derived_kept(&self) -> usize {
        self.kept.len()
    }

    /// Takes events in like [`Engine::apply`] but leaves the conversations they touch to
    /// [`Engine::settle`], so a cold rebuild derives each conversation once rather than once
    /// per page of the log. The numbers are the same as applying the pages one by one (the
    /// order and batching of applies change no number); until `settle`, the engine must not
    /// be read.
    pub fn load(&mut self, events: &[Event]) {
        let mut pending = std::mem::take(&mut self.pending);
        self.take(
            events,
            &mut |idx| {
                let (word, bit) = (idx / 64, idx % 64);
                if pending.len() <= word {
                    pending.resize(word + 1, 0);
                }
                pending[word] |= 1 << bit;
            },
            None,
        );
        self.pending = pending;
    }

    /// Whether nothing loaded waits for [`Engine::settle`] (readers check it in debug builds).
    pub(super) fn settled(&self) -> bool {
        self.pending.iter().all(|&w| w == 0)
    }

    /// Derives every conversation [`Engine::load`] left, in index order.
    pub fn settle(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (word, mut bits) in pending.into_iter().enumerate() {
            while bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let idx = word * 64 + bit;
                self.refresh(idx, None);
                // Loaded steps grew by doubling: keep exactly what they need (a closed
                // conversation's are sealed by now).
                if let Some(o) = self.convs[idx].open_mut() {
                    o.steps.shrink_to_fit();
                }
            }
        }
    }

    /// Puts each event's step, presence change or reference data in place, collecting the
    /// conversations whose facts must be derived again.
    fn take(
        &mut self,
        events: &[Event],
        touched: &mut impl FnMut(usize),
        mut changed: Option<&mut Changed>,
    ) {
        // Live, a conversation's steps are sized exactly (it gains one now and then); loading,
        // they grow by doubling and `settle` trims them.
        let exact = changed.is_some();
        for e in events {
            let at = e.at.timestamp_millis();
            let arrival = self.arrivals;
            self.arrivals += 1;
            self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
            match &e.body {
                EventBody::QueueUpserted(q) => {
                    if let Some(c) = changed.as_deref_mut() {
                        c.queues.insert(q.queue_id.clone());
                    }
                    self.upsert_queue(q, at, touched);
                }
                EventBody::AgentUpserted(a) => {
                    if let Some(c) = changed.as_deref_mut() {
                        c.agents.insert(a.agent_id.clone());
                    }
                    self.agents
                        .entry(a.agent_id.clone())
                        .or_default()
                        .upsert(a, at);
                }
                EventBody::AgentPresence(p) => {
                    if let Some(c) = changed.as_deref_mut() {
                        c.agents.insert(p.agent_id.clone());
                    }
                    let rec = self.agents.entry(p.agent_id.clone()).or_default();
                    let pos = rec.presence.partition_point(|(t, _, _)| *t <= at);
                    rec.presence.insert(pos, (at, arrival, p.presence));
                    self.agg.presence_changed(&p.agent_id, at, rec);
                }
                _ => {
                    let (Some(id), Some(act)) = (e.conversation_id(), Act::of(e, &mut self.names))
                    else {
                        continue;
                    };
                    let idx = self.conv_index(id);
                    // A closed conversation's facts are not held: derive them as they were
                    // before this step, so `refresh` can take their contribution out.
                    self.hold(idx);
                    let created = Creation::of(e, &mut self.names);
                    let Open {
                        creation, steps, ..
                    } = self.convs[idx].unsealed(&self.names);
                    if let Some(c) = created {
                        *creation = Some(Box::new(c));
                    }
                    // After every step at the same time: arrival order breaks ties.
                    let pos = steps.partition_point(|s| s.at <= at);
                    // Exactly as long as needed: a conversation has a handful of steps.
                    if exact {
                        steps.reserve_exact(1);
                    }
                    steps.insert(pos, Step { at, act });
                    touched(idx);
                }
            }
        }
    }

    fn upsert_queue(
        &mut self,
        q: &crate::model::event::QueueUpserted,
        at: i64,
        touched: &mut impl FnMut(usize),
    ) {
        self.intern(&q.queue_id);
        let rec = self
            .queues
            .entry(q.queue_id.clone())
            .or_insert_with(|| QueueRec::new(&q.queue_id));
        let sl_changed = rec.upsert(q, at);
        if sl_changed {
            // Every conversation of the queue re-contributes with the new threshold.
            let qi = self.queue_index.get(q.queue_id.as_str()).copied();
            for i in 0..self.convs.slots() {
                if self.convs[i].cell().is_some_and(|c| Some(c.0) == qi) {
                    self.hold(i);
                    touched(i);
                }
            }
        }
    }

    fn conv_index(&mut self, id: &str) -> usize {
        self.convs.get_or_add(id)
    }

    /// Forgets what no window, replay or late event can reach any more: conversations closed
    /// before `before` (ms), their buckets, and presence changes superseded before it. Memory
    /// then follows the traffic of the last two days, not the whole log.
    pub fn prune(&mut self, before: i64) -> usize {
        self.settle();
        // Slots are freed and reused below.
        self.forget_derived();
        let old: Vec<usize> = self
            .convs
            .held()
            .filter(|&i| self.convs[i].closed_at().is_some_and(|t| t < before))
            .collect();
        for &i in &old {
            self.set_live(i, false);
            // Closed, so sealed: derived from the seal without unsealing or keeping it, since
            // the slot is freed below.
            let facts = self.convs[i].derive(&self.names, i64::MAX);
            if let (Some(f), Some(cell)) = (&facts, self.convs[i].cell()) {
                self.grid.put(i, f, cell, self.convs[i].sl_own, true);
                if let Some(e) = NowEntry::of(f, cell) {
                    self.now.put(i, self.convs[i].id(), &e, -1);
                }
            }
            self.agg.update(facts.as_ref(), None, &self.agents);
            if let Some(f) = &facts {
                for o in &f.offers {
                    if let Some(set) = self.agent_convs.get_mut(&o.agent) {
                        set.remove(i);
                    }
                }
            }
            self.convs.forget(i);
        }
        self.grid.prune(before);
        self.agg.prune(before);
        for a in self.agents.values_mut() {
            // Keep the last change before the cut: it is the presence at the cut.
            let n = a.presence.partition_point(|(t, _, _)| *t < before);
            if n > 1 {
                a.presence.drain(..n - 1);
            }
        }
        old.len()
    }

    fn intern(&mut self, queue: &str) -> u32 {
        if let Some(&i) = self.queue_index.get(queue) {
            return i;
        }
        self.queue_names.push(queue.to_owned());
        let i = (self.queue_names.len() - 1) as u32;
        self.queue_index.insert(queue.to_owned(), i);
        i
    }

    /// The service-level threshold of a queue.
    pub fn sl_seconds(&self, queue: &str) -> u32 {
        self.queues
            .get(queue)
            .map_or(DEFAULT_SL_SECONDS, |q| q.service_level_seconds)
    }

    /// Holds a closed conversation's facts again, derived from its steps, before a change
    /// (a late step, a new threshold) that [`Engine::refresh`] then applies.
    fn hold(&mut self, idx: usize) {
        // Its facts are about to change.
        self.convs[idx].derived = OnceBox::new();
        // Only a sealed conversation lacks facts it has: unsealing derives them.
        self.convs[idx].unsealed(&self.names);
    }

    /// A conversation's facts with every step applied: held while it is not closed, derived
    /// from its steps once it is.
    pub fn facts(&self, idx: usize) -> Option<FactsRef<'_>> {
        self.convs.get(idx)?.facts(idx, &self.names, &self.kept)
    }

    /// A conversation's facts by id (see [`Engine::facts`]).
    pub fn facts_of(&self, id: &str) -> Option<FactsRef<'_>> {
        self.facts(self.convs.find(id)?)
    }

    /// Takes the conversation's old contribution out and puts its new one in. A closed
    /// conversation's old facts must be held first ([`Engine::hold`]).
    fn refresh(&mut self, idx: usize, changed: Option<&mut Changed>) {
        let old = self.convs[idx]
            .open_mut()
            .and_then(|o| o.held.take())
            .map(|f| *f);
        let old_now = old
            .as_ref()
            .zip(self.convs[idx].cell())
            .and_then(|(f, cell)| NowEntry::of(f, cell));
        if let (Some(f), Some(cell)) = (&old, self.convs[idx].cell()) {
            self.grid.put(idx, f, cell, self.convs[idx].sl_own, true);
        }
        let c = &self.convs[idx];
        let facts = c.derive(&self.names, i64::MAX);
        self.agg.update(old.as_ref(), facts.as_ref(), &self.agents);
        if let Some(f) = &facts {
            let cell = (self.intern(&f.queue), f.channel);
            let sl_own = self.sl_seconds(&f.queue);
            self.grid.put(idx, f, cell, sl_own, false);
            self.convs[idx].set_cell(Some(cell));
            self.convs[idx].sl_own = sl_own;
            self.set_live(idx, f.status != Status::Closed);
            for o in &f.offers {
                self.agent_convs
                    .entry(o.agent.clone())
                    .or_default()
                    .insert(idx);
            }
        } else {
            self.set_live(idx, false);
            self.convs[idx].set_cell(None);
        }
        let new_now = facts
            .as_ref()
            .zip(self.convs[idx].cell())
            .and_then(|(f, cell)| NowEntry::of(f, cell));
        // The customer's name is in the alert the cell may keep for it (`now::AlertMemo`):
        // a new one puts the entry anew, which forgets that alert.
        let customer_changed = old
            .as_ref()
            .zip(facts.as_ref())
            .is_some_and(|(o, f)| o.customer != f.customer);
        if old_now != new_now || customer_changed {
            let id = self.convs[idx].id();
            if let Some(e) = &old_now {
                self.now.put(idx, id, e, -1);
            }
            if let Some(e) = &new_now {
                self.now.put(idx, id, e, 1);
            }
        }
        if let Some(changed) = changed {
            for f in old.iter().chain(facts.iter()) {
                changed.agents.extend(f.agent.iter().map(|a| a.to_string()));
            }
            changed
                .conversations
                .insert(self.convs[idx].id().to_string());
        }
        match facts.as_ref().and_then(|f| f.closed.map(|(t, _)| t)) {
            // Closed, it is sealed and derived again when read.
            Some(closed_at) => self.convs[idx].seal(closed_at, &mut self.names),
            None => {
                if let Some(o) = self.convs[idx].open_mut() {
                    o.held = facts.map(Box::new);
                }
            }
        }
    }

    /// Puts conversation `idx` in the live list or takes it out, in O(1).
    fn set_live(&mut self, idx: usize, live: bool) {
        // Only an open conversation is live (a sealed one is closed).
        let Some(open) = self.convs[idx].open_mut() else {
            debug_assert!(!live, "a sealed conversation is not live");
            return;
        };
        match (open.live_at, live) {
            (None, true) => {
                open.live_at = Some(self.live.len() as u32);
                self.live.push(idx);
            }
            (Some(at), false) => {
                open.live_at = None;
                let at = at as usize;
                self.live.swap_remove(at);
                if let Some(&moved) = self.live.get(at)
                    && let Some(o) = self.convs[moved].open_mut()
                {
                    o.live_at = Some(at as u32);
                }
            }
            _ => {}
        }
    }

    /// A conversation by id.
    pub fn conversation(&self, id: &str) -> Option<&Conv> {
        self.convs.find(id).map(|i| &self.convs[i])
    }

    /// Conversations not closed.
    pub fn live(&self) -> impl Iterator<Item = &Conv> {
        self.live.iter().map(|&i| &self.convs[i])
    }

    /// Every agent.
    pub fn agents(&self) -> impl Iterator<Item = (&String, &AgentRec)> {
        self.agents.iter()
    }

    /// Every queue.
    pub fn queues(&self) -> impl Iterator<Item = (&String, &QueueRec)> {
        self.queues.iter()
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.convs.len()
    }

    /// Whether nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.convs.is_empty()
    }

    /// Capacity units a channel costs.
    pub fn cost(channel: Channel) -> i64 {
        i64::from(channel.cost())
    }
}
