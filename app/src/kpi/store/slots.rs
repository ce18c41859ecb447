//! The engine's conversations in numbered slots, found by id.
//!
//! Each id is kept once, in its conversation ([`Conv::id`]: beside an open one's events, at
//! the head of a closed one's seal); the index by id holds only slot numbers (4 bytes each,
//! where a map from a shared id to its slot took 24 and a second pointer per conversation).
//! Slots of forgotten conversations are reused by new ones.

use std::hash::BuildHasher;
use std::ops::{Index, IndexMut};

use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::conv::Conv;

/// Conversations by slot, with an index by id.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    convs: Vec<Conv>,
    /// The slot numbers of the conversations held, hashed by their id.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// Slots of forgotten conversations, reused by new ones.
    free: Vec<u32>,
}

impl Slots {
    /// The slot of conversation `id`.
    pub fn find(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        let convs = &self.convs;
        self.index
            .find(hash, |&i| convs[i as usize].id() == id)
            .map(|&i| i as usize)
    }

    /// The slot of conversation `id`, a new one (`Conv::new`) if it is not held.
    pub fn get_or_add(&mut self, id: &str) -> usize {
        if let Some(i) = self.find(id) {
            return i;
        }
        let conv = Conv::new(id);
        let i = match self.free.pop() {
            Some(i) => {
                self.convs[i as usize] = conv;
                i
            }
            None => {
                self.convs.push(conv);
                u32::try_from(self.convs.len() - 1).expect("fewer than 2^32 conversations")
            }
        };
        self.insert(i);
        i as usize
    }

    fn insert(&mut self, i: u32) {
        let (convs, hasher) = (&self.convs, &self.hasher);
        let hash = hasher.hash_one(convs[i as usize].id());
        self.index
            .insert_unique(hash, i, |&j| hasher.hash_one(convs[j as usize].id()));
    }

    /// Forgets the conversation in slot `i`: its slot is free for a new one.
    pub fn forget(&mut self, i: usize) {
        let hash = self.hasher.hash_one(self.convs[i].id());
        if let Ok(entry) = self.index.find_entry(hash, |&j| j as usize == i) {
            entry.remove();
            self.convs[i] = Conv::new("");
            self.free.push(i as u32);
        }
    }

    /// The slots held, in no particular order.
    pub fn held(&self) -> impl Iterator<Item = usize> + '_ {
        self.index.iter().map(|&i| i as usize)
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Slots, held or free (slot numbers are below it).
    pub fn slots(&self) -> usize {
        self.convs.len()
    }

    /// The conversation in slot `i` (a free slot holds an empty one).
    pub fn get(&self, i: usize) -> Option<&Conv> {
        self.convs.get(i)
    }

    /// … to change (not its id).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Conv> {
        self.convs.get_mut(i)
    }

    /// Every slot and its conversation, free ones included (empty).
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Conv)> {
        self.convs.iter().enumerate()
    }
}

impl Index<usize> for Slots {
    type Output = Conv;

    fn index(&self, i: usize) -> &Conv {
        &self.convs[i]
    }
}

/// A conversation to change in place. Its id must stay: the index is hashed by it.
impl IndexMut<usize> for Slots {
    fn index_mut(&mut self, i: usize) -> &mut Conv {
        &mut self.convs[i]
    }
}

/// A set of slot numbers, sorted in a vector: 4 bytes each, where a `BTreeSet<usize>` took
/// ~20 (an agent's conversations, a minute's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlotSet(Vec<u32>);

impl SlotSet {
    /// Adds slot `i`; false if it was in.
    pub fn insert(&mut self, i: usize) -> bool {
        let i = u32::try_from(i).expect("fewer than 2^32 conversations");
        match self.0.binary_search(&i) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, i);
                true
            }
        }
    }

    /// Takes slot `i` out; false if it was not in.
    pub fn remove(&mut self, i: usize) -> bool {
        let found = u32::try_from(i).ok().map(|i| self.0.binary_search(&i));
        match found {
            Some(Ok(at)) => {
                self.0.remove(at);
                true
            }
            _ => false,
        }
    }

    /// The slots, ascending.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a SlotSet {
    type Item = usize;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, u32>, fn(&u32) -> usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|&i| i as usize)
    }
}

/// Snapshots keep the slots and the free list; the index is rebuilt when read.
#[derive(Serialize, Deserialize)]
struct Stored<C, F> {
    convs: C,
    free: F,
}

impl Serialize for Slots {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Stored {
            convs: &self.convs,
            free: &self.free,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Slots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Slots, D::Error> {
        let Stored { convs, free } = Stored::<Vec<Conv>, Vec<u32>>::deserialize(d)?;
        let mut is_free = vec![false; convs.len()];
        for &i in &free {
            match is_free.get_mut(i as usize) {
                Some(f) => *f = true,
                None => return Err(serde::de::Error::custom("a free slot past the last")),
            }
        }
        let mut slots = Slots {
            index: HashTable::with_capacity(convs.len() - free.len().min(convs.len())),
            convs,
            hasher: Default::default(),
            free,
        };
        for i in (0..slots.convs.len()).filter(|&i| !is_free[i]) {
            slots.insert(i as u32);
        }
        Ok(slots)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_slot_set_holds_each_slot_once_in_order() {
        let mut set = SlotSet::default();
        for i in [7, 3, 9, 3, 0] {
            set.insert(i);
        }
        assert!(!set.insert(9), "already in");
        assert_eq!(set.as_slice(), &[0, 3, 7, 9]);
        assert!(set.remove(3));
        assert!(!set.remove(3), "already out");
        assert!(!set.remove(usize::MAX), "never in");
        assert_eq!((&set).into_iter().collect::<Vec<_>>(), vec![0, 7, 9]);
        let bytes = postcard::to_allocvec(&set).expect("encode");
        assert_eq!(
            postcard::from_bytes::<SlotSet>(&bytes).ok(),
            Some(set.clone())
        );
        for i in [0, 7, 9] {
            set.remove(i);
        }
        assert!(set.is_empty());
    }

    #[test]
    fn forgotten_slots_are_reused_and_survive_a_snapshot() {
        let mut s = Slots::default();
        let (a, b, c) = (s.get_or_add("a"), s.get_or_add("b"), s.get_or_add("c"));
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(s.get_or_add("b"), 1, "held: the same slot");
        s.forget(b);
        assert_eq!((s.find("b"), s.len(), s.slots()), (None, 2, 3));
        s.forget(b);
        assert_eq!(s.len(), 2, "forgetting a free slot does nothing");

        let bytes = postcard::to_allocvec(&s).unwrap();
        let mut back: Slots = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(
            (back.find("a"), back.find("b"), back.find("c")),
            (Some(0), None, Some(2))
        );
        let mut held: Vec<usize> = back.held().collect();
        held.sort_unstable();
        assert_eq!(held, [0, 2]);
        assert_eq!(
            back.get_or_add("d"),
            1,
            "the free slot is reused after a restore"
        );
        assert_eq!(back.get_or_add("e"), 3);
        assert_eq!(back[1].id(), "d");
        assert_eq!(back.len(), 4);

        let bad = postcard::to_allocvec(&Stored {
            convs: Vec::<Conv>::new(),
            free: vec![0u32],
        });
        assert!(postcard::from_bytes::<Slots>(&bad.unwrap()).is_err());
    }
}
