//! Erlang C: predicted wait and agents needed for a queue (KPIS.md, "Predictions").

use serde::{Deserialize, Serialize};

/// A queue's prediction now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Prediction {
    /// Agents serving it now (available or busy with free capacity).
    pub agents_serving: u64,
    /// Expected wait (s); `None` with no agents, load ≥ 1 or no recent handle time.
    pub predicted_wait: Option<f64>,
    /// Probability that a new conversation waits.
    pub probability_of_waiting: Option<f64>,
    /// Fewest agents meeting the service-level target; `None` without recent handle time.
    pub agents_needed: Option<u64>,
}

/// Erlang C probability of waiting with `n` servers and `a` Erlangs of traffic (`a < n`).
pub fn probability_of_waiting(n: u64, a: f64) -> f64 {
    // Erlang B by its stable recursion, then C from B.
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    let n = n as f64;
    n * b / (n - a * (1.0 - b))
}

/// The fraction answered within `t` seconds.
#[cfg(test)]
fn service_level(n: u64, a: f64, aht: f64, t: f64) -> f64 {
    if (n as f64) <= a {
        return 0.0;
    }
    let pw = probability_of_waiting(n, a);
    1.0 - pw * (-(n as f64 - a) * t / aht).exp()
}

/// Predicts a queue: `rate` arrivals per second, `aht` seconds of handle time, `agents`
/// serving, and the service-level target (`target` fraction within `threshold` seconds).
pub fn predict(
    rate: f64,
    aht: Option<f64>,
    agents: u64,
    target: f64,
    threshold: f64,
) -> Prediction {
    let mut p = Prediction {
        agents_serving: agents,
        ..Prediction::default()
    };
    let Some(aht) = aht.filter(|h| *h > 0.0) else {
        return p;
    };
    let a = rate * aht;
    if agents > 0 && a / (agents as f64) < 1.0 {
        let pw = probability_of_waiting(agents, a);
        p.probability_of_waiting = Some(pw);
        p.predicted_wait = Some(pw * aht / (agents as f64 - a));
    }
    p.agents_needed = if rate <= 0.0 {
        Some(0)
    } else {
        agents_needed(a, aht, target, threshold)
    };
    p
}

/// The fewest agents (more than `a`, within 10,000 more) whose service level within
/// `threshold` seconds meets `target`: Erlang B is carried from one `n` to the next (the same
/// recursion [`probability_of_waiting`] runs, so the same numbers), O(answer) in all.
fn agents_needed(a: f64, aht: f64, target: f64, threshold: f64) -> Option<u64> {
    let start = a.floor() as u64 + 1;
    let mut b = 1.0;
    for k in 1..start + 10_000 {
        b = a * b / (k as f64 + a * b);
        if k >= start {
            let n = k as f64;
            let pw = n * b / (n - a * (1.0 - b));
            if 1.0 - pw * (-(n - a) * threshold / aht).exp() >= target {
                return Some(k);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example_matches() {
        // 10 Erlangs on 11 agents: P(wait) ≈ 0.6821 (standard Erlang C tables).
        let pw = probability_of_waiting(11, 10.0);
        assert!((pw - 0.6821).abs() < 0.001, "{pw}");
    }

    #[test]
    fn no_agents_or_overload_has_no_prediction() {
        assert_eq!(predict(1.0, Some(10.0), 0, 0.8, 20.0).predicted_wait, None);
        assert_eq!(predict(1.0, Some(10.0), 10, 0.8, 20.0).predicted_wait, None);
        assert!(
            predict(1.0, Some(10.0), 11, 0.8, 20.0)
                .predicted_wait
                .is_some()
        );
    }

    #[test]
    fn agents_needed_meets_the_target_and_one_fewer_does_not() {
        let (rate, aht) = (0.1, 180.0);
        let n = predict(rate, Some(aht), 5, 0.8, 20.0)
            .agents_needed
            .unwrap();
        let a = rate * aht;
        assert!(service_level(n, a, aht, 20.0) >= 0.8);
        assert!(service_level(n - 1, a, aht, 20.0) < 0.8);
    }

    #[test]
    fn agents_needed_equals_the_search_over_service_levels() {
        // The carried recursion gives exactly what evaluating each n afresh gives, small
        // queues to a day of a million conversations (~1,500 Erlangs).
        for (rate, aht, target, t) in [
            (0.1, 180.0, 0.8, 20.0),
            (0.02, 45.0, 0.9, 10.0),
            (2.3, 630.0, 0.8, 30.0),
            (5.0, 300.0, 0.95, 60.0),
            (0.7, 1.0, 0.5, 120.0),
        ] {
            let a: f64 = rate * aht;
            let start = a.floor() as u64 + 1;
            let search = (start..start + 10_000).find(|&n| service_level(n, a, aht, t) >= target);
            assert_eq!(agents_needed(a, aht, target, t), search, "{rate} {aht}");
            assert!(search.is_some());
        }
    }
}
