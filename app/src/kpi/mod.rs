//! The pure, incremental KPI engine of KPIS.md: applied events in, exact KPIs for any window,
//! filter and instant of the last day out. No I/O; compiled for the server and the browser.
//!
//! Two folders, tied together by the two modules at the top:
//!
//! - [`domain`]: what KPIS.md means and the answers made of it — a conversation's [`facts`]
//!   as of any instant, the additive [`sums`] and [`agent_sums`] of its contributions, the
//!   [`query`] and its [`report`], [`erlang`] C, the [`limits`] that raise alerts, the
//!   [`reference`] data of agents and queues, and the answers themselves: [`answer`] (the
//!   report, to the question as [`ask`]ed), its [`now_values`], [`breakdown`] (queue rows and
//!   alerts), [`agents`], the drill-through's [`detail`] and the grids' [`rows`].
//! - [`store`]: how the state is kept in memory so that a report reads little — each
//!   conversation in a [`conv`] slot ([`slots`]), sealed once closed ([`sealed`]), its facts
//!   [`derived`] when read; the [`grid`] of sums per minute × cell with its rollups, kept
//!   narrow ([`minutes`], [`narrow`]); the per-agent aggregates ([`agg`], with their span
//!   changes in [`deltas`]); the now-values kept per cell ([`now`]); and [`fast`] hashes.
//! - [`engine`]: the state, updated one event at a time (late events re-contribute), made of
//!   the store's parts.
//! - [`view`]: the conversations as a report reads them at its instant, for the domain's
//!   answers.
//!
//! [`facts`]: domain::facts
//! [`sums`]: domain::sums
//! [`agent_sums`]: domain::agent_sums
//! [`query`]: domain::query
//! [`report`]: domain::report
//! [`erlang`]: domain::erlang
//! [`limits`]: domain::limits
//! [`reference`]: domain::reference
//! [`answer`]: domain::answer
//! [`ask`]: domain::ask
//! [`now_values`]: domain::now_values
//! [`breakdown`]: domain::breakdown
//! [`agents`]: domain::agents
//! [`detail`]: domain::detail
//! [`rows`]: domain::rows
//! [`conv`]: store::conv
//! [`slots`]: store::slots
//! [`sealed`]: store::sealed
//! [`derived`]: store::derived
//! [`grid`]: store::grid
//! [`minutes`]: store::minutes
//! [`narrow`]: store::narrow
//! [`agg`]: store::agg
//! [`deltas`]: store::deltas
//! [`now`]: store::now
//! [`fast`]: store::fast

pub mod domain;
pub mod engine;
pub mod store;
pub mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use domain::limits::Limits;
pub use domain::query::{Query, QueryError, Window};
pub use domain::report::KpiReport;
pub use engine::Engine;
