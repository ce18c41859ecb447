//! The soak's traffic: a contact center's events at a steady rate, and a supervisor's
//! integration acting on conversations of its own (assign, then force close) throughout.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::clients::post_json;

pub const QUEUES: usize = 5;
pub const AGENTS: usize = 100;
/// Conversations in flight; each batch advances the next ones round robin, one event each.
const SLOTS: usize = 1_000;
/// Events of one conversation (created … closed).
const STAGES: u32 = 10;

/// The agent of conversation `c` (one of its queue's).
fn agent_of(c: usize) -> usize {
    c % QUEUES + QUEUES * ((c / QUEUES) % (AGENTS / QUEUES))
}

/// The queues and agents, each agent in one queue, available with room for its work.
pub fn reference() -> Vec<Value> {
    let at = Utc::now().to_rfc3339();
    let queues = (0..QUEUES).map(|q| {
        json!({"id": format!("q{q}"), "type": "queue.upserted", "at": at, "queue_id": format!("q{q}"), "name": format!("Queue {q}"), "channels": ["chat"]})
    });
    let people = (0..AGENTS).flat_map(|a| {
        [
            json!({"id": format!("a{a}-up"), "type": "agent.upserted", "at": at, "agent_id": format!("a{a}"), "name": format!("Agent {a}"), "queues": [format!("q{}", a % QUEUES)], "capacity": 100}),
            json!({"id": format!("a{a}-in"), "type": "agent.presence", "at": at, "agent_id": format!("a{a}"), "presence": "available"}),
        ]
    });
    queues.chain(people).collect()
}

/// Sends `rate` events a second in ten batches until `stop`; the events acknowledged.
pub async fn send(
    host: String,
    token: String,
    rate: usize,
    mut stop: watch::Receiver<bool>,
) -> u64 {
    let per_batch = (rate / 10).max(1);
    let mut stage = vec![0u32; SLOTS];
    let mut number: Vec<usize> = (0..SLOTS).collect();
    let (mut next_number, mut cursor, mut acked) = (SLOTS, 0, 0);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for b in 0usize.. {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return acked,
        }
        let at = Utc::now().to_rfc3339();
        let mut events = Vec::with_capacity(per_batch);
        for _ in 0..per_batch {
            let slot = cursor;
            cursor = (cursor + 1) % SLOTS;
            events.push(event(number[slot], stage[slot], &at, b));
            stage[slot] = (stage[slot] + 1) % STAGES;
            if stage[slot] == 0 {
                number[slot] = next_number;
                next_number += 1;
            }
        }
        let body = serde_json::to_vec(&events).expect("json");
        let (status, reply) = post_json(&host, "/api/v1/events", &token, &body).await;
        assert_eq!(status, 200, "{reply}");
        acked += per_batch as u64;
    }
    acked
}

fn event(c: usize, stage: u32, at: &str, batch: usize) -> Value {
    let conversation = format!("c{c}");
    let agent = format!("a{}", agent_of(c));
    let mut e = json!({"id": format!("{conversation}-{stage}-{batch}"), "at": at, "conversation_id": conversation});
    let body = match stage {
        0 => {
            json!({"type": "conversation.created", "queue_id": format!("q{}", c % QUEUES), "channel": "chat", "customer": {"id": format!("k{c}"), "name": "Customer"}})
        }
        1 => json!({"type": "conversation.offered", "agent_id": agent, "by": "routing"}),
        2 => json!({"type": "conversation.accepted", "agent_id": agent}),
        8 => json!({"type": "conversation.ended"}),
        9 => json!({"type": "conversation.closed", "reason": "resolved"}),
        s if s % 2 == 1 => {
            json!({"type": "conversation.message", "from": "customer", "text": "Where is my order?", "sentiment": -1})
        }
        _ => json!({"type": "conversation.message", "from": "agent", "text": "Let me check"}),
    };
    if let (Some(e), Value::Object(body)) = (e.as_object_mut(), body) {
        e.extend(body);
    }
    e
}

/// Twice a second: opens a conversation of its own, assigns the one opened before to an agent
/// of its queue and force-closes the one assigned before that, through the actions API. The
/// actions acknowledged.
pub async fn act(
    host: String,
    ingest: String,
    act: String,
    mut stop: watch::Receiver<bool>,
) -> u64 {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut acked = 0;
    for k in 0usize.. {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return acked,
        }
        let at = Utc::now().to_rfc3339();
        let created = json!([{"id": format!("y{k}-c"), "type": "conversation.created", "at": at,
            "conversation_id": format!("y{k}"), "queue_id": format!("q{}", k % QUEUES), "channel": "chat",
            "customer": {"id": format!("ky{k}"), "name": "Escalated"}}]);
        let (status, reply) = post_json(
            &host,
            "/api/v1/events",
            &ingest,
            created.to_string().as_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        if k >= 1 {
            let c = k - 1;
            let body = json!({"action": "assign", "agent_id": format!("a{}", agent_of(c))});
            acked += action(&host, &act, &format!("y{c}"), &body).await;
        }
        if k >= 2 {
            let body = json!({"action": "force_close", "reason": "spam"});
            acked += action(&host, &act, &format!("y{}", k - 2), &body).await;
        }
    }
    acked
}

async fn action(host: &str, token: &str, conversation: &str, body: &Value) -> u64 {
    let path = format!("/api/v1/conversations/{conversation}/actions");
    let (status, reply) = post_json(host, &path, token, body.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{body} on {conversation}: {reply}");
    1
}
