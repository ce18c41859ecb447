//! What interrupts a handling segment — parking (`waiting`, later `resumed`), transfers to a
//! colleague or another queue, releases — and what happens when a parked conversation returns.

use serde_json::json;

use super::Simulator;
use super::handling::Said;
use super::model::{Action, Incident, Status};
use super::roster::{AGENTS, Channel, QUEUES};

impl Simulator {
    /// The planned interruption of a segment.
    pub(super) fn interrupt(&mut self, conv: u64, generation: u32, incident: Incident, t: i64) {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        let (Status::Active, Some(a)) = (c.status, c.agent) else {
            return;
        };
        if c.generation != generation {
            return;
        }
        let (cost, planned_end) = (c.channel.cost(), c.planned_end);
        match incident {
            Incident::Park => {
                c.status = Status::Waiting;
                c.generation += 1;
                let generation = c.generation;
                let median = if c.channel == Channel::Chat {
                    150.0
                } else {
                    600.0
                };
                self.unload(a, cost);
                let at = self.emit_conversation(conv, &[], t, "conversation.waiting", json!({}));
                let away = self.lognormal_span(median, 0.7);
                self.schedule(at + away, Action::Resume { conv, generation });
                self.agent_freed(a, at);
            }
            Incident::Release => {
                let body = json!({ "agent_id": AGENTS[a].id });
                let at = self.emit_conversation(conv, &[a], t, "conversation.released", body);
                self.unload(a, cost);
                if let Some(c) = self.conversations.get_mut(&conv) {
                    c.avoid = Some((a, at + 60_000));
                }
                self.enter_queue(conv, at, true);
                self.route_conversation(conv, at);
                self.agent_freed(a, at);
            }
            Incident::Transfer => {
                if !self.transfer(conv, a, t) {
                    self.schedule(planned_end, Action::End { conv, generation });
                }
            }
        }
    }

    /// Transfers to a colleague of the same queue or to another queue serving the channel;
    /// false when there is nowhere to go.
    fn transfer(&mut self, conv: u64, from: usize, t: i64) -> bool {
        let Some(c) = self.conversations.get(&conv) else {
            return false;
        };
        let (queue, channel) = (c.queue, c.channel);
        let colleague = self.queue_agents[queue]
            .iter()
            .copied()
            .filter(|&b| b != from && self.may_take(b, c, t))
            .min_by_key(|&b| (self.agents[b].load, b));
        let queues: Vec<usize> = (0..QUEUES.len())
            .filter(|&q| q != queue && QUEUES[q].channels.iter().any(|(ch, _)| *ch == channel))
            .collect();
        let to_agent = match colleague {
            Some(b) if queues.is_empty() || self.rng.chance(0.4) => Some(b),
            _ if queues.is_empty() => return false,
            _ => None,
        };
        let cost = channel.cost();
        self.unload(from, cost);
        let from_id = AGENTS[from].id;
        if let Some(b) = to_agent {
            self.agents[b].load += cost;
            let generation = match self.conversations.get_mut(&conv) {
                Some(c) => {
                    c.status = Status::Awaiting;
                    c.agent = Some(b);
                    c.generation += 1;
                    c.generation
                }
                None => return false,
            };
            let body =
                json!({ "from_agent_id": from_id, "to_agent_id": AGENTS[b].id, "by": "agent" });
            let at = self.emit_conversation(conv, &[from, b], t, "conversation.transferred", body);
            self.schedule_answer(conv, generation, at);
            self.agent_freed(from, at);
        } else {
            let to = *self.rng.pick(&queues);
            let body =
                json!({ "from_agent_id": from_id, "to_queue_id": QUEUES[to].id, "by": "agent" });
            let at = self.emit_conversation(conv, &[from], t, "conversation.transferred", body);
            if let Some(c) = self.conversations.get_mut(&conv) {
                c.queue = to;
                c.skills[1] = QUEUES[to].topic;
                // The agent passed it on: routing should not hand it straight back.
                c.avoid = Some((from, at + 30 * 60_000));
            }
            self.enter_queue(conv, at, true);
            self.route_conversation(conv, at);
            self.agent_freed(from, at);
        }
        true
    }

    /// A parked conversation comes back — to its agent if they can take it, otherwise to the
    /// queue — or, sometimes, the customer never returns and it times out.
    pub(super) fn resume(&mut self, conv: u64, generation: u32, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        if c.status != Status::Waiting || c.generation != generation {
            return;
        }
        if self.rng.chance(0.08) {
            self.close(conv, "timed_out", t);
            return;
        }
        let agent = c.agent.filter(|&a| self.may_take(a, c, t));
        let cost = c.channel.cost();
        if let Some(a) = agent.filter(|_| self.rng.chance(0.45)) {
            self.agents[a].load += cost;
            if let Some(c) = self.conversations.get_mut(&conv) {
                c.status = Status::Active;
                c.generation += 1;
            }
            let body = json!({ "by": "agent" });
            let at = self.emit_conversation(conv, &[], t, "conversation.resumed", body);
            self.start_segment(conv, at);
        } else {
            let at = self.emit_conversation(
                conv,
                &[],
                t,
                "conversation.resumed",
                json!({ "by": "customer" }),
            );
            let at = self.customer_message(conv, Said::Back, at);
            self.enter_queue(conv, at, true);
            self.route_conversation(conv, at);
        }
    }
}
