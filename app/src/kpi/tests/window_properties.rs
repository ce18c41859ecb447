//! Properties of the windowed sums: the grid over any window and through any rollup, and each
//! agent's offers and closes, equal a pass over every conversation, pruned or not.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::json;

use super::properties::{Rng, day};
use super::{at, conv, created};
use crate::kpi::Engine;
use crate::kpi::domain::sums::{OfferScope, Sums, SumsNeeded};
use crate::kpi::store::conv::Cell;
use crate::kpi::store::grid::{QUARTER_MS, Reading, Rollup};
use crate::model::event::Event;

/// The engine's grid summed over `[from, t]`, every cell, through `rollup`.
fn grid_total(e: &Engine, from: i64, t: i64, open_end: bool, rollup: Rollup) -> Sums {
    let mut sum = Sums::default();
    for s in grid_cells(e, from, t, open_end, rollup, SumsNeeded::All).values() {
        sum += s;
    }
    sum
}

/// The engine's grid over `[from, t]`, per cell, through `rollup`, with the `needed` sums of the
/// partial minutes.
fn grid_cells(
    e: &Engine,
    from: i64,
    t: i64,
    open_end: bool,
    rollup: Rollup,
    needed: SumsNeeded,
) -> BTreeMap<Cell, Sums> {
    let lookup = |idx: usize| {
        let c = &e.convs[idx];
        Some((e.facts(idx)?, c.sl_own, c.cell()?))
    };
    let mut cells = BTreeMap::<Cell, Sums>::new();
    let reading = Reading {
        from,
        to: t,
        open_end,
        rollup,
        needed,
    };
    e.grid.fold(
        &reading,
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

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
        // The Erlang C inputs' folds: what they read equals the same sums when every sum is read.
        let arrivals = |c: &BTreeMap<Cell, Sums>| c.iter().map(|(k, s)| (*k, s.incoming)).filter(|(_, n)| *n != 0).collect::<Vec<_>>();
        let handled = |c: &BTreeMap<Cell, Sums>| c.iter().map(|(k, s)| (*k, s.handle_ms, s.handle_n)).filter(|(_, _, n)| *n != 0).collect::<Vec<_>>();
        for rollup in [Rollup::Minutes, Rollup::Quarters, Rollup::Hours] {
            for end in [false, true].into_iter().filter(|&end| open_end || !end) {
                prop_assert_eq!(&grid_cells(&e, from, t, end, rollup, SumsNeeded::All), &expect);
                let cells = grid_cells(&e, from, t, end, rollup, SumsNeeded::Arrivals);
                prop_assert_eq!(arrivals(&cells), arrivals(&expect));
                let cells = grid_cells(&e, from, t, end, rollup, SumsNeeded::Handled);
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
        use crate::kpi::domain::agent_sums::{AgentSums, for_each_keyed};
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
            let (edges, whole) = crate::kpi::domain::agents::edges(&e, from, t);
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
