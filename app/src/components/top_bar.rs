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
    view! {
        <header class="top-bar" role="banner">
            <a class="brand" href="/">
                "Intraday"
            </a>
            <nav class="tabs" aria-label=crate::i18n::t("nav.tabs")>
                <a href="/insights" aria-current=move || current("/insights")>
                    {crate::i18n::t("nav.insights")}
                </a>
            </nav>
            <div class="top-bar-end">
                <LiveClock />
                <LanguageSwitch />
                <ThemeSwitch />
            </div>
        </header>
    }
}
