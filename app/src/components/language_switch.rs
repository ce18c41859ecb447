//! The language switch of the top bar: a labelled select; choosing a language remembers it in
//! the `intraday_lang` cookie for a year and reloads the page, so the server renders (and
//! draws the charts) in it.

use leptos::prelude::*;

use crate::i18n::{COOKIE, Locale, t, use_locale};

/// The cookie that remembers `locale`: whole site, a year, sent on same-site navigation.
pub fn cookie_for(locale: Locale) -> String {
    format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.as_str()
    )
}

/// The select: each language by its own name, the page's selected.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_locale();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(chosen) = Locale::parse(&event_target_value(&ev)) else {
            return;
        };
        if chosen != current {
            // Saved for the signed-in person too (it outranks the cookie), then shown.
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let _ = crate::server_fns::set_my_language(chosen.as_str().to_owned()).await;
                browser::remember_and_reload(chosen);
            });
        }
    };
    view! {
        <label class="lang-switch">
            <span class="sr-only">{t("lang.label")}</span>
            <select data-testid="language" name="lang" on:change=on_change>
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.as_str() lang=l.as_str() selected=l == current>
                                {l.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsCast;

    use super::{Locale, cookie_for};

    pub fn remember_and_reload(locale: Locale) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(doc) = window
            .document()
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            // A refused cookie (disabled) leaves the page in its language; nothing breaks.
            let _ = doc.set_cookie(&cookie_for(locale));
        }
        let _ = window.location().reload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_lasts_a_year_for_the_whole_site() {
        assert_eq!(
            cookie_for(Locale::Pl),
            "intraday_lang=pl; Path=/; Max-Age=31536000; SameSite=Lax"
        );
        assert_eq!(
            crate::i18n::resolve_locale(Some(&cookie_for(Locale::Pl)), Some("en"), None),
            Locale::Pl
        );
    }
}
