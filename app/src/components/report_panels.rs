//! The admin's extra report panels: an external report in a sandboxed frame (no access to
//! Intraday's origin, no referrer), or the key figures of a saved KPI view with a link to it.

use leptos::prelude::*;

use crate::components::kpi_tiles::KpiTiles;
use crate::i18n::t;
use crate::model::panel::PanelKind;
use crate::server_fns::PanelData;

/// Tiles a saved-view panel shows.
const VIEW_TILES: [&str; 4] = ["incoming", "service_level", "abandon_rate", "longest_wait"];

/// The panels (nothing when there are none).
#[component]
pub fn ReportPanels(panels: Vec<PanelData>) -> impl IntoView {
    (!panels.is_empty()).then(|| {
        view! {
            <section class="panels" aria-label=t("panels.section")>
                {panels
                    .into_iter()
                    .map(|p| {
                        let title = p.panel.title.clone();
                        let body = match (p.panel.kind, p.report) {
                            (PanelKind::Url(url), _) => {
                                view! {
                                    <iframe
                                        src=url
                                        title=title.clone()
                                        sandbox="allow-scripts allow-forms allow-popups"
                                        referrerpolicy="no-referrer"
                                    ></iframe>
                                }
                                    .into_any()
                            }
                            (PanelKind::View(query), Some(Ok(report))) => {
                                view! {
                                    <KpiTiles report only=VIEW_TILES.iter().map(|s| (*s).to_owned()).collect() />
                                    <a href=format!("{}/insights?{query}", crate::routes::base())>{t("panels.open_view")}</a>
                                }
                                    .into_any()
                            }
                            (PanelKind::View(_), Some(Err(e))) => {
                                let e = crate::components::errors::error_text(&e);
                                view! { <p class="error">{t("panels.bad_view")} " " {e}</p> }.into_any()
                            }
                            (PanelKind::View(_), None) => view! { <p class="empty">"—"</p> }.into_any(),
                        };
                        view! {
                            <article class="card panel" data-testid=format!("panel-{}", p.panel.id)>
                                <h3>{title}</h3>
                                {body}
                            </article>
                        }
                    })
                    .collect_view()}
            </section>
        }
    })
}
