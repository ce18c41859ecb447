//! Property: any report, at any size, gives well-formed charts and never panics or fails to draw.

use proptest::prelude::*;

use super::UNAVAILABLE;
use super::{assert_well_formed, channel, hour, queue};
use crate::charts::insights_charts;
use crate::kpi::domain::report::{Capacity, KpiReport, Ongoing};

/// Any float, including NaN, infinities and values far outside 0..1.
fn any_rate() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        Just(Some(-1.5)),
        (0.0..=1.0f64).prop_map(Some),
        any::<f64>().prop_map(Some)
    ]
}

prop_compose! {
    fn any_report()(
        hours in prop::collection::vec((any::<i64>(), any::<i64>(), any_rate()), 0..30),
        queues in prop::collection::vec((".{0,40}", any::<i64>()), 0..12),
        ongoing in any::<(u64, u64, u64, u64)>(),
        presence in prop::collection::btree_map(".{0,12}", any::<u64>(), 0..8),
        sentiment in prop::collection::btree_map(any::<i8>(), any::<u64>(), 0..10),
        capacity in any::<(i64, i64, i64)>(),
    ) -> KpiReport {
        KpiReport {
            hourly: hours.into_iter().enumerate().map(|(i, (a, b, sl))| hour(i as u32 % 24, a, b, sl)).collect(),
            by_queue: queues.iter().map(|(name, n)| queue(name, name, *n)).collect(),
            by_channel: queues.iter().map(|(name, n)| channel(name, *n)).collect(),
            ongoing: Ongoing { open: ongoing.0, active: ongoing.1, waiting: ongoing.2, wrap_up: ongoing.3 },
            agents_by_presence: presence,
            sentiment,
            capacity: Capacity { total: capacity.0, used: capacity.1, free: capacity.2 },
            ..KpiReport::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_report_at_any_size_renders_without_panicking(report in any_report(), w in any::<u32>(), h in any::<u32>()) {
        for c in insights_charts(&report, w, h) {
            assert_well_formed(&c.svg);
            prop_assert!(c.svg.contains("viewBox"), "{}", c.id);
            prop_assert!(!c.svg.contains(UNAVAILABLE), "{} failed to draw", c.id);
            prop_assert_eq!(c.rows.len(), c.targets.len(), "{}", c.id);
        }
    }
}
