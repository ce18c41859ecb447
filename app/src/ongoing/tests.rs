//! The Ongoing tab's pure parts: the board's extras under late events, the actions' rules, and
//! the browser's filtering, sorting, ranking and CSV.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use super::action::{Candidate, Situation, plan};
use super::board::Board;
use super::row::{OngoingRow, RowOut, conversation_token};
use super::view::{self, Column, Ctx, Filters, Order, Reason};
use super::{Action, ActionRequest, RefusalKind};
use crate::model::admin::SupervisorActions;
use crate::model::conversation::{Conversation, start, step};
use crate::model::event::{Event, Presence, parse_event};
use crate::model::ledger::Ledger;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn ev(id: &str, kind: &str, s: i64, fields: serde_json::Value) -> Event {
    let mut v = json!({"id": id, "type": kind, "at": (t0() + TimeDelta::seconds(s)).to_rfc3339(), "conversation_id": "c1"});
    v.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    parse_event(&v).unwrap_or_else(|e| panic!("{e:?}"))
}

fn history() -> Vec<Event> {
    vec![
        ev(
            "1",
            "conversation.created",
            0,
            json!({"queue_id":"q1","channel":"chat","customer":{"id":"k","name":"Ada"},"subject":"Refund"}),
        ),
        ev(
            "2",
            "conversation.offered",
            5,
            json!({"agent_id":"a1","by":"routing"}),
        ),
        ev("3", "conversation.accepted", 8, json!({"agent_id":"a1"})),
        ev(
            "4",
            "conversation.message",
            10,
            json!({"from":"customer","sentiment":-3}),
        ),
        ev(
            "5",
            "conversation.message",
            12,
            json!({"from":"customer","sentiment":-1}),
        ),
        ev(
            "6",
            "conversation.monitored",
            13,
            json!({"supervisor_id":"s1","mode":"silent"}),
        ),
        ev(
            "7",
            "conversation.escalated",
            14,
            json!({"kind":"agent","note":"help"}),
        ),
        ev(
            "8",
            "conversation.transferred",
            20,
            json!({"from_agent_id":"a1","to_agent_id":"a2","by":"supervisor"}),
        ),
        ev(
            "9",
            "conversation.monitored",
            21,
            json!({"supervisor_id":"s2","mode":"joined"}),
        ),
        ev(
            "10",
            "conversation.monitor_ended",
            22,
            json!({"supervisor_id":"s1"}),
        ),
        ev(
            "11",
            "conversation.escalation_resolved",
            23,
            json!({"by_user":"s2"}),
        ),
        ev(
            "12",
            "conversation.message",
            24,
            json!({"from":"customer","sentiment":2}),
        ),
    ]
}

#[test]
fn the_board_gives_the_same_extras_whatever_order_the_events_arrive_in() {
    let events = history();
    let mut in_order = Board::new();
    events.iter().for_each(|e| in_order.note(e));
    let extras = in_order.get("c1").clone();
    assert_eq!(extras.subject.as_deref(), Some("Refund"));
    assert_eq!(extras.transfers, 1);
    // KPIS.md: the rounded mean of the last customer sentiments: (-3 - 1 + 2) / 3 = -0.67.
    assert_eq!(extras.sentiment, -1);
    assert!(extras.sentiment_known);
    assert_eq!(extras.monitors.len(), 1);
    assert_eq!(extras.monitors[0].supervisor_id, "s2");
    assert_eq!(extras.escalation, None);
    assert_eq!(extras.status_since, Some(t0() + TimeDelta::seconds(20)));
    for rotation in 1..events.len() {
        let mut shuffled = events.clone();
        shuffled.rotate_left(rotation);
        shuffled.swap(0, events.len() / 2);
        let mut board = Board::new();
        shuffled.iter().for_each(|e| board.note(e));
        assert_eq!(board.get("c1"), &extras, "rotation {rotation}");
    }
}

#[test]
fn the_sentiment_is_the_last_six_customer_messages_like_the_engine() {
    let mut board = Board::new();
    for (i, s) in [-3, -3, -3, 3, 3, 3, 3, 3, 3].iter().enumerate() {
        board.note(&ev(
            &format!("m{i}"),
            "conversation.message",
            i as i64,
            json!({"from":"customer","sentiment":s}),
        ));
    }
    // Agents' and supervisors' messages do not count.
    board.note(&ev(
        "x",
        "conversation.message",
        20,
        json!({"from":"agent","sentiment":-3}),
    ));
    assert_eq!(board.get("c1").sentiment, 3);
}

fn conversation(events: &[Event]) -> Conversation {
    let mut steps = events.iter().map(|e| {
        (
            e.at,
            crate::model::conversation::Transition::of(&e.body).unwrap(),
        )
    });
    let (at, first) = steps.next().unwrap();
    let mut c = start("c1", at, &first).unwrap();
    for (at, t) in steps {
        step(&mut c, at, &t).unwrap();
    }
    c
}

fn candidates(id: &str) -> Option<Candidate> {
    let (presence, used) = match id {
        "a1" => (Presence::Available, 0),
        "full" => (Presence::Available, 3),
        "off" => (Presence::Offline, 0),
        "other" => {
            return Some(Candidate {
                id: id.into(),
                queues: vec!["q9".into()],
                presence: Presence::Available,
                capacity: 3,
                used: 0,
            });
        }
        _ => return None,
    };
    Some(Candidate {
        id: id.into(),
        queues: vec!["q1".into()],
        presence,
        capacity: 3,
        used,
    })
}

fn try_plan(
    c: &Conversation,
    board: &Board,
    action: Action,
    expected: Option<&str>,
    switches: SupervisorActions,
) -> Result<super::action::Planned, super::Refusal> {
    let queue_exists = |q: &str| q == "q1" || q == "q2";
    let s = Situation {
        conversation: c,
        extras: board.get("c1"),
        switches,
        login: "s1",
        scope: None,
        agent: &candidates,
        queue_exists: &queue_exists,
        now: t0() + TimeDelta::seconds(100),
        id_prefix: "sv-test",
    };
    plan(
        &ActionRequest {
            action,
            expected_state: expected.map(str::to_owned),
        },
        &s,
    )
}

#[test]
fn each_action_is_checked_against_the_conversation_as_it_is() {
    let events = history();
    let open = conversation(&events[..1]);
    let board = Board::new();
    let on = SupervisorActions::default();
    let assign = |agent: &str| Action::Assign {
        agent_id: agent.into(),
    };
    assert_eq!(conversation_token(&open), "open/-/q1/-");
    let p = try_plan(&open, &board, assign("a1"), Some("open/-/q1/-"), on).unwrap();
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0]["type"], "conversation.offered");
    assert_eq!(p.events[0]["by"], "supervisor");
    assert!(!p.over_capacity);
    assert!(
        try_plan(&open, &board, assign("full"), None, on)
            .unwrap()
            .over_capacity
    );
    let kind = |r: Result<super::action::Planned, super::Refusal>| r.unwrap_err().kind;
    assert_eq!(
        kind(try_plan(&open, &board, assign("off"), None, on)),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(&open, &board, assign("other"), None, on)),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(&open, &board, assign("nobody"), None, on)),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(
            &open,
            &board,
            assign("a1"),
            Some("active/a1/q1/-"),
            on
        )),
        RefusalKind::Changed
    );
    let off = SupervisorActions {
        assign: false,
        ..on
    };
    assert_eq!(
        kind(try_plan(&open, &board, assign("a1"), None, off)),
        RefusalKind::SwitchedOff
    );
    // No agent yet: nobody to whisper to, nothing to join or transfer.
    assert_eq!(
        kind(try_plan(
            &open,
            &board,
            Action::Whisper { text: "hi".into() },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(&open, &board, Action::Join, None, on)),
        RefusalKind::Invalid
    );

    let active = conversation(&events[..3]);
    let w = try_plan(
        &active,
        &board,
        Action::Whisper {
            text: " tip ".into(),
        },
        None,
        on,
    )
    .unwrap();
    assert_eq!(w.events[0]["visibility"], "agents");
    assert_eq!(w.events[0]["text"], "tip");
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::Whisper {
                text: "x".repeat(4001)
            },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    let j = try_plan(&active, &board, Action::Join, None, on).unwrap();
    assert_eq!(j.events.len(), 2, "joined, and the participants are told");
    assert_eq!(j.events[1]["visibility"], "all");
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::Message { text: "hi".into() },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    let t = try_plan(
        &active,
        &board,
        Action::Transfer {
            agent_id: None,
            queue_id: Some("q2".into()),
        },
        None,
        on,
    )
    .unwrap();
    assert_eq!(t.events[0]["from_agent_id"], "a1");
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::Transfer {
                agent_id: Some("a1".into()),
                queue_id: None
            },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::Transfer {
                agent_id: None,
                queue_id: Some("q7".into())
            },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    let close = try_plan(
        &active,
        &board,
        Action::ForceClose {
            reason: "spam".into(),
        },
        None,
        on,
    )
    .unwrap();
    assert_eq!(close.events.last().unwrap()["reason"], "force_closed");
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::ForceClose { reason: " ".into() },
            None,
            on
        )),
        RefusalKind::Invalid
    );
    assert_eq!(
        kind(try_plan(
            &active,
            &board,
            Action::ResolveEscalation,
            None,
            on
        )),
        RefusalKind::Invalid
    );

    // Every planned batch is one the ledger accepts.
    let mut ledger = Ledger::new();
    let setup: Vec<Event> = events[..3].to_vec();
    ledger
        .apply(&setup, t0() + TimeDelta::seconds(200))
        .unwrap();
    for p in [w, j, t, close] {
        let mut l = ledger.clone();
        let batch: Vec<Event> = p.events.iter().map(|v| parse_event(v).unwrap()).collect();
        l.apply(&batch, t0() + TimeDelta::seconds(200)).unwrap();
    }
}

fn row(id: &str, status: &str, created_s: i64, name: &str) -> OngoingRow {
    let c = Conversation {
        id: id.into(),
        queue_id: "q1".into(),
        channel: crate::model::event::Channel::Chat,
        customer_id: format!("k{id}"),
        customer_name: name.into(),
        skills: vec![],
        status: serde_json::from_value(json!(status)).unwrap(),
        awaiting_acceptance: false,
        agent_id: (status != "open").then(|| "a1".into()),
        created_at: t0() + TimeDelta::seconds(created_s),
        entered_queue_at: (status == "open").then(|| t0() + TimeDelta::seconds(created_s)),
        first_accepted_at: None,
        closed_at: None,
        close_reason: None,
        open_escalation: false,
        updated_at: t0() + TimeDelta::seconds(created_s),
    };
    let board = Board::new();
    let json = serde_json::to_string(&RowOut {
        conversation: &c,
        extras: board.get(id),
    })
    .unwrap();
    serde_json::from_str(&json).unwrap()
}

fn ctx(now_s: i64) -> Ctx<'static> {
    Ctx {
        now_ms: (t0() + TimeDelta::seconds(now_s)).timestamp_millis(),
        service_level: Box::new(|_| 20),
        over_capacity: Box::new(|_| false),
        agent_name: Box::new(|a| a.to_uppercase()),
        stuck_ms: 600_000,
        negative_at: -2,
    }
}

#[test]
fn rows_filter_sort_and_rank_as_the_supervisor_expects() {
    let rows = [
        row("c1", "open", 0, "Ada"),
        row("c2", "open", 15, "bob"),
        row("c3", "active", 5, "Zoë"),
        row("c4", "waiting", -700, "=cmd"),
    ];
    let ctx = ctx(18);
    // c1 waited 18 s of 20: a quarter is left at most → soon; c4 waits with no event > 10 min.
    assert_eq!(view::reasons(&rows[0], &ctx), vec![Reason::BreachSoon]);
    assert_eq!(view::reasons(&rows[3], &ctx), vec![Reason::Stuck]);
    let ctx_late = super::tests::ctx(25);
    assert_eq!(view::reasons(&rows[0], &ctx_late), vec![Reason::Breached]);
    let mut refs: Vec<&OngoingRow> = rows.iter().collect();
    view::sort(&mut refs, Order::Attention, &ctx_late);
    assert_eq!(
        refs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["c1", "c4", "c3", "c2"]
    );
    view::sort(&mut refs, Order::By(Column::Customer, true), &ctx);
    assert_eq!(refs[0].id, "c4");
    view::sort(&mut refs, Order::By(Column::Wait, false), &ctx);
    assert_eq!(refs[0].id, "c1");
    assert_eq!(Order::parse(Some("-wait")), Order::By(Column::Wait, false));
    assert_eq!(Order::parse(Some("nonsense")), Order::Attention);

    let f = Filters::from_pairs([("status", "open,waiting"), ("q", "ZO")]);
    assert!(!f.pass(&rows[2], "zo", &ctx), "active is filtered out");
    let f = Filters::from_pairs([("q", "zo")]);
    assert!(
        f.pass(&rows[2], "zo", &ctx),
        "search is case-insensitive, beyond ASCII too"
    );
    let f = Filters::from_pairs([("stuck", "1")]);
    assert_eq!(rows.iter().filter(|r| f.pass(r, "", &ctx)).count(), 1);

    let refs: Vec<&OngoingRow> = rows.iter().collect();
    let csv = view::to_csv(
        &refs,
        &[Column::Customer, Column::Agent],
        &["Customer".into(), "Agent".into()],
        &ctx,
        chrono_tz::UTC,
    );
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "Customer,Agent");
    assert_eq!(lines[4], "'=cmd,A1", "a formula is written as text");
}
