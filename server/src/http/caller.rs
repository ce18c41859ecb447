//! Who is calling the JSON API, as axum extractors, so a handler names the caller it needs in
//! its arguments and an unauthorised request never reaches its body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{self, Reader};
use crate::http::error::ApiError;
use crate::ops::metrics::Refusal;
use crate::state::AppState;
use crate::store::tokens::{Scope, TokenGrant};

/// A reader: a token with the `read` scope (header), else the signed-in supervisor or admin
/// of the request's session; with the queues they may see.
pub struct ReadCaller(pub Reader);

impl FromRequestParts<AppState> for ReadCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let viewer = parts.extensions.get::<app::auth::Viewer>();
        let reader = auth::reader(&state.db, &parts.headers, viewer, None).await?;
        within_read_rate(state, &reader.name)?;
        Ok(Self(reader))
    }
}

/// Takes one read-API question or stream open from the reader's bucket (`read_rate`); 429
/// with `Retry-After` when it is empty. Each question is bounded on its own (filters, history
/// range), but many of them back to back share the cores with ingest.
pub fn within_read_rate(state: &AppState, reader: &str) -> Result<(), ApiError> {
    if state.read_limiter.allow(reader) {
        return Ok(());
    }
    Err(ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        format!(
            "over the read rate of {} questions per second for one token or person; retry after a second",
            state.config.read_rate_per_second
        ),
    )
    .retry_after("1"))
}

/// A writer of events: a token with the `ingest` scope. A refusal is counted in the ingest
/// metrics like every other refused batch.
pub struct IngestCaller(pub TokenGrant);

impl FromRequestParts<AppState> for IngestCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match auth::bearer(&state.db, &parts.headers, Scope::Ingest).await {
            Ok(grant) => Ok(Self(grant)),
            Err(e) => {
                let reason = match e {
                    auth::AuthError::Missing | auth::AuthError::Unknown => Refusal::Unauthorized,
                    auth::AuthError::Forbidden(_) | auth::AuthError::Denied(_) => {
                        Refusal::Forbidden
                    }
                    auth::AuthError::Storage => Refusal::Storage,
                };
                state.ingestor.metrics().refused(reason, 0);
                Err(e.into())
            }
        }
    }
}

/// An integration acting on conversations: a token with the `act` scope, with its queues.
pub struct ActCaller(pub TokenGrant);

impl FromRequestParts<AppState> for ActCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self(
            auth::bearer(&state.db, &parts.headers, Scope::Act).await?,
        ))
    }
}

/// A scraper of the metrics: a token with the `metrics` scope, or anyone when the settings
/// open them (`metrics_open`).
pub struct MetricsCaller;

impl FromRequestParts<AppState> for MetricsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !state.config.metrics_open {
            auth::bearer(&state.db, &parts.headers, Scope::Metrics).await?;
        }
        Ok(Self)
    }
}
