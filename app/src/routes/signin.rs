//! The sign-in page: a plain form posted to `/auth/signin` (it works before the app's code has
//! loaded), saying why a previous try failed.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::t;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let next = move || crate::auth::safe_next(&param("next"));
    let message = move || match param("error").as_str() {
        "invalid" => Some(t("signin.error_invalid").to_owned()),
        "locked" => Some(t("signin.error_locked").replace(
            "{minutes}",
            &param("wait").parse::<u32>().unwrap_or(15).to_string(),
        )),
        "unavailable" => Some(t("signin.error_unavailable").to_owned()),
        "expired" => Some(t("signin.error_expired").to_owned()),
        "signed_out" => Some(t("signin.signed_out").to_owned()),
        _ => None,
    };
    let viewer = use_context::<Option<crate::auth::Viewer>>().flatten();
    view! {
        <section class="card signin" aria-labelledby="signin-title">
            <h1 id="signin-title">{t("signin.title")}</h1>
            {move || {
                message()
                    .map(|m| {
                        let status = param("error") == "signed_out";
                        view! {
                            <p
                                class=if status { "notice" } else { "error" }
                                role=if status { "status" } else { "alert" }
                                data-testid="signin-message"
                            >
                                {m}
                            </p>
                        }
                    })
            }}
            {viewer
                .map(|v| {
                    view! {
                        <p data-testid="signed-in-as">
                            {t("signin.already")} " " <strong>{v.login}</strong> " · "
                            <a href="/">{t("signin.continue")}</a>
                        </p>
                    }
                })}
            <form method="post" action="/auth/signin" class="signin-form">
                <input type="hidden" name="next" prop:value=next />
                <label>
                    {t("signin.login")}
                    <input
                        name="login"
                        autocomplete="username"
                        required
                        autofocus
                        maxlength="64"
                        data-testid="signin-login"
                    />
                </label>
                <label>
                    {t("signin.password")}
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        maxlength="256"
                        data-testid="signin-password"
                    />
                </label>
                <button type="submit" data-testid="signin-submit">
                    {t("signin.submit")}
                </button>
            </form>
        </section>
    }
}
