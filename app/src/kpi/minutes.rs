//! The agents' offer and close sums per minute, kept narrow.
//!
//! A busy day has most agents in most minutes: hundreds of thousands of (minute, agent) sums.
//! Kept as [`AgentSums`] in a hash map per minute, each took ~100 bytes with the map's slack;
//! here each is 24 bytes in a vector sorted by agent, with 16-bit counts and 32-bit times.
//! A sum that does not fit (over 65,535 offers of one agent in one minute, over ~24 days of
//! handle time, or a negative count) moves to a wide map beside, so every sum stays exact.

use std::collections::BTreeMap;

use super::agg::AgentSums;
use super::fast::FastMap;

/// One agent's sums in one minute, narrow. `covered_ms` is not kept per minute (always 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Narrow {
    agent: u32,
    /// Offers, accepted, declined, timed out, closed.
    counts: [u16; 5],
    acceptance_ms: i32,
    handle_ms: i32,
}

impl Narrow {
    fn wide(&self) -> AgentSums {
        let c = self.counts.map(i64::from);
        AgentSums {
            offers: c[0],
            offers_accepted: c[1],
            offers_declined: c[2],
            offers_timed_out: c[3],
            closed: c[4],
            acceptance_ms: self.acceptance_ms.into(),
            handle_ms: self.handle_ms.into(),
            covered_ms: 0,
        }
    }

    /// `s` narrow, if it fits.
    fn of(agent: u32, s: &AgentSums) -> Option<Narrow> {
        let count = |n: i64| u16::try_from(n).ok();
        Some(Narrow {
            agent,
            counts: [
                count(s.offers)?,
                count(s.offers_accepted)?,
                count(s.offers_declined)?,
                count(s.offers_timed_out)?,
                count(s.closed)?,
            ],
            acceptance_ms: s.acceptance_ms.try_into().ok()?,
            handle_ms: s.handle_ms.try_into().ok()?,
        })
        .filter(|_| s.covered_ms == 0)
    }
}

/// Offer and close sums per minute (its start, ms) and agent number.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct MinuteSums {
    /// By minute: the agents' narrow sums, sorted by agent, none zero.
    narrow: BTreeMap<i64, Vec<Narrow>>,
    /// The sums too wide to be narrow, by minute and agent (such an agent has no narrow entry
    /// in that minute), none zero.
    wide: BTreeMap<(i64, u32), AgentSums>,
}

impl MinuteSums {
    /// Adds `s` (`sign` > 0) or takes it out (`sign` < 0) of `agent`'s sums in `minute`.
    pub fn add(&mut self, minute: i64, agent: u32, s: &AgentSums, sign: i32) {
        let apply = |sums: &mut AgentSums| {
            if sign > 0 {
                *sums += s;
            } else {
                *sums -= s;
            }
        };
        if let Some(sums) = self.wide.get_mut(&(minute, agent)) {
            apply(sums);
            let sums = *sums;
            self.wide.remove(&(minute, agent));
            self.put(minute, agent, sums);
            return;
        }
        let list = self.narrow.entry(minute).or_default();
        let (mut sums, at) = match list.binary_search_by_key(&agent, |n| n.agent) {
            Ok(i) => (list[i].wide(), Ok(i)),
            Err(i) => (AgentSums::default(), Err(i)),
        };
        apply(&mut sums);
        let narrow = Narrow::of(agent, &sums).filter(|_| sums != AgentSums::default());
        match (at, narrow) {
            (Ok(i), Some(n)) => list[i] = n,
            (Err(i), Some(n)) => list.insert(i, n),
            (Ok(i), None) => {
                list.remove(i);
            }
            (Err(_), None) => {}
        }
        if list.is_empty() {
            self.narrow.remove(&minute);
        }
        if narrow.is_none() && sums != AgentSums::default() {
            self.wide.insert((minute, agent), sums);
        }
    }

    /// Stores `sums` for an agent that has no entry in `minute`.
    fn put(&mut self, minute: i64, agent: u32, sums: AgentSums) {
        if sums == AgentSums::default() {
            return;
        }
        match Narrow::of(agent, &sums) {
            Some(n) => {
                let list = self.narrow.entry(minute).or_default();
                let at = list.partition_point(|x| x.agent < agent);
                list.insert(at, n);
            }
            None => {
                self.wide.insert((minute, agent), sums);
            }
        }
    }

    /// Adds the sums of the minutes in `[a, b)` to `out`, by agent number.
    pub fn add_range(&self, a: i64, b: i64, out: &mut FastMap<u32, AgentSums>) {
        if a >= b {
            return;
        }
        for list in self.narrow.range(a..b).map(|(_, l)| l) {
            for n in list {
                *out.entry(n.agent).or_default() += &n.wide();
            }
        }
        for ((_, agent), s) in self.wide.range((a, 0)..(b, 0)) {
            *out.entry(*agent).or_default() += s;
        }
    }

    /// Drops every minute before `floor`.
    pub fn prune(&mut self, floor: i64) {
        self.narrow = self.narrow.split_off(&floor);
        self.wide = self.wide.split_off(&(floor, 0));
    }

    /// (minute, agent) sums kept, narrow and wide.
    pub fn len(&self) -> (usize, usize) {
        (self.narrow.values().map(Vec::len).sum(), self.wide.len())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_narrow_sum_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<Narrow>(), 24);
    }

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
            let mut kept = MinuteSums::default();
            let mut expect = BTreeMap::<(i64, u32), AgentSums>::new();
            for (m, agent, s) in &adds {
                kept.add(*m, *agent, s, 1);
                *expect.entry((*m, *agent)).or_default() += s;
            }
            let mut taken = std::collections::BTreeSet::new();
            for i in removes {
                let i = i.index(adds.len());
                if taken.insert(i) {
                    let (m, agent, s) = &adds[i];
                    kept.add(*m, *agent, s, -1);
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
        let mut kept = MinuteSums::default();
        let big = AgentSums {
            handle_ms: i64::from(i32::MAX),
            closed: 1,
            ..AgentSums::default()
        };
        kept.add(60_000, 7, &big, 1);
        assert_eq!(kept.len(), (1, 0));
        kept.add(60_000, 7, &big, 1);
        assert_eq!(kept.len(), (0, 1), "2^32 ms of handle time is not narrow");
        kept.add(60_000, 7, &big, -1);
        assert_eq!(kept.len(), (1, 0), "back within range, back to narrow");
        let mut out = FastMap::default();
        kept.add_range(0, 120_000, &mut out);
        assert_eq!(out.get(&7), Some(&big));
        kept.add(60_000, 7, &big, -1);
        assert_eq!(kept.len(), (0, 0));
        kept.prune(120_000);
    }
}
