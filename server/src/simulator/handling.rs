//! Handling an accepted conversation: each segment's plan, the messages exchanged, and
//! escalations.

use serde_json::json;

use super::Simulator;
use super::model::{Action, Incident, Party, Status};
use super::roster::{Channel, QUEUES};
use super::texts;

/// What a customer message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Said {
    /// The first message, stating the problem.
    Opening,
    /// A reply during handling.
    Reply,
    /// Coming back to a parked conversation.
    Back,
}

/// Median handle time of one segment, seconds.
fn handle_median(channel: Channel) -> f64 {
    match channel {
        Channel::Chat => 330.0,
        Channel::Voice => 270.0,
        Channel::Email => 420.0,
        Channel::Messaging => 420.0,
        Channel::Social => 360.0,
    }
}

/// Median time to the agent's first message, and between later messages, seconds.
fn message_pace(channel: Channel) -> (f64, f64) {
    match channel {
        Channel::Chat => (10.0, 35.0),
        Channel::Messaging => (20.0, 60.0),
        Channel::Social => (30.0, 75.0),
        Channel::Email | Channel::Voice => (90.0, 150.0),
    }
}

/// Chance that a segment gets parked.
fn park_odds(channel: Channel) -> f64 {
    match channel {
        Channel::Chat => 0.12,
        Channel::Messaging => 0.22,
        Channel::Social => 0.15,
        Channel::Email | Channel::Voice => 0.0,
    }
}

impl Simulator {
    /// Plans one handling segment from `t` (an accept, or a resume by the agent): its length,
    /// perhaps an interruption and an escalation, and the first agent message.
    pub(super) fn start_segment(&mut self, conv: u64, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        let (channel, segments, escalated) = (c.channel, c.segments + 1, c.escalated);
        let generation = c.generation;
        let shorter = if segments > 1 { 0.6 } else { 1.0 };
        let planned_end = t + self.lognormal_span(handle_median(channel) * shorter, 0.5);
        let roll = self.rng.uniform();
        let transfer = if segments == 1 { 0.05 } else { 0.02 };
        let park = transfer + park_odds(channel);
        let incident = match roll {
            _ if segments > 3 => None,
            r if r < transfer => Some(Incident::Transfer),
            r if r < park => Some(Incident::Park),
            r if r < park + 0.015 => Some(Incident::Release),
            _ => None,
        };
        let segment_end = match incident {
            Some(_) => t + ((planned_end - t) as f64 * self.rng.range(0.3, 0.8)) as i64,
            None => planned_end,
        }
        .max(t + 1);
        if let Some(c) = self.conversations.get_mut(&conv) {
            c.segments = segments;
            c.agent_messages = 0;
            c.planned_end = planned_end;
            c.segment_end = segment_end;
        }
        match incident {
            Some(incident) => self.schedule(
                segment_end,
                Action::Interrupt {
                    conv,
                    generation,
                    incident,
                },
            ),
            None => self.schedule(planned_end, Action::End { conv, generation }),
        }
        if !escalated && self.rng.chance(0.035) {
            let at = t + ((segment_end - t) as f64 * self.rng.range(0.15, 0.7)) as i64;
            self.schedule(at.max(t + 1), Action::Escalate { conv, generation });
        }
        if channel.is_text() {
            let first = t + self.lognormal_span(message_pace(channel).0, 0.5);
            if first < segment_end - 1_000 {
                let from = Party::Agent;
                self.schedule(
                    first,
                    Action::Message {
                        conv,
                        generation,
                        from,
                    },
                );
            }
        }
    }

    /// A message during handling; schedules the next one while the segment lasts. The agent's
    /// last message of a segment that ends normally is a closing line.
    pub(super) fn message(&mut self, conv: u64, generation: u32, from: Party, t: i64) {
        let Some(c) = self.conversations.get(&conv) else {
            return;
        };
        if c.status != Status::Active || c.generation != generation {
            return;
        }
        let (channel, segment_end, planned_end) = (c.channel, c.segment_end, c.planned_end);
        let next = match (from, self.rng.chance(0.8)) {
            (Party::Agent, true) | (Party::Customer, false) => Party::Customer,
            _ => Party::Agent,
        };
        // A second message in a row follows quickly; a reply takes the channel's pace.
        let gap = if next == from {
            let seconds = 1.0 + self.rng.exponential(8.0);
            self.span(seconds)
        } else {
            self.lognormal_span(message_pace(channel).1, 0.6)
        };
        let continues = t + gap < segment_end - 1_000;
        let at = match from {
            Party::Agent => self.agent_message(conv, !continues && segment_end == planned_end, t),
            Party::Customer => self.customer_message(conv, Said::Reply, t),
        };
        if continues {
            self.schedule(
                at + gap,
                Action::Message {
                    conv,
                    generation,
                    from: next,
                },
            );
        }
    }

    /// A greeting, a closing line or something in between; the customer's mood tends to improve
    /// as the agent helps. Returns the stamp.
    fn agent_message(&mut self, conv: u64, closing: bool, t: i64) -> i64 {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return t;
        };
        let pool = match c.agent_messages {
            0 => texts::AGENT_GREETINGS,
            _ if closing => texts::AGENT_CLOSINGS,
            _ => texts::AGENT_LINES,
        };
        if c.agent_messages > 0 && self.rng.chance(0.2) {
            c.mood = (c.mood + 1).min(2);
        }
        c.agent_messages += 1;
        let text = *self.rng.pick(pool);
        let body = json!({ "from": "agent", "text": text });
        self.emit_conversation(conv, &[], t, "conversation.message", body)
    }

    /// A customer message with a sentiment around the customer's mood and a text that fits it
    /// (rarely none: only an attachment); returns its stamp.
    pub(super) fn customer_message(&mut self, conv: u64, said: Said, t: i64) -> i64 {
        let Some(c) = self.conversations.get(&conv) else {
            return t;
        };
        let (mood, topic) = (c.mood, QUEUES[c.queue].topic);
        let noise = self.rng.weighted(&[0.25, 0.5, 0.25]) as i32 - 1;
        let mut sentiment = (mood + noise).clamp(-3, 3);
        let pool = match said {
            // A first message states a problem: rarely enthusiastic.
            Said::Opening => {
                sentiment = sentiment.min(1);
                texts::openers(topic).1
            }
            Said::Reply => texts::customer_replies(sentiment),
            Said::Back => texts::CUSTOMER_RESUME_LINES,
        };
        let text = *self.rng.pick(pool);
        let body = if self.rng.chance(0.05) {
            json!({ "from": "customer", "sentiment": sentiment })
        } else {
            json!({ "from": "customer", "text": text, "sentiment": sentiment })
        };
        self.emit_conversation(conv, &[], t, "conversation.message", body)
    }

    /// The agent asks for help, or the customer for a supervisor; a supervisor clears it later.
    pub(super) fn escalate(&mut self, conv: u64, generation: u32, t: i64) {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return;
        };
        if c.status != Status::Active || c.generation != generation || c.escalation_open {
            return;
        }
        c.escalated = true;
        c.escalation_open = true;
        let by_customer = if c.mood < 0 { 0.7 } else { 0.3 };
        let kind = if self.rng.chance(by_customer) {
            "customer"
        } else {
            "agent"
        };
        let note = *self.rng.pick(texts::ESCALATION_NOTES);
        let body = json!({ "kind": kind, "note": note });
        let at = self.emit_conversation(conv, &[], t, "conversation.escalated", body);
        let resolve = self.lognormal_span(240.0, 0.6);
        self.schedule(at + resolve, Action::ResolveEscalation { conv });
    }

    /// Clears an open escalation; returns the stamp (or `t` when there was none).
    pub(super) fn resolve_escalation(&mut self, conv: u64, t: i64) -> i64 {
        let Some(c) = self.conversations.get_mut(&conv) else {
            return t;
        };
        if !c.escalation_open {
            return t;
        }
        c.escalation_open = false;
        let body = json!({ "by_user": "sup-1" });
        self.emit_conversation(conv, &[], t, "conversation.escalation_resolved", body)
    }
}
