//! `/admin/users`: the people who sign in — add one (login, role, queues, agent, initial
//! password), change a role, queues or agent, reset a password, delete.

use super::columns;
use leptos::prelude::*;

use super::{ConfirmSubmit, outcome, queue_checkboxes};
use crate::auth::Role;
use crate::i18n::t;
use crate::model::admin::UserRow;
use crate::server_fns::admin::{
    AdminUserAdd, AdminUserDelete, AdminUserPassword, AdminUserUpdate, admin_queues, admin_users,
};

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Agent => t("role.agent"),
        Role::Supervisor => t("role.supervisor"),
        Role::Admin => t("role.admin"),
    }
}

/// A role picker named `role`.
fn role_select(selected: Role, test_id: String) -> impl IntoView + use<> {
    view! {
        <label class="filter">
            <span>{t("admin.role")}</span>
            <select name="role" data-testid=test_id>
                {[Role::Agent, Role::Supervisor, Role::Admin]
                    .into_iter()
                    .map(|r| view! { <option value=r.as_str() selected=r == selected>{role_text(r)}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AdminUserAdd>::new();
    let update = ServerAction::<AdminUserUpdate>::new();
    let password = ServerAction::<AdminUserPassword>::new();
    let delete = ServerAction::<AdminUserDelete>::new();
    let users = Resource::new(
        move || {
            (
                add.version().get(),
                update.version().get(),
                password.version().get(),
                delete.version().get(),
            )
        },
        |_| admin_users(),
    );
    let queues = Resource::new(|| (), |_| admin_queues());
    view! {
        <section class="card" aria-labelledby="users-title">
            <h1 id="users-title">{t("admin.users")}</h1>
            <p class="lead">{t("admin.users_about")}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        let all: Vec<String> = queues.await?.into_iter().map(|q| q.queue_id).collect();
                        let rows = users.await?;
                        Ok::<_, crate::error::AppError>(view! {
                            <AddUser add all=all.clone() />
                            <UsersTable rows all update password delete />
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn AddUser(add: ServerAction<AdminUserAdd>, all: Vec<String>) -> impl IntoView {
    view! {
        <h2>{t("admin.add_user")}</h2>
        <ActionForm action=add attr:class="admin-form" attr:data-testid="user-add-form">
            <label class="filter">
                <span>{t("admin.login")}</span>
                <input name="login" required maxlength="64" autocomplete="off" data-testid="user-add-login" />
            </label>
            {role_select(Role::Supervisor, "user-add-role".into())}
            {queue_checkboxes(&all, &[], "user-add-queue")}
            <label class="filter">
                <span>{t("admin.agent_id")}</span>
                <input name="agent_id" maxlength="64" data-testid="user-add-agent" />
            </label>
            <label class="filter">
                <span>{t("admin.initial_password")}</span>
                <input name="password" type="password" required minlength="8" maxlength="256"
                    autocomplete="new-password" data-testid="user-add-password" />
            </label>
            <button type="submit" data-testid="user-add-submit">{t("admin.add")}</button>
            {outcome(add.value())}
        </ActionForm>
    }
}

#[component]
fn UsersTable(
    rows: Vec<UserRow>,
    all: Vec<String>,
    update: ServerAction<AdminUserUpdate>,
    password: ServerAction<AdminUserPassword>,
    delete: ServerAction<AdminUserDelete>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{t("admin.no_users")}</p> }.into_any();
    }
    view! {
        <p class="row-outcome">
            {outcome(update.value())} {outcome(password.value())} {outcome(delete.value())}
        </p>
        <div class="scroll">
            <table class="grid" data-testid="users-table">
                {columns(&["admin.login", "admin.role", "admin.queues", "admin.agent_id", "admin.created", "admin.actions"], &[])}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|u| view! { <UserRowView u all=all.clone() update password delete /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn UserRowView(
    u: UserRow,
    all: Vec<String>,
    update: ServerAction<AdminUserUpdate>,
    password: ServerAction<AdminUserPassword>,
    delete: ServerAction<AdminUserDelete>,
) -> impl IntoView {
    let login = u.login.clone();
    let question = t("admin.delete_user_q").replace("{login}", &login);
    let (l1, l2, l3) = (login.clone(), login.clone(), login.clone());
    let role = role_select(u.role, format!("user-role-{login}"));
    let queues = queue_checkboxes(&all, &u.queues, &format!("user-queue-{login}"));
    let agent = u.agent_id.clone().unwrap_or_default();
    let (save_id, delete_id) = (format!("user-save-{login}"), format!("user-delete-{login}"));
    view! {
        <tr data-testid=format!("user-{login}")>
            <th scope="row">{login.clone()}</th>
            <td>{role_text(u.role)}</td>
            <td>{u.queues.join(", ")}</td>
            <td>{u.agent_id.clone().unwrap_or_default()}</td>
            <td>{u.created_at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
            <td>
                <div class="row-actions">
                <details>
                    <summary data-testid=format!("user-edit-{login}")>{t("admin.edit")}</summary>
                    <ActionForm action=update attr:class="admin-form">
                        <input type="hidden" name="login" value=l1 />
                        {role}
                        {queues}
                        <label class="filter">
                            <span>{t("admin.agent_id")}</span>
                            <input name="agent_id" maxlength="64" value=agent />
                        </label>
                        <button type="submit" data-testid=save_id>{t("admin.save")}</button>
                    </ActionForm>
                    <ActionForm action=password attr:class="admin-form">
                        <input type="hidden" name="login" value=l2 />
                        <label class="filter">
                            <span>{t("admin.new_password")}</span>
                            <input name="password" type="password" required minlength="8" maxlength="256" autocomplete="new-password" />
                        </label>
                        <button type="submit">{t("admin.reset_password")}</button>
                    </ActionForm>
                </details>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="login" value=l3 />
                    <ConfirmSubmit label="admin.delete" question test_id=delete_id />
                </ActionForm>
                </div>
            </td>
        </tr>
    }
}
