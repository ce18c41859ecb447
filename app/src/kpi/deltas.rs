//! One agent's quarter hour of span changes ([`super::agg`]): the net change of the number of
//! finished active spans running, at each time within the quarter where it changes. A busy
//! day has ~2.4 million of them; as `(u32, i32)` pairs they took 8 bytes each, as varints
//! (the gap from the previous time, then the change) they take ~4.

use serde::{Deserialize, Serialize};

use crate::model::varint::Reader;

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

    /// Adds `d` to the change at `offset`, dropping it when it comes to zero. Edits the bytes
    /// in place: the entry at `offset` and the gap of the one after it.
    pub fn add(&mut self, offset: u32, d: i32) {
        if d == 0 {
            return;
        }
        // The first entry at or after `offset`: where it starts and ends, its time, its change.
        let mut r = Reader::new(&self.0);
        let (mut prev, mut found) = (0u32, None);
        while !r.done() {
            let start = r.pos;
            let (Some(gap), Some(v)) = (r.num(), r.signed()) else {
                break;
            };
            let at = prev + gap as u32;
            if at >= offset {
                found = Some((start, r.pos, at, v as i32));
                break;
            }
            prev = at;
        }
        let mut buf = Entry::default();
        match found {
            None => {
                buf.put(offset - prev, d);
                self.0.extend_from_slice(buf.bytes());
            }
            Some((start, end, at, v)) if at == offset => {
                if v + d != 0 {
                    buf.put(at - prev, v + d);
                    self.0.splice(start..end, buf.bytes().iter().copied());
                    return;
                }
                // Dropped: the next entry's gap now runs from `prev`.
                let mut r = Reader::new(&self.0[end..]);
                match (r.num(), r.signed()) {
                    (Some(gap), Some(next)) => {
                        buf.put(at - prev + gap as u32, next as i32);
                        let after = end + r.pos;
                        self.0.splice(start..after, buf.bytes().iter().copied());
                    }
                    _ => {
                        self.0.truncate(start);
                    }
                }
            }
            Some((start, end, at, v)) => {
                buf.put(offset - prev, d);
                buf.put(at - offset, v);
                self.0.splice(start..end, buf.bytes().iter().copied());
            }
        }
    }
}

/// Up to two entries encoded on the stack (each at most 5 + 5 bytes).
#[derive(Default)]
struct Entry {
    bytes: [u8; 20],
    len: usize,
}

impl Entry {
    fn put(&mut self, gap: u32, d: i32) {
        let mut push = |mut v: u64| {
            while v >= 0x80 {
                self.bytes[self.len] = (v as u8) | 0x80;
                self.len += 1;
                v >>= 7;
            }
            self.bytes[self.len] = v as u8;
            self.len += 1;
        };
        push(u64::from(gap));
        let d = i64::from(d);
        push(((d << 1) ^ (d >> 63)) as u64);
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
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
            // Few distinct times, so changes meet (and cancel) often; a few far apart, so gaps
            // take several bytes.
            adds in proptest::collection::vec(
                (prop_oneof![(0u32..12).prop_map(|x| x * 75_000), 0u32..900_000], -3i32..4),
                0..60,
            ),
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
