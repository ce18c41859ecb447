//! Sums per minute and key, kept narrow ([`super::narrow`]): the agents' offer and close sums
//! per minute and agent, and the grid's KPI sums per minute and cell.
//!
//! A busy day has most agents in most minutes: hundreds of thousands of (minute, agent) sums.
//! Kept as [`AgentSums`] in a hash map per minute, each took ~100 bytes with the map's slack;
//! here each is 24 bytes in a vector sorted by agent, with 16-bit counts and 32-bit times.
//! The grid's ~43,000 (minute, cell) sums of a day are 92 bytes each so, not 296. A sum that
//! does not fit (over 65,535 of a count in one minute, over ~24 days of summed time, or a
//! negative count) moves to a wide map beside, so every sum stays exact.

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::fast::FastMap;
use super::narrow::Narrowing;
use crate::kpi::domain::agent_sums::AgentSums;

/// Sums per minute (its start, ms) and key: narrow in a vector per minute sorted by key, none
/// zero; too wide for that by minute and key (such a key has no narrow entry in that minute).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: Serialize, S: Serialize",
    deserialize = "K: Deserialize<'de> + Ord, S: Deserialize<'de>"
))]
pub struct MinuteSums<K, S: Narrowing> {
    narrow: BTreeMap<i64, Vec<(K, S::Narrow)>>,
    /// Rare: a vector per minute, sorted by key.
    wide: BTreeMap<i64, Vec<(K, S)>>,
}

impl<K, S: Narrowing> Default for MinuteSums<K, S> {
    fn default() -> Self {
        MinuteSums {
            narrow: BTreeMap::new(),
            wide: BTreeMap::new(),
        }
    }
}

impl<K: Copy + Ord, S: Narrowing> MinuteSums<K, S> {
    /// Adds `s` to `key`'s sums in `minute`, or takes it out (`remove`).
    pub fn add(&mut self, minute: i64, key: K, s: &S, remove: bool) {
        let apply = |sums: &mut S| {
            if remove {
                *sums -= s;
            } else {
                *sums += s;
            }
        };
        if let Some(mut sums) = self.take_wide(minute, key) {
            apply(&mut sums);
            self.put(minute, key, sums);
            return;
        }
        let list = self.narrow.entry(minute).or_default();
        let (mut sums, at) = match list.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => (S::widen(&list[i].1), Ok(i)),
            Err(i) => (S::default(), Err(i)),
        };
        apply(&mut sums);
        let zero = sums == S::default();
        let narrow = if zero { None } else { sums.narrow() };
        match (at, narrow) {
            (Ok(i), Some(n)) => list[i].1 = n,
            (Err(i), Some(n)) => list.insert(i, (key, n)),
            (Ok(i), None) => {
                list.remove(i);
            }
            (Err(_), None) => {}
        }
        if list.is_empty() {
            self.narrow.remove(&minute);
        }
        if narrow.is_none() && !zero {
            self.put_wide(minute, key, sums);
        }
    }

    /// Takes `key`'s wide sums in `minute` out, if it has some.
    fn take_wide(&mut self, minute: i64, key: K) -> Option<S> {
        let list = self.wide.get_mut(&minute)?;
        let i = list.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        let (_, sums) = list.remove(i);
        if list.is_empty() {
            self.wide.remove(&minute);
        }
        Some(sums)
    }

    /// Stores wide `sums` for a key that has no entry in `minute`.
    fn put_wide(&mut self, minute: i64, key: K, sums: S) {
        let list = self.wide.entry(minute).or_default();
        let at = list.partition_point(|(k, _)| *k < key);
        list.insert(at, (key, sums));
    }

    /// Stores `sums` for a key that has no entry in `minute`.
    fn put(&mut self, minute: i64, key: K, sums: S) {
        if sums == S::default() {
            return;
        }
        match sums.narrow() {
            Some(n) => {
                let list = self.narrow.entry(minute).or_default();
                let at = list.partition_point(|(k, _)| *k < key);
                list.insert(at, (key, n));
            }
            None => self.put_wide(minute, key, sums),
        }
    }

    /// Whether `key` has sums in `minute`.
    pub fn contains(&self, minute: i64, key: K) -> bool {
        self.narrow.get(&minute).is_some_and(|l| has(l, &key))
            || self.wide.get(&minute).is_some_and(|l| has(l, &key))
    }

    /// Feeds `sink(minute, key, sums)` the sums of every key `keep` accepts in the minutes of
    /// `[a, b)`: the narrow ones in minute order, then the wide ones.
    pub fn each(
        &self,
        a: i64,
        b: i64,
        keep: impl Fn(&K) -> bool,
        mut sink: impl FnMut(i64, &K, &S),
    ) {
        each_row(&self.narrow, a, b, &keep, |m, k, n| {
            sink(m, k, &S::widen(n))
        });
        each_row(&self.wide, a, b, keep, sink);
    }

    /// Feeds `sink(a, key, sums)` once per key `keep` accepts, with its sums over the minutes
    /// of `[a, b)`: for a caller that does not tell those minutes apart, the narrow sums are
    /// added up in place rather than each widened for the sink.
    pub fn each_summed(
        &self,
        a: i64,
        b: i64,
        keep: impl Fn(&K) -> bool,
        mut sink: impl FnMut(i64, &K, &S),
    ) where
        K: std::hash::Hash,
    {
        if a >= b {
            return;
        }
        let mut by_key: FastMap<K, S> = FastMap::default();
        each_row(&self.narrow, a, b, &keep, |_, k, n| {
            by_key.entry(*k).or_default().add_narrow(n);
        });
        each_row(&self.wide, a, b, keep, |_, k, s| {
            *by_key.entry(*k).or_default() += s;
        });
        for (k, s) in &by_key {
            sink(a, k, s);
        }
    }

    /// Drops every minute before `floor`.
    pub fn prune(&mut self, floor: i64) {
        self.narrow = self.narrow.split_off(&floor);
        self.wide = self.wide.split_off(&floor);
    }

    /// (minute, key) sums kept, narrow and wide.
    pub fn len(&self) -> (usize, usize) {
        (count(&self.narrow), count(&self.wide))
    }
}

/// Feeds `sink(minute, key, sums)` the sums of every key `keep` accepts in the minutes (or
/// other buckets) of `[a, b)` of `rows`: sums kept wide, by bucket start and sorted by key.
pub fn each_row<K, S>(
    rows: &BTreeMap<i64, Vec<(K, S)>>,
    a: i64,
    b: i64,
    keep: impl Fn(&K) -> bool,
    mut sink: impl FnMut(i64, &K, &S),
) {
    if a >= b {
        return;
    }
    for (&m, list) in rows.range(a..b) {
        for (k, s) in list {
            if keep(k) {
                sink(m, k, s);
            }
        }
    }
}

fn has<K: Ord, V>(list: &[(K, V)], key: &K) -> bool {
    list.binary_search_by(|(k, _)| k.cmp(key)).is_ok()
}

fn count<V>(minutes: &BTreeMap<i64, Vec<V>>) -> usize {
    minutes.values().map(Vec::len).sum()
}

impl MinuteSums<u32, AgentSums> {
    /// Adds the sums of the minutes in `[a, b)` to `out`, by agent number.
    pub fn add_range(&self, a: i64, b: i64, out: &mut FastMap<u32, AgentSums>) {
        self.each(
            a,
            b,
            |_| true,
            |_, agent, s| *out.entry(*agent).or_default() += s,
        );
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sums() -> impl Strategy<Value = AgentSums> {
        // Mostly small, now and then beyond what a narrow sum holds.
        let n = prop_oneof![8 => 0..3i64, 1 => 60_000..70_000i64];
        let ms = prop_oneof![8 => 0..100_000i64, 1 => 2_000_000_000..3_000_000_000i64];
        (n.clone(), n.clone(), n.clone(), n, ms.clone(), ms).prop_map(|(a, b, c, d, e, f)| {
            AgentSums {
                offers: a,
                offers_accepted: b,
                offers_declined: c,
                offers_timed_out: 0,
                acceptance_ms: e,
                closed: d,
                handle_ms: f,
                covered_ms: 0,
            }
        })
    }

    proptest! {
        /// Adding and taking out contributions (each taken out only after it was added, as the
        /// engine does) reads back as a plain map of wide sums would, narrow or not.
        #[test]
        fn minute_sums_read_back_exactly(
            adds in prop::collection::vec((0..6i64, 0..5u32, sums()), 1..80),
            removes in prop::collection::vec(any::<prop::sample::Index>(), 0..60),
            range in (0..7i64, 0..7i64),
        ) {
            let mut kept = MinuteSums::<u32, AgentSums>::default();
            let mut expect = BTreeMap::<(i64, u32), AgentSums>::new();
            for (m, agent, s) in &adds {
                kept.add(*m, *agent, s, false);
                *expect.entry((*m, *agent)).or_default() += s;
            }
            let mut taken = std::collections::BTreeSet::new();
            for i in removes {
                let i = i.index(adds.len());
                if taken.insert(i) {
                    let (m, agent, s) = &adds[i];
                    kept.add(*m, *agent, s, true);
                    *expect.entry((*m, *agent)).or_default() -= s;
                }
            }
            expect.retain(|_, s| *s != AgentSums::default());
            let (narrow, wide) = kept.len();
            prop_assert_eq!(narrow + wide, expect.len());
            let (a, b) = range;
            let mut got = FastMap::default();
            kept.add_range(a, b, &mut got);
            let mut want = FastMap::<u32, AgentSums>::default();
            for ((_, agent), s) in expect.range((a, 0)..(b.max(a), 0)) {
                *want.entry(*agent).or_default() += s;
            }
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_sum_too_wide_moves_aside_and_back() {
        let mut kept = MinuteSums::<u32, AgentSums>::default();
        let big = AgentSums {
            handle_ms: i64::from(i32::MAX),
            closed: 1,
            ..AgentSums::default()
        };
        kept.add(60_000, 7, &big, false);
        assert_eq!(kept.len(), (1, 0));
        kept.add(60_000, 7, &big, false);
        assert_eq!(kept.len(), (0, 1), "2^32 ms of handle time is not narrow");
        kept.add(60_000, 7, &big, true);
        assert_eq!(kept.len(), (1, 0), "back within range, back to narrow");
        let mut out = FastMap::default();
        kept.add_range(0, 120_000, &mut out);
        assert_eq!(out.get(&7), Some(&big));
        kept.add(60_000, 7, &big, true);
        assert_eq!(kept.len(), (0, 0));
        kept.prune(120_000);
    }
}
