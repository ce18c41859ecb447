//! Around the grid: what needs attention now (ranked, each with its reasons and a one-click
//! action), the open escalations (with an alert when a new one comes), the column chooser and
//! the CSV export of the current view.

use leptos::prelude::*;

use super::store::Store;
use super::{Setup, cell_ctx, panel_href};
use crate::i18n::t;
use crate::ongoing::view::{self, Column, Reason};
use crate::ongoing::{Action, ActionRequest, OngoingRow};

/// How many conversations the attention list shows.
const ATTENTION_ROWS: usize = 5;

/// The ranked list of what needs the supervisor now.
#[component]
pub fn Attention(
    setup: Setup,
    filters: Memo<Vec<(String, String)>>,
    grid_filters: Memo<crate::ongoing::view::Filters>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let message = RwSignal::new(None::<String>);
    let top = move || {
        let now = store.now.get();
        // Of the rows the page's filters let through, like the grid below it.
        let f = grid_filters.get();
        let needle = f.search.to_lowercase();
        store.grid.with(|g| {
            let ctx = cell_ctx(g, &setup, now);
            let mut ranked: Vec<(u32, Vec<Reason>, &OngoingRow)> = g
                .rows
                .values()
                .filter(|r| f.pass(r, &needle, &ctx))
                .map(|r| (view::urgency(r, &ctx), view::reasons(r, &ctx), r))
                .filter(|(u, _, _)| *u > 0)
                .collect();
            ranked.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| a.2.created_at.cmp(&b.2.created_at))
            });
            ranked
                .into_iter()
                .take(ATTENTION_ROWS)
                .map(|(_, reasons, r)| (r.clone(), reasons))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="attention card" aria-labelledby="attention-title" data-testid="attention">
            <h2 id="attention-title">{t("ongoing.attention")}</h2>
            {move || {
                let top = top();
                if top.is_empty() {
                    return view! { <p class="empty">{t("ongoing.attention_none")}</p> }.into_any();
                }
                view! {
                    <ol class="attention-list">
                        {top
                            .into_iter()
                            .map(|(r, reasons)| attention_item(r, reasons, filters, message))
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
            <p class="action-message" role="status" aria-live="polite">{move || message.get()}</p>
        </section>
    }
}

fn attention_item(
    r: OngoingRow,
    reasons: Vec<Reason>,
    filters: Memo<Vec<(String, String)>>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let href = panel_href(&r.id, &filters.get_untracked());
    // The one-click action of its most urgent reason that needs no further input; the
    // others open the panel where the action is.
    let quick = match reasons.first() {
        Some(Reason::Escalated) => Some((Action::ResolveEscalation, "ongoing.act_resolve")),
        Some(Reason::Negative | Reason::Stuck) => Some((Action::Monitor, "ongoing.act_monitor")),
        _ => None,
    };
    let id = r.id.clone();
    let state = r.state_token();
    view! {
        <li data-testid="attention-item" data-id=r.id.clone()>
            <a href=href><bdi>{r.customer_name.clone()}</bdi>" · "{r.queue_id.clone()}</a>
            {reasons
                .iter()
                .map(|x| view! { <span class="badge reason">{t(x.key())}</span> })
                .collect_view()}
            {quick.map(|(action, key)| {
                let id = id.clone();
                let state = state.clone();
                view! {
                    <button type="button" class="small" on:click=move |_| {
                        let request = ActionRequest { action: action.clone(), expected_state: Some(state.clone()) };
                        super::panel::send(id.clone(), request, message);
                    }>{t(key)}</button>
                }
            })}
        </li>
    }
}

/// The open escalations of the supervisor's queues; a new one raises an alert.
#[component]
pub fn Escalations(filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let open = move || {
        store.grid.with(|g| {
            let mut rows: Vec<OngoingRow> = g
                .rows
                .values()
                .filter(|r| r.open_escalation)
                .cloned()
                .collect();
            rows.sort_by_key(|r| r.escalation.as_ref().map(|e| e.since));
            rows
        })
    };
    let count = Memo::new(move |_| {
        store
            .grid
            .with(|g| g.rows.values().filter(|r| r.open_escalation).count())
    });
    crate::components::top_bar::OpenEscalations::show(Signal::derive(move || Some(count.get())));
    let fresh = RwSignal::new(false);
    let alerts = crate::components::alerts::Alerts::new("escalations");
    #[cfg(feature = "hydrate")]
    {
        let seen = StoredValue::new(None::<usize>);
        Effect::new(move |_| {
            let n = count.get();
            let before = seen.get_value();
            seen.set_value(Some(n));
            if before.is_some_and(|b| n > b) {
                fresh.set(true);
                gloo_timers::callback::Timeout::new(4_000, move || fresh.set(false)).forget();
                alerts.raise(t("ongoing.escalations"), t("ongoing.escalation_new"));
            }
        });
    }
    let tz = move || {
        crate::format::time_zone(
            filters
                .with(|f| f.iter().find(|(k, _)| k == "tz").map(|(_, v)| v.clone()))
                .as_deref(),
        )
    };
    view! {
        <section class="escalations card" class:alerting=fresh aria-labelledby="escalations-title" data-testid="escalations">
            <h2 id="escalations-title">
                {t("ongoing.escalations")}" "
                <span class="badge count" data-testid="escalation-count">{count}</span>
            </h2>
            <p class="sr-only" role="alert">{move || fresh.get().then(|| t("ongoing.escalations"))}</p>
            <crate::components::alerts::AlertSwitches alerts />
            {move || {
                let rows = open();
                if rows.is_empty() {
                    return view! { <p class="empty">{t("ongoing.escalations_none")}</p> }.into_any();
                }
                let now = store.now.get();
                let tz = tz();
                view! {
                    <ul class="escalation-list">
                        {rows
                            .into_iter()
                            .map(|r| {
                                let e = r.escalation.clone();
                                let kind = match e.as_ref().map(|e| e.kind) {
                                    Some(crate::model::event::EscalationKind::Customer) => "ongoing.escalation_customer",
                                    _ => "ongoing.escalation_agent",
                                };
                                let age = e.as_ref().map(|e| (now - e.since.timestamp_millis()).max(0) as f64 / 1_000.0);
                                let since = e.as_ref().map(|e| crate::format::clock_ms(e.since.timestamp_millis(), tz)).unwrap_or_default();
                                view! {
                                    <li data-testid="escalation" data-id=r.id.clone()>
                                        <a href=panel_href(&r.id, &filters.get_untracked())><bdi>{r.customer_name.clone()}</bdi></a>
                                        " · "{t(kind)}" · "{crate::format::duration(age)}" ("{since}")"
                                        {r.agent_id.clone().map(|a| view! { " · "{a} })}
                                        {e.and_then(|e| e.note).map(|n| view! { <p class="note">{n}</p> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

fn columns_key(login: &str) -> String {
    format!("intraday.ongoing.columns.{login}")
}

/// Reads the person's column choice from this browser.
pub fn restore_columns(columns: RwSignal<Vec<Column>>, login: &str) {
    #[cfg(feature = "hydrate")]
    {
        let key = columns_key(login);
        // After hydration, so the server's HTML (default columns) matches the first render.
        request_animation_frame(move || {
            let stored = web_sys::window()
                .and_then(|w| w.local_storage().ok().flatten())
                .and_then(|s| s.get_item(&key).ok().flatten());
            if let Some(list) = stored {
                let chosen: Vec<Column> = list.split(',').filter_map(Column::parse).collect();
                if !chosen.is_empty() {
                    columns.set(chosen);
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (columns, login, columns_key);
}

/// Which columns the grid shows.
#[component]
pub fn ColumnChooser(columns: RwSignal<Vec<Column>>, login: String) -> impl IntoView {
    let key = columns_key(&login);
    let saved = RwSignal::new(None::<String>);
    view! {
        <details class="column-chooser" data-testid="column-chooser">
            <summary>{t("ongoing.columns")}</summary>
            <p class="action-message" role="status" aria-live="polite">{move || saved.get()}</p>
            <fieldset class="checks">
                {Column::ALL
                    .into_iter()
                    .map(|c| {
                        let key = key.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid=format!("column-{}", c.as_str())
                                    prop:checked=move || columns.with(|cols| cols.contains(&c))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        columns.update(|cols| {
                                            if on && !cols.contains(&c) {
                                                cols.push(c);
                                                cols.sort_by_key(|x| Column::ALL.iter().position(|y| y == x));
                                            } else if !on && cols.len() > 1 {
                                                cols.retain(|x| *x != c);
                                            }
                                        });
                                        save_columns(&key, columns.get_untracked(), saved);
                                    }
                                />
                                {t(c.key())}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        </details>
    }
}

/// Keeps the column choice with the user on the server (so every browser they sign in on shows
/// it) and in this browser (a portal's session has no stored user); a failed save says so.
fn save_columns(key: &str, cols: Vec<Column>, message: RwSignal<Option<String>>) {
    let names: Vec<String> = cols.iter().map(|c| c.as_str().to_owned()).collect();
    #[cfg(feature = "hydrate")]
    {
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(key, &names.join(","));
        }
        let locale = crate::i18n::use_locale();
        leptos::task::spawn_local(async move {
            let answer = crate::server_fns::set_my_ongoing_columns(names).await;
            message.set(answer.err().map(|e| e.text_in(locale)));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, names, message);
}

/// Downloads the current view (filtered and sorted, the shown columns) as CSV.
#[component]
pub fn CsvExport(
    ids: Memo<Vec<String>>,
    columns: RwSignal<Vec<Column>>,
    setup: Setup,
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let export = move |_| {
        let cols = columns.get_untracked();
        let tz = crate::format::time_zone(
            filters
                .with_untracked(|f| f.iter().find(|(k, _)| k == "tz").map(|(_, v)| v.clone()))
                .as_deref(),
        );
        let headings: Vec<String> = cols.iter().map(|c| t(c.key()).to_owned()).collect();
        let csv = ids.with_untracked(|ids| {
            store.grid.with_untracked(|g| {
                let ctx = cell_ctx(g, &setup, store.now.get_untracked());
                let rows: Vec<&OngoingRow> = ids.iter().filter_map(|id| g.rows.get(id)).collect();
                view::to_csv(&rows, &cols, &headings, &ctx, tz)
            })
        });
        download("ongoing-conversations.csv", &csv);
    };
    view! {
        <button type="button" on:click=export data-testid="export-csv">{t("ongoing.export")}</button>
    }
}

/// Saves `text` as a file named `name` (in the browser).
fn download(name: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/csv;charset=utf-8");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Some(a) = document()
            .create_element("a")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        // Revoked once the download surely started.
        gloo_timers::callback::Timeout::new(30_000, move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        })
        .forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, text);
}
