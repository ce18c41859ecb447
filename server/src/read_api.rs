//! The read API of EVENTS.md: `GET /api/v1/kpis`, `/api/v1/conversations`, `/api/v1/agents`,
//! answered from the live state (never by scanning the log), scoped to the caller's queues.

use axum::Json;
use axum::extract::{Query as QueryString, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use app::kpi::{Limits, Query};

use crate::auth;
use crate::http::AppState;
use crate::store::tokens::Scope;

type Pairs = QueryString<Vec<(String, String)>>;

/// Checks the caller and parses the question, with the caller's queues as its scope.
async fn question(
    state: &AppState,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<Query, Response> {
    let grant = auth::bearer(&state.db, headers, Scope::Read)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut q =
        Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("{}: {}", e.field, e.message), "field": e.field})),
            )
                .into_response()
        })?;
    q.scope = grant.queues;
    Ok(q)
}

/// Every KPI of KPIS.md for the window, filters and instant asked.
#[tracing::instrument(skip_all)]
pub async fn kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, &pairs).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let started = std::time::Instant::now();
    let report = state
        .ingestor
        .live()
        .read(|e| e.report(&q, Utc::now(), &Limits::default()));
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
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, &pairs).await {
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
    QueryString(pairs): Pairs,
) -> Response {
    let q = match question(&state, &headers, &pairs).await {
        Ok(q) => q,
        Err(r) => return r,
    };
    let rows = state.ingestor.live().read(|e| e.agent_rows(&q, Utc::now()));
    Json(json!({"agents": rows})).into_response()
}
