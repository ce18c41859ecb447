//! One clock per page that ticks every second in the browser, so waits count up between
//! refreshes (UI.md: clocks are computed in the browser from timestamps, not pushed).

use leptos::prelude::*;

/// Milliseconds since the epoch, now; ticks each second after hydration.
#[derive(Clone, Copy)]
pub struct Ticker(pub RwSignal<i64>);

/// Starts the page's ticker and shares it with the page's components. Call it in the page
/// component (outside any `Suspend`), so the clock lives as long as the page.
pub fn provide_ticker() -> Ticker {
    let t = Ticker(RwSignal::new(chrono::Utc::now().timestamp_millis()));
    provide_context(t);
    #[cfg(feature = "hydrate")]
    {
        let tick = gloo_timers::callback::Interval::new(1_000, move || {
            // `try_set`: never panic if the page is already gone.
            let _ = t.0.try_set(chrono::Utc::now().timestamp_millis());
        });
        let tick = send_wrapper::SendWrapper::new(tick);
        on_cleanup(move || drop(tick));
    }
    t
}

/// The page's ticker, or a clock that does not tick when the page has none.
pub fn use_ticker() -> Ticker {
    use_context::<Ticker>()
        .unwrap_or_else(|| Ticker(RwSignal::new(chrono::Utc::now().timestamp_millis())))
}

/// Seconds `base` measured at `as_of` (RFC 3339) has grown to by the ticker's now.
pub fn grown(base: f64, as_of: &str, now_ms: i64) -> f64 {
    let at = chrono::DateTime::parse_from_rfc3339(as_of)
        .map(|d| d.timestamp_millis())
        .unwrap_or(now_ms);
    base + ((now_ms - at).max(0) as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::grown;

    #[test]
    fn a_wait_grows_with_the_clock_from_its_instant() {
        let as_of = "2026-11-25T12:00:00.000+00:00";
        let at = chrono::DateTime::parse_from_rfc3339(as_of)
            .unwrap()
            .timestamp_millis();
        assert_eq!(grown(30.0, as_of, at + 5_000), 35.0);
        assert_eq!(grown(30.0, as_of, at - 5_000), 30.0, "never shrinks");
    }
}
