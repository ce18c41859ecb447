//! Conversations as a report reads them at its instant, in one of three ways (`View`): the
//! engine's own, read in place (live); only the few a live agent filter reaches; or every one
//! derived as of the instant (replay, skill and status filters).

use super::domain::facts::{Facts, Status};
use super::domain::query::Query;
use super::engine::Engine;
use super::store::conv::{Cell, FactsRef};
use super::store::grid::{Grid, InScope, SumSource};

/// Conversations as of a report's instant, by where the report reads them from. Which one a
/// question gets is [`Engine::report`]'s choice (and the agents table's: live or derived).
pub(super) enum View<'e> {
    /// The engine's own state, read in place: its grid, its live list and the facts its
    /// conversations hold (a live question filtered by queue and channel only).
    Live(&'e Engine),
    /// The engine's own state under a live agent filter: only the conversations offered to
    /// those agents that pass every filter, with their facts, summed as they are read.
    Offered {
        engine: &'e Engine,
        /// The conversations in scope (a few hundred or thousand, where the grid holds a
        /// day's).
        in_scope: Vec<InScope<'e>>,
    },
    /// Every conversation derived as of a past instant (replay, skill and status filters,
    /// or an agent filter with events applied after the instant), in a grid of its own.
    Derived {
        /// (facts, queue threshold, cell) per conversation index.
        facts: Vec<Option<(Facts, u32, Cell)>>,
        /// Indexes not closed at the instant.
        live: Vec<usize>,
        /// Where the query keeps them.
        grid: Grid,
    },
}

impl View<'_> {
    /// A conversation's facts, threshold and cell; live, a closed conversation's facts are
    /// derived from its steps here ([`Engine::facts`]).
    pub(super) fn entry(&self, idx: usize) -> Option<(FactsRef<'_>, u32, Cell)> {
        match self {
            View::Live(engine) | View::Offered { engine, .. } => {
                let c = engine.convs.get(idx)?;
                Some((engine.facts(idx)?, c.sl_own, c.cell()?))
            }
            View::Derived { facts, .. } => facts
                .get(idx)?
                .as_ref()
                .map(|(f, sl, c)| (FactsRef::Held(f), *sl, *c)),
        }
    }

    /// Where the view's windowed sums come from: the engine's grid, the few conversations in
    /// scope, or the view's own grid.
    pub(super) fn sums(&self) -> SumSource<'_> {
        match self {
            View::Live(engine) => SumSource::Grid(&engine.grid),
            View::Offered { in_scope, .. } => SumSource::Few(in_scope),
            View::Derived { grid, .. } => SumSource::Grid(grid),
        }
    }

    /// Whether this is the engine's live state (not derived at an instant).
    pub(super) fn is_live(&self) -> bool {
        !matches!(self, View::Derived { .. })
    }

    /// The conversations not closed at the view's instant, on the whole floor.
    pub(super) fn live(&self) -> &[usize] {
        match self {
            View::Live(engine) | View::Offered { engine, .. } => &engine.live,
            View::Derived { live, .. } => live,
        }
    }

    /// The facts of a conversation live at the view's instant (or any, when derived at an
    /// instant), read in place. Live, a closed conversation's facts are not held: read those
    /// through [`View::entry`].
    pub(super) fn get(&self, idx: usize) -> Option<&Facts> {
        match self {
            View::Live(engine) | View::Offered { engine, .. } => engine.convs.get(idx)?.held(),
            View::Derived { facts, .. } => facts.get(idx)?.as_ref().map(|(f, _, _)| f),
        }
    }

    /// The conversations live at the instant that can pass the query's filters: under a live
    /// agent filter those offered to the agents that are still live (a few hundred), where
    /// the live list holds every live conversation on the floor.
    pub(super) fn live_in_scope(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            View::Offered { engine, in_scope } => Box::new(
                in_scope
                    .iter()
                    .map(|c| c.idx)
                    .filter(|&i| engine.convs.get(i).is_some_and(|c| c.is_live())),
            ),
            View::Live(_) | View::Derived { .. } => Box::new(self.live().iter().copied()),
        }
    }

    /// Every conversation's entry.
    pub(super) fn entries(&self) -> Box<dyn Iterator<Item = (FactsRef<'_>, u32, Cell)> + '_> {
        let n = match self {
            View::Offered { in_scope, .. } => {
                return Box::new(
                    in_scope
                        .iter()
                        .map(|c| (FactsRef::Held(&c.facts), c.sl_own, c.cell)),
                );
            }
            View::Live(engine) => engine.convs.slots(),
            View::Derived { facts, .. } => facts.len(),
        };
        Box::new((0..n).filter_map(|i| self.entry(i)))
    }
}

impl Engine {
    /// The engine's live state, read in place.
    pub(super) fn live_view(&self) -> View<'_> {
        View::Live(self)
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
        let in_scope = candidates
            .into_iter()
            .filter_map(|idx| {
                let c = &self.convs[idx];
                let (f, cell) = (self.facts(idx)?, c.cell()?);
                q.keeps(&f, queues)
                    .then(|| InScope::new(idx, f, c.sl_own, cell))
            })
            .collect();
        View::Offered {
            engine: self,
            in_scope,
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
        View::Derived { facts, live, grid }
    }
}
