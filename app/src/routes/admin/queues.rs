//! `/admin/queues`: each queue with its name, service-level threshold and the supervisors
//! assigned to it; rename a queue or change its threshold (a `queue.upserted` event through the
//! ingest path); assign and unassign supervisors.

use super::columns;
use leptos::prelude::*;

use super::outcome;
use crate::auth::Role;
use crate::i18n::t;
use crate::model::admin::QueueInfo;
use crate::server_fns::admin::{AdminQueueSave, AdminQueueSupervisor, admin_queues, admin_users};

/// The queues page.
#[component]
pub fn QueuesPage() -> impl IntoView {
    let assign = ServerAction::<AdminQueueSupervisor>::new();
    let save = ServerAction::<AdminQueueSave>::new();
    let queues = Resource::new(
        move || (assign.version().get(), save.version().get()),
        |_| admin_queues(),
    );
    let users = Resource::new(move || assign.version().get(), |_| admin_users());
    view! {
        <section class="card" aria-labelledby="queues-title">
            <h1 id="queues-title">{t("admin.queues")}</h1>
            <p class="lead">{t("admin.queues_about")}</p>
            <p class="row-outcome">{outcome(assign.value())} {outcome(save.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        let supervisors: Vec<String> = users
                            .await?
                            .into_iter()
                            .filter(|u| u.role == Role::Supervisor)
                            .map(|u| u.login)
                            .collect();
                        let rows = queues.await?;
                        Ok::<_, crate::error::AppError>(view! { <QueuesTable rows supervisors assign save /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn QueuesTable(
    rows: Vec<QueueInfo>,
    supervisors: Vec<String>,
    assign: ServerAction<AdminQueueSupervisor>,
    save: ServerAction<AdminQueueSave>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{t("admin.no_queues_yet")}</p> }.into_any();
    }
    view! {
        <div class="scroll">
            <table class="grid" data-testid="queues-table">
                {columns(&["admin.queue_id", "admin.name", "admin.channels", "admin.sl_seconds", "admin.supervisors", "admin.assign", "admin.actions"], &["admin.sl_seconds"])}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|q| {
                            let free: Vec<String> = supervisors
                                .iter()
                                .filter(|s| !q.supervisors.contains(s))
                                .cloned()
                                .collect();
                            view! { <QueueRowView q free assign save /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn QueueRowView(
    q: QueueInfo,
    free: Vec<String>,
    assign: ServerAction<AdminQueueSupervisor>,
    save: ServerAction<AdminQueueSave>,
) -> impl IntoView {
    let id = q.queue_id.clone();
    let edit = {
        let (qid, name, sl) = (
            id.clone(),
            q.name.clone(),
            q.service_level_seconds.to_string(),
        );
        let (summary_id, name_id, sl_id, save_id) = (
            format!("queue-edit-{id}"),
            format!("queue-name-{id}"),
            format!("queue-sl-{id}"),
            format!("queue-save-{id}"),
        );
        view! {
            <details>
                <summary data-testid=summary_id>{t("admin.edit")}</summary>
                <ActionForm action=save attr:class="admin-form">
                    <input type="hidden" name="queue_id" value=qid />
                    <label class="filter">
                        <span>{t("admin.name")}</span>
                        <input name="name" required maxlength="120" value=name data-testid=name_id />
                    </label>
                    <label class="filter">
                        <span>{t("admin.sl_seconds")}</span>
                        <input name="service_level_seconds" type="number" min="1" max="3600" required
                            class="narrow" value=sl data-testid=sl_id />
                    </label>
                    <button type="submit" data-testid=save_id>{t("admin.save")}</button>
                </ActionForm>
            </details>
        }
    };
    let assigned = if q.supervisors.is_empty() {
        view! { <span class="empty">{t("admin.none_assigned")}</span> }.into_any()
    } else {
        q.supervisors
            .iter()
            .map(|s| {
                let (qid, login) = (id.clone(), s.clone());
                let label = format!("{} {s}", t("admin.unassign"));
                let test_id = format!("unassign-{id}-{s}");
                view! {
                    <ActionForm action=assign attr:class="inline-form chip-form">
                        <input type="hidden" name="queue_id" value=qid />
                        <input type="hidden" name="login" value=login.clone() />
                        <input type="hidden" name="assigned" value="false" />
                        <span class="chip">{login}</span>
                        <button type="submit" class="link" aria-label=label data-testid=test_id>
                            "×"
                        </button>
                    </ActionForm>
                }
            })
            .collect_view()
            .into_any()
    };
    let assign_form = (!free.is_empty()).then(|| {
        let (qid, select_id, select_tid, button_tid) = (
            id.clone(),
            format!("assign-{id}"),
            format!("assign-select-{id}"),
            format!("assign-{id}"),
        );
        let label_for = select_id.clone();
        let options = free
            .iter()
            .map(|s| view! { <option value=s.clone()>{s.clone()}</option> })
            .collect_view();
        view! {
            <ActionForm action=assign attr:class="inline-form">
                <input type="hidden" name="queue_id" value=qid />
                <input type="hidden" name="assigned" value="true" />
                <label class="sr-only" for=label_for>{t("admin.supervisor")}</label>
                <select name="login" id=select_id data-testid=select_tid>
                    {options}
                </select>
                <button type="submit" data-testid=button_tid>{t("admin.assign")}</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-testid=format!("queue-row-{id}")>
            <th scope="row">{id.clone()}</th>
            <td>{q.name.clone()}</td>
            <td>{q.channels.join(", ")}</td>
            <td class="num">{q.service_level_seconds}</td>
            <td>{assigned}</td>
            <td>{assign_form}</td>
            <td>{edit}</td>
        </tr>
    }
}
