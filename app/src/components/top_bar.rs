//! The top bar: product name, live indicator with the browser's clock, theme switch.

use leptos::prelude::*;

use super::live_clock::LiveClock;
use super::theme_switch::ThemeSwitch;

/// The bar at the top of every page.
#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="top-bar" role="banner">
            <a class="brand" href="/">
                "Intraday"
            </a>
            <div class="top-bar-end">
                <LiveClock />
                <ThemeSwitch />
            </div>
        </header>
    }
}
