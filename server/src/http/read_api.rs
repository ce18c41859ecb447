//! The read API of EVENTS.md: `GET /api/v1/kpis`, `/api/v1/conversations`, `/api/v1/agents`,
//! answered from the live state (never by scanning the log), scoped to the caller's queues.

use app::kpi::domain::agents::AgentRow;
use app::kpi::domain::report::Windowed;
use app::kpi::domain::rows::ConversationRow;
use app::kpi::{KpiReport, Query};
use axum::Json;
use axum::extract::{Query as QueryString, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Reader;
use crate::http::caller::ReadCaller;
use crate::http::error::ApiError;
use crate::http::openapi::{ErrorBody, SlSeconds, WindowName};
use crate::state::AppState;

type Pairs = QueryString<Vec<(String, String)>>;

/// What a read question (`/kpis`, `/conversations`, `/agents`) may get instead of its answer.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only documented: the answers are `ApiError`s.
enum ReadRefusals {
    #[response(
        status = 400,
        description = "a bad query parameter; `field` names it; or over 100 filter values, or a value over 128 characters."
    )]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "missing or unknown token")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "the token has no read scope")]
    Forbidden(ErrorBody),
    #[response(
        status = 429,
        description = "over the read rate of the token or person (`read_rate` questions per second, default 20, bursts of twice that)",
        headers(("Retry-After" = u32, description = "Seconds to wait."))
    )]
    TooMany(ErrorBody),
    #[response(
        status = 503,
        description = "the token store is unavailable, or the server is still starting"
    )]
    Unavailable(ErrorBody),
}

/// The answer of `GET /api/v1/conversations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversations {
    /// Oldest first.
    pub conversations: Vec<ConversationRow>,
}

/// The answer of `GET /api/v1/agents`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Agents {
    /// The agents in scope.
    pub agents: Vec<AgentRow>,
}

/// The answer of `GET /api/v1/kpis/history`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiHistory {
    /// Oldest first; each the stored KPIs with the hour and queue added.
    #[schema(value_type = Vec<KpiHour>)]
    pub hours: Vec<serde_json::Value>,
}

/// One recorded hour of the history: its KPIs, start and queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiHour {
    /// Start of the hour (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub hour: String,
    /// The queue; `null` for every queue together.
    pub queue_id: Option<String>,
    /// The windowed KPIs of that hour.
    #[serde(flatten)]
    pub kpis: Windowed,
}

/// The query parameters of the KPI, conversation and agent reads (parsed by
/// [`Query::from_pairs`]; a filter repeats or comma-separates its values, OR within a filter,
/// AND across filters).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Window: 2h, 4h, 8h, 12h, 24h (default) or today
    #[param(inline)]
    pub window: Option<WindowName>,
    /// IANA time zone for `today` and hourly buckets (default UTC), e.g. Europe/Warsaw
    #[param(example = "Europe/Warsaw")]
    pub tz: Option<String>,
    /// Queue filter; repeat or comma-separate (OR). Never widens the token's queues
    pub queue: Option<String>,
    /// Channel filter (chat, voice, email, sms, social, messaging); repeat or comma-separate
    pub channel: Option<String>,
    /// Agent filter: conversations the agent was offered; repeat or comma-separate
    pub agent: Option<String>,
    /// Skill filter; repeat or comma-separate
    pub skill: Option<String>,
    /// Status filter (open, active, waiting, wrap_up, closed); repeat or comma-separate
    pub status: Option<String>,
    /// Evaluate as of this past instant (RFC 3339): replay
    #[param(format = DateTime)]
    pub at: Option<String>,
    /// Service-level threshold override in seconds
    #[param(inline)]
    pub sl: Option<SlSeconds>,
}

/// The query parameters of the KPI history.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// default: 7 days ago
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// default: now
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// queue ids (repeat or comma-separate); default every queue together, or the token's queues
    pub queue: Option<String>,
}

/// Parses the question, with the caller's queues as its scope.
fn question(reader: Reader, pairs: &[(String, String)]) -> Result<Query, ApiError> {
    let mut q = Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::field(&e.field, &e.message))?;
    q.scope = reader.queues;
    Ok(q)
}

/// Every KPI of KPIS.md for the window, filters and instant asked.
#[utoipa::path(
    get,
    path = "/api/v1/kpis",
    operation_id = "getKpis",
    tag = "read",
    summary = "Every KPI of KPIS.md",
    description = "Counts, durations in seconds, rates as fractions, `null` for no value; plus `by_queue` (with Erlang C `predicted_wait`, `probability_of_waiting`, `agents_needed`), `by_channel`, `hourly` and threshold `alerts`. Answered from the live state.",
    security(("bearer" = [])),
    params(ReadParams),
    responses(
        (status = 200, description = "the KPIs", body = KpiReport),
        ReadRefusals,
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn kpis(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Json<KpiReport>, ApiError> {
    let q = question(reader, &pairs)?;
    let started = std::time::Instant::now();
    let limits = state.thresholds.current();
    let report = state
        .ingestor
        .live()
        .read(|e| e.report(&q, Utc::now(), &limits));
    state.ingestor.metrics().kpi_query.record(started.elapsed());
    Ok(Json(report))
}

/// The ongoing conversations (open, active, waiting, wrap-up) that pass the filters.
#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    operation_id = "getConversations",
    tag = "read",
    summary = "Ongoing conversations",
    description = "Open, active, waiting and wrap-up conversations passing the filters, oldest first.",
    security(("bearer" = [])),
    params(ReadParams),
    responses(
        (status = 200, description = "the rows", body = Conversations),
        ReadRefusals,
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn conversations(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Json<Conversations>, ApiError> {
    let q = question(reader, &pairs)?;
    let conversations = state
        .ingestor
        .live()
        .read(|e| e.conversation_rows(&q, Utc::now()));
    Ok(Json(Conversations { conversations }))
}

/// Agents with presence, capacity, counts by status and their window KPIs.
#[utoipa::path(
    get,
    path = "/api/v1/agents",
    operation_id = "getAgents",
    tag = "read",
    summary = "Agents with presence, capacity and window KPIs",
    description = "Agents whose queues, id and skills pass the filters.",
    security(("bearer" = [])),
    params(ReadParams),
    responses(
        (status = 200, description = "the rows", body = Agents),
        ReadRefusals,
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn agents(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Json<Agents>, ApiError> {
    let q = question(reader, &pairs)?;
    let agents = state.ingestor.live().read(|e| e.agent_rows(&q, Utc::now()));
    Ok(Json(Agents { agents }))
}

/// The longest range one history question may span (744 hours a queue).
pub const MAX_HISTORY_DAYS: i64 = 31;

/// The hourly KPI history: `from` and `to` (RFC 3339, default the last 7 days), `queue` (default
/// every queue together; a token limited to queues gets its queues).
#[utoipa::path(
    get,
    path = "/api/v1/kpis/history",
    operation_id = "getKpiHistory",
    tag = "read",
    summary = "Hourly KPI history",
    description = "The KPIs of each complete hour, recorded from the live engine every ten minutes and kept when retention prunes the events. `queue_id` null is every queue together.",
    security(("bearer" = [])),
    params(HistoryParams),
    responses(
        (status = 200, description = "the hours", body = KpiHistory),
        (status = 400, description = "a bad parameter; or a range over 31 days.", body = ErrorBody),
        (status = 401, description = "missing or unknown token", body = ErrorBody),
        (status = 403, description = "no read scope", body = ErrorBody),
        (status = 429, description = "over the read rate of the token or person (`read_rate` questions per second, default 20, bursts of twice that)", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "the database or the token store did not answer, or the server is still starting", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn history(
    State(state): State<AppState>,
    ReadCaller(grant): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Response, ApiError> {
    let bad = |field: &str, message: String| Err(ApiError::field(field, message));
    let now = Utc::now();
    let (mut from, mut to) = (now - chrono::TimeDelta::days(7), now);
    let mut queues: Vec<String> = Vec::new();
    for (k, v) in &pairs {
        match k.as_str() {
            "from" | "to" => match chrono::DateTime::parse_from_rfc3339(v) {
                Ok(t) if k == "from" => from = t.to_utc(),
                Ok(t) => to = t.to_utc(),
                Err(e) => return bad(k, format!("{v:?} is not an RFC 3339 timestamp: {e}")),
            },
            "queue" => queues.extend(v.split(',').filter(|q| !q.is_empty()).map(str::to_owned)),
            other => return bad(other, format!("unknown parameter {other:?}")),
        }
    }
    if to < from {
        return bad("to", "is before from".into());
    }
    if to - from > chrono::TimeDelta::days(MAX_HISTORY_DAYS) {
        return bad(
            "from",
            format!("the range may span at most {MAX_HISTORY_DAYS} days; ask in parts"),
        );
    }
    let queues = match (&grant.queues, queues.is_empty()) {
        (None, true) => vec![String::new()],
        (None, false) => queues,
        (Some(mine), true) => mine.clone(),
        (Some(mine), false) => queues.into_iter().filter(|q| mine.contains(q)).collect(),
    };
    let rows = crate::store::history::read(
        &state.db,
        from.timestamp_millis(),
        to.timestamp_millis(),
        &queues,
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading the KPI history failed");
        ApiError::unavailable("the database did not answer; retry")
    })?;
    let hours: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            let mut v: serde_json::Value =
                serde_json::from_str(&r.kpis).unwrap_or(serde_json::Value::Null);
            v["hour"] = json!(
                chrono::DateTime::<Utc>::from_timestamp_millis(r.hour_start_ms)
                    .map(|t| t.to_rfc3339())
            );
            v["queue_id"] = if r.queue_id.is_empty() {
                serde_json::Value::Null
            } else {
                json!(r.queue_id)
            };
            v
        })
        .collect();
    Ok(Json(KpiHistory { hours }).into_response())
}
