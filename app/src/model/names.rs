//! Agent and queue ids and skill sets, one shared copy each, numbered in first-seen order: a
//! sealed conversation of the ledger and a step of the KPI engine name one by its 4-byte
//! number instead of a 16-byte pointer. Nothing is ever removed: ids are few next to
//! conversations, and a number keeps its meaning as long as anything uses it.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::snapshot;

/// Ids from events, hashed with per-map seeded foldhash (SipHash took a sixth of a rebuild).
pub type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The numbered ids and skill sets.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(into = "Stored", from = "Stored")]
pub struct Names {
    numbers: Map<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    skill_numbers: Map<Arc<[String]>, u32>,
    skill_sets: Vec<Arc<[String]>>,
    /// What an unknown number names (none is ever handed out).
    none: Arc<str>,
}

impl Names {
    /// The number of `id`.
    pub fn number(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.numbers.get(id) {
            return n;
        }
        let n = self.names.len() as u32;
        let name: Arc<str> = snapshot::str(id);
        self.names.push(name.clone());
        self.numbers.insert(name, n);
        n
    }

    /// The id numbered `n`, if one is.
    pub fn try_name(&self, n: u32) -> Option<&Arc<str>> {
        self.names.get(n as usize)
    }

    /// The id numbered `n` (empty if none is).
    pub fn name(&self, n: u32) -> &Arc<str> {
        self.try_name(n).unwrap_or(&self.none)
    }

    /// The shared copy of `id`.
    pub fn get(&mut self, id: &str) -> Arc<str> {
        let n = self.number(id);
        self.name(n).clone()
    }

    /// The number of a skill set.
    pub fn skill_number(&mut self, skills: &[String]) -> u32 {
        if let Some(&n) = self.skill_numbers.get(skills) {
            return n;
        }
        let n = self.skill_sets.len() as u32;
        let set: Arc<[String]> = snapshot::skill_set(skills);
        self.skill_sets.push(set.clone());
        self.skill_numbers.insert(set, n);
        n
    }

    /// The skill set numbered `n`, if one is.
    pub fn skill_set(&self, n: u32) -> Option<&Arc<[String]>> {
        self.skill_sets.get(n as usize)
    }

    /// The shared copy of a skill set.
    pub fn skills(&mut self, skills: &[String]) -> Arc<[String]> {
        let n = self.skill_number(skills);
        self.skill_sets[n as usize].clone()
    }
}

/// What a snapshot keeps of [`Names`]: the ids and skill sets in number order.
#[derive(Serialize, Deserialize)]
struct Stored {
    names: Vec<String>,
    skill_sets: Vec<Vec<String>>,
}

impl From<Names> for Stored {
    fn from(n: Names) -> Stored {
        Stored {
            names: n.names.iter().map(|s| s.to_string()).collect(),
            skill_sets: n.skill_sets.iter().map(|s| s.to_vec()).collect(),
        }
    }
}

impl From<Stored> for Names {
    /// Numbered as before; the copies shared with the rest of the snapshot being read
    /// ([`snapshot::sharing`]).
    fn from(s: Stored) -> Names {
        let mut names = Names::default();
        for n in &s.names {
            names.number(n);
        }
        for set in &s.skill_sets {
            names.skill_number(set);
        }
        names
    }
}
