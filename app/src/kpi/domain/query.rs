//! What a KPI question asks: window, time zone, filters, instant, caller's scope; parsed from
//! the read API's query string with a clear message for each bad value.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::facts::{Facts, Status};
use super::sums::SL_OVERRIDES;
use crate::model::event::Channel;

/// The window a windowed KPI looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Window {
    /// The last N hours ending at the evaluation instant (2, 4, 8, 12 or 24).
    Hours(u8),
    /// Midnight to the evaluation instant in the query's time zone.
    Today,
}

impl Window {
    /// Parses `24h`, `12h`, `8h`, `4h`, `2h` or `today`.
    pub fn parse(s: &str) -> Result<Window, String> {
        match s {
            "today" => Ok(Window::Today),
            "2h" | "4h" | "8h" | "12h" | "24h" => {
                Ok(Window::Hours(s.trim_end_matches('h').parse().unwrap_or(24)))
            }
            other => Err(format!(
                "window must be one of 2h, 4h, 8h, 12h, 24h, today (got {other:?})"
            )),
        }
    }

    /// The name used in the API.
    pub fn name(self) -> String {
        match self {
            Window::Hours(h) => format!("{h}h"),
            Window::Today => "today".into(),
        }
    }
}

/// The query-string keys a [`Query`] is made from ([`Query::from_pairs`]); pages and server
/// functions ignore every other key of a URL.
pub const FILTER_KEYS: [&str; 9] = [
    "window", "tz", "queue", "channel", "agent", "skill", "status", "at", "sl",
];

/// A KPI question. Empty filter lists mean "any"; lists combine as OR within a field and AND
/// across fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The window.
    pub window: Window,
    /// Time zone for `today` and the hourly breakdown.
    pub tz: Tz,
    /// Queue filter.
    pub queues: Vec<String>,
    /// Channel filter.
    pub channels: Vec<Channel>,
    /// Agent filter: conversations these agents were offered.
    pub agents: Vec<String>,
    /// Skill filter.
    pub skills: Vec<String>,
    /// Status filter (status at the evaluation instant).
    pub statuses: Vec<Status>,
    /// Evaluate as of this past instant (replay) instead of now.
    pub at: Option<DateTime<Utc>>,
    /// Service-level threshold override in seconds (one of 10, 20, 30, 40, 60, 120).
    pub sl_seconds: Option<u32>,
    /// The caller's queues (`None`: every queue). Never widened by the queue filter.
    pub scope: Option<Vec<String>>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            window: Window::Hours(24),
            tz: Tz::UTC,
            queues: Vec::new(),
            channels: Vec::new(),
            agents: Vec::new(),
            skills: Vec::new(),
            statuses: Vec::new(),
            at: None,
            sl_seconds: None,
            scope: None,
        }
    }
}

/// A bad query parameter: which and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryError {
    /// The parameter.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The most filter values a question may hold (all parameters together): each is checked
/// against every conversation under the engine's read lock.
pub const MAX_FILTER_VALUES: usize = 100;
/// The longest filter value (an id is at most 128 characters).
pub const MAX_FILTER_CHARS: usize = 128;

impl Query {
    /// Builds a query from `(name, value)` pairs of a query string; repeated names and
    /// comma-separated values both add to a filter.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Query, QueryError> {
        let mut q = Query::default();
        let bad = |field: &str, message: String| QueryError {
            field: field.to_owned(),
            message,
        };
        let mut count = 0usize;
        for (name, value) in pairs {
            if value.chars().count() > MAX_FILTER_CHARS * MAX_FILTER_VALUES {
                return Err(bad(
                    name,
                    format!(
                        "is longer than {} characters",
                        MAX_FILTER_CHARS * MAX_FILTER_VALUES
                    ),
                ));
            }
            for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                count += 1;
                if count > MAX_FILTER_VALUES {
                    return Err(bad(
                        name,
                        format!("a question holds at most {MAX_FILTER_VALUES} filter values"),
                    ));
                }
                if v.chars().count() > MAX_FILTER_CHARS {
                    return Err(bad(
                        name,
                        format!("a value has at most {MAX_FILTER_CHARS} characters"),
                    ));
                }
            }
            let values = value.split(',').map(str::trim).filter(|v| !v.is_empty());
            match name {
                "window" => q.window = Window::parse(value).map_err(|m| bad(name, m))?,
                "tz" => {
                    q.tz = value.parse::<Tz>().map_err(|_| {
                        bad(
                            name,
                            format!("{value:?} is not an IANA time zone (e.g. Europe/Warsaw)"),
                        )
                    })?
                }
                "queue" => q.queues.extend(values.map(str::to_owned)),
                "agent" => q.agents.extend(values.map(str::to_owned)),
                "skill" => q.skills.extend(values.map(str::to_owned)),
                "channel" => {
                    for v in values {
                        let c = serde_json::from_value::<Channel>(serde_json::Value::from(v))
                            .map_err(|_| {
                                bad(
                                    name,
                                    format!("{v:?} is not a channel (chat, voice, email, sms, social, messaging)"),
                                )
                            })?;
                        q.channels.push(c);
                    }
                }
                "status" => {
                    for v in values {
                        q.statuses.push(Status::parse(v).ok_or_else(|| {
                            bad(
                                name,
                                format!(
                                    "{v:?} is not a status (open, active, waiting, wrap_up, closed)"
                                ),
                            )
                        })?);
                    }
                }
                "at" => {
                    let t = DateTime::parse_from_rfc3339(value).map_err(|e| {
                        bad(name, format!("{value:?} is not an RFC 3339 timestamp: {e}"))
                    })?;
                    q.at = Some(t.with_timezone(&Utc));
                }
                "sl" => {
                    let n = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| SL_OVERRIDES.contains(n));
                    q.sl_seconds = Some(n.ok_or_else(|| {
                        bad(
                            name,
                            format!("sl must be one of 10, 20, 30, 40, 60, 120 (got {value:?})"),
                        )
                    })?);
                }
                other => return Err(bad(other, format!("unknown parameter {other:?}"))),
            }
        }
        Ok(q)
    }

    /// The queues a conversation may be in to count (`None`: any), after the caller's scope.
    pub fn queue_set(&self) -> Option<Vec<String>> {
        match (&self.scope, self.queues.is_empty()) {
            (None, true) => None,
            (None, false) => Some(self.queues.clone()),
            (Some(s), true) => Some(s.clone()),
            (Some(s), false) => Some(
                self.queues
                    .iter()
                    .filter(|q| s.contains(q))
                    .cloned()
                    .collect(),
            ),
        }
    }

    /// Whether only queue and channel filters are set (then per-minute buckets answer).
    pub fn cell_only(&self) -> bool {
        self.agents.is_empty() && self.skills.is_empty() && self.statuses.is_empty()
    }

    /// Whether a conversation (as of the evaluation instant) passes every filter.
    pub fn keeps(&self, f: &Facts, queues: &Option<Vec<String>>) -> bool {
        queues
            .as_ref()
            .is_none_or(|qs| qs.iter().any(|x| *x == *f.queue))
            && (self.channels.is_empty() || self.channels.contains(&f.channel))
            && (self.agents.is_empty() || self.agents.iter().any(|a| f.offered_to(a)))
            && (self.skills.is_empty() || self.skills.iter().any(|s| f.skills.contains(s)))
            && (self.statuses.is_empty() || self.statuses.contains(&f.status))
    }
}
