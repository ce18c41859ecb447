//! Snapshots: an engine written out and read back answers exactly as the one that never
//! stopped, also after more events (applied, or loaded as start-up does) and a prune, and
//! shares its strings as the live one does.

use std::sync::Arc;

use proptest::prelude::*;

use super::at;
use super::properties::{Rng, day, diff, queries, with_filters};
use crate::kpi::domain::facts::Status;
use crate::kpi::{Engine, Limits};
use crate::model::snapshot::sharing;

/// The engine written with postcard (as the server's snapshots are) and read back.
fn restored(e: &Engine) -> Engine {
    let bytes = postcard::to_stdvec(e).expect("serialize");
    sharing(|| postcard::from_bytes::<Engine>(&bytes)).expect("deserialize")
}

/// Every query's report, agents table and conversation rows are the same in both.
fn same_answers(a: &Engine, b: &Engine, r: &mut Rng, now_secs: f64) -> Result<(), TestCaseError> {
    let now = at(now_secs);
    for q in queries(r) {
        let f = with_filters(r, &q);
        for q in [q, f] {
            let d = diff(
                &a.report(&q, now, &Limits::default()),
                &b.report(&q, now, &Limits::default()),
            );
            prop_assert!(d.is_empty(), "query {:?}: {:?}", q, d);
            prop_assert_eq!(
                a.agent_rows(&q, now),
                b.agent_rows(&q, now),
                "query {:?}",
                q
            );
            prop_assert_eq!(
                a.conversation_rows(&q, now),
                b.conversation_rows(&q, now),
                "query {:?}",
                q
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Restored at any point of a shuffled, batched stream, the engine then takes the rest of
    /// the stream and a prune exactly as the engine that never stopped.
    #[test]
    fn a_restored_engine_answers_as_the_one_that_never_stopped(
        seed in any::<u64>(),
        n in 5usize..50,
        cut in 0usize..1000,
    ) {
        let events = day(seed, n);
        let mut r = Rng(seed ^ 0x5a5a | 1);
        let mut shuffled = events.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, r.below(i as u64 + 1) as usize);
        }
        let cut = cut * shuffled.len() / 1000;
        let mut live = Engine::new();
        let mut batches = shuffled.chunks(7).map(|b| {
            let mut b = b.to_vec();
            b.sort_by_key(|e| e.at);
            b
        });
        let mut taken = 0;
        for b in batches.by_ref() {
            if taken + b.len() > cut {
                live.apply(&b);
                break;
            }
            taken += b.len();
            live.apply(&b);
        }
        let mut back = restored(&live);
        same_answers(&live, &back, &mut r, 31.0 * 3600.0)?;
        // The server's start-up takes the log's tail in as a rebuild does: loaded, then
        // derived once.
        let mut loaded = restored(&live);
        for b in batches {
            live.apply(&b);
            back.apply(&b);
            loaded.load(&b);
        }
        loaded.settle();
        same_answers(&live, &back, &mut r, 31.0 * 3600.0)?;
        same_answers(&live, &loaded, &mut r, 31.0 * 3600.0)?;
        let before = at(12.0 * 3600.0).timestamp_millis();
        prop_assert_eq!(live.prune(before), back.prune(before));
        same_answers(&live, &back, &mut r, 31.0 * 3600.0)?;
    }
}

/// Read back, the open conversations' queues, agents, skills and customers point at one
/// shared copy each, as they do live: not a copy per field. Closed ones are sealed, as live.
#[test]
fn a_restored_engine_shares_its_strings() {
    let mut live = Engine::new();
    live.apply(&day(7, 40));
    let back = restored(&live);
    let mut names = back.names.clone();
    let (mut convs, mut sealed) = (0, 0);
    for (idx, c) in back.convs.iter() {
        let closed = back.facts(idx).is_some_and(|f| f.status == Status::Closed);
        assert_eq!(c.is_sealed(), closed, "{} is sealed once closed", c.id());
        sealed += usize::from(c.is_sealed());
        let (Some(f), Some(created)) = (back.facts(idx), c.creation()) else {
            continue;
        };
        convs += 1;
        assert!(
            Arc::ptr_eq(&f.queue, &names.get(&f.queue)),
            "queue of {}",
            c.id()
        );
        assert!(Arc::ptr_eq(&created.queue, &names.get(&created.queue)));
        assert!(
            Arc::ptr_eq(&f.customer, &created.customer),
            "customer of {}",
            c.id()
        );
        assert!(
            Arc::ptr_eq(&f.skills, &created.skills),
            "skills of {}",
            c.id()
        );
        assert!(Arc::ptr_eq(&f.skills, &names.skills(&f.skills)));
        for o in &f.offers {
            assert!(
                Arc::ptr_eq(&o.agent, &names.get(&o.agent)),
                "offer of {}",
                c.id()
            );
        }
        for p in &f.parts {
            assert!(
                Arc::ptr_eq(&p.agent, &names.get(&p.agent)),
                "part of {}",
                c.id()
            );
        }
    }
    assert!(convs >= 20, "{convs} open conversations");
    assert!(sealed >= 10, "{sealed} sealed conversations");
    assert_eq!(back.convs.len(), live.convs.len());
    for i in live.convs.held() {
        let id = live.convs[i].id();
        assert_eq!(back.convs.find(id), Some(i), "slot of {id}");
    }
}
