//! Every user-facing string by key, in English and Polish (`app/locales/*.json`). The page's
//! language is a Leptos context: on the server it is resolved per request ([`resolve_locale`]:
//! the user's saved language, the `intraday_lang` cookie, `Accept-Language`, English), the shell
//! writes it to `<html lang>`, and the browser reads it back from there so hydration renders the
//! same text. A test fails when a key is missing in a language or used by UI code without a text.

/// The texts of `app/locales/<tag>.json`, one `(key, text)` table per language (`EN`, `PL`),
/// sorted by key; `build.rs` writes them.
mod texts {
    include!(concat!(env!("OUT_DIR"), "/texts.rs"));
}

#[cfg(test)]
mod tests;

use leptos::prelude::*;

/// The cookie that holds the language chosen in the top bar.
pub const COOKIE: &str = "intraday_lang";

/// A UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Polish.
    Pl,
}

impl Locale {
    /// Every language, in the order the switcher lists them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Pl];

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => texts::EN,
            Locale::Pl => texts::PL,
        }
    }

    /// The language tag (`en`, `pl`), as in `<html lang>` and the cookie.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Pl => "pl",
        }
    }

    /// The language named by a tag: `en`, `pl`, or a regional form (`pl-PL`, `en_GB`),
    /// ignoring case; `None` for anything else.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Locale::En),
            "pl" => Some(Locale::Pl),
            _ => None,
        }
    }

    /// The language's own name, as the switcher shows it.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Pl => "Polski",
        }
    }

    /// The best language of an `Accept-Language` header: the highest quality value wins,
    /// the earlier entry on ties; `q=0` means "not this"; English when nothing matches.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("");
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag)
                && q > 0.0
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, locale));
            }
        }
        best.map_or_else(Locale::default, |(_, l)| l)
    }
}

/// The value of cookie `name` in a `Cookie` header.
fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

/// The language of a request: the signed-in user's saved language (`user_pref`) first, then the
/// `intraday_lang` cookie in `cookie_header`, then `accept_language`, else English. Values that
/// name no known language are skipped.
pub fn resolve_locale(
    cookie_header: Option<&str>,
    accept_language: Option<&str>,
    user_pref: Option<&str>,
) -> Locale {
    user_pref
        .and_then(Locale::parse)
        .or_else(|| {
            cookie_header
                .and_then(|c| cookie(c, COOKIE))
                .and_then(Locale::parse)
        })
        .unwrap_or_else(|| {
            accept_language.map_or_else(Locale::default, Locale::from_accept_language)
        })
}

/// The language of the request being served (server side, from the request's headers in
/// context); English outside a request.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    // leptos re-exports the `http` crate axum's request parts come from.
    use leptos::server_fn::http_export::{header, request::Parts};

    let Some(parts) = use_context::<Parts>() else {
        return Locale::default();
    };
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let user_pref = parts
        .extensions
        .get::<crate::auth::Viewer>()
        .and_then(|v| v.locale.clone());
    resolve_locale(
        header(header::COOKIE),
        header(header::ACCEPT_LANGUAGE),
        user_pref.as_deref(),
    )
}

/// The language `<html lang>` names (browser side).
#[cfg(feature = "hydrate")]
fn document_locale() -> Locale {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|l| Locale::parse(&l))
        .unwrap_or_default()
}

/// Makes the page's language the current context and returns it: the request's on the
/// server (unless already provided), the one `<html lang>` names in the browser.
pub fn provide_locale() -> Locale {
    #[cfg(feature = "ssr")]
    let locale = use_context::<Locale>().unwrap_or_else(request_locale);
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let locale = document_locale();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let locale = use_context::<Locale>().unwrap_or_default();
    provide_context(locale);
    locale
}

/// The current language: the context's, else (in the browser) the document's, else English.
pub fn use_locale() -> Locale {
    if let Some(l) = use_context::<Locale>() {
        return l;
    }
    #[cfg(feature = "hydrate")]
    return document_locale();
    #[cfg(not(feature = "hydrate"))]
    Locale::default()
}

/// The text of `key` in `locale`; the English text when the language lacks it, the key itself
/// when both do (tests catch both).
pub fn tr(locale: Locale, key: &'static str) -> &'static str {
    lookup(locale, key).unwrap_or(key)
}

/// The text of `key` in the current language ([`use_locale`]).
pub fn t(key: &'static str) -> &'static str {
    tr(use_locale(), key)
}

/// The text of a key built at run time (`field.<name>`), if `locale` or English has one.
fn lookup(locale: Locale, key: &str) -> Option<&'static str> {
    let find = |l: Locale| l.table().iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    find(locale).or_else(|| find(Locale::En))
}

/// `template` with each `{}` replaced by the next of `args`, in order.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut pieces = template.split("{}");
    out.push_str(pieces.next().unwrap_or_default());
    for (i, piece) in pieces.enumerate() {
        if let Some(arg) = args.get(i) {
            out.push_str(&arg.to_string());
        }
        out.push_str(piece);
    }
    out
}

/// A problem with a person's input (an admin form, say) as the server states it: the English
/// text of `key` (a `problem.*` key) filled with `args`.
pub fn problem(key: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    fill(tr(Locale::En, key), args)
}

/// A domain check's problem in English ([`problem`]), as the server states it.
impl std::fmt::Display for crate::model::problem::Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let args: Vec<&dyn std::fmt::Display> = self
            .args
            .iter()
            .map(|a| a as &dyn std::fmt::Display)
            .collect();
        f.write_str(&problem(self.key, &args))
    }
}

impl crate::error::AppError {
    /// Its sentence in `locale`: a form problem after its field's label, any other text filled
    /// with its values (or followed by them, as "There is no such agent: a9").
    pub fn text_in(&self, locale: Locale) -> String {
        let args: Vec<&dyn std::fmt::Display> = self
            .args
            .iter()
            .map(|a| a as &dyn std::fmt::Display)
            .collect();
        let text = match lookup(locale, &self.key) {
            Some(template) if template.contains("{}") => fill(template, &args),
            Some(template) if self.args.is_empty() => template.to_owned(),
            Some(template) => format!("{template} {}", self.args.join(" ")),
            None => format!("{} {}", tr(locale, "error.unexpected"), self.key),
        };
        match self.field.as_deref() {
            Some(field) if self.key.starts_with("problem.") => {
                let label = lookup(locale, &format!("field.{field}")).unwrap_or(field);
                format!("{label}: {text}")
            }
            _ => text,
        }
    }
}
