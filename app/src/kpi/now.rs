//! Now-values kept per queue × channel cell, event by event: status counts, who is in queue and
//! since when, sentiment, and the conversations not yet accepted by creation time — so a live
//! report reads a few sums per cell instead of walking every live conversation.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fast::FastMap;

use super::facts::{Facts, Status};
use super::grid::Cell;
use super::report::Alert;

/// Adds `sign` to the multiset count of `key`, dropping keys that reach zero.
fn count<K: Ord>(map: &mut BTreeMap<K, u32>, key: K, sign: i32) {
    match map.entry(key) {
        Entry::Occupied(mut o) => {
            *o.get_mut() = o.get().wrapping_add_signed(sign);
            if *o.get() == 0 {
                o.remove();
            }
        }
        Entry::Vacant(v) => {
            v.insert(0u32.wrapping_add_signed(sign));
        }
    }
}

/// The live (not closed) conversations of one cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellNow {
    /// Conversations by status: open, active, waiting, wrap-up.
    pub status: [u64; 4],
    /// Latest queue entries of those in queue (a multiset): its length is the in-queue count,
    /// its first key the longest wait's start.
    pub entries: BTreeMap<i64, u32>,
    /// How many are in queue.
    pub in_queue: u64,
    /// Created times of those not yet accepted (a multiset): "waiting > 5 min".
    pub unaccepted: BTreeMap<i64, u32>,
    /// How many are not yet accepted (the size of `unaccepted`).
    pub unaccepted_n: u64,
    /// Conversation indexes by sentiment (−3 … 3 at 0 … 6), each with its alert once a report
    /// raised one.
    pub sentiment: [BTreeMap<u32, AlertMemo>; 7],
}

/// A live conversation's sentiment alert and its id's sort prefix, built by the first report
/// that raises it and kept until the conversation's entry is put anew (any change to what
/// the alert says puts it anew): a report then clones a pointer instead of reading the
/// conversation and building five strings. A cache, so it equals any other, and a snapshot
/// holds nothing of it.
#[derive(Clone, Debug, Default)]
pub struct AlertMemo(OnceLock<(u64, Arc<Alert>)>);

impl AlertMemo {
    /// The kept alert, if a report built one.
    pub fn get(&self) -> Option<&(u64, Arc<Alert>)> {
        self.0.get()
    }

    /// Keeps `alert` unless a report running beside this one kept its own first.
    pub fn keep(&self, alert: (u64, Arc<Alert>)) {
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
    /// How many not yet accepted were created in `[from, to)`: all of them but those outside,
    /// which are few (a day's stale ones lie between, the last minutes' ones after).
    pub fn unaccepted_in(&self, from: i64, to: i64) -> u64 {
        if to <= from {
            return 0;
        }
        let outside: u64 = self
            .unaccepted
            .range(..from)
            .chain(self.unaccepted.range(to..))
            .map(|(_, &n)| u64::from(n))
            .sum();
        self.unaccepted_n - outside
    }

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

/// Every cell's now-values.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Now {
    cells: FastMap<Cell, CellNow>,
}

impl Now {
    /// Adds (`sign` 1) or takes out (−1) conversation `idx`'s entry.
    pub fn put(&mut self, idx: usize, e: &NowEntry, sign: i32) {
        let c = self.cells.entry(e.cell).or_default();
        c.status[e.status] = c.status[e.status].wrapping_add_signed(i64::from(sign));
        if let Some(at) = e.in_queue {
            count(&mut c.entries, at, sign);
            c.in_queue = c.in_queue.wrapping_add_signed(i64::from(sign));
        }
        if let Some(at) = e.unaccepted {
            count(&mut c.unaccepted, at, sign);
            c.unaccepted_n = c.unaccepted_n.wrapping_add_signed(i64::from(sign));
        }
        let s = &mut c.sentiment[(e.sentiment.clamp(-3, 3) + 3) as usize];
        if sign > 0 {
            s.insert(idx as u32, AlertMemo::default());
        } else {
            s.remove(&(idx as u32));
        }
        if c.is_empty() {
            self.cells.remove(&e.cell);
        }
    }

    /// Every cell with something live.
    pub fn cells(&self) -> impl Iterator<Item = (&Cell, &CellNow)> {
        self.cells.iter()
    }
}
