//! The per-queue and per-channel rows of a report (with Erlang C predictions) and the
//! threshold alerts.

use std::sync::Arc;

use super::agents::AgentsInScope;
use super::ask::Ask;
use super::erlang;
use super::limits::Limits;
use super::now_values::{Negative, NowValues};
use super::report::{Alert, KpiReport, QueueRow, Windowed, sl_slot};
use super::sums::{Sums, SumsNeeded};
use crate::kpi::engine::Engine;
use crate::kpi::store::conv::Cell;
use crate::kpi::store::fast::FastMap;
use crate::kpi::store::grid::{HOUR_MS, Reading, Rollup};
use crate::kpi::store::now::AlertMemo;
use crate::kpi::view::View;

const HALF_HOUR_MS: i64 = 1_800_000;

impl Engine {
    /// One row per queue in scope of `ask`, with its window's sums (`by_queue`, by queue
    /// number) and its Erlang C prediction.
    pub(in crate::kpi) fn queue_rows(
        &self,
        ask: &Ask,
        by_queue: &FastMap<u32, Sums>,
        agents: &AgentsInScope,
    ) -> Vec<QueueRow> {
        let (t, queues) = (ask.t, &ask.queues);
        let slot = sl_slot(ask.q.sl_seconds);
        let source = ask.view.sums();
        let keep = |c: &Cell| self.keeps_cell(ask, c);
        let lookup = |idx: usize| ask.view.entry(idx);
        let reading = |from: i64, needed: SumsNeeded| Reading {
            from,
            to: t,
            open_end: ask.open_end,
            rollup: Rollup::Hours,
            needed,
        };
        let mut arrivals: FastMap<u32, i64> = FastMap::default();
        source.fold(
            &reading(t - HALF_HOUR_MS, SumsNeeded::Arrivals),
            keep,
            lookup,
            |_, c, s| {
                *arrivals.entry(c.0).or_default() += s.incoming;
            },
        );
        let mut handled: FastMap<u32, (i64, i64)> = FastMap::default();
        source.fold(
            &reading(t - HOUR_MS, SumsNeeded::Handled),
            keep,
            lookup,
            |_, c, s| {
                let h = handled.entry(c.0).or_default();
                h.0 += s.handle_ms;
                h.1 += s.handle_n;
            },
        );
        let mut rows = Vec::new();
        for (qi, id) in self.queue_names.iter().enumerate() {
            let qi = qi as u32;
            if queues.as_ref().is_some_and(|qs| !qs.contains(id)) {
                continue;
            }
            let sums = by_queue.get(&qi).cloned().unwrap_or_default();
            let rec = self.queues.get(id);
            let serving = agents.serving.get(id).copied().unwrap_or(0);
            let rate = arrivals.get(&qi).copied().unwrap_or(0) as f64 / 1800.0;
            let aht = handled
                .get(&qi)
                .and_then(|&(ms, n)| super::report::mean_s(ms, n));
            let sl = self.sl_seconds(id);
            rows.push(QueueRow {
                queue_id: id.clone(),
                name: rec.map_or_else(|| id.clone(), |q| q.name.clone()),
                service_level_seconds: sl,
                in_queue: 0,
                longest_wait: None,
                kpis: Windowed::of(&sums, slot),
                prediction: erlang::predict(rate, aht, serving, 0.8, f64::from(sl)),
            });
        }
        rows
    }

    /// Threshold alerts, in key order: per queue service level, longest wait and abandon
    /// rate; per conversation negative sentiment. A busy floor can have thousands of
    /// conversations in negative sentiment: they come in id order (`NowValues::negative`), and
    /// a live report takes the alerts kept for them (`now::AlertMemo`) and builds only the
    /// new ones, in one pass over the message's pieces rather than `format!`.
    pub(in crate::kpi) fn alerts(
        &self,
        r: &mut KpiReport,
        view: &View,
        negative: &[Negative],
        limits: &Limits,
    ) {
        let mut per_queue = Vec::new();
        for row in &r.by_queue {
            let qid = &row.queue_id;
            let limits = limits.for_queue(qid);
            if let Some(v) = row
                .kpis
                .service_level
                .filter(|v| *v < limits.service_level_target)
            {
                per_queue.push(alert(
                    "service_level",
                    qid,
                    v,
                    limits.service_level_target,
                    format!(
                        "service level in {} is {:.1}% (target {:.1}%)",
                        row.name,
                        v * 100.0,
                        limits.service_level_target * 100.0
                    ),
                ));
            }
            if let Some(v) = row.longest_wait.filter(|v| *v > limits.longest_wait) {
                per_queue.push(alert(
                    "longest_wait",
                    qid,
                    v,
                    limits.longest_wait,
                    format!(
                        "a conversation in {} has waited {v:.0} s (limit {:.0} s)",
                        row.name, limits.longest_wait
                    ),
                ));
            }
            if let Some(v) = row.kpis.abandon_rate.filter(|v| *v > limits.abandon_rate) {
                per_queue.push(alert(
                    "abandon_rate",
                    qid,
                    v,
                    limits.abandon_rate,
                    format!(
                        "abandon rate in {} is {:.1}% (limit {:.1}%)",
                        row.name,
                        v * 100.0,
                        limits.abandon_rate * 100.0
                    ),
                ));
            }
        }
        per_queue.sort_by(|a, b| a.key.cmp(&b.key));
        let n = negative.len();
        // In id order already (see `NowValues::negative`).
        let negative = negative.iter().filter_map(|n| {
            let kept = n.memo.and_then(AlertMemo::get);
            // Kept under another threshold (an admin changed it since): built anew.
            if let Some(kept) = kept.filter(|a| a.limit == f64::from(n.limit)) {
                return Some(kept.clone());
            }
            let built = self.sentiment_alert(view, n.idx, n.limit)?;
            if let (Some(memo), None) = (n.memo, kept) {
                memo.keep(built.clone());
            }
            Some(built)
        });
        // Keys are `kind:subject`: the sentiment ones sort between `longest_wait:…` and
        // `service_level:…`.
        let split = per_queue.partition_point(|a| a.key.as_str() < "sentiment:");
        let mut alerts = Vec::with_capacity(per_queue.len() + n);
        let mut per_queue = per_queue.into_iter().map(Arc::new);
        alerts.extend(per_queue.by_ref().take(split));
        alerts.extend(negative);
        alerts.extend(per_queue);
        r.alerts = alerts;
    }

    /// The sentiment alert of conversation `idx` under threshold `limit`.
    fn sentiment_alert(&self, view: &View, idx: usize, limit: i8) -> Option<Arc<Alert>> {
        let id = self.convs[idx].id();
        let f = view.get(idx)?;
        let value = SENTIMENTS[(f.sentiment.clamp(-3, 3) + 3) as usize];
        let message = [
            "conversation ",
            id,
            " with ",
            &f.customer,
            " has sentiment ",
            value,
        ]
        .concat();
        let alert = Alert {
            key: ["sentiment:", id].concat(),
            kind: "sentiment".to_owned(),
            queue_id: f.queue.to_string(),
            conversation_id: Some(id.to_owned()),
            value: f64::from(f.sentiment),
            limit: f64::from(limit),
            message,
        };
        Some(Arc::new(alert))
    }
}

/// Sentiment values as text, −3 … 3.
const SENTIMENTS: [&str; 7] = ["-3", "-2", "-1", "0", "1", "2", "3"];

/// The now-values of the queue and channel rows, from the pass over the live conversations.
pub(in crate::kpi) fn fill_in_queue(r: &mut KpiReport, now: &NowValues) {
    for row in &mut r.by_queue {
        if let Some(&(n, longest)) = now.by_queue.get(row.queue_id.as_str()) {
            row.in_queue = n;
            row.longest_wait = Some(longest as f64 / 1000.0);
        }
    }
    for row in &mut r.by_channel {
        let c = now
            .by_channel
            .iter()
            .find(|(c, _)| c.as_str() == row.channel);
        if let Some((_, &n)) = c {
            row.in_queue = n;
        }
    }
}

/// A queue's alert.
fn alert(kind: &str, queue: &str, value: f64, limit: f64, message: String) -> Alert {
    Alert {
        key: format!("{kind}:{queue}"),
        kind: kind.to_owned(),
        queue_id: queue.to_owned(),
        conversation_id: None,
        value,
        limit,
        message,
    }
}
