//! What the server says about itself on the start page.

use serde::{Deserialize, Serialize};

/// A summary of the running server, shown before any dashboard has data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    /// The product version (the server crate's version).
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Events stored in the event log.
    pub events_stored: u64,
}
