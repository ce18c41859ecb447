//! A simulated contact-center day, deterministic (xorshift, fixed seed): 5 queues, 6 channels,
//! 500 agents, N conversations created over the 24 h ending at `now`. Events are kept compact
//! ([`Raw`], 24 bytes) and turned into [`Event`]s batch by batch; [`Row`] is each conversation's
//! ground truth as one SQL row (computed here, independently of the engine).

use app::model::event::{
    AgentPresence, AgentUpserted, Channel, CloseReason, Closed, ConversationOnly, Created,
    Customer, Event, EventBody, Message, MessageFrom, Offered, OfferedBy, Presence, QueueUpserted,
    RejectReason, Rejected, Transferred, WithAgent,
};
use chrono::DateTime;

pub const QUEUES: u64 = 5;
pub const AGENTS: u64 = 500;
pub const CHANNELS: [Channel; 6] = Channel::ALL;
const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A duration in `[lo, hi)` ms.
    fn ms(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// An exponential duration with this mean (ms), at least 1 ms.
    fn exp(&mut self, mean: f64) -> i64 {
        1 + (-(1.0 - self.unit()).ln() * mean) as i64
    }
}

/// One event, compact.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    QueueUp(u8),
    AgentUp(u16),
    Presence(u16, Presence),
    Created { queue: u8, channel: u8 },
    Offered(u16),
    Accepted(u16),
    Rejected(u16, RejectReason),
    ToQueue { from: u16, queue: u8 },
    Customer(i8),
    AgentMessage,
    Ended,
    Closed(CloseReason),
}

/// An event of conversation `conv` (or of reference data), `seq`-th of its subject.
#[derive(Clone, Copy, Debug)]
pub struct Raw {
    pub at: i64,
    pub conv: u32,
    pub seq: u16,
    pub kind: Kind,
}

/// A conversation as one SQL row, as of `now`.
#[derive(Clone, Debug)]
pub struct Row {
    pub conv: u32,
    /// Latest queue (after transfers).
    pub queue: u8,
    pub channel: u8,
    pub created: i64,
    pub first_accepted: Option<i64>,
    pub closed: Option<(i64, CloseReason)>,
    /// Handle time (active in conversation + wrap-up, every agent); known once closed.
    pub handle_ms: i64,
    pub wrap_ms: Option<i64>,
    pub transferred: bool,
}

/// The simulated day: every event in time order, and one row per conversation.
pub struct Day {
    pub raws: Vec<Raw>,
    pub rows: Vec<Row>,
}

/// Customer sentiment, skewed positive: −3 2 %, −2 5 %, −1 13 %, 0 30 %, 1 30 %, 2 15 %, 3 5 %.
fn sentiment(rng: &mut Rng) -> i8 {
    let u = rng.below(100);
    [2, 7, 20, 50, 80, 95, 100]
        .iter()
        .position(|&c| u < c)
        .map_or(3, |i| i as i8 - 3)
}

fn agent_of(rng: &mut Rng, queue: u8) -> u16 {
    (u64::from(queue) + QUEUES * rng.below(AGENTS / QUEUES)) as u16
}

/// One conversation's planned events from `created` (strictly increasing times); ~5 %
/// abandoned, ~3 % cut short (still open, active or in wrap-up at the end), ~6 % transferred.
fn plan(rng: &mut Rng, created: i64, out: &mut Vec<(i64, Kind)>) {
    let queue = rng.below(QUEUES) as u8;
    let channel = rng.below(CHANNELS.len() as u64) as u8;
    let mut t = created;
    out.push((t, Kind::Created { queue, channel }));
    let fate = rng.unit();
    if rng.unit() < 0.12 {
        // A first offer that is declined or times out; back to the queue.
        t += rng.exp(8_000.0);
        let a = agent_of(rng, queue);
        out.push((t, Kind::Offered(a)));
        if rng.below(2) == 0 {
            t += 30_000;
            out.push((t, Kind::Rejected(a, RejectReason::TimedOut)));
        } else {
            t += rng.ms(1_000, 10_000);
            out.push((t, Kind::Rejected(a, RejectReason::Declined)));
        }
    }
    if fate < 0.05 {
        t += rng.exp(60_000.0);
        out.push((t, Kind::Closed(CloseReason::Abandoned)));
        return;
    }
    t += rng.exp(9_000.0);
    let mut a = agent_of(rng, queue);
    out.push((t, Kind::Offered(a)));
    t += rng.ms(500, 8_000);
    out.push((t, Kind::Accepted(a)));
    t += rng.ms(2_000, 30_000);
    out.push((t, Kind::Customer(sentiment(rng))));
    t += rng.ms(3_000, 60_000);
    out.push((t, Kind::AgentMessage));
    if rng.unit() < 0.06 {
        t += rng.ms(30_000, 300_000);
        let to = ((u64::from(queue) + 1 + rng.below(QUEUES - 1)) % QUEUES) as u8;
        out.push((t, Kind::ToQueue { from: a, queue: to }));
        t += rng.exp(15_000.0);
        a = agent_of(rng, to);
        out.push((t, Kind::Offered(a)));
        t += rng.ms(500, 8_000);
        out.push((t, Kind::Accepted(a)));
        t += rng.ms(3_000, 30_000);
        out.push((t, Kind::AgentMessage));
    }
    t += rng.ms(60_000, 900_000);
    out.push((t, Kind::Ended));
    t += rng.ms(5_000, 180_000);
    out.push((t, Kind::Closed(CloseReason::Resolved)));
    if (0.05..0.08).contains(&fate) {
        let keep = 1 + rng.below(out.len() as u64 - 1) as usize;
        out.truncate(keep);
    }
}

/// The row of a conversation from its events (KPIS.md definitions).
fn row_of(conv: u32, events: &[(i64, Kind)]) -> Row {
    let mut row = Row {
        conv,
        queue: 0,
        channel: 0,
        created: events[0].0,
        first_accepted: None,
        closed: None,
        handle_ms: 0,
        wrap_ms: None,
        transferred: false,
    };
    let (mut handling, mut ended) = (None, None);
    for &(at, kind) in events {
        match kind {
            Kind::Created { queue, channel } => (row.queue, row.channel) = (queue, channel),
            Kind::Accepted(_) => {
                row.first_accepted.get_or_insert(at);
                handling = Some(at);
            }
            Kind::ToQueue { queue, .. } => {
                row.handle_ms += handling.take().map_or(0, |h| at - h);
                row.queue = queue;
                row.transferred = true;
            }
            Kind::Ended => ended = Some(at),
            Kind::Closed(reason) => {
                row.handle_ms += handling.take().map_or(0, |h| at - h);
                row.wrap_ms = ended.map(|e| at - e);
                row.closed = Some((at, reason));
            }
            _ => {}
        }
    }
    row
}

/// Queues, agents and presence changes over the day.
fn reference(rng: &mut Rng, start: i64, now: i64, raws: &mut Vec<Raw>) {
    let setup = start - 10 * 60_000;
    for q in 0..QUEUES {
        raws.push(Raw {
            at: setup,
            conv: u32::MAX,
            seq: q as u16,
            kind: Kind::QueueUp(q as u8),
        });
    }
    let cycle = [
        Presence::Available,
        Presence::Busy,
        Presence::Away,
        Presence::Available,
        Presence::BusyDnd,
    ];
    for a in 0..AGENTS as u16 {
        raws.push(Raw {
            at: setup,
            conv: u32::MAX,
            seq: a,
            kind: Kind::AgentUp(a),
        });
        let mut t = start - 5 * 60_000 + rng.ms(0, HOUR);
        let mut seq = 0;
        while t < now {
            let p = if seq > 0 && rng.below(10) == 0 {
                Presence::Offline
            } else {
                cycle[rng.below(cycle.len() as u64) as usize]
            };
            raws.push(Raw {
                at: t,
                conv: u32::MAX - 1,
                seq: a,
                kind: Kind::Presence(a, p),
            });
            seq += 1;
            t += rng.ms(20 * 60_000, 2 * HOUR);
        }
    }
}

/// The day ending at `now` (ms) with `n` conversations, events sorted by time.
pub fn generate(n: usize, now: i64) -> Day {
    let start = now - DAY;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut raws = Vec::with_capacity(n * 9 + 10_000);
    let mut rows = Vec::with_capacity(n);
    reference(&mut rng, start, now, &mut raws);
    let mut plan_buf = Vec::with_capacity(16);
    for conv in 0..n as u32 {
        plan_buf.clear();
        let created = start + 1 + rng.below(DAY as u64 - 1) as i64;
        plan(&mut rng, created, &mut plan_buf);
        // Nothing after now: a conversation still running at the end stays open.
        let kept = plan_buf.iter().take_while(|(at, _)| *at <= now).count();
        let events = &plan_buf[..kept];
        rows.push(row_of(conv, events));
        raws.extend(events.iter().enumerate().map(|(seq, &(at, kind))| Raw {
            at,
            conv,
            seq: seq as u16,
            kind,
        }));
    }
    raws.sort_unstable_by_key(|r| (r.at, r.conv, r.seq));
    Day { raws, rows }
}

pub fn queue_id(q: u8) -> String {
    format!("q{q}")
}

fn agent_id(a: u16) -> String {
    format!("a{a}")
}

/// The typed event of a compact one.
pub fn event(r: &Raw) -> Event {
    let c = || format!("c{}", r.conv);
    let body = match r.kind {
        Kind::QueueUp(q) => EventBody::QueueUpserted(QueueUpserted {
            queue_id: queue_id(q),
            name: format!("Queue {q}"),
            channels: CHANNELS.to_vec(),
            service_level_seconds: 20,
        }),
        Kind::AgentUp(a) => EventBody::AgentUpserted(AgentUpserted {
            agent_id: agent_id(a),
            name: format!("Agent {a}"),
            queues: vec![
                queue_id((u64::from(a) % QUEUES) as u8),
                queue_id(((u64::from(a) + 1) % QUEUES) as u8),
            ],
            skills: Vec::new(),
            capacity: 3,
        }),
        Kind::Presence(a, presence) => EventBody::AgentPresence(AgentPresence {
            agent_id: agent_id(a),
            presence,
        }),
        Kind::Created { queue, channel } => EventBody::ConversationCreated(Created {
            conversation_id: c(),
            queue_id: queue_id(queue),
            channel: CHANNELS[channel as usize],
            customer: Customer {
                id: format!("k{}", r.conv),
                name: "Customer".into(),
            },
            subject: None,
            skills: Vec::new(),
        }),
        Kind::Offered(a) => EventBody::ConversationOffered(Offered {
            conversation_id: c(),
            agent_id: agent_id(a),
            by: OfferedBy::Routing,
        }),
        Kind::Accepted(a) => EventBody::ConversationAccepted(WithAgent {
            conversation_id: c(),
            agent_id: agent_id(a),
        }),
        Kind::Rejected(a, reason) => EventBody::ConversationRejected(Rejected {
            conversation_id: c(),
            agent_id: agent_id(a),
            reason,
        }),
        Kind::ToQueue { from, queue } => EventBody::ConversationTransferred(Transferred {
            conversation_id: c(),
            from_agent_id: agent_id(from),
            to_agent_id: None,
            to_queue_id: Some(queue_id(queue)),
            by: OfferedBy::Agent,
        }),
        Kind::Customer(s) => EventBody::ConversationMessage(Message {
            conversation_id: c(),
            from: MessageFrom::Customer,
            text: Some("Hello, my order has not arrived".into()),
            sentiment: Some(s),
            agent_id: None,
            supervisor_id: None,
            visibility: Default::default(),
        }),
        Kind::AgentMessage => EventBody::ConversationMessage(Message {
            conversation_id: c(),
            from: MessageFrom::Agent,
            text: Some("Let me check that for you".into()),
            sentiment: None,
            agent_id: None,
            supervisor_id: None,
            visibility: Default::default(),
        }),
        Kind::Ended => EventBody::ConversationEnded(ConversationOnly {
            conversation_id: c(),
        }),
        Kind::Closed(reason) => EventBody::ConversationClosed(Closed {
            conversation_id: c(),
            reason,
        }),
    };
    let id = match r.kind {
        Kind::QueueUp(q) => format!("q{q}-up"),
        Kind::AgentUp(a) => format!("a{a}-up"),
        Kind::Presence(a, _) => format!("a{a}-p{}", r.at),
        _ => format!("c{}-{}", r.conv, r.seq),
    };
    Event {
        id,
        at: DateTime::from_timestamp_millis(r.at).unwrap_or_default(),
        body,
    }
}
