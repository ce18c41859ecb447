//! The ledger's seals ([`crate::model::ledger_seal`]): the encoding gives back exactly what it
//! was given, and a ledger that seals every closed conversation still holds the states a plain
//! fold of each conversation's events gives.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::properties::{shuffled, valid_stream};
use super::{now, simple};
use crate::model::conversation::{Conversation, Transition, start, step};
use crate::model::event::{Channel, CloseReason, Event, ResumedBy};
use crate::model::ledger::{ConversationStatus, Ledger};
use crate::model::ledger_seal::{closed_at, extend, seal, unseal};
use crate::model::names::Names;

/// One transition of every kind, its names and fields picked by `a` and `b`.
fn transition(kind: u8, a: u8, b: u8) -> Transition {
    let name =
        |n: u8| ["a1", "a2", "q1", "q2", "agent with spaces", "ä-ü"][n as usize % 6].to_owned();
    match kind % 14 {
        0 => Transition::Created {
            queue_id: name(a),
            channel: [Channel::Chat, Channel::Voice, Channel::Messaging][b as usize % 3],
            customer_id: format!("k{a}{b}"),
            customer_name: ["", "Ada Lovelace", "Zoë"][a as usize % 3].to_owned(),
            skills: ["billing", "polish", "vip"][..b as usize % 4]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        },
        1 => Transition::Offered(name(a)),
        2 => Transition::Accepted(name(a)),
        3 => Transition::Rejected(name(b)),
        4 => Transition::TransferredToAgent {
            from: name(a),
            to: name(b),
        },
        5 => Transition::TransferredToQueue {
            from: name(a),
            to: name(b),
        },
        6 => Transition::Released(name(a)),
        7 => Transition::Waiting,
        8 => Transition::Resumed([ResumedBy::Agent, ResumedBy::Customer][a as usize % 2]),
        9 => Transition::Ended,
        10 => Transition::Closed(
            [
                CloseReason::Resolved,
                CloseReason::Abandoned,
                CloseReason::ForceClosed,
                CloseReason::TimedOut,
            ][a as usize % 4],
        ),
        11 => Transition::Escalated,
        12 => Transition::EscalationResolved,
        _ => Transition::Note,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_seal_gives_back_its_steps_and_close_time(
        start_secs in -4_000_000_000i64..4_000_000_000,
        steps in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), 0i64..100_000, 0u32..1_000_000_000, 0u32..3), 0..12),
        cut in any::<usize>(),
        step in 1usize..4,
    ) {
        let mut secs = start_secs;
        let mut given: Vec<(DateTime<Utc>, Transition)> = Vec::new();
        for (kind, a, b, delta, nanos, precision) in steps {
            secs += delta;
            // Whole milliseconds take the short form; microseconds and nanoseconds the long one.
            let unit = [1_000_000, 1_000, 1][precision as usize];
            let nanos = nanos / unit * unit;
            let at = DateTime::from_timestamp(secs, nanos).expect("in range");
            // Equal times keep their order (a delta of 0 with a smaller sub-second part would
            // go back in time, which a conversation's steps never do).
            let at = given.last().map_or(at, |(prev, _)| at.max(*prev));
            given.push((at, transition(kind, a, b)));
        }
        let mut names = Names::default();
        let bytes = seal(given.iter().map(|(at, t)| (*at, t)), &mut names);
        let close = given.iter().rev().find(|(_, t)| matches!(t, Transition::Closed(_))).map(|(at, _)| *at);
        prop_assert_eq!(closed_at(&bytes), close);
        prop_assert_eq!(unseal(&bytes, &names), Some((close, given.clone())));

        // An open conversation's seal extended by its later steps, a few at a time as its
        // events come, is the seal of them all: the same bytes, close time included.
        let open = given.iter().position(|(_, t)| matches!(t, Transition::Closed(_))).unwrap_or(given.len());
        let cut = cut % (open + 1);
        if cut > 0 {
            let mut grown = seal(given[..cut].iter().map(|(at, t)| (*at, t)), &mut names);
            prop_assert_eq!(closed_at(&grown), None);
            let mut last = given[cut - 1].0;
            // Open until the batch with its first close, which ends the extending.
            let batches = given[cut..open].chunks(step).chain(Some(&given[open..]));
            for batch in batches.filter(|b| !b.is_empty()) {
                prop_assert_eq!(closed_at(&grown), None);
                grown = extend(&grown, last, batch.iter().map(|(at, t)| (*at, t)), &mut names);
                last = batch[batch.len() - 1].0;
            }
            prop_assert_eq!(&grown, &bytes);
        }
    }
}

/// Each conversation's state from folding its events in (`at`, position) order, with no ledger.
fn folded(stream: &[Event]) -> BTreeMap<String, Conversation> {
    let mut order: Vec<usize> = (0..stream.len()).collect();
    order.sort_by_key(|&i| (stream[i].at, i));
    let mut out: BTreeMap<String, Conversation> = BTreeMap::new();
    for i in order {
        let e = &stream[i];
        let (Some(id), Some(t)) = (e.conversation_id(), Transition::of(&e.body)) else {
            continue;
        };
        match out.get_mut(id) {
            Some(c) => step(c, e.at, &t).expect("a valid stream"),
            None => {
                out.insert(id.to_owned(), start(id, e.at, &t).expect("created first"));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sealed_conversations_unfold_to_the_folded_states(seed in any::<u64>(), order in any::<u64>(), n in 1usize..12) {
        let stream = valid_stream(seed, n);
        let expected = folded(&stream);
        // One event at a time in a random order, retrying what was refused: late events land
        // before the close of conversations already sealed.
        let mut l = Ledger::new();
        let mut pending = shuffled(&stream, order);
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|e| l.apply(std::slice::from_ref(e), now()).is_err());
            if pending.len() == before {
                l.apply(&pending, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                break;
            }
        }
        let closed = expected.values().filter(|c| c.status == ConversationStatus::Closed).count();
        prop_assert_eq!(l.sealed(), closed, "every closed conversation is kept sealed");
        prop_assert_eq!(l.live_conversations().count(), expected.len() - closed);
        for (id, want) in &expected {
            let got = l.conversation(id);
            prop_assert_eq!(got.as_deref(), Some(want), "{}", id);
        }
    }
}

#[test]
fn a_late_event_before_a_sealed_close_is_placed_and_a_later_one_refused() {
    let mut l = Ledger::new();
    let c = "c1";
    let events = [
        super::created(c, 0),
        simple(
            c,
            "conversation.offered",
            10,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        simple(c, "conversation.accepted", 20, json!({"agent_id": "a1"})),
        simple(c, "conversation.ended", 100, json!({})),
        simple(c, "conversation.closed", 130, json!({"reason": "resolved"})),
    ];
    l.apply(&events, now()).expect("valid");
    assert_eq!(l.sealed(), 1);
    // An escalation at 50 s fits between accept and end: it unseals, applies and seals again.
    let late = simple(c, "conversation.escalated", 50, json!({"kind": "agent"}));
    l.apply(&[late], now()).expect("placed before the close");
    let conv = l.conversation(c).expect("kept").into_owned();
    assert!(conv.open_escalation);
    assert_eq!(conv.status, ConversationStatus::Closed);
    assert_eq!(conv.agent_id.as_deref(), Some("a1"));
    assert_eq!(l.sealed(), 1);
    // Waiting at 200 s comes after the close.
    let after = simple(c, "conversation.waiting", 200, json!({}));
    let err = l.apply(&[after], now()).expect_err("closed is final");
    assert!(err[0].message.contains("is closed"), "{}", err[0].message);
    // A message after the close is taken (closed conversations still take messages) and keeps
    // every sealed step.
    let note = simple(c, "conversation.message", 300, json!({"from": "customer"}));
    l.apply(&[note], now()).expect("a message after the close");
    let again = l.conversation(c).expect("kept").into_owned();
    assert_eq!(
        again.updated_at,
        super::t0() + chrono::TimeDelta::seconds(300)
    );
    assert!(
        again.open_escalation,
        "the escalation placed before is still there"
    );
    assert_eq!(again.first_accepted_at, conv.first_accepted_at);
    // Pruning at the close time keeps it; just after, forgets it.
    let close = conv.closed_at.expect("closed");
    assert_eq!(l.prune(close), 0);
    assert_eq!(l.prune(close + chrono::TimeDelta::milliseconds(1)), 1);
    assert!(l.conversation(c).is_none());
}
