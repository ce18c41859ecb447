//! What KPIS.md means, and the answers made of it: the domain of the engine, apart from how
//! its state is kept ([`super::store`]).
//!
//! - [`facts`]: one conversation's history and what KPIs need from it, as of any instant.
//! - [`sums`]: additive counters and one conversation's contribution to a time range;
//!   [`agent_sums`]: the same for one agent.
//! - [`query`]: what a KPI question asks; [`report`]: its answer, by KPIS.md's names.
//! - [`reference`](mod@reference): agents' and queues' reference data (presence over time,
//!   service-level thresholds).
//! - [`limits`]: the limits that raise a report's alerts; [`erlang`]: Erlang C predictions.
//! - [`answer`]: [`crate::kpi::Engine::report`]: the question resolved once ([`ask`]: its
//!   instant, window, queues and a [`crate::kpi::view`] of the conversations then), its
//!   [`now_values`], the queue rows and alerts of [`breakdown`] and the agent tiles of
//!   [`agents`].
//! - [`agents`]: the agents table; [`detail`]: one agent's drill-through; [`rows`]: the rows of
//!   the ongoing-conversations grid and the agents table.

pub mod agent_sums;
pub mod agents;
pub mod answer;
pub mod ask;
pub mod breakdown;
pub mod detail;
pub mod erlang;
pub mod facts;
pub mod limits;
pub mod now_values;
pub mod query;
pub mod reference;
pub mod report;
pub mod rows;
pub mod sums;
