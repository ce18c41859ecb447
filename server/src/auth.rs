//! Who is calling: API tokens presented as `Authorization: Bearer …`.

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
