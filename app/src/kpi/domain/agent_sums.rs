//! One agent's sums over some time, and what one conversation adds to its agents' sums: its
//! offers by offer time, its closes by close time, the capacity it takes and its active spans
//! ([`crate::kpi::store::agg`] keeps them per quarter and minute).

use std::ops::{AddAssign, SubAssign};

use super::facts::{Facts, OfferOutcome, Status};

/// One agent's sums over some time. Fields as in the agents table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentSums {
    /// Offers made (by offer time).
    pub offers: i64,
    /// … accepted.
    pub offers_accepted: i64,
    /// … rejected `declined`.
    pub offers_declined: i64,
    /// … rejected `timed_out`.
    pub offers_timed_out: i64,
    /// Sum of offer-to-accept times (ms).
    pub acceptance_ms: i64,
    /// Conversations the agent accepted that closed (by close time).
    pub closed: i64,
    /// Their sum of the agent's own handle time (ms).
    pub handle_ms: i64,
    /// Time covered by a finished active span while logged in (ms).
    pub covered_ms: i64,
}

impl AddAssign<&AgentSums> for AgentSums {
    fn add_assign(&mut self, o: &AgentSums) {
        self.offers += o.offers;
        self.offers_accepted += o.offers_accepted;
        self.offers_declined += o.offers_declined;
        self.offers_timed_out += o.offers_timed_out;
        self.acceptance_ms += o.acceptance_ms;
        self.closed += o.closed;
        self.handle_ms += o.handle_ms;
        self.covered_ms += o.covered_ms;
    }
}

impl SubAssign<&AgentSums> for AgentSums {
    fn sub_assign(&mut self, o: &AgentSums) {
        self.offers -= o.offers;
        self.offers_accepted -= o.offers_accepted;
        self.offers_declined -= o.offers_declined;
        self.offers_timed_out -= o.offers_timed_out;
        self.acceptance_ms -= o.acceptance_ms;
        self.closed -= o.closed;
        self.handle_ms -= o.handle_ms;
        self.covered_ms -= o.covered_ms;
    }
}

/// Feeds `sink(agent, at, sums)` every point contribution of a conversation: one per offer (at
/// offer time) and, once closed, one per agent that accepted it (at close time).
pub fn for_each_keyed<'f>(f: &'f Facts, mut sink: impl FnMut(&'f str, i64, AgentSums)) {
    for o in &f.offers {
        let mut s = AgentSums {
            offers: 1,
            ..AgentSums::default()
        };
        match o.outcome {
            Some((OfferOutcome::Accepted, at)) => {
                s.offers_accepted = 1;
                s.acceptance_ms = at - o.at;
            }
            Some((OfferOutcome::Declined, _)) => s.offers_declined = 1,
            Some((OfferOutcome::TimedOut, _)) => s.offers_timed_out = 1,
            None => {}
        }
        sink(&o.agent, o.at, s);
    }
    let Some((closed, _)) = f.closed else { return };
    for p in &f.parts {
        let accepted = f
            .offers
            .iter()
            .any(|o| o.agent == p.agent && matches!(o.outcome, Some((OfferOutcome::Accepted, _))));
        if accepted {
            let s = AgentSums {
                closed: 1,
                handle_ms: p.handle_ms,
                ..AgentSums::default()
            };
            sink(&p.agent, closed, s);
        }
    }
}

/// One piece of what a conversation gives an agent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::kpi) enum Contribution<'f> {
    /// An offer or a close, at its time.
    Keyed(&'f str, i64, AgentSums),
    /// Assigned now (live): capacity units used and the status slot (active, waiting, wrap-up).
    Assigned(&'f str, i64, usize),
    /// An active span still running (live view: no end yet), from its start.
    Running(&'f str, i64),
    /// A finished, non-empty active span.
    Span(&'f str, i64, i64),
}

/// Everything a conversation gives agents' aggregates.
pub(in crate::kpi) fn contributions(f: &Facts) -> Vec<Contribution<'_>> {
    let mut out = Vec::new();
    for_each_keyed(f, |agent, at, s| {
        out.push(Contribution::Keyed(agent, at, s))
    });
    if f.status != Status::Closed
        && let Some(agent) = &f.agent
    {
        let used = match f.status {
            Status::Active | Status::WrapUp => i64::from(f.channel.cost()),
            _ => 0,
        };
        let slot = match f.status {
            Status::Active => 0,
            Status::Waiting => 1,
            _ => 2,
        };
        out.push(Contribution::Assigned(agent, used, slot));
    }
    for p in &f.parts {
        for &(a, b) in &p.active {
            if b == i64::MAX {
                if f.status != Status::Closed {
                    out.push(Contribution::Running(&p.agent, a));
                }
            } else if b > a {
                out.push(Contribution::Span(&p.agent, a, b));
            }
        }
    }
    out
}
