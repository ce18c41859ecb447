//! The state machine and the ledger, transition by transition.

use chrono::TimeDelta;
use serde_json::json;

use super::{created, ev, now, parsed, simple, t0};
use crate::model::ledger::{ConversationStatus, Ledger};

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
    assert_eq!(a.presence, crate::model::event::Presence::Busy);
    assert_eq!(a.presence_since, Some(t0() + TimeDelta::seconds(10)));
    assert_eq!(
        (a.name.as_str(), a.capacity),
        ("a1", 3),
        "unknown agents get defaults"
    );
}
