//! What an `ErrorBoundary` shows: every error's message, for a person, announced.

use leptos::prelude::*;

/// The fallback of the pages' error boundaries (`test_id` names it for the browser tests).
pub fn error_list(errors: ArcRwSignal<Errors>, test_id: &'static str) -> impl IntoView {
    view! {
        <p class="error" role="alert" data-testid=test_id>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            }}
        </p>
    }
}
