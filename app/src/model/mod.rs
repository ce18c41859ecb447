//! Types shared by the server and the browser.

pub mod conversation;
pub mod event;
pub mod ledger;
pub mod status;

#[cfg(test)]
mod tests;
