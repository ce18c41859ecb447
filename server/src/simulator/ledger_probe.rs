use app::model::event::parse_event;
use app::model::ledger::Ledger;
use chrono::{DateTime, TimeDelta, Utc};

use super::{SimConfig, Simulator};

#[test]
fn probe_days_through_the_real_ledger() {
    for (seed, speed) in [(42u64, 1.0), (7, 1.0), (9, 25.0)] {
        let start: DateTime<Utc> = "2026-11-24T03:17:00.250Z".parse().expect("ts");
        let mut sim = Simulator::new(SimConfig { seed, speed }, start);
        let mut ledger = Ledger::new();
        let mut t = start;
        let mut total = 0;
        for step in 0..(24 * 4 + 40) {
            if step == 24 * 4 {
                sim.set_live();
            }
            t += if step >= 24 * 4 { TimeDelta::seconds(37) } else { TimeDelta::minutes(15) };
            let events = sim.advance(t);
            total += events.len();
            for chunk in events.chunks(1_000) {
                let parsed: Vec<_> = chunk
                    .iter()
                    .map(|v| parse_event(v).unwrap_or_else(|e| panic!("{v}: {e:?}")))
                    .collect();
                if let Err(errors) = ledger.apply(&parsed, t) {
                    let first = &errors[0];
                    panic!("seed {seed}: {} errors, first {first:?}: {}", errors.len(), chunk[first.index]);
                }
            }
        }
        eprintln!("seed {seed}: {total} events applied");
    }
}
