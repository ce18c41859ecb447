//! Facts of closed conversations, derived when read and kept until the events reach a new
//! minute.
//!
//! A closed conversation holds no facts (they would be most of the engine's memory). But the
//! reads of a live window derive the same few thousand again and again: those of the window's
//! partial edge minutes, which move once a minute. So a derivation is kept here (set once
//! through `&self`, without a lock), and all are dropped when the events reach a new minute
//! and by a prune; one is dropped when its conversation changes. At most [`LIMIT`] are kept;
//! reads past that derive without keeping, so a server that reads while no event arrives
//! stays bounded.
//!
//! They are kept in one table of [`LIMIT`]'s size (open addressing by conversation index),
//! not beside each conversation: a pointer in each of a day's million slots took 8 MB for the
//! few thousand kept.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use once_cell::race::OnceBox;

use super::facts::Facts;

/// Conversations keeping derived facts, at most (a few edge minutes of a busy day).
pub const LIMIT: usize = 50_000;

/// Places in the table: a power of two, so that at most [`LIMIT`] make it under 40 % full.
const PLACES: usize = 1 << 17;

/// What a place holds: a conversation's index ([`DROPPED`] once its facts changed) and its
/// facts.
#[derive(Debug)]
struct Entry {
    idx: AtomicU32,
    facts: Facts,
}

/// The index of a place whose facts were dropped: it stays taken, so the probes of others
/// that went past it still find them.
const DROPPED: u32 = u32::MAX;

/// The kept facts by conversation index.
#[derive(Debug, Default)]
pub(super) struct Kept {
    /// Allocated at the first keep (an engine that is never read keeps none).
    places: OnceBox<Box<[OnceBox<Entry>]>>,
    /// How many were claimed since the last [`Kept::clear`].
    claimed: AtomicUsize,
}

impl Clone for Kept {
    /// Nothing kept: they are derived again when read.
    fn clone(&self) -> Kept {
        Kept::default()
    }
}

/// The places to probe for `idx`, from its hashed place on (Fibonacci hashing).
fn probe(idx: usize) -> impl Iterator<Item = usize> {
    let start = (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PLACES.trailing_zeros());
    (0..PLACES).map(move |i| (start as usize + i) & (PLACES - 1))
}

impl Kept {
    /// The place holding conversation `idx`'s facts.
    fn find(&self, idx: usize) -> Option<&Entry> {
        let places = self.places.get()?;
        for p in probe(idx) {
            let entry = places[p].get()?;
            if entry.idx.load(Ordering::Relaxed) as usize == idx {
                return Some(entry);
            }
        }
        None
    }

    /// The facts kept for conversation `idx`.
    pub(super) fn get(&self, idx: usize) -> Option<&Facts> {
        self.find(idx).map(|e| &e.facts)
    }

    /// Keeps `facts` for conversation `idx` and gives them back, or gives them back unkept when
    /// [`LIMIT`] are kept. Of two reads keeping the same one at once, the first's are kept.
    pub(super) fn keep(&self, idx: usize, facts: Facts) -> Result<&Facts, Facts> {
        let idx32 = u32::try_from(idx).ok().filter(|&i| i != DROPPED);
        let Some(idx32) = idx32 else {
            return Err(facts);
        };
        if self.claimed.fetch_add(1, Ordering::Relaxed) >= LIMIT {
            return Err(facts);
        }
        let places = self
            .places
            .get_or_init(|| Box::new((0..PLACES).map(|_| OnceBox::new()).collect()));
        let mut entry = Box::new(Entry {
            idx: AtomicU32::new(idx32),
            facts,
        });
        for p in probe(idx) {
            match places[p].set(entry) {
                Ok(()) => return Ok(&places[p].get().expect("just set").facts),
                Err(back) => entry = back,
            }
            // Taken, by another or by a racing read of the same one.
            if let Some(kept) = places[p].get()
                && kept.idx.load(Ordering::Relaxed) == idx32
            {
                return Ok(&kept.facts);
            }
        }
        // Not reached: at most LIMIT of PLACES are ever claimed.
        Err(entry.facts)
    }

    /// Drops conversation `idx`'s kept facts (they are about to change); it may be kept again.
    pub(super) fn drop_one(&mut self, idx: usize) {
        if let Some(entry) = self.find(idx) {
            entry.idx.store(DROPPED, Ordering::Relaxed);
        }
    }

    /// Drops every kept facts.
    pub(super) fn clear(&mut self) {
        if *self.claimed.get_mut() > 0 {
            self.places = OnceBox::new();
            *self.claimed.get_mut() = 0;
        }
    }

    /// How many were kept (a repeat counts again) since the last [`Kept::clear`].
    pub(super) fn len(&self) -> usize {
        self.claimed.load(Ordering::Relaxed).min(LIMIT)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::kpi::facts::{Act, Creation, Names, Step};
    use crate::model::event::Channel;

    /// Facts told apart by their created time.
    fn facts(created: i64) -> Facts {
        let mut names = Names::default();
        let creation = Creation {
            queue: names.get("q1"),
            channel: Channel::Chat,
            skills: names.skills(&[]),
            customer: "Ada".into(),
        };
        let step = Step {
            at: created,
            act: Act::Created,
        };
        Facts::derive(Some(&creation), [step].into_iter(), &names, i64::MAX).expect("created")
    }

    /// Conversation 7, then three whose probes start at its place, then many others.
    fn indexes() -> Vec<usize> {
        let start = |idx: usize| probe(idx).next();
        let mut all = vec![7];
        all.extend((8..).filter(|&i| start(i) == start(7)).take(3));
        let colliding = all.clone();
        all.extend((0..2_000).filter(|i| !colliding.contains(i)));
        all.extend((0..2_000).map(|i| i * PLACES));
        all.push(u32::MAX as usize - 1);
        all
    }

    #[test]
    fn kept_facts_are_found_by_their_conversation_and_dropped_one_by_one_or_all() {
        let mut kept = Kept::default();
        assert!(kept.get(5).is_none(), "nothing kept before the first keep");
        for idx in indexes() {
            let f = kept.keep(idx, facts(idx as i64)).expect("room");
            assert_eq!(f.created, idx as i64);
        }
        for idx in indexes() {
            assert_eq!(kept.get(idx).map(|f| f.created), Some(idx as i64), "{idx}");
        }
        assert!(kept.get(2_000).is_none());
        // A second keep of the same one gives the first's facts back.
        assert_eq!(kept.keep(7, facts(-1)).map(|f| f.created), Ok(7));
        kept.drop_one(7);
        kept.drop_one(2_000 * PLACES);
        assert!(kept.get(7).is_none());
        // Those probed past the dropped places are still found (three probed past 7's).
        for idx in indexes().into_iter().filter(|&i| i != 7) {
            assert_eq!(kept.get(idx).map(|f| f.created), Some(idx as i64), "{idx}");
        }
        assert_eq!(
            kept.keep(7, facts(70)).map(|f| f.created),
            Ok(70),
            "kept again"
        );
        assert_eq!(kept.get(7).map(|f| f.created), Some(70));
        kept.clear();
        assert_eq!(kept.len(), 0);
        assert!(indexes().into_iter().all(|idx| kept.get(idx).is_none()));
        // Not a conversation's index: derived, never kept.
        assert!(kept.keep(DROPPED as usize, facts(1)).is_err());
    }

    #[test]
    fn at_most_the_limit_is_kept() {
        let kept = Kept::default();
        for idx in 0..LIMIT {
            assert!(kept.keep(idx, facts(idx as i64)).is_ok(), "{idx}");
        }
        assert_eq!(kept.len(), LIMIT);
        let unkept = kept.keep(LIMIT, facts(1)).expect_err("full");
        assert_eq!(unkept.created, 1, "the facts come back");
        assert!(kept.get(LIMIT).is_none());
        assert_eq!(
            kept.get(LIMIT - 1).map(|f| f.created),
            Some(LIMIT as i64 - 1)
        );
    }

    /// Reads on several threads keep the same conversations at once: each gets its facts,
    /// and one copy is kept.
    #[test]
    fn reads_racing_to_keep_agree() {
        let kept = Kept::default();
        let idxs = indexes();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for &idx in &idxs {
                        let f = kept.keep(idx, facts(idx as i64)).expect("room");
                        assert_eq!(f.created, idx as i64);
                    }
                });
            }
        });
        for &idx in &idxs {
            let kept_at = kept.get(idx).map(|f| f as *const Facts);
            assert_eq!(
                kept.keep(idx, facts(0)).ok().map(|f| f as *const Facts),
                kept_at
            );
        }
    }
}
