//! How numbers and times look (UI.md): durations as `m:ss` under an hour and `h:mm:ss` above,
//! rates as percentages with one decimal, "—" for no value, clock times as 24 h `HH:MM:SS` in
//! the user's time zone. English writes `33.3%`, Polish `33,3 %` (decimal comma, a no-break
//! space before the sign). The plain functions use the page's language ([`crate::i18n::use_locale`]);
//! the `_in` ones take it.

use crate::i18n::{Locale, use_locale};

/// The no-value mark.
pub const NO_VALUE: &str = "—";

/// Seconds as `m:ss` or `h:mm:ss`, rounded to whole seconds; "—" for none. The same in every
/// language.
pub fn duration(seconds: Option<f64>) -> String {
    let Some(s) = seconds.filter(|s| s.is_finite()) else {
        return NO_VALUE.to_owned();
    };
    let total = s.round().max(0.0) as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// A number with one decimal, with the language's decimal mark.
fn one_decimal(locale: Locale, v: f64) -> String {
    let s = format!("{:.1}", v + 0.0);
    match locale {
        Locale::En => s,
        Locale::Pl => s.replace('.', ","),
    }
}

/// A percentage (0…100) with one decimal: `75.0%`, `75,0 %`.
pub fn percent_in(locale: Locale, percent: f64) -> String {
    let n = one_decimal(locale, percent);
    match locale {
        Locale::En => format!("{n}%"),
        Locale::Pl => format!("{n}\u{a0}%"),
    }
}

/// A fraction as a percentage with one decimal in `locale`; "—" for none.
pub fn rate_in(locale: Locale, fraction: Option<f64>) -> String {
    match fraction.filter(|f| f.is_finite()) {
        Some(f) => percent_in(locale, f * 100.0),
        None => NO_VALUE.to_owned(),
    }
}

/// A fraction as a percentage with one decimal in the page's language; "—" for none.
pub fn rate(fraction: Option<f64>) -> String {
    rate_in(use_locale(), fraction)
}

/// A ratio with one decimal in `locale`; "—" for none.
pub fn decimal_in(locale: Locale, value: Option<f64>) -> String {
    match value.filter(|f| f.is_finite()) {
        Some(v) => one_decimal(locale, v),
        None => NO_VALUE.to_owned(),
    }
}

/// A ratio with one decimal in the page's language; "—" for none.
pub fn decimal(value: Option<f64>) -> String {
    decimal_in(use_locale(), value)
}

/// The time zone a `tz` filter names; UTC when absent or unknown (the server refuses unknown
/// ones, so the page never shows numbers for another zone than its clocks).
pub fn time_zone(tz: Option<&str>) -> chrono_tz::Tz {
    tz.and_then(|t| t.parse().ok()).unwrap_or(chrono_tz::UTC)
}

/// An instant (milliseconds since the epoch) as 24 h `HH:MM:SS` in `tz`; "—" when out of range.
pub fn clock_ms(ms: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || NO_VALUE.to_owned(),
        |t| t.with_timezone(&tz).format("%H:%M:%S").to_string(),
    )
}

/// An RFC 3339 instant as 24 h `HH:MM:SS` in `tz`; "—" when it does not parse.
pub fn clock(rfc3339: &str, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| NO_VALUE.to_owned(),
        |t| t.with_timezone(&tz).format("%H:%M:%S").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_rates_and_no_values_look_as_ui_md_says() {
        assert_eq!(duration(Some(0.4)), "0:00");
        assert_eq!(duration(Some(32.5)), "0:33");
        assert_eq!(duration(Some(754.0)), "12:34");
        assert_eq!(duration(Some(3600.0)), "1:00:00");
        assert_eq!(duration(Some(3725.0)), "1:02:05");
        assert_eq!(duration(None), "—");
        assert_eq!(duration(Some(f64::NAN)), "—");
        assert_eq!(rate(Some(1.0 / 3.0)), "33.3%");
        assert_eq!(rate(Some(0.0)), "0.0%");
        assert_eq!(rate(None), "—");
        assert_eq!(decimal(Some(4.0)), "4.0");
    }

    #[test]
    fn english_and_polish_write_numbers_their_own_way() {
        assert_eq!(rate_in(Locale::En, Some(1.0 / 3.0)), "33.3%");
        assert_eq!(rate_in(Locale::Pl, Some(1.0 / 3.0)), "33,3\u{a0}%");
        assert_eq!(rate_in(Locale::Pl, Some(1.0)), "100,0\u{a0}%");
        assert_eq!(rate_in(Locale::Pl, None), "—");
        assert_eq!(rate_in(Locale::Pl, Some(f64::INFINITY)), "—");
        assert_eq!(percent_in(Locale::En, 75.0), "75.0%");
        assert_eq!(percent_in(Locale::Pl, -0.0), "0,0\u{a0}%");
        assert_eq!(decimal_in(Locale::En, Some(2.26)), "2.3");
        assert_eq!(decimal_in(Locale::Pl, Some(4.0)), "4,0");
        assert_eq!(decimal_in(Locale::Pl, Some(-1.5)), "-1,5");
    }

    #[test]
    fn the_page_language_picks_the_format() {
        let owner = leptos::prelude::Owner::new();
        owner.with(|| {
            leptos::prelude::provide_context(Locale::Pl);
            assert_eq!(rate(Some(0.5)), "50,0\u{a0}%");
            assert_eq!(decimal(Some(0.5)), "0,5");
            assert_eq!(duration(Some(754.0)), "12:34");
        });
    }

    #[test]
    fn clock_times_are_24_hour_in_the_chosen_zone() {
        let warsaw = time_zone(Some("Europe/Warsaw"));
        assert_eq!(clock("2026-11-25T13:04:31Z", warsaw), "14:04:31");
        assert_eq!(clock("2026-07-01T21:00:05+00:00", warsaw), "23:00:05");
        assert_eq!(clock("2026-11-25T13:04:31Z", time_zone(None)), "13:04:31");
        assert_eq!(
            clock("2026-11-25T13:04:31Z", time_zone(Some("Mars/Base"))),
            "13:04:31"
        );
        assert_eq!(clock("nonsense", warsaw), "—");
        assert_eq!(clock_ms(0, time_zone(Some("America/New_York"))), "19:00:00");
        assert_eq!(clock_ms(i64::MAX, warsaw), "—");
    }
}
