//! The per-hour charts of the Insights page, from `KpiReport::hourly`.

use super::draft::{Draft, target};
use super::labels::{self, column};
use super::palette;
use super::render::{Kind, Plot, Series};
use super::types::ChartTarget;
use crate::i18n::{Locale, tr};
use crate::kpi::domain::report::{HourRow, KpiReport};

/// `HH:MM` of an RFC 3339 hour (the string itself if it does not parse).
fn hour_label(hour: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(hour)
        .map_or_else(|_| hour.to_owned(), |t| t.format("%H:%M").to_string())
}

fn hour_targets(report: &KpiReport) -> Vec<ChartTarget> {
    report
        .hourly
        .iter()
        .map(|h| target(&hour_label(&h.hour), "", &h.hour))
        .collect()
}

/// Incoming and closed per hour, grouped bars.
pub(super) fn incoming_closed(report: &KpiReport, locale: Locale) -> Draft {
    let h = &report.hourly;
    let series = |name, colour, f: fn(&HourRow) -> i64| Series {
        name,
        colour,
        values: h.iter().map(|r| Some(f(r) as f64)).collect(),
    };
    let targets = hour_targets(report);
    Draft {
        id: "incoming_closed_hourly",
        columns: [column::HOUR, column::INCOMING, column::CLOSED]
            .map(|c| tr(locale, c))
            .to_vec(),
        rows: h
            .iter()
            .map(|r| {
                vec![
                    r.hour.clone(),
                    r.kpis.incoming.to_string(),
                    r.kpis.closed.to_string(),
                ]
            })
            .collect(),
        plot: Plot {
            labels: targets.iter().map(|t| t.label.clone()).collect(),
            series: vec![
                series(tr(locale, column::INCOMING), palette::BLUE, |r| {
                    r.kpis.incoming
                }),
                series(tr(locale, column::CLOSED), palette::GREY, |r| r.kpis.closed),
            ],
            bar_colours: Vec::new(),
            kind: Kind::Bars,
            percent: false,
        },
        targets,
    }
}

/// Service level per hour against the 80 % target; hours without a value are gaps.
pub(super) fn service_level(report: &KpiReport, locale: Locale) -> Draft {
    let h = &report.hourly;
    let percents: Vec<Option<f64>> = h
        .iter()
        .map(|r| {
            r.kpis
                .service_level
                .map(|v| v * 100.0)
                .filter(|v| v.is_finite())
        })
        .collect();
    // A rate is 0…1 by definition; the table shows whatever came, the axis stays 0–100 %.
    let values = percents
        .iter()
        .map(|v| v.map(|v| v.clamp(0.0, 100.0)))
        .collect();
    let cell = |v: &Option<f64>| {
        v.map_or_else(
            || labels::NO_VALUE.to_owned(),
            |v| crate::format::percent_in(locale, v),
        )
    };
    let targets = hour_targets(report);
    Draft {
        id: "service_level_hourly",
        columns: vec![tr(locale, column::HOUR), tr(locale, column::SERVICE_LEVEL)],
        rows: h
            .iter()
            .zip(&percents)
            .map(|(r, v)| vec![r.hour.clone(), cell(v)])
            .collect(),
        plot: Plot {
            labels: targets.iter().map(|t| t.label.clone()).collect(),
            series: vec![Series {
                name: tr(locale, column::SERVICE_LEVEL),
                colour: palette::BLUE,
                values,
            }],
            bar_colours: Vec::new(),
            kind: Kind::Line {
                target: 80.0,
                name: tr(locale, column::TARGET),
            },
            percent: true,
        },
        targets,
    }
}
