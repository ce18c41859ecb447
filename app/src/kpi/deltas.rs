//! One agent's quarter hour of span changes ([`super::agg`]): the net change of the number of
//! finished active spans running, at each time within the quarter where it changes. A busy
//! day has ~2.4 million of them; as `(u32, i32)` pairs they took 8 bytes each, as varints
//! (the gap from the previous time, then the change) they take ~4.

use serde::{Deserialize, Serialize};

use crate::model::varint::{Reader, put, put_signed};

/// Span changes at times within a quarter (ms from its start), sorted by time, none zero.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deltas(Vec<u8>);

impl Deltas {
    /// The changes in time order: (ms from the quarter's start, change).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            r: Reader::new(&self.0),
            at: 0,
        }
    }

    /// Adds `d` to the change at `offset`, dropping it when it comes to zero. Rewrites the
    /// quarter's few dozen changes: a quarter changes once per span start or end.
    pub fn add(&mut self, offset: u32, d: i32) {
        if d == 0 {
            return;
        }
        let mut all: Vec<(u32, i32)> = self.iter().collect();
        match all.binary_search_by_key(&offset, |e| e.0) {
            Ok(i) => {
                all[i].1 += d;
                if all[i].1 == 0 {
                    all.remove(i);
                }
            }
            Err(i) => all.insert(i, (offset, d)),
        }
        self.0.clear();
        let mut last = 0;
        for (at, d) in all {
            put(&mut self.0, u64::from(at - last));
            put_signed(&mut self.0, i64::from(d));
            last = at;
        }
    }
}

/// [`Deltas::iter`].
pub struct Iter<'a> {
    r: Reader<'a>,
    at: u32,
}

impl Iterator for Iter<'_> {
    type Item = (u32, i32);

    fn next(&mut self) -> Option<(u32, i32)> {
        if self.r.done() {
            return None;
        }
        // Written by `add` alone (a snapshot of another build is not read).
        let gap = u32::try_from(self.r.num()?).ok()?;
        let d = i32::try_from(self.r.signed()?).ok()?;
        self.at += gap;
        Some((self.at, d))
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
            adds in proptest::collection::vec((0u32..900_000, -3i32..4), 0..60),
            big in proptest::option::of((0u32..900_000, -1_000_000_000i32..1_000_000_000)),
        ) {
            let mut deltas = Deltas::default();
            let mut want: BTreeMap<u32, i64> = BTreeMap::new();
            for (at, d) in adds.iter().copied().chain(big) {
                deltas.add(at, d);
                *want.entry(at).or_default() += i64::from(d);
            }
            want.retain(|_, d| *d != 0);
            let got: Vec<(u32, i64)> = deltas.iter().map(|(at, d)| (at, i64::from(d))).collect();
            prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        }
    }
}
