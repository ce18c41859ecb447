//! Unassigned workload per queue: in queue now, longest wait, time left before the oldest
//! breaches the service-level threshold, service level, and the Erlang C prediction.

use leptos::prelude::*;

use crate::components::ticker::grown;
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
    /// The oldest conversations in queue, oldest first (a few per queue).
    oldest: Vec<crate::kpi::domain::rows::ConversationRow>,
) -> impl IntoView {
    let rows = report.by_queue;
    let now = crate::components::ticker::use_ticker().0;
    let measured = report.as_of.clone();

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
                                <th scope="col">{t("queue.oldest")}</th>
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
                                            <td class="num">
                                                {
                                                    let m = measured.clone();
                                                    let base = q.longest_wait;
                                                    move || duration(base.map(|b| grown(b, &m, now.try_get().unwrap_or_default())))
                                                }
                                            </td>
                                            <td class="num">
                                                {
                                                    let m = measured.clone();
                                                    let (base, sl) = (q.longest_wait, q.service_level_seconds);
                                                    move || sl_countdown(base.map(|b| grown(b, &m, now.try_get().unwrap_or_default())), sl)
                                                }
                                            </td>
                                            <td>
                                                {oldest
                                                    .iter()
                                                    .filter(|o| o.queue_id == q.queue_id)
                                                    .map(|o| {
                                                        view! {
                                                            <span class="chip">
                                                                {o.conversation_id.clone()} " (" {o.customer.clone()} ")"
                                                            </span>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </td>
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
