//! The agents table: presence and since when, capacity, work by status, AHT, reject and
//! time-out rates, occupancy, the sentiment of their conversations; sortable, filterable,
//! exportable as CSV.

use leptos::prelude::*;

use crate::format::{duration, rate};
use crate::i18n::t;
use crate::kpi::domain::agents::AgentRow;

/// Sortable columns: (key, label key, numeric).
const COLUMNS: [(&str, &str, bool); 12] = [
    ("name", "agents.agent", false),
    ("presence", "agents.presence", false),
    ("capacity_used", "agents.capacity_used", true),
    ("capacity_free", "agents.capacity_free", true),
    ("active", "status.active", true),
    ("waiting", "status.waiting", true),
    ("wrap_up", "status.wrap_up", true),
    ("closed", "status.closed", true),
    ("aht", "kpi.aht", true),
    ("reject_rate", "kpi.reject_rate", true),
    ("timeout_rate", "kpi.timeout_rate", true),
    ("occupancy", "kpi.occupancy", true),
];

fn sort_key(a: &AgentRow, key: &str) -> (f64, String) {
    let n = |v: Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
    match key {
        "presence" => (0.0, a.presence.clone()),
        "capacity_used" => (a.capacity_used as f64, String::new()),
        "capacity_free" => (a.capacity_free as f64, String::new()),
        "active" => (a.active as f64, String::new()),
        "waiting" => (a.waiting as f64, String::new()),
        "wrap_up" => (a.wrap_up as f64, String::new()),
        "closed" => (a.closed as f64, String::new()),
        "aht" => (n(a.aht), String::new()),
        "reject_rate" => (n(a.reject_rate), String::new()),
        "timeout_rate" => (n(a.timeout_rate), String::new()),
        "occupancy" => (n(a.occupancy), String::new()),
        _ => (0.0, a.name.to_lowercase()),
    }
}

/// The agents table as CSV (header + one row per agent), numbers unformatted.
pub fn agents_csv(rows: &[AgentRow]) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    let quote = crate::csv::quoted;
    let mut out = String::from(
        "agent_id,name,presence,presence_since,capacity,capacity_used,capacity_free,active,waiting,wrap_up,closed,offers,reject_rate,timeout_rate,avg_acceptance_time,aht,occupancy\n",
    );
    for a in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            quote(&a.agent_id),
            quote(&a.name),
            crate::csv::field(&a.presence),
            crate::csv::field(&a.presence_since.clone().unwrap_or_default()),
            a.capacity,
            a.capacity_used,
            a.capacity_free,
            a.active,
            a.waiting,
            a.wrap_up,
            a.closed,
            a.offers,
            opt(a.reject_rate),
            opt(a.timeout_rate),
            opt(a.avg_acceptance_time),
            opt(a.aht),
            opt(a.occupancy),
        ));
    }
    out
}

/// The agents table.
#[component]
pub fn AgentsTable(
    /// The rows.
    agents: Vec<AgentRow>,
    /// The page's filters (for the drill-through links).
    filters: Vec<(String, String)>,
) -> impl IntoView {
    let csv_href = format!(
        "data:text/csv;charset=utf-8,{}",
        crate::url::encode(&agents_csv(&agents))
    );
    let rows = StoredValue::new(agents);
    let sort = RwSignal::new(("name", false));
    let search = RwSignal::new(String::new());
    let query = crate::components::filter_bar::with_param(&filters, "agent", "");
    let shown = move || {
        let (key, desc) = sort.get();
        let needle = search.get().to_lowercase();
        let mut v: Vec<AgentRow> = rows
            .get_value()
            .into_iter()
            .filter(|a| {
                needle.is_empty()
                    || a.name.to_lowercase().contains(&needle)
                    || a.agent_id.to_lowercase().contains(&needle)
            })
            .collect();
        v.sort_by(|a, b| {
            let o = sort_key(a, key)
                .partial_cmp(&sort_key(b, key))
                .unwrap_or(std::cmp::Ordering::Equal);
            if desc { o.reverse() } else { o }
        });
        v
    };
    view! {
        <section class="card table-card" aria-labelledby="agents-title">
            <div class="table-head">
                <h2 id="agents-title">{t("agents.title")}</h2>
                <input
                    type="search"
                    data-testid="agents-search"
                    placeholder=t("agents.search")
                    aria-label=t("agents.search")
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <a class="button" href=csv_href download="agents.csv" data-testid="agents-csv">
                    {t("export.csv")}
                </a>
            </div>
            <div class="scroll">
                <table class="grid" data-testid="agents-table">
                    <thead>
                        <tr>
                            {COLUMNS
                                .iter()
                                .map(|&(key, label, numeric)| {
                                    let aria = move || match sort.get() {
                                        (k, false) if k == key => "ascending",
                                        (k, true) if k == key => "descending",
                                        _ => "none",
                                    };
                                    view! {
                                        <th scope="col" class:num=numeric aria-sort=aria>
                                            <button
                                                type="button"
                                                class="sort"
                                                data-testid=format!("sort-{key}")
                                                on:click=move |_| {
                                                    sort.update(|s| {
                                                        *s = if s.0 == key { (key, !s.1) } else { (key, numeric) };
                                                    })
                                                }
                                            >
                                                {t(label)}
                                            </button>
                                        </th>
                                    }
                                })
                                .collect_view()}
                            <th scope="col">{t("agents.conversations")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=shown key=|a| format!("{:?}", a) let:a>
                            {
                                let href = format!(
                                    "{}/insights/agents/{}{}",
                                    crate::routes::base(),
                                    crate::url::encode(&a.agent_id),
                                    query,
                                );
                                let presence_class = format!("badge presence-{}", a.presence);
                                let presence = t(presence_key(&a.presence));
                                view! {
                                    <tr data-testid=format!("agent-{}", a.agent_id)>
                                        <th scope="row">
                                            <a href=href>{a.name.clone()}</a>
                                        </th>
                                        <td>
                                            <span class=presence_class>{presence}</span>
                                        </td>
                                        <td class="num">{a.capacity_used} " / " {a.capacity}</td>
                                        <td class="num" class:negative=a.capacity_free < 0>{a.capacity_free}</td>
                                        <td class="num">{a.active}</td>
                                        <td class="num">{a.waiting}</td>
                                        <td class="num">{a.wrap_up}</td>
                                        <td class="num">{a.closed}</td>
                                        <td class="num">{duration(a.aht)}</td>
                                        <td class="num">{rate(a.reject_rate)}</td>
                                        <td class="num">{rate(a.timeout_rate)}</td>
                                        <td class="num">{rate(a.occupancy)}</td>
                                        <td>
                                            {a
                                                .conversations
                                                .iter()
                                                .map(|c| {
                                                    view! {
                                                        <span class=format!("chip sentiment-{}", c.sentiment.signum() + 1)>
                                                            {c.conversation_id.clone()} " " {sentiment_mark(c.sentiment)}
                                                        </span>
                                                    }
                                                })
                                                .collect_view()}
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The i18n key of a presence value.
pub fn presence_key(p: &str) -> &'static str {
    match p {
        "available" => "presence.available",
        "busy" => "presence.busy",
        "busy_dnd" => "presence.busy_dnd",
        "away" => "presence.away",
        _ => "presence.offline",
    }
}

/// A sentiment as a signed number with a word for screen readers and colour-blind users.
pub fn sentiment_mark(s: i8) -> String {
    match s {
        i8::MIN..=-1 => format!("{s} {}", t("sentiment.negative")),
        0 => t("sentiment.neutral").to_owned(),
        _ => format!("+{s} {}", t("sentiment.positive")),
    }
}
