//! The pure, incremental KPI engine of KPIS.md: applied events in, exact KPIs for any window,
//! filter and instant of the last day out. No I/O; compiled for the server and the browser.
//!
//! - [`facts`]: one conversation's history and what KPIs need from it, as of any instant.
//! - [`sums`]: additive counters and one conversation's contribution to a time range.
//! - [`grid`]: contributions per minute × queue × channel.
//! - [`fast`]: a fast hash for internal keys.
//! - [`now`]: now-values (in queue, longest wait, status, sentiment) per queue × channel.
//! - [`agg`]: each agent's offers, handle time and occupancy per quarter hour.
//!   [`minutes`]: their offer and close sums per minute, narrow.
//! - [`engine`]: the state, updated one event at a time (late events re-contribute);
//!   [`reference`]: its agents' and queues' reference data.
//! - [`conv`]: one conversation: open, or sealed once closed ([`sealed`]: in a few bytes).
//!   [`slots`]: conversations by slot number, found by id.
//! - [`answer`], [`breakdown`], [`agents`]: turning it into a [`report::KpiReport`], from
//!   a [`view`] of the conversations at the report's instant and their [`now_values`];
//!   [`limits`]: the limits that raise its alerts.
//! - [`erlang`]: Erlang C predictions.

pub mod agent_sums;
pub mod agents;
pub mod agg;
pub mod answer;
pub mod breakdown;
pub mod conv;
pub mod deltas;
pub mod derived;
pub mod detail;
pub mod engine;
pub mod erlang;
pub mod facts;
pub mod fast;
pub mod grid;
pub mod limits;
pub mod minutes;
pub mod now;
pub mod now_values;
pub mod query;
pub mod reference;
pub mod report;
pub mod rows;
pub mod sealed;
pub mod slots;
pub mod sums;
pub mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use engine::Engine;
pub use limits::Limits;
pub use query::{Query, QueryError, Window};
pub use report::KpiReport;
