//! What the browser does with the rows: filter (the URL's parameters), search, sort by any
//! column, and rank what needs the supervisor now. Pure, so it is tested without a browser and
//! the same code sorts 10,000 rows in the page.

use std::cmp::Ordering;

use super::row::OngoingRow;
use crate::model::conversation::ConversationStatus;

/// What the clocks and flags of a row are measured against.
pub struct Ctx<'a> {
    /// Now (ms since the epoch), ticking each second.
    pub now_ms: i64,
    /// A queue's service-level time (s).
    pub service_level: Box<dyn Fn(&str) -> u32 + 'a>,
    /// Whether an agent uses more capacity than they have.
    pub over_capacity: Box<dyn Fn(&str) -> bool + 'a>,
    /// An agent's display name.
    pub agent_name: Box<dyn Fn(&str) -> String + 'a>,
    /// No event for this long (ms) while active or waiting: stuck.
    pub stuck_ms: i64,
    /// The sentiment at or below which a conversation is negative (the alert threshold).
    pub negative_at: i8,
}

/// A row's status as the grid names and filters it (awaiting acceptance apart).
pub fn status_name(row: &OngoingRow) -> &'static str {
    super::row::status_word(row.status, row.awaiting_acceptance)
}

/// The text key of a status name ([`status_name`]).
pub fn status_key(name: &str) -> &'static str {
    match name {
        "open" => "ongoing.status_open",
        "offered" => "ongoing.status_offered",
        "active" => "ongoing.status_active",
        "waiting" => "ongoing.status_waiting",
        "wrap_up" => "ongoing.status_wrap_up",
        _ => "ongoing.status_closed",
    }
}

/// Every status the grid shows, in its order.
pub const STATUSES: [&str; 5] = ["open", "offered", "active", "waiting", "wrap_up"];

/// Milliseconds since `t`.
fn since(t: chrono::DateTime<chrono::Utc>, now_ms: i64) -> i64 {
    (now_ms - t.timestamp_millis()).max(0)
}

/// Time in the current status (ms).
pub fn in_status_ms(row: &OngoingRow, ctx: &Ctx<'_>) -> i64 {
    since(row.status_since.unwrap_or(row.updated_at), ctx.now_ms)
}

/// Handle time so far (ms): from the first accept, while with an agent.
pub fn handle_ms(row: &OngoingRow, ctx: &Ctx<'_>) -> Option<i64> {
    match row.status {
        ConversationStatus::Open | ConversationStatus::Closed => None,
        _ => row.first_accepted_at.map(|t| since(t, ctx.now_ms)),
    }
}

/// Time waiting in the queue (ms), while open.
pub fn wait_ms(row: &OngoingRow, ctx: &Ctx<'_>) -> Option<i64> {
    match row.status {
        ConversationStatus::Open => row.entered_queue_at.map(|t| since(t, ctx.now_ms)),
        _ => None,
    }
}

/// Time left until the queue's service level is breached (ms, negative once breached), while
/// open and never accepted (KPIS.md: service level counts the first answer).
pub fn breach_in_ms(row: &OngoingRow, ctx: &Ctx<'_>) -> Option<i64> {
    if row.status != ConversationStatus::Open || row.first_accepted_at.is_some() {
        return None;
    }
    let entered = row.entered_queue_at?.timestamp_millis();
    let sl = i64::from((ctx.service_level)(&row.queue_id)) * 1_000;
    Some(entered + sl - ctx.now_ms)
}

/// No event for [`Ctx::stuck_ms`] while active or waiting.
pub fn is_stuck(row: &OngoingRow, ctx: &Ctx<'_>) -> bool {
    matches!(
        row.status,
        ConversationStatus::Active | ConversationStatus::Waiting
    ) && since(row.updated_at, ctx.now_ms) >= ctx.stuck_ms
}

/// Why a conversation needs the supervisor now, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Waiting past its queue's service level.
    Breached,
    /// An escalation is open.
    Escalated,
    /// Its service level is breached within a quarter of the queue's time.
    BreachSoon,
    /// Nothing happened for the stuck time.
    Stuck,
    /// Sentiment at or below the threshold.
    Negative,
    /// Its agent holds more than their capacity.
    OverCapacity,
}

impl Reason {
    /// Its text key.
    pub fn key(self) -> &'static str {
        match self {
            Reason::Breached => "ongoing.reason_breached",
            Reason::Escalated => "ongoing.reason_escalated",
            Reason::BreachSoon => "ongoing.reason_breach_soon",
            Reason::Stuck => "ongoing.reason_stuck",
            Reason::Negative => "ongoing.reason_negative",
            Reason::OverCapacity => "ongoing.reason_over_capacity",
        }
    }

    fn weight(self) -> u32 {
        match self {
            Reason::Breached => 100,
            Reason::Escalated => 80,
            Reason::BreachSoon => 60,
            Reason::Stuck => 50,
            Reason::Negative => 40,
            Reason::OverCapacity => 30,
        }
    }
}

/// What needs attention in a row, most urgent first (empty: nothing).
pub fn reasons(row: &OngoingRow, ctx: &Ctx<'_>) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(left) = breach_in_ms(row, ctx) {
        let sl = i64::from((ctx.service_level)(&row.queue_id)) * 1_000;
        if left <= 0 {
            out.push(Reason::Breached);
        } else if left * 4 <= sl {
            out.push(Reason::BreachSoon);
        }
    }
    if row.open_escalation {
        out.push(Reason::Escalated);
    }
    if is_stuck(row, ctx) {
        out.push(Reason::Stuck);
    }
    if row.sentiment_known && row.sentiment <= ctx.negative_at {
        out.push(Reason::Negative);
    }
    if row
        .agent_id
        .as_deref()
        .is_some_and(|a| (ctx.over_capacity)(a))
    {
        out.push(Reason::OverCapacity);
    }
    out.sort();
    out
}

/// How urgent a row is (0: nothing needs attention).
pub fn urgency(row: &OngoingRow, ctx: &Ctx<'_>) -> u32 {
    reasons(row, ctx).iter().map(|r| r.weight()).sum()
}

/// A grid column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// Status.
    Status,
    /// Agent.
    Agent,
    /// Queue.
    Queue,
    /// Channel.
    Channel,
    /// Customer.
    Customer,
    /// Subject.
    Subject,
    /// Time in the current status.
    InStatus,
    /// Handle time.
    Handle,
    /// Wait in queue.
    Wait,
    /// Time to the service-level breach.
    Breach,
    /// Transfers.
    Transfers,
    /// Open escalation.
    Escalation,
    /// Sentiment.
    Sentiment,
    /// Who monitors.
    Monitors,
    /// Created.
    Created,
    /// Last change.
    LastChange,
    /// Id.
    Id,
}

impl Column {
    /// Every column, in the grid's order.
    pub const ALL: [Column; 17] = [
        Column::Status,
        Column::Agent,
        Column::Queue,
        Column::Channel,
        Column::Customer,
        Column::Subject,
        Column::InStatus,
        Column::Handle,
        Column::Wait,
        Column::Breach,
        Column::Transfers,
        Column::Escalation,
        Column::Sentiment,
        Column::Monitors,
        Column::Created,
        Column::LastChange,
        Column::Id,
    ];

    /// Its name in URLs and preferences.
    pub fn as_str(self) -> &'static str {
        match self {
            Column::Status => "status",
            Column::Agent => "agent",
            Column::Queue => "queue",
            Column::Channel => "channel",
            Column::Customer => "customer",
            Column::Subject => "subject",
            Column::InStatus => "in_status",
            Column::Handle => "handle",
            Column::Wait => "wait",
            Column::Breach => "breach",
            Column::Transfers => "transfers",
            Column::Escalation => "escalation",
            Column::Sentiment => "sentiment",
            Column::Monitors => "monitors",
            Column::Created => "created",
            Column::LastChange => "last_change",
            Column::Id => "id",
        }
    }

    /// The column named `s`.
    pub fn parse(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Its heading's text key.
    pub fn key(self) -> &'static str {
        match self {
            Column::Status => "ongoing.col_status",
            Column::Agent => "ongoing.col_agent",
            Column::Queue => "ongoing.col_queue",
            Column::Channel => "ongoing.col_channel",
            Column::Customer => "ongoing.col_customer",
            Column::Subject => "ongoing.col_subject",
            Column::InStatus => "ongoing.col_in_status",
            Column::Handle => "ongoing.col_handle",
            Column::Wait => "ongoing.col_wait",
            Column::Breach => "ongoing.col_breach",
            Column::Transfers => "ongoing.col_transfers",
            Column::Escalation => "ongoing.col_escalation",
            Column::Sentiment => "ongoing.col_sentiment",
            Column::Monitors => "ongoing.col_monitors",
            Column::Created => "ongoing.col_created",
            Column::LastChange => "ongoing.col_last_change",
            Column::Id => "ongoing.col_id",
        }
    }

    /// The columns shown until a person chooses.
    pub fn defaults() -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| !matches!(c, Column::Created | Column::Id | Column::Subject))
            .collect()
    }
}

/// The grid's filters, from the page's URL parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Statuses ([`STATUSES`]); empty: all.
    pub status: Vec<String>,
    /// Queues; empty: all.
    pub queue: Vec<String>,
    /// Channels; empty: all.
    pub channel: Vec<String>,
    /// Agents; empty: all.
    pub agent: Vec<String>,
    /// Skills (a conversation needing one of them); empty: all.
    pub skill: Vec<String>,
    /// `negative`, `neutral`, `positive`; empty: all.
    pub sentiment: Vec<String>,
    /// Only with an open escalation.
    pub escalated: bool,
    /// Only stuck ones.
    pub stuck: bool,
    /// Free text: customer name or id, subject, conversation id (case-insensitive).
    pub search: String,
}

/// The longest search text.
pub const MAX_SEARCH_CHARS: usize = 200;

impl Filters {
    /// From URL parameters; unknown ones are someone else's (the Insights filters share the
    /// URL), repeated and comma-separated values combine as OR.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Filters {
        let mut f = Filters::default();
        for (k, v) in pairs {
            let list = match k {
                "status" => &mut f.status,
                "queue" => &mut f.queue,
                "channel" => &mut f.channel,
                "agent" => &mut f.agent,
                "skill" => &mut f.skill,
                "sentiment" => &mut f.sentiment,
                "escalated" => {
                    f.escalated = v == "1" || v == "true";
                    continue;
                }
                "stuck" => {
                    f.stuck = v == "1" || v == "true";
                    continue;
                }
                "q" => {
                    f.search = v.trim().chars().take(MAX_SEARCH_CHARS).collect();
                    continue;
                }
                _ => continue,
            };
            list.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        f
    }

    /// Whether `row` passes; `needle` is the search text lower-cased once for all rows.
    pub fn pass(&self, row: &OngoingRow, needle: &str, ctx: &Ctx<'_>) -> bool {
        let any = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
        if !any(&self.status, status_name(row))
            || !any(&self.queue, &row.queue_id)
            || !any(&self.channel, row.channel.as_str())
            || !(self.agent.is_empty()
                || row.agent_id.as_deref().is_some_and(|a| any(&self.agent, a)))
            || !(self.skill.is_empty() || row.skills.iter().any(|s| self.skill.contains(s)))
            || (self.escalated && !row.open_escalation)
            || (self.stuck && !is_stuck(row, ctx))
        {
            return false;
        }
        if !self.sentiment.is_empty() {
            let mood = match (row.sentiment_known, row.sentiment) {
                (true, s) if s < 0 => "negative",
                (true, s) if s > 0 => "positive",
                _ => "neutral",
            };
            if !self.sentiment.iter().any(|m| m == mood) {
                return false;
            }
        }
        needle.is_empty()
            || contains_folded(&row.customer_name, needle)
            || contains_folded(&row.customer_id, needle)
            || contains_folded(&row.id, needle)
            || row
                .subject
                .as_deref()
                .is_some_and(|s| contains_folded(s, needle))
    }
}

fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        // No allocation for the common case: 10,000 rows are searched on every key press.
        hay.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

/// How the grid is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// What needs attention first, then the longest waiting or oldest.
    Attention,
    /// By a column, ascending or not.
    By(Column, bool),
}

impl Order {
    /// From the URL's `sort` (a column, `-column` for descending, or nothing for attention).
    pub fn parse(s: Option<&str>) -> Order {
        match s {
            Some(s) => {
                let (name, asc) = match s.strip_prefix('-') {
                    Some(n) => (n, false),
                    None => (s, true),
                };
                Column::parse(name).map_or(Order::Attention, |c| Order::By(c, asc))
            }
            None => Order::Attention,
        }
    }

    /// The URL's `sort` value (`None` for attention).
    pub fn param(self) -> Option<String> {
        match self {
            Order::Attention => None,
            Order::By(c, true) => Some(c.as_str().to_owned()),
            Order::By(c, false) => Some(format!("-{}", c.as_str())),
        }
    }
}

/// Sorts row references in place; ties by id, so the order is stable between ticks.
pub fn sort(rows: &mut [&OngoingRow], order: Order, ctx: &Ctx<'_>) {
    match order {
        Order::Attention => {
            let mut keyed: Vec<(u32, i64, &OngoingRow)> = rows
                .iter()
                .map(|r| (urgency(r, ctx), r.created_at.timestamp_millis(), *r))
                .collect();
            keyed.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(a.1.cmp(&b.1))
                    .then_with(|| a.2.id.cmp(&b.2.id))
            });
            for (slot, (_, _, r)) in rows.iter_mut().zip(keyed) {
                *slot = r;
            }
        }
        Order::By(column, asc) => {
            rows.sort_by(|a, b| compare(a, b, column, asc, ctx).then_with(|| a.id.cmp(&b.id)));
        }
    }
}

/// Compares two rows by `column` in the direction `asc` says; rows without a value (no agent,
/// no wait) go last either way.
fn compare(a: &OngoingRow, b: &OngoingRow, column: Column, asc: bool, ctx: &Ctx<'_>) -> Ordering {
    let dir = |o: Ordering| if asc { o } else { o.reverse() };
    let opt = |a: Option<Ordering>, some_a: bool, some_b: bool| match (some_a, some_b) {
        (true, true) => dir(a.unwrap_or(Ordering::Equal)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => Ordering::Equal,
    };
    fn pair<T: Ord>(a: Option<T>, b: Option<T>) -> (Option<Ordering>, bool, bool) {
        let (sa, sb) = (a.is_some(), b.is_some());
        (a.zip(b).map(|(a, b)| a.cmp(&b)), sa, sb)
    }
    let opt = |(o, sa, sb): (Option<Ordering>, bool, bool)| opt(o, sa, sb);
    let plain = |o: Ordering| dir(o);
    match column {
        Column::Status => {
            let rank = |r: &OngoingRow| STATUSES.iter().position(|s| *s == status_name(r));
            plain(rank(a).cmp(&rank(b)))
        }
        Column::Agent => opt(pair(
            a.agent_id.as_deref().map(&ctx.agent_name),
            b.agent_id.as_deref().map(&ctx.agent_name),
        )),
        Column::Queue => plain(a.queue_id.cmp(&b.queue_id)),
        Column::Channel => plain(a.channel.as_str().cmp(b.channel.as_str())),
        Column::Customer => plain(a.customer_name.cmp(&b.customer_name)),
        Column::Subject => opt(pair(a.subject.as_deref(), b.subject.as_deref())),
        Column::InStatus => plain(in_status_ms(a, ctx).cmp(&in_status_ms(b, ctx))),
        Column::Handle => opt(pair(handle_ms(a, ctx), handle_ms(b, ctx))),
        Column::Wait => opt(pair(wait_ms(a, ctx), wait_ms(b, ctx))),
        Column::Breach => opt(pair(breach_in_ms(a, ctx), breach_in_ms(b, ctx))),
        Column::Transfers => plain(a.transfers.cmp(&b.transfers)),
        Column::Escalation => plain(b.open_escalation.cmp(&a.open_escalation)),
        Column::Sentiment => opt(pair(
            a.sentiment_known.then_some(a.sentiment),
            b.sentiment_known.then_some(b.sentiment),
        )),
        Column::Monitors => plain(b.monitors.len().cmp(&a.monitors.len())),
        Column::Created => plain(a.created_at.cmp(&b.created_at)),
        Column::LastChange => plain(a.updated_at.cmp(&b.updated_at)),
        Column::Id => plain(a.id.cmp(&b.id)),
    }
}

/// A cell as plain text (the CSV's, and the grid's where it shows text): durations as `m:ss`,
/// times as `HH:MM:SS` in `tz`, "—" for no value.
pub fn cell_text(row: &OngoingRow, column: Column, ctx: &Ctx<'_>, tz: chrono_tz::Tz) -> String {
    use crate::format::{NO_VALUE, clock_ms, duration};
    let secs = |ms: Option<i64>| duration(ms.map(|m| m as f64 / 1_000.0));
    match column {
        Column::Status => status_name(row).to_owned(),
        Column::Agent => row
            .agent_id
            .as_deref()
            .map_or_else(|| NO_VALUE.to_owned(), &ctx.agent_name),
        Column::Queue => row.queue_id.clone(),
        Column::Channel => row.channel.as_str().to_owned(),
        Column::Customer => row.customer_name.clone(),
        Column::Subject => row.subject.clone().unwrap_or_default(),
        Column::InStatus => secs(Some(in_status_ms(row, ctx))),
        Column::Handle => secs(handle_ms(row, ctx)),
        Column::Wait => secs(wait_ms(row, ctx)),
        Column::Breach => match breach_in_ms(row, ctx) {
            Some(left) if left < 0 => format!("-{}", secs(Some(-left))),
            left => secs(left),
        },
        Column::Transfers => row.transfers.to_string(),
        Column::Escalation => row
            .escalation
            .as_ref()
            .map(|e| match e.kind {
                crate::model::event::EscalationKind::Agent => "agent".to_owned(),
                crate::model::event::EscalationKind::Customer => "customer".to_owned(),
            })
            .unwrap_or_default(),
        Column::Sentiment => {
            if row.sentiment_known {
                row.sentiment.to_string()
            } else {
                NO_VALUE.to_owned()
            }
        }
        Column::Monitors => row
            .monitors
            .iter()
            .map(|m| m.supervisor_id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Column::Created => clock_ms(row.created_at.timestamp_millis(), tz),
        Column::LastChange => clock_ms(row.updated_at.timestamp_millis(), tz),
        Column::Id => row.id.clone(),
    }
}

/// The rows as CSV: a heading line of `headings` (one per column), then one line per row, every
/// cell safe to open in a spreadsheet ([`crate::csv`]).
pub fn to_csv(
    rows: &[&OngoingRow],
    columns: &[Column],
    headings: &[String],
    ctx: &Ctx<'_>,
    tz: chrono_tz::Tz,
) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(
        headings.iter().map(|h| crate::csv::field(h)).collect(),
    ));
    for row in rows {
        out.push_str(&line(
            columns
                .iter()
                .map(|c| crate::csv::field(&cell_text(row, *c, ctx, tz)))
                .collect(),
        ));
    }
    out
}
