//! The read API of EVENTS.md: `GET /api/v1/kpis`, `/api/v1/conversations`, `/api/v1/agents`,
//! answered from the live state (never by scanning the log), scoped to the caller's queues.

use axum::Json;
use axum::extract::{Query as QueryString, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use app::auth::Viewer;
use app::kpi::Query;
use axum::Extension;

use crate::auth;
use crate::http::AppState;

type Pairs = QueryString<Vec<(String, String)>>;

/// 400 naming the bad parameter.
fn bad_request(field: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": format!("{field}: {message}"), "field": field})),
    )
        .into_response()
}

/// Checks the caller and parses the question, with the caller's queues as its scope.
async fn question(
    state: &AppState,
    headers: &HeaderMap,
    viewer: Option<&Viewer>,
    pairs: &[(String, String)],
) -> Result<Query, Response> {
    let grant = auth::reader(&state.db, headers, viewer, None)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut q = Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| bad_request(&e.field, &e.message))?;
    q.scope = grant.queues;
    Ok(q)
}

/// Every KPI of KPIS.md for the window, filters and instant asked.
#[tracing::instrument(skip_all)]
pub async fn kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<Extension<Viewer>>,
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, viewer.as_deref(), &pairs).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let started = std::time::Instant::now();
    let limits = state.thresholds.current();
    let report = state
        .ingestor
        .live()
        .read(|e| e.report(&q, Utc::now(), &limits));
    state
        .ingestor
        .metrics()
        .kpi_query
        .observe(started.elapsed());
    Json(report).into_response()
}

/// The ongoing conversations (open, active, waiting, wrap-up) that pass the filters.
#[tracing::instrument(skip_all)]
pub async fn conversations(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<Extension<Viewer>>,
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, viewer.as_deref(), &pairs).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let rows = state
        .ingestor
        .live()
        .read(|e| e.conversation_rows(&q, Utc::now()));
    Json(json!({"conversations": rows})).into_response()
}

/// Agents with presence, capacity, counts by status and their window KPIs.
#[tracing::instrument(skip_all)]
pub async fn agents(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<Extension<Viewer>>,
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, viewer.as_deref(), &pairs).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let rows = state.ingestor.live().read(|e| e.agent_rows(&q, Utc::now()));
    Json(json!({"agents": rows})).into_response()
}

/// The longest range one history question may span (744 hours a queue).
pub const MAX_HISTORY_DAYS: i64 = 31;

/// The hourly KPI history: `from` and `to` (RFC 3339, default the last 7 days), `queue` (default
/// every queue together; a token limited to queues gets its queues).
#[tracing::instrument(skip_all)]
pub async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<Extension<Viewer>>,
    QueryString(pairs): Pairs,
) -> Response {
    let grant = match auth::reader(&state.db, &headers, viewer.as_deref(), None).await {
        Ok(g) => g,
        Err(e) => return e.into_response(),
    };
    let bad = |field: &str, message: String| bad_request(field, &message);
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
    match crate::store::history::read(
        &state.db,
        from.timestamp_millis(),
        to.timestamp_millis(),
        &queues,
    )
    .await
    {
        Ok(rows) => {
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
            Json(json!({ "hours": hours })).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the KPI history failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "the database did not answer; retry"})),
            )
                .into_response()
        }
    }
}
