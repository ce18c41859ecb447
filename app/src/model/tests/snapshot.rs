//! Snapshots of the ledger: read back at any point of a stream, it takes the rest as the ledger
//! that never stopped — sealed conversations, open ones, agents and queues with their upsert
//! times.

use proptest::prelude::*;
use serde_json::json;

use super::properties::{shuffled, valid_stream};
use super::{ev, now, parsed};
use crate::model::event::Event;
use crate::model::ledger::Ledger;
use crate::model::snapshot::sharing;

fn restored(l: &Ledger) -> Ledger {
    let bytes = postcard::to_stdvec(l).expect("serialize");
    sharing(|| postcard::from_bytes::<Ledger>(&bytes)).expect("deserialize")
}

/// Everything the ledger answers, in a comparable form.
fn contents(l: &Ledger) -> (Vec<String>, Vec<String>, Vec<String>, Option<String>) {
    let mut convs: Vec<String> = l.conversations().map(|c| format!("{c:?}")).collect();
    let mut agents: Vec<String> = l.agents().map(|a| format!("{a:?}")).collect();
    let mut queues: Vec<String> = l.queues().map(|q| format!("{q:?}")).collect();
    convs.sort();
    agents.sort();
    queues.sort();
    (convs, agents, queues, l.newest_at().map(|t| t.to_rfc3339()))
}

/// An upsert of agent `a1` and queue `q1` at `secs`.
fn upserts(secs: i64, name: &str) -> Vec<Event> {
    vec![
        parsed(ev(
            &format!("a-{name}"),
            "agent.upserted",
            secs,
            json!({"agent_id": "a1", "name": name, "queues": ["q1"], "capacity": 2}),
        )),
        parsed(ev(
            &format!("q-{name}"),
            "queue.upserted",
            secs,
            json!({"queue_id": "q1", "name": name, "channels": ["chat"], "service_level_seconds": 20}),
        )),
    ]
}

/// Applies `events` one at a time, retrying what was refused until nothing more applies.
fn apply_all(l: &mut Ledger, events: Vec<Event>) -> Vec<Event> {
    let mut pending = events;
    loop {
        let before = pending.len();
        pending.retain(|e| l.apply(std::slice::from_ref(e), now()).is_err());
        if pending.len() == before {
            return pending;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_restored_ledger_takes_the_rest_as_the_one_that_never_stopped(
        seed in any::<u64>(),
        order in any::<u64>(),
        n in 1usize..12,
        cut in 0usize..1000,
    ) {
        let mut stream = shuffled(&valid_stream(seed, n), order);
        stream.splice(0..0, upserts(3600, "later"));
        let rest = stream.split_off(cut * stream.len() / 1000);
        let mut live = Ledger::new();
        let refused = apply_all(&mut live, stream);
        let mut back = restored(&live);
        prop_assert_eq!(contents(&live), contents(&back));
        // Late events land in sealed conversations; an older upsert loses in both.
        let rest: Vec<Event> = refused.into_iter().chain(rest).chain(upserts(60, "earlier")).collect();
        let left = apply_all(&mut live, rest.clone());
        prop_assert_eq!(apply_all(&mut back, rest), left);
        prop_assert_eq!(contents(&live), contents(&back));
        prop_assert_eq!(live.agent("a1").map(|a| a.name.as_str()), Some("later"));
        prop_assert!(live.queues().any(|q| q.id == "q1" && q.name == "later"));
        let before = live.newest_at().expect("events") - chrono::TimeDelta::hours(1);
        prop_assert_eq!(live.prune(before), back.prune(before));
        prop_assert_eq!(live.sealed(), back.sealed());
        prop_assert_eq!(contents(&live), contents(&back));
    }
}
