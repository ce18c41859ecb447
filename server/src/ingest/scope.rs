//! What a queue-limited ingest token may write: events of its queues only, and no reference
//! data of other queues. A conversation's queue is the one it is in now (the ledger's, or the
//! `conversation.created` earlier in the same batch); an agent belongs to the queues its last
//! `agent.upserted` listed.

use std::collections::HashMap;

use app::model::event::{Event, EventBody};
use app::model::ledger::Ledger;

use super::EventError;

/// The events of `fresh` (batch index, event) a token limited to `queues` may not write, each
/// with the field that names the other queue.
pub fn outside(
    queues: &[String],
    ledger: &Ledger,
    fresh: &[(usize, Event)],
    ids: &[Option<&str>],
) -> Vec<EventError> {
    use EventBody as B;
    let mine = |q: &str| queues.iter().any(|x| x == q);
    // Conversations created in this batch, by id: their queue before the ledger knows them.
    let created: HashMap<&str, &str> = fresh
        .iter()
        .filter_map(|(_, e)| match &e.body {
            B::ConversationCreated(c) => Some((c.conversation_id.as_str(), c.queue_id.as_str())),
            _ => None,
        })
        .collect();
    let agent_in_scope = |id: &str| {
        let upserted_here = fresh.iter().any(|(_, e)| {
            matches!(&e.body, B::AgentUpserted(a) if a.agent_id == id && a.queues.iter().any(|q| mine(q)))
        });
        upserted_here
            || ledger
                .agent(id)
                .is_some_and(|a| a.queues.iter().any(|q| mine(q)))
    };
    let mut errors = Vec::new();
    for (index, event) in fresh {
        let refused = match &event.body {
            B::QueueUpserted(q) => (!mine(&q.queue_id)).then_some("queue_id"),
            B::AgentUpserted(a) => a.queues.iter().any(|q| !mine(q)).then_some("queues"),
            B::AgentPresence(p) => (!agent_in_scope(&p.agent_id)).then_some("agent_id"),
            B::ConversationCreated(c) => (!mine(&c.queue_id)).then_some("queue_id"),
            body => {
                let to_other = match body {
                    B::ConversationTransferred(t) => {
                        t.to_queue_id.as_deref().is_some_and(|q| !mine(q))
                    }
                    _ => false,
                };
                let now_in = body.conversation_id().and_then(|id| {
                    created
                        .get(id)
                        .map(|q| (*q).to_owned())
                        .or_else(|| ledger.conversation(id).map(|c| c.queue_id.clone()))
                });
                if to_other {
                    Some("to_queue_id")
                } else {
                    // A conversation the log does not know is refused by the ledger anyway.
                    now_in
                        .is_some_and(|q| !mine(&q))
                        .then_some("conversation_id")
                }
            }
        };
        if let Some(field) = refused {
            errors.push(EventError {
                index: *index,
                id: ids[*index].map(str::to_owned),
                field: field.to_owned(),
                message: format!(
                    "this token may write events of its queues only ({})",
                    queues.join(", ")
                ),
            });
        }
    }
    errors
}
