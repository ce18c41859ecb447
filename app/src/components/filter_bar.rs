//! The filter bar shared by the supervisor tabs: window, time zone, queue, channel, agent,
//! skill, status, service-level threshold, replay and pause. Filters live in the URL, so a view
//! can be bookmarked and shared; the form works before the WASM loads (a GET form) and applies
//! each change at once after.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_navigate};

use crate::components::live_feed::LiveState;
use crate::i18n::t;
use crate::url::encode;

/// The page's URL with `key` set to `value` (removed when empty), other filters kept.
pub fn with_param(filters: &[(String, String)], key: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        filters.iter().filter(|(k, _)| k != key).cloned().collect();
    if !value.is_empty() {
        pairs.push((key.to_owned(), value.to_owned()));
    }
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k, encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

fn value_of(filters: &[(String, String)], key: &str) -> String {
    filters
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A select of fixed options bound to one URL parameter.
#[component]
fn Choice(
    /// The parameter.
    name: &'static str,
    /// Label key.
    label: &'static str,
    /// (value, label key) options; the first is the default.
    options: Vec<(&'static str, &'static str)>,
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let path = use_location().pathname;
    let current = move || value_of(&filters.get(), name);
    view! {
        <label class="filter">
            <span>{t(label)}</span>
            <select
                name=name
                data-testid=format!("filter-{name}")
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let url = format!("{}{}", path.get_untracked(), with_param(&filters.get_untracked(), name, &v));
                    navigate(&url, NavigateOptions::default());
                }
            >
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        view! {
                            <option value=v selected=move || current() == v>
                                {t(l)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A free-text filter (comma-separated values) bound to one URL parameter.
#[component]
fn TextFilter(
    /// The parameter.
    name: &'static str,
    /// Label key.
    label: &'static str,
    /// Placeholder key.
    placeholder: &'static str,
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let path = use_location().pathname;
    view! {
        <label class="filter">
            <span>{t(label)}</span>
            <input
                name=name
                type="text"
                size="10"
                data-testid=format!("filter-{name}")
                placeholder=t(placeholder)
                prop:value=move || value_of(&filters.get(), name)
                on:change=move |ev| {
                    let v = event_target_value(&ev).replace(' ', "");
                    let url = format!("{}{}", path.get_untracked(), with_param(&filters.get_untracked(), name, &v));
                    navigate(&url, NavigateOptions::default());
                }
            />
        </label>
    }
}

/// The search box: applied as one types (the URL replaced, not pushed, per key).
#[component]
fn Search(
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let path = use_location().pathname;
    view! {
        <label class="filter search">
            <span class="sr-only">{t("ongoing.search")}</span>
            <input
                name="q"
                type="search"
                maxlength=crate::ongoing::view::MAX_SEARCH_CHARS
                data-testid="filter-q"
                placeholder=t("ongoing.search")
                prop:value=move || value_of(&filters.get(), "q")
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    let url = format!("{}{}", path.get_untracked(), with_param(&filters.get_untracked(), "q", &v));
                    navigate(&url, NavigateOptions { replace: true, scroll: false, ..NavigateOptions::default() });
                }
            />
        </label>
    }
}

/// The Ongoing grid's own filters: its statuses, sentiment, escalated, stuck and the search.
fn ongoing_filters(filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    view! {
        <Choice
            name="status"
            label="filters.status"
            filters
            options=vec![
                ("", "filters.any"),
                ("open", "ongoing.status_open"),
                ("offered", "ongoing.status_offered"),
                ("active", "ongoing.status_active"),
                ("waiting", "ongoing.status_waiting"),
                ("wrap_up", "ongoing.status_wrap_up"),
            ]
        />
        <Choice
            name="sentiment"
            label="ongoing.filter_sentiment"
            filters
            options=vec![
                ("", "filters.any"),
                ("negative", "ongoing.negative"),
                ("neutral", "ongoing.neutral"),
                ("positive", "ongoing.positive"),
            ]
        />
        <Choice
            name="escalated"
            label="ongoing.filter_escalated"
            filters
            options=vec![("", "filters.any"), ("1", "ongoing.filter_escalated")]
        />
        <Choice
            name="stuck"
            label="ongoing.filter_stuck"
            filters
            options=vec![("", "filters.any"), ("1", "ongoing.filter_stuck")]
        />
        <Search filters />
    }
}

/// The filter bar. On the Ongoing tab (`ongoing`) the window and service-level choices give
/// way to the grid's own filters; queue, channel, agent, skill and time zone are the same
/// parameters as on Insights, so a link keeps them from one tab to the other.
#[component]
pub fn FilterBar(
    /// The page's filters (from the URL).
    filters: Memo<Vec<(String, String)>>,
    /// The Ongoing grid's variant.
    #[prop(optional)]
    ongoing: bool,
) -> impl IntoView {
    let live = use_context::<LiveState>();
    let path = use_location().pathname;
    // The Ongoing grid shows what is unfinished now: no window, and its own status choices.
    let window = (!ongoing).then(|| window_choice(filters));
    let own = if ongoing {
        ongoing_filters(filters).into_any()
    } else {
        insights_filters(filters).into_any()
    };
    view! {
        <Form method="GET" action=move || path.get()>
            <div class="filter-bar" role="search" aria-label=t("filters.label")>
                {window}
                <TextFilter name="queue" label="filters.queue" placeholder="filters.any" filters />
                <ChannelChoice filters />
                <TextFilter name="agent" label="filters.agent" placeholder="filters.any" filters />
                <TextFilter name="skill" label="filters.skill" placeholder="filters.any" filters />
                {own}
                <TextFilter name="tz" label="filters.tz" placeholder="filters.tz_default" filters />
                <noscript>
                    <button type="submit">{t("filters.apply")}</button>
                </noscript>
                {live.map(pause_button)}
            </div>
        </Form>
    }
}

/// The Insights window.
fn window_choice(filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    view! {
        <Choice
            name="window"
            label="filters.window"
            filters
            options=vec![
                ("24h", "window.24h"),
                ("12h", "window.12h"),
                ("8h", "window.8h"),
                ("4h", "window.4h"),
                ("2h", "window.2h"),
                ("today", "window.today"),
            ]
        />
    }
}

/// The Insights tab's own choices: a status (closed too) and the service-level time.
fn insights_filters(filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    view! {
        <Choice
            name="status"
            label="filters.status"
            filters
            options=vec![
                ("", "filters.any"),
                ("open", "status.open"),
                ("active", "status.active"),
                ("waiting", "status.waiting"),
                ("wrap_up", "status.wrap_up"),
                ("closed", "status.closed"),
            ]
        />
        <Choice
            name="sl"
            label="filters.sl"
            filters
            options=vec![
                ("", "filters.sl_queue"),
                ("10", "sl.10"),
                ("20", "sl.20"),
                ("30", "sl.30"),
                ("40", "sl.40"),
                ("60", "sl.60"),
                ("120", "sl.120"),
            ]
        />
    }
}

/// The channel choice, the same on both tabs.
#[component]
fn ChannelChoice(
    /// The page's filters.
    filters: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <Choice
            name="channel"
            label="filters.channel"
            filters
            options=vec![
                ("", "filters.any"),
                ("chat", "channel.chat"),
                ("voice", "channel.voice"),
                ("email", "channel.email"),
                ("sms", "channel.sms"),
                ("social", "channel.social"),
                ("messaging", "channel.messaging"),
            ]
        />
    }
}

fn pause_button(live: LiveState) -> impl IntoView {
    view! {
        <button
            type="button"
            class="pause"
            data-testid="pause"
            aria-pressed=move || live.paused.get().to_string()
            on:click=move |_| live.toggle_pause()
        >
            {move || if live.paused.get() { t("live.resume") } else { t("live.pause") }}
        </button>
    }
}
