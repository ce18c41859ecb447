//! The validating projection of the event log: conversations, agents and queues as the events
//! say, with late events placed in order. `apply` is all or nothing.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use super::conversation::{Conversation, ConversationStatus};
use super::conversation::{Transition, start, step};
use super::event::{Channel, Event, EventBody, Presence};
use super::ledger_seal;
use super::names::{Map, Names};
use super::seals::Seals;

/// Events older than this before the newest event are refused.
pub const MAX_AGE: TimeDelta = TimeDelta::hours(48);
/// Events further than this ahead of the server clock are refused.
pub const MAX_FUTURE: TimeDelta = TimeDelta::minutes(5);

/// An agent as the events say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// Agent id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Queue ids.
    pub queues: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Capacity units.
    pub capacity: u32,
    /// Presence now.
    pub presence: Presence,
    /// Since when.
    pub presence_since: Option<DateTime<Utc>>,
    /// `at` of the upsert that set name, queues, skills and capacity.
    #[serde(skip)]
    upserted_at: Option<DateTime<Utc>>,
}

impl Agent {
    fn placeholder(id: &str) -> Agent {
        Agent {
            id: id.to_owned(),
            name: id.to_owned(),
            queues: Vec::new(),
            skills: Vec::new(),
            capacity: 3,
            presence: Presence::Offline,
            presence_since: None,
            upserted_at: None,
        }
    }
}

/// A queue as last upserted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Queue id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Channels.
    pub channels: Vec<Channel>,
    /// Service-level threshold in seconds.
    pub service_level_seconds: u32,
    #[serde(skip)]
    upserted_at: Option<DateTime<Utc>>,
}

/// A refused event of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchError {
    /// Position in the batch given to [`Ledger::apply`].
    pub index: usize,
    /// The field to blame.
    pub field: String,
    /// What is wrong, naming the current state for a refused transition.
    pub message: String,
}

/// One step of a conversation's history. Steps are ordered by (`at`, arrival): a step goes
/// after every step with the same `at`, so arrival needs no field of its own.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Step {
    at: DateTime<Utc>,
    transition: Transition,
}

/// A conversation's ordered history and the state it folds to.
#[derive(Clone, Debug)]
struct History {
    steps: Vec<Step>,
    state: Conversation,
}

/// A conversation not closed: the state its steps fold to, and the steps sealed as a closed
/// one's are ([`sealed`]), extended as its events come: a few bytes a step instead of a time
/// and a transition with strings of its own, since a busy day holds tens of thousands open
/// (the figures are in `docs/kpi-engine.md`).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Open {
    state: Conversation,
    /// Its steps ([`ledger_seal::seal`]; no close time). The last one is at `state.updated_at`.
    steps: Box<[u8]>,
}

/// A conversation's stored history, as [`Ledger::apply`] reads it (one per conversation of a
/// batch, for the batch's time only: the size of the unfolded variant does not matter).
#[allow(clippy::large_enum_variant)]
enum Stored<'a> {
    /// Open: its state and sealed steps, decoded only for a late step.
    Open(&'a Open),
    /// Closed: unfolded from its seal.
    Unfolded(History),
}

/// A conversation's stored history and a batch's steps for it, not yet validated.
struct Staged<'a> {
    /// The stored history, if it has one.
    stored: Option<Stored<'a>>,
    /// The batch's steps with their batch index, in (`at`, position) order: the order they
    /// are staged in.
    new: Vec<(Step, usize)>,
}

/// A staged conversation, validated.
enum Folded {
    /// Every new step came at or after every stored step of an open conversation: the state
    /// after them, and the steps to append (the stored ones are not copied).
    Appended(Conversation, Vec<Step>),
    /// A new conversation, or a late step placed among stored ones: the whole history again.
    Whole(History),
}

/// A fold's failure: the batch event to blame, the field and the message.
type Blame = (usize, &'static str, String);

impl Staged<'_> {
    /// Validates the new steps: from the stored state when they all come after an open
    /// conversation's stored steps (the usual case), else — a new conversation, a late step, or
    /// a sealed one, already unfolded — by folding the whole history again.
    fn fold(self, id: &str, names: &Names) -> Result<Folded, Blame> {
        let first_new = self.new.first().map(|(s, _)| s.at);
        match &self.stored {
            Some(Stored::Open(o)) if Some(o.state.updated_at) <= first_new => {
                let mut state = o.state.clone();
                for (s, index) in &self.new {
                    step(&mut state, s.at, &s.transition)
                        .map_err(|e| (*index, e.field, e.message))?;
                }
                Ok(Folded::Appended(
                    state,
                    self.new.into_iter().map(|(s, _)| s).collect(),
                ))
            }
            _ => self.refold(id, names).map(Folded::Whole),
        }
    }

    /// Places every new step after the stored and new steps with the same time or earlier,
    /// and folds the whole history.
    fn refold(self, id: &str, names: &Names) -> Result<History, Blame> {
        let mut steps: Vec<(Step, Option<usize>)> = match &self.stored {
            Some(Stored::Open(o)) => unseal(&o.steps, names)
                .ok_or_else(|| {
                    let index = self.new.first().map_or(0, |(_, i)| *i);
                    (
                        index,
                        "conversation_id",
                        format!("conversation {id}'s stored steps are unreadable"),
                    )
                })?
                .into_iter()
                .map(|s| (s, None))
                .collect(),
            Some(Stored::Unfolded(h)) => h.steps.iter().map(|s| (s.clone(), None)).collect(),
            None => Vec::with_capacity(self.new.len()),
        };
        for (s, index) in self.new {
            let pos = steps.partition_point(|(x, _)| x.at <= s.at);
            steps.insert(pos, (s, Some(index)));
        }
        let (first, index) = &steps[0];
        let mut state = start(id, first.at, &first.transition).ok_or_else(|| {
            let index = index
                .or_else(|| steps.iter().find_map(|(_, i)| *i))
                .unwrap_or_default();
            let message = if self.stored.is_some() {
                format!(
                    "placed at its time, this event would come before conversation {id} was created"
                )
            } else {
                format!("conversation {id} is unknown: send its conversation.created first")
            };
            (index, "conversation_id", message)
        })?;
        let mut blame = *index;
        for (s, index) in &steps[1..] {
            if index.is_some() {
                blame = *index;
            }
            if let Err(e) = step(&mut state, s.at, &s.transition) {
                return Err(match (index, blame) {
                    (Some(i), _) => (*i, e.field, e.message),
                    (None, b) => (
                        b.unwrap_or_default(),
                        "at",
                        format!(
                            "placed at its time, this event makes the later {} at {} invalid: {}",
                            s.transition.type_name(),
                            s.at.to_rfc3339(),
                            e.message
                        ),
                    ),
                });
            }
        }
        let steps = steps.into_iter().map(|(s, _)| s).collect();
        Ok(History { steps, state })
    }
}

/// What a batch replaced in the ledger: each touched conversation's open entry and seal, each
/// agent and queue, as they were (`None`: there was none), and the newest time.
#[derive(Debug)]
#[must_use = "undo it, or drop it once the batch is stored"]
pub struct Undo {
    newest: Option<DateTime<Utc>>,
    conversations: Vec<Before>,
    agents: Vec<(String, Option<Agent>)>,
    queues: Vec<(String, Option<Queue>)>,
}

/// A conversation as it was before a batch: its id, its open entry, its seal.
type Before = (String, Option<Box<Open>>, Option<Vec<u8>>);

/// Conversations, agents and queues, validated and kept in event time order.
/// Serialized whole for the live state's snapshots (see [`super::snapshot`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// Conversations not closed: state and sealed steps, for capacity and the live views.
    /// Boxed: the map's buckets (a power of two, up to 7/8 full) hold a pointer, not the
    /// ~260-byte state (~6 MB less for ~37,000 open conversations).
    open: Map<String, Box<Open>>,
    /// Closed conversations: their steps sealed in a few bytes ([`sealed`]), unfolded again
    /// when a late event names one.
    closed: Seals,
    /// The agent and queue ids and skill sets sealed steps refer to.
    names: Names,
    #[serde(serialize_with = "stamped_out", deserialize_with = "stamped_in")]
    agents: Map<String, Agent>,
    #[serde(serialize_with = "stamped_out", deserialize_with = "stamped_in")]
    queues: Map<String, Queue>,
    newest: Option<DateTime<Utc>>,
}

/// Agents and queues: the API's JSON leaves out when they were upserted; a snapshot keeps it.
trait Stamped: Sized {
    fn id(&self) -> &str;
    fn stamp(&self) -> Option<DateTime<Utc>>;
    fn stamped(self, at: Option<DateTime<Utc>>) -> Self;
}

impl Stamped for Agent {
    fn id(&self) -> &str {
        &self.id
    }
    fn stamp(&self) -> Option<DateTime<Utc>> {
        self.upserted_at
    }
    fn stamped(self, upserted_at: Option<DateTime<Utc>>) -> Agent {
        Agent {
            upserted_at,
            ..self
        }
    }
}

impl Stamped for Queue {
    fn id(&self) -> &str {
        &self.id
    }
    fn stamp(&self) -> Option<DateTime<Utc>> {
        self.upserted_at
    }
    fn stamped(self, upserted_at: Option<DateTime<Utc>>) -> Queue {
        Queue {
            upserted_at,
            ..self
        }
    }
}

fn stamped_out<T: Stamped + Serialize, S: serde::Serializer>(
    m: &Map<String, T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(m.values().map(|v| (v, v.stamp())))
}

fn stamped_in<'de, T, D>(d: D) -> Result<Map<String, T>, D::Error>
where
    T: Stamped + Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    let list = Vec::<(T, Option<DateTime<Utc>>)>::deserialize(d)?;
    Ok(list
        .into_iter()
        .map(|(v, at)| (v.id().to_owned(), v.stamped(at)))
        .collect())
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates a batch placed in order among everything applied so far and applies it — all
    /// or nothing. Within the batch, events are taken in `at` order, ties by position.
    pub fn apply(&mut self, batch: &[Event], now: DateTime<Utc>) -> Result<(), Vec<BatchError>> {
        self.apply_undoable(batch, now).map(drop)
    }

    /// As [`Ledger::apply`], keeping what the batch replaced: when the log then refuses the
    /// batch (a full or read-only disk, a database gone), [`Ledger::undo`] puts it back at the
    /// cost of the batch, where rebuilding from the log would cost the whole day — and would
    /// be impossible while the database does not answer.
    pub fn apply_undoable(
        &mut self,
        batch: &[Event],
        now: DateTime<Utc>,
    ) -> Result<Undo, Vec<BatchError>> {
        let mut errors = Vec::new();
        let newest = batch.iter().map(|e| e.at).chain(self.newest).max();
        for (index, e) in batch.iter().enumerate() {
            if e.at > now + MAX_FUTURE {
                errors.push(err(
                    index,
                    "at",
                    format!(
                        "{} is more than 5 minutes ahead of the server clock ({})",
                        e.at.to_rfc3339(),
                        now.to_rfc3339()
                    ),
                ));
            } else if let Some(newest) = newest.filter(|n| e.at < *n - MAX_AGE) {
                errors.push(err(
                    index,
                    "at",
                    format!(
                        "{} is more than 48 hours older than the newest event ({})",
                        e.at.to_rfc3339(),
                        newest.to_rfc3339()
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| (batch[i].at, i));

        let mut staged: Map<&str, Staged> = Map::default();
        let mut agents: Map<&str, Agent> = Map::default();
        let mut queues: Map<&str, Queue> = Map::default();
        for &index in &order {
            let event = &batch[index];
            if let Err((field, message)) =
                self.stage(event, index, &mut staged, &mut agents, &mut queues)
            {
                errors.push(err(index, field, message));
            }
        }
        let mut conversations = Vec::with_capacity(staged.len());
        for (id, s) in staged {
            match s.fold(id, &self.names) {
                Ok(folded) => conversations.push((id, folded)),
                Err((index, field, message)) => errors.push(err(index, field, message)),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.index);
            return Err(errors);
        }
        let mut undo = Undo {
            newest: std::mem::replace(&mut self.newest, newest),
            conversations: Vec::with_capacity(conversations.len()),
            agents: Vec::with_capacity(agents.len()),
            queues: Vec::with_capacity(queues.len()),
        };
        for (id, folded) in conversations {
            // What the conversation was: taken out, not copied (a seal is a few bytes).
            let sealed = self.closed.get(id).map(<[u8]>::to_vec);
            let history = match folded {
                Folded::Whole(h) => h,
                // Appended to an open conversation, which is in `open`: its seal is extended
                // (and headed by the close time when it closes now).
                Folded::Appended(state, new) => match self.open.get_mut(id) {
                    Some(o) => {
                        let steps = new.iter().map(|s| (s.at, &s.transition));
                        let last = o.state.updated_at;
                        let extended = ledger_seal::extend(&o.steps, last, steps, &mut self.names);
                        let before = Box::new(Open {
                            steps: std::mem::replace(&mut o.steps, extended),
                            state: std::mem::replace(&mut o.state, state),
                        });
                        if o.state.status == ConversationStatus::Closed {
                            let o = self.open.remove(id).expect("just read");
                            self.closed.insert(id, &o.steps);
                        }
                        undo.conversations
                            .push((id.to_owned(), Some(before), sealed));
                        continue;
                    }
                    // Not reached (only a stored open conversation is appended to): sealed
                    // whole below.
                    None => History { steps: new, state },
                },
            };
            let steps = history.steps.iter().map(|s| (s.at, &s.transition));
            let steps = ledger_seal::seal(steps, &mut self.names);
            let open = if history.state.status == ConversationStatus::Closed {
                self.closed.insert(id, &steps);
                self.open.remove(id)
            } else {
                // A closed conversation stays closed, but nothing here depends on it.
                self.closed.remove(id);
                let state = history.state;
                self.open
                    .insert(id.to_owned(), Box::new(Open { state, steps }))
            };
            undo.conversations.push((id.to_owned(), open, sealed));
        }
        for (id, agent) in agents {
            let before = self.agents.insert(id.to_owned(), agent);
            undo.agents.push((id.to_owned(), before));
        }
        for (id, queue) in queues {
            let before = self.queues.insert(id.to_owned(), queue);
            undo.queues.push((id.to_owned(), before));
        }
        Ok(undo)
    }

    /// Puts back what the batch that returned `undo` replaced; it must be the last batch
    /// applied. Names the batch added stay: nothing refers to them.
    pub fn undo(&mut self, undo: Undo) {
        self.newest = undo.newest;
        for (id, before) in undo.agents {
            match before {
                Some(agent) => self.agents.insert(id, agent),
                None => self.agents.remove(&id),
            };
        }
        for (id, before) in undo.queues {
            match before {
                Some(queue) => self.queues.insert(id, queue),
                None => self.queues.remove(&id),
            };
        }
        for (id, open, sealed) in undo.conversations {
            match sealed {
                Some(seal) => self.closed.insert(&id, &seal),
                None => self.closed.remove(&id),
            }
            match open {
                Some(open) => self.open.insert(id, open),
                None => self.open.remove(&id),
            };
        }
    }

    /// Places one event in the staged copies (conversations are validated after the whole
    /// batch is placed, so events that are only valid together are accepted together).
    fn stage<'l, 'e>(
        &'l self,
        event: &'e Event,
        index: usize,
        staged: &mut Map<&'e str, Staged<'l>>,
        agents: &mut Map<&'e str, Agent>,
        queues: &mut Map<&'e str, Queue>,
    ) -> Result<(), (&'static str, String)> {
        match &event.body {
            EventBody::QueueUpserted(q) => {
                let queue = queues.entry(&q.queue_id).or_insert_with(|| {
                    self.queues.get(&q.queue_id).cloned().unwrap_or(Queue {
                        id: q.queue_id.clone(),
                        name: q.name.clone(),
                        channels: q.channels.clone(),
                        service_level_seconds: q.service_level_seconds,
                        upserted_at: None,
                    })
                });
                if queue.upserted_at.is_none_or(|t| event.at >= t) {
                    queue.name = q.name.clone();
                    queue.channels = q.channels.clone();
                    queue.service_level_seconds = q.service_level_seconds;
                    queue.upserted_at = Some(event.at);
                }
                Ok(())
            }
            EventBody::AgentUpserted(a) => {
                let agent = self.staged_agent(agents, &a.agent_id);
                if agent.upserted_at.is_none_or(|t| event.at >= t) {
                    agent.name = a.name.clone();
                    agent.queues = a.queues.clone();
                    agent.skills = a.skills.clone();
                    agent.capacity = a.capacity;
                    agent.upserted_at = Some(event.at);
                }
                Ok(())
            }
            EventBody::AgentPresence(p) => {
                let agent = self.staged_agent(agents, &p.agent_id);
                if agent.presence_since.is_none_or(|t| event.at >= t) {
                    agent.presence = p.presence;
                    agent.presence_since = Some(event.at);
                }
                Ok(())
            }
            body => {
                let (Some(id), Some(transition)) = (body.conversation_id(), Transition::of(body))
                else {
                    return Err(("type", "this event names no conversation transition".into()));
                };
                let entry = staged.entry(id).or_insert_with(|| Staged {
                    stored: self.history(id),
                    new: Vec::new(),
                });
                let at = event.at;
                entry.new.push((Step { at, transition }, index));
                Ok(())
            }
        }
    }

    fn staged_agent<'a, 'e>(
        &self,
        agents: &'a mut Map<&'e str, Agent>,
        id: &'e str,
    ) -> &'a mut Agent {
        agents.entry(id).or_insert_with(|| {
            self.agents
                .get(id)
                .cloned()
                .unwrap_or_else(|| Agent::placeholder(id))
        })
    }

    /// A conversation's stored history: borrowed while open, unfolded from its seal once closed.
    fn history(&self, id: &str) -> Option<Stored<'_>> {
        if let Some(o) = self.open.get(id) {
            return Some(Stored::Open(o));
        }
        let mut steps = unseal(self.closed.get(id)?, &self.names)?.into_iter();
        let first = steps.next()?;
        let mut state = start(id, first.at, &first.transition)?;
        let mut all = vec![first];
        for s in steps {
            // They were valid together when sealed; a failure means a corrupt seal.
            step(&mut state, s.at, &s.transition).ok()?;
            all.push(s);
        }
        Some(Stored::Unfolded(History { steps: all, state }))
    }

    /// A conversation by id (a closed one is unfolded from its seal, so each call costs a fold).
    pub fn conversation(&self, id: &str) -> Option<Cow<'_, Conversation>> {
        match self.history(id)? {
            Stored::Open(o) => Some(Cow::Borrowed(&o.state)),
            Stored::Unfolded(h) => Some(Cow::Owned(h.state)),
        }
    }

    /// Every conversation, closed ones included (each closed one unfolded: for tests and tools,
    /// not for a live path).
    pub fn conversations(&self) -> impl Iterator<Item = Cow<'_, Conversation>> {
        let open = self.open.values().map(|h| Cow::Borrowed(&h.state));
        let closed = self.closed.ids().filter_map(|id| self.conversation(id));
        open.chain(closed)
    }

    /// Conversations not closed.
    pub fn live_conversations(&self) -> impl Iterator<Item = &Conversation> {
        self.open.values().map(|h| &h.state)
    }

    /// A conversation not closed, by id (no unfolding: `None` for a closed or unknown one).
    pub fn live_conversation(&self, id: &str) -> Option<&Conversation> {
        self.open.get(id).map(|h| &h.state)
    }

    /// An agent by id.
    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.get(id)
    }

    /// Every agent.
    pub fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.agents.values()
    }

    /// A queue by id.
    pub fn queue(&self, id: &str) -> Option<&Queue> {
        self.queues.get(id)
    }

    /// Every queue.
    pub fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.values()
    }

    /// Capacity units an agent uses now: channel costs of the conversations assigned to them
    /// that are active (awaiting acceptance or in conversation) or in wrap-up.
    pub fn capacity_used(&self, agent_id: &str) -> u32 {
        self.live_conversations()
            .filter(|c| c.agent_id.as_deref() == Some(agent_id))
            .map(|c| c.capacity_held())
            .sum()
    }

    /// Forgets conversations closed before `before`: no valid event can reach them any more
    /// once `before` is older than the 48 h late-event limit. Returns how many.
    pub fn prune(&mut self, before: DateTime<Utc>) -> usize {
        let n = self.closed.len();
        self.closed
            .retain(|seal| ledger_seal::closed_at(seal).is_none_or(|t| t >= before));
        n - self.closed.len()
    }

    /// How many closed conversations are kept sealed.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(super) fn sealed(&self) -> usize {
        self.closed.len()
    }

    /// The newest `at` applied.
    pub fn newest_at(&self) -> Option<DateTime<Utc>> {
        self.newest
    }
}

/// The steps of a seal ([`ledger_seal::unseal`]); `None` if the bytes are not one.
fn unseal(bytes: &[u8], names: &Names) -> Option<Vec<Step>> {
    let (_, steps) = ledger_seal::unseal(bytes, names)?;
    let steps = steps.into_iter();
    Some(
        steps
            .map(|(at, transition)| Step { at, transition })
            .collect(),
    )
}

fn err(index: usize, field: &str, message: String) -> BatchError {
    BatchError {
        index,
        field: field.to_owned(),
        message,
    }
}
