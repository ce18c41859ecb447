//! Answering a KPI question from the engine ([`Engine::report`]): the question resolved once
//! (`Ask`), then its windowed sums, now-values, agents and queue rows read from the
//! [`crate::kpi::view`] its instant and filters call for — the engine's grid and live set, the
//! few conversations a live agent filter reaches, or every conversation derived as of the
//! instant (replay, skill and status filters) — through the same window arithmetic.

use std::collections::BTreeMap;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::agents::{AgentsInScope, agent_kpis};
use super::ask::Ask;
use super::breakdown::fill_in_queue;
use super::limits::Limits;
use super::query::{Query, Window};
use super::report::{ChannelRow, HourRow, KpiReport, Windowed, ratio, sl_slot};
use super::sums::{OfferScope, Sums, SumsNeeded};
use crate::kpi::engine::Engine;
use crate::kpi::store::conv::Cell;
use crate::kpi::store::fast::FastMap;
use crate::kpi::store::grid::{HOUR_MS, Reading, Rollup};

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
        let ask = Ask {
            q,
            t,
            from,
            queues,
            // Nothing applied after the instant: nothing is keyed after it either.
            open_end: self.newest().is_none_or(|n| n <= t),
            view,
        };
        let (view, queues) = (&ask.view, &ask.queues);
        let source = view.sums();
        let slot = sl_slot(q.sl_seconds);
        let keep = |c: &Cell| self.keeps_cell(&ask, c);
        let lookup = |idx: usize| view.entry(idx);

        // Windowed sums, split by hour, queue and channel in one pass.
        let h0 = hour_start(q.tz, from);
        let mut hours = vec![Sums::default(); ((t - h0) / HOUR_MS + 1).max(1) as usize];
        let mut by_queue: FastMap<u32, Sums> = FastMap::default();
        let mut by_channel: BTreeMap<crate::model::event::Channel, Sums> = BTreeMap::new();
        // Rollups sum into local hours when the zone's hours start on their boundaries.
        let rollup = Rollup::aligned_to(h0);
        let reading = Reading {
            from,
            to: t,
            open_end: ask.open_end,
            rollup,
            needed: SumsNeeded::All,
        };
        source.fold(&reading, keep, lookup, |m, cell, s| {
            let h = (((m - h0) / HOUR_MS).max(0) as usize).min(hours.len() - 1);
            hours[h] += s;
            *by_queue.entry(cell.0).or_default() += s;
            *by_channel.entry(cell.1).or_default() += s;
        });
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
                .filter(|(f, _, c)| keep(c) && q.keeps(f, queues))
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
        let now = self.now_values(&mut r, &ask, limits);
        let agents = AgentsInScope::new(self, &ask, false);
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
        r.by_queue = self.queue_rows(&ask, &by_queue, &agents);
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
        self.alerts(&mut r, view, &now.negative, limits);
        debug_assert!(r.alerts.is_sorted_by(|a, b| a.key < b.key));
        r
    }
}
