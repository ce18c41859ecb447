//! The engine's seal: a closed conversation's events kept compactly (the ledger keeps its own,
//! `model::ledger_seal`, whose step codes it shares). A closed conversation changes
//! only when a late event or a queue's new threshold reaches it, yet a day is mostly closed
//! conversations: the engine keeps each one's id, [`Creation`] and steps as a few bytes —
//! agents and queues by their number in [`Names`], times as varint deltas — about 60 bytes
//! instead of ~220 (a 16-byte step each, the boxed creation and its customer's name). Its facts
//! are derived from the bytes when read, and it is unsealed again before a late step is placed.

use std::sync::Arc;

use crate::kpi::domain::facts::{Act, Creation, Names, Step};
use crate::model::event::{MessageFrom, RejectReason};
use crate::model::ledger_seal::{
    ACCEPTED, CHANNELS, CLOSE_REASONS, CLOSED, CREATED, ENDED, ESCALATED, ESCALATION_RESOLVED,
    OFFERED, REJECTED, RELEASED, RESUMED, RESUMED_BY, TO_AGENT, TO_QUEUE, WAITING, channel_code,
    close_code, resumed_code,
};
use crate::model::varint::{Reader, put, put_signed, put_str};

/// Step kinds, one byte each: the ledger's codes, and two of the engine's own.
const MESSAGE: u8 = 14;
const MONITOR: u8 = 15;

const REJECT_REASONS: [RejectReason; 2] = [RejectReason::Declined, RejectReason::TimedOut];
const MESSAGE_FROM: [MessageFrom; 3] =
    [MessageFrom::Customer, MessageFrom::Agent, MessageFrom::Bot];

// Exhaustive, so a new variant does not compile until it has a code; the arrays above list
// the variants in code order.
fn reject_code(r: RejectReason) -> u64 {
    match r {
        RejectReason::Declined => 0,
        RejectReason::TimedOut => 1,
    }
}

fn from_code(f: MessageFrom) -> u64 {
    match f {
        MessageFrom::Customer => 0,
        MessageFrom::Agent => 1,
        // A supervisor's message reaches the engine as a bot's (`facts::message_effect`):
        // no KPI reads either.
        MessageFrom::Bot | MessageFrom::Supervisor => 2,
    }
}

/// Encodes the conversation's id, its close time (`closed_at`, ms), what `created` said and
/// the ordered steps (times never decrease). The close time is kept whole (pruning reads it
/// without the rest) and the first step's time as its distance from it: a few bytes where a
/// whole time takes six, and the slot no longer holds the close time beside the seal.
pub fn seal(
    id: &str,
    closed_at: i64,
    creation: &Creation,
    steps: &[Step],
    names: &mut Names,
) -> Box<[u8]> {
    let mut out = Vec::with_capacity(24 + id.len() + creation.customer.len() + 4 * steps.len());
    put_str(&mut out, id);
    put_signed(&mut out, closed_at);
    put(&mut out, u64::from(names.number(&creation.queue)));
    put(&mut out, channel_code(creation.channel));
    put(&mut out, u64::from(names.skill_number(&creation.skills)));
    put_str(&mut out, &creation.customer);
    let mut last: Option<i64> = None;
    for s in steps {
        match last {
            // Wrapping: any two times, however far apart, give back the first exactly.
            None => put_signed(&mut out, s.at.wrapping_sub(closed_at)),
            Some(prev) => put(&mut out, s.at.abs_diff(prev)),
        }
        debug_assert!(last.is_none_or(|prev| s.at >= prev), "steps are ordered");
        last = Some(s.at);
        let mut one = |kind: u8, n: u32| {
            out.push(kind);
            put(&mut out, u64::from(n));
        };
        match s.act {
            Act::Created => out.push(CREATED),
            Act::Offered(a) => one(OFFERED, a),
            Act::Accepted(a) => one(ACCEPTED, a),
            Act::Rejected(a, reason) => {
                one(REJECTED, a);
                put(&mut out, reject_code(reason));
            }
            Act::ToAgent(a) => one(TO_AGENT, a),
            Act::ToQueue(q) => one(TO_QUEUE, q),
            Act::Released => out.push(RELEASED),
            Act::Waiting => out.push(WAITING),
            Act::Resumed(by) => {
                out.push(RESUMED);
                put(&mut out, resumed_code(by));
            }
            Act::Ended => out.push(ENDED),
            Act::Closed(reason) => {
                out.push(CLOSED);
                put(&mut out, close_code(reason));
            }
            Act::Message(from, sentiment) => {
                out.push(MESSAGE);
                put(&mut out, from_code(from));
                // 0: none; else one more than the zigzag of the sentiment.
                put(
                    &mut out,
                    sentiment.map_or(0, |v| ((v << 1) ^ (v >> 7)) as u8 as u64 + 1),
                );
            }
            Act::Escalated => out.push(ESCALATED),
            Act::EscalationResolved => out.push(ESCALATION_RESOLVED),
            Act::Monitor => out.push(MONITOR),
        }
    }
    // A copy of exactly its length: shrunk in place (`into_boxed_slice`), the allocator keeps
    // a block that is at least half used, so the estimate above (a few bytes over the typical
    // seal) would keep the next size class's block for each of a day's million conversations.
    Box::from(out.as_slice())
}

/// What `created` said, read from a seal's head; the reader is left at the first step.
fn creation(r: &mut Reader<'_>, names: &Names) -> Option<Creation> {
    let queue = names.try_name(r.u32()?)?.clone();
    let channel = r.pick(&CHANNELS)?;
    let skills = names.skill_set(r.u32()?)?.clone();
    let customer = Arc::from(r.str()?);
    Some(Creation {
        queue,
        channel,
        skills,
        customer,
    })
}

/// A seal's steps, decoded one by one.
pub struct Steps<'a> {
    r: Reader<'a>,
    /// The close time, which the first step's time is relative to.
    closed_at: i64,
    last: Option<i64>,
}

impl Steps<'_> {
    fn step(&mut self) -> Option<Step> {
        let at = match self.last {
            None => self.closed_at.wrapping_add(self.r.signed()?),
            Some(prev) => prev.checked_add(i64::try_from(self.r.num()?).ok()?)?,
        };
        self.last = Some(at);
        let r = &mut self.r;
        let act = match r.byte()? {
            CREATED => Act::Created,
            OFFERED => Act::Offered(r.u32()?),
            ACCEPTED => Act::Accepted(r.u32()?),
            REJECTED => Act::Rejected(r.u32()?, r.pick(&REJECT_REASONS)?),
            TO_AGENT => Act::ToAgent(r.u32()?),
            TO_QUEUE => Act::ToQueue(r.u32()?),
            RELEASED => Act::Released,
            WAITING => Act::Waiting,
            RESUMED => Act::Resumed(r.pick(&RESUMED_BY)?),
            ENDED => Act::Ended,
            CLOSED => Act::Closed(r.pick(&CLOSE_REASONS)?),
            MESSAGE => {
                let from = r.pick(&MESSAGE_FROM)?;
                let sentiment = match r.num()? {
                    0 => None,
                    n => {
                        let z = u8::try_from(n - 1).ok()?;
                        Some(((z >> 1) as i8) ^ -((z & 1) as i8))
                    }
                };
                Act::Message(from, sentiment)
            }
            ESCALATED => Act::Escalated,
            ESCALATION_RESOLVED => Act::EscalationResolved,
            MONITOR => Act::Monitor,
            _ => return None,
        };
        Some(Step { at, act })
    }
}

impl Iterator for Steps<'_> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        if self.r.done() {
            return None;
        }
        let step = self.step();
        // The engine wrote every seal it reads (a snapshot of another build is not read).
        debug_assert!(step.is_some(), "a malformed seal");
        if step.is_none() {
            // Stop for good rather than read garbage.
            self.r.pos = self.r.bytes.len();
        }
        step
    }
}

/// The conversation's id, from a seal's head.
pub fn id(bytes: &[u8]) -> Option<&str> {
    Reader::new(bytes).str()
}

/// The close time in a seal's head (ms).
pub fn closed_at(bytes: &[u8]) -> Option<i64> {
    let mut r = Reader::new(bytes);
    r.str()?;
    r.signed()
}

/// What `created` said and an iterator over the steps; `None` if the head is malformed.
pub fn open<'a>(bytes: &'a [u8], names: &Names) -> Option<(Creation, Steps<'a>)> {
    let mut r = Reader::new(bytes);
    r.str()?;
    let closed_at = r.signed()?;
    let c = creation(&mut r, names)?;
    Some((
        c,
        Steps {
            r,
            closed_at,
            last: None,
        },
    ))
}

/// What `created` said and every step; `None` if the bytes are not a seal.
pub fn unseal(bytes: &[u8], names: &Names) -> Option<(Creation, Vec<Step>)> {
    let (c, mut steps) = open(bytes, names)?;
    let mut all = Vec::new();
    while !steps.r.done() {
        all.push(steps.step()?);
    }
    Some((c, all))
}
