//! Now-values kept per queue × channel cell, event by event: status counts, who is in queue and
//! since when, sentiment, and the conversations not yet accepted by creation time — so a live
//! report reads a few sums per cell instead of walking every live conversation.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::conv::Cell;
use super::fast::{FastMap, FastSet};
use crate::kpi::domain::facts::{Facts, Status};
use crate::kpi::domain::report::Alert;

/// Times, each as often as it was added, in order: how many lie in a range is two binary
/// searches, where a B-tree of counts walks every key on one side of it. Most are added at
/// the end (a conversation created or queued now) and taken near it (accepted or answered
/// within minutes), so the moves an insert or a removal makes are short.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Times(Vec<i64>);

impl Times {
    /// Adds `at` once.
    fn add(&mut self, at: i64) {
        let i = self.0.partition_point(|&x| x <= at);
        self.0.insert(i, at);
    }

    /// Takes `at` out once (nothing if it is not there).
    fn take(&mut self, at: i64) {
        let i = self.0.partition_point(|&x| x < at);
        if self.0.get(i) == Some(&at) {
            self.0.remove(i);
        }
    }

    /// Adds (`sign` > 0) or takes out `at`.
    fn put(&mut self, at: i64, sign: i32) {
        if sign > 0 {
            self.add(at)
        } else {
            self.take(at)
        }
    }

    /// How many there are.
    pub fn len(&self) -> u64 {
        self.0.len() as u64
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The earliest.
    pub fn first(&self) -> Option<i64> {
        self.0.first().copied()
    }

    /// How many lie in `[from, to)`.
    pub fn count_in(&self, from: i64, to: i64) -> u64 {
        if to <= from {
            return 0;
        }
        let below = |at: i64| self.0.partition_point(|&x| x < at);
        (below(to) - below(from)) as u64
    }
}

/// The live (not closed) conversations of one cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellNow {
    /// Conversations by status: open, active, waiting, wrap-up.
    pub status: [u64; 4],
    /// Latest queue entries of those in queue: its length is the in-queue count, its first
    /// the longest wait's start.
    pub entries: Times,
    /// Created times of those not yet accepted: "waiting > 5 min".
    pub unaccepted: Times,
    /// Those at each sentiment (−3 … 3 at 0 … 6), by number: a report filtered to a few
    /// cells reads its few sentiment alerts here rather than walking [`Now`]'s sets.
    pub sentiment: [FastSet<u32>; 7],
}

/// A live conversation's sentiment alert, built by the first report
/// that raises it and kept until the conversation's entry is put anew (any change to what
/// the alert says puts it anew): a report then clones a pointer instead of reading the
/// conversation and building five strings. A cache, so it equals any other, and a snapshot
/// holds nothing of it.
#[derive(Clone, Debug, Default)]
pub struct AlertMemo(OnceLock<Arc<Alert>>);

impl AlertMemo {
    /// The kept alert, if a report built one.
    pub fn get(&self) -> Option<&Arc<Alert>> {
        self.0.get()
    }

    /// Keeps `alert` unless a report running beside this one kept its own first.
    pub fn keep(&self, alert: Arc<Alert>) {
        let _ = self.0.set(alert);
    }
}

impl PartialEq for AlertMemo {
    fn eq(&self, _: &AlertMemo) -> bool {
        true
    }
}

impl Eq for AlertMemo {}

impl Serialize for AlertMemo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for AlertMemo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AlertMemo, D::Error> {
        <()>::deserialize(d)?;
        Ok(AlertMemo::default())
    }
}

impl CellNow {
    /// Whether nothing live is left in it.
    fn is_empty(&self) -> bool {
        self.status == [0; 4]
    }
}

/// What one live conversation adds to its cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NowEntry {
    cell: Cell,
    status: usize,
    in_queue: Option<i64>,
    unaccepted: Option<i64>,
    sentiment: i8,
}

impl NowEntry {
    /// The entry of a conversation, `None` once closed.
    pub fn of(f: &Facts, cell: Cell) -> Option<NowEntry> {
        let status = match f.status {
            Status::Open => 0,
            Status::Active => 1,
            Status::Waiting => 2,
            Status::WrapUp => 3,
            Status::Closed => return None,
        };
        Some(NowEntry {
            cell,
            status,
            in_queue: f.in_queue().then_some(f.queue_entry),
            unaccepted: f.first_accepted.is_none().then_some(f.created),
            sentiment: f.sentiment,
        })
    }
}

/// A live conversation in one of [`Now`]'s sentiment sets.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Felt {
    /// The conversation.
    pub idx: u32,
    /// Its cell.
    pub cell: Cell,
    /// Its alert, once a report raised one.
    pub memo: AlertMemo,
}

/// Every cell's now-values, and the live conversations by sentiment.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Now {
    cells: FastMap<Cell, CellNow>,
    /// The live conversations by sentiment (−3 … 3 at 0 … 6), by id: a report lists the
    /// sentiment alerts in id order by merging the sets at or below the thresholds, where
    /// sets per cell would have to be sorted together (thousands of alerts on a busy floor).
    sentiment: [BTreeMap<Box<str>, Felt>; 7],
}

impl Now {
    /// Adds (`sign` 1) or takes out (−1) the entry of conversation `idx`, whose id is `id`.
    pub fn put(&mut self, idx: usize, id: &str, e: &NowEntry, sign: i32) {
        let c = self.cells.entry(e.cell).or_default();
        c.status[e.status] = c.status[e.status].wrapping_add_signed(i64::from(sign));
        if let Some(at) = e.in_queue {
            c.entries.put(at, sign);
        }
        if let Some(at) = e.unaccepted {
            c.unaccepted.put(at, sign);
        }
        let v = (e.sentiment.clamp(-3, 3) + 3) as usize;
        if sign > 0 {
            c.sentiment[v].insert(idx as u32);
        } else {
            c.sentiment[v].remove(&(idx as u32));
        }
        if c.is_empty() {
            self.cells.remove(&e.cell);
        }
        let set = &mut self.sentiment[v];
        if sign > 0 {
            let felt = Felt {
                idx: idx as u32,
                cell: e.cell,
                memo: AlertMemo::default(),
            };
            set.insert(id.into(), felt);
        } else {
            set.remove(id);
        }
    }

    /// Feeds `each` the live conversations with a sentiment at or below `upto`, with it, in
    /// id order (a merge of the sets' walks).
    pub fn each_felt_upto<'a>(&'a self, upto: i8, mut each: impl FnMut(i8, &'a Felt)) {
        let mut heads: Vec<_> = (-3i8..=upto.clamp(-3, 3))
            .zip(&self.sentiment)
            .map(|(v, set)| {
                let mut walk = set.iter();
                (v, walk.next(), walk)
            })
            .collect();
        loop {
            let least = heads
                .iter()
                .enumerate()
                .filter_map(|(i, (_, head, _))| head.map(|(id, _)| (id, i)))
                .min();
            let Some((_, i)) = least else { return };
            let (v, head, walk) = &mut heads[i];
            if let Some((_, felt)) = head {
                each(*v, felt);
            }
            *head = walk.next();
        }
    }

    /// How many live conversations have a sentiment at or below `upto`.
    pub fn felt_upto(&self, upto: i8) -> usize {
        let n = (i16::from(upto.clamp(-4, 3)) + 4) as usize;
        self.sentiment[..n].iter().map(BTreeMap::len).sum()
    }

    /// The live conversation `id`, whose sentiment is `v`.
    pub fn felt(&self, v: i8, id: &str) -> Option<&Felt> {
        self.sentiment[(v.clamp(-3, 3) + 3) as usize].get(id)
    }

    /// Every cell with something live.
    pub fn cells(&self) -> impl Iterator<Item = (&Cell, &CellNow)> {
        self.cells.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Times;

    #[test]
    fn times_count_a_half_open_range_with_repeats() {
        let mut t = Times::default();
        for at in [30, 10, 20, 20, 40] {
            t.put(at, 1);
        }
        assert_eq!(t.0, [10, 20, 20, 30, 40]);
        assert_eq!((t.len(), t.first()), (5, Some(10)));
        // `from` counts, `to` does not.
        assert_eq!(t.count_in(20, 30), 2);
        assert_eq!(t.count_in(10, 40), 4);
        assert_eq!(t.count_in(11, 41), 4);
        assert_eq!(t.count_in(i64::MIN, i64::MAX), 5);
        assert_eq!(t.count_in(30, 30), 0);
        assert_eq!(t.count_in(40, 10), 0);
        // One of the repeats goes; a time never added takes nothing.
        t.put(20, -1);
        t.put(25, -1);
        assert_eq!(t.0, [10, 20, 30, 40]);
        t.put(10, -1);
        assert_eq!((t.len(), t.first()), (3, Some(20)));
    }
}
