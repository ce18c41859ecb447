//! A question as a report or the agents table answers it: the query with the instant, window
//! start and queues it resolves to, and the view of the conversations at that instant — what
//! the parts of an answer ([`super::answer`], [`super::now_values`], [`super::breakdown`],
//! [`super::agents`]) all read.

use super::query::Query;
use crate::kpi::engine::Engine;
use crate::kpi::store::conv::Cell;
use crate::kpi::view::View;

/// A question being answered, resolved once for all the parts of its answer.
pub(in crate::kpi) struct Ask<'a> {
    /// What it asks.
    pub q: &'a Query,
    /// Its instant (ms): the query's `at`, else now.
    pub t: i64,
    /// Its window's start (ms), at most `t`.
    pub from: i64,
    /// The queues in scope ([`Query::queue_set`]), `None` for all.
    pub queues: Option<Vec<String>>,
    /// Nothing was applied after `t`, so nothing is keyed after it.
    pub open_end: bool,
    /// The conversations as of `t`.
    pub view: View<'a>,
}

impl Engine {
    /// Whether a cell (queue × channel) passes the question's queue and channel filters.
    // Called for every cell a fold reads, from generic folds in other modules: inlined there,
    // as the closure it replaced was.
    #[inline]
    pub(in crate::kpi) fn keeps_cell(&self, ask: &Ask, c: &Cell) -> bool {
        ask.queues
            .as_ref()
            .is_none_or(|qs| qs.contains(&self.queue_names[c.0 as usize]))
            && (ask.q.channels.is_empty() || ask.q.channels.contains(&c.1))
    }
}
