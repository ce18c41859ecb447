//! The admin area (`/admin/…`): a sub-navigation around one page per subject, and the small
//! pieces those pages share (form outcomes, queue pickers, confirmation of destructive actions).

pub mod agents;
pub mod audit;
pub mod connectors;
pub mod desk;
pub mod panels;
pub mod queues;
pub mod settings;
pub mod tokens;
pub mod users;
pub mod webhook;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

use crate::i18n::{Locale, t, use_locale};

/// The admin sections: (path, title key, description key, test id).
const SECTIONS: [(&str, &str, &str, &str); 9] = [
    ("/admin/users", "admin.users", "admin.users_about", "users"),
    (
        "/admin/queues",
        "admin.queues",
        "admin.queues_about",
        "queues",
    ),
    (
        "/admin/agents",
        "admin.agents",
        "admin.agents_about",
        "agents",
    ),
    (
        "/admin/settings",
        "admin.settings",
        "admin.settings_about",
        "settings",
    ),
    (
        "/admin/tokens",
        "admin.tokens",
        "admin.tokens_about",
        "tokens",
    ),
    (
        "/admin/panels",
        "admin.panels",
        "admin.panels_about",
        "panels",
    ),
    ("/admin/audit", "admin.audit", "admin.audit_about", "audit"),
    (
        "/admin/webhook",
        "admin.webhook",
        "admin.webhook_about",
        "webhook",
    ),
    (
        "/admin/connectors",
        "admin.connectors",
        "admin.connectors_about",
        "connectors",
    ),
];

/// The frame of every admin page: its sub-navigation and the page.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let location = use_location();
    let current = move |path: &'static str| {
        let here = location.pathname.get();
        (here == path || here.starts_with(&format!("{path}/"))).then_some("page")
    };
    view! {
        <div class="admin">
            <nav class="admin-nav" aria-label=t("admin.nav")>
                <a href="/admin" aria-current=move || (location.pathname.get().trim_end_matches('/') == "/admin").then_some("page")>
                    {t("admin.overview")}
                </a>
                {SECTIONS
                    .iter()
                    .map(|(path, title, _, id)| {
                        view! {
                            <a href=*path aria-current=move || current(path) data-testid=format!("admin-nav-{id}")>
                                {t(title)}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <div class="admin-page">
                <Outlet />
            </div>
        </div>
    }
}

/// How many of each thing there are, for the overview (`None` where it is not counted).
async fn counts() -> Result<[Option<usize>; SECTIONS.len()], crate::error::AppError> {
    use crate::server_fns::admin::{
        admin_agents, admin_panels, admin_queues, admin_tokens, admin_users,
    };
    use crate::server_fns::connectors::admin_connectors;
    let active = admin_tokens()
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    Ok([
        Some(admin_users().await?.len()),
        Some(admin_queues().await?.len()),
        Some(admin_agents().await?.len()),
        None,
        Some(active),
        Some(admin_panels().await?.len()),
        None,
        None,
        Some(admin_connectors().await?.len()),
    ])
}

/// `/admin`: what each section is for, with how many of each thing there are.
#[component]
pub fn AdminOverview() -> impl IntoView {
    let counts = Resource::new(|| (), |_| counts());
    let list = move |numbers: [Option<usize>; SECTIONS.len()]| {
        SECTIONS
            .iter()
            .zip(numbers)
            .map(|((path, title, about, id), n)| {
                view! {
                    <dt>
                        <a href=*path>{t(title)}</a>
                        {n.map(|n| view! { " " <span class="count" data-testid=format!("admin-count-{id}")>{n}</span> })}
                    </dt>
                    <dd>{t(about)}</dd>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="admin-title" data-testid="admin-overview">
            <h1 id="admin-title">{t("admin.title")}</h1>
            <p class="lead">{t("admin.lead")}</p>
            <Transition fallback=move || view! { <dl class="admin-sections">{list([None; SECTIONS.len()])}</dl> }>
                {move || Suspend::new(async move {
                    let numbers = counts.await.unwrap_or([None; SECTIONS.len()]);
                    view! { <dl class="admin-sections">{list(numbers)}</dl> }
                })}
            </Transition>
        </section>
    }
}

/// A stored time (RFC 3339, UTC) as the admin tables show it: `2026-12-07 09:15:40`.
pub fn date(s: &str) -> String {
    s.replace('T', " ").trim_end_matches('Z').to_owned()
}

/// A table's header row: one column per text key, right-aligned where the key is in `numeric`.
pub fn columns(keys: &[&'static str], numeric: &[&'static str]) -> impl IntoView + use<> {
    let cells = keys
        .iter()
        .map(|&k| {
            view! {
                <th scope="col" class:num=numeric.contains(&k)>
                    {t(k)}
                </th>
            }
        })
        .collect_view();
    view! {
        <thead>
            <tr>{cells}</tr>
        </thead>
    }
}

/// A server function's error as the person reads it, in `locale`: a form problem as its field
/// and problem, anything else as the pages show errors.
pub fn message(locale: Locale, e: &crate::error::AppError) -> String {
    e.text_in(locale)
}

/// What became of a form's last submission: "Saved" or the error (naming the field), next to
/// the form and announced.
pub fn outcome<O, V>(value: V) -> impl IntoView + use<O, V>
where
    O: Clone + Send + Sync + 'static,
    V: Get<Value = Option<Result<O, crate::error::AppError>>> + Send + Sync + 'static,
{
    let locale = use_locale();
    move || {
        value.get().map(|r| match r {
            Ok(_) => view! {
                <span class="form-ok" role="status" data-testid="form-ok">{t("admin.saved")}</span>
            }
            .into_any(),
            Err(e) => view! {
                <span class="error" role="alert" data-testid="form-error">{message(locale, &e)}</span>
            }
            .into_any(),
        })
    }
}

/// Checkboxes naming the queues (`queues[i]`, as a `Vec<String>` argument), `selected` ticked.
pub fn queue_checkboxes(
    all: &[String],
    selected: &[String],
    test_id: &str,
) -> impl IntoView + use<> {
    let boxes = all
        .iter()
        .enumerate()
        .map(|(i, q)| {
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name=format!("queues[{i}]")
                        value=q.clone()
                        checked=selected.contains(q)
                        data-testid=format!("{test_id}-{q}")
                    />
                    {q.clone()}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="checks">
            <legend>{t("admin.queues")}</legend>
            {if all.is_empty() {
                view! { <span class="empty">{t("admin.no_queues_yet")}</span> }.into_any()
            } else {
                boxes.into_any()
            }}
        </fieldset>
    }
}

/// A destructive action's button: the first press asks "…?" naming the thing, and only the
/// second (the form's submit) does it; Escape or Cancel backs out.
#[component]
pub fn ConfirmSubmit(
    /// The button's text.
    label: &'static str,
    /// The question, naming what will be destroyed.
    question: String,
    /// The test id of the first button (`-confirm` is added to the second).
    test_id: String,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let confirm_id = format!("{test_id}-confirm");
    // The question takes the keyboard focus as it appears (autofocus only works on page load).
    let confirm_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <Show
            when=move || asking.get()
            fallback=move || {
                let test_id = test_id.clone();
                view! {
                    <button type="button" class="danger" on:click=move |_| asking.set(true) data-testid=test_id>
                        {t(label)}
                    </button>
                }
            }
        >
            <span class="confirm" role="alertdialog" aria-label=question.clone()
                on:keydown=move |ev| if ev.key() == "Escape" { asking.set(false) }>
                <span>{question.clone()}</span>
                <button type="submit" class="danger" node_ref=confirm_ref data-testid=confirm_id.clone()>{t("admin.confirm")}</button>
                <button type="button" on:click=move |_| asking.set(false)>{t("admin.cancel")}</button>
            </span>
        </Show>
    }
}
