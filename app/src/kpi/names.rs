//! The engine's agent and queue ids and skill sets, one copy each.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::facts::{Name, Skills};
use super::fast::{IdMap, IdSet};
use crate::model::snapshot;

/// The interned agent and queue ids, numbered in first-seen order (a step names one by its
/// number: 4 bytes instead of a 16-byte pointer), and skill sets.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(into = "Stored", from = "Stored")]
pub struct Names {
    numbers: IdMap<Name, u32>,
    names: Vec<Name>,
    skill_sets: IdSet<Skills>,
    /// What an unknown number names (none is ever handed out).
    none: Name,
}

impl Names {
    /// The shared copy of `id`.
    pub fn get(&mut self, id: &str) -> Name {
        let n = self.number(id);
        self.name(n).clone()
    }

    /// The number of `id`.
    pub fn number(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.numbers.get(id) {
            return n;
        }
        let n = self.names.len() as u32;
        let name: Name = Arc::from(id);
        self.names.push(name.clone());
        self.numbers.insert(name, n);
        n
    }

    /// The id numbered `n`.
    pub fn name(&self, n: u32) -> &Name {
        self.names.get(n as usize).unwrap_or(&self.none)
    }

    /// The shared copy of a skill set.
    pub fn skills(&mut self, skills: &[String]) -> Skills {
        if let Some(s) = self.skill_sets.get(skills) {
            return s.clone();
        }
        let s: Skills = Arc::from(skills);
        self.skill_sets.insert(s.clone());
        s
    }
}

/// What a snapshot keeps of [`Names`]: the ids in number order and the skill sets.
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
    /// Numbers as before; the copies shared with the rest of the snapshot being read.
    fn from(s: Stored) -> Names {
        let names: Vec<Name> = s.names.iter().map(|n| snapshot::str(n)).collect();
        Names {
            numbers: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as u32))
                .collect(),
            names,
            skill_sets: s
                .skill_sets
                .iter()
                .map(|s| snapshot::skill_set(s))
                .collect(),
            none: Name::default(),
        }
    }
}
