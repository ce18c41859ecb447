//! Properties: the incremental engine equals evaluation from scratch; arrival order and
//! batching never change a number; replay at a past instant equals the live view then.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::{at, conv, created, ev};
use crate::kpi::grid::{Cell, QUARTER_MS, Rollup};
use crate::kpi::sums::{OfferScope, Part, Sums};
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

/// The engine's grid summed over `[from, t]`, every cell, through `rollup`.
fn grid_total(e: &Engine, from: i64, t: i64, open_end: bool, rollup: Rollup) -> Sums {
    let mut sum = Sums::default();
    for s in grid_cells(e, from, t, open_end, rollup, Part::All).values() {
        sum += s;
    }
    sum
}

/// The engine's grid over `[from, t]`, per cell, through `rollup`, with `part` of the
/// partial minutes' sums.
fn grid_cells(
    e: &Engine,
    from: i64,
    t: i64,
    open_end: bool,
    rollup: Rollup,
    part: Part,
) -> BTreeMap<Cell, Sums> {
    let lookup = |idx: usize| {
        let c = &e.convs[idx];
        Some((e.facts(idx)?, c.sl_own, c.cell()?))
    };
    let mut cells = BTreeMap::<Cell, Sums>::new();
    e.grid.fold(
        from,
        t,
        open_end,
        rollup,
        part,
        |_| true,
        lookup,
        |_, c, s| *cells.entry(*c).or_default() += s,
    );
    cells.retain(|_, s| *s != Sums::default());
    cells
}

/// A busy three minutes: conversations created in two queues and three channels, most of
/// them offered, accepted and closed within seconds, so that each minute holds several cells.
fn busy_minutes(r: &mut Rng, n: usize) -> Vec<Event> {
    let mut out = Vec::new();
    for c in 0..n {
        let id = format!("b{c}");
        // One in four starts on a minute's first millisecond: the edges' bounds are tested.
        let mut t = match r.below(4) {
            0 => (r.below(3) * 60) as f64,
            _ => r.below(180_000) as f64 / 1000.0,
        };
        let queue = ["q1", "q2"][r.below(2) as usize];
        out.push(created(
            &id,
            t,
            queue,
            ["chat", "voice", "email"][r.below(3) as usize],
        ));
        let agent = format!("a{}", r.below(3));
        let steps = [
            ("offered", json!({"agent_id": agent, "by": "routing"})),
            ("accepted", json!({"agent_id": agent})),
            ("closed", json!({"reason": "resolved"})),
        ];
        let abandoned = [("closed", json!({"reason": "abandoned"}))];
        // One in five is abandoned before anyone accepts it (closed, with no handle time).
        let steps = match r.below(5) {
            0 => abandoned.to_vec(),
            _ => steps.into_iter().take(r.below(4) as usize).collect(),
        };
        for (ty, fields) in steps {
            t += 0.001 + r.below(60_000) as f64 / 1000.0;
            out.push(conv(&id, ty, t, fields));
        }
    }
    out
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
                crate::kpi::facts::Status::Open,
                crate::kpi::facts::Status::Closed,
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

    /// The grid over any window, edges inside minutes, gives each cell exactly what its
    /// conversations contribute to the window one by one.
    #[test]
    fn the_grid_over_any_window_equals_a_pass_over_every_conversation(
        seed in any::<u64>(),
        n in 2usize..80,
        start in 0u64..200_000,
        len in 0u64..300_000,
    ) {
        let events = busy_minutes(&mut Rng(seed | 1), n);
        let mut e = Engine::new();
        e.apply(&events);
        let from = at(0.0).timestamp_millis() + start as i64;
        let t = from + len as i64;
        let mut expect = BTreeMap::<Cell, Sums>::new();
        for idx in 0..e.convs.slots() {
            if let (Some(f), Some(cell)) = (e.facts(idx), e.convs[idx].cell()) {
                let s = expect.entry(cell).or_default();
                s.contribute(&f, from, t + 1, e.convs[idx].sl_own, OfferScope::All);
            }
        }
        expect.retain(|_, s| *s != Sums::default());
        let open_end = e.newest().is_none_or(|n| n <= t);
        // The Erlang C inputs' folds: what they read equals the same sums of every part.
        let arrivals = |c: &BTreeMap<Cell, Sums>| c.iter().map(|(k, s)| (*k, s.incoming)).filter(|(_, n)| *n != 0).collect::<Vec<_>>();
        let handled = |c: &BTreeMap<Cell, Sums>| c.iter().map(|(k, s)| (*k, s.handle_ms, s.handle_n)).filter(|(_, _, n)| *n != 0).collect::<Vec<_>>();
        for rollup in [Rollup::Minutes, Rollup::Quarters, Rollup::Hours] {
            for end in [false, true].into_iter().filter(|&end| open_end || !end) {
                prop_assert_eq!(&grid_cells(&e, from, t, end, rollup, Part::All), &expect);
                let cells = grid_cells(&e, from, t, end, rollup, Part::Arrivals);
                prop_assert_eq!(arrivals(&cells), arrivals(&expect));
                let cells = grid_cells(&e, from, t, end, rollup, Part::Handled);
                prop_assert_eq!(handled(&cells), handled(&expect));
            }
        }
    }

    /// After a prune at any instant, the quarter and the hour holding the cut still hold the
    /// sums of their minutes that are left: a window reaching back before the cut reads the
    /// same through any rollup.
    #[test]
    fn rollups_hold_what_is_left_of_their_minutes_after_a_prune(
        seed in any::<u64>(),
        n in 5usize..60,
        cut in 3_600u64..100_000,
        back in 0u64..7_200,
        len in 0u64..90_000,
    ) {
        let events = day(seed, n);
        let mut e = Engine::new();
        e.apply(&events);
        let cut = at(cut as f64 + 0.377).timestamp_millis();
        e.prune(cut);
        let from = cut - back as i64 * 1000 - 211;
        let t = from + len as i64 * 1000;
        let minutes = grid_total(&e, from, t, false, Rollup::Minutes);
        prop_assert_eq!(&grid_total(&e, from, t, false, Rollup::Quarters), &minutes);
        prop_assert_eq!(&grid_total(&e, from, t, false, Rollup::Hours), &minutes);
    }

    /// Each agent's offers and closes over any `[from, t]` (whole quarters from the rollups,
    /// whole minutes from the per-minute sums, partial minutes from their conversations)
    /// equal a pass over every conversation, whether or not anything happened after `t`.
    #[test]
    fn agent_window_sums_equal_a_pass_over_every_conversation(
        seed in any::<u64>(),
        n in 5usize..80,
        start in 0u64..120_000,
        len in 0u64..90_000,
    ) {
        use crate::kpi::agg::{AgentSums, for_each_keyed};
        let events = day(seed, n);
        let mut e = Engine::new();
        e.apply(&events);
        // Seconds with odd milliseconds: the edges fall inside minutes and quarters. A second
        // window ends just after the newest event, so that its last minute and quarter hold
        // something when they are read whole.
        let from = at(start as f64 + 0.257).timestamp_millis();
        let t = from + len as i64 * 1000 + 613;
        let newest = e.newest().unwrap_or(t);
        let end = newest + (len as i64 % 50) * 1000;
        for (from, t) in [(from, t), (from.min(end), end)] {
            let mut expect = std::collections::BTreeMap::<String, AgentSums>::new();
            for idx in 0..e.convs.slots() {
                if let Some(f) = e.facts(idx) {
                    for_each_keyed(&f, |agent, at, s| {
                        if from <= at && at <= t {
                            *expect.entry(agent.to_owned()).or_default() += &s;
                        }
                    });
                }
            }
            // The grid: with nothing applied after `t`, reading `t`'s minute whole gives
            // what summing its conversations up to `t` gives.
            if newest <= t {
                // Every rollup gives the minutes' sums; an open end, the conversations'.
                let exact = grid_total(&e, from, t, false, Rollup::Minutes);
                for rollup in [Rollup::Minutes, Rollup::Quarters, Rollup::Hours] {
                    prop_assert_eq!(&grid_total(&e, from, t, true, rollup), &exact);
                    prop_assert_eq!(&grid_total(&e, from, t, false, rollup), &exact);
                }
            }
            let (edges, whole) = crate::kpi::agents::edges(&e, from, t);
            let ids: std::collections::BTreeSet<String> =
                expect.keys().cloned().chain(e.agents().map(|(id, _)| id.clone())).collect();
            for id in ids {
                let mut got =
                    e.agg.get(&id).map_or_else(AgentSums::default, |g| g.sums(whole.0, whole.1));
                if let Some(edge) = e.agg.number(&id).and_then(|n| edges.get(&n)) {
                    got += edge;
                }
                got.covered_ms = 0;
                prop_assert_eq!(got, expect.get(&id).copied().unwrap_or_default(), "agent {}", id);
                // Occupancy: with nothing applied after `t`, reading `t`'s quarter whole
                // gives what walking its span changes up to `t` gives.
                if let (Some(g), Some((_, rec))) =
                    (e.agg.get(&id), e.agents().find(|(a, _)| **a == id))
                    && newest <= t
                {
                    prop_assert_eq!(
                        g.covered(&rec.presence, from, t, true),
                        g.covered(&rec.presence, from, t, false),
                        "agent {}", id
                    );
                }
                // A part of one quarter: its kept total less the parts outside, or a walk,
                // equals a walk over it (parts before, after and around the window's ends).
                if let Some((g, (_, rec))) = e.agg.get(&id).zip(e.agents().find(|(a, _)| **a == id)) {
                    for (lo, hi) in [(from, t), (from, from + 1), (t, t + 1)].map(|(a, b)| {
                        let q = a - a.rem_euclid(QUARTER_MS);
                        [(a, b.min(q + QUARTER_MS)), (q, a), (a, q + QUARTER_MS), (q + 1, q + QUARTER_MS - 1)]
                    }).into_iter().flatten() {
                        prop_assert_eq!(
                            g.covered_part(&rec.presence, lo, hi),
                            g.covered_walked(&rec.presence, lo, hi),
                            "agent {} in [{}, {})", id, lo, hi
                        );
                    }
                }
            }
        }
    }
}
