//! The top bar: product name, live indicator with the browser's clock, language, theme switch.

use leptos::prelude::*;

use super::language_switch::LanguageSwitch;
use super::live_clock::LiveClock;
use super::theme_switch::ThemeSwitch;

/// The open escalations of the supervisor's queues, for the top bar; set by a live page (the
/// Ongoing tab counts its rows, the other live tabs ask the server on each change). `None` on
/// pages without a live stream: the bar then shows no count rather than a stale one.
#[derive(Clone, Copy, Default)]
pub struct OpenEscalations(pub RwSignal<Option<usize>>);

impl OpenEscalations {
    /// Sets the count while the calling page is shown.
    pub fn show(count: Signal<Option<usize>>) {
        let Some(open) = use_context::<OpenEscalations>() else {
            return;
        };
        Effect::new(move |_| open.0.set(count.get()));
        on_cleanup(move || open.0.set(None));
    }
}

/// The bar at the top of every page. Embedded in a portal it is compact, its links stay under
/// `/embed`, and `tabs=insights,wallboard` in the embedding URL fixes which tabs it offers.
#[component]
pub fn TopBar() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let viewer = super::access::use_viewer();
    let supervisor = viewer
        .as_ref()
        .is_some_and(|v| v.role != crate::auth::Role::Agent);
    let admin = viewer.as_ref().is_some_and(|v| v.is_admin());
    let embedded = crate::auth::embed_session().is_some();
    let base = crate::routes::base();
    let fixed: Option<String> = embedded
        .then(|| {
            leptos_router::hooks::use_query_map()
                .get_untracked()
                .get("tabs")
                .filter(|t| !t.is_empty())
        })
        .flatten();
    // Anyone who works as an agent (agents, and supervisors who take conversations) has their
    // own work first; not inside a portal's frame, which shows a supervisor's tabs.
    let works = viewer.as_ref().is_some_and(|v| v.agent_id.is_some());
    let tabs = [
        ("my", "/my", "nav.my", works && !embedded),
        ("dashboard", "/", "nav.dashboard", true),
        ("insights", "/insights", "nav.insights", supervisor),
        ("ongoing", "/ongoing", "nav.ongoing", supervisor),
        (
            "wallboard",
            "/wallboard",
            "nav.wallboard",
            supervisor && embedded,
        ),
        ("admin", "/admin", "nav.admin", admin && !embedded),
    ];
    let links = tabs
        .into_iter()
        .filter(|(id, _, _, allowed)| {
            *allowed
                && fixed
                    .as_ref()
                    .is_none_or(|f| f.split(',').any(|t| t.trim() == *id))
        })
        .map(|(id, path, key, _)| {
            let target = match (base, path) {
                ("", p) => p.to_owned(),
                (b, "/") => b.to_owned(),
                (b, p) => format!("{b}{p}"),
            };
            let href = match &fixed {
                Some(f) => format!("{target}?tabs={}", crate::url::encode(f)),
                None => target.clone(),
            };
            let current = move || {
                let here = location.pathname.get();
                let on = if path == "/" {
                    here == target
                } else {
                    here == target || here.starts_with(&format!("{target}/"))
                };
                on.then_some("page")
            };
            view! {
                <a href=href aria-current=current data-testid=format!("tab-{id}")>
                    {crate::i18n::t(key)}
                </a>
            }
        })
        .collect_view();
    let open = use_context::<OpenEscalations>().unwrap_or_default();
    let escalations_href = if base.is_empty() {
        "/ongoing?escalated=1".to_owned()
    } else {
        format!("{base}/ongoing?escalated=1")
    };
    let escalations = move || {
        let n = open.0.get().filter(|_| supervisor)?;
        let label = format!("{}: {n}", crate::i18n::t("ongoing.escalations"));
        let hot = n > 0;
        Some(view! {
            <a
                class="badge escalation-badge"
                class:hot=hot
                href=escalations_href.clone()
                title=label.clone()
                aria-label=label
                data-testid="top-escalations"
            >
                "⚑ "{n}
            </a>
        })
    };
    view! {
        <header class="top-bar" class:compact=embedded role="banner">
            <a class="brand" href=if embedded { base } else { "/" }>
                "Intraday"
            </a>
            <nav class="tabs" aria-label=crate::i18n::t("nav.tabs")>
                {links}
            </nav>
            <div class="top-bar-end">
                {escalations}
                <LiveClock />
                {(!embedded).then(|| view! { <LanguageSwitch /> })}
                <ThemeSwitch />
                {viewer.map(|v| view! { <UserMenu viewer=v /> })}
            </div>
        </header>
    }
}

/// Who is signed in, and signing out (a plain form, so it works before the app's code loads).
#[component]
fn UserMenu(viewer: crate::auth::Viewer) -> impl IntoView {
    let role = match viewer.role {
        crate::auth::Role::Agent => crate::i18n::t("role.agent"),
        crate::auth::Role::Supervisor => crate::i18n::t("role.supervisor"),
        crate::auth::Role::Admin => crate::i18n::t("role.admin"),
    };
    view! {
        <div class="user-menu" data-testid="user-menu">
            <span class="user-name" data-testid="user-name">
                {viewer.login}
            </span>
            <span class="user-role">{role}</span>
            {(!viewer.embedded)
                .then(|| {
                    view! {
                        <form method="post" action="/auth/signout">
                            <button type="submit" class="link" data-testid="sign-out">
                                {crate::i18n::t("user.sign_out")}
                            </button>
                        </form>
                    }
                })}
        </div>
    }
}

/// The notice the suite this follows requires: conversations may be monitored, and the figures
/// are not for employment decisions.
#[component]
pub fn MonitoringNotice() -> impl IntoView {
    view! {
        <footer class="monitoring-notice" data-testid="monitoring-notice">
            {crate::i18n::t("notice.monitoring")}
        </footer>
    }
}
