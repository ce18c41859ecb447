//! The engine's seals give back exactly what they were given, for every kind of step, any
//! times (also negative, equal or far apart) and any names.

use proptest::prelude::*;

use crate::kpi::domain::facts::{Act, Creation, Names, Step};
use crate::kpi::store::sealed::{closed_at, open, seal, unseal};
use crate::model::event::{Channel, CloseReason, MessageFrom, RejectReason, ResumedBy};

/// One act of every kind, its numbers and fields picked by `a` and `b`.
fn act(kind: u8, a: u32, b: i8) -> Act {
    let from = [MessageFrom::Customer, MessageFrom::Agent, MessageFrom::Bot];
    match kind % 15 {
        0 => Act::Created,
        1 => Act::Offered(a),
        2 => Act::Accepted(a),
        3 => Act::Rejected(
            a,
            [RejectReason::Declined, RejectReason::TimedOut][b as usize % 2],
        ),
        4 => Act::ToAgent(a),
        5 => Act::ToQueue(a),
        6 => Act::Released,
        7 => Act::Waiting,
        8 => Act::Resumed([ResumedBy::Agent, ResumedBy::Customer][a as usize % 2]),
        9 => Act::Ended,
        10 => Act::Closed(
            [
                CloseReason::Resolved,
                CloseReason::Abandoned,
                CloseReason::ForceClosed,
                CloseReason::TimedOut,
            ][a as usize % 4],
        ),
        11 => Act::Message(from[a as usize % 3], None),
        12 => Act::Message(from[a as usize % 3], Some(b)),
        13 => Act::Escalated,
        _ if a.is_multiple_of(2) => Act::EscalationResolved,
        _ => Act::Monitor,
    }
}

proptest! {
    #[test]
    fn a_seal_gives_back_its_id_creation_and_steps(
        id in "\\PC{0,40}",
        start in any::<i64>().prop_map(|t| t / 4),
        gaps in prop::collection::vec((0i64..1 << 40, any::<u8>(), any::<u32>(), any::<i8>()), 0..20),
        queue in "[a-z ä]{0,12}",
        customer in "\\PC{0,20}",
        skills in prop::collection::vec("[a-z]{1,6}", 0..4),
        channel in 0usize..Channel::ALL.len(),
        close in any::<i64>(),
    ) {
        let mut names = Names::default();
        let creation = Creation {
            queue: names.get(&queue),
            channel: Channel::ALL[channel],
            skills: names.skills(&skills),
            customer: customer.as_str().into(),
        };
        let mut at = start;
        let mut steps = vec![Step { at, act: Act::Created }];
        for (gap, kind, a, b) in gaps {
            at += gap;
            steps.push(Step { at, act: act(kind, a, b) });
        }
        // Near the last step, as a close is; or any time at all.
        let close = if close % 2 == 0 { at.saturating_add(close % 1_000_000) } else { close };
        let bytes = seal(&id, close, &creation, &steps, &mut names);
        prop_assert_eq!(crate::kpi::store::sealed::id(&bytes), Some(id.as_str()));
        prop_assert_eq!(closed_at(&bytes), Some(close));
        prop_assert_eq!(unseal(&bytes, &names), Some((creation.clone(), steps.clone())));
        let (back, iter) = open(&bytes, &names).expect("a seal");
        prop_assert_eq!(back, creation);
        prop_assert_eq!(iter.collect::<Vec<_>>(), steps);
    }
}

/// Not a seal: no creation, no steps, no panic.
#[test]
fn malformed_bytes_unseal_to_nothing() {
    let names = Names::default();
    assert_eq!(unseal(&[], &names), None);
    assert_eq!(unseal(&[0x80], &names), None);
    let mut names = Names::default();
    let creation = Creation {
        queue: names.get("q1"),
        channel: Channel::Chat,
        skills: names.skills(&[]),
        customer: "Ada".into(),
    };
    let steps = [
        Step {
            at: 5,
            act: Act::Created,
        },
        Step {
            at: 9,
            act: Act::Offered(3),
        },
    ];
    let bytes = seal("c-1", 9, &creation, &steps, &mut names);
    assert_eq!(crate::kpi::store::sealed::id(&bytes[..2]), None, "a cut id");
    // Cut in the last step: the whole seal is refused.
    assert_eq!(unseal(&bytes[..bytes.len() - 1], &names), None);
    // An unknown step kind.
    let mut bad = bytes.to_vec();
    let kind = bad.len() - 2;
    bad[kind] = 99;
    assert_eq!(unseal(&bad, &names), None);
}
