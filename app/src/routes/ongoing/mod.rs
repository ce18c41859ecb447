//! The Ongoing conversations tab (`/ongoing`, a conversation's panel at `/ongoing/{id}`): every
//! conversation not closed in the supervisor's queues, live from the stream, with what needs
//! attention ranked first, the open escalations, and the actions in the panel.
//!
//! The page stays mounted while panels open and close (a parent route), so the grid keeps its
//! stream and rows; the panel is its child route.

mod grid;
mod lists;
pub(crate) mod panel;
mod store;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_query_map;

use crate::components::filter_bar::{FilterBar, with_param};
use crate::components::live_feed::{LiveFeed, LiveState};
use crate::i18n::t;
use crate::ongoing::view::{self, Column, Ctx, Filters, Order};
use crate::server_fns::ongoing::{OngoingSetup, get_ongoing_setup};

pub use panel::ConversationPanel;
use store::{Grid, Store};

/// The grid's setup, shared by its parts.
pub type Setup = Arc<OngoingSetup>;

/// The link that opens a conversation's panel, keeping the page's filters.
pub fn panel_href(id: &str, filters: &[(String, String)]) -> String {
    format!(
        "{}/ongoing/{}{}",
        crate::routes::base(),
        crate::url::encode(id),
        with_param(filters, "", "")
    )
}

/// What the cells are measured against, now.
pub fn cell_ctx<'a>(g: &'a Grid, setup: &'a OngoingSetup, now_ms: i64) -> Ctx<'a> {
    Ctx {
        now_ms,
        service_level: Box::new(move |q| {
            setup
                .queues
                .iter()
                .find(|x| x.id == q)
                .map_or(20, |x| x.service_level_seconds)
        }),
        over_capacity: Box::new(move |a| g.agents.get(a).is_some_and(|a| a.capacity_free < 0)),
        agent_name: Box::new(move |a| g.agent_name(a)),
        stuck_ms: i64::from(setup.stuck_minutes) * 60_000,
        negative_at: setup.negative_at,
    }
}

/// The page's URL parameters, in a stable order (every one: the grid's filters, Insights'
/// shared ones, `sort`).
fn url_pairs() -> Memo<Vec<(String, String)>> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let mut pairs: Vec<(String, String)> = (&q)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_owned()))
            .collect();
        pairs.sort();
        pairs
    })
}

/// The Ongoing conversations page.
#[component]
pub fn OngoingPage() -> impl IntoView {
    let filters = url_pairs();
    let live = LiveState::new();
    provide_context(live);
    let store = Store::new(live);
    provide_context(store);
    provide_context(panel::PanelData::new(store));
    let setup = Resource::new(|| (), |_| get_ongoing_setup());
    view! {
        <div class="ongoing">
            <LiveFeed feed=false />
            <FilterBar filters ongoing=true />
            <Transition fallback=|| view! { <p class="skeleton">{t("ongoing.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "ongoing-error")>
                    {move || Suspend::new(async move {
                        setup.await.map(|s| {
                            let setup: Setup = Arc::new(s);
                            view! { <Board filters setup /> }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// Everything under the filter bar once the setup is known.
#[component]
fn Board(filters: Memo<Vec<(String, String)>>, setup: Setup) -> impl IntoView {
    let store = expect_context::<Store>();
    // For the panel, a child route rendered in this component's outlet.
    provide_context(setup.clone());
    let order = Memo::new(move |_| {
        Order::parse(
            filters
                .with(|f| f.iter().find(|(k, _)| k == "sort").map(|(_, v)| v.clone()))
                .as_deref(),
        )
    });
    let grid_filters = Memo::new(move |_| {
        filters.with(|f| Filters::from_pairs(f.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    });
    // The order moves with the clock only where it depends on it (attention, the clocks'
    // columns, the stuck filter); otherwise a tick leaves the row order alone.
    let clock = Memo::new(move |_| {
        let timed = matches!(
            order.get(),
            Order::Attention
                | Order::By(
                    Column::InStatus | Column::Handle | Column::Wait | Column::Breach,
                    _
                )
        ) || grid_filters.with(|f| f.stuck);
        if timed { store.now.get() / 5_000 } else { 0 }
    });
    let ids = {
        let setup = setup.clone();
        Memo::new(move |_| {
            clock.track();
            let order = order.get();
            grid_filters.with(|f| {
                let needle = f.search.to_lowercase();
                store.grid.with(|g| {
                    let ctx = cell_ctx(g, &setup, store.now.get_untracked());
                    let mut rows: Vec<&crate::ongoing::OngoingRow> = g
                        .rows
                        .values()
                        .filter(|r| f.pass(r, &needle, &ctx))
                        .collect();
                    view::sort(&mut rows, order, &ctx);
                    rows.into_iter()
                        .map(|r| r.id.clone())
                        .collect::<Vec<String>>()
                })
            })
        })
    };
    // The choice kept with the user (the same in every browser); a portal's session has no
    // stored user, so its browser keeps it.
    let stored: Vec<Column> = setup
        .columns
        .iter()
        .filter_map(|c| Column::parse(c))
        .collect();
    let columns = RwSignal::new(if stored.is_empty() {
        Column::defaults()
    } else {
        stored.clone()
    });
    if stored.is_empty() {
        lists::restore_columns(columns, &setup.login);
    }
    let total = move || store.grid.with(|g| g.rows.len());
    // Re-rendered only when it moves between loading, empty and rows: the grid keeps its
    // scroll position and selection while rows change.
    let phase =
        Memo::new(
            move |_| match (store.grid.with(|g| g.loaded), ids.with(Vec::is_empty)) {
                (false, _) => 0u8,
                (true, true) => 1,
                (true, false) => 2,
            },
        );
    let body = {
        let setup = setup.clone();
        move || match phase.get() {
            0 => {
                view! { <p class="skeleton" data-testid="grid-loading">{t("ongoing.loading")}</p> }
                    .into_any()
            }
            1 => view! { <p class="empty" data-testid="grid-empty">{t("ongoing.empty")}</p> }
                .into_any(),
            _ => view! { <grid::Grid ids order columns filters setup=setup.clone() /> }.into_any(),
        }
    };
    view! {
        <div class="ongoing-board">
            <div class="ongoing-main">
                <lists::Attention setup=setup.clone() filters grid_filters />
                <div class="bar-row">
                    <p class="count" data-testid="grid-count" aria-live="polite">
                        {move || crate::i18n::fill(t("ongoing.count"), &[&ids.with(Vec::len), &total()])}
                    </p>
                    <lists::ColumnChooser columns login=setup.login.clone() />
                    <lists::CsvExport ids columns setup=setup.clone() filters />
                </div>
                {body}
            </div>
            <aside class="ongoing-side">
                <Outlet />
                <lists::Escalations filters />
            </aside>
        </div>
    }
    .into_any()
}
