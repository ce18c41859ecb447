//! The start page: what the server holds so far and how to feed it.

use leptos::prelude::*;

use crate::i18n::t;
use crate::server_fns::get_server_status;

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_server_status());

    view! {
        <section class="card" aria-labelledby="status-title">
            <h1 id="status-title">"Intraday"</h1>
            <p class="lead">{t("home.lead")}</p>
            <Transition fallback=|| view! { <p class="skeleton">{t("home.loading")}</p> }>
                <ErrorBoundary fallback=|errors| crate::components::errors::error_list(errors, "status-error")>
                    {move || Suspend::new(async move {
                        status
                            .await
                            .map(|s| {
                                view! {
                                    <dl class="facts" data-testid="server-status">
                                        <dt>{t("home.version")}</dt>
                                        <dd>{s.version}</dd>
                                        <dt>{t("home.database")}</dt>
                                        <dd>{s.database}</dd>
                                        <dt>{t("home.events_stored")}</dt>
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
