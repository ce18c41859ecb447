//! Properties: the incremental engine equals evaluation from scratch; arrival order and
//! batching never change a number; replay at a past instant equals the live view then.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::{at, conv, created, ev};
use crate::kpi::{Engine, Limits, Query};
use crate::model::event::Event;

/// A small deterministic generator.
pub(super) struct Rng(pub u64);

impl Rng {
    pub(super) fn below(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m
    }
}

/// A random valid day: conversations walking the state machine over ~30 h (strictly
/// increasing times per conversation), three agents changing presence.
pub(super) fn day(seed: u64, n: usize) -> Vec<Event> {
    let mut r = Rng(seed | 1);
    let mut out = vec![ev(
        "queue.upserted",
        0.0,
        json!({"queue_id": "q1", "name": "One", "channels": ["chat"], "service_level_seconds": 30}),
    )];
    for a in 0..3 {
        out.push(ev("agent.upserted", 0.0, json!({"agent_id": format!("a{a}"), "name": "A",
            "queues": [if a == 2 { "q2" } else { "q1" }], "skills": [if a == 0 { "fr" } else { "en" }], "capacity": 2})));
        let mut t = 0.0;
        for _ in 0..20 {
            t += 60.0 + r.below(7200) as f64 + 0.123;
            let p = ["available", "busy", "away", "offline"][r.below(4) as usize];
            out.push(ev(
                "agent.presence",
                t,
                json!({"agent_id": format!("a{a}"), "presence": p}),
            ));
        }
    }
    for c in 0..n {
        let id = format!("c{c}");
        let mut t = r.below(30 * 3600) as f64 + r.below(1000) as f64 / 1000.0;
        let queue = ["q1", "q2"][r.below(2) as usize];
        out.push(created(
            &id,
            t,
            queue,
            ["chat", "voice", "email"][r.below(3) as usize],
        ));
        // 0 open, 1 awaiting, 2 in conversation, 3 waiting, 4 wrap-up, 5 closed
        let (mut state, mut agent) = (0, String::new());
        let mut escalated = false;
        for _ in 0..r.below(14) {
            t += 1.0 + r.below(400) as f64 + r.below(1000) as f64 / 1000.0;
            let x = r.below(10);
            let e = match (state, x) {
                (5, _) => break,
                (_, 9) => {
                    state = 5;
                    let reason =
                        ["resolved", "abandoned", "timed_out", "force_closed"][r.below(4) as usize];
                    conv(&id, "closed", t, json!({"reason": reason}))
                }
                (_, 8) if !escalated => {
                    escalated = true;
                    conv(&id, "escalated", t, json!({"kind": "customer"}))
                }
                (_, 8) => {
                    escalated = false;
                    conv(&id, "escalation_resolved", t, json!({"by_user": "s1"}))
                }
                (0, _) => {
                    agent = format!("a{}", r.below(3));
                    state = 1;
                    conv(
                        &id,
                        "offered",
                        t,
                        json!({"agent_id": agent, "by": "routing"}),
                    )
                }
                (1, 0..=5) => {
                    state = 2;
                    conv(&id, "accepted", t, json!({"agent_id": agent}))
                }
                (1, 6 | 7) => {
                    state = 0;
                    let reason = if x == 6 { "declined" } else { "timed_out" };
                    conv(
                        &id,
                        "rejected",
                        t,
                        json!({"agent_id": agent, "reason": reason}),
                    )
                }
                (1, _) | (2, 0) => {
                    let to = format!("a{}", r.below(3));
                    let e = conv(
                        &id,
                        "transferred",
                        t,
                        json!({"from_agent_id": agent, "to_agent_id": to, "by": "supervisor"}),
                    );
                    agent = to;
                    state = 1;
                    e
                }
                (2, 1 | 2) => {
                    let from = ["customer", "agent"][r.below(2) as usize];
                    conv(
                        &id,
                        "message",
                        t,
                        json!({"from": from, "sentiment": r.below(7) as i64 - 3}),
                    )
                }
                (2, 3) => {
                    state = 3;
                    conv(&id, "waiting", t, json!({}))
                }
                (2, 4) => {
                    state = 0;
                    conv(
                        &id,
                        "transferred",
                        t,
                        json!({"from_agent_id": agent, "to_queue_id": "q2", "by": "agent"}),
                    )
                }
                (2, 5) => {
                    state = 0;
                    conv(&id, "released", t, json!({"agent_id": agent}))
                }
                (2, _) => {
                    state = 4;
                    conv(&id, "ended", t, json!({}))
                }
                (3, 0..=3) => {
                    state = 2;
                    conv(&id, "resumed", t, json!({"by": "agent"}))
                }
                (3, _) => {
                    state = 0;
                    conv(&id, "resumed", t, json!({"by": "customer"}))
                }
                (4, _) => conv(
                    &id,
                    "message",
                    t,
                    json!({"from": "customer", "sentiment": -3}),
                ),
                _ => continue,
            };
            out.push(e);
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

pub(super) fn queries(r: &mut Rng) -> Vec<Query> {
    let windows = ["2h", "4h", "8h", "12h", "24h", "today"];
    let mut qs = Vec::new();
    for _ in 0..4 {
        let mut pairs = vec![("window", windows[r.below(6) as usize])];
        if r.below(2) == 0 {
            pairs.push(("queue", ["q1", "q2"][r.below(2) as usize]));
        }
        if r.below(2) == 0 {
            pairs.push((
                "channel",
                ["chat", "voice", "email,chat"][r.below(3) as usize],
            ));
        }
        if r.below(3) == 0 {
            pairs.push(("tz", "America/St_Johns"));
        }
        qs.push(Query::from_pairs(pairs).expect("query"));
    }
    qs
}

pub(super) fn with_filters(r: &mut Rng, q: &Query) -> Query {
    let mut q = q.clone();
    match r.below(3) {
        0 => q.agents = vec![format!("a{}", r.below(3))],
        1 => q.skills = vec!["en".into()],
        _ => {
            q.statuses = vec![
                crate::kpi::domain::facts::Status::Open,
                crate::kpi::domain::facts::Status::Closed,
            ]
        }
    }
    q
}

/// The paths where two reports differ, with both values.
pub(super) fn diff(a: &crate::kpi::KpiReport, b: &crate::kpi::KpiReport) -> Vec<String> {
    fn walk(p: String, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value as V;
        match (a, b) {
            (V::Object(x), V::Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    walk(
                        format!("{p}.{k}"),
                        &x.get(k).cloned().unwrap_or(V::Null),
                        &y.get(k).cloned().unwrap_or(V::Null),
                        out,
                    );
                }
            }
            (V::Array(x), V::Array(y)) if x.len() == y.len() => {
                for (i, (u, v)) in x.iter().zip(y).enumerate() {
                    walk(format!("{p}[{i}]"), u, v, out);
                }
            }
            _ if a != b => out.push(format!("{p}: {a} != {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        String::new(),
        &serde_json::to_value(a).unwrap(),
        &serde_json::to_value(b).unwrap(),
        &mut out,
    );
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The per-minute grid kept up to date event by event gives exactly what evaluating every
    /// conversation from scratch at the same instant gives, for every window and filter.
    #[test]
    fn incremental_equals_from_scratch(seed in any::<u64>(), n in 5usize..120, minute in 0i64..600) {
        let events = day(seed, n);
        let mut e = Engine::new();
        e.apply(&events);
        // Also at the newest event's instant, so the window's last minute holds an event.
        let newest = e.newest().and_then(DateTime::<Utc>::from_timestamp_millis);
        let mut r = Rng(seed ^ 0x5eed | 1);
        let mut qs = queries(&mut r);
        // Agent, skill and status filters too (an agent filter reads the live facts when
        // nothing was applied after the instant).
        qs.extend(queries(&mut r).iter().map(|q| with_filters(&mut r, q)));
        let nows = [Some(at(31.0 * 3600.0 + minute as f64 * 60.0 + 17.5)), newest];
        for now in nows.into_iter().flatten() {
            for q in &qs {
                let live = e.report(q, now, &Limits::default());
                let scratch = e.report(&Query { at: Some(now), ..q.clone() }, now, &Limits::default());
                let d = diff(&live, &scratch);
                prop_assert!(d.is_empty(), "query {:?} at {}: {:?}", q, now, d);
                // The agents table from the per-agent aggregates equals the walk of every
                // conversation derived at the same instant.
                let rows = e.agent_rows(q, now);
                let scratch = e.agent_rows(&Query { at: Some(now), ..q.clone() }, now);
                prop_assert_eq!(rows, scratch, "query {:?} at {}", q, now);
            }
        }
    }

    /// The same events in shuffled arrival order and random batches give identical KPIs.
    #[test]
    fn arrival_order_and_batching_never_change_a_number(seed in any::<u64>(), n in 5usize..40) {
        let events = day(seed, n);
        let mut r = Rng(seed ^ 0xbeef | 1);
        let mut shuffled = events.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, r.below(i as u64 + 1) as usize);
        }
        // `c` takes the same batches in as a cold rebuild does: loaded, derived once at the end.
        let (mut a, mut b, mut c) = (Engine::new(), Engine::new(), Engine::new());
        a.apply(&events);
        let mut rest = &shuffled[..];
        while !rest.is_empty() {
            let k = (1 + r.below(20) as usize).min(rest.len());
            // Within a batch, events are taken in `at` order (EVENTS.md).
            let mut batch = rest[..k].to_vec();
            batch.sort_by_key(|e| e.at);
            b.apply(&batch);
            c.load(&batch);
            rest = &rest[k..];
        }
        c.settle();
        let now = at(31.0 * 3600.0);
        for q in queries(&mut r) {
            let f = with_filters(&mut r, &q);
            for q in [q, f] {
                let want = a.report(&q, now, &Limits::default());
                for other in [&b, &c] {
                    let d = diff(&want, &other.report(&q, now, &Limits::default()));
                    prop_assert!(d.is_empty(), "query {:?}: {:?}", q, d);
                    prop_assert_eq!(a.agent_rows(&q, now), other.agent_rows(&q, now), "query {:?}", q);
                }
            }
        }
    }

    /// Replay at a past instant equals what the live view showed at that instant.
    #[test]
    fn replay_equals_the_live_view_then(seed in any::<u64>(), n in 5usize..40, cut in 1u64..30) {
        let events = day(seed, n);
        let then = at(cut as f64 * 3600.0 + 0.5);
        let mut past = Engine::new();
        let before: Vec<Event> = events.iter().filter(|e| e.at <= then).cloned().collect();
        past.apply(&before);
        let mut full = Engine::new();
        full.apply(&events);
        let mut r = Rng(seed ^ 0xfeed | 1);
        for q in queries(&mut r) {
            let live_then = past.report(&q, then, &Limits::default());
            let replay = full.report(&Query { at: Some(then), ..q.clone() }, at(31.0 * 3600.0), &Limits::default());
            let d = diff(&live_then, &replay);
            prop_assert!(d.is_empty(), "query {:?}: {:?}", q, d);
            let replay_rows = full.agent_rows(&Query { at: Some(then), ..q.clone() }, at(31.0 * 3600.0));
            prop_assert_eq!(past.agent_rows(&q, then), replay_rows, "query {:?}", q);
        }
    }

    /// The now-values kept per cell event by event (in queue, longest wait, ongoing by status,
    /// sentiment and its alerts) equal a pass over the live conversations derived from scratch,
    /// with shuffled arrival, random batches and a prune in between.
    #[test]
    fn kept_now_values_equal_a_pass_over_the_live_set(seed in any::<u64>(), n in 5usize..60, cut in 1u64..30) {
        let events = day(seed, n);
        let mut r = Rng(seed ^ 0xab1e | 1);
        let mut shuffled = events.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, r.below(i as u64 + 1) as usize);
        }
        let now = at(31.0 * 3600.0);
        // One queue with a threshold of its own (as an admin may set): both paths apply it.
        let mut limits = Limits::default();
        let q2 = Limits {
            sentiment: 0,
            ..Limits::default()
        };
        limits.per_queue.insert("q2".into(), q2);
        let mut e = Engine::new();
        let (first, second) = shuffled.split_at(shuffled.len() / 2);
        for part in [first, second] {
            let mut rest = part;
            while !rest.is_empty() {
                let k = (1 + r.below(20) as usize).min(rest.len());
                let mut batch = rest[..k].to_vec();
                batch.sort_by_key(|e| e.at);
                e.apply(&batch);
                rest = &rest[k..];
                // Now and then a live report, which keeps the sentiment alerts it builds:
                // the final ones must follow every change since.
                if r.below(3) == 0 {
                    e.report(&Query::default(), now, &limits);
                }
            }
            e.prune(at(cut as f64 * 3600.0).timestamp_millis());
        }
        for q in queries(&mut r) {
            let live = e.report(&q, now, &limits);
            let scratch = e.report(&Query { at: Some(now), ..q.clone() }, now, &limits);
            prop_assert_eq!(live.in_queue, scratch.in_queue);
            prop_assert_eq!(&live.ongoing, &scratch.ongoing);
            prop_assert_eq!(live.longest_wait, scratch.longest_wait);
            prop_assert_eq!(&live.sentiment, &scratch.sentiment);
            prop_assert_eq!(live.negative_sentiment, scratch.negative_sentiment);
            let rows = |r: &crate::kpi::KpiReport| {
                // Rows shown for their windowed sums alone may differ: the prune dropped
                // minutes the from-scratch view still sums.
                r.by_queue.iter().filter(|x| x.in_queue > 0).map(|x| (x.queue_id.clone(), x.in_queue, x.longest_wait)).collect::<Vec<_>>()
            };
            prop_assert_eq!(rows(&live), rows(&scratch));
            let sentiment = |r: &crate::kpi::KpiReport| {
                r.alerts.iter().filter(|a| a.kind == "sentiment").cloned().collect::<Vec<_>>()
            };
            prop_assert_eq!(sentiment(&live), sentiment(&scratch));
        }
    }
}
