//! `/admin/tokens`: API tokens for ingest, the read API and metrics — create one (its secret is
//! shown once), see scopes, queues and dates, revoke — and the portals' embedded sessions, each
//! of which can be ended.

use super::columns;
use leptos::prelude::*;

use super::{ConfirmSubmit, date, message, outcome, queue_checkboxes};
use crate::i18n::t;
use crate::model::admin::{EmbeddedSessionRow, TokenRow};
use crate::server_fns::admin::{
    AdminEmbeddedSessionRevoke, AdminTokenCreate, AdminTokenRevoke, admin_embedded_sessions,
    admin_queues, admin_tokens,
};

/// The tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<AdminTokenCreate>::new();
    let revoke = ServerAction::<AdminTokenRevoke>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| admin_tokens(),
    );
    let queues = Resource::new(|| (), |_| admin_queues());
    let locale = crate::i18n::use_locale();
    let created = move || {
        create.value().get().map(|r| match r {
            Ok(secret) => view! {
                <div class="new-token" role="status">
                    <p>{t("admin.token_once")}</p>
                    <code data-testid="new-token">{secret}</code>
                </div>
            }
            .into_any(),
            Err(e) => view! { <span class="error" role="alert" data-testid="form-error">{message(locale, &e)}</span> }
                .into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="tokens-title">
            <h1 id="tokens-title">{t("admin.tokens")}</h1>
            <p class="lead">{t("admin.tokens_about")}</p>
            <h2>{t("admin.create_token")}</h2>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                {move || Suspend::new(async move {
                    let all: Vec<String> = queues
                        .await
                        .map(|qs| qs.into_iter().map(|q| q.queue_id).collect())
                        .unwrap_or_default();
                    view! {
                        <ActionForm action=create attr:class="admin-form" attr:data-testid="token-create-form">
                            <label class="filter">
                                <span>{t("admin.name")}</span>
                                <input name="name" required maxlength="80" data-testid="token-name" />
                            </label>
                            <fieldset class="checks">
                                <legend>{t("admin.scopes")}</legend>
                                <label class="check">
                                    <input type="checkbox" name="scopes[0]" value="ingest" checked data-testid="token-scope-ingest" />
                                    {t("admin.scope_ingest")}
                                </label>
                                <label class="check">
                                    <input type="checkbox" name="scopes[1]" value="read" checked data-testid="token-scope-read" />
                                    {t("admin.scope_read")}
                                </label>
                                <label class="check">
                                    <input type="checkbox" name="scopes[2]" value="metrics" data-testid="token-scope-metrics" />
                                    {t("admin.scope_metrics")}
                                </label>
                                <label class="check">
                                    <input type="checkbox" name="scopes[3]" value="act" data-testid="token-scope-act" />
                                    {t("admin.scope_act")}
                                </label>
                            </fieldset>
                            {queue_checkboxes(&all, &[], "token-queue")}
                            <span class="hint">{t("admin.token_queues_hint")}</span>
                            <button type="submit" data-testid="token-create">{t("admin.create")}</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            {created}
            <h2>{t("admin.tokens")}</h2>
            <p class="row-outcome">{outcome(revoke.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        tokens.await.map(|rows| view! { <TokensTable rows revoke /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
        <EmbeddedSessions />
    }
}

/// The portals' embedded sessions, each of which the admin can end.
#[component]
fn EmbeddedSessions() -> impl IntoView {
    let end = ServerAction::<AdminEmbeddedSessionRevoke>::new();
    let sessions = Resource::new(move || end.version().get(), |_| admin_embedded_sessions());
    view! {
        <section class="card" aria-labelledby="embedded-title">
            <h2 id="embedded-title">{t("admin.embedded_sessions")}</h2>
            <p class="lead">{t("admin.embedded_sessions_about")}</p>
            <p class="row-outcome">{outcome(end.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        sessions.await.map(|rows| view! { <EmbeddedTable rows end /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn EmbeddedTable(
    rows: Vec<EmbeddedSessionRow>,
    end: ServerAction<AdminEmbeddedSessionRevoke>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty" data-testid="embedded-none">{t("admin.no_embedded_sessions")}</p> }
            .into_any();
    }
    view! {
        <div class="scroll">
            <table class="grid" data-testid="embedded-table">
                {columns(&["admin.name", "admin.role", "admin.queues", "admin.created", "admin.ends", "admin.actions"], &[])}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let question = t("admin.end_session_q").replace("{name}", &row.login);
                            let test_id = format!("embedded-end-{}", row.login);
                            view! {
                                <tr data-testid=format!("embedded-{}", row.login)>
                                    <th scope="row">{format!("portal:{}", row.login)}</th>
                                    <td>{row.role.clone()}</td>
                                    <td>{row.queues.join(", ")}</td>
                                    <td>{date(&row.created_at)}</td>
                                    <td>{date(&row.expires_at)}</td>
                                    <td>
                                        <ActionForm action=end attr:class="inline-form">
                                            <input type="hidden" name="id" value=row.id.clone() />
                                            <ConfirmSubmit label="admin.end_session" question test_id />
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn TokensTable(rows: Vec<TokenRow>, revoke: ServerAction<AdminTokenRevoke>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{t("admin.no_tokens")}</p> }.into_any();
    }
    view! {
        <div class="scroll">
            <table class="grid" data-testid="tokens-table">
                {columns(&["admin.name", "admin.scopes", "admin.queues", "admin.created", "admin.status", "admin.actions"], &[])}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|tok| {
                            let question = t("admin.revoke_token_q").replace("{name}", &tok.name);
                            let id = tok.id;
                            let revoke_id = format!("token-revoke-{}", tok.name);
                            view! {
                                <tr data-testid=format!("token-{}", tok.name)>
                                    <th scope="row">{tok.name.clone()}</th>
                                    <td>{tok.scopes.join(", ")}</td>
                                    <td>{tok.queues.as_ref().map_or_else(|| t("admin.all_queues").to_owned(), |q| q.join(", "))}</td>
                                    <td>{date(&tok.created_at)}</td>
                                    <td data-testid=format!("token-status-{}", tok.name)>
                                        {match &tok.revoked_at {
                                            Some(at) => format!("{} {}", t("admin.revoked"), date(at)),
                                            None => t("admin.active").to_owned(),
                                        }}
                                    </td>
                                    <td>
                                        {tok.revoked_at.is_none().then(|| view! {
                                            <ActionForm action=revoke attr:class="inline-form">
                                                <input type="hidden" name="id" value=id.to_string() />
                                                <ConfirmSubmit label="admin.revoke" question test_id=revoke_id />
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
