//! Drill-through to one agent: presence and capacity over the window, their conversations,
//! queues and skills; a supervisor can change the agent's presence here.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::agents_table::presence_key;
use crate::format::{duration, rate};
use crate::i18n::t;
use crate::kpi::domain::detail::{AgentDetail, CapacityStep, PresenceSpan};
use crate::routes::insights::url_filters;
use crate::server_fns::{SetAgentPresence, get_agent_detail};

use crate::charts::labels;
use crate::format::clock_ms as clock;

/// A domain value's label in the page's language (the value itself when it has no key).
fn value_label(value: &str, key_of: fn(&str) -> Option<&'static str>) -> String {
    key_of(value).map_or_else(|| value.to_owned(), |k| t(k).to_owned())
}

/// The time zone of the page's `tz` filter (UTC without one).
fn page_tz(filters: &[(String, String)]) -> chrono_tz::Tz {
    crate::format::time_zone(
        filters
            .iter()
            .find(|(k, _)| k == "tz")
            .map(|(_, v)| v.as_str()),
    )
}

/// The presence timeline: one segment per stretch, width by duration, with its name.
#[component]
fn PresenceBar(spans: Vec<PresenceSpan>, window: (i64, i64), tz: chrono_tz::Tz) -> impl IntoView {
    let total = (window.1 - window.0).max(1) as f64;
    view! {
        <div class="timeline" role="list" aria-label=t("agent.presence_timeline") data-testid="presence-timeline">
            {spans
                .into_iter()
                .map(|s| {
                    let width = format!("width: {:.3}%", (s.to - s.from) as f64 / total * 100.0);
                    let label = format!("{} {}–{}", t(presence_key(&s.presence)), clock(s.from, tz), clock(s.to, tz));
                    let title = label.clone();
                    view! {
                        <span role="listitem" class=format!("segment presence-{}", s.presence) style=width title=title>
                            <span class="sr-only">{label}</span>
                        </span>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The capacity-used step chart, drawn as SVG, with its capacity line.
#[component]
fn CapacityChart(steps: Vec<CapacityStep>, window: (i64, i64), capacity: i64) -> impl IntoView {
    let (w, h) = (600.0, 80.0);
    let top = steps
        .iter()
        .map(|s| s.used)
        .max()
        .unwrap_or(0)
        .max(capacity)
        .max(1) as f64;
    let x = |t: i64| (t - window.0) as f64 / (window.1 - window.0).max(1) as f64 * w;
    let y = |u: i64| h - u as f64 / top * (h - 4.0);
    let mut points = Vec::new();
    let mut last = 0;
    for s in &steps {
        points.push(format!("{:.1},{:.1}", x(s.at), y(last)));
        points.push(format!("{:.1},{:.1}", x(s.at), y(s.used)));
        last = s.used;
    }
    points.push(format!("{:.1},{:.1}", w, y(last)));
    let cap_y = y(capacity);
    view! {
        <svg class="capacity-chart" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" role="img"
            aria-label=format!("{} {capacity}", t("agent.capacity_chart")) data-testid="capacity-chart">
            <line x1="0" x2=w y1=cap_y y2=cap_y class="capacity-line" />
            <polyline points=points.join(" ") class="capacity-used" />
        </svg>
    }
}

/// The drill-through page.
#[component]
pub fn AgentPage() -> impl IntoView {
    let params = use_params_map();
    let filters = url_filters();
    let set_presence = ServerAction::<SetAgentPresence>::new();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(
        move || (id(), filters.get(), set_presence.version().get()),
        |(id, f, _)| get_agent_detail(id, f),
    );
    let back = move || {
        format!(
            "{}/insights{}",
            crate::routes::base(),
            crate::components::filter_bar::with_param(&filters.get(), "agent", "")
        )
    };
    view! {
        <div class="insights">
            <p><a href=back>{t("agent.back")}</a></p>
            <Transition fallback=|| view! { <p class="skeleton">{t("insights.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "agent-error")>
                    {move || Suspend::new(async move {
                        let tz = page_tz(&filters.get_untracked());
                        data.await.map(|d| view! { <AgentView d set_presence tz /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

#[component]
fn AgentView(
    d: AgentDetail,
    set_presence: ServerAction<SetAgentPresence>,
    tz: chrono_tz::Tz,
) -> impl IntoView {
    let r = d.row.clone();
    let error = move || {
        set_presence
            .value()
            .get()
            .and_then(|v| v.err())
            .map(|e| crate::components::errors::error_text(&e))
    };
    view! {
        <section class="card" aria-labelledby="agent-title" data-testid="agent-detail">
            <h1 id="agent-title">{r.name.clone()}</h1>
            <dl class="facts">
                <dt>{t("agents.presence")}</dt>
                <dd><span class=format!("badge presence-{}", r.presence) data-testid="agent-presence">{t(presence_key(&r.presence))}</span></dd>
                <dt>{t("agent.queues")}</dt>
                <dd>{r.queues.join(", ")}</dd>
                <dt>{t("agent.skills")}</dt>
                <dd>{r.skills.join(", ")}</dd>
                <dt>{t("agents.capacity_used")}</dt>
                <dd>{r.capacity_used} " / " {r.capacity}</dd>
                <dt>{t("kpi.aht")}</dt>
                <dd>{duration(r.aht)}</dd>
                <dt>{t("kpi.occupancy")}</dt>
                <dd>{rate(r.occupancy)}</dd>
            </dl>
            <ActionForm action=set_presence>
                <input type="hidden" name="agent_id" value=r.agent_id.clone() />
                <label class="filter">
                    <span>{t("agent.set_presence")}</span>
                    <select name="presence" data-testid="set-presence">
                        {["available", "busy", "busy_dnd", "away", "offline"]
                            .into_iter()
                            .map(|p| view! { <option value=p selected=r.presence == p>{t(presence_key(p))}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" data-testid="set-presence-submit">{t("agent.apply")}</button>
                <span class="error" role="alert">{error}</span>
            </ActionForm>
        </section>
        <section class="card table-card">
            <h2>{t("agent.presence_timeline")}</h2>
            <PresenceBar spans=d.presence.clone() window=d.window tz />
            <h2>{t("agent.capacity_chart")}</h2>
            <CapacityChart steps=d.capacity.clone() window=d.window capacity=r.capacity />
        </section>
        <section class="card table-card">
            <h2>{t("agents.conversations")}</h2>
            <table class="grid" data-testid="agent-conversations">
                <thead>
                    <tr>
                        <th scope="col">{t("agent.conversation")}</th>
                        <th scope="col">{t("queue.queue")}</th>
                        <th scope="col">{t("filters.channel")}</th>
                        <th scope="col">{t("filters.status")}</th>
                        <th scope="col">{t("agent.created")}</th>
                        <th scope="col" class="num">{t("agent.handle")}</th>
                        <th scope="col">{t("agent.sentiment")}</th>
                    </tr>
                </thead>
                <tbody>
                    {d.conversations
                        .into_iter()
                        .map(|c| view! {
                            <tr>
                                <th scope="row">{c.conversation_id}</th>
                                <td>{c.queue_id}</td>
                                <td>{value_label(&c.channel, labels::channel)}</td>
                                <td>{value_label(&c.status, labels::status)}</td>
                                <td>{clock(c.created, tz)}</td>
                                <td class="num">{duration(Some(c.handle))}</td>
                                <td>{crate::components::agents_table::sentiment_mark(c.sentiment)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
