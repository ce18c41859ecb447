//! The Insights charts: plotters' SVG drawn by the server, a visible title, the data table as
//! the text alternative, a CSV download, and click-to-filter (a bar filters the whole page by its
//! category; clicking it again clears that filter).

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::charts::{Chart, ChartTarget};
use crate::components::filter_bar::with_param;
use crate::i18n::t;
use crate::url::encode;

/// The URL that applies (or, when already applied, removes) a chart target's filter.
pub fn target_href(path: &str, filters: &[(String, String)], target: &ChartTarget) -> String {
    let applied = filters
        .iter()
        .any(|(k, v)| *k == target.param && *v == target.value);
    let value = if applied { "" } else { target.value.as_str() };
    format!("{path}{}", with_param(filters, &target.param, value))
}

/// One chart card.
#[component]
fn ChartCard(chart: Chart, filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    let navigate = use_navigate();
    let path = use_location().pathname;
    let csv = format!("data:text/csv;charset=utf-8,{}", encode(&chart.to_csv()));
    let file = format!("{}.csv", chart.id);
    let stored = StoredValue::new(chart.clone());
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(el) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let rect = el.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return;
            }
            let x = (f64::from(ev.client_x()) - rect.left()) / rect.width();
            if let Some(target) = stored.with_value(|c| c.target_at(x).cloned())
                && target.is_filterable()
            {
                let url = target_href(&path.get_untracked(), &filters.get_untracked(), &target);
                navigate(&url, leptos_router::NavigateOptions::default());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &navigate, &path, &stored);
    };
    let filterable = chart.targets.iter().any(ChartTarget::is_filterable);
    view! {
        <article class="card chart-card" data-testid=format!("chart-{}", chart.id)>
            <div class="table-head">
                <h3>{chart.title.clone()}</h3>
                <a class="button" href=csv download=file data-testid=format!("chart-{}-csv", chart.id)>
                    {t("export.csv")}
                </a>
            </div>
            <div class="chart" class:clickable=filterable on:click=on_click inner_html=chart.svg.clone()></div>
            <details>
                <summary>{t("chart.data")}</summary>
                <table class="grid">
                    <thead>
                        <tr>{chart.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {chart
                            .rows
                            .iter()
                            .enumerate()
                            .map(|(i, row)| {
                                let target = chart.targets.get(i).filter(|x| x.is_filterable()).cloned();
                                view! {
                                    <tr>
                                        {row
                                            .iter()
                                            .enumerate()
                                            .map(|(j, cell)| {
                                                match (&target, j) {
                                                    (Some(x), 0) => {
                                                        let x = x.clone();
                                                        let href = move || target_href(&path.get(), &filters.get(), &x);
                                                        view! { <td><a href=href>{cell.clone()}</a></td> }.into_any()
                                                    }
                                                    _ => view! { <td>{cell.clone()}</td> }.into_any(),
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </article>
    }
}

/// The charts in a responsive grid.
#[component]
pub fn ChartsGrid(charts: Vec<Chart>, filters: Memo<Vec<(String, String)>>) -> impl IntoView {
    view! {
        <section class="charts" aria-label=t("chart.section")>
            {charts.into_iter().map(|chart| view! { <ChartCard chart filters /> }).collect_view()}
        </section>
    }
}
