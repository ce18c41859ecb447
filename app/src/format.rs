//! How numbers look (UI.md): durations as `m:ss` under an hour and `h:mm:ss` above, rates as
//! percentages with one decimal, "—" for no value.

/// The no-value mark.
pub const NO_VALUE: &str = "—";

/// Seconds as `m:ss` or `h:mm:ss`, rounded to whole seconds; "—" for none.
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

/// A fraction as a percentage with one decimal; "—" for none.
pub fn rate(fraction: Option<f64>) -> String {
    match fraction.filter(|f| f.is_finite()) {
        Some(f) => format!("{:.1}%", f * 100.0),
        None => NO_VALUE.to_owned(),
    }
}

/// A ratio with one decimal; "—" for none.
pub fn decimal(value: Option<f64>) -> String {
    match value.filter(|f| f.is_finite()) {
        Some(v) => format!("{v:.1}"),
        None => NO_VALUE.to_owned(),
    }
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
}
