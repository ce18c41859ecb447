//! A conversation from arrival to close: creation, the queue and the customer's patience,
//! answers to offers, the end of handling, wrap-up and closing.

use serde_json::json;

use super::Simulator;
use super::curve;
use super::handling::Said;
use super::model::{Action, Conversation, Outcome, Status};
use super::roster::{AGENTS, Channel, QUEUES};
use super::texts;

impl Simulator {
    /// Samples the coming minute's arrivals of every queue from the intraday curve.
    pub(super) fn tick(&mut self, t: i64) {
        let when = chrono::DateTime::from_timestamp_millis(t).unwrap_or_default();
        for (queue, q) in QUEUES.iter().enumerate() {
            let lambda = curve::arrivals_per_minute(q.share, when) * self.speed();
            for _ in 0..self.rng.poisson(lambda) {
                let offset = self.rng.below(60_000) as i64;
                self.schedule(t + offset, Action::Arrive { queue });
            }
        }
        self.schedule(t + 60_000, Action::Tick);
    }

    /// A customer contacts `queue`: `conversation.created`, the first customer message on
    /// written channels, then the queue.
    pub(super) fn arrive(&mut self, queue: usize, t: i64) {
        let q = &QUEUES[queue];
        let weights: Vec<f64> = q.channels.iter().map(|(_, w)| *w).collect();
        let channel = q.channels[self.rng.weighted(&weights)].0;
        let language = if self.rng.chance(0.25) {
            "polish"
        } else {
            "english"
        };
        let mood = self.rng.weighted(&[0.07, 0.15, 0.33, 0.30, 0.15]) as i32 - 2;
        self.created += 1;
        let conv = self.created;
        self.conversations.insert(
            conv,
            Conversation {
                queue,
                channel,
                skills: [language, q.topic],
                status: Status::Open,
                agent: None,
                generation: 0,
                last_at: i64::MIN,
                open_since: t,
                patience_until: None,
                escalation_open: false,
                escalated: false,
                segments: 0,
                agent_messages: 0,
                segment_end: t,
                planned_end: t,
                mood,
                avoid: None,
            },
        );
        let first = *self.rng.pick(texts::FIRST_NAMES);
        let last = *self.rng.pick(texts::LAST_NAMES);
        let customer_id = format!("cust-{}", 100_000 + self.rng.below(900_000));
        let subjects = texts::openers(q.topic).0;
        let mut body = json!({
            "queue_id": q.id,
            "channel": channel.as_str(),
            "customer": { "id": customer_id, "name": format!("{first} {last}") },
            "skills": [language, q.topic],
        });
        let subject_odds = match channel {
            Channel::Email => 1.0,
            Channel::Social => 0.0,
            _ => 0.4,
        };
        if self.rng.chance(subject_odds) {
            body["subject"] = json!(*self.rng.pick(subjects));
        }
        let mut at = self.emit_conversation(conv, &[], t, "conversation.created", body);
        if channel.is_text() {
            at = self.customer_message(conv, Said::Opening, at);
        }
        self.enter_queue(conv, at, true);
        self.route_conversation(conv, at);
    }

    /// Puts a conversation (back) in its queue. `fresh` restarts the wait and the patience;
    /// otherwise (after a rejected offer) the customer keeps waiting as before.
    pub(super) fn enter_queue(&mut self, conv: u64, t: i64, fresh: bool) {
        let patience = self
            .conversations
            .get(&conv)
            .and_then(|c| patience_median(c.channel));
        let patience = patience.map(|(median, sigma)| self.lognormal_span(median, sigma));
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        c.status = Status::Open;
        c.agent = None;
        c.generation += 1;
        if fresh {
            c.open_since = t;
            c.patience_until = patience.map(|p| t + p);
        }
        let generation = c.generation;
        let give_up = c.patience_until;
        self.open.insert((c.open_since, conv));
        if let Some(until) = give_up {
            self.schedule(until.max(t + 1), Action::Abandon { conv, generation });
        }
    }

    /// The agent accepts, declines, or lets the offer time out.
    pub(super) fn answer(&mut self, conv: u64, generation: u32, outcome: Outcome, t: i64) {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        let (Status::Awaiting, Some(a)) = (c.status, c.agent) else {
            return;
        };
        if c.generation != generation {
            return;
        }
        if outcome == Outcome::Accept {
            c.status = Status::Active;
            c.generation += 1;
            let body = json!({ "agent_id": AGENTS[a].id });
            let at = self.emit_conversation(conv, &[a], t, "conversation.accepted", body);
            self.start_segment(conv, at);
            return;
        }
        let cost = c.channel.cost();
        let reason = if outcome == Outcome::Decline {
            "declined"
        } else {
            "timed_out"
        };
        let body = json!({ "agent_id": AGENTS[a].id, "reason": reason });
        let at = self.emit_conversation(conv, &[a], t, "conversation.rejected", body);
        self.unload(a, cost);
        if let Some(c) = self.conversations.get_mut(&conv) {
            c.avoid = Some((a, at + 60_000));
        }
        self.enter_queue(conv, at, false);
        self.route_conversation(conv, at);
        self.agent_freed(a, at);
    }

    /// The customer hangs up or leaves while still in the queue.
    pub(super) fn abandon(&mut self, conv: u64, generation: u32, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        if c.status == Status::Open && c.generation == generation {
            self.close(conv, "abandoned", t);
        }
    }

    /// The agent ends the session: wrap-up begins.
    pub(super) fn end(&mut self, conv: u64, generation: u32, t: i64) {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        if c.status != Status::Active || c.generation != generation {
            return;
        }
        c.status = Status::WrapUp;
        c.generation += 1;
        let generation = c.generation;
        let at = self.emit_conversation(conv, &[], t, "conversation.ended", json!({}));
        let wrap_up = self.lognormal_span(50.0, 0.5);
        self.schedule(at + wrap_up, Action::Close { conv, generation });
    }

    /// Wrap-up is done: closed as resolved.
    pub(super) fn finish_wrap_up(&mut self, conv: u64, generation: u32, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        if c.status == Status::WrapUp && c.generation == generation {
            self.close(conv, "resolved", t);
        }
    }

    /// `conversation.closed`, after clearing any open escalation; frees the agent.
    pub(super) fn close(&mut self, conv: u64, reason: &str, t: i64) {
        let t = self.resolve_escalation(conv, t);
        let at = self.emit_conversation(
            conv,
            &[],
            t,
            "conversation.closed",
            json!({ "reason": reason }),
        );
        let Some(c) = self.conversations.remove(&conv) else {
            return;
        };
        if c.status == Status::Open {
            self.open.remove(&(c.open_since, conv));
        }
        if let (true, Some(a)) = (c.status.holds_capacity(), c.agent) {
            self.unload(a, c.channel.cost());
            self.agent_freed(a, at);
        }
    }

    /// Gives back capacity units of agent `a`.
    pub(super) fn unload(&mut self, a: usize, cost: u32) {
        let load = &mut self.agents[a].load;
        *load = load.saturating_sub(cost);
    }

    /// An agent's capacity went down: apply a pending presence change or route more work.
    pub(super) fn agent_freed(&mut self, a: usize, t: i64) {
        self.settle(a, t);
        self.route_agent(a, t);
    }
}

/// Median and log-spread of how long a customer waits in the queue before giving up, seconds.
fn patience_median(channel: Channel) -> Option<(f64, f64)> {
    match channel {
        Channel::Voice => Some((150.0, 0.55)),
        Channel::Chat => Some((240.0, 0.6)),
        Channel::Messaging => Some((900.0, 0.7)),
        Channel::Social => Some((1800.0, 0.7)),
        Channel::Email => None,
    }
}
