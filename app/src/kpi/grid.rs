//! Contributions bucketed per minute × queue × channel, so a window's sums are read without
//! touching a conversation, except the few in the window's two partial edge minutes.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::facts::Facts;
use super::sums::{OfferScope, Sums};
use crate::model::event::Channel;

/// One minute in ms.
pub const MINUTE_MS: i64 = 60_000;

/// A bucket's queue (interned) and channel.
pub type Cell = (u32, Channel);

/// The minute a time falls in (its start, ms).
pub fn minute_of(t: i64) -> i64 {
    t.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The distinct minutes a conversation contributes to: created, closed and offer times.
pub fn minutes_of(f: &Facts) -> Vec<i64> {
    let mut m: Vec<i64> = std::iter::once(f.created)
        .chain(f.closed.map(|(t, _)| t))
        .chain(f.offers.iter().map(|o| o.at))
        .map(minute_of)
        .collect();
    m.sort_unstable();
    m.dedup();
    m
}

/// Per-minute sums and which conversations contributed to each minute.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    cells: BTreeMap<i64, HashMap<Cell, Sums>>,
    index: BTreeMap<i64, HashSet<usize>>,
}

impl Grid {
    /// Adds (or, with `remove`, subtracts) conversation `idx`'s contribution in `minutes`.
    pub fn put(&mut self, idx: usize, f: &Facts, cell: Cell, sl_own: u32, remove: bool) {
        for m in minutes_of(f) {
            let mut s = Sums::default();
            s.contribute(f, m, m + MINUTE_MS, sl_own, OfferScope::All);
            let row = self.cells.entry(m).or_default();
            let ids = self.index.entry(m).or_default();
            if remove {
                if let Some(c) = row.get_mut(&cell) {
                    *c -= &s;
                    if *c == Sums::default() {
                        row.remove(&cell);
                    }
                }
                ids.remove(&idx);
                if row.is_empty() {
                    self.cells.remove(&m);
                }
                if ids.is_empty() {
                    self.index.remove(&m);
                }
            } else {
                *row.entry(cell).or_default() += &s;
                ids.insert(idx);
            }
        }
    }

    /// Drops every minute before `before` (ms).
    pub fn prune(&mut self, before: i64) {
        self.cells = self.cells.split_off(&minute_of(before));
        self.index = self.index.split_off(&minute_of(before));
    }

    /// Feeds `sink(minute, cell, sums)` every contribution to `[from, to]` (ms, inclusive)
    /// whose cell `keep` accepts. Whole minutes come from the buckets; the partial minutes at
    /// both ends are summed conversation by conversation, from `facts(idx)` (which returns the
    /// conversation's facts, threshold and cell, or `None` to leave it out).
    pub fn fold<'f>(
        &self,
        from: i64,
        to: i64,
        keep: impl Fn(&Cell) -> bool,
        facts: impl Fn(usize) -> Option<(&'f Facts, u32, Cell)>,
        mut sink: impl FnMut(i64, &Cell, &Sums),
    ) {
        if to < from {
            return;
        }
        let first_full = if minute_of(from) == from {
            from
        } else {
            minute_of(from) + MINUTE_MS
        };
        let last_minute = minute_of(to);
        for (&m, row) in self.cells.range(first_full..last_minute) {
            for (cell, s) in row {
                if keep(cell) {
                    sink(m, cell, s);
                }
            }
        }
        let mut edge = |lo: i64, hi: i64| {
            let Some(ids) = self.index.get(&minute_of(lo)) else {
                return;
            };
            for &idx in ids {
                if let Some((f, sl_own, cell)) = facts(idx).filter(|(_, _, c)| keep(c)) {
                    let mut s = Sums::default();
                    s.contribute(f, lo, hi, sl_own, OfferScope::All);
                    sink(minute_of(lo), &cell, &s);
                }
            }
        };
        if first_full > from {
            edge(from, first_full.min(to + 1));
        }
        if last_minute >= first_full {
            edge(last_minute, to + 1);
        }
    }
}
