//! One conversation's history and what KPIS.md needs from it, as of any instant.
//!
//! Times are milliseconds since the Unix epoch (`i64`), so every sum is exact and a late event's
//! old contribution can be subtracted exactly.

use std::sync::Arc;

pub use crate::model::names::Names;
use serde::{Deserialize, Serialize};

use crate::model::snapshot;

use crate::model::event::{
    Channel, CloseReason, Event, EventBody, MessageFrom, RejectReason, ResumedBy,
};

/// An agent or queue id, shared: every step and fact naming it points at one copy.
pub type Name = Arc<str>;

/// The skills a conversation needs, shared: conversations needing the same skills point at
/// one copy.
pub type Skills = Arc<[String]>;

/// What `created` says, kept beside the steps (one per conversation) so that every step is
/// 16 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creation {
    /// Queue.
    #[serde(deserialize_with = "snapshot::name")]
    pub queue: Name,
    /// Channel.
    pub channel: Channel,
    /// Skills it needs.
    #[serde(deserialize_with = "snapshot::skills")]
    pub skills: Skills,
    /// Customer name (for grids).
    #[serde(deserialize_with = "snapshot::name")]
    pub customer: Arc<str>,
}

impl Creation {
    /// What a `created` event says, with the queue and skills from `names`.
    pub fn of(event: &Event, names: &mut Names) -> Option<Creation> {
        let EventBody::ConversationCreated(c) = &event.body else {
            return None;
        };
        Some(Creation {
            queue: names.get(&c.queue_id),
            channel: c.channel,
            skills: names.skills(&c.skills),
            customer: Arc::from(c.customer.name.as_str()),
        })
    }
}

/// A conversation event without the JSON around it: what KPIs need. Agents and queues are
/// numbers of the engine's [`Names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Act {
    /// `created` (what it says is the conversation's [`Creation`]).
    Created,
    /// `offered` to an agent.
    Offered(u32),
    /// `accepted` by an agent.
    Accepted(u32),
    /// `rejected` by an agent.
    Rejected(u32, RejectReason),
    /// `transferred` to an agent (an offer).
    ToAgent(u32),
    /// `transferred` to a queue.
    ToQueue(u32),
    /// `released` by its agent.
    Released,
    /// `waiting` (parked).
    Waiting,
    /// `resumed`.
    Resumed(ResumedBy),
    /// `ended`: into wrap-up.
    Ended,
    /// `closed`.
    Closed(CloseReason),
    /// `message`.
    Message(MessageFrom, Option<i8>),
    /// `escalated`.
    Escalated,
    /// `escalation_resolved`.
    EscalationResolved,
    /// Monitoring: no KPI effect.
    Monitor,
}

impl Act {
    /// The act of a conversation event, with agent and queue ids from `names`; `None` for
    /// agent and queue events.
    pub fn of(event: &Event, names: &mut Names) -> Option<Act> {
        use EventBody as B;
        Some(match &event.body {
            B::QueueUpserted(_) | B::AgentUpserted(_) | B::AgentPresence(_) => return None,
            B::ConversationCreated(_) => Act::Created,
            B::ConversationOffered(o) => Act::Offered(names.number(&o.agent_id)),
            B::ConversationAccepted(a) => Act::Accepted(names.number(&a.agent_id)),
            B::ConversationRejected(r) => Act::Rejected(names.number(&r.agent_id), r.reason),
            B::ConversationTransferred(t) => match (&t.to_agent_id, &t.to_queue_id) {
                (Some(a), _) => Act::ToAgent(names.number(a)),
                (None, Some(q)) => Act::ToQueue(names.number(q)),
                (None, None) => return None,
            },
            B::ConversationReleased(_) => Act::Released,
            B::ConversationWaiting(_) => Act::Waiting,
            B::ConversationResumed(r) => Act::Resumed(r.by),
            B::ConversationEnded(_) => Act::Ended,
            B::ConversationClosed(c) => Act::Closed(c.reason),
            B::ConversationMessage(m) => Act::Message(message_effect(m), m.sentiment),
            B::ConversationEscalated(_) => Act::Escalated,
            B::ConversationEscalationResolved(_) => Act::EscalationResolved,
            B::ConversationMonitored(_) | B::ConversationMonitorEnded(_) => Act::Monitor,
        })
    }
}

/// One step of a conversation. A conversation's steps are ordered by (`at`, arrival): a step
/// goes after every step with the same `at`, so arrival needs no field of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// When it happened (ms).
    pub at: i64,
    /// What happened.
    pub act: Act,
}

/// Status as KPIS.md names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In its queue.
    Open,
    /// With an agent (awaiting acceptance or in conversation).
    Active,
    /// Parked.
    Waiting,
    /// Agent wrapping up.
    WrapUp,
    /// Final.
    Closed,
}

impl Status {
    /// The snake_case name used in the API and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Active => "active",
            Status::Waiting => "waiting",
            Status::WrapUp => "wrap_up",
            Status::Closed => "closed",
        }
    }

    /// Parses a filter value.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Open,
            Status::Active,
            Status::Waiting,
            Status::WrapUp,
            Status::Closed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Pushes growing the vector by exactly one: a conversation has a handful of offers, parts and
/// intervals, and the default growth (to 4 at the first push) more than doubled the memory the
/// engine's facts take for a day.
/// Who a message counts as for the KPIs. Only messages everyone sees count (KPIS.md: an
/// agent's message "visibility `all`" is a first response; sentiment is the customer's): a
/// supervisor's message, a whisper or an internal note counts as a bot's, which no KPI reads.
/// Mapped here, not carried, so the sealed steps keep their three senders.
fn message_effect(m: &crate::model::event::Message) -> MessageFrom {
    use crate::model::event::Visibility;
    match (m.from, m.visibility) {
        (MessageFrom::Customer, _) => MessageFrom::Customer,
        (MessageFrom::Agent, Visibility::All) => MessageFrom::Agent,
        (MessageFrom::Agent, Visibility::Agents)
        | (MessageFrom::Bot | MessageFrom::Supervisor, _) => MessageFrom::Bot,
    }
}

/// KPIS.md's sentiment of a conversation from its last 6 customer messages' sentiments: their
/// rounded mean, 0 (neutral) when none carries one. The Ongoing grid uses it too.
pub fn rounded_sentiment(last: &[Option<i8>]) -> i8 {
    let (sum, n) = last
        .iter()
        .flatten()
        .fold((0i64, 0i64), |(s, n), &v| (s + i64::from(v), n + 1));
    if n > 0 {
        (sum as f64 / n as f64).round() as i8
    } else {
        0
    }
}

fn push_exact<T>(v: &mut Vec<T>, x: T) {
    v.reserve_exact(1);
    v.push(x);
}

/// An offer (an `offered`, or a `transferred` to an agent) and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The agent offered.
    #[serde(deserialize_with = "snapshot::name")]
    pub agent: Name,
    /// Offer time.
    pub at: i64,
    /// How it ended, if it has.
    pub outcome: Option<(OfferOutcome, i64)>,
}

/// The end of an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferOutcome {
    /// `accepted`.
    Accepted,
    /// `rejected` with reason `declined`.
    Declined,
    /// `rejected` with reason `timed_out`.
    TimedOut,
}

/// Time one agent spent with the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPart {
    /// The agent.
    #[serde(deserialize_with = "snapshot::name")]
    pub agent: Name,
    /// Handle time (active in conversation + wrap-up), ms.
    pub handle_ms: i64,
    /// Intervals during which the conversation was active (awaiting or in conversation) with
    /// this agent: for occupancy. An open interval ends at the evaluation instant.
    pub active: Vec<(i64, i64)>,
    /// Intervals during which it used this agent's capacity (active or wrap-up). Derived only
    /// at an instant (the drill-through's capacity chart); the live facts, which nothing reads
    /// it from, leave it empty.
    pub busy: Vec<(i64, i64)>,
}

/// What KPIS.md needs from one conversation, as of an instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Created time.
    pub created: i64,
    /// Channel it was created with.
    pub channel: Channel,
    /// Skills it needs.
    #[serde(deserialize_with = "snapshot::skills")]
    pub skills: Skills,
    /// Customer name.
    #[serde(deserialize_with = "snapshot::name")]
    pub customer: Arc<str>,
    /// The queue it is in (its latest after transfers).
    #[serde(deserialize_with = "snapshot::name")]
    pub queue: Name,
    /// Status.
    pub status: Status,
    /// Active and not yet accepted by its current agent.
    pub awaiting: bool,
    /// Current agent (while active, waiting or wrap-up).
    #[serde(deserialize_with = "snapshot::opt_name")]
    pub agent: Option<Name>,
    /// The latest time it entered its queue.
    pub queue_entry: i64,
    /// First `accepted`.
    pub first_accepted: Option<i64>,
    /// Close time and reason.
    pub closed: Option<(i64, CloseReason)>,
    /// Every offer.
    pub offers: Vec<Offer>,
    /// Time of the first `transferred`.
    pub transferred: Option<i64>,
    /// Time of the first `escalated`.
    pub escalated: Option<i64>,
    /// An escalation is open.
    pub open_escalation: bool,
    /// Handle time of every agent that handled it, in first-handled order.
    pub parts: Vec<AgentPart>,
    /// Total time in wrap-up, if it ever was in wrap-up.
    pub wrap_up_ms: Option<i64>,
    /// The first agent message after the first accept.
    pub first_response: Option<i64>,
    /// Sentiment: the rounded mean of the sentiments given on its last 6 customer messages;
    /// 0 (neutral) when none of them carries one.
    pub sentiment: i8,
    /// The latest step's time.
    pub updated: i64,
}

impl Facts {
    /// First wait (KPIS.md): first accept − created; else close − created; else unknown.
    pub fn first_wait(&self) -> Option<i64> {
        self.first_accepted
            .or(self.closed.map(|(t, _)| t))
            .map(|t| t - self.created)
    }

    /// Handle time over every agent.
    pub fn handle_ms(&self) -> i64 {
        self.parts.iter().map(|p| p.handle_ms).sum()
    }

    /// Abandoned: closed with reason `abandoned` before any accept.
    pub fn abandoned(&self) -> bool {
        self.first_accepted.is_none() && matches!(self.closed, Some((_, CloseReason::Abandoned)))
    }

    /// Whether it is in queue now: open, or active awaiting acceptance.
    pub fn in_queue(&self) -> bool {
        self.status == Status::Open || (self.status == Status::Active && self.awaiting)
    }

    /// Whether the agent was offered it at any point.
    pub fn offered_to(&self, agent: &str) -> bool {
        self.offers.iter().any(|o| &*o.agent == agent)
    }

    /// The conversation as of `upto` (ms, inclusive), from what it was created with and its
    /// ordered steps naming agents and queues by their number in `names`; `None` before it
    /// was created.
    pub fn derive(
        created: Option<&Creation>,
        steps: impl IntoIterator<Item = Step>,
        names: &Names,
        upto: i64,
    ) -> Option<Facts> {
        let mut steps = steps.into_iter();
        let first = steps.next().filter(|s| s.at <= upto)?;
        let (Act::Created, Some(c)) = (&first.act, created) else {
            return None;
        };
        let mut f = Fold::new(
            Facts {
                created: first.at,
                channel: c.channel,
                skills: c.skills.clone(),
                customer: c.customer.clone(),
                queue: c.queue.clone(),
                status: Status::Open,
                awaiting: false,
                agent: None,
                queue_entry: first.at,
                first_accepted: None,
                closed: None,
                offers: Vec::new(),
                transferred: None,
                escalated: None,
                open_escalation: false,
                parts: Vec::new(),
                wrap_up_ms: None,
                first_response: None,
                sentiment: 0,
                updated: first.at,
            },
            names,
            upto,
        );
        for s in steps.take_while(|s| s.at <= upto) {
            f.step(&s);
        }
        Some(f.finish(upto))
    }
}

/// The fold of a conversation's steps into [`Facts`].
struct Fold<'n> {
    f: Facts,
    names: &'n Names,
    /// Start of the current handle interval (active in conversation or wrap-up) and its agent.
    handling: Option<i64>,
    /// Start of the current active interval (awaiting or in conversation).
    active_since: Option<i64>,
    /// Start of the current wrap-up.
    wrap_since: Option<i64>,
    /// The last 6 customer messages' sentiments, if they had one, as a ring (no allocation:
    /// a closed conversation's facts are derived whenever read).
    sentiments: [Option<i8>; 6],
    /// Customer messages seen.
    messages: usize,
    /// Derived at an instant (not the live view, `i64::MAX`).
    bounded: bool,
}

impl<'n> Fold<'n> {
    fn new(f: Facts, names: &'n Names, upto: i64) -> Fold<'n> {
        Fold {
            f,
            names,
            bounded: upto != i64::MAX,
            handling: None,
            active_since: None,
            wrap_since: None,
            sentiments: [None; 6],
            messages: 0,
        }
    }

    fn part(&mut self, agent: &Name) -> &mut AgentPart {
        let i = match self.f.parts.iter().position(|p| p.agent == *agent) {
            Some(i) => i,
            None => {
                push_exact(
                    &mut self.f.parts,
                    AgentPart {
                        agent: agent.clone(),
                        handle_ms: 0,
                        active: Vec::new(),
                        busy: Vec::new(),
                    },
                );
                self.f.parts.len() - 1
            }
        };
        &mut self.f.parts[i]
    }

    /// Records a busy interval of `agent`, when derived at an instant.
    fn busy(&mut self, agent: &Name, a: i64, b: i64) {
        if self.bounded {
            push_exact(&mut self.part(agent).busy, (a, b));
        }
    }

    /// Closes the intervals running for the current agent at `at`.
    fn stop(&mut self, at: i64) {
        let Some(agent) = self.f.agent.clone() else {
            return;
        };
        if let Some(since) = self.handling.take() {
            self.part(&agent).handle_ms += at - since;
        }
        if let Some(since) = self.active_since.take() {
            let part = self.part(&agent);
            push_exact(&mut part.active, (since, at));
            self.busy(&agent, since, at);
        }
        if let Some(since) = self.wrap_since.take() {
            *self.f.wrap_up_ms.get_or_insert(0) += at - since;
            self.busy(&agent, since, at);
        }
    }

    fn back_to_queue(&mut self, at: i64) {
        self.stop(at);
        self.f.status = Status::Open;
        self.f.awaiting = false;
        self.f.agent = None;
        self.f.queue_entry = at;
    }

    fn offer(&mut self, agent: &Name, at: i64) {
        self.stop(at);
        self.f.status = Status::Active;
        self.f.awaiting = true;
        self.f.agent = Some(agent.clone());
        self.active_since = Some(at);
        push_exact(
            &mut self.f.offers,
            Offer {
                agent: agent.clone(),
                at,
                outcome: None,
            },
        );
    }

    fn end_offer(&mut self, agent: &Name, outcome: OfferOutcome, at: i64) {
        if let Some(o) = self
            .f
            .offers
            .iter_mut()
            .rev()
            .find(|o| o.agent == *agent && o.outcome.is_none())
        {
            o.outcome = Some((outcome, at));
        }
    }

    fn step(&mut self, s: &Step) {
        let at = s.at;
        self.f.updated = at;
        match &s.act {
            Act::Created | Act::Monitor => {}
            Act::Offered(agent) | Act::ToAgent(agent) => {
                if matches!(s.act, Act::ToAgent(_)) {
                    self.f.transferred.get_or_insert(at);
                }
                self.offer(self.names.name(*agent), at);
            }
            Act::Accepted(agent) => {
                self.end_offer(self.names.name(*agent), OfferOutcome::Accepted, at);
                self.f.awaiting = false;
                self.f.first_accepted.get_or_insert(at);
                self.handling = Some(at);
            }
            Act::Rejected(agent, reason) => {
                let outcome = match reason {
                    RejectReason::Declined => OfferOutcome::Declined,
                    RejectReason::TimedOut => OfferOutcome::TimedOut,
                };
                self.end_offer(self.names.name(*agent), outcome, at);
                self.back_to_queue(at);
            }
            Act::ToQueue(queue) => {
                self.f.transferred.get_or_insert(at);
                self.f.queue = self.names.name(*queue).clone();
                self.back_to_queue(at);
            }
            Act::Released => self.back_to_queue(at),
            Act::Waiting => {
                // Parked: the agent stays assigned but stops handling.
                self.stop(at);
                self.f.status = Status::Waiting;
                self.f.awaiting = false;
            }
            Act::Resumed(ResumedBy::Agent) => {
                self.f.status = Status::Active;
                self.f.awaiting = false;
                self.handling = Some(at);
                self.active_since = Some(at);
            }
            Act::Resumed(ResumedBy::Customer) => self.back_to_queue(at),
            Act::Ended => {
                // Leaves active; handle time goes on through wrap-up.
                if let (Some(agent), Some(since)) = (self.f.agent.clone(), self.active_since.take())
                {
                    push_exact(&mut self.part(&agent).active, (since, at));
                    self.busy(&agent, since, at);
                }
                if self.handling.is_none() {
                    self.handling = Some(at);
                }
                self.f.status = Status::WrapUp;
                self.f.awaiting = false;
                self.wrap_since = Some(at);
                self.f.wrap_up_ms.get_or_insert(0);
            }
            Act::Closed(reason) => {
                self.stop(at);
                self.f.status = Status::Closed;
                self.f.awaiting = false;
                self.f.closed = Some((at, *reason));
            }
            Act::Message(from, sentiment) => {
                if *from == MessageFrom::Agent
                    && self.f.first_response.is_none()
                    && self.f.first_accepted.is_some_and(|t| t <= at)
                {
                    self.f.first_response = Some(at);
                }
                if *from == MessageFrom::Customer {
                    self.sentiments[self.messages % 6] = *sentiment;
                    self.messages += 1;
                }
            }
            Act::Escalated => {
                self.f.escalated.get_or_insert(at);
                self.f.open_escalation = true;
            }
            Act::EscalationResolved => self.f.open_escalation = false,
        }
    }

    fn finish(mut self, upto: i64) -> Facts {
        // Intervals still running count up to the evaluation instant; with no instant
        // (`i64::MAX`, the live view) only their start is known.
        let agent = self.f.agent.clone();
        let bounded = upto != i64::MAX;
        if let Some(agent) = agent {
            if let Some(since) = self.handling.filter(|_| bounded) {
                self.part(&agent).handle_ms += upto.max(since) - since;
            }
            if let Some(since) = self.active_since {
                push_exact(&mut self.part(&agent).active, (since, upto.max(since)));
                self.busy(&agent, since, upto.max(since));
            }
            if let Some(since) = self.wrap_since {
                self.busy(&agent, since, upto.max(since));
            }
        }
        if let Some(since) = self.wrap_since.filter(|_| bounded) {
            *self.f.wrap_up_ms.get_or_insert(0) += upto.max(since) - since;
        }
        // The ring holds the last 6 (fewer while there were fewer): their order is no matter
        // for a mean.
        self.f.sentiment = rounded_sentiment(&self.sentiments[..self.messages.min(6)]);
        self.f
    }
}
