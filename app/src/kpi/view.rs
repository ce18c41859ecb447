//! Conversations as a report reads them at its instant: the engine's own, read in place
//! (live), only the few a live agent filter reaches, or every one derived as of a past
//! instant (replay, agent/skill/status filters).

use std::borrow::Cow;

use super::domain::facts::{Facts, Status};
use super::domain::query::Query;
use super::engine::Engine;
use super::store::conv::{Cell, FactsRef};
use super::store::grid::{Grid, InScope, SumSource};

/// Conversations as of the evaluation instant: the engine's own, read in place (live), or
/// derived at the instant (replay, agent/skill/status filters).
pub(super) struct View<'e> {
    engine: &'e Engine,
    /// (facts, queue threshold, cell) per conversation index, when derived.
    derived: Option<Vec<Option<(Facts, u32, Cell)>>>,
    /// Indexes not closed at the instant.
    pub live: Cow<'e, [usize]>,
    /// A grid built for this view (replay, filters), or `None` to use the engine's.
    pub grid: Option<Grid>,
    /// The only conversations that pass the query's filters, with their facts, when known
    /// (a live agent filter's: those offered to the agents).
    few: Option<Vec<InScope<'e>>>,
}

impl View<'_> {
    /// A conversation's facts, threshold and cell; live, a closed conversation's facts are
    /// derived from its steps here ([`Engine::facts`]).
    pub(super) fn entry(&self, idx: usize) -> Option<(FactsRef<'_>, u32, Cell)> {
        match &self.derived {
            Some(all) => all
                .get(idx)?
                .as_ref()
                .map(|(f, sl, c)| (FactsRef::Held(f), *sl, *c)),
            None => {
                let c = self.engine.convs.get(idx)?;
                Some((self.engine.facts(idx)?, c.sl_own, c.cell()?))
            }
        }
    }

    /// Where the view's windowed sums come from: its own grid, its few conversations, or
    /// the engine's grid.
    pub(super) fn sums(&self) -> SumSource<'_> {
        match (&self.grid, &self.few) {
            (Some(grid), _) => SumSource::Grid(grid),
            (None, Some(few)) => SumSource::Few(few),
            (None, None) => SumSource::Grid(&self.engine.grid),
        }
    }

    /// Whether this is the engine's live state (not derived at an instant).
    pub(super) fn is_live(&self) -> bool {
        self.derived.is_none()
    }

    /// The facts of a conversation live at the view's instant (or any, when derived at an
    /// instant), read in place. Live, a closed conversation's facts are not held: read those
    /// through [`View::entry`].
    pub(super) fn get(&self, idx: usize) -> Option<&Facts> {
        match &self.derived {
            Some(all) => all.get(idx)?.as_ref().map(|(f, _, _)| f),
            None => self.engine.convs.get(idx)?.held(),
        }
    }

    /// The conversations live at the instant that can pass the query's filters: under a live
    /// agent filter those offered to the agents that are still live (a few hundred), where
    /// the live list holds every live conversation on the floor.
    pub(super) fn live_in_scope(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match (&self.few, self.is_live()) {
            (Some(few), true) => Box::new(
                few.iter()
                    .map(|c| c.idx)
                    .filter(|&i| self.engine.convs.get(i).is_some_and(|c| c.is_live())),
            ),
            _ => Box::new(self.live.iter().copied()),
        }
    }

    /// Every conversation's entry.
    pub(super) fn entries(&self) -> Box<dyn Iterator<Item = (FactsRef<'_>, u32, Cell)> + '_> {
        if let Some(few) = &self.few {
            return Box::new(
                few.iter()
                    .map(|c| (FactsRef::Held(&c.facts), c.sl_own, c.cell)),
            );
        }
        let n = self
            .derived
            .as_ref()
            .map_or(self.engine.convs.slots(), Vec::len);
        Box::new((0..n).filter_map(|i| self.entry(i)))
    }
}

impl Engine {
    /// The engine's live state, read in place.
    pub(super) fn live_view(&self) -> View<'_> {
        View {
            engine: self,
            derived: None,
            live: Cow::Borrowed(&self.live),
            grid: None,
            few: None,
        }
    }

    /// The live view under an agent filter: the conversations offered to the filtered agents
    /// that pass every filter, with their live facts, summed as a report reads them.
    pub(super) fn live_filtered(&self, q: &Query, queues: &Option<Vec<String>>) -> View<'_> {
        let mut candidates: Vec<usize> = q
            .agents
            .iter()
            .filter_map(|a| self.agent_convs.get(a.as_str()))
            .flatten()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let few = candidates
            .into_iter()
            .filter_map(|idx| {
                let c = &self.convs[idx];
                let (f, cell) = (self.facts(idx)?, c.cell()?);
                q.keeps(&f, queues)
                    .then(|| InScope::new(idx, f, c.sl_own, cell))
            })
            .collect();
        View {
            engine: self,
            derived: None,
            live: Cow::Borrowed(&self.live),
            grid: None,
            few: Some(few),
        }
    }

    /// Every conversation derived as of `t`, in a grid of its own where `q` keeps it.
    pub(super) fn view_at(&self, t: i64, q: &Query, queues: &Option<Vec<String>>) -> View<'_> {
        let mut grid = Grid::default();
        let mut facts = Vec::with_capacity(self.convs.slots());
        let mut live = Vec::new();
        for (idx, c) in self.convs.iter() {
            let entry = c.derive(&self.names, t).map(|f| {
                let sl = self.sl_seconds(&f.queue);
                let qi = self
                    .queue_names
                    .iter()
                    .position(|n| **n == *f.queue)
                    .unwrap_or(0) as u32;
                let cell = (qi, f.channel);
                (f, sl, cell)
            });
            if let Some((f, sl, cell)) = &entry {
                if f.status != Status::Closed {
                    live.push(idx);
                }
                if q.keeps(f, queues) {
                    grid.put(idx, f, *cell, *sl, false);
                }
            }
            facts.push(entry);
        }
        View {
            engine: self,
            derived: Some(facts),
            live: Cow::Owned(live),
            grid: Some(grid),
            few: None,
        }
    }
}
