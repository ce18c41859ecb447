//! The ledger's closed conversations, by id: each id and its seal ([`super::sealed`]) in one
//! allocation (the id's length as a varint, the id, the seal), in a table of those alone.
//! A map from a boxed id to a boxed seal took two allocations and a 32-byte entry each.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::varint::{Reader, put_str};

/// Closed conversations' seals by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Seals {
    table: HashTable<Box<[u8]>>,
    hasher: foldhash::fast::RandomState,
}

/// An entry's id and seal (`None` if it is malformed: only a corrupt snapshot has one).
fn split(entry: &[u8]) -> Option<(&str, &[u8])> {
    let mut r = Reader::new(entry);
    let id = r.str()?;
    Some((id, &entry[r.pos..]))
}

fn id_of(entry: &[u8]) -> &str {
    split(entry).map_or("", |(id, _)| id)
}

impl Seals {
    /// The seal of conversation `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&[u8]> {
        let hash = self.hasher.hash_one(id);
        let entry = self.table.find(hash, |e| id_of(e) == id)?;
        split(entry).map(|(_, seal)| seal)
    }

    /// Keeps `seal` as conversation `id`'s, in place of any it had.
    pub(crate) fn insert(&mut self, id: &str, seal: &[u8]) {
        let mut entry = Vec::with_capacity(id.len() + seal.len() + 2);
        put_str(&mut entry, id);
        entry.extend_from_slice(seal);
        let hasher = &self.hasher;
        let hash = hasher.hash_one(id);
        match self
            .table
            .entry(hash, |e| id_of(e) == id, |e| hasher.hash_one(id_of(e)))
        {
            hashbrown::hash_table::Entry::Occupied(mut o) => *o.get_mut() = entry.into(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(entry.into());
            }
        }
    }

    /// Forgets conversation `id`'s seal.
    pub(crate) fn remove(&mut self, id: &str) {
        let hash = self.hasher.hash_one(id);
        if let Ok(o) = self.table.find_entry(hash, |e| id_of(e) == id) {
            o.remove();
        }
    }

    /// Keeps only the seals `keep` says yes to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) {
        self.table
            .retain(|e| split(e).is_some_and(|(_, seal)| keep(seal)));
    }

    /// The ids, in no particular order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.table.iter().map(|e| id_of(e))
    }

    /// How many are kept.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }
}

/// Serialized as the list of entries; read back, each is checked to hold an id.
impl Serialize for Seals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.table.iter())
    }
}

impl<'de> Deserialize<'de> for Seals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Seals, D::Error> {
        let entries = Vec::<Box<[u8]>>::deserialize(d)?;
        let mut seals = Seals {
            table: HashTable::with_capacity(entries.len()),
            hasher: Default::default(),
        };
        let hasher = &seals.hasher;
        for e in entries {
            let Some((id, _)) = split(&e) else {
                return Err(serde::de::Error::custom(
                    "a sealed conversation without its id",
                ));
            };
            let hash = hasher.hash_one(id);
            seals
                .table
                .insert_unique(hash, e, |e| hasher.hash_one(id_of(e)));
        }
        Ok(seals)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn seals_are_found_by_id_replaced_and_read_back() {
        let mut s = Seals::default();
        s.insert("c-1", &[1, 2, 3]);
        s.insert("c-2", &[]);
        s.insert("", &[9]);
        assert_eq!(s.get("c-1"), Some(&[1u8, 2, 3][..]));
        assert_eq!(s.get("c-2"), Some(&[][..]));
        assert_eq!(s.get(""), Some(&[9u8][..]));
        assert_eq!(s.get("c-3"), None);
        s.insert("c-1", &[4]);
        assert_eq!(
            (s.get("c-1"), s.len()),
            (Some(&[4u8][..]), 3),
            "replaced, not added"
        );

        let back: Seals = postcard::from_bytes(&postcard::to_allocvec(&s).unwrap()).unwrap();
        let mut ids: Vec<&str> = back.ids().collect();
        ids.sort_unstable();
        assert_eq!(ids, ["", "c-1", "c-2"]);
        assert_eq!(back.get("c-1"), Some(&[4u8][..]));

        s.remove("c-1");
        s.retain(|seal| seal != [9]);
        assert_eq!((s.get("c-1"), s.get(""), s.len()), (None, None, 1));

        // An entry whose id length runs past its end is refused.
        let bad = postcard::to_allocvec(&vec![vec![5u8, b'a']]).unwrap();
        assert!(postcard::from_bytes::<Seals>(&bad).is_err());
    }
}
