//! `POST /api/v1/events`: the HTTP face of [`super::Ingestor`], with every status EVENTS.md lists.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::json;

use super::body::{BodyFormat, parse};
use super::{IngestError, IngestOutcome, MAX_BATCH};
use crate::http::caller::IngestCaller;
use crate::http::error::ApiError;
use crate::http::openapi::{ErrorBody, EventBatch, EventErrors, Ndjson};
use crate::ops::metrics::Refusal;
use crate::state::AppState;

/// Accepts a batch of events; replies only after it is durable.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    operation_id = "post_events",
    tag = "events",
    summary = "Ingest a batch of events (all or nothing, idempotent by id)",
    description = "A token limited to queues writes events of its queues only: `queue.upserted` of its queues, `agent.upserted` listing only its queues, presence of its queues' agents, and conversation events of conversations in its queues (a transfer only to them).",
    security(("bearer" = [])),
    request_body(content(
        (inline(EventBatch) = "application/json"),
        (inline(Ndjson) = "application/x-ndjson"),
    )),
    responses(
        (status = 200, description = "Every accepted event is durable.", body = IngestOutcome),
        (status = 400, description = "Unparsable JSON, with line and column.", body = ErrorBody),
        (status = 401, description = "Token missing, unknown or revoked.", body = ErrorBody),
        (status = 403, description = "The token has no ingest scope, or it is limited to queues and the batch holds events of other queues (conversations, queues, or agents of those queues): `error` plus `errors`, each event named by index, id and field; nothing stored.", body = EventErrors),
        (status = 413, description = "Body over the limit (default 8 MiB) or more than 5,000 events.", body = ErrorBody),
        (status = 415, description = "Content-Type is neither application/json nor application/x-ndjson.", body = ErrorBody),
        (status = 422, description = "Invalid events, each named by index, id and field; nothing stored. Among the rules: display names, customer names and subjects at most 200 characters; `queues`, `skills` and `channels` at most 100 entries of at most 128 characters.", body = EventErrors),
        (status = 429, description = "Over the token's request rate; see Retry-After.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "The event log could not be written (the database did not answer within 10 s); nothing stored; retry the same batch. Or the token store is unavailable, or the server is still starting.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
    ),
)]
#[tracing::instrument(skip_all, fields(token))]
pub async fn post_events(
    State(state): State<AppState>,
    IngestCaller(grant): IngestCaller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestOutcome>, ApiError> {
    let metrics = state.ingestor.metrics();
    let refuse = |reason: Refusal, error: ApiError| {
        metrics.refused(reason, 0);
        error
    };
    tracing::Span::current().record("token", grant.name.as_str());
    if !state.limiter.allow(&grant.id) {
        return Err(refuse(
            Refusal::RateLimited,
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "over the ingest rate of {} requests per second for this token; retry after a second",
                    state.config.ingest_rate_per_second
                ),
            )
            .retry_after("1"),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let format = BodyFormat::from_content_type(content_type).ok_or_else(|| {
        refuse(
            Refusal::UnsupportedMediaType,
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "unsupported Content-Type {:?}: send application/json or application/x-ndjson",
                    content_type.unwrap_or("(none)")
                ),
            ),
        )
    })?;
    let limit = state.config.max_body_bytes;
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        refuse(
            Refusal::TooLarge,
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over the limit of {limit} bytes; send smaller batches"),
            ),
        )
    })?;
    let events = parse(format, &bytes).map_err(|e| {
        refuse(
            Refusal::Unparsable,
            ApiError::with_body(
                StatusCode::BAD_REQUEST,
                json!({"error": e.message, "line": e.line, "column": e.column}),
            ),
        )
    })?;
    if events.len() > MAX_BATCH {
        return Err(refuse(
            Refusal::TooLarge,
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "a batch holds at most {MAX_BATCH} events; this one has {}",
                    events.len()
                ),
            ),
        ));
    }
    match state
        .ingestor
        .submit_as(events, grant.queues.as_deref())
        .await
    {
        Ok(outcome) => Ok(Json(outcome)),
        Err(IngestError::Invalid(errors)) => Err(ApiError::with_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "errors": errors }),
        )),
        Err(IngestError::OutsideQueues(errors)) => Err(ApiError::with_body(
            StatusCode::FORBIDDEN,
            json!({
                "error": format!(
                    "{} event(s) of queues this token may not write; nothing of this batch was stored",
                    errors.len()
                ),
                "errors": errors,
            }),
        )),
        Err(e @ IngestError::TooMany(_)) => {
            Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()))
        }
        Err(IngestError::Storage(e)) => {
            tracing::error!(error = %e, "ingest storage failure");
            Err(ApiError::unavailable(&format!(
                "the event log could not be written ({}); nothing of this batch was stored, retry",
                storage_cause(&e)
            )))
        }
    }
}

/// Why the database refused a write, in words a source system's operator can act on. Read from
/// the driver's message (SQLite's and PostgreSQL's texts and codes), since SeaORM folds every
/// cause into one error type; the log line beside it has the whole message.
pub fn storage_cause(error: &sea_orm::DbErr) -> &'static str {
    let text = error.to_string().to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&["disk is full", "no space left", "53100"]) {
        "the database's disk is full"
    } else if has(&["readonly", "read-only", "read only", "25006"]) {
        "the database is read-only"
    } else if has(&["disk i/o error", "input/output error"]) {
        "the database's disk failed to write; it may have turned read-only"
    } else if has(&["database is locked", "database is busy"]) {
        "the database is locked by another program"
    } else if has(&[
        "timed out",
        "connection refused",
        "connection reset",
        "broken pipe",
        "terminating connection",
    ]) {
        "the database did not answer"
    } else {
        "the database refused the write"
    }
}
