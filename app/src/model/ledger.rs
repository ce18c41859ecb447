//! The validating projection of the event log: conversations, agents and queues as the events
//! say, with late events placed in order. `apply` is all or nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use super::conversation::{Conversation, ConversationStatus};
use super::conversation::{Transition, start, step};
use super::event::{Channel, Event, EventBody, Presence};
use super::sealed::{self, Names};

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
#[derive(Clone, Debug)]
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

/// A conversation's history with a batch's steps placed in it, not yet validated.
struct Staged<'a> {
    /// The stored history: borrowed while open, unsealed when closed.
    stored: Option<Cow<'a, History>>,
    /// Every step in order, with the batch index of the new ones.
    steps: Vec<(Step, Option<usize>)>,
    /// Whether every new step comes after every stored one (then only they need folding).
    appended: bool,
}

impl Staged<'_> {
    /// Places a step after every step placed before it with the same time or earlier (a
    /// batch's steps are placed in (`at`, position) order, after everything stored).
    fn place(&mut self, s: Step, index: usize) {
        let pos = self.steps.partition_point(|(x, _)| x.at <= s.at);
        if pos < self.steps.len() && self.steps[pos..].iter().any(|(_, i)| i.is_none()) {
            self.appended = false;
        }
        self.steps.insert(pos, (s, Some(index)));
    }

    /// Folds the history; on failure, the batch event to blame, the field and the message.
    fn fold(self, id: &str) -> Result<History, (usize, &'static str, String)> {
        let (mut state, from) = match &self.stored {
            Some(h) if self.appended => (h.state.clone(), h.steps.len()),
            _ => {
                let (first, index) = &self.steps[0];
                let state = start(id, first.at, &first.transition).ok_or_else(|| {
                    let index = index.or_else(|| self.steps.iter().find_map(|(_, i)| *i)).unwrap_or_default();
                    let message = if self.stored.is_some() {
                        format!("placed at its time, this event would come before conversation {id} was created")
                    } else {
                        format!("conversation {id} is unknown: send its conversation.created first")
                    };
                    (index, "conversation_id", message)
                })?;
                (state, 1)
            }
        };
        let mut blame = self.steps[..from].iter().rev().find_map(|(_, i)| *i);
        for (s, index) in &self.steps[from..] {
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
        let steps = self.steps.into_iter().map(|(s, _)| s).collect();
        Ok(History { steps, state })
    }
}

/// Conversations, agents and queues, validated and kept in event time order.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// Conversations not closed: history and state, for capacity and the live views.
    open: HashMap<String, History>,
    /// Closed conversations: their steps sealed in a few bytes ([`sealed`]), unfolded again
    /// when a late event names one.
    closed: HashMap<Box<str>, Box<[u8]>>,
    /// The agent and queue ids and skill sets sealed steps refer to.
    names: Names,
    agents: HashMap<String, Agent>,
    queues: HashMap<String, Queue>,
    newest: Option<DateTime<Utc>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates a batch placed in order among everything applied so far and applies it — all
    /// or nothing. Within the batch, events are taken in `at` order, ties by position.
    pub fn apply(&mut self, batch: &[Event], now: DateTime<Utc>) -> Result<(), Vec<BatchError>> {
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

        let mut staged: HashMap<&str, Staged> = HashMap::new();
        let mut agents: HashMap<&str, Agent> = HashMap::new();
        let mut queues: HashMap<&str, Queue> = HashMap::new();
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
            match s.fold(id) {
                Ok(history) => conversations.push((id, history)),
                Err((index, field, message)) => errors.push(err(index, field, message)),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.index);
            return Err(errors);
        }
        self.newest = newest;
        for (id, history) in conversations {
            if history.state.status == ConversationStatus::Closed {
                self.open.remove(id);
                let steps = history.steps.iter().map(|s| (s.at, &s.transition));
                let sealed = sealed::seal(steps, &mut self.names);
                self.closed.insert(id.into(), sealed);
            } else {
                // A closed conversation stays closed, but nothing here depends on it.
                self.closed.remove(id);
                self.open.insert(id.to_owned(), history);
            }
        }
        for (id, agent) in agents {
            self.agents.insert(id.to_owned(), agent);
        }
        for (id, queue) in queues {
            self.queues.insert(id.to_owned(), queue);
        }
        Ok(())
    }

    /// Places one event in the staged copies (conversations are validated after the whole
    /// batch is placed, so events that are only valid together are accepted together).
    fn stage<'l, 'e>(
        &'l self,
        event: &'e Event,
        index: usize,
        staged: &mut HashMap<&'e str, Staged<'l>>,
        agents: &mut HashMap<&'e str, Agent>,
        queues: &mut HashMap<&'e str, Queue>,
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
                let entry = staged.entry(id).or_insert_with(|| {
                    let stored = self.history(id);
                    Staged {
                        steps: stored
                            .as_ref()
                            .map(|h| h.steps.iter().map(|s| (s.clone(), None)).collect())
                            .unwrap_or_default(),
                        stored,
                        appended: true,
                    }
                });
                entry.place(
                    Step {
                        at: event.at,
                        transition,
                    },
                    index,
                );
                Ok(())
            }
        }
    }

    fn staged_agent<'a, 'e>(
        &self,
        agents: &'a mut HashMap<&'e str, Agent>,
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
    fn history(&self, id: &str) -> Option<Cow<'_, History>> {
        if let Some(h) = self.open.get(id) {
            return Some(Cow::Borrowed(h));
        }
        let (_, steps) = sealed::unseal(self.closed.get(id)?, &self.names)?;
        let mut steps = steps
            .into_iter()
            .map(|(at, transition)| Step { at, transition });
        let first = steps.next()?;
        let mut state = start(id, first.at, &first.transition)?;
        let mut all = vec![first];
        for s in steps {
            // They were valid together when sealed; a failure means a corrupt seal.
            step(&mut state, s.at, &s.transition).ok()?;
            all.push(s);
        }
        Some(Cow::Owned(History { steps: all, state }))
    }

    /// A conversation by id (a closed one is unfolded from its seal, so each call costs a fold).
    pub fn conversation(&self, id: &str) -> Option<Cow<'_, Conversation>> {
        match self.history(id)? {
            Cow::Borrowed(h) => Some(Cow::Borrowed(&h.state)),
            Cow::Owned(h) => Some(Cow::Owned(h.state)),
        }
    }

    /// Every conversation, closed ones included (each closed one unfolded: for tests and tools,
    /// not for a live path).
    pub fn conversations(&self) -> impl Iterator<Item = Cow<'_, Conversation>> {
        let open = self.open.values().map(|h| Cow::Borrowed(&h.state));
        let closed = self.closed.keys().filter_map(|id| self.conversation(id));
        open.chain(closed)
    }

    /// Conversations not closed.
    pub fn live_conversations(&self) -> impl Iterator<Item = &Conversation> {
        self.open.values().map(|h| &h.state)
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
            .filter(|c| {
                matches!(
                    c.status,
                    ConversationStatus::Active | ConversationStatus::WrapUp
                )
            })
            .map(|c| c.channel.cost())
            .sum()
    }

    /// Forgets conversations closed before `before`: no valid event can reach them any more
    /// once `before` is older than the 48 h late-event limit. Returns how many.
    pub fn prune(&mut self, before: DateTime<Utc>) -> usize {
        let n = self.closed.len();
        self.closed
            .retain(|_, seal| sealed::closed_at(seal).is_none_or(|t| t >= before));
        n - self.closed.len()
    }

    /// How many closed conversations are kept sealed.
    #[cfg(test)]
    pub(super) fn sealed(&self) -> usize {
        self.closed.len()
    }

    /// The newest `at` applied.
    pub fn newest_at(&self) -> Option<DateTime<Utc>> {
        self.newest
    }
}

fn err(index: usize, field: &str, message: String) -> BatchError {
    BatchError {
        index,
        field: field.to_owned(),
        message,
    }
}
