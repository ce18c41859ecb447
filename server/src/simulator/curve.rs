//! The intraday arrival curve: how many conversations a queue receives per minute at a given
//! instant (local time = UTC in the simulation).

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Relative intensity for each hour of the day: a quiet night, a morning ramp, peaks around
/// 10–12 and 14–16, a lunch dip between them and an evening decay.
const HOURLY: [f64; 24] = [
    0.15, 0.10, 0.08, 0.07, 0.08, 0.15, // 00–05
    0.35, 0.60, 0.90, 1.15, 1.40, 1.45, // 06–11
    1.20, 1.15, 1.35, 1.40, 1.15, 0.90, // 12–17
    0.70, 0.55, 0.45, 0.35, 0.25, 0.20, // 18–23
];

/// Relative volume per weekday, Monday first.
const WEEKDAY: [f64; 7] = [1.05, 1.0, 1.0, 0.97, 0.92, 0.72, 0.62];

/// Conversations a whole contact center receives on an average weekday.
const DAILY_VOLUME: f64 = 3_000.0;

/// The relative intensity at `t`: hourly values placed at the middle of their hour and
/// interpolated linearly, so the curve has no steps (and keeps each hour's integral).
pub fn intensity(t: DateTime<Utc>) -> f64 {
    let seconds = f64::from(t.num_seconds_from_midnight());
    let x = seconds / 3600.0 - 0.5;
    let below = x.floor();
    let frac = x - below;
    let i = (below as i64).rem_euclid(24) as usize;
    let hourly = HOURLY[i] * (1.0 - frac) + HOURLY[(i + 1) % 24] * frac;
    hourly * WEEKDAY[t.weekday().num_days_from_monday() as usize]
}

/// Expected arrivals per minute at `t` for a queue receiving `share` of the total volume.
pub fn arrivals_per_minute(share: f64, t: DateTime<Utc>) -> f64 {
    let per_unit = DAILY_VOLUME / HOURLY.iter().sum::<f64>() / 60.0;
    share * per_unit * intensity(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        // 2026-11-25 is a Wednesday.
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .map(|n| n.and_utc())
            .expect("valid date")
    }

    #[test]
    fn a_weekday_totals_about_the_daily_volume() {
        let total: f64 = (0..24 * 60)
            .map(|m| arrivals_per_minute(1.0, at(m / 60, m % 60)))
            .sum();
        assert!(
            (total - DAILY_VOLUME).abs() < 0.01 * DAILY_VOLUME,
            "{total}"
        );
    }

    #[test]
    fn peaks_are_far_above_the_night_and_the_curve_is_continuous() {
        assert!(intensity(at(11, 0)) > 10.0 * intensity(at(3, 30)));
        assert!(intensity(at(15, 0)) > intensity(at(13, 0)));
        for m in 1..24 * 60 {
            let step =
                (intensity(at(m / 60, m % 60)) - intensity(at((m - 1) / 60, (m - 1) % 60))).abs();
            assert!(step < 0.02, "jump of {step} at minute {m}");
        }
    }
}
