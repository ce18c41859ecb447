//! A person working a simulated agent in Intraday (a demo user linked to it, on the My
//! dashboard): from their first presence change on, the simulation no longer decides for that
//! agent — no shifts, breaks or answers — but still routes them work when their presence and
//! capacity allow, and leaves each conversation it gives them to them, as well as those it gave
//! the agent before the person took over.

use super::Simulator;
use super::model::{Action, Presence, Status};
use super::roster::AGENTS;

impl Simulator {
    /// A person set simulated agent `id`'s presence: the agent is theirs from now on. `false`
    /// when `id` is not an agent of the simulation.
    pub fn person_presence(&mut self, id: &str, presence: Presence) -> bool {
        let Some(a) = AGENTS.iter().position(|d| d.id == id) else {
            return false;
        };
        let t = self.clock;
        if !self.agents[a].person {
            self.hand_over_agent(a);
        }
        let agent = &mut self.agents[a];
        agent.person = true;
        agent.on_shift = true;
        agent.drain = None;
        agent.presence = presence;
        agent.epoch += 1;
        agent.last_at = agent.last_at.max(t);
        self.route_agent(a, t);
        self.courtesy_arrival(a, t);
        true
    }

    /// The demo promises a person work within a minute of getting ready: when they are ready
    /// with room and nothing waits in their queues, a customer of one of them arrives within
    /// 5–20 s (routing gives people the next conversation they can take).
    fn courtesy_arrival(&mut self, a: usize, t: i64) {
        if !self.routable(a) || self.free_capacity(a) == 0 {
            return;
        }
        let queues = self.agents[a].queues.clone();
        let waiting = self.open.iter().any(|&(_, conv)| {
            self.conversations
                .get(&conv)
                .is_some_and(|c| queues.contains(&c.queue))
        });
        if queues.is_empty() || waiting {
            return;
        }
        let queue = queues[self.rng.below(queues.len())];
        let at = t + 5_000 + self.rng.below(15_000) as i64;
        self.schedule(at, Action::Arrive { queue });
    }

    /// A person takes over agent `a` mid-shift: the conversations the simulation gave it are
    /// theirs now (offered, active, parked or in wrap-up), finished by the person rather than
    /// by what the simulation planned; their capacity stays held until the person is done.
    fn hand_over_agent(&mut self, a: usize) {
        let theirs: Vec<u64> = self
            .conversations
            .iter()
            .filter(|(_, c)| c.agent == Some(a))
            .map(|(conv, _)| *conv)
            .collect();
        for conv in theirs {
            if let Some(c) = self.conversations.remove(&conv) {
                let cost = if c.status.holds_capacity() {
                    c.channel.cost()
                } else {
                    0
                };
                let id = self.conversation_id(conv);
                // What the simulation already wrote for it but has not sent yet is dropped.
                self.pending.retain(|p| {
                    p.event
                        .get("conversation_id")
                        .and_then(serde_json::Value::as_str)
                        != Some(id.as_str())
                });
                self.with_people.insert(id, (a, cost));
            }
        }
    }

    /// Whether routing gave conversation `conv` to a person: then it leaves the model (the
    /// person answers, not the simulation) and its capacity stays held until they are done.
    pub(super) fn give_to_person(&mut self, conv: u64, a: usize) -> bool {
        if !self.agents[a].person {
            return false;
        }
        // Its events so far stay; what the simulation planned for it later finds it gone.
        if let Some(c) = self.conversations.remove(&conv) {
            debug_assert_eq!(c.status, Status::Awaiting);
            let id = self.conversation_id(conv);
            self.with_people.insert(id, (a, c.channel.cost()));
        }
        true
    }

    /// The person is done with conversation `id` (closed it, declined it or passed it on): its
    /// capacity is free for routing again. `false` when it was not one routed to a person.
    pub fn person_done(&mut self, id: &str) -> bool {
        let Some((a, cost)) = self.with_people.remove(id) else {
            return false;
        };
        self.unload(a, cost);
        let t = self.clock;
        self.route_agent(a, t);
        self.courtesy_arrival(a, t);
        true
    }
}
