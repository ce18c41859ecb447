//! Types shared by the server and the browser.

pub mod admin;
pub mod connector;
pub mod conversation;
pub mod desk;
pub mod event;
pub mod ledger;
pub(crate) mod ledger_seal;
pub mod names;
pub mod outbox;
pub mod panel;
pub mod problem;
pub(crate) mod seals;
pub mod snapshot;
pub mod status;
pub(crate) mod varint;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
