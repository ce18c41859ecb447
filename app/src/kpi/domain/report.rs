//! The answer to a KPI question, by KPIS.md's snake_case names: counts, durations in seconds,
//! rates as fractions, `None` (JSON `null`) for no value.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::sums::{SL_OVERRIDES, Sums};

/// Ongoing conversations now, by status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ongoing {
    /// In queue.
    pub open: u64,
    /// With an agent.
    pub active: u64,
    /// Parked.
    pub waiting: u64,
    /// Wrapping up.
    pub wrap_up: u64,
}

/// The windowed conversation KPIs of some sums.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Windowed {
    /// Created in the window.
    pub incoming: i64,
    /// Closed in the window.
    pub closed: i64,
    /// Mean first wait of accepted ones (s).
    pub avg_speed_to_answer: Option<f64>,
    /// Abandoned before any accept.
    pub abandoned: i64,
    /// Abandoned / (closed or accepted).
    pub abandon_rate: Option<f64>,
    /// Accepted within N / (accepted + abandoned after N).
    pub service_level: Option<f64>,
    /// ≥ 1 transfer / accepted.
    pub transfer_rate: Option<f64>,
    /// ≥ 1 escalation / accepted.
    pub escalation_rate: Option<f64>,
    /// Mean handle time of closed, accepted ones (s).
    pub aht: Option<f64>,
    /// Closed with handle time over 5 min.
    pub handle_over_5min: i64,
    /// Closed with wrap-up over 5 min.
    pub wrap_up_over_5min: i64,
    /// Mean wrap-up of closed ones that had wrap-up (s).
    pub avg_wrap_up: Option<f64>,
    /// Mean first response (s).
    pub avg_first_response: Option<f64>,
    /// Offers in the window (by offer time).
    pub offers: i64,
    /// … accepted.
    pub offers_accepted: i64,
    /// … rejected `declined`.
    pub offers_rejected: i64,
    /// … timed out.
    pub offers_timed_out: i64,
    /// Rejected / offers.
    pub reject_rate: Option<f64>,
    /// Timed out / offers.
    pub timeout_rate: Option<f64>,
    /// Mean time from offer to accept (s).
    pub avg_acceptance_time: Option<f64>,
}

/// A ratio, or no value for a zero denominator.
pub fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// A mean duration in seconds from a sum of ms, or no value.
pub fn mean_s(sum_ms: i64, n: i64) -> Option<f64> {
    (n != 0).then(|| sum_ms as f64 / n as f64 / 1000.0)
}

/// The SL slot of an override (0: each queue's own threshold).
pub fn sl_slot(sl_seconds: Option<u32>) -> usize {
    sl_seconds
        .and_then(|n| SL_OVERRIDES.iter().position(|&x| x == n))
        .map_or(0, |i| i + 1)
}

impl Windowed {
    /// The KPIs of some sums; `slot` picks the service-level threshold.
    pub fn of(s: &Sums, slot: usize) -> Windowed {
        Windowed {
            incoming: s.incoming,
            closed: s.closed,
            avg_speed_to_answer: mean_s(s.first_wait_ms, s.accepted),
            abandoned: s.abandoned,
            abandon_rate: ratio(s.abandoned, s.decided),
            service_level: ratio(s.sl_met[slot], s.accepted + s.sl_abandoned_over[slot]),
            transfer_rate: ratio(s.transferred, s.accepted),
            escalation_rate: ratio(s.escalated, s.accepted),
            aht: mean_s(s.handle_ms, s.handle_n),
            handle_over_5min: s.handle_over_5min,
            wrap_up_over_5min: s.wrap_up_over_5min,
            avg_wrap_up: mean_s(s.wrap_up_ms, s.wrap_up_n),
            avg_first_response: mean_s(s.first_response_ms, s.first_response_n),
            offers: s.offers,
            offers_accepted: s.offers_accepted,
            offers_rejected: s.offers_declined,
            offers_timed_out: s.offers_timed_out,
            reject_rate: ratio(s.offers_declined, s.offers),
            timeout_rate: ratio(s.offers_timed_out, s.offers),
            avg_acceptance_time: mean_s(s.acceptance_ms, s.offers_accepted),
        }
    }
}

/// Capacity of the logged-in agents in scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Capacity {
    /// Units.
    pub total: i64,
    /// Used units.
    pub used: i64,
    /// Total − used (may be negative).
    pub free: i64,
}

/// A queue's row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueRow {
    /// Queue id.
    pub queue_id: String,
    /// Display name.
    pub name: String,
    /// Its service-level threshold (s).
    pub service_level_seconds: u32,
    /// In queue now.
    pub in_queue: u64,
    /// Longest current wait (s).
    pub longest_wait: Option<f64>,
    /// Windowed KPIs of its conversations.
    #[serde(flatten)]
    pub kpis: Windowed,
    /// Erlang C prediction.
    #[serde(flatten)]
    pub prediction: super::erlang::Prediction,
}

/// A channel's row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelRow {
    /// Channel.
    pub channel: String,
    /// In queue now.
    pub in_queue: u64,
    /// Windowed KPIs.
    #[serde(flatten)]
    pub kpis: Windowed,
}

/// An hour of the window (in the query's time zone).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HourRow {
    /// Start of the hour, RFC 3339 with the zone's offset.
    pub hour: String,
    /// Windowed KPIs of that hour (by created / closed / offer time).
    #[serde(flatten)]
    pub kpis: Windowed,
}

/// A raised threshold alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Alert {
    /// Stable key: `kind:subject`.
    pub key: String,
    /// `service_level`, `longest_wait`, `abandon_rate` or `sentiment`.
    pub kind: String,
    /// Queue concerned.
    pub queue_id: String,
    /// Conversation concerned (sentiment alerts).
    pub conversation_id: Option<String>,
    /// The value now.
    pub value: f64,
    /// The limit it crossed.
    pub limit: f64,
    /// For a person.
    pub message: String,
}

/// Every KPI of KPIS.md for one question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = Kpis))]
pub struct KpiReport {
    /// The instant evaluated (RFC 3339).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub as_of: String,
    /// Window name.
    pub window: String,
    /// Window start (RFC 3339).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub window_start: String,
    /// Time zone.
    pub tz: String,
    /// The service-level override, if any (else each queue's own).
    pub service_level_seconds: Option<u32>,
    /// Windowed conversation and offer KPIs.
    #[serde(flatten)]
    pub kpis: Windowed,
    /// Open or active awaiting acceptance, now.
    pub in_queue: u64,
    /// Ongoing now, by status.
    pub ongoing: Ongoing,
    /// Longest current wait (s).
    pub longest_wait: Option<f64>,
    /// First wait known and over 5 min, or not accepted nor closed for over 5 min.
    pub waiting_over_5min: i64,
    /// Ongoing conversations by sentiment (−3 … 3).
    // Object keys are strings in JSON ("-3" … "3"), whatever the map holds.
    #[cfg_attr(feature = "ssr", schema(value_type = BTreeMap<String, u64>))]
    pub sentiment: BTreeMap<i8, u64>,
    /// Ongoing conversations at or below the sentiment threshold.
    pub negative_sentiment: u64,
    /// Agents not offline now.
    pub agents_logged_in: u64,
    /// Agents by presence now.
    pub agents_by_presence: BTreeMap<String, u64>,
    /// Logged-in agents, available or busy, with free capacity.
    pub agents_with_free_capacity: u64,
    /// Capacity of logged-in agents now.
    pub capacity: Capacity,
    /// Incoming / agents logged in.
    pub conversations_per_agent: Option<f64>,
    /// Mean of each agent's own handle time per closed conversation (s).
    pub agent_aht: Option<f64>,
    /// Time with ≥ 1 active conversation / logged-in time, over the agents in scope.
    pub occupancy: Option<f64>,
    /// Per queue.
    pub by_queue: Vec<QueueRow>,
    /// Per channel.
    pub by_channel: Vec<ChannelRow>,
    /// Per hour of the window.
    pub hourly: Vec<HourRow>,
    /// Threshold alerts now, in key order (shared: a live report reuses the sentiment alerts
    /// an earlier one built).
    pub alerts: Vec<Arc<Alert>>,
}
