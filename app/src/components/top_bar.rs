//! The top bar: product name, live indicator with the browser's clock, language, theme switch.

use leptos::prelude::*;

use super::language_switch::LanguageSwitch;
use super::live_clock::LiveClock;
use super::theme_switch::ThemeSwitch;

/// The bar at the top of every page.
#[component]
pub fn TopBar() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move |prefix: &'static str| {
        location
            .pathname
            .get()
            .starts_with(prefix)
            .then_some("page")
    };
    let viewer = super::access::use_viewer();
    let supervisor = viewer
        .as_ref()
        .is_some_and(|v| v.role != crate::auth::Role::Agent);
    let admin = viewer.as_ref().is_some_and(|v| v.is_admin());
    view! {
        <header class="top-bar" role="banner">
            <a class="brand" href="/">
                "Intraday"
            </a>
            <nav class="tabs" aria-label=crate::i18n::t("nav.tabs")>
                <a href="/" aria-current=move || (location.pathname.get() == "/").then_some("page")>
                    {crate::i18n::t("nav.dashboard")}
                </a>
                {supervisor
                    .then(|| {
                        view! {
                            <a href="/insights" aria-current=move || current("/insights")>
                                {crate::i18n::t("nav.insights")}
                            </a>
                        }
                    })}
                {admin
                    .then(|| {
                        view! {
                            <a href="/admin" aria-current=move || current("/admin")>
                                {crate::i18n::t("nav.admin")}
                            </a>
                        }
                    })}
            </nav>
            <div class="top-bar-end">
                <LiveClock />
                <LanguageSwitch />
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
