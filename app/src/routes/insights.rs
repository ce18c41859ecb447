//! The Intraday Insights tab: KPI tiles, charts, the agents table and the unassigned workload
//! for the filters in the URL, live, with replay of any minute of the last 24 h.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::agents_table::AgentsTable;
use crate::components::charts_grid::ChartsGrid;
use crate::components::filter_bar::FilterBar;
use crate::components::kpi_tiles::KpiTiles;
use crate::components::live_feed::{LiveFeed, LiveState};
use crate::components::queue_table::QueueTable;
use crate::components::replay::ReplaySlider;
use crate::i18n::t;
use crate::kpi::domain::query::FILTER_KEYS;
use crate::server_fns::get_insights;

/// The page's filters from the URL, as (key, value) pairs in a stable order.
pub fn url_filters() -> Memo<Vec<(String, String)>> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let mut pairs: Vec<(String, String)> = (&q)
            .into_iter()
            .filter(|(k, v)| FILTER_KEYS.contains(&k.as_ref()) && !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_owned()))
            .collect();
        pairs.sort();
        pairs
    })
}

/// The Insights data on its way.
pub type InsightsFuture = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<crate::server_fns::InsightsData, crate::error::AppError>,
            > + Send,
    >,
>;

/// A fetcher that never lets an older answer win: a live refresh and a filter change can be in
/// flight together and answer out of order, so an answer that is no longer the latest request's
/// is fetched again for the current filters.
pub fn latest_only(
    filters: Memo<Vec<(String, String)>>,
) -> impl Fn((Vec<(String, String)>, u64)) -> InsightsFuture + Send + Sync + 'static {
    let issued = StoredValue::new(0u64);
    move |(f, _)| {
        issued.update_value(|n| *n += 1);
        let mine = issued.get_value();
        Box::pin(async move {
            let answer = get_insights(f).await;
            if issued.try_get_value() == Some(mine) {
                answer
            } else {
                get_insights(filters.get_untracked()).await
            }
        })
    }
}

/// The Insights page.
#[component]
pub fn InsightsPage() -> impl IntoView {
    let filters = url_filters();
    let live = LiveState::new();
    let data = Resource::new(
        move || (filters.get(), live.version.get()),
        latest_only(filters),
    );
    provide_context(live);
    crate::components::ticker::provide_ticker();

    view! {
        <div class="insights">
            <LiveFeed />
            <FilterBar filters />
            <div class="bar-row">
                <ReplaySlider filters />
                <crate::components::saved_views::SavedViews filters />
                <a class="button" href=move || format!("{}/wallboard{}", crate::routes::base(), crate::components::filter_bar::with_param(&filters.get(), "at", "")) data-testid="open-wallboard">
                    {t("nav.wallboard")}
                </a>
            </div>
            <Transition fallback=|| {
                view! { <p class="skeleton">{t("insights.loading")}</p> }
            }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "insights-error")>
                    {move || Suspend::new(async move {
                        data.await
                            .map(|d| {
                                let report = StoredValue::new(d.report.clone());
                                view! {
                                    <KpiTiles report=report.get_value() limits=d.limits />
                                    <ChartsGrid charts=d.charts filters />
                                    <QueueTable report=report.get_value() oldest=d.oldest />
                                    <AgentsTable agents=d.agents filters=filters.get_untracked() />
                                    <crate::components::report_panels::ReportPanels panels=d.panels />
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}
