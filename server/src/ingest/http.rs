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
use crate::ops::metrics::Refusal;
use crate::state::AppState;

/// Accepts a batch of events; replies only after it is durable.
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
    if !state.limiter.allow(grant.id) {
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
            Err(ApiError::unavailable(
                "the event log could not be written; nothing of this batch was stored, retry",
            ))
        }
    }
}
