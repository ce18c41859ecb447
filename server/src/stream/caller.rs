//! Who holds a live stream open, checked again while it runs: a stream outlives the request
//! that opened it, so a revoked token, an ended session, a deleted user or changed queues must
//! end it too (with an `unauthorized` event), not only the next request.

use std::time::Duration;

use axum::http::HeaderMap;
use sea_orm::DatabaseConnection;

use super::Scope;
use crate::store::{sessions, tokens};

/// How often an open stream checks its caller even when nothing here said it changed (a
/// change made through another replica, or a session that expired).
pub const RECHECK: Duration = Duration::from_secs(5);

/// The credential a stream was opened with.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A signed-in person's session token.
    Session(String),
    /// An API token.
    Token(String),
    /// A signed-in person's session, working as an agent (the My dashboard's feed).
    Agent {
        /// The session token.
        session: String,
        /// The agent they work as.
        agent: String,
    },
}

impl Caller {
    /// The credential `auth::reader` accepted for this request: a bearer token or
    /// `access_token`, else the session.
    pub fn of(
        headers: &HeaderMap,
        access_token: Option<&str>,
        session: Option<&crate::auth::session::SessionToken>,
    ) -> Option<Caller> {
        let bearer = crate::auth::bearer_token(headers).map(str::to_owned);
        let query = access_token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        match (bearer.or(query), session) {
            (Some(token), _) => Some(Caller::Token(token)),
            (None, Some(s)) => Some(Caller::Session(s.0.clone())),
            (None, None) => None,
        }
    }

    /// Whether the caller may still read exactly `scope`. A database that does not answer
    /// keeps the stream: it was allowed, and an outage must not close every screen.
    pub async fn still_reads(&self, db: &DatabaseConnection, scope: &Scope) -> bool {
        let allowed = match self {
            Caller::Session(token) => sessions::find(db, token).await.map(|viewer| {
                viewer.is_some_and(|v| v.supervisor_scope().is_ok_and(|s| s == *scope))
            }),
            Caller::Agent { session, agent } => sessions::find(db, session)
                .await
                .map(|viewer| viewer.is_some_and(|v| v.agent_id.as_deref() == Some(agent))),
            Caller::Token(token) => tokens::find(db, token).await.map(|grant| {
                grant.is_some_and(|g| g.allows(tokens::Scope::Read) && g.queues == *scope)
            }),
        };
        allowed.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a stream's caller could not be checked; kept");
            true
        })
    }
}
