//! A small day computed by hand from KPIS.md, number by number.

use serde_json::json;

use super::{at, conv, created, ev};
use crate::kpi::domain::facts::Status;
use crate::kpi::{Engine, Limits, Query, Window};
use crate::model::event::Event;

pub(super) fn day() -> Vec<Event> {
    vec![
        ev(
            "queue.upserted",
            0.0,
            json!({"queue_id": "q1", "name": "Billing", "channels": ["chat", "voice"], "service_level_seconds": 20}),
        ),
        ev(
            "agent.upserted",
            0.0,
            json!({"agent_id": "a1", "name": "Ann", "queues": ["q1", "q2"], "skills": ["en"], "capacity": 3}),
        ),
        ev(
            "agent.presence",
            0.0,
            json!({"agent_id": "a1", "presence": "available"}),
        ),
        // c1: answered in 15 s, first response 15 s, handled 75 s + 30 s wrap-up.
        created("c1", 10.0, "q1", "chat"),
        conv(
            "c1",
            "offered",
            15.0,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        conv("c1", "accepted", 25.0, json!({"agent_id": "a1"})),
        conv(
            "c1",
            "message",
            40.0,
            json!({"from": "agent", "text": "hi"}),
        ),
        conv("c1", "ended", 100.0, json!({})),
        conv("c1", "closed", 130.0, json!({"reason": "resolved"})),
        // c2: abandoned after 40 s.
        created("c2", 20.0, "q1", "chat"),
        conv("c2", "closed", 60.0, json!({"reason": "abandoned"})),
        // c3: declined once, accepted after 50 s, transferred to queue q2.
        created("c3", 30.0, "q1", "chat"),
        conv(
            "c3",
            "offered",
            35.0,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        conv(
            "c3",
            "rejected",
            45.0,
            json!({"agent_id": "a1", "reason": "declined"}),
        ),
        conv(
            "c3",
            "offered",
            50.0,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        conv("c3", "accepted", 80.0, json!({"agent_id": "a1"})),
        conv(
            "c3",
            "transferred",
            200.0,
            json!({"from_agent_id": "a1", "to_queue_id": "q2", "by": "agent"}),
        ),
        // c4: a voice call nobody has taken.
        created("c4", 450.0, "q1", "voice"),
        conv(
            "c4",
            "message",
            460.0,
            json!({"from": "customer", "sentiment": -3}),
        ),
        conv(
            "c4",
            "message",
            470.0,
            json!({"from": "customer", "sentiment": -2}),
        ),
    ]
}

pub(super) fn engine(events: &[Event]) -> Engine {
    let mut e = Engine::new();
    e.apply(events);
    e
}

#[test]
fn every_kpi_of_a_small_day_matches_the_hand_computation() {
    let e = engine(&day());
    let r = e.report(&Query::default(), at(1000.0), &Limits::default());
    let k = &r.kpis;
    assert_eq!(k.incoming, 4);
    assert_eq!(r.in_queue, 2);
    assert_eq!((r.ongoing.open, r.ongoing.active), (2, 0));
    assert_eq!(k.closed, 2);
    assert_eq!(k.avg_speed_to_answer, Some(32.5));
    assert_eq!(r.longest_wait, Some(800.0));
    assert_eq!(r.waiting_over_5min, 1);
    assert_eq!(k.abandoned, 1);
    assert_eq!(k.abandon_rate, Some(1.0 / 3.0));
    assert_eq!(k.service_level, Some(1.0 / 3.0));
    assert_eq!(k.transfer_rate, Some(0.5));
    assert_eq!(k.escalation_rate, Some(0.0));
    assert_eq!(k.aht, Some(105.0));
    assert_eq!((k.handle_over_5min, k.wrap_up_over_5min), (0, 0));
    assert_eq!(k.avg_wrap_up, Some(30.0));
    assert_eq!(k.avg_first_response, Some(15.0));
    assert_eq!(
        (
            k.offers,
            k.offers_accepted,
            k.offers_rejected,
            k.offers_timed_out
        ),
        (3, 2, 1, 0)
    );
    assert_eq!(k.reject_rate, Some(1.0 / 3.0));
    assert_eq!(k.timeout_rate, Some(0.0));
    assert_eq!(k.avg_acceptance_time, Some(20.0));
    assert_eq!(r.agents_logged_in, 1);
    assert_eq!(r.agents_by_presence["available"], 1);
    assert_eq!(
        (r.capacity.total, r.capacity.used, r.capacity.free),
        (3, 0, 3)
    );
    assert_eq!(r.agents_with_free_capacity, 1);
    assert_eq!(r.conversations_per_agent, Some(4.0));
    assert_eq!(r.agent_aht, Some(105.0));
    // Active with a1: [15, 100] ∪ [35, 45] ∪ [50, 200] = 185 s of 1000 s logged in.
    assert_eq!(r.occupancy, Some(0.185));
    // c4: mean(−3, −2) = −2.5, rounded away from zero to −3; c3 neutral.
    assert_eq!(r.sentiment[&-3], 1);
    assert_eq!(r.sentiment[&0], 1);
    assert_eq!(r.negative_sentiment, 1);
    assert!(
        r.alerts.iter().any(|a| a.key == "sentiment:c4"),
        "{:?}",
        r.alerts
    );
}

#[test]
fn queue_filter_follows_the_latest_queue_and_the_sl_override_applies() {
    let e = engine(&day());
    let q2 = Query::from_pairs([("queue", "q2")]).unwrap();
    let r = e.report(&q2, at(1000.0), &Limits::default());
    assert_eq!(r.kpis.incoming, 1, "c3 counts for q2, where it is now");
    assert_eq!(r.in_queue, 1);
    let sl60 = Query::from_pairs([("sl", "60")]).unwrap();
    let r = e.report(&sl60, at(1000.0), &Limits::default());
    // Met within 60 s: c1 (15), c3 (50); abandoned over 60 s: none.
    assert_eq!(r.kpis.service_level, Some(1.0));
}

#[test]
fn agent_and_status_filters_keep_the_right_conversations() {
    let e = engine(&day());
    let r = e.report(
        &Query::from_pairs([("agent", "a1")]).unwrap(),
        at(1000.0),
        &Limits::default(),
    );
    assert_eq!(r.kpis.incoming, 2, "a1 was offered c1 and c3");
    let r = e.report(
        &Query::from_pairs([("status", "closed")]).unwrap(),
        at(1000.0),
        &Limits::default(),
    );
    assert_eq!((r.kpis.incoming, r.kpis.closed, r.in_queue), (2, 2, 0));
}

#[test]
fn window_start_is_exact_to_the_millisecond() {
    let e = engine(&day());
    let two_h = 2.0 * 3600.0;
    let q = Query {
        window: Window::Hours(2),
        ..Query::default()
    };
    // c1 was created at 10 s: a 2 h window ending at 10 s + 2 h still holds it, 1 ms later not.
    let inside = e.report(&q, at(10.0 + two_h), &Limits::default());
    let outside = e.report(&q, at(10.001 + two_h), &Limits::default());
    assert_eq!(inside.kpis.incoming - outside.kpis.incoming, 1);
}

#[test]
fn empty_denominators_are_no_value() {
    let r = Engine::new().report(&Query::default(), at(0.0), &Limits::default());
    let k = &r.kpis;
    assert_eq!(k.incoming, 0);
    for v in [
        k.avg_speed_to_answer,
        k.abandon_rate,
        k.service_level,
        k.transfer_rate,
        k.aht,
        k.reject_rate,
        k.avg_first_response,
        r.longest_wait,
        r.occupancy,
        r.conversations_per_agent,
    ] {
        assert_eq!(v, None);
    }
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["service_level"].is_null() && json["aht"].is_null());
}

#[test]
fn replay_shows_the_past_instant() {
    let e = engine(&day());
    let q = Query {
        at: Some(at(70.0)),
        ..Query::default()
    };
    let r = e.report(&q, at(1000.0), &Limits::default());
    // At 70 s: c1 active with a1, c2 abandoned, c3 awaiting a1 since 50 s; c4 not yet created.
    assert_eq!(r.kpis.incoming, 3);
    assert_eq!((r.ongoing.open, r.ongoing.active), (0, 2));
    assert_eq!(r.in_queue, 1);
    assert_eq!(
        r.longest_wait,
        Some(25.0),
        "c3 last entered the queue at 45 s"
    );
    assert_eq!(r.capacity.used, 2);
}

#[test]
fn bad_query_values_are_refused_with_the_field() {
    for (k, v) in [
        ("window", "3h"),
        ("tz", "Mars/Base"),
        ("channel", "fax"),
        ("status", "gone"),
        ("at", "yesterday"),
        ("sl", "15"),
        ("colour", "red"),
    ] {
        let err = Query::from_pairs([(k, v)]).unwrap_err();
        assert_eq!(err.field, k, "{err:?}");
        assert!(!err.message.is_empty());
    }
    let q = Query::from_pairs([
        ("window", "today"),
        ("tz", "Europe/Warsaw"),
        ("queue", "q1,q2"),
        ("queue", "q3"),
    ])
    .unwrap();
    assert_eq!(q.queues, ["q1", "q2", "q3"]);
    // Filter lists are bounded: a repeated `agent=` cannot multiply the work of a report.
    let many: Vec<String> = (0..101).map(|i| format!("a{i}")).collect();
    let err = Query::from_pairs(many.iter().map(|a| ("agent", a.as_str()))).unwrap_err();
    assert_eq!(err.field, "agent");
    assert!(err.message.contains("100"), "{}", err.message);
    let joined = many.join(",");
    assert_eq!(
        Query::from_pairs([("queue", joined.as_str())])
            .unwrap_err()
            .field,
        "queue"
    );
    let long = "q".repeat(129);
    assert!(Query::from_pairs([("skill", long.as_str())]).is_err());
    assert!(Query::from_pairs(many[..100].iter().map(|a| ("agent", a.as_str()))).is_ok());
}

#[test]
fn every_filter_key_is_a_query_parameter() {
    for k in crate::kpi::domain::query::FILTER_KEYS {
        if let Err(e) = Query::from_pairs([(k, "")]) {
            assert!(!e.message.contains("unknown parameter"), "{k}: {e:?}");
        }
    }
}

#[test]
fn today_starts_at_midnight_in_the_time_zone() {
    let e = engine(&day());
    let q = Query::from_pairs([("window", "today"), ("tz", "Asia/Tokyo")]).unwrap();
    let r = e.report(&q, at(1000.0), &Limits::default());
    // 08:16 UTC is 17:16 in Tokyo: today began at 15:00 UTC the day before.
    assert_eq!(r.window_start, "2026-11-25T00:00:00.000+09:00");
    assert_eq!(r.kpis.incoming, 4);
    assert_eq!(r.hourly.len(), 18);
}

#[test]
fn pruning_forgets_old_closed_conversations_without_changing_todays_numbers() {
    let mut events = day();
    // The same day again 50 h later, under other ids.
    let later: Vec<Event> = day()
        .into_iter()
        .filter_map(|e| {
            let shifted = Event {
                id: format!("later-{}", e.id),
                at: e.at + chrono::TimeDelta::hours(50),
                body: e.body.clone(),
            };
            shifted.conversation_id().is_some().then_some(shifted)
        })
        .map(|mut e| {
            rename(&mut e);
            e
        })
        .collect();
    events.extend(later);
    let mut e = engine(&events);
    let now = at(50.0 * 3600.0 + 1000.0);
    let before = e.report(&Query::default(), now, &Limits::default());
    let forgotten = e.prune(at(49.0 * 3600.0).timestamp_millis());
    assert_eq!(
        forgotten, 2,
        "c1 and c2 of the first day closed before the cut"
    );
    let after = e.report(&Query::default(), now, &Limits::default());
    assert_eq!(before, after);
    assert_eq!(after.kpis.incoming, 4);
    // A freed slot is reused by the next new conversation.
    let n = e.len();
    e.apply(&[created("fresh", 50.0 * 3600.0 + 1001.0, "q1", "chat")]);
    assert_eq!(e.len(), n + 1);
    let r = e.report(
        &Query::default(),
        at(50.0 * 3600.0 + 1002.0),
        &Limits::default(),
    );
    assert_eq!(r.kpis.incoming, 5);
}

/// Gives a conversation event of the second day its own conversation id.
fn rename(e: &mut Event) {
    use crate::model::event::EventBody as B;
    let id = match &mut e.body {
        B::ConversationCreated(x) => &mut x.conversation_id,
        B::ConversationOffered(x) => &mut x.conversation_id,
        B::ConversationAccepted(x) | B::ConversationReleased(x) => &mut x.conversation_id,
        B::ConversationRejected(x) => &mut x.conversation_id,
        B::ConversationTransferred(x) => &mut x.conversation_id,
        B::ConversationEnded(x) | B::ConversationWaiting(x) => &mut x.conversation_id,
        B::ConversationMonitorEnded(x) => &mut x.conversation_id,
        B::ConversationClosed(x) => &mut x.conversation_id,
        B::ConversationMessage(x) => &mut x.conversation_id,
        _ => return,
    };
    *id = format!("d2-{id}");
}

#[test]
fn an_agents_day_shows_presence_capacity_and_conversations() {
    let e = engine(&day());
    let d = e
        .agent_detail("a1", &Query::default(), at(1000.0))
        .expect("a1");
    assert_eq!(d.row.name, "Ann");
    assert_eq!(
        d.presence.last().map(|p| p.presence.as_str()),
        Some("available")
    );
    let ids: Vec<&str> = d
        .conversations
        .iter()
        .map(|c| c.conversation_id.as_str())
        .collect();
    assert_eq!(ids, ["c3", "c1"], "newest first");
    assert_eq!(d.conversations[1].handle, 105.0);
    // c1 (chat) uses 1 unit from 15 s to 130 s; c3 1 unit 35–45 s and 50–200 s.
    let used_at = |s: f64| {
        let ms = at(s).timestamp_millis();
        d.capacity
            .iter()
            .rev()
            .find(|c| c.at <= ms)
            .map_or(0, |c| c.used)
    };
    assert_eq!(
        (
            used_at(20.0),
            used_at(40.0),
            used_at(47.0),
            used_at(60.0),
            used_at(150.0),
            used_at(300.0)
        ),
        (1, 2, 1, 2, 1, 0)
    );
    assert!(
        e.agent_detail("nobody", &Query::default(), at(1000.0))
            .is_none()
    );
}

#[test]
fn a_supervisors_drill_through_holds_only_their_queues() {
    let e = engine(&day());
    let scoped = |queues: &[&str]| {
        let q = Query {
            scope: Some(queues.iter().map(|q| q.to_string()).collect()),
            ..Query::default()
        };
        e.agent_detail("a1", &q, at(1000.0)).expect("a1")
    };
    let all = e
        .agent_detail("a1", &Query::default(), at(1000.0))
        .expect("a1");
    // Every queue of the agent in scope: the same drill-through as an admin's.
    assert_eq!(scoped(&["q1", "q2"]), all);
    assert!(all.row.offers > 1 && all.row.closed >= 1);

    // c1 ended in q1, c3 in q2 (transferred): each supervisor sees their own only.
    let q1 = scoped(&["q1"]);
    let ids: Vec<&str> = q1
        .conversations
        .iter()
        .map(|c| c.conversation_id.as_str())
        .collect();
    assert_eq!(ids, ["c1"]);
    assert_eq!(q1.row.queues, ["q1"]);
    assert_eq!((q1.row.offers, q1.row.offers_rejected), (1, 0));
    assert_eq!(q1.row.closed, 1);
    assert_eq!(q1.row.aht, Some(105.0));
    assert!(
        q1.capacity.iter().all(|c| c.used <= 1),
        "c3's unit is not shown"
    );

    let q2 = scoped(&["q2"]);
    let ids: Vec<&str> = q2
        .conversations
        .iter()
        .map(|c| c.conversation_id.as_str())
        .collect();
    assert_eq!(ids, ["c3"]);
    assert_eq!(q2.row.queues, ["q2"]);
    assert_eq!((q2.row.offers, q2.row.offers_rejected), (2, 1));
    assert_eq!(q2.row.offers + q1.row.offers, all.row.offers);
    assert_eq!(q2.row.closed + q1.row.closed, all.row.closed);
}

#[test]
fn sentiment_is_the_rounded_mean_of_the_last_six_customer_messages() {
    let mut events = vec![created("s", 0.0, "q1", "chat")];
    let msg = |s: f64, v: Option<i64>| {
        let mut f = json!({"from": "customer"});
        if let Some(v) = v {
            f["sentiment"] = json!(v);
        }
        conv("s", "message", s, f)
    };
    events.push(msg(1.0, Some(-3)));
    events.push(msg(2.0, Some(-3)));
    let e = engine(&events);
    let sentiment = |e: &Engine| e.facts_of("s").map(|f| f.sentiment);
    assert_eq!(sentiment(&e), Some(-3));
    // Six later messages without a sentiment push the negative ones out: neutral again.
    let mut more = events.clone();
    for i in 0..6 {
        more.push(msg(3.0 + f64::from(i), None));
    }
    assert_eq!(sentiment(&engine(&more)), Some(0));
    // (+2, +1) → 1.5 → rounds half away from zero to 2; agent messages do not count.
    let mut mixed = vec![
        created("s", 0.0, "q1", "chat"),
        msg(1.0, Some(2)),
        msg(2.0, Some(1)),
    ];
    mixed.push(conv(
        "s",
        "message",
        3.0,
        json!({"from": "agent", "sentiment": -3}),
    ));
    assert_eq!(sentiment(&engine(&mixed)), Some(2));
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "settle before a read")]
fn reading_a_loaded_engine_before_settle_is_caught() {
    let mut e = Engine::new();
    e.load(&day());
    let _ = e.report(&Query::default(), at(1000.0), &Limits::default());
}

/// The engine holds the facts of the conversations not closed, and each keeps exactly the
/// offers, parts and intervals it has (a vector's default growth reserves four at the first
/// push). A closed conversation holds none: they are most of a day, so their facts are derived
/// from their steps when read, as they were when it closed.
#[test]
fn only_open_conversations_hold_their_facts() {
    let mut e = Engine::new();
    e.apply(&day());
    let mut checked = 0;
    for c in e.live() {
        let f = c.held().expect("held");
        assert_ne!(f.status, Status::Closed, "{}", c.id());
        assert_eq!(f.offers.capacity(), f.offers.len(), "{}", c.id());
        assert_eq!(f.parts.capacity(), f.parts.len(), "{}", c.id());
        for p in &f.parts {
            assert_eq!(p.active.capacity(), p.active.len(), "{}", c.id());
        }
        checked += f.offers.len();
    }
    assert!(checked > 0, "the day has offers");
    let c1 = e.conversation("c1").expect("c1");
    assert!(c1.held().is_none(), "c1 is closed");
    let f = e.facts_of("c1").expect("derived");
    assert_eq!(f.status, Status::Closed);
    assert_eq!(Some(f.into_owned()), c1.derive(&e.names, i64::MAX));
}

/// A day has seven million steps: each is its time and a 4-byte agent or queue number.
#[test]
fn a_step_takes_16_bytes() {
    assert_eq!(std::mem::size_of::<crate::kpi::domain::facts::Step>(), 16);
}

/// A closed conversation's facts are derived when read and kept until the events reach a new
/// minute; a late event that changes them drops what was kept, so no read sees stale facts.
#[test]
fn derived_facts_are_kept_until_a_new_minute_and_never_stale() {
    let mut e = engine(&day());
    let newest = e.newest().expect("events");
    assert_eq!(e.derived_kept(), 0);
    assert_eq!(e.facts_of("c1").expect("c1").sentiment, 0);
    assert_eq!(e.derived_kept(), 1, "kept after a read");
    // A late customer message before c1 closed, in no new minute: c1 reads it at once.
    e.apply(&[conv(
        "c1",
        "message",
        30.0,
        json!({"from": "customer", "text": "this is bad", "sentiment": -3}),
    )]);
    assert_eq!(e.newest(), Some(newest));
    assert_eq!(e.facts_of("c1").expect("c1").sentiment, -3);
    let c1 = e.conversation("c1").expect("c1");
    assert_eq!(
        Some(e.facts_of("c1").expect("c1").into_owned()),
        c1.derive(&e.names, i64::MAX)
    );
    // Events in a later minute drop what was kept.
    let later = (newest + 120_000 - at(0.0).timestamp_millis()) as f64 / 1000.0;
    e.apply(&[ev(
        "agent.presence",
        later,
        json!({"agent_id": "a1", "presence": "away"}),
    )]);
    assert_eq!(e.derived_kept(), 0);
    assert_eq!(e.facts_of("c1").expect("c1").sentiment, -3);
    assert_eq!(e.derived_kept(), 1);
    // A prune frees slots: nothing stays kept, and what it forgets is not kept on the way.
    assert!(e.prune(newest + 3_600_000) > 0);
    assert_eq!(e.derived_kept(), 0);
    assert!(e.facts_of("c1").is_none());
}

/// A day is mostly closed conversations: a closed one's slot is its cell (packed in 4 bytes)
/// and threshold, a kept derivation's pointer and a pointer to its seal (which holds its id
/// and close time). It was 112 bytes when every slot held its steps, facts pointer, live
/// position and close time, then 72 with the id and the derivation's place beside the seal,
/// then 48 with the cell as a queue number and a channel side by side, then 40 with the cell
/// packed, until the close time went into the seal.
#[test]
fn a_conversation_slot_takes_32_bytes() {
    assert_eq!(std::mem::size_of::<crate::kpi::engine::Conv>(), 32);
}
