//! The closed vocabularies of EVENTS.md: channels, presences, reasons, who did what.

use serde::{Deserialize, Serialize};

/// Conversation channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Web chat.
    Chat,
    /// Phone.
    Voice,
    /// E-mail.
    Email,
    /// Text messages.
    Sms,
    /// Social networks.
    Social,
    /// Messaging apps.
    Messaging,
}

impl Channel {
    /// Every channel, in declaration order.
    pub const ALL: [Channel; 6] = [
        Channel::Chat,
        Channel::Voice,
        Channel::Email,
        Channel::Sms,
        Channel::Social,
        Channel::Messaging,
    ];

    /// The value used in events and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Voice => "voice",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Social => "social",
            Channel::Messaging => "messaging",
        }
    }

    /// Capacity units a conversation of this channel costs its agent (KPIS.md defaults).
    pub fn cost(self) -> u32 {
        match self {
            Channel::Voice => 3,
            _ => 1,
        }
    }
}

/// An agent's presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Ready for work.
    Available,
    /// Busy, still routable.
    Busy,
    /// Busy, do not disturb.
    BusyDnd,
    /// Away (break).
    Away,
    /// Logged out.
    Offline,
}

impl Presence {
    /// Every presence, in the order people pick from.
    pub const ALL: [Presence; 5] = [
        Presence::Available,
        Presence::Busy,
        Presence::BusyDnd,
        Presence::Away,
        Presence::Offline,
    ];

    /// The value used in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Busy => "busy",
            Presence::BusyDnd => "busy_dnd",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }
}

/// Who made an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferedBy {
    /// Automatic routing.
    Routing,
    /// A supervisor assigned it.
    Supervisor,
    /// An agent picked it.
    Agent,
}

/// Why an offer was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The agent declined.
    Declined,
    /// Nobody answered in time.
    TimedOut,
}

/// Why a conversation was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// Handled to the end.
    Resolved,
    /// The customer left.
    Abandoned,
    /// A supervisor closed it.
    ForceClosed,
    /// Closed for inactivity.
    TimedOut,
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageFrom {
    /// The customer.
    Customer,
    /// The agent.
    Agent,
    /// A bot.
    Bot,
    /// A supervisor (a joined supervisor's message, or a whisper to the agent).
    Supervisor,
}

/// Who may see a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone in the conversation, the customer too.
    #[default]
    All,
    /// Agents and supervisors only: a whisper or an internal note, never the customer.
    Agents,
}

/// Who asked for a supervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationKind {
    /// The agent asks for help.
    Agent,
    /// The customer asks for a supervisor.
    Customer,
}

/// Who resumed a waiting conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResumedBy {
    /// The agent: back in conversation.
    Agent,
    /// The customer: back in the queue.
    Customer,
}

/// How a supervisor monitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Listening only.
    Silent,
    /// Taking part.
    Joined,
}
