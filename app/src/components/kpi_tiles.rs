//! The row of KPI tiles: a large number, its label, "as of", and neutral → amber → red past
//! the thresholds (colour never alone: a breached tile also says so in words).

use leptos::prelude::*;

use crate::format::{NO_VALUE, decimal, duration, rate};
use crate::i18n::t;
use crate::kpi::KpiReport;
use crate::model::admin::Thresholds;

/// How a tile stands against its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// No threshold or within it.
    Ok,
    /// Close to it.
    Warn,
    /// Past it.
    Bad,
}

impl Level {
    fn class(self) -> &'static str {
        match self {
            Level::Ok => "tile",
            Level::Warn => "tile tile-warn",
            Level::Bad => "tile tile-bad",
        }
    }
}

/// One tile: API key, label key, shown value, level.
pub struct Tile {
    /// The KPI's snake_case name (as in the API), used in test ids and wallboard lists.
    pub key: &'static str,
    /// The i18n key of its label.
    pub label: &'static str,
    /// The formatted value.
    pub value: String,
    /// Threshold level.
    pub level: Level,
}

fn higher_is_worse(v: Option<f64>, warn: f64, bad: f64) -> Level {
    match v {
        Some(v) if v > bad => Level::Bad,
        Some(v) if v > warn => Level::Warn,
        _ => Level::Ok,
    }
}

/// Every tile of the report, in the order the page shows them, coloured against the admin's
/// thresholds: red past a limit; amber within 5 points of the service-level target, past 40 %
/// of the longest-wait limit or half the abandon-rate limit.
pub fn tiles(r: &KpiReport, limits: &Thresholds) -> Vec<Tile> {
    let k = &r.kpis;
    let count = |n: i64| n.to_string();
    let target = limits.service_level_target_pct / 100.0;
    let sl_level = match k.service_level {
        Some(v) if v < target => Level::Bad,
        Some(v) if v < target + 0.05 => Level::Warn,
        _ => Level::Ok,
    };
    let wait = limits.longest_wait_seconds;
    let abandon = limits.abandon_rate_pct / 100.0;
    let tile = |key, label, value, level| Tile {
        key,
        label,
        value,
        level,
    };
    vec![
        tile("incoming", "kpi.incoming", count(k.incoming), Level::Ok),
        tile(
            "in_queue",
            "kpi.in_queue",
            r.in_queue.to_string(),
            Level::Ok,
        ),
        tile(
            "longest_wait",
            "kpi.longest_wait",
            duration(r.longest_wait),
            higher_is_worse(r.longest_wait, wait * 0.4, wait),
        ),
        tile(
            "service_level",
            "kpi.service_level",
            rate(k.service_level),
            sl_level,
        ),
        tile(
            "avg_speed_to_answer",
            "kpi.avg_speed_to_answer",
            duration(k.avg_speed_to_answer),
            Level::Ok,
        ),
        tile("abandoned", "kpi.abandoned", count(k.abandoned), Level::Ok),
        tile(
            "abandon_rate",
            "kpi.abandon_rate",
            rate(k.abandon_rate),
            higher_is_worse(k.abandon_rate, abandon / 2.0, abandon),
        ),
        tile(
            "waiting_over_5min",
            "kpi.waiting_over_5min",
            r.waiting_over_5min.to_string(),
            Level::Ok,
        ),
        tile("closed", "kpi.closed", count(k.closed), Level::Ok),
        tile("aht", "kpi.aht", duration(k.aht), Level::Ok),
        tile(
            "avg_wrap_up",
            "kpi.avg_wrap_up",
            duration(k.avg_wrap_up),
            Level::Ok,
        ),
        tile(
            "handle_over_5min",
            "kpi.handle_over_5min",
            count(k.handle_over_5min),
            Level::Ok,
        ),
        tile(
            "wrap_up_over_5min",
            "kpi.wrap_up_over_5min",
            count(k.wrap_up_over_5min),
            Level::Ok,
        ),
        tile(
            "avg_first_response",
            "kpi.avg_first_response",
            duration(k.avg_first_response),
            Level::Ok,
        ),
        tile(
            "transfer_rate",
            "kpi.transfer_rate",
            rate(k.transfer_rate),
            Level::Ok,
        ),
        tile(
            "escalation_rate",
            "kpi.escalation_rate",
            rate(k.escalation_rate),
            Level::Ok,
        ),
        tile(
            "negative_sentiment",
            "kpi.negative_sentiment",
            r.negative_sentiment.to_string(),
            if r.negative_sentiment > 0 {
                Level::Warn
            } else {
                Level::Ok
            },
        ),
        tile(
            "agents_logged_in",
            "kpi.agents_logged_in",
            r.agents_logged_in.to_string(),
            Level::Ok,
        ),
        tile(
            "agents_with_free_capacity",
            "kpi.agents_with_free_capacity",
            r.agents_with_free_capacity.to_string(),
            Level::Ok,
        ),
        tile(
            "capacity",
            "kpi.capacity",
            format!("{} / {}", r.capacity.used, r.capacity.total),
            if r.capacity.free < 0 {
                Level::Bad
            } else {
                Level::Ok
            },
        ),
        tile(
            "conversations_per_agent",
            "kpi.conversations_per_agent",
            decimal(r.conversations_per_agent),
            Level::Ok,
        ),
        tile(
            "reject_rate",
            "kpi.reject_rate",
            rate(k.reject_rate),
            Level::Ok,
        ),
        tile(
            "timeout_rate",
            "kpi.timeout_rate",
            rate(k.timeout_rate),
            Level::Ok,
        ),
        tile(
            "avg_acceptance_time",
            "kpi.avg_acceptance_time",
            duration(k.avg_acceptance_time),
            Level::Ok,
        ),
        tile(
            "agent_aht",
            "kpi.agent_aht",
            duration(r.agent_aht),
            Level::Ok,
        ),
        tile("occupancy", "kpi.occupancy", rate(r.occupancy), Level::Ok),
    ]
}

/// The time part of an RFC 3339 instant (`12:04:31`), as the page shows "as of".
pub fn clock_of(rfc3339: &str) -> String {
    rfc3339.get(11..19).unwrap_or(NO_VALUE).to_owned()
}

/// The tiles of a report; `only` limits them to some keys (wallboard mode).
#[component]
pub fn KpiTiles(
    /// The report to show.
    report: KpiReport,
    /// Keys to show (all when empty).
    #[prop(optional)]
    only: Vec<String>,
    /// The thresholds the tiles are coloured against (the defaults when not given).
    #[prop(optional)]
    limits: Thresholds,
) -> impl IntoView {
    let as_of = clock_of(&report.as_of);
    let now = crate::components::ticker::use_ticker().0;
    let waiting = report.longest_wait;
    let measured = report.as_of.clone();
    let replaying = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get_str("at").is_some_and(|v| !v.is_empty()));
    let shown: Vec<Tile> = tiles(&report, &limits)
        .into_iter()
        .filter(|x| only.is_empty() || only.iter().any(|o| o == x.key))
        .collect();
    view! {
        <section class="tiles" aria-label=t("insights.tiles")>
            {shown
                .into_iter()
                .map(|x| {
                    let state = match x.level {
                        Level::Ok => "",
                        Level::Warn => t("tile.warn"),
                        Level::Bad => t("tile.bad"),
                    };
                    view! {
                        <article class=x.level.class() data-testid=format!("tile-{}", x.key)>
                            <div class="tile-value" data-testid=format!("tile-{}-value", x.key)>
                                {match waiting.filter(|_| x.key == "longest_wait" && !replaying) {
                                    // The longest wait keeps counting between refreshes.
                                    Some(base) => {
                                        let measured = measured.clone();
                                        (move || {
                                            duration(Some(crate::components::ticker::grown(base, &measured, now.try_get().unwrap_or_default())))
                                        })
                                            .into_any()
                                    }
                                    None => x.value.into_any(),
                                }}
                            </div>
                            <div class="tile-label">{t(x.label)}</div>
                            <div class="tile-meta">
                                <span class="tile-state">{state}</span>
                                <span class="tile-asof">{t("tile.as_of")} " " {as_of.clone()}</span>
                            </div>
                        </article>
                    }
                })
                .collect_view()}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(r: &KpiReport, limits: &Thresholds, key: &str) -> Level {
        tiles(r, limits)
            .into_iter()
            .find(|x| x.key == key)
            .map(|x| x.level)
            .expect("tile")
    }

    #[test]
    fn tiles_are_coloured_against_the_admins_thresholds() {
        let mut r = KpiReport::default();
        r.kpis.service_level = Some(0.82);
        r.longest_wait = Some(100.0);
        let defaults = Thresholds::default();
        assert_eq!(level(&r, &defaults, "service_level"), Level::Warn);
        assert_eq!(level(&r, &defaults, "longest_wait"), Level::Ok);
        let strict = Thresholds {
            service_level_target_pct: 90.0,
            longest_wait_seconds: 60.0,
            ..defaults
        };
        assert_eq!(level(&r, &strict, "service_level"), Level::Bad);
        assert_eq!(level(&r, &strict, "longest_wait"), Level::Bad);
    }
}
