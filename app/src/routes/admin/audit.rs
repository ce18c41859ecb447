//! `/admin/audit`: who changed what and when, newest first, a page at a time (`?page=N`).

use super::columns;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::t;
use crate::server_fns::admin::admin_audit;

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        })
    };
    let data = Resource::new(page, |p| admin_audit(p.to_string()));
    view! {
        <section class="card" aria-labelledby="audit-title">
            <h1 id="audit-title">{t("admin.audit")}</h1>
            <p class="lead">{t("admin.audit_about")}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        data.await.map(|p| {
                            let rows = p.entries;
                            let n = p.page;
                            view! {
                                {if rows.is_empty() {
                                    view! { <p class="empty">{t("admin.no_audit")}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="scroll">
                                            <table class="grid" data-testid="audit-table">
                                                {columns(&["admin.when", "admin.who", "admin.what", "admin.target", "admin.detail"], &[])}
                                                <tbody>
                                                    {rows
                                                        .into_iter()
                                                        .map(|r| view! {
                                                            <tr>
                                                                <td>{r.at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
                                                                <td>{r.actor}</td>
                                                                <td><code>{r.action}</code></td>
                                                                <td>{r.target}</td>
                                                                <td class="wrap detail">{r.detail}</td>
                                                            </tr>
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }
                                        .into_any()
                                }}
                                <nav class="pager" aria-label=t("admin.pages")>
                                    {(n > 0).then(|| view! {
                                        <a href=format!("/admin/audit?page={}", n - 1) rel="prev">{t("admin.newer")}</a>
                                    })}
                                    <span>{t("admin.page")} " " {n + 1}</span>
                                    {p.has_more.then(|| view! {
                                        <a href=format!("/admin/audit?page={}", n + 1) rel="next" data-testid="audit-older">{t("admin.older")}</a>
                                    })}
                                </nav>
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
