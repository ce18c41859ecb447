//! Answering a KPI question from the engine: live from the per-minute grid and the live set,
//! or — for replay (`at=`) and agent/skill/status filters — from every conversation's facts
//! as of the instant, through the same window arithmetic.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::agents::{AgentView, agent_kpis};
use super::breakdown::fill_in_queue;
use super::conv::{Cell, FactsRef};
use super::engine::Engine;
use super::facts::{Facts, Status};
use super::fast::FastMap;
use super::grid::{Grid, HOUR_MS, InScope, Rollup, SumSource};
use super::limits::Limits;
use super::now::{AlertMemo, CellNow};
use super::query::{Query, Window};
use super::report::{ChannelRow, HourRow, KpiReport, Windowed, ratio, sl_slot};
use super::sums::{FIVE_MIN_MS, OfferScope, Part, Sums};

/// Conversations as of the evaluation instant: the engine's own, read in place (live), or
/// derived at the instant (replay, agent/skill/status filters).
pub(super) struct View<'e> {
    engine: &'e Engine,
    /// (facts, queue threshold, cell) per conversation index, when derived.
    derived: Option<Vec<Option<(Facts, u32, Cell)>>>,
    /// Indexes not closed at the instant.
    pub live: Cow<'e, [usize]>,
    /// A grid built for this view (replay, filters), or `None` to use the engine's.
    pub grid: Option<Grid>,
    /// The only conversations that pass the query's filters, with their facts, when known
    /// (a live agent filter's: those offered to the agents).
    few: Option<Vec<InScope<'e>>>,
}

impl View<'_> {
    /// A conversation's facts, threshold and cell; live, a closed conversation's facts are
    /// derived from its steps here ([`Engine::facts`]).
    pub(super) fn entry(&self, idx: usize) -> Option<(FactsRef<'_>, u32, Cell)> {
        match &self.derived {
            Some(all) => all
                .get(idx)?
                .as_ref()
                .map(|(f, sl, c)| (FactsRef::Held(f), *sl, *c)),
            None => {
                let c = self.engine.convs.get(idx)?;
                Some((self.engine.facts(idx)?, c.sl_own, c.cell()?))
            }
        }
    }

    /// Whether this is the engine's live state (not derived at an instant).
    pub(super) fn is_live(&self) -> bool {
        self.derived.is_none()
    }

    /// The facts of a conversation live at the view's instant (or any, when derived at an
    /// instant), read in place. Live, a closed conversation's facts are not held: read those
    /// through [`View::entry`].
    pub(super) fn get(&self, idx: usize) -> Option<&Facts> {
        match &self.derived {
            Some(all) => all.get(idx)?.as_ref().map(|(f, _, _)| f),
            None => self.engine.convs.get(idx)?.held(),
        }
    }

    /// The conversations live at the instant that can pass the query's filters: under a live
    /// agent filter those offered to the agents that are still live (a few hundred), where
    /// the live list holds every live conversation on the floor.
    pub(super) fn live_in_scope(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match (&self.few, self.is_live()) {
            (Some(few), true) => Box::new(
                few.iter()
                    .map(|c| c.idx)
                    .filter(|&i| self.engine.convs.get(i).is_some_and(|c| c.is_live())),
            ),
            _ => Box::new(self.live.iter().copied()),
        }
    }

    /// Every conversation's entry.
    pub(super) fn entries(&self) -> Box<dyn Iterator<Item = (FactsRef<'_>, u32, Cell)> + '_> {
        if let Some(few) = &self.few {
            return Box::new(
                few.iter()
                    .map(|c| (FactsRef::Held(&c.facts), c.sl_own, c.cell)),
            );
        }
        let n = self
            .derived
            .as_ref()
            .map_or(self.engine.convs.slots(), Vec::len);
        Box::new((0..n).filter_map(|i| self.entry(i)))
    }
}

/// What one pass over the conversations in scope that are live at the instant finds for the
/// queue and channel rows and the sentiment alerts.
#[derive(Default)]
pub(super) struct NowValues<'v> {
    /// In queue and longest current wait (ms), per queue.
    pub by_queue: HashMap<&'v str, (u64, i64)>,
    /// In queue, per channel.
    pub by_channel: HashMap<crate::model::event::Channel, u64>,
    /// Conversations at or below the sentiment threshold, in id order.
    pub negative: Vec<Negative<'v>>,
}

/// A conversation at or below its queue's sentiment threshold.
pub(super) struct Negative<'v> {
    /// The conversation.
    pub idx: usize,
    /// Its queue's threshold.
    pub limit: i8,
    /// Where its cell keeps its alert (live reports filtered by queue and channel only).
    pub memo: Option<&'v AlertMemo>,
}

/// Start of the hour containing `t` in `tz` (ms).
fn hour_start(tz: Tz, t: i64) -> i64 {
    let utc = DateTime::<Utc>::from_timestamp_millis(t).unwrap_or_default();
    let offset = i64::from(
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    );
    let local = t + offset * 1000;
    local - local.rem_euclid(HOUR_MS) - offset * 1000
}

/// Start of the window ending at `t` (ms).
pub fn window_start(window: Window, tz: Tz, t: i64) -> i64 {
    match window {
        Window::Hours(h) => t - i64::from(h) * HOUR_MS,
        Window::Today => {
            let utc = DateTime::<Utc>::from_timestamp_millis(t).unwrap_or_default();
            let date = utc.with_timezone(&tz).date_naive();
            (0..3)
                .find_map(|h| {
                    tz.from_local_datetime(&date.and_hms_opt(h, 0, 0)?)
                        .earliest()
                })
                .map_or(t, |d| d.timestamp_millis())
        }
    }
}

fn rfc3339(t: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(t)
        .unwrap_or_default()
        .with_timezone(&tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

impl Engine {
    /// Every KPI of KPIS.md for `q`, at `now` unless the query replays a past instant.
    pub fn report(&self, q: &Query, now: DateTime<Utc>, limits: &Limits) -> KpiReport {
        debug_assert!(
            self.settled(),
            "Engine::load must be followed by settle before a read"
        );
        let t = q.at.unwrap_or(now).timestamp_millis();
        let from = window_start(q.window, q.tz, t).min(t);
        let queues = q.queue_set();
        // With nothing applied after the instant, the live facts are the facts at the instant
        // (running intervals aside, which no windowed sum reads): an agent filter then needs
        // only the conversations offered to those agents, not every conversation derived.
        let view = if q.at.is_none() && q.cell_only() {
            self.live_view()
        } else if q.at.is_none() && !q.agents.is_empty() && self.newest().is_none_or(|n| n <= t) {
            self.live_filtered(q, &queues)
        } else {
            self.view_at(t, q, &queues)
        };
        let source = match (&view.grid, &view.few) {
            (Some(grid), _) => SumSource::Grid(grid),
            (None, Some(few)) => SumSource::Few(few),
            (None, None) => SumSource::Grid(&self.grid),
        };
        let slot = sl_slot(q.sl_seconds);
        let queue_ok = |qi: u32| {
            queues
                .as_ref()
                .is_none_or(|qs| qs.contains(&self.queue_names[qi as usize]))
        };
        let keep = |c: &Cell| queue_ok(c.0) && (q.channels.is_empty() || q.channels.contains(&c.1));
        let lookup = |idx: usize| view.entry(idx);

        // Windowed sums, split by hour, queue and channel in one pass.
        let h0 = hour_start(q.tz, from);
        let mut hours = vec![Sums::default(); ((t - h0) / HOUR_MS + 1).max(1) as usize];
        let mut by_queue: FastMap<u32, Sums> = FastMap::default();
        let mut by_channel: BTreeMap<crate::model::event::Channel, Sums> = BTreeMap::new();
        // Rollups sum into local hours when the zone's hours start on their boundaries.
        let rollup = Rollup::aligned_to(h0);
        // Nothing applied after the instant: nothing is keyed after it either.
        let open_end = self.newest().is_none_or(|n| n <= t);
        source.fold(
            from,
            t,
            open_end,
            rollup,
            Part::All,
            keep,
            lookup,
            |m, cell, s| {
                let h = (((m - h0) / HOUR_MS).max(0) as usize).min(hours.len() - 1);
                hours[h] += s;
                *by_queue.entry(cell.0).or_default() += s;
                *by_channel.entry(cell.1).or_default() += s;
            },
        );
        let mut total = Sums::default();
        for h in &hours {
            total += h;
        }
        let mut kpis = Windowed::of(&total, slot);
        if !q.agents.is_empty() {
            // Offer KPIs under an agent filter: only the offers to those agents.
            let mut offers = Sums::default();
            for (f, sl, _) in view
                .entries()
                .filter(|(f, _, c)| keep(c) && q.keeps(f, &queues))
            {
                offers.contribute(&f, from, t + 1, sl, OfferScope::To(&q.agents));
            }
            let o = Windowed::of(&offers, slot);
            kpis.offers = o.offers;
            kpis.offers_accepted = o.offers_accepted;
            kpis.offers_rejected = o.offers_rejected;
            kpis.offers_timed_out = o.offers_timed_out;
            kpis.reject_rate = o.reject_rate;
            kpis.timeout_rate = o.timeout_rate;
            kpis.avg_acceptance_time = o.avg_acceptance_time;
        }

        let mut r = KpiReport {
            as_of: rfc3339(t, q.tz),
            window: q.window.name(),
            window_start: rfc3339(from, q.tz),
            tz: q.tz.name().to_owned(),
            service_level_seconds: q.sl_seconds,
            kpis,
            sentiment: (-3..=3).map(|v| (v, 0)).collect(),
            waiting_over_5min: total.first_wait_over_5min,
            ..KpiReport::default()
        };
        let now = self.now_values(&mut r, &view, t, from, q, &queues, limits);
        let agents = AgentView::new(self, &view, t, from, q, &queues, false);
        agent_kpis(&mut r, &agents);
        r.conversations_per_agent = ratio(r.kpis.incoming, r.agents_logged_in as i64);

        r.hourly = hours
            .iter()
            .enumerate()
            .map(|(i, s)| HourRow {
                hour: rfc3339(h0 + i as i64 * HOUR_MS, q.tz),
                kpis: Windowed::of(s, slot),
            })
            .collect();
        r.by_channel = by_channel
            .iter()
            .map(|(c, s)| ChannelRow {
                channel: c.as_str().to_owned(),
                in_queue: 0,
                kpis: Windowed::of(s, slot),
            })
            .collect();
        r.by_queue = self.queue_rows(
            &by_queue, &source, &keep, &lookup, &agents, t, slot, &queues,
        );
        fill_in_queue(&mut r, &now);
        // A queue shows once it was upserted, or once it has something to show.
        r.by_queue.retain(|row| {
            self.queues
                .get(&row.queue_id)
                .is_some_and(|x| x.upserted_by(t))
                || row.in_queue > 0
                || row.kpis != Windowed::default()
        });
        r.by_queue.sort_by(|a, b| a.queue_id.cmp(&b.queue_id));
        self.alerts(&mut r, &view, &now.negative, limits);
        debug_assert!(r.alerts.is_sorted_by(|a, b| a.key < b.key));
        r
    }

    pub(super) fn live_view(&self) -> View<'_> {
        View {
            engine: self,
            derived: None,
            live: Cow::Borrowed(&self.live),
            grid: None,
            few: None,
        }
    }

    /// The live view under an agent filter: the conversations offered to the filtered agents
    /// that pass every filter, with their live facts, summed as a report reads them.
    fn live_filtered(&self, q: &Query, queues: &Option<Vec<String>>) -> View<'_> {
        let mut candidates: Vec<usize> = q
            .agents
            .iter()
            .filter_map(|a| self.agent_convs.get(a.as_str()))
            .flatten()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let few = candidates
            .into_iter()
            .filter_map(|idx| {
                let c = &self.convs[idx];
                let (f, cell) = (self.facts(idx)?, c.cell()?);
                q.keeps(&f, queues)
                    .then(|| InScope::new(idx, f, c.sl_own, cell))
            })
            .collect();
        View {
            engine: self,
            derived: None,
            live: Cow::Borrowed(&self.live),
            grid: None,
            few: Some(few),
        }
    }

    pub(super) fn view_at(&self, t: i64, q: &Query, queues: &Option<Vec<String>>) -> View<'_> {
        let mut grid = Grid::default();
        let mut facts = Vec::with_capacity(self.convs.slots());
        let mut live = Vec::new();
        for (idx, c) in self.convs.iter() {
            let entry = c.derive(&self.names, t).map(|f| {
                let sl = self.sl_seconds(&f.queue);
                let qi = self
                    .queue_names
                    .iter()
                    .position(|n| **n == *f.queue)
                    .unwrap_or(0) as u32;
                let cell = (qi, f.channel);
                (f, sl, cell)
            });
            if let Some((f, sl, cell)) = &entry {
                if f.status != Status::Closed {
                    live.push(idx);
                }
                if q.keeps(f, queues) {
                    grid.put(idx, f, *cell, *sl, false);
                }
            }
            facts.push(entry);
        }
        View {
            engine: self,
            derived: Some(facts),
            live: Cow::Owned(live),
            grid: Some(grid),
            few: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn now_values<'v>(
        &'v self,
        r: &mut KpiReport,
        view: &'v View,
        t: i64,
        from: i64,
        q: &Query,
        queues: &Option<Vec<String>>,
        limits: &Limits,
    ) -> NowValues<'v> {
        if view.is_live() && q.cell_only() {
            return self.now_kept(r, t, from, q, queues, limits);
        }
        let mut now = NowValues::default();
        let mut longest: Option<i64> = None;
        for idx in view.live_in_scope() {
            let Some(f) = view.get(idx).filter(|f| q.keeps(f, queues)) else {
                continue;
            };
            match f.status {
                Status::Open => r.ongoing.open += 1,
                Status::Active => r.ongoing.active += 1,
                Status::Waiting => r.ongoing.waiting += 1,
                Status::WrapUp => r.ongoing.wrap_up += 1,
                Status::Closed => {}
            }
            if f.in_queue() {
                r.in_queue += 1;
                let wait = t - f.queue_entry;
                longest = Some(longest.map_or(wait, |l| l.max(wait)));
                let row = now.by_queue.entry(&f.queue).or_insert((0, wait));
                *row = (row.0 + 1, row.1.max(wait));
                *now.by_channel.entry(f.channel).or_default() += 1;
            }
            if f.first_accepted.is_none()
                && from <= f.created
                && f.created <= t
                && t - f.created > FIVE_MIN_MS
            {
                r.waiting_over_5min += 1;
            }
            *r.sentiment.entry(f.sentiment).or_default() += 1;
            let limit = limits.for_queue(&f.queue).sentiment;
            if f.sentiment <= limit {
                r.negative_sentiment += 1;
                now.negative.push(Negative {
                    idx,
                    limit,
                    memo: None,
                });
            }
        }
        r.longest_wait = longest.map(|l| l as f64 / 1000.0);
        now.negative.sort_by_cached_key(|n| self.convs[n.idx].id());
        now
    }

    /// The now-values of a live question filtered by queue and channel only, from the sums
    /// kept per cell: the same numbers as the pass over the live conversations.
    fn now_kept<'v>(
        &'v self,
        r: &mut KpiReport,
        t: i64,
        from: i64,
        q: &Query,
        queues: &Option<Vec<String>>,
        limits: &Limits,
    ) -> NowValues<'v> {
        let mut now = NowValues::default();
        let mut longest: Option<i64> = None;
        // The cells in scope with their sentiment thresholds, the highest, and how many
        // alerts they raise.
        let mut scope: Vec<(Cell, &CellNow, i8)> = Vec::new();
        let mut upto = i8::MIN;
        let mut raised = 0;
        for (cell, c) in self.now.cells() {
            let queue = self.queue_names[cell.0 as usize].as_str();
            if queues
                .as_ref()
                .is_some_and(|qs| !qs.iter().any(|x| x == queue))
                || !(q.channels.is_empty() || q.channels.contains(&cell.1))
            {
                continue;
            }
            r.ongoing.open += c.status[0];
            r.ongoing.active += c.status[1];
            r.ongoing.waiting += c.status[2];
            r.ongoing.wrap_up += c.status[3];
            if let Some(entry) = c.entries.first() {
                let in_queue = c.entries.len();
                r.in_queue += in_queue;
                let wait = t - entry;
                longest = Some(longest.map_or(wait, |l| l.max(wait)));
                let row = now.by_queue.entry(queue).or_insert((0, wait));
                *row = (row.0 + in_queue, row.1.max(wait));
                *now.by_channel.entry(cell.1).or_default() += in_queue;
            }
            // Not accepted, created in the window more than 5 min before `t`.
            r.waiting_over_5min += c.unaccepted.count_in(from, t - FIVE_MIN_MS) as i64;
            let negative_at = limits.for_queue(queue).sentiment;
            for (v, set) in (-3i8..=3).zip(&c.sentiment) {
                let n = set.len() as u64;
                *r.sentiment.entry(v).or_default() += n;
                if v <= negative_at {
                    r.negative_sentiment += n;
                    raised += set.len();
                }
            }
            scope.push((*cell, c, negative_at));
            upto = upto.max(negative_at);
        }
        r.longest_wait = longest.map(|l| l as f64 / 1000.0);
        // In id order: a few (a filter to some cells) sorted, many merged from the id-ordered
        // sets of the whole floor.
        if raised * 4 < self.now.felt_upto(upto) {
            let mut few: Vec<(usize, i8, i8)> = Vec::with_capacity(raised);
            for &(_, c, limit) in &scope {
                for (v, set) in (-3i8..=limit.min(3)).zip(&c.sentiment) {
                    few.extend(set.iter().map(|&idx| (idx as usize, v, limit)));
                }
            }
            few.sort_unstable_by(|a, b| self.convs[a.0].id().cmp(self.convs[b.0].id()));
            now.negative
                .extend(few.into_iter().map(|(idx, v, limit)| Negative {
                    idx,
                    limit,
                    memo: self.now.felt(v, self.convs[idx].id()).map(|f| &f.memo),
                }));
        } else if !scope.is_empty() {
            let limit_in: FastMap<Cell, i8> = scope.iter().map(|&(cell, _, l)| (cell, l)).collect();
            self.now.each_felt_upto(upto, |v, felt| {
                if let Some(&limit) = limit_in.get(&felt.cell).filter(|&&l| v <= l) {
                    now.negative.push(Negative {
                        idx: felt.idx as usize,
                        limit,
                        memo: Some(&felt.memo),
                    });
                }
            });
        }
        now
    }
}
