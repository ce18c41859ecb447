//! The simulated contact center's reference data: channels, five queues and forty agents with
//! their shifts.

/// A contact channel (EVENTS.md), with its default capacity cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Web chat.
    Chat,
    /// Phone call.
    Voice,
    /// E-mail.
    Email,
    /// Asynchronous messaging (WhatsApp, Messenger, in-app).
    Messaging,
    /// Public social media.
    Social,
}

impl Channel {
    /// The name used in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Voice => "voice",
            Channel::Email => "email",
            Channel::Messaging => "messaging",
            Channel::Social => "social",
        }
    }

    /// Capacity units a conversation of this channel uses on its agent.
    pub fn cost(self) -> u32 {
        match self {
            Channel::Voice => 3,
            _ => 1,
        }
    }

    /// Whether the conversation is written (has messages) rather than spoken.
    pub fn is_text(self) -> bool {
        self != Channel::Voice
    }
}

/// One queue and the traffic it receives.
#[derive(Debug)]
pub struct QueueDef {
    /// `queue_id`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Channels it serves, with the share of its arrivals on each.
    pub channels: &'static [(Channel, f64)],
    /// Service-level threshold.
    pub service_level_seconds: u32,
    /// Share of the whole center's arrivals.
    pub share: f64,
    /// The topic skill its conversations ask for.
    pub topic: &'static str,
}

/// The queues, in a fixed order (their index is used throughout the simulation).
pub const QUEUES: &[QueueDef] = &[
    QueueDef {
        id: "sales-chat",
        name: "Sales chat",
        channels: &[(Channel::Chat, 1.0)],
        service_level_seconds: 20,
        share: 0.18,
        topic: "sales",
    },
    QueueDef {
        id: "support-chat",
        name: "Support chat",
        channels: &[(Channel::Chat, 0.75), (Channel::Messaging, 0.25)],
        service_level_seconds: 30,
        share: 0.30,
        topic: "technical",
    },
    QueueDef {
        id: "support-voice",
        name: "Support voice",
        channels: &[(Channel::Voice, 1.0)],
        service_level_seconds: 20,
        share: 0.24,
        topic: "technical",
    },
    QueueDef {
        id: "billing-email",
        name: "Billing email",
        channels: &[(Channel::Email, 1.0)],
        service_level_seconds: 3600,
        share: 0.12,
        topic: "billing",
    },
    QueueDef {
        id: "social-care",
        name: "Social care",
        channels: &[(Channel::Messaging, 0.55), (Channel::Social, 0.45)],
        service_level_seconds: 60,
        share: 0.16,
        topic: "technical",
    },
];

/// Index of a queue in [`QUEUES`].
pub fn queue_index(id: &str) -> Option<usize> {
    QUEUES.iter().position(|q| q.id == id)
}

/// Every agent's capacity in units.
pub const CAPACITY: u32 = 3;

/// Length of every shift.
pub const SHIFT_HOURS: i64 = 8;

/// One agent of the roster.
#[derive(Debug)]
pub struct AgentDef {
    /// `agent_id`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Hour of day (UTC) the shift starts: 6 early, 8 day, 12 late, 16 evening, 22 night.
    pub shift_start: u32,
    /// Queue ids.
    pub queues: &'static [&'static str],
    /// Skills.
    pub skills: &'static [&'static str],
}

const fn agent(
    id: &'static str,
    name: &'static str,
    shift_start: u32,
    queues: &'static [&'static str],
    skills: &'static [&'static str],
) -> AgentDef {
    AgentDef {
        id,
        name,
        shift_start,
        queues,
        skills,
    }
}

const S: &str = "sales-chat";
const C: &str = "support-chat";
const V: &str = "support-voice";
const B: &str = "billing-email";
const M: &str = "social-care";

const EN: &[&str] = &["english", "technical"];
const EN_PL: &[&str] = &["english", "polish", "technical"];
const SALES: &[&str] = &["english", "sales"];
const SALES_PL: &[&str] = &["english", "polish", "sales"];
const BILL: &[&str] = &["english", "billing"];
const BILL_PL: &[&str] = &["english", "polish", "billing"];
const ALL: &[&str] = &["english", "polish", "technical", "billing", "sales"];

/// Forty agents: 8 early (06–14), 12 day (08–16), 10 late (12–20), 6 evening (16–24), 4 night
/// (22–06). Voice agents mostly take only voice, since a call needs an agent's whole capacity.
pub const AGENTS: &[AgentDef] = &[
    agent("a01", "Anna Kowalska", 6, &[V], EN_PL),
    agent("a02", "James Carter", 6, &[V], EN),
    agent("a03", "Marta Nowak", 6, &[V, B], ALL),
    agent("a04", "Oliver Bennett", 6, &[V], EN),
    agent("a05", "Katarzyna Wiśniewska", 6, &[C, S], EN_PL),
    agent("a06", "Sophie Turner", 6, &[C, M], EN),
    agent("a07", "Piotr Zieliński", 6, &[S, C], SALES_PL),
    agent("a08", "Emily Hughes", 6, &[B, C], BILL),
    agent("a09", "Tomasz Wójcik", 8, &[V], EN_PL),
    agent("a10", "Hannah Price", 8, &[V], EN),
    agent("a11", "Jakub Kamiński", 8, &[V], EN_PL),
    agent("a12", "George Mitchell", 8, &[V, B], BILL),
    agent("a13", "Aleksandra Lewandowska", 8, &[V], EN_PL),
    agent("a14", "Daniel Walsh", 8, &[S, C], SALES),
    agent("a15", "Magdalena Dąbrowska", 8, &[S, C], SALES_PL),
    agent("a16", "Chloe Robinson", 8, &[C], EN),
    agent("a17", "Michał Szymański", 8, &[C, M], EN_PL),
    agent("a18", "Lucy Evans", 8, &[M, C], EN),
    agent("a19", "Paweł Woźniak", 8, &[B, C], BILL_PL),
    agent("a20", "Grace Collins", 8, &[C, S, M], ALL),
    agent("a21", "Krzysztof Kozłowski", 12, &[V], EN_PL),
    agent("a22", "Samuel Wright", 12, &[V], EN),
    agent("a23", "Agnieszka Jankowska", 12, &[V], EN_PL),
    agent("a24", "Thomas Green", 12, &[V, B], BILL),
    agent("a25", "Monika Mazur", 12, &[S, C], SALES_PL),
    agent("a26", "Jessica Hall", 12, &[C, M], EN),
    agent("a27", "Łukasz Krawczyk", 12, &[C], EN_PL),
    agent("a28", "Rebecca Morgan", 12, &[M], EN),
    agent("a29", "Joanna Piotrowska", 12, &[B, C], BILL_PL),
    agent("a30", "Ryan Cooper", 12, &[S, C], SALES),
    agent("a31", "Natalia Grabowska", 16, &[V], EN_PL),
    agent("a32", "William Baker", 16, &[V, B], BILL),
    agent("a33", "Ewa Pawłowska", 16, &[V], EN_PL),
    agent("a34", "Charlotte King", 16, &[S, C], SALES),
    agent("a35", "Marcin Michalski", 16, &[C, M], EN_PL),
    agent("a36", "Amelia Scott", 16, &[S, C, M], ALL),
    agent("a37", "Adam Król", 22, &[V, B], ALL),
    agent("a38", "Harry Adams", 22, &[V, C], EN),
    agent("a39", "Karolina Wieczorek", 22, &[S, C, M], ALL),
    agent("a40", "Jack Thompson", 22, &[M, C, B], ALL),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_queue_is_staffed_around_the_clock_and_ids_are_unique() {
        for (q, queue) in QUEUES.iter().enumerate() {
            for hour in 0..24 {
                let staffed = AGENTS.iter().any(|a| {
                    let into = (hour + 24 - a.shift_start) % 24;
                    into < SHIFT_HOURS as u32 && a.queues.contains(&queue.id)
                });
                assert!(staffed, "queue {q} ({}) unstaffed at {hour}:00", queue.id);
            }
        }
        let mut ids: Vec<&str> = AGENTS.iter().map(|a| a.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 40);
        assert!(
            AGENTS
                .iter()
                .all(|a| a.queues.iter().all(|q| queue_index(q).is_some()))
        );
        let shares: f64 = QUEUES.iter().map(|q| q.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
    }
}
