//! Threshold alerts on the small day of [`super::scenario`]: their order and messages, and the
//! sentiment alerts a live report keeps.

use serde_json::json;

use super::scenario::{day, engine};
use super::{at, conv, created};
use crate::kpi::{Engine, Limits, Query};

#[test]
fn alerts_come_in_key_order_with_their_messages() {
    let mut events = day();
    // A second conversation in negative sentiment whose id sorts before c4's.
    events.push(created("b9", 500.0, "q1", "chat"));
    events.push(conv(
        "b9",
        "message",
        510.0,
        json!({"from": "customer", "text": "no", "sentiment": -2}),
    ));
    let e = engine(&events);
    let r = e.report(&Query::default(), at(1000.0), &Limits::default());
    let keys: Vec<&str> = r.alerts.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "abandon_rate:q1",
            "longest_wait:q1",
            "longest_wait:q2",
            "sentiment:b9",
            "sentiment:c4",
            "service_level:q1",
            "service_level:q2"
        ]
    );
    let c4 = &r.alerts[4];
    assert_eq!(c4.message, "conversation c4 with Ada has sentiment -3");
    assert_eq!(
        (
            c4.kind.as_str(),
            c4.queue_id.as_str(),
            c4.conversation_id.as_deref()
        ),
        ("sentiment", "q1", Some("c4"))
    );
    assert_eq!((c4.value, c4.limit), (-3.0, -2.0));
    assert_eq!(
        r.alerts[3].message,
        "conversation b9 with Ada has sentiment -2"
    );
    assert_eq!(
        r.alerts[1].message,
        "a conversation in Billing has waited 550 s (limit 300 s)"
    );
}

/// A live report keeps each sentiment alert it builds in the conversation's cell; the next
/// one reuses it until the conversation changes, and builds it anew under a new threshold.
#[test]
fn kept_sentiment_alerts_follow_the_conversation_and_the_threshold() {
    let mut e = engine(&day());
    let now = at(1000.0);
    let c4 = |e: &Engine, limits: &Limits| {
        let r = e.report(&Query::default(), now, limits);
        r.alerts
            .iter()
            .find(|a| a.key == "sentiment:c4")
            .cloned()
            .expect("c4's alert")
    };
    let defaults = Limits::default();
    let first = c4(&e, &defaults);
    let again = c4(&e, &defaults);
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "the second report reuses the first one's alert"
    );
    // A threshold of q1's own: the alert carries it (built anew, the kept one left as it is).
    let mut strict = Limits::default();
    strict.per_queue.insert(
        "q1".into(),
        Limits {
            sentiment: -3,
            ..Limits::default()
        },
    );
    assert_eq!(
        (c4(&e, &strict).limit, c4(&e, &defaults).limit),
        (-3.0, -2.0)
    );
    // A replay at the same instant (a pass over the conversations, nothing kept) builds the
    // same alert.
    let by_pass = e.report(
        &Query {
            at: Some(now),
            ..Query::default()
        },
        now,
        &defaults,
    );
    assert!(by_pass.alerts.contains(&first));
    // Sentiment −2 now (mean of −3 and −1): another entry, another alert.
    e.apply(&[conv(
        "c4",
        "message",
        470.0,
        json!({"from": "customer", "sentiment": -1}),
    )]);
    let changed = c4(&e, &defaults);
    assert_eq!(
        (changed.value, changed.message.as_str()),
        (-2.0, "conversation c4 with Ada has sentiment -2")
    );
    // The customer's name changes (a repeated `created`): same entry, but not the same alert.
    e.apply(&[conv(
        "c4",
        "created",
        450.0,
        json!({"queue_id": "q1", "channel": "voice", "customer": {"id": "k", "name": "Bo"},
            "skills": ["en"]}),
    )]);
    assert_eq!(
        c4(&e, &defaults).message,
        "conversation c4 with Bo has sentiment -2"
    );
}
