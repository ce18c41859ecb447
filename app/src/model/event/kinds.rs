//! The closed vocabularies of EVENTS.md: channels, presences, reasons, who did what.
//!
//! Each is a plain enum spelled in events as its snake_case name; a value outside the
//! vocabulary is refused with a message listing the allowed ones.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A closed set of values spelled as strings in events.
pub trait Vocabulary: Sized + Copy + 'static {
    /// Every value, in the contract's order.
    const ALL: &'static [Self];
    /// The value as events spell it.
    fn as_str(self) -> &'static str;

    /// The value events spell `text`, if any.
    fn from_name(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// The allowed values, comma-separated, for messages.
    fn allowed() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        names.join(", ")
    }
}

struct OneOf<T>(PhantomData<T>);

impl<T: Vocabulary> Visitor<'_> for OneOf<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "one of {}", T::allowed())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::from_name(v)
            .ok_or_else(|| E::custom(format!("must be one of {}; got {v:?}", T::allowed())))
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)+];

            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl $name {
            /// The value as events spell it.
            pub fn as_str(self) -> &'static str {
                Vocabulary::as_str(self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(OneOf(PhantomData))
            }
        }
    };
}

vocabulary! {
    /// Conversation channels.
    Channel {
        /// Web chat.
        Chat = "chat",
        /// Phone.
        Voice = "voice",
        /// E-mail.
        Email = "email",
        /// Text messages.
        Sms = "sms",
        /// Social networks.
        Social = "social",
        /// Messaging apps.
        Messaging = "messaging",
    }
}

impl Channel {
    /// Capacity units a conversation of this channel costs its agent (the defaults of
    /// EVENTS.md: chat 1, voice 3, email 1, others 1).
    pub fn cost(self) -> u32 {
        match self {
            Channel::Voice => 3,
            _ => 1,
        }
    }
}

vocabulary! {
    /// An agent's presence.
    Presence {
        /// Ready for work.
        Available = "available",
        /// Busy, still routable.
        Busy = "busy",
        /// Busy, do not disturb.
        BusyDnd = "busy_dnd",
        /// Away (break).
        Away = "away",
        /// Logged out.
        Offline = "offline",
    }
}

vocabulary! {
    /// Who made an offer or a transfer.
    OfferedBy {
        /// Automatic routing.
        Routing = "routing",
        /// A supervisor assigned it.
        Supervisor = "supervisor",
        /// An agent picked it.
        Agent = "agent",
    }
}

vocabulary! {
    /// Why an offer was rejected.
    RejectReason {
        /// The agent declined.
        Declined = "declined",
        /// Nobody answered in time.
        TimedOut = "timed_out",
    }
}

vocabulary! {
    /// Why a conversation was closed.
    CloseReason {
        /// Handled to the end.
        Resolved = "resolved",
        /// The customer left.
        Abandoned = "abandoned",
        /// A supervisor closed it.
        ForceClosed = "force_closed",
        /// Closed for inactivity.
        TimedOut = "timed_out",
    }
}

vocabulary! {
    /// Who wrote a message.
    MessageFrom {
        /// The customer.
        Customer = "customer",
        /// The agent.
        Agent = "agent",
        /// A bot.
        Bot = "bot",
    }
}

vocabulary! {
    /// Who asked for a supervisor.
    EscalationKind {
        /// The agent asks for help.
        Agent = "agent",
        /// The customer asks for a supervisor.
        Customer = "customer",
    }
}

vocabulary! {
    /// Who resumed a waiting conversation.
    ResumedBy {
        /// The agent: back in conversation.
        Agent = "agent",
        /// The customer: back in the queue.
        Customer = "customer",
    }
}

vocabulary! {
    /// How a supervisor monitors.
    MonitorMode {
        /// Listening only.
        Silent = "silent",
        /// Taking part.
        Joined = "joined",
    }
}
