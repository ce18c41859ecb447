//! Facts of closed conversations, derived when read and kept until the events reach a new
//! minute.
//!
//! A closed conversation holds no facts (they would be most of the engine's memory). But the
//! reads of a live window derive the same few thousand again and again: those of the window's
//! partial edge minutes, which move once a minute. So a derivation is kept in its conversation
//! (set once through `&self`), and all are dropped when the events reach a new minute, when one
//! of them changes, and by a prune. At most [`LIMIT`] are kept; reads past that derive without
//! keeping, so a server that reads while no event arrives stays bounded.

use std::sync::{Mutex, MutexGuard};

/// Conversations keeping derived facts, at most (a few edge minutes of a busy day).
pub const LIMIT: usize = 50_000;

/// Which conversations keep derived facts (their indexes; a repeat is harmless).
#[derive(Debug, Default)]
pub(in crate::kpi) struct Kept(Mutex<Vec<u32>>);

impl Clone for Kept {
    fn clone(&self) -> Kept {
        Kept(Mutex::new(self.lock().clone()))
    }
}

impl Kept {
    fn lock(&self) -> MutexGuard<'_, Vec<u32>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims a place for conversation `idx`: false when [`LIMIT`] are kept.
    pub(in crate::kpi) fn claim(&self, idx: usize) -> bool {
        let mut kept = self.lock();
        if kept.len() >= LIMIT {
            return false;
        }
        kept.push(idx as u32);
        true
    }

    /// Takes every index out.
    pub(in crate::kpi) fn take(&mut self) -> Vec<u32> {
        std::mem::take(self.0.get_mut().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many are kept.
    pub(in crate::kpi) fn len(&self) -> usize {
        self.lock().len()
    }
}
