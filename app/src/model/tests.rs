//! Tests of event parsing, the state machine and the ledger (unit and property tests).

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::event::{Event, parse_event};
use super::ledger::{ConversationStatus, Ledger};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
        .expect("time")
        .to_utc()
}

fn now() -> DateTime<Utc> {
    t0() + TimeDelta::hours(12)
}

fn ev(id: &str, ty: &str, secs: i64, fields: Value) -> Value {
    let mut v = json!({"id": id, "type": ty, "at": (t0() + TimeDelta::seconds(secs)).to_rfc3339()});
    for (k, x) in fields.as_object().expect("object") {
        v[k] = x.clone();
    }
    v
}

fn parsed(v: Value) -> Event {
    parse_event(&v).unwrap_or_else(|e| panic!("{e:?} for {v}"))
}

fn created(c: &str, secs: i64) -> Event {
    parsed(ev(
        &format!("{c}-c"),
        "conversation.created",
        secs,
        json!({"conversation_id": c,
        "queue_id": "q1", "channel": "voice", "customer": {"id": "k1", "name": "Ada"}}),
    ))
}

fn simple(c: &str, ty: &str, secs: i64, fields: Value) -> Event {
    let mut f = fields;
    f["conversation_id"] = json!(c);
    parsed(ev(&format!("{c}-{ty}-{secs}"), ty, secs, f))
}

fn examples() -> Vec<Value> {
    vec![
        ev(
            "e1",
            "queue.upserted",
            0,
            json!({"queue_id": "q1", "name": "Support", "channels": ["chat", "voice"], "service_level_seconds": 30}),
        ),
        ev(
            "e2",
            "agent.upserted",
            0,
            json!({"agent_id": "a1", "name": "Ann", "queues": ["q1"], "skills": ["polish"], "capacity": 4}),
        ),
        ev(
            "e3",
            "agent.presence",
            0,
            json!({"agent_id": "a1", "presence": "busy_dnd"}),
        ),
        ev(
            "e4",
            "conversation.created",
            1,
            json!({"conversation_id": "c1", "queue_id": "q1", "channel": "chat", "customer": {"id": "k1", "name": "Ada"}, "subject": "Order", "skills": ["polish"]}),
        ),
        ev(
            "e5",
            "conversation.offered",
            2,
            json!({"conversation_id": "c1", "agent_id": "a1", "by": "routing"}),
        ),
        ev(
            "e6",
            "conversation.accepted",
            3,
            json!({"conversation_id": "c1", "agent_id": "a1"}),
        ),
        ev(
            "e7",
            "conversation.rejected",
            3,
            json!({"conversation_id": "c1", "agent_id": "a1", "reason": "timed_out"}),
        ),
        ev(
            "e8",
            "conversation.transferred",
            4,
            json!({"conversation_id": "c1", "from_agent_id": "a1", "to_queue_id": "q2", "by": "supervisor"}),
        ),
        ev(
            "e9",
            "conversation.released",
            4,
            json!({"conversation_id": "c1", "agent_id": "a1"}),
        ),
        ev(
            "e10",
            "conversation.waiting",
            4,
            json!({"conversation_id": "c1"}),
        ),
        ev(
            "e11",
            "conversation.resumed",
            4,
            json!({"conversation_id": "c1", "by": "customer"}),
        ),
        ev(
            "e12",
            "conversation.ended",
            4,
            json!({"conversation_id": "c1"}),
        ),
        ev(
            "e13",
            "conversation.closed",
            4,
            json!({"conversation_id": "c1", "reason": "force_closed"}),
        ),
        ev(
            "e14",
            "conversation.message",
            4,
            json!({"conversation_id": "c1", "from": "customer", "text": "hi", "sentiment": -3}),
        ),
        ev(
            "e15",
            "conversation.escalated",
            4,
            json!({"conversation_id": "c1", "kind": "customer", "note": "angry"}),
        ),
        ev(
            "e16",
            "conversation.escalation_resolved",
            4,
            json!({"conversation_id": "c1", "by_user": "sup"}),
        ),
        ev(
            "e17",
            "conversation.monitored",
            4,
            json!({"conversation_id": "c1", "supervisor_id": "sup", "mode": "silent"}),
        ),
        ev(
            "e18",
            "conversation.monitor_ended",
            4,
            json!({"conversation_id": "c1"}),
        ),
    ]
}

#[test]
fn every_type_parses_and_keeps_its_type_name() {
    let all = examples();
    assert_eq!(all.len(), super::event::EVENT_TYPES.len());
    for v in all {
        let e = parsed(v.clone());
        assert_eq!(e.type_name(), v["type"]);
    }
}

#[test]
fn unknown_fields_are_allowed_and_defaults_apply() {
    let e = parsed(ev(
        "q",
        "queue.upserted",
        0,
        json!({"queue_id": "q1", "name": "S", "channels": ["sms"], "vendor_extra": {"x": 1}}),
    ));
    match e.body {
        super::event::EventBody::QueueUpserted(q) => assert_eq!(q.service_level_seconds, 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timestamps_keep_milliseconds_in_utc() {
    let v = json!({"id": "p", "type": "agent.presence", "at": "2026-11-25T10:00:00.123456+01:00", "agent_id": "a", "presence": "away"});
    assert_eq!(parsed(v).at.to_rfc3339(), "2026-11-25T09:00:00.123+00:00");
}

fn field_of(v: Value) -> Vec<String> {
    parse_event(&v)
        .expect_err("must be refused")
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn each_bad_input_names_its_field() {
    let base = || examples()[3].clone();
    let with = |k: &str, x: Value| {
        let mut v = base();
        v[k] = x;
        v
    };
    assert_eq!(field_of(with("id", json!("bad id"))), ["id"]);
    assert_eq!(field_of(with("id", json!("x".repeat(65)))), ["id"]);
    let mut missing = base();
    missing.as_object_mut().expect("object").remove("queue_id");
    assert_eq!(field_of(missing), ["queue_id"]);
    assert_eq!(field_of(with("channel", json!(7))), ["channel"]);
    assert_eq!(field_of(with("channel", json!("fax"))), ["channel"]);
    assert_eq!(
        field_of(with("customer", json!({"id": "k"}))),
        ["customer.name"]
    );
    assert_eq!(
        field_of(with("type", json!("conversation.teleported"))),
        ["type"]
    );
    let no_offset = field_of(with("at", json!("2026-11-25T10:00:00")));
    assert_eq!(no_offset, ["at"]);
    let msg = parse_event(&with("at", json!("2026-11-25T10:00:00"))).unwrap_err()[0]
        .message
        .clone();
    assert!(msg.contains("no UTC offset"), "{msg}");
    let mut sentiment = examples()[13].clone();
    sentiment["sentiment"] = json!(4);
    assert_eq!(field_of(sentiment), ["sentiment"]);
    let mut text = examples()[13].clone();
    text["text"] = json!("x".repeat(4_001));
    assert_eq!(field_of(text), ["text"]);
    let mut both = examples()[7].clone();
    both["to_agent_id"] = json!("a2");
    assert_eq!(field_of(both), ["to_agent_id"]);
    assert_eq!(field_of(json!([1])), [""]);
    let mut offered = examples()[4].clone();
    offered["by"] = json!("telepathy");
    let e = parse_event(&offered).unwrap_err();
    assert_eq!(e[0].field, "by");
    assert!(e[0].message.contains("routing"), "{}", e[0].message);
}

#[test]
fn lifecycle_follows_the_table() {
    let mut l = Ledger::new();
    let c = "c1";
    let batch = vec![
        created(c, 0),
        simple(
            c,
            "conversation.offered",
            1,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        simple(
            c,
            "conversation.rejected",
            2,
            json!({"agent_id": "a1", "reason": "declined"}),
        ),
        simple(
            c,
            "conversation.offered",
            3,
            json!({"agent_id": "a2", "by": "routing"}),
        ),
        simple(c, "conversation.accepted", 4, json!({"agent_id": "a2"})),
    ];
    l.apply(&batch, now()).expect("valid");
    let conv = l.conversation(c).expect("exists");
    assert_eq!(
        (conv.status, conv.awaiting_acceptance),
        (ConversationStatus::Active, false)
    );
    assert_eq!(l.capacity_used("a2"), 3, "voice costs 3");
    l.apply(&[simple(c, "conversation.waiting", 5, json!({}))], now())
        .expect("waiting");
    assert_eq!(l.capacity_used("a2"), 0, "waiting uses no capacity");
    l.apply(
        &[simple(
            c,
            "conversation.resumed",
            6,
            json!({"by": "customer"}),
        )],
        now(),
    )
    .expect("resumed");
    let conv = l.conversation(c).expect("exists");
    assert_eq!(conv.status, ConversationStatus::Open);
    assert_eq!(conv.entered_queue_at, Some(t0() + TimeDelta::seconds(6)));
    l.apply(
        &[
            simple(
                c,
                "conversation.offered",
                7,
                json!({"agent_id": "a2", "by": "supervisor"}),
            ),
            simple(c, "conversation.accepted", 8, json!({"agent_id": "a2"})),
            simple(
                c,
                "conversation.transferred",
                9,
                json!({"from_agent_id": "a2", "to_queue_id": "q9", "by": "agent"}),
            ),
        ],
        now(),
    )
    .expect("transfer");
    assert_eq!(l.conversation(c).expect("c").queue_id, "q9");
    l.apply(
        &[
            simple(
                c,
                "conversation.offered",
                10,
                json!({"agent_id": "a3", "by": "routing"}),
            ),
            simple(c, "conversation.accepted", 11, json!({"agent_id": "a3"})),
            simple(c, "conversation.ended", 12, json!({})),
        ],
        now(),
    )
    .expect("ended");
    assert_eq!(
        l.conversation(c).expect("c").status,
        ConversationStatus::WrapUp
    );
    assert_eq!(l.capacity_used("a3"), 3, "wrap-up uses capacity");
    l.apply(
        &[simple(
            c,
            "conversation.closed",
            13,
            json!({"reason": "resolved"}),
        )],
        now(),
    )
    .expect("closed");
    assert_eq!(
        l.conversation(c).expect("c").status,
        ConversationStatus::Closed
    );
    assert_eq!(l.capacity_used("a3"), 0);
    assert_eq!(l.live_conversations().count(), 0);
}

#[test]
fn refusals_name_the_current_state() {
    let mut l = Ledger::new();
    l.apply(
        &[
            created("c1", 0),
            simple(
                "c1",
                "conversation.closed",
                1,
                json!({"reason": "abandoned"}),
            ),
        ],
        now(),
    )
    .expect("valid");
    let e = l
        .apply(
            &[simple(
                "c1",
                "conversation.accepted",
                2,
                json!({"agent_id": "a1"}),
            )],
            now(),
        )
        .unwrap_err();
    assert_eq!(e[0].index, 0);
    assert!(
        e[0].message.contains("is closed") && e[0].message.contains("conversation.accepted"),
        "{}",
        e[0].message
    );
    let e = l
        .apply(&[simple("zz", "conversation.ended", 2, json!({}))], now())
        .unwrap_err();
    assert!(e[0].message.contains("unknown"), "{}", e[0].message);
    l.apply(
        &[
            created("c2", 0),
            simple(
                "c2",
                "conversation.offered",
                1,
                json!({"agent_id": "a1", "by": "routing"}),
            ),
        ],
        now(),
    )
    .expect("valid");
    let e = l
        .apply(
            &[simple(
                "c2",
                "conversation.accepted",
                2,
                json!({"agent_id": "a9"}),
            )],
            now(),
        )
        .unwrap_err();
    assert_eq!(e[0].field, "agent_id");
    assert!(
        e[0].message.contains("awaiting acceptance with agent a1"),
        "{}",
        e[0].message
    );
    let e = l.apply(&[created("c2", 5)], now()).unwrap_err();
    assert!(e[0].message.contains("already exists"), "{}", e[0].message);
}

#[test]
fn a_batch_is_all_or_nothing_and_reports_every_bad_event() {
    let mut l = Ledger::new();
    let batch = vec![
        created("c1", 0),
        simple("c1", "conversation.ended", 1, json!({})),
        created("c2", 0),
        simple("c3", "conversation.waiting", 1, json!({})),
    ];
    let e = l.apply(&batch, now()).unwrap_err();
    assert_eq!(e.iter().map(|e| e.index).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(l.conversations().count(), 0, "nothing applied");
}

#[test]
fn a_batch_is_taken_in_at_order_ties_by_position() {
    let mut l = Ledger::new();
    let batch = vec![
        simple("c1", "conversation.accepted", 2, json!({"agent_id": "a1"})),
        simple(
            "c1",
            "conversation.offered",
            1,
            json!({"agent_id": "a1", "by": "routing"}),
        ),
        created("c1", 0),
    ];
    l.apply(&batch, now()).expect("sorted by at");
    assert_eq!(
        l.conversation("c1").expect("c").status,
        ConversationStatus::Active
    );
}

#[test]
fn too_old_and_future_events_are_refused() {
    let mut l = Ledger::new();
    l.apply(&[created("c1", 0)], now()).expect("valid");
    let future = parsed(ev(
        "f",
        "agent.presence",
        12 * 3600 + 301,
        json!({"agent_id": "a", "presence": "away"}),
    ));
    assert_eq!(l.apply(&[future], now()).unwrap_err()[0].field, "at");
    let old = parsed(ev(
        "o",
        "agent.presence",
        -(48 * 3600) - 1,
        json!({"agent_id": "a", "presence": "away"}),
    ));
    let e = l.apply(&[old], now()).unwrap_err();
    assert!(e[0].message.contains("48 hours"), "{}", e[0].message);
}

#[test]
fn latest_presence_and_upsert_by_at_win() {
    let mut l = Ledger::new();
    let p = |id: &str, s: i64, presence: &str| {
        parsed(ev(
            id,
            "agent.presence",
            s,
            json!({"agent_id": "a1", "presence": presence}),
        ))
    };
    l.apply(&[p("p2", 10, "busy")], now()).expect("valid");
    l.apply(&[p("p1", 5, "away")], now()).expect("late is fine");
    let a = l.agent("a1").expect("agent");
    assert_eq!(a.presence, super::event::Presence::Busy);
    assert_eq!(a.presence_since, Some(t0() + TimeDelta::seconds(10)));
    assert_eq!(
        (a.name.as_str(), a.capacity),
        ("a1", 3),
        "unknown agents get defaults"
    );
}

// ---- property tests ----

/// A random valid stream: `n` conversations walking the state machine (strictly increasing
/// distinct times per conversation) and presence changes of three agents.
fn valid_stream(seed: u64, n: usize) -> Vec<Event> {
    let mut rng = seed | 1;
    let mut next = move |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let mut out = Vec::new();
    for c in 0..n {
        let id = format!("c{c}");
        let mut t = (c as i64) * 7 + 1;
        let tick = |t: &mut i64, next: &mut dyn FnMut(u64) -> u64| {
            *t += 1 + next(5) as i64;
            *t
        };
        out.push(created(&id, t));
        // state: 0 open, 1 awaiting(agent), 2 in conversation(agent), 3 waiting(agent), 4 wrap-up
        let (mut state, mut agent) = (0, String::new());
        let mut escalated = false;
        for _ in 0..next(12) {
            let s = tick(&mut t, &mut next);
            let choice = next(10);
            let e = match (state, choice) {
                (0, _) => {
                    agent = format!("a{}", next(3));
                    state = 1;
                    simple(
                        &id,
                        "conversation.offered",
                        s,
                        json!({"agent_id": agent, "by": "routing"}),
                    )
                }
                (1, 0..=6) => {
                    state = 2;
                    simple(&id, "conversation.accepted", s, json!({"agent_id": agent}))
                }
                (1, _) => {
                    state = 0;
                    simple(
                        &id,
                        "conversation.rejected",
                        s,
                        json!({"agent_id": agent, "reason": "timed_out"}),
                    )
                }
                (2, 0..=2) => simple(
                    &id,
                    "conversation.message",
                    s,
                    json!({"from": "customer", "sentiment": 1}),
                ),
                (2, 3) => {
                    state = 3;
                    simple(&id, "conversation.waiting", s, json!({}))
                }
                (2, 4) => {
                    state = 0;
                    simple(
                        &id,
                        "conversation.transferred",
                        s,
                        json!({"from_agent_id": agent, "to_queue_id": "q2", "by": "agent"}),
                    )
                }
                (2, 5) if !escalated => {
                    escalated = true;
                    simple(&id, "conversation.escalated", s, json!({"kind": "agent"}))
                }
                (2, 6) => {
                    state = 0;
                    simple(&id, "conversation.released", s, json!({"agent_id": agent}))
                }
                (2, _) => {
                    state = 4;
                    simple(&id, "conversation.ended", s, json!({}))
                }
                (3, 0..=4) => {
                    state = 2;
                    simple(&id, "conversation.resumed", s, json!({"by": "agent"}))
                }
                (3, _) => {
                    state = 0;
                    simple(&id, "conversation.resumed", s, json!({"by": "customer"}))
                }
                _ => break,
            };
            out.push(e);
        }
        if next(3) > 0 {
            let s = tick(&mut t, &mut next);
            let reason = if state == 0 { "abandoned" } else { "resolved" };
            out.push(simple(
                &id,
                "conversation.closed",
                s,
                json!({"reason": reason}),
            ));
        }
    }
    for i in 0..(n as i64) {
        let presence = ["available", "busy", "away", "offline", "busy_dnd"][next(5) as usize];
        out.push(parsed(ev(
            &format!("p{i}"),
            "agent.presence",
            i * 3 + 2,
            json!({"agent_id": format!("a{}", next(3)), "presence": presence}),
        )));
    }
    out
}

fn snapshot(l: &Ledger) -> (Vec<super::ledger::Conversation>, Vec<super::ledger::Agent>) {
    let mut c: Vec<_> = l.conversations().cloned().collect();
    c.sort_by(|a, b| a.id.cmp(&b.id));
    let mut a: Vec<_> = l.agents().cloned().collect();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    (c, a)
}

fn in_order(stream: &[Event]) -> Ledger {
    let mut sorted: Vec<Event> = stream.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut l = Ledger::new();
    for e in &sorted {
        l.apply(std::slice::from_ref(e), now())
            .unwrap_or_else(|err| panic!("in-order stream refused: {err:?}"));
    }
    l
}

fn shuffled(stream: &[Event], seed: u64) -> Vec<Event> {
    let mut v = stream.to_vec();
    let mut r = seed | 1;
    for i in (1..v.len()).rev() {
        r = r
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.swap(i, (r >> 33) as usize % (i + 1));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_delivery_order_with_retries_gives_the_in_order_states(seed in any::<u64>(), order in any::<u64>(), n in 1usize..12) {
        let stream = valid_stream(seed, n);
        let expected = snapshot(&in_order(&stream));
        // A sender delivers one event at a time in a random order and retries what was refused;
        // when single retries make no progress it sends everything unacknowledged as one batch.
        let mut l = Ledger::new();
        let mut pending = shuffled(&stream, order);
        loop {
            let before = pending.len();
            pending.retain(|e| l.apply(std::slice::from_ref(e), now()).is_err());
            if pending.is_empty() {
                break;
            }
            if pending.len() == before {
                l.apply(&pending, now()).map_err(|e| TestCaseError::fail(format!("final batch refused: {e:?}")))?;
                break;
            }
        }
        prop_assert_eq!(snapshot(&l), expected);
    }

    #[test]
    fn random_batches_give_the_in_order_states(seed in any::<u64>(), cuts in proptest::collection::vec(1usize..20, 1..20), n in 1usize..12) {
        let stream = valid_stream(seed, n);
        let expected = snapshot(&in_order(&stream));
        // Batches of consecutive events in at order: each batch sorted internally by the ledger.
        let mut sorted = stream.clone();
        sorted.sort_by_key(|e| e.at);
        let mut l = Ledger::new();
        let mut rest: &[Event] = &sorted;
        let mut i = 0;
        while !rest.is_empty() {
            let take = cuts[i % cuts.len()].min(rest.len());
            let mut batch = rest[..take].to_vec();
            batch.reverse();
            l.apply(&batch, now()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            rest = &rest[take..];
            i += 1;
        }
        prop_assert_eq!(snapshot(&l), expected);
    }

    #[test]
    fn an_invalid_transition_is_refused_naming_the_state_and_changes_nothing(seed in any::<u64>(), n in 1usize..8, pick in any::<usize>()) {
        let stream = valid_stream(seed, n);
        let mut l = in_order(&stream);
        let before = snapshot(&l);
        let conv = &before.0[pick % before.0.len()];
        let later = conv.updated_at.timestamp() - t0().timestamp() + 1;
        // `accepted` is valid only while awaiting acceptance; `resumed` only while waiting.
        let (bad, ty) = if conv.status == ConversationStatus::Active && conv.awaiting_acceptance {
            (simple(&conv.id, "conversation.resumed", later, json!({"by": "agent"})), "conversation.resumed")
        } else {
            (simple(&conv.id, "conversation.accepted", later, json!({"agent_id": "a0"})), "conversation.accepted")
        };
        let err = l.apply(&[bad], now()).expect_err("must be refused");
        let msg = &err[0].message;
        prop_assert!(msg.contains(conv.state_name()) || msg.contains("not a0") || msg.contains(ty), "{}", msg);
        prop_assert!(msg.contains(conv.state_name()), "message does not name the state {}: {}", conv.state_name(), msg);
        prop_assert_eq!(snapshot(&l), before);
    }
}
