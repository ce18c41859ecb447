//! Wallboard mode: chosen tiles in large type for a wall display, live, no controls.
//! `/wallboard?tiles=incoming,service_level,longest_wait&queue=…` (any Insights filter).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::kpi_tiles::KpiTiles;
use crate::components::live_feed::{LiveFeed, LiveState};
use crate::i18n::t;
use crate::routes::insights::url_filters;

/// Tiles shown when the URL names none.
pub const DEFAULT_TILES: [&str; 8] = [
    "in_queue",
    "longest_wait",
    "service_level",
    "incoming",
    "abandon_rate",
    "avg_speed_to_answer",
    "agents_logged_in",
    "agents_with_free_capacity",
];

/// The wallboard page.
#[component]
pub fn WallboardPage() -> impl IntoView {
    let filters = url_filters();
    let query = use_query_map();
    let only = Memo::new(move |_| {
        let chosen: Vec<String> = query
            .get()
            .get_str("tiles")
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if chosen.is_empty() {
            DEFAULT_TILES.iter().map(|s| (*s).to_owned()).collect()
        } else {
            chosen
        }
    });
    let live = LiveState::new();
    provide_context(live);
    crate::components::ticker::provide_ticker();
    let data = Resource::new(
        move || (filters.get(), live.version.get()),
        crate::routes::insights::latest_only(filters),
    );
    view! {
        <div class="wallboard" data-testid="wallboard">
            <LiveFeed />
            <Transition fallback=|| view! { <p class="skeleton">{t("insights.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "wallboard-error")>
                    {move || Suspend::new(async move {
                        data.await.map(|d| view! { <KpiTiles report=d.report only=only.get_untracked() limits=d.limits /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}
