//! The mapping's unit tests: the fixtures' day through a ledger, replays, late and reopened
//! conversations, bots, teams, and the contract's limits.

use std::collections::HashSet;

use app::model::event::parse_event;
use app::model::ledger::{ConversationStatus, Ledger};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Mapped, QueueBy, map};

const P: &str = "cwtest0001";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/chatwoot/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

fn now() -> DateTime<Utc> {
    "2026-06-20T10:00:00Z".parse().expect("time")
}

/// A ledger fed through the mapping, as the connector feeds the writer.
struct Feed {
    ledger: Ledger,
    applied: HashSet<String>,
    queue_by: QueueBy,
}

impl Feed {
    fn new(queue_by: QueueBy) -> Feed {
        Feed {
            ledger: Ledger::new(),
            applied: HashSet::new(),
            queue_by,
        }
    }

    /// Maps and applies one payload; returns the events it added (duplicates dropped).
    fn send(&mut self, body: &Value) -> Result<Vec<Value>, Mapped> {
        let event = body["event"].as_str().expect("event");
        match map(event, body, P, self.queue_by, &self.ledger, now()) {
            Mapped::Events(events) => {
                let new: Vec<Value> = events
                    .into_iter()
                    .filter(|e| {
                        self.applied
                            .insert(e["id"].as_str().expect("id").to_owned())
                    })
                    .collect();
                let parsed: Vec<_> = new
                    .iter()
                    .map(|e| parse_event(e).unwrap_or_else(|err| panic!("{e}: {err:?}")))
                    .collect();
                self.ledger
                    .apply(&parsed, now())
                    .unwrap_or_else(|err| panic!("{new:?}: {err:?}"));
                Ok(new)
            }
            other => Err(other),
        }
    }

    fn types(&mut self, body: &Value) -> Vec<String> {
        self.send(body)
            .expect("mapped")
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

#[test]
fn a_conversations_day_becomes_intraday_events_in_order() {
    let mut feed = Feed::new(QueueBy::Inbox);
    assert_eq!(
        feed.types(&fixture("conversation_created")),
        ["queue.upserted", "conversation.created"]
    );
    assert_eq!(
        feed.types(&fixture("message_created_incoming")),
        ["conversation.message"]
    );
    assert_eq!(
        feed.types(&fixture("conversation_updated_assignee")),
        [
            "agent.upserted",
            "conversation.offered",
            "conversation.accepted"
        ]
    );
    // The team changes nothing when inboxes are the queues.
    assert!(feed.types(&fixture("conversation_updated_team")).is_empty());
    assert_eq!(
        feed.types(&fixture("message_created_outgoing")),
        ["conversation.message"]
    );
    let note = feed
        .send(&fixture("message_created_private"))
        .expect("note");
    assert_eq!(note[0]["visibility"], "agents");
    assert_eq!(note[0]["from"], "agent");
    assert_eq!(note[0]["agent_id"], format!("{P}-user-7"));
    assert_eq!(
        feed.types(&fixture("conversation_status_changed_resolved")),
        ["conversation.ended", "conversation.closed"]
    );
    let c = feed.ledger.conversation(&format!("{P}-42")).expect("known");
    assert_eq!(c.status, ConversationStatus::Closed);
    assert_eq!(c.queue_id, format!("{P}-inbox-3"));
    assert_eq!(c.customer_name, "Maria Silva");
    assert_eq!(
        c.first_accepted_at,
        Some("2026-06-20T09:15:40.532Z".parse().expect("time"))
    );
    let agent = feed.ledger.agent(&format!("{P}-user-7")).expect("agent");
    assert_eq!(agent.name, "Ana Costa");
    assert_eq!(agent.queues, [format!("{P}-inbox-3")]);
}

#[test]
fn the_same_deliveries_again_add_nothing() {
    let names = [
        "conversation_created",
        "message_created_incoming",
        "conversation_updated_assignee",
        "message_created_outgoing",
        "conversation_status_changed_resolved",
    ];
    let mut feed = Feed::new(QueueBy::Inbox);
    for n in names {
        feed.send(&fixture(n)).expect("mapped");
    }
    for n in names {
        assert_eq!(
            feed.send(&fixture(n)).expect("mapped"),
            Vec::<Value>::new(),
            "{n}"
        );
    }
}

#[test]
fn a_message_before_its_conversation_creates_it_and_the_late_creation_adds_nothing() {
    let mut feed = Feed::new(QueueBy::Inbox);
    assert_eq!(
        feed.types(&fixture("message_created_incoming")),
        [
            "queue.upserted",
            "conversation.created",
            "conversation.message"
        ]
    );
    // The message carried the inbox's name.
    let q = feed.ledger.queue(&format!("{P}-inbox-3")).expect("queue");
    assert_eq!(q.name, "Acme API");
    assert!(feed.types(&fixture("conversation_created")).is_empty());
}

#[test]
fn a_resolved_conversation_opened_again_is_a_new_one() {
    let mut feed = Feed::new(QueueBy::Inbox);
    feed.send(&fixture("conversation_created"))
        .expect("created");
    feed.send(&fixture("conversation_status_changed_resolved"))
        .expect("resolved");
    let mut reopened = fixture("conversation_updated_assignee");
    reopened["updated_at"] = json!(1_781_949_000.5);
    // An assignment alone (a late echo) does not open it again; a change of status does.
    assert!(matches!(feed.send(&reopened), Err(Mapped::Ignored(_))));
    reopened["event"] = json!("conversation_status_changed");
    assert_eq!(
        feed.types(&reopened),
        [
            "conversation.created",
            "agent.upserted",
            "conversation.offered",
            "conversation.accepted"
        ]
    );
    let second = feed.ledger.conversation(&format!("{P}-42.2")).expect("2nd");
    assert_eq!(second.status, ConversationStatus::Active);
    // An update older than the close changes neither.
    let mut stale = fixture("conversation_updated_assignee");
    stale["updated_at"] = json!(1_781_947_000.0);
    stale["status"] = json!("pending");
    assert!(matches!(feed.send(&stale), Err(Mapped::Ignored(_))));
    let first = feed.ledger.conversation(&format!("{P}-42")).expect("1st");
    assert_eq!(first.status, ConversationStatus::Closed);
}

#[test]
fn snoozing_parks_an_assigned_conversation_and_leaves_an_unassigned_one_in_queue() {
    let mut feed = Feed::new(QueueBy::Inbox);
    feed.send(&fixture("conversation_created"))
        .expect("created");
    let mut snoozed = fixture("conversation_created");
    snoozed["event"] = json!("conversation_status_changed");
    snoozed["status"] = json!("snoozed");
    snoozed["updated_at"] = json!(1_781_946_800.0);
    assert!(matches!(feed.send(&snoozed), Err(Mapped::Ignored(_))));
    feed.send(&fixture("conversation_updated_assignee"))
        .expect("assigned");
    let mut parked = fixture("conversation_updated_assignee");
    parked["status"] = json!("snoozed");
    parked["updated_at"] = json!(1_781_947_000.0);
    assert_eq!(feed.types(&parked), ["conversation.waiting"]);
    let mut back = fixture("conversation_updated_assignee");
    back["updated_at"] = json!(1_781_947_100.0);
    assert_eq!(feed.types(&back), ["conversation.resumed"]);
}

#[test]
fn with_teams_as_queues_a_team_change_transfers_an_assigned_conversation() {
    let mut feed = Feed::new(QueueBy::Team);
    feed.send(&fixture("conversation_created"))
        .expect("created");
    feed.send(&fixture("conversation_updated_assignee"))
        .expect("assigned");
    assert_eq!(
        feed.types(&fixture("conversation_updated_team")),
        [
            "queue.upserted",
            "conversation.transferred",
            "agent.upserted",
            "conversation.offered",
            "conversation.accepted"
        ]
    );
    let c = feed.ledger.conversation(&format!("{P}-42")).expect("known");
    assert_eq!(c.queue_id, format!("{P}-team-2"));
    assert_eq!(
        feed.ledger.queue(&c.queue_id).expect("queue").name,
        "billing"
    );
}

#[test]
fn a_bot_holding_a_conversation_leaves_it_in_queue() {
    let mut feed = Feed::new(QueueBy::Inbox);
    let mut body = fixture("conversation_created");
    body["status"] = json!("pending");
    body["meta"]["assignee"] = json!({"id": 3, "name": "Captain", "type": "agent_bot"});
    body["meta"]["assignee_type"] = json!("AgentBot");
    assert_eq!(
        feed.types(&body),
        ["queue.upserted", "conversation.created"]
    );
    body["status"] = json!("open");
    body["updated_at"] = json!(1_781_946_800.0);
    assert!(feed.types(&body).is_empty());
    let c = feed.ledger.conversation(&format!("{P}-42")).expect("known");
    assert_eq!(c.status, ConversationStatus::Open);
}

#[test]
fn what_is_not_a_conversation_fact_is_ignored_and_what_cannot_be_read_is_kept_aside() {
    let ledger = Ledger::new();
    let ignored = |event: &str| {
        matches!(
            map(event, &json!({}), P, QueueBy::Inbox, &ledger, now()),
            Mapped::Ignored(_)
        )
    };
    for e in [
        "conversation_typing_on",
        "conversation_typing_off",
        "contact_created",
        "contact_updated",
        "webwidget_triggered",
        "message_updated",
        "inbox_created",
        "something_new",
    ] {
        assert!(ignored(e), "{e}");
    }
    assert!(matches!(
        map(
            "conversation_created",
            &json!({"status": "open"}),
            P,
            QueueBy::Inbox,
            &ledger,
            now()
        ),
        Mapped::Unplaceable(_)
    ));
    let mut weird = fixture("conversation_created");
    weird["status"] = json!("archived");
    assert!(matches!(
        map(
            "conversation_created",
            &weird,
            P,
            QueueBy::Inbox,
            &ledger,
            now()
        ),
        Mapped::Unplaceable(_)
    ));
}

#[test]
fn every_event_id_fits_the_contract() {
    let mut feed = Feed::new(QueueBy::Team);
    let mut body = fixture("conversation_updated_team");
    body["id"] = json!(u64::MAX);
    body["meta"]["assignee"]["id"] = json!(u64::MAX);
    body["meta"]["team"]["id"] = json!(u64::MAX);
    let events = feed.send(&body).expect("mapped");
    assert!(!events.is_empty());
    for e in events {
        let id = e["id"].as_str().expect("id");
        assert!(id.len() <= 64, "{id}");
    }
}
