//! What a grid row shows that the ledger does not keep, kept event by event for every
//! conversation not closed. The ledger stays lean (its steps are sealed in a few bytes); these
//! few fields are read by the grid only, and forgotten when a conversation closes.
//!
//! Events may arrive late: each field is decided by event time, not arrival (the latest
//! state-changing event sets `status_since`, the last 6 customer messages by time give the
//! sentiment, a monitor or escalation is replaced only by a later one), so a late event gives
//! the same row as in-order delivery.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kpi::domain::facts::rounded_sentiment;
use crate::model::event::{EscalationKind, Event, EventBody, MessageFrom, MonitorMode};

/// A supervisor monitoring a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    /// The supervisor's login.
    pub supervisor_id: String,
    /// Silent or joined.
    pub mode: MonitorMode,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// An open escalation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// The agent asked for help, or the customer for a supervisor.
    pub kind: EscalationKind,
    /// The note given with it.
    pub note: Option<String>,
    /// When it was raised.
    pub since: DateTime<Utc>,
}

/// The extras of one conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extras {
    /// Subject.
    pub subject: Option<String>,
    /// Transfers so far.
    pub transfers: u32,
    /// KPIS.md's sentiment of its last 6 customer messages.
    pub sentiment: i8,
    /// Whether one of them carried a sentiment.
    pub sentiment_known: bool,
    /// Supervisors monitoring it.
    pub monitors: Vec<Monitor>,
    /// When its latest state-changing event happened.
    pub status_since: Option<DateTime<Utc>>,
    /// The open escalation.
    pub escalation: Option<Escalation>,
    /// The last 6 customer messages by time, with their sentiment if given.
    #[serde(skip)]
    last_customer: Vec<(DateTime<Utc>, Option<i8>)>,
    /// When the latest escalation event (raised or resolved) happened.
    #[serde(skip)]
    escalation_at: Option<DateTime<Utc>>,
    /// When monitoring last ended for everyone (a `monitor_ended` naming no supervisor).
    #[serde(skip)]
    monitors_cleared_at: Option<DateTime<Utc>>,
    /// When each supervisor's monitoring last ended: an earlier `monitored` arriving late
    /// does not bring them back.
    #[serde(skip)]
    monitor_ended_at: Vec<(String, DateTime<Utc>)>,
}

impl Extras {
    fn note(&mut self, event: &Event) {
        let at = event.at;
        match &event.body {
            EventBody::ConversationCreated(c) => {
                self.subject = c.subject.clone();
                self.changed_status(at);
            }
            EventBody::ConversationTransferred(_) => {
                self.transfers += 1;
                self.changed_status(at);
            }
            EventBody::ConversationOffered(_)
            | EventBody::ConversationAccepted(_)
            | EventBody::ConversationRejected(_)
            | EventBody::ConversationReleased(_)
            | EventBody::ConversationWaiting(_)
            | EventBody::ConversationResumed(_)
            | EventBody::ConversationEnded(_)
            | EventBody::ConversationClosed(_) => self.changed_status(at),
            EventBody::ConversationMessage(m) if m.from == MessageFrom::Customer => {
                let place = self.last_customer.partition_point(|(t, _)| *t <= at);
                self.last_customer.insert(place, (at, m.sentiment));
                if self.last_customer.len() > 6 {
                    self.last_customer.remove(0);
                }
                let last: Vec<Option<i8>> = self.last_customer.iter().map(|(_, s)| *s).collect();
                self.sentiment = rounded_sentiment(&last);
                self.sentiment_known = last.iter().any(Option::is_some);
            }
            EventBody::ConversationMonitored(m) => {
                let ended = self
                    .monitor_ended_at
                    .iter()
                    .find(|(who, _)| *who == m.supervisor_id)
                    .map(|(_, t)| *t);
                if self.monitors_cleared_at.max(ended).is_some_and(|t| t > at) {
                    return;
                }
                match self
                    .monitors
                    .iter_mut()
                    .find(|x| x.supervisor_id == m.supervisor_id)
                {
                    Some(x) if x.since <= at => {
                        x.mode = m.mode;
                        x.since = at;
                    }
                    Some(_) => {}
                    None => self.monitors.push(Monitor {
                        supervisor_id: m.supervisor_id.clone(),
                        mode: m.mode,
                        since: at,
                    }),
                }
            }
            EventBody::ConversationMonitorEnded(m) => match &m.supervisor_id {
                Some(who) => {
                    self.monitors
                        .retain(|x| !(x.supervisor_id == *who && x.since <= at));
                    match self.monitor_ended_at.iter_mut().find(|(w, _)| w == who) {
                        Some((_, t)) => *t = (*t).max(at),
                        None => self.monitor_ended_at.push((who.clone(), at)),
                    }
                }
                None => {
                    self.monitors.retain(|x| x.since > at);
                    self.monitors_cleared_at = self.monitors_cleared_at.max(Some(at));
                }
            },
            EventBody::ConversationEscalated(e) if self.escalation_at.is_none_or(|t| t <= at) => {
                self.escalation_at = Some(at);
                self.escalation = Some(Escalation {
                    kind: e.kind,
                    note: e.note.clone(),
                    since: at,
                });
            }
            EventBody::ConversationEscalationResolved(_)
                if self.escalation_at.is_none_or(|t| t <= at) =>
            {
                self.escalation_at = Some(at);
                self.escalation = None;
            }
            _ => {}
        }
    }

    fn changed_status(&mut self, at: DateTime<Utc>) {
        self.status_since = self.status_since.max(Some(at));
    }
}

/// The extras of every conversation not closed.
#[derive(Clone, Debug, Default)]
pub struct Board {
    extras: HashMap<String, Extras>,
}

/// Extras of a conversation the board has not seen an event of (all defaults).
static NONE: std::sync::LazyLock<Extras> = std::sync::LazyLock::new(Extras::default);

impl Board {
    /// An empty board.
    pub fn new() -> Board {
        Board::default()
    }

    /// Takes one applied conversation event into account (others are ignored).
    pub fn note(&mut self, event: &Event) {
        if let Some(id) = event.conversation_id() {
            self.extras.entry(id.to_owned()).or_default().note(event);
        }
    }

    /// Forgets a conversation (it closed).
    pub fn forget(&mut self, id: &str) {
        self.extras.remove(id);
    }

    /// A conversation's extras (defaults when it has none).
    pub fn get(&self, id: &str) -> &Extras {
        self.extras.get(id).unwrap_or(&NONE)
    }

    /// How many conversations it keeps.
    pub fn len(&self) -> usize {
        self.extras.len()
    }

    /// Whether it keeps none.
    pub fn is_empty(&self) -> bool {
        self.extras.is_empty()
    }

    /// Keeps only the conversations `live` says are still open.
    pub fn retain(&mut self, live: impl Fn(&str) -> bool) {
        self.extras.retain(|id, _| live(id));
    }
}
