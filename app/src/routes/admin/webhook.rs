//! `/admin/webhook`: where supervisor and agent actions are sent (the URL, and a signing secret
//! that is never shown again) and the outbox's newest rows — pending, delivered, failing or
//! given up on, filtered by `?show=` — each of which can be sent again.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{columns, date, outcome};
use crate::i18n::t;
use crate::model::admin::WebhookSettings;
use crate::model::outbox::{OutboxFilter, OutboxRow, OutboxState};
use crate::server_fns::admin::{
    AdminOutboxRedeliver, AdminWebhookSecretSet, AdminWebhookUrlSet, admin_outbox, admin_webhook,
};

/// The webhook page.
#[component]
pub fn WebhookPage() -> impl IntoView {
    let url = ServerAction::<AdminWebhookUrlSet>::new();
    let secret = ServerAction::<AdminWebhookSecretSet>::new();
    let settings = Resource::new(
        move || (url.version().get(), secret.version().get()),
        |_| admin_webhook(),
    );
    view! {
        <section class="card" aria-labelledby="webhook-title">
            <h1 id="webhook-title">{t("admin.webhook")}</h1>
            <p class="lead">{t("admin.webhook_about")}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        settings.await.map(|s| view! { <WebhookForms s url secret /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
        <Outbox />
    }
}

#[component]
fn WebhookForms(
    s: WebhookSettings,
    url: ServerAction<AdminWebhookUrlSet>,
    secret: ServerAction<AdminWebhookSecretSet>,
) -> impl IntoView {
    let state = match (s.url.is_empty(), s.secret_set) {
        (true, _) => "admin.webhook_off",
        (false, false) => "admin.webhook_no_secret",
        (false, true) => "admin.webhook_on",
    };
    view! {
        <p class="status" data-testid="webhook-state">{t(state)}</p>
        <ActionForm action=url attr:class="admin-form" attr:data-testid="webhook-url-form">
            <label class="filter wide">
                <span>{t("admin.webhook_url")}</span>
                <input name="url" inputmode="url" maxlength="2048" value=s.url
                    placeholder="http://hooks.internal:8080/intraday" data-testid="webhook-url" />
            </label>
            <span class="hint">{t("admin.webhook_url_hint")}</span>
            <button type="submit" data-testid="webhook-url-submit">{t("admin.save")}</button>
            {outcome(url.value())}
        </ActionForm>
        <ActionForm action=secret attr:class="admin-form" attr:data-testid="webhook-secret-form">
            <label class="filter wide">
                <span>{t("admin.webhook_secret")}</span>
                <input name="secret" type="password" autocomplete="new-password" minlength="16" maxlength="256"
                    required data-testid="webhook-secret" />
            </label>
            <span class="hint" data-testid="webhook-secret-state">
                {t(if s.secret_set { "admin.webhook_secret_set" } else { "admin.webhook_secret_unset" })}
                " "
                {t("admin.webhook_secret_hint")}
            </span>
            <button type="submit" data-testid="webhook-secret-submit">{t("admin.save")}</button>
            {outcome(secret.value())}
        </ActionForm>
    }
}

/// The outbox's newest rows, filtered by `?show=`, each with a Redeliver button.
#[component]
fn Outbox() -> impl IntoView {
    let query = use_query_map();
    let show = move || query.with(|q| OutboxFilter::parse(&q.get("show").unwrap_or_default()));
    let redeliver = ServerAction::<AdminOutboxRedeliver>::new();
    let rows = Resource::new(
        move || (show(), redeliver.version().get()),
        |(f, _)| admin_outbox(f.as_str().to_owned()),
    );
    let filters = OutboxFilter::ALL
        .into_iter()
        .map(|f| {
            let key = match f {
                OutboxFilter::All => "admin.outbox_all",
                OutboxFilter::Pending => "admin.outbox_pending",
                OutboxFilter::Failed => "admin.outbox_failed",
            };
            view! {
                <a href=format!("/admin/webhook?show={}", f.as_str())
                    aria-current=move || (show() == f).then_some("page")
                    data-testid=format!("outbox-show-{}", f.as_str())>
                    {t(key)}
                </a>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="outbox-title">
            <h2 id="outbox-title">{t("admin.outbox")}</h2>
            <p class="lead">{t("admin.outbox_about")}</p>
            <nav class="pager" aria-label=t("admin.outbox_filter")>{filters}</nav>
            <p class="row-outcome">{outcome(redeliver.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        rows.await.map(|rows| view! { <OutboxTable rows redeliver /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// How a row's delivery stands, in words.
fn status(row: &OutboxRow) -> String {
    let error = row.last_error.clone().unwrap_or_default();
    let next = row.next_attempt.as_deref().map(date).unwrap_or_default();
    match row.state {
        OutboxState::Pending => t("admin.outbox_state_pending").to_owned(),
        OutboxState::Delivered => t("admin.outbox_state_delivered").replace(
            "{at}",
            &row.delivered_at.as_deref().map(date).unwrap_or_default(),
        ),
        OutboxState::Failing => t("admin.outbox_state_failing")
            .replace("{error}", &error)
            .replace("{at}", &next),
        OutboxState::Failed => t("admin.outbox_state_failed").replace("{error}", &error),
    }
}

#[component]
fn OutboxTable(
    rows: Vec<OutboxRow>,
    redeliver: ServerAction<AdminOutboxRedeliver>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty" data-testid="outbox-none">{t("admin.no_outbox")}</p> }
            .into_any();
    }
    view! {
        <div class="scroll">
            <table class="grid" data-testid="outbox-table">
                {columns(
                    &["admin.id", "admin.action", "admin.conversation", "admin.who", "admin.when", "admin.attempts", "admin.status", "admin.actions"],
                    &["admin.id", "admin.attempts"],
                )}
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let text = status(&row);
                            let state = match row.state {
                                OutboxState::Pending => "pending",
                                OutboxState::Failing => "failing",
                                OutboxState::Delivered => "delivered",
                                OutboxState::Failed => "failed",
                            };
                            view! {
                                <tr data-testid=format!("outbox-{}", row.id) data-state=state>
                                    <th scope="row" class="num">{row.id}</th>
                                    <td><code>{row.action.clone()}</code></td>
                                    <td>{row.conversation_id.clone()}</td>
                                    <td>{row.actor.clone()}</td>
                                    <td>{date(&row.at)}</td>
                                    <td class="num">{row.attempts}</td>
                                    <td class="wrap" data-testid=format!("outbox-status-{}", row.id)>{text}</td>
                                    <td>
                                        <ActionForm action=redeliver attr:class="inline-form">
                                            <input type="hidden" name="id" value=row.id.to_string() />
                                            <button type="submit" class="link" data-testid=format!("outbox-redeliver-{}", row.id)>
                                                {t("admin.redeliver")}
                                            </button>
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
