//! A clock that ticks each second in the browser (gloo-timers), never pushed by the server.

use leptos::prelude::*;

/// The browser's local time as `HH:MM:SS`, empty until the WASM has started.
#[component]
pub fn LiveClock() -> impl IntoView {
    let now = RwSignal::new(String::new());

    #[cfg(feature = "hydrate")]
    {
        let tick = move || now.set(chrono::Local::now().format("%H:%M:%S").to_string());
        tick();
        let interval = gloo_timers::callback::Interval::new(1_000, tick);
        // The clock lives as long as the page; dropping the interval would stop it.
        interval.forget();
    }

    view! {
        <span class="live-clock" aria-label=crate::i18n::t("clock.local")>
            <time data-testid="local-clock">{move || now.get()}</time>
        </span>
    }
}
