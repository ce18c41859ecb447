//! How the engine keeps its state in memory, so that an event updates little and a report
//! reads little (`docs/kpi-engine.md` explains the layout and its measurements); what the
//! state means is [`super::domain`].
//!
//! - [`conv`]: one conversation: open, or sealed once closed ([`sealed`]: in a few bytes),
//!   its facts [`derived`] when read and kept for a while.
//! - [`slots`]: conversations by slot number, found by id.
//! - [`grid`]: contributions per minute × queue × channel, rolled up per quarter and hour;
//!   [`minutes`]: sums per minute, most of them [`narrow`].
//! - [`agg`]: each agent's offers, handle time and occupancy per quarter hour;
//!   [`deltas`]: its quarters' span changes, packed.
//! - [`now`]: now-values (in queue, longest wait, status, sentiment) per queue × channel.
//! - [`fast`]: fast hashes for internal keys and for ids.

pub mod agg;
pub mod conv;
pub mod deltas;
pub mod derived;
pub mod fast;
pub mod grid;
pub mod minutes;
pub mod narrow;
pub mod now;
pub mod sealed;
pub mod slots;
