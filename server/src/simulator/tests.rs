//! The simulator against an independent reading of EVENTS.md: every conversation's events
//! follow the transition table, agents stay within capacity, and the day looks like a day.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::checker::{State, at_ms, check, count, count_where, kind, text};
use super::{SimConfig, Simulator};

/// A Wednesday, midnight UTC.
fn start() -> DateTime<Utc> {
    "2026-11-25T00:00:00Z".parse().expect("valid timestamp")
}

#[test]
fn the_simulator_can_move_to_another_thread() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<Simulator>();
}

/// Fails when `events` say anything of conversation `id`.
fn assert_silent_about(events: &[Value], id: &str, when: &str) {
    assert!(
        events
            .iter()
            .all(|e| e.get("conversation_id").and_then(Value::as_str) != Some(id)),
        "the simulation wrote of {id} {when}"
    );
}

fn sim(seed: u64) -> Simulator {
    Simulator::new(SimConfig { seed, speed: 1.0 }, start())
}

/// Runs `hours` from the start in steps of `step`.
fn run(seed: u64, hours: i64, step: TimeDelta) -> Vec<Value> {
    let mut s = sim(seed);
    let end = start() + TimeDelta::hours(hours);
    let mut t = start();
    let mut events = Vec::new();
    while t < end {
        t = (t + step).min(end);
        events.extend(s.advance(t));
    }
    events
}

/// One simulated day with seed 42, shared by the tests that only read it.
fn day() -> &'static [Value] {
    static DAY: OnceLock<Vec<Value>> = OnceLock::new();
    DAY.get_or_init(|| run(42, 24, TimeDelta::minutes(15)))
}

#[test]
fn same_seed_and_start_give_identical_events_and_another_seed_differs() {
    let a = run(7, 6, TimeDelta::minutes(30));
    let b = run(7, 6, TimeDelta::minutes(30));
    let c = run(8, 6, TimeDelta::minutes(30));
    assert!(a.len() > 1_000, "only {} events", a.len());
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn many_small_steps_give_the_same_events_as_one_big_step() {
    let big = run(5, 5, TimeDelta::hours(5));
    let mut s = sim(5);
    let end = start() + TimeDelta::hours(5);
    let steps = [1, 999, 7_000, 13_001, 60_000, 2];
    let mut t = start();
    let mut small = Vec::new();
    for i in 0.. {
        if t >= end {
            break;
        }
        t = (t + TimeDelta::milliseconds(steps[i % steps.len()])).min(end);
        small.extend(s.advance(t));
    }
    assert_eq!(small.len(), big.len());
    assert!(small == big, "the step size changed the events");
}

#[test]
fn advance_returns_events_in_at_order_never_after_until() {
    let mut s = sim(3);
    let mut previous_until = i64::MIN;
    let mut last_at = i64::MIN;
    let mut t = start();
    for i in 0..400 {
        t += TimeDelta::milliseconds(1 + (i * 7_919) % 90_000);
        let until = t.timestamp_millis();
        let batch = s.advance(t);
        assert_eq!(s.now(), t);
        for e in &batch {
            let at = at_ms(e);
            assert!(at <= until, "{e} after until {t}");
            assert!(
                at > previous_until || previous_until == i64::MIN,
                "{e} belonged to an earlier call"
            );
            assert!(at >= last_at, "{e} out of order");
            last_at = at;
        }
        previous_until = until;
    }
    assert!(last_at > start().timestamp_millis());
}

#[test]
fn the_first_advance_emits_the_reference_data_at_start() {
    let mut s = sim(1);
    let first = s.advance(start());
    let queues = count(&first, "queue.upserted");
    let agents = count(&first, "agent.upserted");
    assert_eq!((queues, agents), (5, 40));
    assert!(
        first
            .iter()
            .all(|e| text(e, "at") == "2026-11-25T00:00:00.000Z")
    );
    let agent = first
        .iter()
        .find(|e| kind(e) == "agent.upserted")
        .expect("an agent");
    assert_eq!(agent["capacity"], 3);
    assert!(agent["queues"].as_array().is_some_and(|q| !q.is_empty()));
    let voice = first
        .iter()
        .find(|e| text(e, "queue_id") == "support-voice")
        .expect("voice queue");
    assert_eq!(voice["channels"], serde_json::json!(["voice"]));
    assert_eq!(voice["service_level_seconds"], 20);
}

#[test]
fn ids_are_unique_and_at_is_utc_with_milliseconds() {
    let events = day();
    let ids: BTreeSet<&str> = events.iter().map(|e| text(e, "id")).collect();
    assert_eq!(ids.len(), events.len());
    for e in events {
        let id = text(e, "id");
        assert!(id.len() <= 64 && id.starts_with("sim-42-"), "{id}");
        let at = text(e, "at");
        assert_eq!(at.len(), 24, "{at}");
        assert!(at.ends_with('Z') && at.as_bytes()[19] == b'.', "{at}");
    }
    let created = events
        .iter()
        .find(|e| kind(e) == "conversation.created")
        .expect("a conversation");
    assert!(text(created, "conversation_id").starts_with("c-42-"));
    assert!(created["customer"]["id"].is_string() && created["customer"]["name"].is_string());
}

#[test]
fn a_day_has_thousands_of_conversations_on_every_channel() {
    let events = day();
    let created = count(events, "conversation.created");
    assert!(
        (1_500..=15_000).contains(&created),
        "{created} conversations"
    );
    for channel in ["chat", "voice", "email", "messaging", "social"] {
        let n = count_where(events, "conversation.created", "channel", channel);
        assert!(n > 20, "{n} {channel} conversations");
    }
}

#[test]
fn a_day_contains_every_event_of_the_lifecycle() {
    let events = day();
    for type_name in [
        "conversation.offered",
        "conversation.accepted",
        "conversation.transferred",
        "conversation.released",
        "conversation.waiting",
        "conversation.ended",
        "conversation.escalated",
        "conversation.escalation_resolved",
    ] {
        assert!(count(events, type_name) > 0, "no {type_name}");
    }
    for (type_name, field, value) in [
        ("conversation.rejected", "reason", "declined"),
        ("conversation.rejected", "reason", "timed_out"),
        ("conversation.resumed", "by", "agent"),
        ("conversation.resumed", "by", "customer"),
        ("conversation.closed", "reason", "resolved"),
        ("conversation.closed", "reason", "abandoned"),
        ("conversation.escalated", "kind", "agent"),
        ("conversation.escalated", "kind", "customer"),
        ("conversation.message", "from", "customer"),
        ("conversation.message", "from", "agent"),
        ("agent.presence", "presence", "available"),
        ("agent.presence", "presence", "busy"),
        ("agent.presence", "presence", "busy_dnd"),
        ("agent.presence", "presence", "away"),
        ("agent.presence", "presence", "offline"),
    ] {
        assert!(
            count_where(events, type_name, field, value) > 0,
            "no {type_name} {field}={value}"
        );
    }
    let to_agent = events.iter().any(|e| e["to_agent_id"].is_string());
    let to_queue = events.iter().any(|e| e["to_queue_id"].is_string());
    assert!(
        to_agent && to_queue,
        "transfers to agent {to_agent}, to queue {to_queue}"
    );
    let sentiments: Vec<i64> = events
        .iter()
        .filter_map(|e| e["sentiment"].as_i64())
        .collect();
    assert!(sentiments.len() > 1_000);
    assert!(
        sentiments.iter().sum::<i64>() > 0,
        "sentiment should lean positive"
    );
}

#[test]
fn every_conversation_follows_the_transition_table() {
    let conversations = check(day()).unwrap_or_else(|e| panic!("{e}"));
    let total = conversations.len();
    let closed = conversations
        .values()
        .filter(|c| c.state == State::Closed)
        .count();
    // At midnight only a handful are still ongoing; nothing piles up.
    assert!(
        total - closed < 60,
        "{} of {total} still ongoing",
        total - closed
    );
}

#[test]
fn the_day_has_realistic_rates() {
    let events = day();
    let created = count(events, "conversation.created") as f64;
    let rate =
        |type_name, field, value| count_where(events, type_name, field, value) as f64 / created;
    let abandoned = rate("conversation.closed", "reason", "abandoned");
    let transferred = count(events, "conversation.transferred") as f64 / created;
    let escalated = count(events, "conversation.escalated") as f64 / created;
    let offers = count(events, "conversation.offered") as f64;
    let declined =
        count_where(events, "conversation.rejected", "reason", "declined") as f64 / offers;
    assert!(
        (0.005..0.15).contains(&abandoned),
        "abandon rate {abandoned}"
    );
    assert!(
        (0.02..0.10).contains(&transferred),
        "transfer rate {transferred}"
    );
    assert!(
        (0.01..0.06).contains(&escalated),
        "escalation rate {escalated}"
    );
    assert!((0.02..0.06).contains(&declined), "decline rate {declined}");
}

#[test]
fn arrivals_per_hour_follow_the_intraday_curve() {
    let mut per_hour = [0usize; 24];
    let day_start = start().timestamp_millis();
    for e in day().iter().filter(|e| kind(e) == "conversation.created") {
        per_hour[((at_ms(e) - day_start) / 3_600_000) as usize] += 1;
    }
    let night = [1, 2, 3, 4].map(|h| per_hour[h]);
    let peaks = [10, 11, 14, 15].map(|h| per_hour[h]);
    let busiest_night = night.into_iter().max().unwrap_or_default();
    for (h, n) in [10, 11, 14, 15].into_iter().zip(peaks) {
        assert!(
            n > 3 * busiest_night,
            "hour {h}: {n} vs night {busiest_night} ({per_hour:?})"
        );
    }
    assert!(
        per_hour[8] > per_hour[6] && per_hour[20] < per_hour[16],
        "{per_hour:?}"
    );
}

#[test]
fn the_live_phase_speeds_everything_up_and_stays_valid() {
    let backfill = start() + TimeDelta::hours(9);
    let mut live = Simulator::new(
        SimConfig {
            seed: 11,
            speed: 20.0,
        },
        start(),
    );
    let mut events = live.advance(backfill);
    let created_before = count(&events, "conversation.created");
    live.set_live();
    let live_part = live.advance(backfill + TimeDelta::minutes(10));
    events.extend(live_part.iter().cloned());

    let mut real = Simulator::new(
        SimConfig {
            seed: 11,
            speed: 20.0,
        },
        start(),
    );
    let real_events = real.advance(backfill);
    assert_eq!(
        real_events.len(),
        events.len() - live_part.len(),
        "backfill ignores the speed"
    );
    let real_part = real.advance(backfill + TimeDelta::minutes(10));
    let (fast, slow) = (
        count(&live_part, "conversation.created"),
        count(&real_part, "conversation.created"),
    );
    assert!(
        fast > 10 * slow.max(1),
        "{fast} live vs {slow} real arrivals"
    );
    assert!(
        count(&live_part, "conversation.closed")
            > 5 * count(&real_part, "conversation.closed").max(1)
    );
    assert!(created_before > 0);
    check(&events).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn other_seeds_and_an_unaligned_start_stay_valid() {
    let odd_start: DateTime<Utc> = "2026-11-27T13:37:12.345678Z"
        .parse()
        .expect("valid timestamp");
    for seed in [2, 3, 99] {
        let mut s = Simulator::new(SimConfig { seed, speed: 1.0 }, odd_start);
        let mut events = Vec::new();
        for step in 1..=12 {
            events.extend(s.advance(odd_start + TimeDelta::hours(step)));
        }
        assert_eq!(text(&events[0], "at"), "2026-11-27T13:37:12.345Z");
        check(&events).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

#[test]
fn a_backfill_and_live_tail_are_accepted_by_the_ledger_batch_by_batch() {
    use app::model::event::parse_event;
    use app::model::ledger::Ledger;

    let mut s = Simulator::new(
        SimConfig {
            seed: 9,
            speed: 25.0,
        },
        start(),
    );
    let mut ledger = Ledger::new();
    let mut t = start();
    for step in 0..(24 * 4 + 20) {
        if step == 24 * 4 {
            s.set_live();
        }
        t += if step < 24 * 4 {
            TimeDelta::minutes(15)
        } else {
            TimeDelta::seconds(37)
        };
        for batch in s.advance(t).chunks(1_000) {
            let events: Vec<_> = batch
                .iter()
                .map(|v| parse_event(v).unwrap_or_else(|e| panic!("{v} does not parse: {e:?}")))
                .collect();
            if let Err(errors) = ledger.apply(&events, t) {
                panic!(
                    "{} refused, first {:?}: {}",
                    errors.len(),
                    errors[0],
                    batch[errors[0].index]
                );
            }
        }
    }
    assert!(ledger.live_conversations().count() < 100);
}

#[test]
fn a_conversation_handed_over_gets_no_more_events_and_the_day_goes_on() {
    let mut s = sim(7);
    let mut t = start() + TimeDelta::hours(10);
    let events = s.advance(t);
    // A conversation created in the last minute, still ours.
    let created: Vec<String> = events
        .iter()
        .filter(|e| {
            kind(e) == "conversation.created"
                && at_ms(e) > (t - TimeDelta::minutes(1)).timestamp_millis()
        })
        .map(|e| text(e, "conversation_id").to_owned())
        .collect();
    let id = created
        .last()
        .expect("a conversation created in the last minute")
        .clone();
    assert!(s.hand_over(&format!("r123-{id}")), "a tagged id is ours");
    assert!(!s.hand_over(&id), "handed over once");
    assert!(!s.hand_over("c-99-1"), "another seed's id is not ours");
    let mut later = Vec::new();
    for _ in 0..120 {
        t += TimeDelta::seconds(30);
        later.extend(s.advance(t));
    }
    assert_silent_about(&later, &id, "after it was handed over");
    assert!(
        count(&later, "conversation.created") > 10,
        "the day goes on"
    );
}

#[test]
fn a_person_working_a_simulated_agent_gets_offers_and_answers_them_alone() {
    let mut s = sim(7);
    let mut t = start() + TimeDelta::hours(10);
    s.advance(t);
    assert!(s.person_presence("a01", app::model::event::Presence::Available));
    assert!(!s.person_presence("nobody", app::model::event::Presence::Available));
    let mut later = Vec::new();
    for _ in 0..60 {
        t += TimeDelta::seconds(30);
        later.extend(s.advance(t));
    }
    assert!(
        later
            .iter()
            .all(|e| !(kind(e) == "agent.presence" && text(e, "agent_id") == "a01")),
        "the person's presence is theirs"
    );
    let offers: Vec<(usize, String)> = later
        .iter()
        .enumerate()
        .filter(|(_, e)| kind(e) == "conversation.offered" && text(e, "agent_id") == "a01")
        .map(|(i, e)| (i, text(e, "conversation_id").to_owned()))
        .collect();
    assert!(!offers.is_empty(), "routing offers the person work");
    for (i, id) in &offers {
        assert_silent_about(&later[i + 1..], id, "once it was offered to the person");
    }
    assert!(s.person_done(&offers[0].1), "its capacity comes back");
    assert!(!s.person_done(&offers[0].1), "once");
}

#[test]
fn a_person_taking_over_mid_shift_finishes_the_agents_conversations_alone() {
    let mut s = sim(11);
    let t = start() + TimeDelta::hours(10);
    let before = s.advance(t);
    // A conversation its agent is talking in now (accepted, not yet ended or closed).
    let mut state: std::collections::HashMap<String, (String, String)> = Default::default();
    for e in &before {
        let Some(id) = e.get("conversation_id").and_then(Value::as_str) else {
            continue;
        };
        let agent = e.get("agent_id").and_then(Value::as_str).map(str::to_owned);
        let entry = state.entry(id.to_owned()).or_default();
        entry.0 = kind(e).to_owned();
        if let Some(a) = agent {
            entry.1 = a;
        }
    }
    let (id, (_, agent)) = state
        .iter()
        .find(|(_, (k, a))| k == "conversation.accepted" && !a.is_empty())
        .expect("a conversation in progress at 10:00");
    assert!(s.person_presence(agent, app::model::event::Presence::Available));
    let mut later = Vec::new();
    let mut t = t;
    for _ in 0..60 {
        t += TimeDelta::seconds(30);
        later.extend(s.advance(t));
    }
    assert_silent_about(&later, id, &format!("once the person took over {agent}"));
    assert!(
        s.person_done(id),
        "its capacity comes back when the person is done"
    );
}

#[test]
fn a_person_who_gets_ready_is_offered_work_within_a_minute_even_at_night() {
    for seed in 1..=5 {
        let mut s = sim(seed);
        // 03:00 UTC: the quietest hour of the day's curve.
        let mut t = start() + TimeDelta::hours(3);
        s.advance(t);
        assert!(s.person_presence("a01", app::model::event::Presence::Available));
        let mut offered = false;
        for _ in 0..12 {
            t += TimeDelta::seconds(5);
            offered |= s
                .advance(t)
                .iter()
                .any(|e| kind(e) == "conversation.offered" && text(e, "agent_id") == "a01");
        }
        assert!(
            offered,
            "seed {seed}: no offer to the person within a minute"
        );
    }
}
