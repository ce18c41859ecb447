//! Delivery properties through the HTTP API (RELIABILITY.md): a day's events sent in order to
//! one server, and to another split into batches of random sizes, conversations interleaved out
//! of time order, some sent hours late and some batches sent twice, give the same KPIs, agent
//! and conversation rows, ledger and live-stream snapshot.

use serde_json::{Value, json};

use crate::helpers::{assert_same, spawn_app};
use crate::sse::connect;
use crate::stream::ingest;

/// A small seeded generator (xorshift), so a failure names the seed that shows it.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The reference data, then each conversation's events in its own order.
fn day(r: &mut Rng) -> (Vec<Value>, Vec<Vec<Value>>) {
    let start = chrono::Utc::now() - chrono::TimeDelta::hours(3);
    let at = |ms: i64| (start + chrono::TimeDelta::milliseconds(ms)).to_rfc3339();
    let mut reference = Vec::new();
    for q in ["q1", "q2"] {
        reference.push(json!({"id": format!("ref-{q}"), "type": "queue.upserted", "at": at(0), "queue_id": q, "name": q, "channels": ["chat", "email"]}));
    }
    for a in 0..4 {
        reference.push(json!({"id": format!("ref-a{a}"), "type": "agent.upserted", "at": at(0), "agent_id": format!("a{a}"), "name": format!("Agent {a}"), "queues": ["q1", "q2"]}));
        reference.push(json!({"id": format!("ref-p{a}"), "type": "agent.presence", "at": at(1), "agent_id": format!("a{a}"), "presence": "available"}));
    }
    let mut conversations = Vec::new();
    for n in 0..60 {
        let c = format!("d{n}");
        let t0 = 10_000 + r.below(3 * 3_600_000 - 1_200_000) as i64;
        let mut t = t0;
        let mut step = |r: &mut Rng, most: u64| {
            t += 1 + r.below(most) as i64;
            at(t)
        };
        let queue = if r.below(2) == 0 { "q1" } else { "q2" };
        let agent = format!("a{}", r.below(4));
        let mut events = vec![
            json!({"id": format!("{c}-created"), "type": "conversation.created", "at": at(t0), "conversation_id": c, "queue_id": queue, "channel": "chat", "customer": {"id": format!("k{n}"), "name": format!("Customer {n}")}}),
        ];
        if r.below(6) == 0 {
            events.push(json!({"id": format!("{c}-abandoned"), "type": "conversation.closed", "at": step(r, 120_000), "conversation_id": c, "reason": "abandoned"}));
        } else {
            events.push(json!({"id": format!("{c}-offered"), "type": "conversation.offered", "at": step(r, 60_000), "conversation_id": c, "agent_id": agent, "by": "routing"}));
            events.push(json!({"id": format!("{c}-accepted"), "type": "conversation.accepted", "at": step(r, 20_000), "conversation_id": c, "agent_id": agent}));
            for m in 0..r.below(4) {
                let from = if m % 2 == 0 { "customer" } else { "agent" };
                events.push(json!({"id": format!("{c}-m{m}"), "type": "conversation.message", "at": step(r, 90_000), "conversation_id": c, "from": from, "text": "hello", "sentiment": r.below(7) as i64 - 3}));
            }
            if r.below(5) > 0 {
                events.push(json!({"id": format!("{c}-ended"), "type": "conversation.ended", "at": step(r, 300_000), "conversation_id": c}));
                events.push(json!({"id": format!("{c}-closed"), "type": "conversation.closed", "at": step(r, 60_000), "conversation_id": c, "reason": "resolved"}));
            }
        }
        conversations.push(events);
    }
    (reference, conversations)
}

/// The live stream's first frame, without what depends on the order of arrival (sequence
/// numbers).
async fn snapshot(base: &str, token: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| !k.contains("seq"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut client = connect(base, "/api/v1/stream", Some(token), None).await;
    assert_eq!(client.status, 200, "{}", client.head);
    let first = client.next_data().await.expect("snapshot");
    assert_eq!(first.event, "snapshot");
    let mut json = first.json();
    strip(&mut json);
    json
}

each_backend! {
    async fn duplicated_reordered_split_and_late_deliveries_end_as_in_order_ones(kind) {
        for seed in [7u64, 1_234_567] {
            let mut r = Rng(seed);
            let (reference, conversations) = day(&mut r);
            let in_order = spawn_app(kind).await;
            let shuffled = spawn_app(kind).await;

            let mut all: Vec<Value> = conversations.iter().flatten().cloned().collect();
            all.sort_by_key(|e| e["at"].as_str().unwrap_or_default().to_owned());
            ingest(&in_order, &reference).await;
            for chunk in all.chunks(50) {
                ingest(&in_order, chunk).await;
            }

            // Reference first; then conversations interleaved at random (each keeps its own
            // order), the last quarter of them held back and sent late; batches of 1 to 40,
            // one in five sent twice.
            ingest(&shuffled, &reference).await;
            let mut queues: Vec<std::collections::VecDeque<Value>> =
                conversations.iter().cloned().map(Into::into).collect();
            let late = queues.split_off(queues.len() * 3 / 4);
            let deliver = |queues: &mut Vec<std::collections::VecDeque<Value>>, r: &mut Rng| {
                let mut out = Vec::new();
                while queues.iter().any(|q| !q.is_empty()) {
                    let live: Vec<usize> = (0..queues.len()).filter(|&i| !queues[i].is_empty()).collect();
                    let pick = live[r.below(live.len() as u64) as usize];
                    out.push(queues[pick].pop_front().expect("not empty"));
                }
                out
            };
            let mut order = deliver(&mut queues, &mut r);
            order.extend(deliver(&mut late.into_iter().collect(), &mut r));
            let mut at = 0;
            while at < order.len() {
                let size = 1 + r.below(40) as usize;
                let batch = &order[at..(at + size).min(order.len())];
                ingest(&shuffled, batch).await;
                if r.below(5) == 0 {
                    ingest(&shuffled, batch).await;
                }
                at += size;
            }

            let what = format!("{kind:?}, seed {seed}");
            assert_eq!(in_order.stored().await, shuffled.stored().await, "{what}");
            assert_same(&in_order.ingestor, &shuffled.ingestor, &what).await;
            let expected = snapshot(&in_order.base, &in_order.token).await;
            assert!(
                expected["agents"].as_array().is_some_and(|a| a.len() == 4)
                    && expected["conversations"].as_array().is_some_and(|c| !c.is_empty()),
                "{what}: the snapshot holds the floor: {expected}"
            );
            assert_eq!(
                expected,
                snapshot(&shuffled.base, &shuffled.token).await,
                "{what}: the live stream's snapshot"
            );
        }
    }
}
