//! `/admin/connectors`: Chatwoot connectors — add one (the webhook URL to paste into Chatwoot is
//! shown at once), and per connector what it received in the last 7 days by event and outcome,
//! its newest deliveries, the payloads it could not place (each can be mapped again or
//! discarded), a test delivery and removal.

use leptos::prelude::*;

use super::{ConfirmSubmit, columns, date, message, outcome};
use crate::i18n::t;
use crate::model::connector::{
    ConnectorActivity, ConnectorInfo, NAME_CHARS, SECRET_CHARS, webhook_path,
};
use crate::server_fns::connectors::{
    AdminConnectorAdd, AdminConnectorRemove, AdminConnectorTest, AdminDeadLetterDiscard,
    AdminDeadLetterRetry, admin_connector_activity, admin_connectors,
};

/// This page's address as the browser sees it (empty while rendered on the server), so the
/// webhook URL shown is the one Chatwoot must call.
fn origin() -> ReadSignal<String> {
    let (origin, set_origin) = signal(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(o) = window().location().origin() {
            set_origin.set(o);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = set_origin;
    });
    origin
}

/// The connectors page.
#[component]
pub fn ConnectorsPage() -> impl IntoView {
    let add = ServerAction::<AdminConnectorAdd>::new();
    let remove = ServerAction::<AdminConnectorRemove>::new();
    let list = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| admin_connectors(),
    );
    let origin = origin();
    let locale = crate::i18n::use_locale();
    let added = move || {
        add.value().get().map(|r| match r {
            Ok(c) => view! {
                <div class="new-token" role="status">
                    <p>{t("admin.connector_added")}</p>
                    <code data-testid="new-connector-url">{move || format!("{}{}", origin.get(), webhook_path(&c.key))}</code>
                </div>
            }
            .into_any(),
            Err(e) => view! { <span class="error" role="alert" data-testid="form-error">{message(locale, &e)}</span> }
                .into_any(),
        })
    };
    let (lo, hi) = SECRET_CHARS;
    view! {
        <section class="card" aria-labelledby="connectors-title">
            <h1 id="connectors-title">{t("admin.connectors")}</h1>
            <p class="lead">{t("admin.connectors_about")}</p>
            <h2>{t("admin.connector_add")}</h2>
            <ActionForm action=add attr:class="admin-form" attr:data-testid="connector-add-form">
                <label class="filter">
                    <span>{t("admin.name")}</span>
                    <input name="name" required maxlength=NAME_CHARS.to_string() data-testid="connector-name" />
                </label>
                <label class="filter wide">
                    <span>{t("admin.connector_secret")}</span>
                    <input name="secret" type="password" autocomplete="new-password" required
                        minlength=lo.to_string() maxlength=hi.to_string() data-testid="connector-secret" />
                </label>
                <span class="hint">{t("admin.connector_secret_hint")}</span>
                <label class="check">
                    <input type="checkbox" name="unsigned" value="on" data-testid="connector-unsigned" />
                    {t("admin.connector_unsigned")}
                </label>
                <label class="filter">
                    <span>{t("admin.connector_queue_by")}</span>
                    <select name="queue_by" data-testid="connector-queue-by">
                        <option value="inbox" selected>{t("admin.connector_by_inbox")}</option>
                        <option value="team">{t("admin.connector_by_team")}</option>
                    </select>
                </label>
                <fieldset class="checks">
                    <legend>{t("admin.connector_outbound")}</legend>
                    <label class="filter wide">
                        <span>{t("admin.connector_base_url")}</span>
                        <input name="base_url" inputmode="url" maxlength="512"
                            placeholder="http://chatwoot.internal:3000" data-testid="connector-base-url" />
                    </label>
                    <label class="filter">
                        <span>{t("admin.connector_account")}</span>
                        <input name="account_id" inputmode="numeric" maxlength="19" data-testid="connector-account" />
                    </label>
                    <label class="filter wide">
                        <span>{t("admin.connector_api_token")}</span>
                        <input name="api_token" type="password" autocomplete="off" maxlength="256" data-testid="connector-api-token" />
                    </label>
                    <span class="hint">{t("admin.connector_outbound_hint")}</span>
                </fieldset>
                <button type="submit" data-testid="connector-add">{t("admin.create")}</button>
            </ActionForm>
            {added}
            <p class="row-outcome">{outcome(remove.value())}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || Suspend::new(async move {
                        list.await.map(|rows| {
                            if rows.is_empty() {
                                return view! { <p class="empty" data-testid="connectors-none">{t("admin.no_connectors")}</p> }
                                    .into_any();
                            }
                            rows.into_iter()
                                .map(|c| view! { <Connector c origin remove /> })
                                .collect_view()
                                .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// One connector: its settings, the URL to paste, its buttons and what it received.
#[component]
fn Connector(
    c: ConnectorInfo,
    origin: ReadSignal<String>,
    remove: ServerAction<AdminConnectorRemove>,
) -> impl IntoView {
    let test = ServerAction::<AdminConnectorTest>::new();
    let retry = ServerAction::<AdminDeadLetterRetry>::new();
    let discard = ServerAction::<AdminDeadLetterDiscard>::new();
    let key = c.key.clone();
    let activity = Resource::new(
        move || {
            (
                test.version().get(),
                retry.version().get(),
                discard.version().get(),
            )
        },
        move |_| admin_connector_activity(key.clone()),
    );
    let path = webhook_path(&c.key);
    let question = t("admin.connector_remove_q").replace("{name}", &c.name);
    let locale = crate::i18n::use_locale();
    let said = move |value: Option<Result<String, crate::error::AppError>>| {
        value.map(|r| match r {
            Ok(o) => view! {
                <span class="form-ok" role="status" data-testid="connector-said">{t(outcome_key(&o))}</span>
            }
            .into_any(),
            Err(e) => view! { <span class="error" role="alert" data-testid="form-error">{message(locale, &e)}</span> }
                .into_any(),
        })
    };
    let id = c.name.clone();
    let activity_key = c.key.clone();
    let (test_key, remove_key) = (c.key.clone(), c.key.clone());
    view! {
        <article class="connector" data-testid=format!("connector-{id}")>
            <h2>{c.name.clone()}" · Chatwoot"</h2>
            <dl class="facts">
                <dt>{t("admin.connector_url")}</dt>
                <dd><code data-testid="connector-url">{move || format!("{}{path}", origin.get())}</code></dd>
                <dt>{t("admin.connector_queue_by")}</dt>
                <dd>{t(if c.queue_by == "team" { "admin.connector_by_team" } else { "admin.connector_by_inbox" })}</dd>
                <dt>{t("admin.connector_signing")}</dt>
                <dd>{t(if c.unsigned { "admin.connector_unsigned_on" } else { "admin.connector_signed" })}</dd>
                <dt>{t("admin.connector_prefix")}</dt>
                <dd><code>{c.prefix.clone()}</code></dd>
                <dt>{t("admin.created")}</dt>
                <dd>{date(&c.created)}</dd>
            </dl>
            <div class="row-actions">
                <ActionForm action=test attr:class="inline-form">
                    <input type="hidden" name="key" value=test_key />
                    <button type="submit" data-testid="connector-test">{t("admin.connector_test")}</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="key" value=remove_key />
                    <ConfirmSubmit label="admin.remove" question test_id="connector-remove".to_owned() />
                </ActionForm>
                {move || said(test.value().get())}
                {move || said(retry.value().get())}
                {outcome(discard.value())}
            </div>
            <Transition fallback=|| view! { <p class="skeleton">{t("admin.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "admin-error")>
                    {move || {
                        let key = activity_key.clone();
                        Suspend::new(async move {
                            activity.await.map(|a| view! { <Activity a key retry discard /> })
                        })
                    }}
                </ErrorBoundary>
            </Transition>
        </article>
    }
}

/// The text key of a delivery's outcome.
fn outcome_key(outcome: &str) -> &'static str {
    match outcome {
        "mapped" => "admin.delivery_mapped",
        "ignored" => "admin.delivery_ignored",
        "dead_letter" => "admin.delivery_dead_letter",
        _ => "admin.delivery_refused",
    }
}

#[component]
fn Activity(
    a: ConnectorActivity,
    key: String,
    retry: ServerAction<AdminDeadLetterRetry>,
    discard: ServerAction<AdminDeadLetterDiscard>,
) -> impl IntoView {
    let counts = if a.counts.is_empty() {
        view! { <p class="empty" data-testid="connector-no-deliveries">{t("admin.connector_no_deliveries")}</p> }
            .into_any()
    } else {
        view! {
            <table class="grid" data-testid="connector-counts">
                {columns(&["admin.connector_event", "admin.connector_outcome", "admin.connector_count"], &["admin.connector_count"])}
                <tbody>
                    {a.counts
                        .into_iter()
                        .map(|c| {
                            let row = format!("count-{}-{}", c.event, c.outcome);
                            view! {
                            <tr data-testid=row>
                                <th scope="row">{c.event}</th>
                                <td>{t(outcome_key(&c.outcome))}</td>
                                <td class="num">{c.count}</td>
                            </tr>
                        }})
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let deliveries = (!a.deliveries.is_empty()).then(|| view! {
        <h3>{t("admin.connector_deliveries")}</h3>
        <div class="scroll">
            <table class="grid" data-testid="connector-deliveries">
                {columns(&["admin.connector_received", "admin.connector_event", "admin.connector_outcome", "admin.connector_events", "admin.connector_detail"], &["admin.connector_events"])}
                <tbody>
                    {a.deliveries
                        .into_iter()
                        .map(|d| view! {
                            <tr>
                                <td>{date(&d.received)}</td>
                                <th scope="row">{d.event}</th>
                                <td>{t(outcome_key(&d.outcome))}</td>
                                <td class="num">{format!("{} + {}", d.accepted, d.duplicates)}</td>
                                <td>{d.detail}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    });
    let dead = if a.dead_letters.is_empty() {
        view! { <p class="empty" data-testid="dead-letters-none">{t("admin.no_dead_letters")}</p> }
            .into_any()
    } else {
        view! {
            <div class="scroll">
                <table class="grid" data-testid="dead-letters">
                    {columns(&["admin.connector_received", "admin.connector_event", "admin.connector_reason", "admin.connector_payload", "admin.actions"], &[])}
                    <tbody>
                        {a.dead_letters
                            .into_iter()
                            .map(|d| {
                                let question = t("admin.dead_letter_discard_q").to_owned();
                                let (retry_key, discard_key) = (key.clone(), key.clone());
                                view! {
                                    <tr data-testid=format!("dead-letter-{}", d.id)>
                                        <td>{date(&d.received)}</td>
                                        <th scope="row">{d.event}</th>
                                        <td data-testid="dead-letter-reason">{d.reason}</td>
                                        <td><code class="excerpt">{d.excerpt}</code></td>
                                        <td>
                                            <ActionForm action=retry attr:class="inline-form">
                                                <input type="hidden" name="key" value=retry_key />
                                                <input type="hidden" name="id" value=d.id.to_string() />
                                                <button type="submit" data-testid=format!("dead-letter-retry-{}", d.id)>{t("admin.retry")}</button>
                                            </ActionForm>
                                            <ActionForm action=discard attr:class="inline-form">
                                                <input type="hidden" name="key" value=discard_key />
                                                <input type="hidden" name="id" value=d.id.to_string() />
                                                <ConfirmSubmit label="admin.discard" question test_id=format!("dead-letter-discard-{}", d.id) />
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
    };
    view! {
        <h3>{t("admin.connector_counts")}</h3>
        {counts}
        {deliveries}
        <h3>{t("admin.dead_letters")}</h3>
        <p class="hint">{t("admin.dead_letters_about")}</p>
        {dead}
    }
}
