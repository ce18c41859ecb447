//! The Insights page's charts, from a [`KpiReport`]: each chart's data table, click targets and
//! what to draw; the per-hour charts are in `hourly`.

use plotters::style::RGBColor;

use super::draft::{Draft, finish, target};
use super::hourly;
use super::labels::{self, column};
use super::palette;
use super::render::{Kind, Plot, Series};
use super::types::{Chart, ChartTarget};
use crate::i18n::{Locale, tr};
use crate::kpi::domain::report::KpiReport;

/// The smallest and largest SVG sizes drawn; arguments outside are clamped.
const MIN_SIZE: (u32, u32) = (160, 120);
const MAX_SIZE: u32 = 4096;

/// The fixed status order of the ongoing chart.
const STATUSES: [&str; 4] = ["open", "active", "waiting", "wrap_up"];
/// The presence order of the agents chart (others follow, by name).
const PRESENCES: [&str; 5] = ["available", "busy", "busy_dnd", "away", "offline"];

/// Every chart of the Insights page for `report` in the page's language
/// ([`crate::i18n::use_locale`]); see [`insights_charts_in`].
pub fn insights_charts(report: &KpiReport, width: u32, height: u32) -> Vec<Chart> {
    insights_charts_in(crate::i18n::use_locale(), report, width, height)
}

/// Every chart of the Insights page for `report`, its words in `locale`, each drawn at
/// `width` × `height` px (clamped to 160 × 120 … 4096 × 4096). Never fails: an empty chart
/// says so.
pub fn insights_charts_in(
    locale: Locale,
    report: &KpiReport,
    width: u32,
    height: u32,
) -> Vec<Chart> {
    let width = width.clamp(MIN_SIZE.0, MAX_SIZE);
    let height = height.clamp(MIN_SIZE.1, MAX_SIZE);
    [
        hourly::incoming_closed(report, locale),
        ongoing_by_status(report, locale),
        hourly::service_level(report, locale),
        agents_by_presence(report, locale),
        by_channel(report, locale),
        by_queue(report, locale),
        capacity(report, locale),
        sentiment(report, locale),
    ]
    .into_iter()
    .map(|d| finish(d, locale, width, height))
    .collect()
}

/// The label of a value whose key `key_of` knows (the value itself otherwise).
pub(super) fn label(
    locale: Locale,
    value: &str,
    key_of: fn(&str) -> Option<&'static str>,
) -> String {
    key_of(value).map_or_else(|| value.to_owned(), |k| tr(locale, k).to_owned())
}

/// A single-series bar chart of counts, one bar per `(target, count, colour)`; `category` and
/// `unit` are keys.
fn counts(
    locale: Locale,
    id: &'static str,
    category: &'static str,
    unit: &'static str,
    bars: Vec<(ChartTarget, i128, RGBColor)>,
    coloured: bool,
) -> Draft {
    let (category, unit) = (tr(locale, category), tr(locale, unit));
    let rows = bars
        .iter()
        .map(|(t, n, _)| vec![t.label.clone(), n.to_string()])
        .collect();
    let plot = Plot {
        labels: bars.iter().map(|(t, ..)| t.label.clone()).collect(),
        series: vec![Series {
            name: unit,
            colour: palette::BLUE,
            values: bars.iter().map(|(_, n, _)| Some(*n as f64)).collect(),
        }],
        bar_colours: if coloured {
            bars.iter().map(|(.., c)| *c).collect()
        } else {
            Vec::new()
        },
        kind: Kind::Bars,
        percent: false,
    };
    let targets = bars.into_iter().map(|(t, ..)| t).collect();
    Draft {
        id,
        columns: vec![category, unit],
        rows,
        targets,
        plot,
    }
}

fn ongoing_by_status(report: &KpiReport, locale: Locale) -> Draft {
    let o = &report.ongoing;
    let bars = STATUSES
        .iter()
        .zip([o.open, o.active, o.waiting, o.wrap_up])
        .map(|(s, n)| {
            (
                target(&label(locale, s, labels::status), "status", s),
                i128::from(n),
                palette::status(s),
            )
        })
        .collect();
    counts(
        locale,
        "ongoing_by_status",
        column::STATUS,
        column::CONVERSATIONS,
        bars,
        true,
    )
}

fn agents_by_presence(report: &KpiReport, locale: Locale) -> Draft {
    let by = &report.agents_by_presence;
    let known = PRESENCES.iter().filter_map(|p| by.get_key_value(*p));
    let others = by.iter().filter(|(p, _)| !PRESENCES.contains(&p.as_str()));
    let bars = known
        .chain(others)
        .map(|(p, n)| {
            (
                target(&label(locale, p, labels::presence), "", p),
                i128::from(*n),
                palette::presence(p),
            )
        })
        .collect();
    counts(
        locale,
        "agents_by_presence",
        column::PRESENCE,
        column::AGENTS,
        bars,
        true,
    )
}

fn by_channel(report: &KpiReport, locale: Locale) -> Draft {
    let bars = report
        .by_channel
        .iter()
        .map(|c| {
            (
                target(
                    &label(locale, &c.channel, labels::channel),
                    "channel",
                    &c.channel,
                ),
                i128::from(c.kpis.incoming),
                palette::BLUE,
            )
        })
        .collect();
    counts(
        locale,
        "by_channel",
        column::CHANNEL,
        column::INCOMING,
        bars,
        false,
    )
}

fn by_queue(report: &KpiReport, locale: Locale) -> Draft {
    let bars = report
        .by_queue
        .iter()
        .map(|q| {
            let label = if q.name.is_empty() {
                &q.queue_id
            } else {
                &q.name
            };
            (
                target(label, "queue", &q.queue_id),
                i128::from(q.kpis.incoming),
                palette::BLUE,
            )
        })
        .collect();
    counts(
        locale,
        "by_queue",
        column::QUEUE,
        column::INCOMING,
        bars,
        false,
    )
}

fn capacity(report: &KpiReport, locale: Locale) -> Draft {
    let c = &report.capacity;
    let bars = vec![
        (
            target(tr(locale, column::USED), "", "used"),
            i128::from(c.used),
            palette::BLUE,
        ),
        (
            target(tr(locale, column::FREE), "", "free"),
            i128::from(c.free),
            palette::GREEN,
        ),
    ];
    counts(
        locale,
        "capacity",
        column::CAPACITY,
        column::UNITS,
        bars,
        true,
    )
}

fn sentiment(report: &KpiReport, locale: Locale) -> Draft {
    let bars = (-3i8..=3)
        .map(|s| {
            let n = report.sentiment.get(&s).copied().unwrap_or(0);
            (
                target(&labels::sentiment(s), "", &s.to_string()),
                i128::from(n),
                palette::sentiment(s),
            )
        })
        .collect();
    counts(
        locale,
        "sentiment",
        column::SENTIMENT,
        column::CONVERSATIONS,
        bars,
        true,
    )
}
