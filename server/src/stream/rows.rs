//! The Ongoing grid's rows as the stream sends them, each kept as its JSON from the last event
//! that changed it. A row changes only through its own conversation's events, so its JSON is
//! written once per change (for the delta) and a subscriber's snapshot is the kept pieces put
//! together: writing 10,000 rows afresh for every new subscriber cost ~35 ms of which ~10 ms
//! under the writer's lock (`benches/ongoing.rs`), beyond the 20 ms the grid allows.

use std::collections::BTreeMap;
use std::sync::Arc;

use app::model::event::Event;
use app::model::ledger::Ledger;
use app::ongoing::board::{Board, Extras};
use app::ongoing::row::RowOut;

use super::{Scope, in_scope};

/// One kept row.
struct Kept {
    queue: String,
    json: Arc<str>,
}

/// The board's extras and every live conversation's row JSON, by id (so a snapshot lists them
/// in id order).
#[derive(Default)]
pub struct Rows {
    board: Board,
    kept: BTreeMap<String, Kept>,
}

impl Rows {
    /// Takes an applied event into the extras (call [`Rows::refresh`] for its conversation
    /// once the batch is applied).
    pub fn note(&mut self, event: &Event) {
        self.board.note(event);
    }

    /// A conversation's extras.
    pub fn get(&self, id: &str) -> &Extras {
        self.board.get(id)
    }

    /// Writes conversation `id`'s row as the ledger and the extras now have it, keeps it while
    /// the conversation is live and forgets it (and its extras) once closed; the row's JSON, or
    /// `None` for a conversation the ledger does not know.
    pub fn refresh(&mut self, ledger: &Ledger, id: &str) -> Option<Arc<str>> {
        if let Some(c) = ledger.live_conversation(id) {
            let json = render(&RowOut {
                conversation: c,
                extras: self.board.get(id),
            });
            self.kept.insert(
                id.to_owned(),
                Kept {
                    queue: c.queue_id.clone(),
                    json: json.clone(),
                },
            );
            return Some(json);
        }
        let c = ledger.conversation(id)?;
        let json = render(&RowOut {
            conversation: &c,
            extras: self.board.get(id),
        });
        self.kept.remove(id);
        self.board.forget(id);
        Some(json)
    }

    /// Writes every live conversation's row afresh and forgets the rest (at start).
    pub fn rebuild(&mut self, ledger: &Ledger) {
        self.board
            .retain(|id| ledger.live_conversation(id).is_some());
        self.kept.clear();
        let ids: Vec<String> = ledger.live_conversations().map(|c| c.id.clone()).collect();
        for id in ids {
            self.refresh(ledger, &id);
        }
    }

    /// The rows of `scope`'s queues, in id order: shared pieces, nothing copied but pointers.
    pub fn in_scope(&self, scope: &Scope) -> Vec<Arc<str>> {
        self.kept
            .values()
            .filter(|k| in_scope(scope, &k.queue))
            .map(|k| k.json.clone())
            .collect()
    }
}

fn render(row: &RowOut<'_>) -> Arc<str> {
    match serde_json::to_string(row) {
        Ok(s) => s.into(),
        Err(error) => {
            tracing::error!(%error, "a grid row did not serialise");
            Arc::from("{}")
        }
    }
}
