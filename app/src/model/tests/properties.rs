//! Property tests: delivery order and batching never change the derived state; invalid
//! transitions are refused naming the state and change nothing.

use proptest::prelude::*;
use serde_json::json;

use super::{created, ev, now, parsed, simple, t0};
use crate::model::event::Event;
use crate::model::ledger::{ConversationStatus, Ledger};

// ---- property tests ----

/// A random valid stream: `n` conversations walking the state machine (strictly increasing
/// distinct times per conversation) and presence changes of three agents.
pub(super) fn valid_stream(seed: u64, n: usize) -> Vec<Event> {
    let mut rng = seed | 1;
    let mut next = move |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let mut out = Vec::new();
    for c in 0..n {
        let id = format!("c{c}");
        let mut t = (c as i64) * 7 + 1;
        let tick = |t: &mut i64, next: &mut dyn FnMut(u64) -> u64| {
            *t += 1 + next(5) as i64;
            *t
        };
        out.push(created(&id, t));
        // state: 0 open, 1 awaiting(agent), 2 in conversation(agent), 3 waiting(agent), 4 wrap-up
        let (mut state, mut agent) = (0, String::new());
        let mut escalated = false;
        for _ in 0..next(12) {
            let s = tick(&mut t, &mut next);
            let choice = next(10);
            let e = match (state, choice) {
                (0, _) => {
                    agent = format!("a{}", next(3));
                    state = 1;
                    simple(
                        &id,
                        "conversation.offered",
                        s,
                        json!({"agent_id": agent, "by": "routing"}),
                    )
                }
                (1, 0..=6) => {
                    state = 2;
                    simple(&id, "conversation.accepted", s, json!({"agent_id": agent}))
                }
                (1, _) => {
                    state = 0;
                    simple(
                        &id,
                        "conversation.rejected",
                        s,
                        json!({"agent_id": agent, "reason": "timed_out"}),
                    )
                }
                (2, 0..=2) => simple(
                    &id,
                    "conversation.message",
                    s,
                    json!({"from": "customer", "sentiment": 1}),
                ),
                (2, 3) => {
                    state = 3;
                    simple(&id, "conversation.waiting", s, json!({}))
                }
                (2, 4) => {
                    state = 0;
                    simple(
                        &id,
                        "conversation.transferred",
                        s,
                        json!({"from_agent_id": agent, "to_queue_id": "q2", "by": "agent"}),
                    )
                }
                (2, 5) if !escalated => {
                    escalated = true;
                    simple(&id, "conversation.escalated", s, json!({"kind": "agent"}))
                }
                (2, 6) => {
                    state = 0;
                    simple(&id, "conversation.released", s, json!({"agent_id": agent}))
                }
                (2, _) => {
                    state = 4;
                    simple(&id, "conversation.ended", s, json!({}))
                }
                (3, 0..=4) => {
                    state = 2;
                    simple(&id, "conversation.resumed", s, json!({"by": "agent"}))
                }
                (3, _) => {
                    state = 0;
                    simple(&id, "conversation.resumed", s, json!({"by": "customer"}))
                }
                _ => break,
            };
            out.push(e);
        }
        if next(3) > 0 {
            let s = tick(&mut t, &mut next);
            let reason = if state == 0 { "abandoned" } else { "resolved" };
            out.push(simple(
                &id,
                "conversation.closed",
                s,
                json!({"reason": reason}),
            ));
        }
    }
    for i in 0..(n as i64) {
        let presence = ["available", "busy", "away", "offline", "busy_dnd"][next(5) as usize];
        out.push(parsed(ev(
            &format!("p{i}"),
            "agent.presence",
            i * 3 + 2,
            json!({"agent_id": format!("a{}", next(3)), "presence": presence}),
        )));
    }
    out
}

fn snapshot(
    l: &Ledger,
) -> (
    Vec<crate::model::ledger::Conversation>,
    Vec<crate::model::ledger::Agent>,
) {
    let mut c: Vec<_> = l
        .conversations()
        .map(std::borrow::Cow::into_owned)
        .collect();
    c.sort_by(|a, b| a.id.cmp(&b.id));
    let mut a: Vec<_> = l.agents().cloned().collect();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    (c, a)
}

fn in_order(stream: &[Event]) -> Ledger {
    let mut sorted: Vec<Event> = stream.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut l = Ledger::new();
    for e in &sorted {
        l.apply(std::slice::from_ref(e), now())
            .unwrap_or_else(|err| panic!("in-order stream refused: {err:?}"));
    }
    l
}

pub(super) fn shuffled(stream: &[Event], seed: u64) -> Vec<Event> {
    let mut v = stream.to_vec();
    let mut r = seed | 1;
    for i in (1..v.len()).rev() {
        r = r
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.swap(i, (r >> 33) as usize % (i + 1));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_delivery_order_with_retries_gives_the_in_order_states(seed in any::<u64>(), order in any::<u64>(), n in 1usize..12) {
        let stream = valid_stream(seed, n);
        let expected = snapshot(&in_order(&stream));
        // A sender delivers one event at a time in a random order and retries what was refused;
        // when single retries make no progress it sends everything unacknowledged as one batch.
        let mut l = Ledger::new();
        let mut pending = shuffled(&stream, order);
        loop {
            let before = pending.len();
            pending.retain(|e| l.apply(std::slice::from_ref(e), now()).is_err());
            if pending.is_empty() {
                break;
            }
            if pending.len() == before {
                l.apply(&pending, now()).map_err(|e| TestCaseError::fail(format!("final batch refused: {e:?}")))?;
                break;
            }
        }
        prop_assert_eq!(snapshot(&l), expected);
    }

    #[test]
    fn random_batches_give_the_in_order_states(seed in any::<u64>(), cuts in proptest::collection::vec(1usize..20, 1..20), n in 1usize..12) {
        let stream = valid_stream(seed, n);
        let expected = snapshot(&in_order(&stream));
        // Batches of consecutive events in at order: each batch sorted internally by the ledger.
        let mut sorted = stream.clone();
        sorted.sort_by_key(|e| e.at);
        let mut l = Ledger::new();
        let mut rest: &[Event] = &sorted;
        let mut i = 0;
        while !rest.is_empty() {
            let take = cuts[i % cuts.len()].min(rest.len());
            let mut batch = rest[..take].to_vec();
            batch.reverse();
            l.apply(&batch, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            rest = &rest[take..];
            i += 1;
        }
        prop_assert_eq!(snapshot(&l), expected);
    }

    #[test]
    fn a_batch_undone_leaves_the_ledger_as_it_was_and_can_be_applied_again(seed in any::<u64>(), n in 1usize..12, cut in 0usize..60) {
        // What ingest does when the log refuses a batch the ledger took.
        let stream = valid_stream(seed, n);
        let mut sorted = stream.clone();
        sorted.sort_by_key(|e| e.at);
        let (first, rest) = sorted.split_at(cut.min(sorted.len()));
        let mut l = Ledger::new();
        l.apply(first, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let before = snapshot(&l);
        let undo = l.apply_undoable(rest, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        l.undo(undo);
        prop_assert_eq!(snapshot(&l), before);
        l.apply(rest, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(snapshot(&l), snapshot(&in_order(&stream)));
    }

    #[test]
    fn an_invalid_transition_is_refused_naming_the_state_and_changes_nothing(seed in any::<u64>(), n in 1usize..8, pick in any::<usize>()) {
        let stream = valid_stream(seed, n);
        let mut l = in_order(&stream);
        let before = snapshot(&l);
        let conv = &before.0[pick % before.0.len()];
        let later = conv.updated_at.timestamp() - t0().timestamp() + 1;
        // `accepted` is valid only while awaiting acceptance; `resumed` only while waiting.
        let (bad, ty) = if conv.status == ConversationStatus::Active && conv.awaiting_acceptance {
            (simple(&conv.id, "conversation.resumed", later, json!({"by": "agent"})), "conversation.resumed")
        } else {
            (simple(&conv.id, "conversation.accepted", later, json!({"agent_id": "a0"})), "conversation.accepted")
        };
        let err = l.apply(&[bad], now()).expect_err("must be refused");
        let msg = &err[0].message;
        prop_assert!(msg.contains(conv.state_name()) || msg.contains("not a0") || msg.contains(ty), "{}", msg);
        prop_assert!(msg.contains(conv.state_name()), "message does not name the state {}: {}", conv.state_name(), msg);
        prop_assert_eq!(snapshot(&l), before);
    }
}
