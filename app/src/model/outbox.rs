//! What the admin's webhook page shows of the outbox: each action with how its delivery
//! stands, and which rows to list.

use serde::{Deserialize, Serialize};

/// Which outbox rows to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxFilter {
    /// Every row.
    #[default]
    All,
    /// Not delivered yet and not given up on (waiting or failing).
    Pending,
    /// Given up on.
    Failed,
}

impl OutboxFilter {
    /// Every filter, in the order the page offers them.
    pub const ALL: [OutboxFilter; 3] = [
        OutboxFilter::All,
        OutboxFilter::Pending,
        OutboxFilter::Failed,
    ];

    /// Its name in the page's query (`?show=pending`).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxFilter::All => "all",
            OutboxFilter::Pending => "pending",
            OutboxFilter::Failed => "failed",
        }
    }

    /// The filter named `s`; anything else is all rows.
    pub fn parse(s: &str) -> OutboxFilter {
        OutboxFilter::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .unwrap_or_default()
    }
}

/// How a row's delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxState {
    /// Waiting for its first try (or for a webhook to be set).
    Pending,
    /// Tried without success; tried again later.
    Failing,
    /// Accepted by the receiver.
    Delivered,
    /// Given up on after a day of failures.
    Failed,
}

/// One outbox row as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRow {
    /// The delivery's id (`X-Intraday-Delivery`).
    pub id: i64,
    /// What was done.
    pub action: String,
    /// To which conversation.
    pub conversation_id: String,
    /// By whom.
    pub actor: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Tries that did not succeed.
    pub attempts: u32,
    /// How its delivery stands.
    pub state: OutboxState,
    /// When it was delivered (RFC 3339, UTC).
    pub delivered_at: Option<String>,
    /// When it is tried next (RFC 3339, UTC), while pending or failing.
    pub next_attempt: Option<String>,
    /// The last try's HTTP status, if the receiver answered.
    pub last_status: Option<u16>,
    /// What went wrong the last time.
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_their_names() {
        for f in OutboxFilter::ALL {
            assert_eq!(OutboxFilter::parse(f.as_str()), f);
        }
        assert_eq!(OutboxFilter::parse("nonsense"), OutboxFilter::All);
    }
}
