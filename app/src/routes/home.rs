//! The start page: what the server holds so far and how to feed it.

use leptos::prelude::*;

use crate::server_fns::get_server_status;

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_server_status());

    view! {
        <section class="card" aria-labelledby="status-title">
            <h1 id="status-title">"Intraday"</h1>
            <p class="lead">"A live console for running a contact center's day."</p>
            <Transition fallback=|| view! { <p class="skeleton">"Loading the server's status…"</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "status-error")>
                    {move || Suspend::new(async move {
                        status
                            .await
                            .map(|s| {
                                view! {
                                    <dl class="facts" data-testid="server-status">
                                        <dt>"Version"</dt>
                                        <dd>{s.version}</dd>
                                        <dt>"Database"</dt>
                                        <dd>{s.database}</dd>
                                        <dt>"Events stored"</dt>
                                        <dd data-testid="events-stored">{s.events_stored}</dd>
                                    </dl>
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
