//! Routing: open conversations go, longest-waiting first, to available agents of their queue
//! with enough free capacity; the best skill match, then the least loaded, then the one offered
//! least recently, gets it.

use serde_json::json;

use super::Simulator;
use super::model::{Action, Conversation, Outcome, Presence, Status};
use super::roster::{AGENTS, CAPACITY};

impl Simulator {
    /// On shift, available and not about to change presence.
    pub(super) fn routable(&self, a: usize) -> bool {
        let agent = &self.agents[a];
        agent.on_shift && agent.presence == Presence::Available && agent.drain.is_none()
    }

    /// Capacity units agent `a` has left.
    pub(super) fn free_capacity(&self, a: usize) -> u32 {
        CAPACITY.saturating_sub(self.agents[a].load)
    }

    /// Whether routing may give conversation `c` to agent `a` at `t`.
    pub(super) fn may_take(&self, a: usize, c: &Conversation, t: i64) -> bool {
        let avoided = matches!(c.avoid, Some((b, until)) if b == a && t < until);
        self.routable(a) && self.free_capacity(a) >= c.channel.cost() && !avoided
    }

    /// How many of the conversation's skills the agent lacks.
    fn skill_gap(a: usize, c: &Conversation) -> usize {
        c.skills
            .iter()
            .filter(|s| !AGENTS[a].skills.contains(s))
            .count()
    }

    /// Offers an open conversation to the best agent who can take it, if any.
    pub(super) fn route_conversation(&mut self, conv: u64, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        if c.status != Status::Open {
            return;
        }
        let best = self.queue_agents[c.queue]
            .iter()
            .copied()
            .filter(|&a| self.may_take(a, c, t))
            .min_by_key(|&a| {
                (
                    // A person at the desk (the demo) gets the next conversation they can take.
                    !self.agents[a].person,
                    Self::skill_gap(a, c),
                    self.agents[a].load,
                    self.agents[a].last_offer_at,
                    a,
                )
            });
        if let Some(a) = best {
            self.offer(conv, a, t);
        }
    }

    /// Gives agent `a` the longest-waiting conversations of their queues while they have room.
    pub(super) fn route_agent(&mut self, a: usize, t: i64) {
        while self.routable(a) && self.free_capacity(a) > 0 {
            let next = self.open.iter().map(|&(_, conv)| conv).find(|conv| {
                self.conversations.get(conv).is_some_and(|c| {
                    self.agents[a].queues.contains(&c.queue) && self.may_take(a, c, t)
                })
            });
            match next {
                Some(conv) => self.offer(conv, a, t),
                None => return,
            }
        }
    }

    /// `conversation.offered` by routing to agent `a`.
    fn offer(&mut self, conv: u64, a: usize, t: i64) {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        self.open.remove(&(c.open_since, conv));
        c.status = Status::Awaiting;
        c.agent = Some(a);
        c.generation += 1;
        let generation = c.generation;
        self.agents[a].load += c.channel.cost();
        self.agents[a].last_offer_at = t;
        let body = json!({ "agent_id": AGENTS[a].id, "by": "routing" });
        let at = self.emit_conversation(conv, &[a], t, "conversation.offered", body);
        if !self.give_to_person(conv, a) {
            self.schedule_answer(conv, generation, at);
        }
    }

    /// Decides how the agent will answer an offer made at `t`, and when.
    pub(super) fn schedule_answer(&mut self, conv: u64, generation: u32, t: i64) {
        let roll = self.rng.uniform();
        let (outcome, seconds) = if roll < 0.04 {
            (Outcome::Decline, self.rng.lognormal(7.0, 0.5).min(28.0))
        } else if roll < 0.07 {
            (Outcome::Timeout, 30.0)
        } else {
            (Outcome::Accept, self.rng.lognormal(4.0, 0.5).min(28.0))
        };
        let at = t + self.span(seconds);
        self.schedule(
            at,
            Action::Answer {
                conv,
                generation,
                outcome,
            },
        );
    }
}
