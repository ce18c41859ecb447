//! The simulation's state — conversations, agents — and the actions it schedules for later.

use std::cmp::Ordering;

use super::roster::Channel;

/// Where a live conversation stands (a closed one is dropped from the simulation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In its queue, waiting for an agent.
    Open,
    /// Offered to (or transferred to) an agent who has not answered yet.
    Awaiting,
    /// Accepted: the agent and the customer are talking.
    Active,
    /// Parked; still linked to its last agent but using no capacity.
    Waiting,
    /// Ended, the agent is wrapping up.
    WrapUp,
}

impl Status {
    /// Whether the conversation uses capacity on its agent.
    pub fn holds_capacity(self) -> bool {
        matches!(self, Status::Awaiting | Status::Active | Status::WrapUp)
    }
}

/// One ongoing conversation.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Queue index.
    pub queue: usize,
    /// Channel (fixed for the conversation's life).
    pub channel: Channel,
    /// Skills it asks for: a language and a topic.
    pub skills: [&'static str; 2],
    /// Current status.
    pub status: Status,
    /// The agent it is offered to, with, or parked with.
    pub agent: Option<usize>,
    /// Bumped on every status change; scheduled actions carrying an older value are stale.
    pub generation: u32,
    /// `at` of its latest event (its next event must be later).
    pub last_at: i64,
    /// When it (last) entered its queue; routing serves the longest-waiting first.
    pub open_since: i64,
    /// When the customer gives up waiting in the queue (never for e-mail).
    pub patience_until: Option<i64>,
    /// An escalation is open.
    pub escalation_open: bool,
    /// It has been escalated once already.
    pub escalated: bool,
    /// Handling segments so far (a transfer or a park starts a new one).
    pub segments: u32,
    /// Agent messages in the current segment.
    pub agent_messages: u32,
    /// End of the current segment's plan: its incident, or its natural end.
    pub segment_end: i64,
    /// When the current segment ends if nothing happens.
    pub planned_end: i64,
    /// The customer's mood, −2..2; customer sentiment scatters around it.
    pub mood: i32,
    /// The agent who last rejected or dropped it, and until when routing avoids them.
    pub avoid: Option<(usize, i64)>,
}

pub use app::model::event::Presence;

/// A presence change the agent asked for, applied once they have no work holding capacity.
#[derive(Debug, Clone, Copy)]
pub struct Drain {
    /// The presence to switch to.
    pub presence: Presence,
    /// How long until they are available again (none for going offline).
    pub back_after: Option<i64>,
}

/// One agent's live state.
#[derive(Debug, Clone)]
pub struct Agent {
    /// Queue indices.
    pub queues: Vec<usize>,
    /// Current presence.
    pub presence: Presence,
    /// Between shift start and shift end.
    pub on_shift: bool,
    /// Counts shifts, so a break planned for one shift never fires in the next.
    pub shift_no: u32,
    /// A pending presence change; routing stops offering while it is set.
    pub drain: Option<Drain>,
    /// Capacity units used (awaiting + active + wrap-up).
    pub load: u32,
    /// `at` of the latest event naming this agent.
    pub last_at: i64,
    /// When routing last offered them something (least recently offered goes first).
    pub last_offer_at: i64,
    /// Bumped on every presence change; a stale "back from break" is ignored.
    pub epoch: u32,
    /// A person works this agent in Intraday: their presence and their conversations are
    /// theirs, the simulation only routes them work and plays the customers.
    pub person: bool,
}

/// How an offer will end, decided when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted.
    Accept,
    /// Rejected, `declined`.
    Decline,
    /// Rejected, `timed_out`.
    Timeout,
}

/// What interrupts a handling segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incident {
    /// The conversation is parked (`waiting`).
    Park,
    /// Transferred to another agent or queue.
    Transfer,
    /// The agent drops it (`released`).
    Release,
}

/// Who writes a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The customer.
    Customer,
    /// The agent.
    Agent,
}

/// Something that happens at a scheduled instant.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Samples the next minute's arrivals of every queue.
    Tick,
    /// A customer contacts a queue.
    Arrive { queue: usize },
    /// The agent answers an offer.
    Answer {
        conv: u64,
        generation: u32,
        outcome: Outcome,
    },
    /// The customer's patience runs out.
    Abandon { conv: u64, generation: u32 },
    /// Someone writes.
    Message {
        conv: u64,
        generation: u32,
        from: Party,
    },
    /// Agent or customer asks for a supervisor.
    Escalate { conv: u64, generation: u32 },
    /// The supervisor clears the escalation.
    ResolveEscalation { conv: u64 },
    /// The segment is interrupted.
    Interrupt {
        conv: u64,
        generation: u32,
        incident: Incident,
    },
    /// The agent ends the session.
    End { conv: u64, generation: u32 },
    /// The agent finishes wrap-up.
    Close { conv: u64, generation: u32 },
    /// A parked conversation comes back (or times out).
    Resume { conv: u64, generation: u32 },
    /// An agent's shift begins; `nominal` is its planned start.
    ShiftStart { agent: usize, nominal: i64 },
    /// An agent's shift ends.
    ShiftEnd { agent: usize },
    /// An agent asks for a break or a busy spell of `duration` ms.
    Spell {
        agent: usize,
        shift_no: u32,
        presence: Presence,
        duration: i64,
    },
    /// An agent comes back from a break or a spell.
    Back { agent: usize, epoch: u32 },
}

/// An action at its instant; `seq` keeps actions at the same millisecond in scheduling order.
#[derive(Debug, Clone, Copy)]
pub struct Scheduled {
    /// Unix milliseconds.
    pub at: i64,
    /// Scheduling order.
    pub seq: u64,
    /// What happens.
    pub action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}
