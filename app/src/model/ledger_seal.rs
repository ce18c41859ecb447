//! The ledger's seal: a conversation's steps in a few bytes, and the step codes the KPI engine's
//! seals share (`kpi/store/sealed.rs`). A closed conversation changes only when a late event is
//! placed before its close, so the ledger keeps its steps as a few bytes each — agent and queue
//! ids as numbers into one shared table, times as varint deltas — and unfolds them again (steps
//! and state) only when an event names it. A simulated day is mostly closed conversations: this
//! is what keeps the ledger's memory to ~100 bytes a conversation instead of ~1 KB. An open
//! conversation's steps are kept the same way, without a close time, and [`extend`]ed as its
//! events come.

use chrono::{DateTime, Utc};

use super::conversation::Transition;
use super::event::{Channel, CloseReason, ResumedBy};
use super::names::Names;
use super::varint::{Reader, put, put_signed, put_str};

/// Step kinds, one byte each (the KPI engine's seals use the same codes for the same steps).
pub(crate) const CREATED: u8 = 0;
pub(crate) const OFFERED: u8 = 1;
pub(crate) const ACCEPTED: u8 = 2;
pub(crate) const REJECTED: u8 = 3;
pub(crate) const TO_AGENT: u8 = 4;
pub(crate) const TO_QUEUE: u8 = 5;
pub(crate) const RELEASED: u8 = 6;
pub(crate) const WAITING: u8 = 7;
pub(crate) const RESUMED: u8 = 8;
pub(crate) const ENDED: u8 = 9;
pub(crate) const CLOSED: u8 = 10;
pub(crate) const ESCALATED: u8 = 11;
pub(crate) const ESCALATION_RESOLVED: u8 = 12;
const NOTE: u8 = 13;

pub(crate) const CHANNELS: [Channel; 6] = Channel::ALL;
pub(crate) const CLOSE_REASONS: [CloseReason; 4] = [
    CloseReason::Resolved,
    CloseReason::Abandoned,
    CloseReason::ForceClosed,
    CloseReason::TimedOut,
];
pub(crate) const RESUMED_BY: [ResumedBy; 2] = [ResumedBy::Agent, ResumedBy::Customer];

// Exhaustive, so a new variant does not compile until it has a code; the arrays above list
// the variants in code order.
pub(crate) fn channel_code(c: Channel) -> u64 {
    match c {
        Channel::Chat => 0,
        Channel::Voice => 1,
        Channel::Email => 2,
        Channel::Sms => 3,
        Channel::Social => 4,
        Channel::Messaging => 5,
    }
}

pub(crate) fn close_code(r: CloseReason) -> u64 {
    match r {
        CloseReason::Resolved => 0,
        CloseReason::Abandoned => 1,
        CloseReason::ForceClosed => 2,
        CloseReason::TimedOut => 3,
    }
}

pub(crate) fn resumed_code(by: ResumedBy) -> u64 {
    match by {
        ResumedBy::Agent => 0,
        ResumedBy::Customer => 1,
    }
}

/// A later step's time: whole milliseconds (what events usually carry) with the seconds since
/// the previous step in one varint — `(seconds × 1,000 + milliseconds) × 2`, two bytes up to
/// 8 s, three up to ~17 min — else the seconds (odd) and the nanoseconds apart. Seconds and
/// their milliseconds apart took a byte or two and two.
fn put_gap(out: &mut Vec<u8>, secs: u64, nanos: u32) {
    let whole = nanos
        .is_multiple_of(1_000_000)
        .then(|| {
            secs.checked_mul(1_000)?
                .checked_add(u64::from(nanos / 1_000_000))
        })
        .flatten()
        .filter(|&ms| ms < 1 << 62);
    match whole {
        Some(ms) => put(out, ms << 1),
        None => {
            debug_assert!(
                secs < 1 << 62,
                "steps are ordered and within chrono's range"
            );
            put(out, (secs << 1) | 1);
            put(out, u64::from(nanos));
        }
    }
}

/// Sub-second part (of the first step and the close time): whole milliseconds (what events
/// usually carry) in fewer bytes.
fn put_nanos(out: &mut Vec<u8>, nanos: u32) {
    let nanos = u64::from(nanos);
    if nanos % 1_000_000 == 0 {
        put(out, (nanos / 1_000_000) << 1);
    } else {
        put(out, (nanos << 1) | 1);
    }
}

/// Encodes a conversation's ordered steps (times never decrease), headed by its close time so
/// that pruning reads only that and the first step's time (the close time's seconds are kept
/// as their distance from the first step's: two bytes or so where whole seconds take five). An
/// open conversation's steps are kept so too (its header says it has no close time), and
/// [`extend`]ed as its events come.
pub(super) fn seal<'a>(
    steps: impl Iterator<Item = (DateTime<Utc>, &'a Transition)> + Clone,
    names: &mut Names,
) -> Box<[u8]> {
    let mut out = Vec::with_capacity(48);
    let first = steps.clone().next().map(|(at, _)| at.timestamp());
    put_header(&mut out, first, steps.clone());
    put_steps(&mut out, None, steps, names);
    // Exactly its length (see the KPI engine's `sealed::seal`).
    Box::from(out.as_slice())
}

/// The seal of an open conversation's steps (`bytes`, whose last step is at `last`) followed
/// by `steps` (none before `last`): what [`seal`] gives for all of them, without decoding the
/// first ones. The header says when it closed if one of `steps` closes it.
pub(super) fn extend<'a>(
    bytes: &[u8],
    last: DateTime<Utc>,
    steps: impl Iterator<Item = (DateTime<Utc>, &'a Transition)> + Clone,
    names: &mut Names,
) -> Box<[u8]> {
    debug_assert_eq!(bytes.first(), Some(&0), "an open conversation's seal");
    let kept = bytes.get(1..).unwrap_or_default();
    let mut out = Vec::with_capacity(bytes.len() + 16);
    // The first step's seconds lead the kept steps (none kept: the first of `steps`).
    let first = Reader::new(kept)
        .signed()
        .or_else(|| steps.clone().next().map(|(at, _)| at.timestamp()));
    put_header(&mut out, first, steps.clone());
    out.extend_from_slice(kept);
    let last = (!kept.is_empty()).then(|| last.timestamp());
    put_steps(&mut out, last, steps, names);
    Box::from(out.as_slice())
}

/// The header: the time of the last of `steps` that closes the conversation, if one does, its
/// seconds as their distance from `first` (the seal's first step's seconds).
fn put_header<'a>(
    out: &mut Vec<u8>,
    first: Option<i64>,
    steps: impl Iterator<Item = (DateTime<Utc>, &'a Transition)>,
) {
    let closed = steps
        .filter(|(_, t)| matches!(t, Transition::Closed(_)))
        .last();
    match (closed, first) {
        (Some((at, _)), Some(first)) => {
            out.push(1);
            put_signed(out, at.timestamp() - first);
            put_nanos(out, at.timestamp_subsec_nanos());
        }
        _ => out.push(0),
    }
}

/// Appends `steps`, the first one's seconds as a delta from `last` (the previous step's
/// seconds) if there is one.
fn put_steps<'a>(
    out: &mut Vec<u8>,
    mut last: Option<i64>,
    steps: impl Iterator<Item = (DateTime<Utc>, &'a Transition)>,
    names: &mut Names,
) {
    for (at, t) in steps {
        let (secs, nanos) = (at.timestamp(), at.timestamp_subsec_nanos());
        match last {
            None => {
                put_signed(out, secs);
                put_nanos(out, nanos);
            }
            Some(prev) => put_gap(out, (secs - prev) as u64, nanos),
        }
        last = Some(secs);
        match t {
            Transition::Created {
                queue_id,
                channel,
                customer_id,
                customer_name,
                skills,
            } => {
                out.push(CREATED);
                put(out, u64::from(names.number(queue_id)));
                put(out, channel_code(*channel));
                put_str(out, customer_id);
                put_str(out, customer_name);
                put(out, u64::from(names.skill_number(skills)));
            }
            Transition::Offered(a) => one(out, OFFERED, names.number(a)),
            Transition::Accepted(a) => one(out, ACCEPTED, names.number(a)),
            Transition::Rejected(a) => one(out, REJECTED, names.number(a)),
            Transition::TransferredToAgent { from, to } => {
                one(out, TO_AGENT, names.number(from));
                put(out, u64::from(names.number(to)));
            }
            Transition::TransferredToQueue { from, to } => {
                one(out, TO_QUEUE, names.number(from));
                put(out, u64::from(names.number(to)));
            }
            Transition::Released(a) => one(out, RELEASED, names.number(a)),
            Transition::Waiting => out.push(WAITING),
            Transition::Resumed(by) => {
                out.push(RESUMED);
                put(out, resumed_code(*by));
            }
            Transition::Ended => out.push(ENDED),
            Transition::Closed(reason) => {
                out.push(CLOSED);
                put(out, close_code(*reason));
            }
            Transition::Escalated => out.push(ESCALATED),
            Transition::EscalationResolved => out.push(ESCALATION_RESOLVED),
            Transition::Note => out.push(NOTE),
        }
    }
}

fn one(out: &mut Vec<u8>, kind: u8, name: u32) {
    out.push(kind);
    put(out, u64::from(name));
}

/// What [`seal`] wrote, beyond plain varints.
impl Reader<'_> {
    /// What [`put_gap`] wrote: the seconds since the previous step and the nanoseconds.
    fn gap(&mut self) -> Option<(i64, u32)> {
        let code = self.num()?;
        let (secs, nanos) = if code & 1 == 0 {
            let ms = code >> 1;
            (ms / 1_000, (ms % 1_000) * 1_000_000)
        } else {
            (code >> 1, self.num()?)
        };
        Some((i64::try_from(secs).ok()?, u32::try_from(nanos).ok()?))
    }

    fn nanos(&mut self) -> Option<u32> {
        let code = self.num()?;
        let nanos = if code & 1 == 0 {
            (code >> 1).checked_mul(1_000_000)?
        } else {
            code >> 1
        };
        u32::try_from(nanos).ok()
    }

    /// The header: the close time, if the conversation has one (read from its distance to the
    /// first step's seconds, which follow the header).
    fn closed(&mut self) -> Option<Option<DateTime<Utc>>> {
        match self.byte()? {
            0 => Some(None),
            1 => {
                let delta = self.signed()?;
                let nanos = self.nanos()?;
                let first = Reader {
                    bytes: self.bytes,
                    pos: self.pos,
                }
                .signed()?;
                Some(Some(DateTime::from_timestamp(
                    first.checked_add(delta)?,
                    nanos,
                )?))
            }
            _ => None,
        }
    }

    fn name(&mut self, names: &Names) -> Option<String> {
        let n = u32::try_from(self.num()?).ok()?;
        names.try_name(n).map(|s| s.to_string())
    }
}

/// The close time in a seal's header (`None` if it has none or is not a seal).
pub(super) fn closed_at(bytes: &[u8]) -> Option<DateTime<Utc>> {
    Reader::new(bytes).closed()?
}

/// The close time and the steps [`seal`] encoded; `None` if the bytes are not such an encoding.
pub(super) type Unsealed = (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, Transition)>);

/// Decodes a seal; `None` if the bytes are not one.
pub(super) fn unseal(bytes: &[u8], names: &Names) -> Option<Unsealed> {
    let mut r = Reader::new(bytes);
    let closed = r.closed()?;
    let mut steps = Vec::new();
    let mut secs: Option<i64> = None;
    while r.pos < bytes.len() {
        let (s, nanos) = match secs {
            None => (r.signed()?, r.nanos()?),
            Some(prev) => {
                let (gap, nanos) = r.gap()?;
                (prev.checked_add(gap)?, nanos)
            }
        };
        secs = Some(s);
        let at = DateTime::from_timestamp(s, nanos)?;
        let t = match r.byte()? {
            CREATED => Transition::Created {
                queue_id: r.name(names)?,
                channel: r.pick(&CHANNELS)?,
                customer_id: r.str()?.to_owned(),
                customer_name: r.str()?.to_owned(),
                skills: names.skill_set(u32::try_from(r.num()?).ok()?)?.to_vec(),
            },
            OFFERED => Transition::Offered(r.name(names)?),
            ACCEPTED => Transition::Accepted(r.name(names)?),
            REJECTED => Transition::Rejected(r.name(names)?),
            TO_AGENT => Transition::TransferredToAgent {
                from: r.name(names)?,
                to: r.name(names)?,
            },
            TO_QUEUE => Transition::TransferredToQueue {
                from: r.name(names)?,
                to: r.name(names)?,
            },
            RELEASED => Transition::Released(r.name(names)?),
            WAITING => Transition::Waiting,
            RESUMED => Transition::Resumed(r.pick(&RESUMED_BY)?),
            ENDED => Transition::Ended,
            CLOSED => Transition::Closed(r.pick(&CLOSE_REASONS)?),
            ESCALATED => Transition::Escalated,
            ESCALATION_RESOLVED => Transition::EscalationResolved,
            NOTE => Transition::Note,
            _ => return None,
        };
        steps.push((at, t));
    }
    Some((closed, steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_decoding_order() {
        for (i, c) in CHANNELS.into_iter().enumerate() {
            assert_eq!(channel_code(c), i as u64, "{c:?}");
        }
        for (i, r) in CLOSE_REASONS.into_iter().enumerate() {
            assert_eq!(close_code(r), i as u64, "{r:?}");
        }
        for (i, by) in RESUMED_BY.into_iter().enumerate() {
            assert_eq!(resumed_code(by), i as u64, "{by:?}");
        }
    }
}
