//! One agent's window stats read from the live per-agent aggregates ([`crate::kpi::store::agg`]):
//! whole quarters from their rollups, the partial quarters at the window's edges from minute
//! sums and only the partial minutes from their conversations, and the span still running.

use super::AgentRow;
use crate::kpi::domain::agent_sums::{AgentSums, for_each_keyed};
use crate::kpi::domain::ask::Ask;
use crate::kpi::engine::Engine;
use crate::kpi::store::agg::{AgentAgg, logged_ms};
use crate::kpi::store::fast::FastMap;
use crate::kpi::store::grid::{MINUTE_MS, minute_ceil, minute_of, quarter_ceil, quarter_of};
use crate::model::event::Presence;

impl AgentRow {
    /// The window stats of agent `id` from the live aggregates: whole quarters from the
    /// rollups, the partial ones at both ends from `edge`, occupancy with the span still
    /// running (since `open`) added to the finished ones.
    // Called once per agent in scope by `AgentsInScope::new`, from another module (and
    // codegen unit): inlined there, as it was while they shared a module.
    #[inline]
    pub(super) fn add_aggregates(
        &mut self,
        ask: &Ask,
        agg: Option<&AgentAgg>,
        presence: &[(i64, u64, Presence)],
        open: Option<i64>,
        edge: &AgentSums,
        whole: (i64, i64),
    ) {
        let (from, t) = (ask.from, ask.t);
        let mut s = agg.map_or_else(AgentSums::default, |g| g.sums(whole.0, whole.1));
        // The occupancy of those whole quarters, for `covered` below (the edges add none).
        let whole_covered = s.covered_ms;
        s += edge;
        self.offers = s.offers;
        self.offers_accepted = s.offers_accepted;
        self.offers_rejected = s.offers_declined;
        self.offers_timed_out = s.offers_timed_out;
        self.acceptance_ms = s.acceptance_ms;
        self.closed = s.closed as u64;
        self.handle = (s.handle_ms, s.closed);
        // Nothing applied after `t`: no finished span runs past it.
        let open_end = ask.open_end;
        // Occupancy of whole quarters `[a, b)`: those summed above are not summed twice, and a
        // head of them is what they hold less the quarters after it, when those are fewer (a
        // span running since late in the window).
        let whole_part = |g: &AgentAgg, a: i64, b: i64| {
            if (a, b) == whole {
                whole_covered
            } else if a == whole.0 && b <= whole.1 && whole.1 - b < b - a {
                whole_covered - g.covered_sum(b, whole.1)
            } else {
                g.covered_sum(a, b)
            }
        };
        let covered_in = |lo: i64, hi: i64, open_end: bool| {
            agg.map_or(0, |g| {
                g.covered_with(presence, lo, hi, open_end, |a, b| whole_part(g, a, b))
            })
        };
        // With a span running since `since`, the agent is occupied from then on while logged
        // in; the finished spans count before it.
        self.occupied.0 = match open.map(|s| s.max(from)).filter(|&s| s < t) {
            Some(since) => covered_in(from, since, false) + logged_ms(presence, since, t),
            None => covered_in(from, t, open_end),
        };
    }
}

/// The offer and handle contributions at the partial quarters of `[from, t]` (live view), by
/// agent number ([`crate::kpi::store::agg::Aggs::number`]), and the whole quarters between
/// them. Whole minutes come from the per-minute sums; only a partial minute reads its
/// conversations. When nothing keyed is later than `t` (the usual live case), the window's end
/// needs no partial quarter at all.
pub(in crate::kpi) fn edges(
    engine: &Engine,
    from: i64,
    t: i64,
) -> (FastMap<u32, AgentSums>, (i64, i64)) {
    let agg = &engine.agg;
    let hi = t + 1;
    // Past `hi` there is nothing: the end may round up to any boundary.
    let open_end = agg.latest() < hi;
    let round_up = |hi: i64, ceil: fn(i64) -> i64, floor: fn(i64) -> i64| {
        if open_end { ceil(hi) } else { floor(hi) }
    };
    let (qa, qb) = (quarter_ceil(from), round_up(hi, quarter_ceil, quarter_of));
    let (parts, whole) = if qa <= qb {
        ([(from, qa), (qb, hi)], (qa, qb))
    } else {
        ([(from, hi), (0, 0)], (0, 0))
    };
    let mut out = FastMap::<u32, AgentSums>::default();
    out.reserve(engine.agents.len());
    for (lo, hi) in parts.into_iter().filter(|(lo, hi)| lo < hi) {
        let (ma, mb) = (minute_ceil(lo), round_up(hi, minute_ceil, minute_of));
        let scans = if ma <= mb {
            agg.add_minutes(ma, mb, &mut out);
            [(lo, ma), (mb, hi)]
        } else {
            [(lo, hi), (0, 0)]
        };
        for (lo, hi) in scans.into_iter().filter(|(lo, hi)| lo < hi) {
            for (m, ids) in engine.grid.minutes(lo, hi) {
                let (lo, hi) = (lo.max(m), hi.min(m + MINUTE_MS));
                for &idx in ids {
                    let Some(f) = engine.facts(idx as usize) else {
                        continue;
                    };
                    for_each_keyed(&f, |agent, at, s| {
                        if lo <= at
                            && at < hi
                            && let Some(n) = agg.number(agent)
                        {
                            *out.entry(n).or_default() += &s;
                        }
                    });
                }
            }
        }
    }
    (out, whole)
}
