//! The agents' desk: how the My dashboard behaves for the people who take conversations, as an
//! admin sets it — how long an offer waits for an answer (per queue), which presence a full
//! capacity sets, and whether agents are told that a supervisor listens in silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::admin::{AdminError, check_id};
use super::event::Presence;
use super::problem::Problem;

/// The settings key.
pub const DESK: &str = "agent_desk";
/// An offer's countdown when no queue sets its own (s).
pub const DEFAULT_OFFER_SECONDS: u32 = 30;
/// The shortest and longest countdown an admin may set (s).
pub const OFFER_SECONDS_RANGE: (u32, u32) = (5, 600);
/// The most queues with their own countdown.
pub const MAX_QUEUE_OFFERS: usize = 1_000;

/// The agents' desk settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskSettings {
    /// The presence an available agent goes to when their capacity fills: `busy` (still
    /// routable elsewhere) or `busy_dnd`.
    pub full_presence: Presence,
    /// Whether agents see that a supervisor monitors them silently (a supervisor who joins is
    /// always seen).
    pub tell_monitoring: bool,
    /// An offer's countdown for queues without their own (s).
    pub offer_seconds: u32,
    /// Queue id → its own countdown (s).
    pub queue_offer_seconds: BTreeMap<String, u32>,
}

impl Default for DeskSettings {
    fn default() -> Self {
        DeskSettings {
            full_presence: Presence::Busy,
            tell_monitoring: false,
            offer_seconds: DEFAULT_OFFER_SECONDS,
            queue_offer_seconds: BTreeMap::new(),
        }
    }
}

impl DeskSettings {
    /// How long an offer in `queue` waits for an answer (s).
    pub fn offer_seconds_for(&self, queue: &str) -> u32 {
        self.queue_offer_seconds
            .get(queue)
            .copied()
            .unwrap_or(self.offer_seconds)
    }
}

/// Parses a countdown field: a whole number of seconds within [`OFFER_SECONDS_RANGE`].
pub fn parse_offer_seconds(field: &str, s: &str) -> Result<u32, AdminError> {
    let (lo, hi) = OFFER_SECONDS_RANGE;
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| {
            AdminError::field(
                field,
                Problem::new("problem.whole_number_range", &[&lo, &hi]),
            )
        })
}

/// Parses the desk form: the full-capacity presence (`busy` or `busy_dnd`), the monitoring
/// notice (a checkbox: present or not) and the default countdown. The queues' own countdowns
/// are kept from `current`.
pub fn parse_desk(
    current: &DeskSettings,
    full_presence: &str,
    tell_monitoring: bool,
    offer_seconds: &str,
) -> Result<DeskSettings, AdminError> {
    let full_presence = match full_presence.trim() {
        "busy" => Presence::Busy,
        "busy_dnd" => Presence::BusyDnd,
        other => {
            return Err(AdminError::field(
                "full_presence",
                Problem::new("problem.full_presence", &[&format!("{other:?}")]),
            ));
        }
    };
    Ok(DeskSettings {
        full_presence,
        tell_monitoring,
        offer_seconds: parse_offer_seconds("offer_seconds", offer_seconds)?,
        queue_offer_seconds: current.queue_offer_seconds.clone(),
    })
}

/// Sets (`Some`) or clears (`None`, from an empty field) `queue`'s own countdown in `current`.
pub fn with_queue_offer(
    current: &DeskSettings,
    queue: &str,
    seconds: &str,
) -> Result<DeskSettings, AdminError> {
    let queue = queue.trim();
    check_id("queue_id", queue)?;
    let mut next = current.clone();
    if seconds.trim().is_empty() {
        next.queue_offer_seconds.remove(queue);
    } else {
        let s = parse_offer_seconds("seconds", seconds)?;
        if !next.queue_offer_seconds.contains_key(queue)
            && next.queue_offer_seconds.len() >= MAX_QUEUE_OFFERS
        {
            return Err(AdminError::field(
                "queue_id",
                Problem::new("problem.too_many_queue_offers", &[&MAX_QUEUE_OFFERS]),
            ));
        }
        next.queue_offer_seconds.insert(queue.to_owned(), s);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_countdown_overrides_the_default_and_clears_back_to_it() {
        let d = DeskSettings::default();
        let d = with_queue_offer(&d, "q1", "8").unwrap();
        assert_eq!(d.offer_seconds_for("q1"), 8);
        assert_eq!(d.offer_seconds_for("q2"), DEFAULT_OFFER_SECONDS);
        let d = with_queue_offer(&d, "q1", " ").unwrap();
        assert_eq!(d.offer_seconds_for("q1"), DEFAULT_OFFER_SECONDS);
    }

    #[test]
    fn bad_fields_are_named_and_nothing_changes() {
        let d = DeskSettings::default();
        assert_eq!(
            parse_desk(&d, "away", false, "30")
                .unwrap_err()
                .field
                .as_deref(),
            Some("full_presence")
        );
        for bad in ["4", "601", "x", "-1", ""] {
            assert_eq!(
                parse_desk(&d, "busy", false, bad)
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some("offer_seconds"),
                "{bad:?}"
            );
        }
        assert!(with_queue_offer(&d, "bad queue", "10").is_err());
        assert!(with_queue_offer(&d, "q1", "1000").is_err());
        let ok = parse_desk(&d, "busy_dnd", true, "45").unwrap();
        assert_eq!(ok.full_presence, Presence::BusyDnd);
        assert!(ok.tell_monitoring);
        assert_eq!(ok.offer_seconds, 45);
    }
}
