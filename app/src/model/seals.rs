//! The ledger's closed conversations, by id: each id and its seal ([`super::ledger_seal`])
//! back to back in one growing buffer (the id's length as a varint, the id, the seal's length,
//! the seal), found through a table of their offsets hashed by the id. A million closed
//! conversations are a million entries and one table of 4-byte offsets, not a million
//! allocations (each rounded up to the allocator's size class) and 16-byte pointers. An entry
//! replaced or removed leaves a gap, and the buffer is compacted once gaps are half of it.
//!
//! Entries start on a multiple of 4 bytes and the table holds their offset in 4-byte units:
//! a `u32` reaches 16 GiB of seals (~180 million closed conversations within the 48 hours a
//! late event may reach back) and takes 4 bytes where a byte offset took 8. The table's
//! buckets are a power of two, up to 7/8 full: ~2 million for a day's million, 8 MB less.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::varint::{Reader, put, put_str};

/// Closed conversations' seals by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Seals {
    /// Entries back to back, and the gaps of those replaced or removed.
    bytes: Vec<u8>,
    /// The entries' offsets in `bytes` (in [`UNIT`]s), hashed by their id.
    table: HashTable<u32>,
    /// Bytes of gaps in `bytes`.
    gaps: usize,
    hasher: foldhash::fast::RandomState,
}

/// Entries start on a multiple of this many bytes; the table holds their offset divided by it.
const UNIT: usize = 4;

/// The entry at `at` (in [`UNIT`]s): its id, its seal and its length with the padding after
/// it (what it leaves as a gap when replaced or removed). `None` only if `at` is
/// not where `append` wrote one (a bug: a snapshot's entries are appended again when read).
fn entry(bytes: &[u8], at: u32) -> Option<(&str, &[u8], usize)> {
    let at = usize::try_from(at).ok()? * UNIT;
    let mut r = Reader::new(bytes.get(at..)?);
    let id = r.str()?;
    let len = usize::try_from(r.num()?).ok()?;
    let seal = r.bytes.get(r.pos..r.pos.checked_add(len)?)?;
    Some((id, seal, (r.pos + len).next_multiple_of(UNIT)))
}

fn id_at(bytes: &[u8], at: u32) -> &str {
    entry(bytes, at).map_or("", |(id, _, _)| id)
}

/// Appends an entry for `id` and `seal` at the next multiple of [`UNIT`]; returns its offset
/// in units.
fn append(bytes: &mut Vec<u8>, id: &str, seal: &[u8]) -> u32 {
    bytes.resize(bytes.len().next_multiple_of(UNIT), 0);
    let at = u32::try_from(bytes.len() / UNIT).expect("the ledger's seals stay under 16 GiB");
    put_str(bytes, id);
    put(bytes, seal.len() as u64);
    bytes.extend_from_slice(seal);
    at
}

impl Seals {
    /// The seal of conversation `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&[u8]> {
        let hash = self.hasher.hash_one(id);
        let bytes = &self.bytes;
        let &at = self.table.find(hash, |&at| id_at(bytes, at) == id)?;
        entry(bytes, at).map(|(_, seal, _)| seal)
    }

    /// Keeps `seal` as conversation `id`'s, in place of any it had.
    pub(crate) fn insert(&mut self, id: &str, seal: &[u8]) {
        let hash = self.hasher.hash_one(id);
        let (bytes, hasher) = (&mut self.bytes, &self.hasher);
        let new = append(bytes, id, seal);
        let bytes = &*bytes;
        match self.table.entry(
            hash,
            |&at| id_at(bytes, at) == id,
            |&at| hasher.hash_one(id_at(bytes, at)),
        ) {
            hashbrown::hash_table::Entry::Occupied(mut o) => {
                self.gaps += entry(bytes, *o.get()).map_or(0, |(_, _, len)| len);
                *o.get_mut() = new;
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(new);
                return;
            }
        }
        self.compact_if_sparse();
    }

    /// Forgets conversation `id`'s seal.
    pub(crate) fn remove(&mut self, id: &str) {
        let hash = self.hasher.hash_one(id);
        let bytes = &self.bytes;
        if let Ok(o) = self.table.find_entry(hash, |&at| id_at(bytes, at) == id) {
            let (at, _) = o.remove();
            self.gaps += entry(bytes, at).map_or(0, |(_, _, len)| len);
            self.compact_if_sparse();
        }
    }

    /// Keeps only the seals `keep` says yes to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) {
        let (bytes, gaps) = (&self.bytes, &mut self.gaps);
        self.table.retain(|&mut at| match entry(bytes, at) {
            Some((_, seal, len)) => {
                keep(seal) || {
                    *gaps += len;
                    false
                }
            }
            None => false,
        });
        self.compact_if_sparse();
    }

    /// Copies the entries into a buffer of their exact size once gaps are half of it.
    fn compact_if_sparse(&mut self) {
        if self.gaps * 2 <= self.bytes.len() {
            return;
        }
        let old = std::mem::take(&mut self.bytes);
        let mut bytes = Vec::with_capacity(old.len().saturating_sub(self.gaps));
        for at in self.table.iter_mut() {
            if let Some((id, seal, _)) = entry(&old, *at) {
                *at = append(&mut bytes, id, seal);
            }
        }
        self.bytes = bytes;
        self.gaps = 0;
    }

    /// The ids, in no particular order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.table.iter().map(|&at| id_at(&self.bytes, at))
    }

    /// How many are kept.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }
}

/// Serialized as the list of entries (each an id and a seal; no gaps).
impl Serialize for Seals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Every entry was written by `append` (an exact-size iterator: postcard needs the
        // length first).
        s.collect_seq(
            self.table.iter().map(|&at| {
                entry(&self.bytes, at).map_or(("", &[][..]), |(id, seal, _)| (id, seal))
            }),
        )
    }
}

/// Read back entry by entry into the buffer (no vector of them all first), which is then cut
/// to its exact size.
impl<'de> Deserialize<'de> for Seals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Seals, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Seals;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of ids and seals")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seals, A::Error> {
                let mut seals = Seals {
                    table: HashTable::with_capacity(seq.size_hint().unwrap_or(0)),
                    ..Seals::default()
                };
                while let Some((id, seal)) = seq.next_element::<(String, Vec<u8>)>()? {
                    seals.insert(&id, &seal);
                }
                seals.bytes.shrink_to_fit();
                Ok(seals)
            }
        }
        d.deserialize_seq(Entries)
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

        // An id that is not UTF-8 is refused.
        let bad = postcard::to_allocvec(&vec![(vec![0xffu8], vec![1u8])]).unwrap();
        assert!(postcard::from_bytes::<Seals>(&bad).is_err());
    }

    /// Replaced and removed entries leave gaps until they are half the buffer; compacted, every
    /// seal kept is still found, and the buffer holds the kept entries alone.
    #[test]
    fn gaps_are_compacted_and_every_kept_seal_is_still_found() {
        let mut s = Seals::default();
        let seal = |i: u32| i.to_le_bytes().repeat(1 + i as usize % 5);
        for i in 0..1000 {
            s.insert(&format!("c{i}"), &seal(i));
        }
        let full = s.bytes.len();
        for i in (0..1000).step_by(4) {
            s.insert(&format!("c{i}"), &seal(i + 1));
        }
        for i in (1..1000).step_by(4) {
            s.remove(&format!("c{i}"));
        }
        assert!(
            s.gaps > 0 && s.bytes.len() > full,
            "gaps, not yet compacted"
        );
        s.retain(|seal| seal.len() != 4 * 3);
        assert_eq!(s.gaps, 0, "compacted once gaps were half of it");
        for i in 0..1000 {
            let want = match i % 4 {
                0 => Some(seal(i + 1)),
                1 => None,
                _ => Some(seal(i)),
            }
            .filter(|w| w.len() != 12);
            assert_eq!(s.get(&format!("c{i}")).map(<[u8]>::to_vec), want, "c{i}");
        }
        // Each entry padded to a whole unit (the last one's padding is not written).
        let kept: usize = s
            .ids()
            .map(|id| (id.len() + s.get(id).unwrap().len() + 2).next_multiple_of(UNIT))
            .sum();
        let padded = |b: &Seals| b.bytes.len().next_multiple_of(UNIT);
        assert_eq!(padded(&s), kept, "the kept entries alone");
        let back: Seals = postcard::from_bytes(&postcard::to_allocvec(&s).unwrap()).unwrap();
        assert_eq!((back.len(), padded(&back)), (s.len(), kept));
    }
}
