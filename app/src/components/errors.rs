//! What the pages show for errors: every error's message for a person, in the page's language,
//! announced. A server function fails with an [`AppError`] (a text key, its values, its field),
//! written here in the page's language; anything else a page meets is shown after a lead-in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Locale, use_locale};

/// An error as a sentence in `locale`.
pub fn error_text_in(
    locale: Locale,
    e: &(dyn std::error::Error + Send + Sync + 'static),
) -> String {
    match e.downcast_ref::<AppError>() {
        Some(e) => e.text_in(locale),
        None => AppError::unexpected(e).text_in(locale),
    }
}

/// A server function's error in the page's language.
pub fn error_text(e: &AppError) -> String {
    e.text_in(use_locale())
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
                    .map(|(_, e)| error_text_in(locale, e.as_ref()))
                    .collect::<Vec<_>>()
                    .join("; ")
            }}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

    use super::*;
    use crate::error::filter_key;
    use crate::i18n::tr;
    use crate::model::problem::Problem;

    #[test]
    fn server_errors_become_sentences_in_the_page_language() {
        assert_eq!(
            AppError::starting().text_in(Locale::En),
            "The server is starting; try again in a moment."
        );
        assert_eq!(
            AppError::starting().text_in(Locale::Pl),
            "Serwer się uruchamia; spróbuj ponownie za chwilę."
        );
        assert_eq!(
            AppError::filter("tz").text_in(Locale::Pl),
            "Nieznana strefa czasowa; podaj nazwę taką jak Europe/Warsaw lub UTC."
        );
        assert_eq!(
            AppError::filter("sl").text_in(Locale::Pl),
            "Próg poziomu obsługi musi wynosić 10, 20, 30, 40, 60 lub 120 sekund."
        );
        assert_eq!(
            AppError::no_agent("a9").text_in(Locale::Pl),
            "Nie ma takiego agenta: a9"
        );
        let unreachable = AppError::from_server_fn_error(ServerFnErrorErr::Request("502".into()));
        assert_eq!(
            unreachable.text_in(Locale::En),
            tr(Locale::En, "error.network")
        );
        assert_eq!(
            AppError::unexpected("disk on fire").text_in(Locale::Pl),
            "Coś poszło nie tak: disk on fire"
        );
        // What a page meets that is not a server function's error.
        let other: Box<dyn std::error::Error + Send + Sync> = "disk on fire".into();
        assert_eq!(
            error_text_in(Locale::Pl, other.as_ref()),
            "Coś poszło nie tak: disk on fire"
        );
    }

    #[test]
    fn admin_form_problems_are_translated_with_their_values() {
        let taken = AppError::problem(
            Some("login"),
            &Problem::new("problem.login_taken", &[&"\"anna\""]),
        );
        assert_eq!(
            taken.text_in(Locale::Pl),
            r#"Login: "anna" jest już zajęty"#
        );
        assert_eq!(taken.text_in(Locale::En), r#"Login: "anna" is taken"#);
        assert_eq!(
            AppError::problem(
                Some("service_level_target"),
                &Problem::new("problem.number_range", &[&0, &100])
            )
            .text_in(Locale::Pl),
            "Cel poziomu obsługi: podaj liczbę od 0 do 100"
        );
        assert_eq!(
            AppError::problem(None, &Problem::new("problem.no_panel", &[&7])).text_in(Locale::Pl),
            "nie ma panelu 7"
        );
        // A saved view's wrong filter reads as the filter's own text.
        assert_eq!(
            AppError::problem(Some("view"), &Problem::new(filter_key("window"), &[]))
                .text_in(Locale::Pl),
            tr(Locale::Pl, "error.filter_window")
        );
        // A field without a label is named as it is.
        assert_eq!(
            AppError::problem(
                Some("colour"),
                &Problem::new("problem.whole_number_range", &[&1, &2])
            )
            .text_in(Locale::En),
            format!(
                "colour: {}",
                Problem::new("problem.whole_number_range", &[&1, &2])
            )
        );
    }

    #[test]
    fn every_filter_of_the_page_has_an_error_text() {
        for field in crate::kpi::domain::query::FILTER_KEYS {
            assert_ne!(filter_key(field), "error.filter_unknown", "{field}");
        }
    }
}
