//! The Ongoing grid's rows as the stream sends them, each kept as its JSON from the last event
//! that changed it. A row changes only through its own conversation's events, so its JSON is
//! written once per change (for the delta) and a subscriber's snapshot is the kept pieces put
//! together: writing 10,000 rows afresh for every new subscriber cost ~35 ms of which ~10 ms
//! under the writer's lock (`benches/ongoing.rs`), beyond the 20 ms the grid allows.

use std::collections::BTreeMap;
use std::sync::Arc;

use app::model::event::Event;
use app::model::ledger::{Conversation, ConversationStatus, Ledger};
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

    /// Writes conversation `c`'s row as it is now with its extras, keeps it while the
    /// conversation is live and forgets it (and its extras) once closed; the row's JSON.
    pub fn refresh(&mut self, c: &Conversation) -> Arc<str> {
        let json = render(&RowOut {
            conversation: c,
            extras: self.board.get(&c.id),
        });
        if c.status == ConversationStatus::Closed {
            self.kept.remove(&c.id);
            self.board.forget(&c.id);
        } else {
            self.kept.insert(
                c.id.clone(),
                Kept {
                    queue: c.queue_id.clone(),
                    json: json.clone(),
                },
            );
        }
        json
    }

    /// Writes every live conversation's row afresh and forgets the rest (at start).
    pub fn rebuild(&mut self, ledger: &Ledger) {
        self.board
            .retain(|id| ledger.live_conversation(id).is_some());
        self.kept.clear();
        for c in ledger.live_conversations() {
            self.refresh(c);
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
