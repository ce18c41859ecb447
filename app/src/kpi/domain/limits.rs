//! The limits that raise a report's alerts: the defaults and each queue's own, made from the
//! thresholds an admin sets ([`Thresholds`], in an admin's units).

use std::collections::BTreeMap;

use crate::model::admin::{ThresholdSettings, Thresholds};

/// Per-queue limits that raise alerts (admin-configurable; these are the defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Service-level target (fraction).
    pub service_level_target: f64,
    /// Longest-wait limit (s).
    pub longest_wait: f64,
    /// Abandon-rate limit (fraction).
    pub abandon_rate: f64,
    /// Sentiment at or below this raises an alert.
    pub sentiment: i8,
    /// Queues with their own limits (queue id → limits); the others use these.
    pub per_queue: BTreeMap<String, Limits>,
}

impl Default for Limits {
    /// The default thresholds ([`Thresholds::default`]) as limits.
    fn default() -> Self {
        Limits::from_thresholds(&Thresholds::default())
    }
}

impl Limits {
    /// The limits of `queue`: its own if an admin set them, else these.
    pub fn for_queue(&self, queue: &str) -> &Limits {
        self.per_queue.get(queue).unwrap_or(self)
    }

    /// An admin's thresholds as limits (no per-queue overrides).
    pub fn from_thresholds(t: &Thresholds) -> Limits {
        Limits {
            service_level_target: t.service_level_target_pct / 100.0,
            longest_wait: t.longest_wait_seconds,
            abandon_rate: t.abandon_rate_pct / 100.0,
            sentiment: t.sentiment,
            per_queue: BTreeMap::new(),
        }
    }

    /// An admin's threshold settings as limits, with the per-queue overrides.
    pub fn from_settings(s: &ThresholdSettings) -> Limits {
        Limits {
            per_queue: s
                .queues
                .iter()
                .map(|(q, t)| (q.clone(), Limits::from_thresholds(t)))
                .collect(),
            ..Limits::from_thresholds(&s.default)
        }
    }

    /// These limits in an admin's units (their per-queue overrides left out).
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            service_level_target_pct: self.service_level_target * 100.0,
            longest_wait_seconds: self.longest_wait,
            abandon_rate_pct: self.abandon_rate * 100.0,
            sentiment: self.sentiment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_same_in_both_units() {
        let l = Limits::default();
        assert_eq!(
            (
                l.service_level_target,
                l.longest_wait,
                l.abandon_rate,
                l.sentiment
            ),
            (0.8, 300.0, 0.1, -2)
        );
        assert!(l.per_queue.is_empty());
        assert_eq!(l.thresholds(), Thresholds::default());
    }

    #[test]
    fn thresholds_map_to_limits_with_each_queue_s_own() {
        let t = Thresholds::parse("90", "120", "5", "-1").unwrap();
        let l = Limits::from_thresholds(&t);
        assert!((l.service_level_target - 0.9).abs() < 1e-9);
        assert!((l.abandon_rate - 0.05).abs() < 1e-9);
        assert_eq!(l.longest_wait, 120.0);
        assert_eq!(l.sentiment, -1);
        let mut s = ThresholdSettings::default();
        s.queues.insert("billing".into(), t);
        let limits = Limits::from_settings(&s);
        assert_eq!(limits.for_queue("billing").longest_wait, 120.0);
        assert_eq!(limits.for_queue("other").longest_wait, 300.0);
    }
}
