//! One agent's window stats walked from the conversations it was offered, as derived at the
//! question's instant (replay and filtered questions), and the drill-through's row limited to
//! a supervisor's queues.

use super::AgentRow;
use crate::kpi::domain::facts::{Facts, OfferOutcome, Status};
use crate::kpi::engine::Engine;
use crate::kpi::view::View;
use crate::model::event::Presence;

/// Total length of the union of intervals, clipped to `[lo, hi]`, intersected with `within`
/// (sorted, disjoint).
fn covered(mut spans: Vec<(i64, i64)>, within: &[(i64, i64)]) -> i64 {
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut total = 0;
    for (a, b) in merged {
        for (c, d) in within {
            total += (b.min(*d) - a.max(*c)).max(0);
        }
    }
    total
}

impl AgentRow {
    /// The window stats of agent `id` from the conversations it was offered, as derived in
    /// `view` (replay and filtered questions).
    pub(super) fn walk(
        &mut self,
        engine: &Engine,
        view: &View,
        id: &str,
        from: i64,
        t: i64,
        logged: &[(i64, i64)],
    ) {
        let facts = engine
            .agent_convs
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|idx| view.get(idx));
        self.walk_facts(facts, id, from, t, logged);
    }

    /// [`AgentRow::walk`] over the given conversations of agent `id` (the drill-through passes
    /// only those of the supervisor's queues).
    fn walk_facts<F: std::ops::Deref<Target = Facts>>(
        &mut self,
        facts: impl Iterator<Item = F>,
        id: &str,
        from: i64,
        t: i64,
        logged: &[(i64, i64)],
    ) {
        let mut spans = Vec::new();
        for f in facts {
            // Closed before the window: none of its offers, intervals or close is in it.
            if f.closed.is_some_and(|(c, _)| c < from) {
                continue;
            }
            for o in f.offers.iter().filter(|o| *o.agent == *id) {
                if from <= o.at && o.at <= t {
                    self.offers += 1;
                    match o.outcome {
                        Some((OfferOutcome::Accepted, at)) => {
                            self.offers_accepted += 1;
                            self.acceptance_ms += at - o.at;
                        }
                        Some((OfferOutcome::Declined, _)) => self.offers_rejected += 1,
                        Some((OfferOutcome::TimedOut, _)) => self.offers_timed_out += 1,
                        None => {}
                    }
                }
            }
            let Some(part) = f.parts.iter().find(|p| *p.agent == *id) else {
                continue;
            };
            spans.extend(part.active.iter().map(|&(a, b)| (a.max(from), b.min(t))));
            let accepted = f
                .offers
                .iter()
                .any(|o| *o.agent == *id && matches!(o.outcome, Some((OfferOutcome::Accepted, _))));
            if accepted && f.closed.is_some_and(|(c, _)| from <= c && c <= t) {
                self.closed += 1;
                self.handle.0 += part.handle_ms;
                self.handle.1 += 1;
            }
        }
        self.occupied.0 = covered(spans, logged);
    }

    /// Limits the row of agent `id` to a supervisor's queues: `in_scope` are the agent's
    /// conversations of those queues (as of `t`), and every count, sum and list is made of
    /// them alone, as the rest of what that supervisor sees.
    pub(in crate::kpi) fn limit_to(
        &mut self,
        scope: &[String],
        in_scope: &[(String, Facts)],
        presence: &[(i64, u64, Presence)],
        id: &str,
        from: i64,
        t: i64,
    ) {
        self.queues.retain(|q| scope.contains(q));
        let mine = || {
            in_scope
                .iter()
                .filter(|(_, f)| f.agent.as_deref() == Some(id) && f.status != Status::Closed)
        };
        let (mut counts, mut used) = ([0u64; 3], 0);
        for (_, f) in mine() {
            match f.status {
                Status::Active => counts[0] += 1,
                Status::Waiting => counts[1] += 1,
                Status::WrapUp => counts[2] += 1,
                Status::Open | Status::Closed => {}
            }
            if matches!(f.status, Status::Active | Status::WrapUp) {
                used += Engine::cost(f.channel);
            }
        }
        [self.active, self.waiting, self.wrap_up] = counts;
        self.capacity_used = used;
        self.capacity_free = self.capacity - used;
        let live: std::collections::HashSet<&str> = mine().map(|(c, _)| c.as_str()).collect();
        self.conversations
            .retain(|c| live.contains(c.conversation_id.as_str()));
        (self.offers, self.offers_accepted, self.offers_rejected) = (0, 0, 0);
        (self.offers_timed_out, self.closed, self.acceptance_ms) = (0, 0, 0);
        (self.handle, self.occupied) = ((0, 0), (0, 0));
        let logged = logged_in(presence, from, t);
        self.walk_facts(in_scope.iter().map(|(_, f)| f), id, from, t, &logged);
        self.finish(logged.iter().map(|(a, b)| b - a).sum());
    }
}

/// Logged-in (not offline) intervals within `[from, t]`, from presence changes in order.
pub(super) fn logged_in(presence: &[(i64, u64, Presence)], from: i64, t: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for (i, &(at, _, p)) in presence.iter().enumerate() {
        if at > t {
            break;
        }
        let end = presence.get(i + 1).map_or(t, |n| n.0.min(t));
        let (a, b) = (at.max(from), end);
        if p != Presence::Offline && b > a {
            out.push((a, b));
        }
    }
    out
}
