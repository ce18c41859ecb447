//! Contributions bucketed per minute × queue × channel, rolled up per quarter hour and per
//! hour, so a day's sums are read from ~24 hours, a few quarters and a few minutes without
//! touching a conversation, except the few in the window's two partial edge minutes. A fold
//! ([`Reading`]) reads a grid, or a few conversations alike ([`SumSource`]).

use std::collections::BTreeMap;

use super::conv::{Cell, FactsRef};
use super::fast::FastMap;
use super::minutes::{MinuteSums, each_row};
use super::slots::SlotSet;
use crate::kpi::domain::facts::Facts;
use crate::kpi::domain::sums::{OfferScope, Sums, SumsNeeded};

/// One minute in ms.
pub const MINUTE_MS: i64 = 60_000;

/// A quarter hour in ms: the rollup step (every time zone's offset is a multiple of it, so a
/// quarter never straddles two local hours).
pub const QUARTER_MS: i64 = 900_000;

/// An hour in ms.
pub const HOUR_MS: i64 = 3_600_000;

/// Which rollups a fold may read: every time zone's hours start on a quarter, most on a UTC
/// hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rollup {
    /// Minutes only.
    Minutes,
    /// Quarters and minutes.
    Quarters,
    /// Hours, quarters and minutes.
    Hours,
}

impl Rollup {
    /// The coarsest rollup whose buckets each fall within one hour starting at `h0` (ms).
    pub fn aligned_to(h0: i64) -> Rollup {
        if h0.rem_euclid(HOUR_MS) == 0 {
            Rollup::Hours
        } else if h0.rem_euclid(QUARTER_MS) == 0 {
            Rollup::Quarters
        } else {
            Rollup::Minutes
        }
    }
}

/// What a fold reads: the sums keyed in `[from, to]` (ms, inclusive), through which rollups,
/// and which sums of the conversations it reads one by one.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    /// Start (ms).
    pub from: i64,
    /// End (ms, inclusive).
    pub to: i64,
    /// Nothing is keyed after `to` (nothing was applied after it): its minute is read whole.
    pub open_end: bool,
    /// The rollups it may read.
    pub rollup: Rollup,
    /// The sums it needs from the conversations it reads one by one.
    pub needed: SumsNeeded,
}

/// The hour a time falls in (its start, ms).
pub fn hour_of(t: i64) -> i64 {
    t.div_euclid(HOUR_MS) * HOUR_MS
}

/// The first multiple of `step` (ms) at or after `t`.
fn ceil_to(t: i64, step: i64) -> i64 {
    let floor = t.div_euclid(step) * step;
    if floor == t { t } else { floor + step }
}

/// The first minute boundary at or after `t`.
pub fn minute_ceil(t: i64) -> i64 {
    ceil_to(t, MINUTE_MS)
}

/// The first hour boundary at or after `t`.
fn hour_ceil(t: i64) -> i64 {
    ceil_to(t, HOUR_MS)
}

/// The quarter a time falls in (its start, ms).
pub fn quarter_of(t: i64) -> i64 {
    t.div_euclid(QUARTER_MS) * QUARTER_MS
}

/// The first quarter boundary at or after `t`.
pub fn quarter_ceil(t: i64) -> i64 {
    ceil_to(t, QUARTER_MS)
}

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

/// The minutes' sums or a rollup's, for [`Grid::fold`].
#[derive(Clone, Copy)]
enum Rows<'a> {
    Minutes(&'a MinuteSums<Cell, Sums>),
    Wide(&'a BTreeMap<i64, Row>),
}

/// A quarter's or hour's sums by cell, sorted by cell, none zero (a hash map of them held up
/// to twice their size: its buckets are a power of two, at most 7/8 full).
type Row = Vec<(Cell, Sums)>;

/// Per-minute sums, their quarter-hour and hour rollups, and which conversations contributed
/// to each minute. A quarter always holds the sum of its minutes, an hour of its quarters.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    /// Kept narrow: most of a day's sums are its minutes' (~43,000 of ~46,000).
    cells: MinuteSums<Cell, Sums>,
    quarters: BTreeMap<i64, Row>,
    hours: BTreeMap<i64, Row>,
    /// Conversation indexes per minute.
    index: BTreeMap<i64, SlotSet>,
}

/// Adds (or subtracts) `s` to `cell` of `row`, dropping cells and rows that become empty.
fn add_to(rows: &mut BTreeMap<i64, Row>, at: i64, cell: Cell, s: &Sums, sub: bool) {
    let row = rows.entry(at).or_default();
    let i = row
        .binary_search_by(|(c, _)| c.cmp(&cell))
        .unwrap_or_else(|i| {
            row.insert(i, (cell, Sums::default()));
            i
        });
    let c = &mut row[i].1;
    if sub {
        *c -= s;
    } else {
        *c += s;
    }
    if *c == Sums::default() {
        row.remove(i);
    }
    if row.is_empty() {
        rows.remove(&at);
    }
}

impl Grid {
    /// Adds (or, with `remove`, subtracts) conversation `idx`'s contribution in `minutes`.
    pub fn put(&mut self, idx: usize, f: &Facts, cell: Cell, sl_own: u32, remove: bool) {
        for m in minutes_of(f) {
            let mut s = Sums::default();
            s.contribute(f, m, m + MINUTE_MS, sl_own, OfferScope::All);
            if remove {
                // A pruned minute has nothing left to take out.
                if self.cells.contains(m, cell) {
                    self.cells.add(m, cell, &s, true);
                    add_to(&mut self.quarters, quarter_of(m), cell, &s, true);
                    add_to(&mut self.hours, hour_of(m), cell, &s, true);
                }
                if let Some(ids) = self.index.get_mut(&m) {
                    ids.remove(idx);
                    if ids.is_empty() {
                        self.index.remove(&m);
                    }
                }
            } else {
                self.cells.add(m, cell, &s, false);
                add_to(&mut self.quarters, quarter_of(m), cell, &s, false);
                add_to(&mut self.hours, hour_of(m), cell, &s, false);
                self.index.entry(m).or_default().insert(idx);
            }
        }
    }

    /// The conversations contributing to each minute that overlaps `[lo, hi)`.
    pub fn minutes(&self, lo: i64, hi: i64) -> impl Iterator<Item = (i64, &[u32])> {
        let first = minute_of(lo);
        self.index
            .range(first..hi.max(first))
            .map(|(&m, ids)| (m, ids.as_slice()))
    }

    /// Drops every minute before `before` (ms).
    pub fn prune(&mut self, before: i64) {
        let cut = minute_of(before);
        self.cells.prune(cut);
        self.index = self.index.split_off(&cut);
        // The quarter and the hour holding the cut keep only their minutes from the cut on.
        let (q, h) = (quarter_of(cut), hour_of(cut));
        self.quarters = self.quarters.split_off(&q);
        self.quarters.remove(&q);
        self.hours = self.hours.split_off(&h);
        self.hours.remove(&h);
        let (quarters, hours) = (&mut self.quarters, &mut self.hours);
        self.cells.each(
            h,
            h + HOUR_MS,
            |_| true,
            |m, &cell, s| {
                if m < q + QUARTER_MS {
                    add_to(quarters, quarter_of(m), cell, s, false);
                }
                add_to(hours, hour_of(m), cell, s, false);
            },
        );
    }

    /// Feeds `sink(minute, cell, sums)` every contribution to the [`Reading`]'s `[from, to]`
    /// whose cell `keep` accepts. Whole hours and quarters come from the rollups that
    /// `rollup` allows (`minute` is then the hour's or quarter's start), whole minutes from
    /// the buckets; the partial minutes at both ends are summed conversation by conversation
    /// (the `needed` sums: every one, or only those the caller reads), from `facts(idx)`
    /// (which returns the conversation's facts, threshold and cell, or `None` to leave it
    /// out); whole minutes, quarters and hours always carry every sum. With `open_end` the
    /// minute holding `to` is read whole.
    pub fn fold<'f>(
        &self,
        reading: &Reading,
        keep: impl Fn(&Cell) -> bool,
        facts: impl Fn(usize) -> Option<(FactsRef<'f>, u32, Cell)>,
        mut sink: impl FnMut(i64, &Cell, &Sums),
    ) {
        let Reading {
            from,
            to,
            open_end,
            rollup,
            needed,
        } = *reading;
        if to < from {
            return;
        }
        let first_full = minute_ceil(from);
        let last_minute = minute_of(to);
        let end = if open_end {
            last_minute + MINUTE_MS
        } else {
            last_minute
        };
        let (qa, qb) = (quarter_ceil(first_full), quarter_of(end));
        // Minutes within one quarter reach the sink summed per cell when a rollup by quarters
        // is asked for (each quarter then falls within one of the caller's hours).
        let mut whole = |rows: Rows<'_>, a: i64, b: i64| match rows {
            Rows::Minutes(minutes)
                if rollup != Rollup::Minutes && quarter_of(a) == quarter_of(b - 1) =>
            {
                minutes.each_summed(a, b, &keep, &mut sink)
            }
            Rows::Minutes(minutes) => minutes.each(a, b, &keep, &mut sink),
            Rows::Wide(rows) => each_row(rows, a, b, &keep, &mut sink),
        };
        let minutes = Rows::Minutes(&self.cells);
        let (quarters, hours) = (Rows::Wide(&self.quarters), Rows::Wide(&self.hours));
        let (ha, hb) = (hour_ceil(qa), hour_of(qb));
        if rollup == Rollup::Hours && ha < hb {
            whole(minutes, first_full, qa);
            whole(quarters, qa, ha);
            whole(hours, ha, hb);
            whole(quarters, hb, qb);
            whole(minutes, qb, end);
        } else if rollup != Rollup::Minutes && qa < qb {
            whole(minutes, first_full, qa);
            whole(quarters, qa, qb);
            whole(minutes, qb, end);
        } else {
            whole(minutes, first_full, end);
        }
        // A partial minute's conversations are summed per cell first: the sink sees each cell
        // once, not each of the minute's ~2,000 conversations of a busy day.
        let mut edge = |lo: i64, hi: i64| {
            let Some(ids) = self.index.get(&minute_of(lo)) else {
                return;
            };
            let mut by_cell: FastMap<Cell, Sums> = FastMap::default();
            for idx in ids {
                if let Some((f, sl_own, cell)) = facts(idx).filter(|(_, _, c)| keep(c)) {
                    let sums = by_cell.entry(cell).or_default();
                    sums.contribute_needed(&f, lo, hi, sl_own, needed);
                }
            }
            for (cell, s) in &by_cell {
                sink(minute_of(lo), cell, s);
            }
        };
        if first_full > from {
            edge(from, first_full.min(to + 1));
        }
        if !open_end && last_minute >= first_full {
            edge(last_minute, to + 1);
        }
    }
}

/// One conversation in scope of a question, with what a fold of it reads.
pub struct InScope<'a> {
    /// The conversation.
    pub idx: usize,
    /// Its facts.
    pub facts: FactsRef<'a>,
    /// Its queue's service-level threshold (s).
    pub sl_own: u32,
    /// Its cell.
    pub cell: Cell,
    /// The minutes it touches ([`minutes_of`]), found once for a report's several folds.
    pub minutes: Vec<i64>,
}

impl<'a> InScope<'a> {
    /// Conversation `idx`, with its facts, threshold and cell.
    pub fn new(idx: usize, facts: FactsRef<'a>, sl_own: u32, cell: Cell) -> InScope<'a> {
        let minutes = minutes_of(&facts);
        InScope {
            idx,
            facts,
            sl_own,
            cell,
            minutes,
        }
    }
}

/// Where a report's windowed sums come from: a grid (the engine's, or one built for a
/// replay's view), or a few conversations summed as they are read — a live agent filter's
/// few thousand, for which a grid cost more to build than the report that reads it once.
pub enum SumSource<'a> {
    /// Per-minute sums and their rollups.
    Grid(&'a Grid),
    /// The only conversations in scope.
    Few(&'a [InScope<'a>]),
}

impl SumSource<'_> {
    /// As [`Grid::fold`]: the sums of `[from, to]` by minute (or a rollup's bucket) and cell.
    /// The few conversations' sums come by the minutes they touch, each over the part of that
    /// minute the grid would read, so both give the same numbers.
    pub fn fold<'f>(
        &self,
        reading: &Reading,
        keep: impl Fn(&Cell) -> bool,
        facts: impl Fn(usize) -> Option<(FactsRef<'f>, u32, Cell)>,
        mut sink: impl FnMut(i64, &Cell, &Sums),
    ) {
        let few = match self {
            SumSource::Grid(grid) => return grid.fold(reading, keep, facts, sink),
            SumSource::Few(few) => few,
        };
        let Reading {
            from,
            to,
            open_end,
            needed,
            ..
        } = *reading;
        if to < from {
            return;
        }
        // The grid reads the last minute whole when nothing is keyed after `to`, unless the
        // window lies within one minute.
        let last_minute = minute_of(to);
        let end = if open_end && last_minute >= minute_ceil(from) {
            last_minute + MINUTE_MS
        } else {
            to + 1
        };
        let first = minute_of(from);
        for c in few.iter().filter(|c| keep(&c.cell)) {
            let touched = &c.minutes[c.minutes.partition_point(|&m| m < first)..];
            for &m in touched.iter().take_while(|&&m| m < end) {
                let (lo, hi) = (m.max(from), (m + MINUTE_MS).min(end));
                let mut s = Sums::default();
                s.contribute_needed(&c.facts, lo, hi, c.sl_own, needed);
                // The grid reads an edge minute's conversations one by one, and hands on
                // each cell it finds there, even when they add nothing within the window.
                if s != Sums::default() || (lo, hi) != (m, m + MINUTE_MS) {
                    sink(m, &c.cell, &s);
                }
            }
        }
    }
}
