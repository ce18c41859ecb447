//! Who is calling: API tokens presented as `Authorization: Bearer …` (or, for browsers'
//! EventSource, which cannot set headers, as `?access_token=…`).

use axum::http::{HeaderMap, header};
use sea_orm::DatabaseConnection;

use crate::store::tokens::{self, Scope, TokenGrant};

/// Why a request is not authorised.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No bearer token.
    #[error("missing API token: send Authorization: Bearer <token>")]
    Missing,
    /// The token is unknown or revoked.
    #[error("unknown or revoked API token")]
    Unknown,
    /// The token lacks the scope.
    #[error("this token has no {0} scope")]
    Forbidden(&'static str),
    /// The token store did not answer.
    #[error("the token store is unavailable; retry")]
    Storage,
}

/// The grant of the request's bearer token, if it carries `scope`.
pub async fn bearer(
    db: &DatabaseConnection,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<TokenGrant, AuthError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::Missing)?;
    grant(db, token, scope).await
}

/// The grant of the request's bearer token, else of the `access_token` query parameter, if it
/// carries `scope`.
pub async fn bearer_or_query(
    db: &DatabaseConnection,
    headers: &HeaderMap,
    access_token: Option<&str>,
    scope: Scope,
) -> Result<TokenGrant, AuthError> {
    match (headers.contains_key(header::AUTHORIZATION), access_token) {
        (false, Some(token)) if !token.trim().is_empty() => grant(db, token.trim(), scope).await,
        _ => bearer(db, headers, scope).await,
    }
}

async fn grant(
    db: &DatabaseConnection,
    token: &str,
    scope: Scope,
) -> Result<TokenGrant, AuthError> {
    let grant = tokens::find(db, token)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "token lookup failed");
            AuthError::Storage
        })?
        .ok_or(AuthError::Unknown)?;
    if grant.allows(scope) {
        Ok(grant)
    } else {
        Err(AuthError::Forbidden(scope.as_str()))
    }
}
