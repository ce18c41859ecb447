//! What one pass over the live conversations in a report's scope finds: ongoing and in-queue
//! counts, the longest wait, sentiment, and the conversations at or below their queue's
//! sentiment threshold — from the per-cell sums kept live, or from each conversation's facts.

use std::collections::HashMap;

use super::ask::Ask;
use super::facts::Status;
use super::limits::Limits;
use super::report::KpiReport;
use super::sums::FIVE_MIN_MS;
use crate::kpi::engine::Engine;
use crate::kpi::store::conv::Cell;
use crate::kpi::store::fast::FastMap;
use crate::kpi::store::now::{AlertMemo, CellNow};

/// What one pass over the conversations in scope that are live at the instant finds for the
/// queue and channel rows and the sentiment alerts.
#[derive(Default)]
pub(in crate::kpi) struct NowValues<'v> {
    /// In queue and longest current wait (ms), per queue.
    pub by_queue: HashMap<&'v str, (u64, i64)>,
    /// In queue, per channel.
    pub by_channel: HashMap<crate::model::event::Channel, u64>,
    /// Conversations at or below the sentiment threshold, in id order.
    pub negative: Vec<Negative<'v>>,
}

/// A conversation at or below its queue's sentiment threshold.
pub(in crate::kpi) struct Negative<'v> {
    /// The conversation.
    pub idx: usize,
    /// Its queue's threshold.
    pub limit: i8,
    /// Where its cell keeps its alert (live reports filtered by queue and channel only).
    pub memo: Option<&'v AlertMemo>,
}

impl Engine {
    /// The now-values of `ask`'s view at its instant, counted into `r` as they are found.
    pub(in crate::kpi) fn now_values<'v>(
        &'v self,
        r: &mut KpiReport,
        ask: &'v Ask,
        limits: &Limits,
    ) -> NowValues<'v> {
        let (view, q, t, from, queues) = (&ask.view, ask.q, ask.t, ask.from, &ask.queues);
        if view.is_live() && q.cell_only() {
            return self.now_kept(r, ask, limits);
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
    fn now_kept<'v>(&'v self, r: &mut KpiReport, ask: &Ask, limits: &Limits) -> NowValues<'v> {
        let (q, t, from, queues) = (ask.q, ask.t, ask.from, &ask.queues);
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
