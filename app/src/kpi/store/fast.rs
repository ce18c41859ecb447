//! Fast hashing for the engine. Small internal keys (interned queue indexes, cells, agent
//! numbers), read on every report, use Fx: SipHash's resistance to chosen keys buys nothing
//! there and costs most of a lookup. Ids that arrive in events (conversation, agent and queue
//! ids) use foldhash, seeded per map, which is about as fast and keeps colliding ids hard to
//! choose from outside.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): rotate, xor, multiply per word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// A `HashMap` with the [`Fx`] hash.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// A `HashSet` with the [`Fx`] hash.
pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fx>>;

/// A `HashMap` keyed by ids from outside, with per-map seeded foldhash.
pub type IdMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` of ids from outside, with per-map seeded foldhash.
pub type IdSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
