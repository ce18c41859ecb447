//! The i18n keys of every word the charts show (their texts are in `crate::i18n`, group
//! `chart.`), so charts are drawn in the request's language.

/// What an empty chart says.
pub const NO_DATA: &str = "chart.no_data";

/// What a chart that could not be drawn says (its data table still holds the numbers).
pub const UNAVAILABLE: &str = "chart.unavailable";

/// What a rate without a value shows (KPIS.md).
pub use crate::format::NO_VALUE;

/// Chart title keys by chart id.
pub const TITLES: [(&str, &str); 8] = [
    (
        "incoming_closed_hourly",
        "chart.title.incoming_closed_hourly",
    ),
    ("ongoing_by_status", "chart.title.ongoing_by_status"),
    ("service_level_hourly", "chart.title.service_level_hourly"),
    ("agents_by_presence", "chart.title.agents_by_presence"),
    ("by_channel", "chart.title.by_channel"),
    ("by_queue", "chart.title.by_queue"),
    ("capacity", "chart.title.capacity"),
    ("sentiment", "chart.title.sentiment"),
];

/// The title key of a chart id (`None` if unknown).
pub fn title(id: &str) -> Option<&'static str> {
    TITLES.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// Column and legend name keys.
pub mod column {
    /// Hour column.
    pub const HOUR: &str = "chart.column.hour";
    /// Status column.
    pub const STATUS: &str = "chart.column.status";
    /// Presence column.
    pub const PRESENCE: &str = "chart.column.presence";
    /// Channel column.
    pub const CHANNEL: &str = "chart.column.channel";
    /// Queue column.
    pub const QUEUE: &str = "chart.column.queue";
    /// Capacity part column.
    pub const CAPACITY: &str = "chart.column.capacity";
    /// Sentiment column.
    pub const SENTIMENT: &str = "chart.column.sentiment";
    /// Incoming conversations.
    pub const INCOMING: &str = "chart.column.incoming";
    /// Closed conversations.
    pub const CLOSED: &str = "chart.column.closed";
    /// Conversations (a count).
    pub const CONVERSATIONS: &str = "chart.column.conversations";
    /// Agents (a count).
    pub const AGENTS: &str = "chart.column.agents";
    /// Capacity units.
    pub const UNITS: &str = "chart.column.units";
    /// Service level.
    pub const SERVICE_LEVEL: &str = "chart.column.service_level";
    /// The service level target line.
    pub const TARGET: &str = "chart.target";
    /// Used capacity.
    pub const USED: &str = "chart.column.used";
    /// Free capacity.
    pub const FREE: &str = "chart.column.free";
}

/// The key of a conversation status's label (`None` if unknown: the value itself is shown).
pub fn status(key: &str) -> Option<&'static str> {
    Some(match key {
        "open" => "status.open",
        "active" => "status.active",
        "waiting" => "status.waiting",
        "wrap_up" => "status.wrap_up",
        "closed" => "status.closed",
        _ => return None,
    })
}

/// The key of an agent presence's label (`None` if unknown: the value itself is shown).
pub fn presence(key: &str) -> Option<&'static str> {
    Some(match key {
        "available" => "presence.available",
        "busy" => "presence.busy",
        "busy_dnd" => "presence.busy_dnd",
        "away" => "presence.away",
        "offline" => "presence.offline",
        _ => return None,
    })
}

/// The key of a channel's label (`None` if unknown: the value itself is shown).
pub fn channel(key: &str) -> Option<&'static str> {
    Some(match key {
        "chat" => "channel.chat",
        "voice" => "channel.voice",
        "email" => "channel.email",
        "sms" => "channel.sms",
        "social" => "channel.social",
        "messaging" => "channel.messaging",
        _ => return None,
    })
}

/// A sentiment score's label, signed: `−3` … `0` … `+3`.
pub fn sentiment(score: i8) -> String {
    match score {
        s if s > 0 => format!("+{s}"),
        s if s < 0 => format!("−{}", s.unsigned_abs()),
        _ => "0".into(),
    }
}
