//! What the pages show for errors: every error's message for a person, in the page's language,
//! announced. Server functions answer in English (as the API does); the messages a user can
//! meet are mapped to text keys here (form problems through [`crate::i18n::problem_in`]).

use leptos::prelude::*;

use crate::i18n::{Locale, problem_in, tr, use_locale};

/// The i18n key of a filter's error (`None` for a parameter no filter has).
fn filter_error_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "window" => "error.filter_window",
        "tz" => "error.filter_tz",
        "queue" => "error.filter_queue",
        "channel" => "error.filter_channel",
        "agent" => "error.filter_agent",
        "skill" => "error.filter_skill",
        "status" => "error.filter_status",
        "at" => "error.filter_at",
        "sl" => "error.filter_sl",
        _ => return None,
    })
}

/// A server function's error message (as `ServerFnError` displays it, or the bare message) as
/// a sentence in `locale`. Unknown messages keep their text after a translated lead-in.
pub fn error_text_in(locale: Locale, message: &str) -> String {
    let text = |key| tr(locale, key).to_owned();
    if message.starts_with("error reaching server to call server function") {
        return text("error.network");
    }
    let inner = message
        .strip_prefix("error running server function: ")
        .unwrap_or(message)
        .trim();
    match inner {
        "the server is starting; try again in a moment" => return text("error.starting"),
        "the live state is not available" => return text("error.live_unavailable"),
        "the database did not answer; see the server log" => return text("error.database"),
        _ => {}
    }
    if let Some(agent) = inner.strip_prefix("there is no agent ") {
        return format!(
            "{} {}",
            tr(locale, "error.no_agent"),
            agent.trim_matches('"')
        );
    }
    if inner.contains("is not a presence") {
        return text("error.presence");
    }
    // A problem with a form's input: `field: problem` (admin pages).
    if let Some(sentence) = problem_in(locale, inner) {
        return sentence;
    }
    // A filter's error: `field: what is wrong` (kpi::QueryError), also inside a saved view's.
    let inner_filter = inner.strip_prefix("view: ").unwrap_or(inner);
    if let Some((field, detail)) = inner_filter.split_once(": ") {
        if let Some(key) = filter_error_key(field) {
            return text(key);
        }
        if detail.starts_with("unknown parameter") {
            return text("error.filter_unknown");
        }
    }
    format!("{} {inner}", tr(locale, "error.unexpected"))
}

/// [`error_text_in`] in the page's language.
pub fn error_text(message: &str) -> String {
    error_text_in(use_locale(), message)
}

/// The fallback of the pages' error boundaries (`test_id` names it for the browser tests).
pub fn error_list(errors: ArcRwSignal<Errors>, test_id: &'static str) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="error" role="alert" data-testid=test_id>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| error_text_in(locale, &e.to_string()))
                    .collect::<Vec<_>>()
                    .join("; ")
            }}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(msg: &str) -> String {
        format!("error running server function: {msg}")
    }

    #[test]
    fn server_messages_become_sentences_in_the_page_language() {
        let starting = server("the server is starting; try again in a moment");
        assert_eq!(
            error_text_in(Locale::En, &starting),
            "The server is starting; try again in a moment."
        );
        assert_eq!(
            error_text_in(Locale::Pl, &starting),
            "Serwer się uruchamia; spróbuj ponownie za chwilę."
        );
        let tz = server(r#"tz: "Mars/Base" is not an IANA time zone (e.g. Europe/Warsaw)"#);
        assert_eq!(
            error_text_in(Locale::Pl, &tz),
            "Nieznana strefa czasowa; podaj nazwę taką jak Europe/Warsaw lub UTC."
        );
        assert_eq!(
            error_text_in(
                Locale::Pl,
                r#"sl: sl must be one of 10, 20, 30, 40, 60, 120 (got "7")"#
            ),
            "Próg poziomu obsługi musi wynosić 10, 20, 30, 40, 60 lub 120 sekund."
        );
        assert_eq!(
            error_text_in(Locale::Pl, &server(r#"there is no agent "a9""#)),
            "Nie ma takiego agenta: a9"
        );
        assert_eq!(
            error_text_in(
                Locale::En,
                "error reaching server to call server function: 502"
            ),
            tr(Locale::En, "error.network")
        );
        assert_eq!(
            error_text_in(Locale::Pl, &server("disk on fire")),
            "Coś poszło nie tak: disk on fire"
        );
    }

    #[test]
    fn admin_form_problems_are_translated_with_their_values() {
        let taken = server(r#"login: "anna" is taken"#);
        assert_eq!(
            error_text_in(Locale::Pl, &taken),
            r#"Login: "anna" jest już zajęty"#
        );
        assert_eq!(
            error_text_in(Locale::En, &taken),
            r#"Login: "anna" is taken"#
        );
        assert_eq!(
            error_text_in(
                Locale::Pl,
                &server("service_level_target: give a number from 0 to 100")
            ),
            "Cel poziomu obsługi: podaj liczbę od 0 do 100"
        );
        assert_eq!(
            error_text_in(Locale::Pl, &server("there is no panel 7")),
            "nie ma panelu 7"
        );
        assert_eq!(
            error_text_in(Locale::Pl, &server("view: window: 5h is not a window")),
            tr(Locale::Pl, "error.filter_window")
        );
        // A field without a label is not guessed at.
        assert!(
            error_text_in(Locale::Pl, &server("colour: give a whole number"))
                .starts_with("Coś poszło nie tak")
        );
    }

    #[test]
    fn every_filter_of_the_page_has_an_error_text() {
        for field in crate::kpi::domain::query::FILTER_KEYS {
            assert!(filter_error_key(field).is_some(), "{field}");
        }
    }
}
