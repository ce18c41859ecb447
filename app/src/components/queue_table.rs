//! Unassigned workload per queue: in queue now, longest wait, time left before the oldest
//! breaches the service-level threshold, service level, and the Erlang C prediction.

use leptos::prelude::*;

use crate::format::{duration, rate};
use crate::i18n::t;
use crate::kpi::KpiReport;

/// Seconds left before the longest wait passes the threshold ("breached" past it).
pub fn sl_countdown(longest_wait: Option<f64>, threshold: u32) -> String {
    match longest_wait {
        None => crate::format::NO_VALUE.to_owned(),
        Some(w) if w >= f64::from(threshold) => t("queue.breached").to_owned(),
        Some(w) => duration(Some(f64::from(threshold) - w)),
    }
}

/// The per-queue table.
#[component]
pub fn QueueTable(
    /// The report.
    report: KpiReport,
) -> impl IntoView {
    let rows = report.by_queue;
    view! {
        <section class="card table-card" aria-labelledby="queues-title">
            <h2 id="queues-title">{t("queue.title")}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{t("queue.empty")}</p> }.into_any()
            } else {
                view! {
                    <table class="grid" data-testid="queue-table">
                        <thead>
                            <tr>
                                <th scope="col">{t("queue.queue")}</th>
                                <th scope="col" class="num">{t("kpi.in_queue")}</th>
                                <th scope="col" class="num">{t("kpi.longest_wait")}</th>
                                <th scope="col" class="num">{t("queue.sl_countdown")}</th>
                                <th scope="col" class="num">{t("kpi.incoming")}</th>
                                <th scope="col" class="num">{t("kpi.service_level")}</th>
                                <th scope="col" class="num">{t("queue.predicted_wait")}</th>
                                <th scope="col" class="num">{t("queue.agents")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|q| {
                                    let agents = format!(
                                        "{} / {}",
                                        q.prediction.agents_serving,
                                        q.prediction.agents_needed.map_or("—".to_owned(), |n| n.to_string()),
                                    );
                                    view! {
                                        <tr data-testid=format!("queue-{}", q.queue_id)>
                                            <th scope="row">{q.name.clone()}</th>
                                            <td class="num">{q.in_queue}</td>
                                            <td class="num">{duration(q.longest_wait)}</td>
                                            <td class="num">{sl_countdown(q.longest_wait, q.service_level_seconds)}</td>
                                            <td class="num">{q.kpis.incoming}</td>
                                            <td class="num">{rate(q.kpis.service_level)}</td>
                                            <td class="num">{duration(q.prediction.predicted_wait)}</td>
                                            <td class="num">{agents}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
