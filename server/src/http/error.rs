//! The one error answer of the JSON API: a status and `{"error": …}` (with the field it names,
//! the line and column of a body that does not parse, or the events that failed), so every
//! handler returns `Result<_, ApiError>` and shapes no error response by hand.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::AuthError;

/// A refused API request.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    retry_after: Option<&'static str>,
}

impl ApiError {
    /// `{"error": message}` with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self::with_body(status, json!({ "error": message.into() }))
    }

    /// 400 naming the bad parameter: `{"error": "field: message", "field": field}`.
    pub fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::with_body(
            StatusCode::BAD_REQUEST,
            json!({"error": format!("{field}: {message}"), "field": field}),
        )
    }

    /// A body of its own: the failed events of a 422, the line and column of a body that does
    /// not parse.
    pub fn with_body(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            retry_after: None,
        }
    }

    /// 503: the database did not answer (the cause is logged, not shown).
    pub fn unavailable(message: &str) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// Adds `Retry-After: seconds`.
    pub fn retry_after(mut self, seconds: &'static str) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        let status = match e {
            AuthError::Missing | AuthError::Unknown => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
            AuthError::Denied(d) => {
                StatusCode::from_u16(d.status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            AuthError::Storage => StatusCode::SERVICE_UNAVAILABLE,
        };
        Self::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // Every 503 says when to retry: a sender retrying after a second finds the service
        // back as soon as the database is.
        let retry_after = self
            .retry_after
            .or((self.status == StatusCode::SERVICE_UNAVAILABLE).then_some("1"));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}
