//! The Ongoing grid's rows as the stream sends them, each kept as its JSON from the last event
//! that changed it. A row changes only through its own conversation's events, so its JSON is
//! written once per change (for the delta) and a subscriber's snapshot is the kept pieces put
//! together: writing 10,000 rows afresh for every new subscriber cost ~35 ms of which ~10 ms
//! under the writer's lock (`benches/ongoing.rs`), beyond the 20 ms the grid allows.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use app::model::event::Event;
use app::model::ledger::{Conversation, ConversationStatus, Ledger};
use app::ongoing::board::{Board, Extras};
use app::ongoing::row::RowOut;
use app::server_fns::my::ClosedItem;

use super::{Scope, in_scope};

/// One kept row.
struct Kept {
    queue: String,
    json: Arc<str>,
}

/// The board's extras and every live conversation's row JSON, by id (so a snapshot lists them
/// in id order), and what each agent closed today (My dashboard's list, read on every refresh
/// of every agent's page: kept here rather than unfolding the day's closed conversations).
#[derive(Default)]
pub struct Rows {
    board: Board,
    kept: BTreeMap<String, Kept>,
    closed: ClosedToday,
}

/// The conversations each agent closed on one day (UTC).
#[derive(Default)]
struct ClosedToday {
    day: Option<chrono::NaiveDate>,
    by_agent: HashMap<String, Vec<ClosedItem>>,
}

impl ClosedToday {
    fn note(&mut self, c: &Conversation) {
        let (Some(agent), Some(at)) = (c.agent_id.as_ref(), c.closed_at) else {
            return;
        };
        let day = at.date_naive();
        match self.day {
            Some(d) if d > day => return,
            Some(d) if d == day => {}
            _ => {
                self.day = Some(day);
                self.by_agent.clear();
            }
        }
        let items = self.by_agent.entry(agent.clone()).or_default();
        if items.iter().any(|i| i.id == c.id) {
            return;
        }
        items.push(ClosedItem {
            id: c.id.clone(),
            customer_name: c.customer_name.clone(),
            queue_id: c.queue_id.clone(),
            channel: c.channel.as_str().to_owned(),
            created_at: c.created_at.to_rfc3339(),
            closed_at: at.to_rfc3339(),
            reason: c
                .close_reason
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        });
    }
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
            self.closed.note(c);
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

    /// Reads what each agent closed today from the ledger (once, when the hub is attached:
    /// closed conversations are unfolded to read them).
    pub fn read_closed_today(&mut self, ledger: &Ledger) {
        let today = chrono::Utc::now().date_naive();
        self.closed = ClosedToday::default();
        for c in ledger.conversations() {
            if c.status == ConversationStatus::Closed
                && c.closed_at.is_some_and(|t| t.date_naive() == today)
            {
                self.closed.note(&c);
            }
        }
    }

    /// What `agent` closed on `day` (UTC), the latest first.
    pub fn closed_by(&self, agent: &str, day: chrono::NaiveDate) -> Vec<ClosedItem> {
        if self.closed.day != Some(day) {
            return Vec::new();
        }
        let mut items = self.closed.by_agent.get(agent).cloned().unwrap_or_default();
        items.sort_by(|a, b| b.closed_at.cmp(&a.closed_at));
        items
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
