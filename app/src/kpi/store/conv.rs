//! One conversation in the engine: its events and facts while it is not closed, its events
//! sealed once it is ([`super::sealed`]), and its facts derived from them when read.

use std::ops::Deref;

use once_cell::race::OnceBox;
use serde::{Deserialize, Serialize};

use super::derived::Kept;
use super::sealed;
use crate::kpi::domain::facts::{Creation, Facts, Names, Step};
use crate::kpi::domain::reference::DEFAULT_SL_SECONDS;
use crate::model::event::Channel;
use crate::model::ledger_seal::{CHANNELS, channel_code};

/// A conversation's queue (interned) and channel: the cell of the grid and of the now-values
/// it counts in.
pub type Cell = (u32, Channel);

/// One conversation in the engine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Conv {
    /// Its id, events and facts while it is not closed; its id and events sealed once it is.
    pub(in crate::kpi) body: Body,
    /// Its queue (interned) and channel, once created ([`Conv::cell`]), in 4 bytes: with
    /// `sl_own` beside it they fill 8 where a queue number and a channel took 16.
    cell: u32,
    pub(in crate::kpi) sl_own: u32,
    /// Its facts as last derived while closed, kept for a while ([`super::derived`]): one
    /// pointer, set once through `&self`. A table of its own for the few thousand kept would
    /// save memory, but each read would then reach one more cache line, and reports were
    /// slower with it (measured: `docs/kpi-bench-history.md`).
    #[serde(skip)]
    pub(in crate::kpi) derived: OnceBox<Facts>,
}

/// A conversation's events, and its facts while it is not closed. Most of a day's
/// conversations are closed: they keep only a seal (with their close time in it), so the slot
/// holds a pointer where an open one's events, facts and live position are.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(in crate::kpi) enum Body {
    /// Not closed (or not created yet).
    Open(Box<Open>),
    /// Closed: its id, when it closed (what pruning reads), what `created` said and the steps
    /// in a few bytes ([`sealed`]). With the close time in them, the body is 16 bytes (the
    /// open variant's pointer sits beside the seal's, whose null marks it), not 24.
    Sealed(Box<[u8]>),
}

/// A conversation not closed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(in crate::kpi) struct Open {
    /// Conversation id.
    pub(in crate::kpi) id: Box<str>,
    /// What `created` said (`None` until it arrives), boxed: at a cold start every
    /// conversation is open until `settle` seals it, and a seal mostly reuses the space of the
    /// box it frees (a similar allocation size); inline, a cold-built day kept ~18 MB more.
    pub(in crate::kpi) creation: Option<Box<Creation>>,
    /// Steps ordered by (`at`, arrival).
    pub(in crate::kpi) steps: Vec<Step>,
    /// Facts with every step applied (running intervals open). A closed conversation's are
    /// derived from its seal when read ([`crate::kpi::engine::Engine::facts`]), and held again
    /// only from [`crate::kpi::engine::Engine::hold`] to [`crate::kpi::engine::Engine::refresh`].
    pub(in crate::kpi) held: Option<Box<Facts>>,
    /// Its position in the engine's live list, while live.
    pub(in crate::kpi) live_at: Option<u32>,
}

impl Conv {
    pub(in crate::kpi) fn new(id: &str) -> Conv {
        Conv {
            body: Body::Open(Box::new(Open {
                id: id.into(),
                creation: None,
                steps: Vec::new(),
                held: None,
                live_at: None,
            })),
            cell: 0,
            sl_own: DEFAULT_SL_SECONDS,
            derived: OnceBox::new(),
        }
    }

    /// Its facts as of `upto` (ms, inclusive; `i64::MAX`: every step), from its steps.
    pub fn derive(&self, names: &Names, upto: i64) -> Option<Facts> {
        match &self.body {
            Body::Open(o) => {
                Facts::derive(o.creation.as_deref(), o.steps.iter().copied(), names, upto)
            }
            Body::Sealed(bytes) => {
                let (creation, steps) = sealed::open(bytes, names)?;
                Facts::derive(Some(&creation), steps, names, upto)
            }
        }
    }

    /// Its queue (interned) and channel, once created.
    pub fn cell(&self) -> Option<Cell> {
        let queue = (self.cell >> 3).checked_sub(1)?;
        Some((queue, *CHANNELS.get((self.cell & 7) as usize)?))
    }

    /// Sets [`Conv::cell`]: `0` for none, else the queue's number plus one, then the
    /// channel's code in the low three bits.
    pub(in crate::kpi) fn set_cell(&mut self, cell: Option<Cell>) {
        self.cell = cell.map_or(0, |(queue, channel)| {
            let packed = (u64::from(queue) + 1) << 3 | channel_code(channel);
            u32::try_from(packed).expect("fewer than 2^29 - 1 queues")
        });
    }

    /// Its id.
    pub fn id(&self) -> &str {
        match &self.body {
            Body::Open(o) => &o.id,
            // The engine wrote every seal it reads (a snapshot of another build is not read).
            Body::Sealed(bytes) => sealed::id(bytes).unwrap_or_default(),
        }
    }

    fn open(&self) -> Option<&Open> {
        match &self.body {
            Body::Open(o) => Some(o),
            Body::Sealed(_) => None,
        }
    }

    pub(in crate::kpi) fn open_mut(&mut self) -> Option<&mut Open> {
        match &mut self.body {
            Body::Open(o) => Some(o),
            Body::Sealed(_) => None,
        }
    }

    /// What `created` said, while it is not sealed.
    pub fn creation(&self) -> Option<&Creation> {
        self.open()?.creation.as_deref()
    }

    /// Its facts with every step applied, while it is not closed (see [`Open::held`]).
    pub fn held(&self) -> Option<&Facts> {
        self.open()?.held.as_deref()
    }

    /// Whether it is in the engine's live list (`Engine::set_live` keeps it).
    pub(in crate::kpi) fn is_live(&self) -> bool {
        self.open().is_some_and(|o| o.live_at.is_some())
    }

    /// Whether its events are sealed (it is closed).
    pub fn is_sealed(&self) -> bool {
        matches!(self.body, Body::Sealed(_))
    }

    /// When it closed, if it has.
    pub(in crate::kpi) fn closed_at(&self) -> Option<i64> {
        match &self.body {
            // The engine wrote every seal it reads (a snapshot of another build is not read).
            Body::Sealed(bytes) => sealed::closed_at(bytes),
            Body::Open(_) => None,
        }
    }

    /// Its events and facts, unsealed first (with the facts derived) if it is sealed.
    pub(in crate::kpi) fn unsealed(&mut self, names: &Names) -> &mut Open {
        if let Body::Sealed(bytes) = &self.body {
            let unsealed = sealed::unseal(bytes, names);
            // The engine wrote every seal it reads (a snapshot of another build is not read).
            debug_assert!(unsealed.is_some(), "a malformed seal of {}", self.id());
            let id = self.id().into();
            let (creation, steps) = unsealed.unzip();
            let steps = steps.unwrap_or_default();
            let held = Facts::derive(creation.as_ref(), steps.iter().copied(), names, i64::MAX);
            self.body = Body::Open(Box::new(Open {
                id,
                creation: creation.map(Box::new),
                steps,
                held: held.map(Box::new),
                live_at: None,
            }));
        }
        match &mut self.body {
            Body::Open(o) => o,
            Body::Sealed(_) => unreachable!("unsealed above"),
        }
    }

    /// Seals its events once it is closed (at `closed_at`).
    pub(in crate::kpi) fn seal(&mut self, closed_at: i64, names: &mut Names) {
        if let Body::Open(o) = &self.body
            && let Some(creation) = &o.creation
        {
            debug_assert!(o.live_at.is_none(), "a closed conversation is not live");
            let bytes = sealed::seal(&o.id, closed_at, creation, &o.steps, names);
            self.body = Body::Sealed(bytes);
        }
    }

    /// Its facts with every step applied: held while it is not closed, else derived (and
    /// kept, while `kept` has room).
    pub(in crate::kpi) fn facts<'c>(
        &'c self,
        idx: usize,
        names: &Names,
        kept: &Kept,
    ) -> Option<FactsRef<'c>> {
        if let Some(f) = self.held() {
            return Some(FactsRef::Held(f));
        }
        self.cell()?;
        if let Some(f) = self.derived.get() {
            return Some(FactsRef::Held(f));
        }
        let f = Box::new(self.derive(names, i64::MAX)?);
        Some(if kept.claim(idx) {
            FactsRef::Held(self.derived.get_or_init(|| f))
        } else {
            FactsRef::Derived(f)
        })
    }
}

/// A conversation's facts as read: held (or kept) in the engine, or derived for this read
/// alone. Two words: a `Cow<Facts>` holds the facts inline, and every function returning one
/// copied all of them (the reports' edge minutes read thousands a call).
#[derive(Debug)]
pub enum FactsRef<'a> {
    /// Held in place.
    Held(&'a Facts),
    /// Derived for this read.
    Derived(Box<Facts>),
}

impl FactsRef<'_> {
    /// The facts, owned.
    pub fn into_owned(self) -> Facts {
        match self {
            FactsRef::Held(f) => f.clone(),
            FactsRef::Derived(f) => *f,
        }
    }
}

impl Deref for FactsRef<'_> {
    type Target = Facts;

    fn deref(&self) -> &Facts {
        match self {
            FactsRef::Held(f) => f,
            FactsRef::Derived(f) => f,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_packed_cell_gives_back_every_queue_and_channel() {
        let mut c = Conv::new("c1");
        assert_eq!(c.cell(), None, "none until created");
        for queue in [0, 1, 41, (1 << 29) - 2] {
            for channel in CHANNELS {
                c.set_cell(Some((queue, channel)));
                assert_eq!(c.cell(), Some((queue, channel)));
            }
        }
        c.set_cell(None);
        assert_eq!(c.cell(), None);
    }
}
