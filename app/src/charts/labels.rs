//! Every English word the charts show, in one place, for the i18n layer to replace later.

/// What an empty chart says.
pub const NO_DATA: &str = "No data in this window";

/// Chart titles by chart id.
pub const TITLES: [(&str, &str); 8] = [
    ("incoming_closed_hourly", "Incoming and closed per hour"),
    ("ongoing_by_status", "Ongoing conversations by status"),
    ("service_level_hourly", "Service level per hour"),
    ("agents_by_presence", "Agents by presence"),
    ("by_channel", "Incoming conversations by channel"),
    ("by_queue", "Incoming conversations by queue"),
    ("capacity", "Capacity used and free"),
    ("sentiment", "Ongoing conversations by sentiment"),
];

/// The title of a chart id (the id itself if unknown).
pub fn title(id: &str) -> &str {
    TITLES.iter().find(|(i, _)| *i == id).map_or(id, |(_, t)| t)
}

/// Column and legend names.
pub mod column {
    /// Hour column.
    pub const HOUR: &str = "Hour";
    /// Status column.
    pub const STATUS: &str = "Status";
    /// Presence column.
    pub const PRESENCE: &str = "Presence";
    /// Channel column.
    pub const CHANNEL: &str = "Channel";
    /// Queue column.
    pub const QUEUE: &str = "Queue";
    /// Capacity part column.
    pub const CAPACITY: &str = "Capacity";
    /// Sentiment column.
    pub const SENTIMENT: &str = "Sentiment (−3 very negative … +3 very positive)";
    /// Incoming conversations.
    pub const INCOMING: &str = "Incoming";
    /// Closed conversations.
    pub const CLOSED: &str = "Closed";
    /// Conversations (a count).
    pub const CONVERSATIONS: &str = "Conversations";
    /// Agents (a count).
    pub const AGENTS: &str = "Agents";
    /// Capacity units.
    pub const UNITS: &str = "Units";
    /// Service level.
    pub const SERVICE_LEVEL: &str = "Service level";
    /// The service level target line.
    pub const TARGET: &str = "Target 80%";
    /// Used capacity.
    pub const USED: &str = "Used";
    /// Free capacity.
    pub const FREE: &str = "Free";
}

/// What a rate without a value shows (KPIS.md).
pub const NO_VALUE: &str = "—";

/// A conversation status's label.
pub fn status(key: &str) -> &str {
    match key {
        "open" => "Open",
        "active" => "Active",
        "waiting" => "Waiting",
        "wrap_up" => "Wrap-up",
        "closed" => "Closed",
        other => other,
    }
}

/// An agent presence's label.
pub fn presence(key: &str) -> &str {
    match key {
        "available" => "Available",
        "busy" => "Busy",
        "busy_dnd" => "Busy (DND)",
        "away" => "Away",
        "offline" => "Offline",
        other => other,
    }
}

/// A sentiment score's label, signed: `−3` … `0` … `+3`.
pub fn sentiment(score: i8) -> String {
    match score {
        s if s > 0 => format!("+{s}"),
        s if s < 0 => format!("−{}", s.unsigned_abs()),
        _ => "0".into(),
    }
}

/// What a chart that could not be drawn says (its data table still holds the numbers).
pub const UNAVAILABLE: &str = "This chart could not be drawn; its data is in the table";
