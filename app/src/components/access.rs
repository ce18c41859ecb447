//! Who may see a page: the supervisor tabs need a supervisor with queues or an admin; anyone
//! else gets a page saying why and what to do (with a 403 status from the server).

use leptos::prelude::*;

use crate::auth::{Denied, Viewer, supervisor_access};
use crate::i18n::t;

/// The signed-in person of this page (provided by the app's root).
pub fn use_viewer() -> Option<Viewer> {
    use_context::<Option<Viewer>>().flatten()
}

/// Shows `children` to supervisors with queues and admins; a message otherwise.
#[component]
pub fn SupervisorOnly(children: ChildrenFn) -> impl IntoView {
    match supervisor_access(use_viewer().as_ref()) {
        Ok(_) => children().into_any(),
        Err(denied) => denied_view(denied).into_any(),
    }
}

/// Shows `children` to admins only.
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    match use_viewer() {
        Some(v) if v.is_admin() => children().into_any(),
        Some(_) => denied_view(Denied::Role).into_any(),
        None => denied_view(Denied::SignedOut).into_any(),
    }
}

/// The page a person sees where their role does not reach.
pub fn denied_view(denied: Denied) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(denied.status()).unwrap_or(http::StatusCode::FORBIDDEN),
        );
    }
    view! {
        <section class="card access-denied" role="alert" data-testid="access-denied">
            <h1>{t("auth.denied_title")}</h1>
            <p>{t(denied.key())}</p>
            <p>
                <a href="/">{t("auth.home")}</a>
            </p>
        </section>
    }
}
