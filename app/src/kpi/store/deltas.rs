//! One agent's quarter hour of span changes ([`super::agg`]): the net change of the number of
//! finished active spans running, at each time within the quarter where it changes. A busy
//! day has ~2.4 million of them; as `(u32, i32)` pairs they took 8 bytes each, packed they
//! take 4: the time (ms from the quarter's start, below 900,000 < 2^20) in the low 20 bits and
//! the change in the high 12, signed. A change too large for 12 bits (a bulk import closing
//! thousands of one agent's conversations at one instant) is split into several entries at
//! the same time, which a walk adds one after the other.

use std::ops::Range;

use serde::{Deserialize, Serialize};

const TIME_BITS: u32 = 20;
const TIME_MASK: u32 = (1 << TIME_BITS) - 1;
/// The largest change one entry holds (12 bits, signed).
const MAX_CHANGE: i64 = (1 << (31 - TIME_BITS)) - 1;

/// Span changes at times within a quarter (ms from its start), sorted by time, none zero.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deltas(Vec<u32>);

fn time(e: u32) -> u32 {
    e & TIME_MASK
}

fn change(e: u32) -> i32 {
    // The arithmetic shift brings the sign of the high 12 bits down with them.
    (e as i32) >> TIME_BITS
}

impl Deltas {
    /// The changes in time order: (ms from the quarter's start, change). A time may come
    /// more than once (a change split in parts); its changes add up.
    pub fn iter(&self) -> impl Iterator<Item = (u32, i32)> + '_ {
        self.0.iter().map(|&e| (time(e), change(e)))
    }

    /// How many entries are at times up to `t` (ms from the quarter's start, inclusive).
    pub fn upto(&self, t: i64) -> usize {
        self.0.partition_point(|&e| i64::from(time(e)) <= t)
    }

    /// How many entries are at times before `t` (ms from the quarter's start).
    pub fn before(&self, t: i64) -> usize {
        self.0.partition_point(|&e| i64::from(time(e)) < t)
    }

    /// The entries `range` (time and change), in time order.
    pub fn slice(&self, range: Range<usize>) -> impl Iterator<Item = (u32, i32)> + '_ {
        self.0[range].iter().map(|&e| (time(e), change(e)))
    }

    /// The sum of the changes of the entries `range`.
    pub fn sum(&self, range: Range<usize>) -> i32 {
        self.0[range].iter().map(|&e| change(e)).sum()
    }

    /// Adds `d` to the change at `offset` (below 2^20), dropping it when it comes to zero.
    pub fn add(&mut self, offset: u32, d: i32) {
        debug_assert!(offset <= TIME_MASK, "within a quarter");
        if d == 0 {
            return;
        }
        let start = self.0.partition_point(|&e| time(e) < offset);
        let end = start + self.0[start..].partition_point(|&e| time(e) == offset);
        let mut total: i64 = self.0[start..end]
            .iter()
            .map(|&e| i64::from(change(e)))
            .sum();
        total += i64::from(d);
        let entry = |part: i64| ((part as i32) << TIME_BITS) as u32 | offset;
        match (total, end - start) {
            (0, _) => {
                self.0.drain(start..end);
            }
            (t, 1) if t.abs() <= MAX_CHANGE => self.0[start] = entry(t),
            (t, 0) if t.abs() <= MAX_CHANGE => self.0.insert(start, entry(t)),
            _ => {
                // Rare: the change is or was too large for one entry.
                let mut parts = Vec::new();
                while total != 0 {
                    let part = total.clamp(-MAX_CHANGE, MAX_CHANGE);
                    parts.push(entry(part));
                    total -= part;
                }
                self.0.splice(start..end, parts);
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any adds give the changes a sorted map of their sums gives, zeros left out,
        /// whatever their size and order.
        #[test]
        fn deltas_hold_the_summed_changes_in_time_order(
            // Few distinct times, so changes meet (and cancel) often; some anywhere in the
            // quarter, up to its last millisecond.
            adds in proptest::collection::vec(
                (prop_oneof![(0u32..13).prop_map(|x| (x * 75_000).min(899_999)), 0u32..900_000], -3i32..4),
                0..60,
            ),
            big in proptest::option::of((0u32..900_000, -1_000_000i32..1_000_000)),
        ) {
            let mut deltas = Deltas::default();
            let mut want: BTreeMap<u32, i64> = BTreeMap::new();
            for (at, d) in adds.iter().copied().chain(big) {
                deltas.add(at, d);
                *want.entry(at).or_default() += i64::from(d);
            }
            want.retain(|_, d| *d != 0);
            let mut got: BTreeMap<u32, i64> = BTreeMap::new();
            let mut last = 0;
            for (at, d) in deltas.iter() {
                prop_assert!(at >= last, "sorted by time");
                prop_assert!(d != 0, "no zero entry");
                last = at;
                *got.entry(at).or_default() += i64::from(d);
            }
            prop_assert_eq!(got, want);
        }
    }
}
