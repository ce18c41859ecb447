//! The Ongoing tab: every conversation not yet closed, as supervisors see and act on it.
//!
//! - [`row`]: a grid row, what the stream and `GET /api/v1/conversations` send for it;
//! - [`board`]: what a row shows that the ledger does not keep (subject, transfers, sentiment,
//!   who monitors, since when its status holds, the open escalation), kept from the events;
//! - [`action`]: a supervisor's action and the events it becomes, checked against the
//!   conversation as it is when the action is taken;
//! - [`agent`]: an agent's action on their own work (the My dashboard), planned the same way;
//! - [`view`]: the browser's filtering, sorting and needs-attention ranking of the rows.

pub mod action;
pub mod agent;
pub mod board;
pub mod row;
pub mod view;

#[cfg(test)]
mod tests;

pub use action::{Action, ActionRequest, Refusal, RefusalKind};
pub use agent::{AgentAction, AgentRequest};
pub use board::{Board, Extras};
pub use row::OngoingRow;
