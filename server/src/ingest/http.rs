//! `POST /api/v1/events`: the HTTP face of [`super::Ingestor`], with every status EVENTS.md lists.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::body::{BodyFormat, parse};
use super::{IngestError, MAX_BATCH};
use crate::auth::{self, AuthError};
use crate::http::AppState;
use crate::metrics::Refusal;
use crate::store::tokens::Scope;

/// Accepts a batch of events; replies only after it is durable.
#[tracing::instrument(skip_all, fields(token))]
pub async fn post_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let metrics = state.ingestor.metrics();
    let grant = match auth::bearer(&state.db, &headers, Scope::Ingest).await {
        Ok(grant) => grant,
        Err(e) => {
            let reason = match e {
                AuthError::Missing | AuthError::Unknown => Refusal::Unauthorized,
                AuthError::Forbidden(_) | AuthError::Denied(_) => Refusal::Forbidden,
                AuthError::Storage => Refusal::Storage,
            };
            metrics.refused(reason, 0);
            return e.into_response();
        }
    };
    tracing::Span::current().record("token", grant.name.as_str());
    if !state.limiter.allow(grant.id) {
        metrics.refused(Refusal::RateLimited, 0);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "over the ingest rate of {} requests per second for this token; retry after a second",
                state.config.ingest_rate_per_second
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(format) = BodyFormat::from_content_type(content_type) else {
        metrics.refused(Refusal::UnsupportedMediaType, 0);
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported Content-Type {:?}: send application/json or application/x-ndjson",
                content_type.unwrap_or("(none)")
            ),
        );
    };
    let limit = state.config.max_body_bytes;
    let Ok(bytes) = to_bytes(body, limit).await else {
        metrics.refused(Refusal::TooLarge, 0);
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over the limit of {limit} bytes; send smaller batches"),
        );
    };
    let events = match parse(format, &bytes) {
        Ok(events) => events,
        Err(e) => {
            metrics.refused(Refusal::Unparsable, 0);
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": e.message, "line": e.line, "column": e.column})),
            )
                .into_response();
        }
    };
    if events.len() > MAX_BATCH {
        metrics.refused(Refusal::TooLarge, 0);
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a batch holds at most {MAX_BATCH} events; this one has {}",
                events.len()
            ),
        );
    }
    match state
        .ingestor
        .submit_as(events, grant.queues.as_deref())
        .await
    {
        Ok(outcome) => (StatusCode::OK, Json(outcome)).into_response(),
        Err(IngestError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "errors": errors })),
        )
            .into_response(),
        Err(IngestError::OutsideQueues(errors)) => (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": format!(
                    "{} event(s) of queues this token may not write; nothing of this batch was stored",
                    errors.len()
                ),
                "errors": errors,
            })),
        )
            .into_response(),
        Err(e @ IngestError::TooMany(_)) => error(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
        Err(IngestError::Storage(e)) => {
            tracing::error!(error = %e, "ingest storage failure");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the event log could not be written; nothing of this batch was stored, retry"
                    .into(),
            )
        }
    }
}

/// `{"error": message}` with a status.
pub fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = match self {
            AuthError::Missing | AuthError::Unknown => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
            AuthError::Denied(d) => {
                StatusCode::from_u16(d.status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            AuthError::Storage => StatusCode::SERVICE_UNAVAILABLE,
        };
        let mut response = error(status, self.to_string());
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
