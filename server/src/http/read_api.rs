//! The read API of EVENTS.md: `GET /api/v1/kpis`, `/api/v1/conversations`, `/api/v1/agents`,
//! answered from the live state (never by scanning the log), scoped to the caller's queues.

use app::kpi::Query;
use axum::Json;
use axum::extract::{Query as QueryString, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use crate::auth::Reader;
use crate::http::caller::ReadCaller;
use crate::http::error::ApiError;
use crate::state::AppState;

type Pairs = QueryString<Vec<(String, String)>>;

/// Parses the question, with the caller's queues as its scope.
fn question(reader: Reader, pairs: &[(String, String)]) -> Result<Query, ApiError> {
    let mut q = Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::field(&e.field, &e.message))?;
    q.scope = reader.queues;
    Ok(q)
}

/// Every KPI of KPIS.md for the window, filters and instant asked.
#[tracing::instrument(skip_all)]
pub async fn kpis(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Response, ApiError> {
    let q = question(reader, &pairs)?;
    let started = std::time::Instant::now();
    let limits = state.thresholds.current();
    let report = state
        .ingestor
        .live()
        .read(|e| e.report(&q, Utc::now(), &limits));
    state.ingestor.metrics().kpi_query.record(started.elapsed());
    Ok(Json(report).into_response())
}

/// The ongoing conversations (open, active, waiting, wrap-up) that pass the filters.
#[tracing::instrument(skip_all)]
pub async fn conversations(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Response, ApiError> {
    let q = question(reader, &pairs)?;
    let rows = state
        .ingestor
        .live()
        .read(|e| e.conversation_rows(&q, Utc::now()));
    Ok(Json(json!({"conversations": rows})).into_response())
}

/// Agents with presence, capacity, counts by status and their window KPIs.
#[tracing::instrument(skip_all)]
pub async fn agents(
    State(state): State<AppState>,
    ReadCaller(reader): ReadCaller,
    QueryString(pairs): Pairs,
) -> Result<Response, ApiError> {
    let q = question(reader, &pairs)?;
    let rows = state.ingestor.live().read(|e| e.agent_rows(&q, Utc::now()));
    Ok(Json(json!({"agents": rows})).into_response())
}

/// The longest range one history question may span (744 hours a queue).
pub const MAX_HISTORY_DAYS: i64 = 31;

/// The hourly KPI history: `from` and `to` (RFC 3339, default the last 7 days), `queue` (default
/// every queue together; a token limited to queues gets its queues).
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
    Ok(Json(json!({ "hours": hours })).into_response())
}
