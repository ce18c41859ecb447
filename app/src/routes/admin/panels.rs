//! `/admin/panels`: the extra report panels of the Insights tab — an external report (in a
//! sandboxed frame) or a saved KPI view; add and remove.

use super::columns;
use leptos::prelude::*;

use super::{ConfirmSubmit, outcome};
use crate::i18n::t;
use crate::model::panel::{PanelKind, ReportPanel};
use crate::server_fns::admin::{AdminPanelAdd, AdminPanelRemove, admin_panels};

/// The report panels page.
#[component]
pub fn PanelsPage() -> impl IntoView {
    let add = ServerAction::<AdminPanelAdd>::new();
    let remove = ServerAction::<AdminPanelRemove>::new();
    let panels = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| admin_panels(),
    );
    view! {
        <section class="card" aria-labelledby="panels-title">
            <h1 id="panels-title">{t("admin.panels")}</h1>
            <p class="lead">{t("admin.panels_about")}</p>
            <h2>{t("admin.add_panel")}</h2>
            <ActionForm action=add attr:class="admin-form" attr:data-testid="panel-add-form">
                <label class="filter">
                    <span>{t("admin.title_label")}</span>
                    <input name="title" required maxlength="80" data-testid="panel-title" />
                </label>
                <label class="filter wide">
                    <span>{t("admin.panel_url")}</span>
                    <input name="url" type="url" placeholder="https://bi.example.com/report/7" data-testid="panel-url" />
                </label>
                <label class="filter wide">
                    <span>{t("admin.panel_view")}</span>
                    <input name="view" placeholder="queue=billing&window=4h" data-testid="panel-view" />
                </label>
                <button type="submit" data-testid="panel-add">{t("admin.add")}</button>
                {outcome(add.value())}
            </ActionForm>
            <p class="row-outcome">{outcome(remove.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        panels.await.map(|rows| view! { <PanelsTable rows remove /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn PanelsTable(rows: Vec<ReportPanel>, remove: ServerAction<AdminPanelRemove>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{t("admin.no_panels")}</p> }.into_any();
    }
    view! {
        <table class="grid" data-testid="panels-table">
            {columns(&["admin.title_label", "admin.kind", "admin.shows", "admin.actions"], &[])}
            <tbody>
                {rows
                    .into_iter()
                    .map(|p| {
                        let (kind, value) = match &p.kind {
                            PanelKind::Url(u) => (t("admin.panel_kind_url"), u.clone()),
                            PanelKind::View(v) => (t("admin.panel_kind_view"), v.clone()),
                        };
                        let question = t("admin.remove_panel_q").replace("{title}", &p.title);
                        view! {
                            <tr data-testid=format!("panel-row-{}", p.id)>
                                <th scope="row">{p.title.clone()}</th>
                                <td>{kind}</td>
                                <td class="wrap">{value}</td>
                                <td>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="id" value=p.id.to_string() />
                                        <ConfirmSubmit label="admin.remove" question test_id=format!("panel-remove-{}", p.id) />
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
