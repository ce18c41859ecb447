//! Who is calling: API tokens presented as `Authorization: Bearer …` (or, for browsers'
//! EventSource, which cannot set headers, as `?access_token=…`).

pub mod embed;
pub mod login_limit;
pub mod security;
pub mod session;

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
    /// A signed-in person whose role or queues do not reach this.
    #[error("{}", .0.message())]
    Denied(app::auth::Denied),
}

/// Who reads, and the queues they may see (`None`: every queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// The token's name or the person's login (for logs).
    pub name: String,
    /// The queues they may see.
    pub queues: Option<Vec<String>>,
}

/// The reader of a request: an API token with the `read` scope (header, or `access_token` for
/// EventSource), else the signed-in supervisor or admin of the request's session.
pub async fn reader(
    db: &DatabaseConnection,
    headers: &HeaderMap,
    viewer: Option<&app::auth::Viewer>,
    access_token: Option<&str>,
) -> Result<Reader, AuthError> {
    let token = headers.contains_key(header::AUTHORIZATION)
        || access_token.is_some_and(|t| !t.trim().is_empty());
    match viewer {
        Some(viewer) if !token => viewer
            .supervisor_scope()
            .map(|queues| Reader {
                name: viewer.login.clone(),
                queues,
            })
            .map_err(AuthError::Denied),
        _ => bearer_or_query(db, headers, access_token, Scope::Read)
            .await
            .map(|grant| Reader {
                name: grant.name,
                queues: grant.queues,
            }),
    }
}

/// The grant of the request's bearer token, if it carries `scope`.
pub async fn bearer(
    db: &DatabaseConnection,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<TokenGrant, AuthError> {
    let token = bearer_token(headers).ok_or(AuthError::Missing)?;
    grant(db, token, scope).await
}

/// The token of the request's `Authorization: Bearer …` header, if it has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
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
