//! `GET /api/v1/stream`: one subscriber's deltas as Server-Sent Events.
//!
//! A fresh connection starts with a `snapshot`; one resuming with `Last-Event-ID` (or
//! `?last_event_id=`) gets the buffered deltas after it, or a `resync` snapshot when it is
//! further behind than the buffer. Several deltas may share a sequence (a conversation and its
//! agent): only the last of them carries the id, so a client cut off among them gets them all
//! again. On shutdown every stream ends with a `shutdown` event and a short `retry`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::watch;

use super::caller::{Caller, RECHECK};
use super::frame::{event, render};
use super::hub::{OpenStream, StreamLimit, Subscription};
use super::{Hub, Scope, views};
use crate::auth;
use crate::http::error::ApiError;
use crate::http::openapi::{ErrorBody, SseText};
use crate::ingest::Ingestor;
use crate::state::AppState;

/// How long a browser waits before reconnecting after a dropped stream.
const RETRY: Duration = Duration::from_secs(3);
/// After a `shutdown` event: reconnect soon (to another replica).
const RETRY_AFTER_SHUTDOWN: Duration = Duration::from_secs(1);
/// Comment lines that keep idle connections (and proxies) open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The query parameters browsers use in place of headers.
#[derive(Debug, Default, Deserialize)]
pub struct StreamQuery {
    /// The API token.
    access_token: Option<String>,
    /// Resume after this sequence (as the `Last-Event-ID` header).
    last_event_id: Option<String>,
}

/// Opens the caller's stream (token with the `read` scope; deltas of its queues only).
#[utoipa::path(
    get,
    path = "/api/v1/stream",
    operation_id = "stream",
    tag = "streams",
    summary = "The live stream of deltas (Server-Sent Events), scoped to the token's queues, resumable with Last-Event-ID",
    description = "Events: `snapshot` (first event of a fresh connection: every live conversation and agent in scope), `conversation` (a conversation's state), `agent` (an agent with `capacity_used` and `capacity_free`), `resync` (a snapshot in place of deltas that cannot be replayed: the client was too far behind or too slow), `shutdown` (the server is stopping; reconnect, `retry: 1000`). Every payload carries `seq` (the log sequence of the event that caused it, the SSE id, equal on every replica) and `as_of` (the time of the newest event applied). Deltas sharing a sequence carry the id on the last of them. Comment lines keep the connection alive every 15 s. A stream checks its caller again every 5 s and when sessions, users or tokens change, and ends with an `unauthorized` event when the caller may no longer read it.",
    security(("bearer" = []), ("access_token" = [])),
    params(
        ("Last-Event-ID" = Option<i64>, Header, nullable = false, description = "Resume after this sequence: the buffered deltas after it are sent first, or a `resync` snapshot when it is older than the buffer."),
        ("last_event_id" = Option<i64>, Query, nullable = false, description = "As the Last-Event-ID header."),
        ("access_token" = Option<String>, Query, nullable = false, description = "The API token, when no Authorization header can be sent."),
    ),
    responses(
        (status = 200, description = "The stream; it ends only with a `shutdown` event or a dropped connection.", body = inline(SseText), content_type = "text/event-stream"),
        (status = 401, description = "Token missing, unknown or revoked.", body = ErrorBody),
        (status = 403, description = "The token has no read scope.", body = ErrorBody),
        (status = 429, description = "The caller (a person or token) or the server holds as many live streams as allowed (`stream_max_per_caller`, default 20; `stream_max`, default 5,000), or the caller opens streams and asks the read API faster than `read_rate` (default 20 a second, bursts of 40); see Retry-After.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "The token store is unavailable, or the server is still starting; retry.", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(reader))]
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<axum::Extension<app::auth::Viewer>>,
    session: Option<axum::Extension<crate::auth::session::SessionToken>>,
    Query(query): Query<StreamQuery>,
) -> Response {
    let grant = match auth::reader(
        &state.db,
        &headers,
        viewer.as_deref(),
        query.access_token.as_deref(),
    )
    .await
    {
        Ok(grant) => grant,
        Err(e) => return e.into_response(),
    };
    tracing::Span::current().record("reader", grant.name.as_str());
    let open = match open_slot(&state, &grant.name) {
        Ok(open) => open,
        Err(refused) => return refused.into_response(),
    };
    let caller = Caller::of(&headers, query.access_token.as_deref(), session.as_deref());
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.last_event_id.as_deref())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let client = Client::start(
        state.hub.clone(),
        state.ingestor.clone(),
        grant.queues,
        last,
        Recheck::new(&state, caller),
        open,
    )
    .await;
    // The SSE text is written here rather than with axum's `Sse`, so that a frame rendered once
    // for a scope goes to every subscriber of that scope as the same bytes, in one write.
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(futures_util::stream::unfold(client, Client::next)),
    )
        .into_response()
}

/// A stream slot for `caller` within the caller's read rate and the server's and the caller's
/// caps; else the 429 that refuses it.
pub(super) fn open_slot(state: &AppState, caller: &str) -> Result<OpenStream, ApiError> {
    crate::http::caller::within_read_rate(state, caller)?;
    state
        .hub
        .try_open(
            caller,
            state.config.stream_max,
            state.config.stream_max_per_caller,
        )
        .map_err(too_many)
}

/// The 429 (with `Retry-After`) that refuses a stream over a cap.
fn too_many(limit: StreamLimit) -> ApiError {
    let message = match limit {
        StreamLimit::Server(n) => {
            format!("this server holds its most live streams ({n}); retry shortly")
        }
        StreamLimit::Caller(n) => {
            format!("you have {n} live streams open, the most one person or token may; close one")
        }
    };
    ApiError::new(axum::http::StatusCode::TOO_MANY_REQUESTS, message).retry_after("5")
}

/// Checks a stream's caller again every [`RECHECK`] and whenever the hub says callers changed.
pub(super) struct Recheck {
    db: sea_orm::DatabaseConnection,
    caller: Option<Caller>,
    changed: watch::Receiver<u64>,
    next: tokio::time::Instant,
    /// An agent's feed follows the agent's queues: the ledger, and the agent.
    follows: Option<(std::sync::Arc<crate::ingest::Ingestor>, String)>,
}

impl Recheck {
    pub(super) fn new(state: &AppState, caller: Option<Caller>) -> Recheck {
        Recheck {
            db: state.db.clone(),
            caller,
            changed: state.hub.callers_signal(),
            next: tokio::time::Instant::now() + RECHECK,
            follows: None,
        }
    }

    /// The recheck of an agent's feed, which also notices when the agent's queues change.
    pub(super) fn for_agent(state: &AppState, caller: Caller, agent: String) -> Recheck {
        Recheck {
            follows: Some((state.ingestor.clone(), agent)),
            ..Recheck::new(state, Some(caller))
        }
    }

    /// Whether the agent this feed follows now has other queues than `scope` (the feed then
    /// ends so that the browser connects again with the new ones).
    pub(super) async fn queues_moved(&self, scope: &Scope) -> bool {
        let Some((ingestor, agent)) = &self.follows else {
            return false;
        };
        let now = agent_queues(ingestor, agent).await;
        scope.as_ref() != Some(&now)
    }

    /// Waits until the caller should be checked again.
    pub(super) async fn due(&mut self) {
        tokio::select! {
            changed = self.changed.changed() => {
                if changed.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            () = tokio::time::sleep_until(self.next) => {}
        }
    }

    /// Whether the caller may still read `scope`.
    pub(super) async fn allowed(&mut self, scope: &Scope) -> bool {
        self.next = tokio::time::Instant::now() + RECHECK;
        match &self.caller {
            Some(caller) => caller.still_reads(&self.db, scope).await,
            None => true,
        }
    }
}

/// `agent`'s queues as the log knows them now, sorted (none while the log does not know it).
pub(super) async fn agent_queues(ingestor: &crate::ingest::Ingestor, agent: &str) -> Vec<String> {
    ingestor
        .with_ledger(|l| {
            let mut q = l.agent(agent).map(|a| a.queues.clone()).unwrap_or_default();
            q.sort();
            q
        })
        .await
}

/// The last words of a stream whose caller lost the right to it.
pub(super) const UNAUTHORIZED: &str =
    r#"{"error":"your sign-in or token no longer allows this stream; sign in again"}"#;

/// One subscriber's stream state.
struct Client {
    hub: Arc<Hub>,
    ingestor: Arc<Ingestor>,
    scope: Scope,
    subscription: Subscription,
    pending: VecDeque<Bytes>,
    shutdown: watch::Receiver<bool>,
    done: bool,
    recheck: Recheck,
    _open: OpenStream,
}

impl Client {
    async fn start(
        hub: Arc<Hub>,
        ingestor: Arc<Ingestor>,
        scope: Scope,
        last: Option<i64>,
        recheck: Recheck,
        open: OpenStream,
    ) -> Client {
        let mut pending = VecDeque::from([message("", "", None, Some(RETRY))]);
        let subscription = match last.and_then(|n| hub.resume(n, scope.clone())) {
            Some(subscription) => {
                pending.push_back(render(&subscription.replay, &scope));
                subscription
            }
            None => {
                let kind = if last.is_some() { "resync" } else { "snapshot" };
                let (subscription, event) = snapshot(&hub, &ingestor, &scope, kind).await;
                pending.push_back(event);
                subscription
            }
        };
        Client {
            _open: open,
            recheck,
            shutdown: hub.shutdown_signal(),
            hub,
            ingestor,
            scope,
            subscription,
            pending,
            done: false,
        }
    }

    /// The next SSE text (one or more messages), or the end of the stream.
    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Client)> {
        loop {
            if let Some(text) = self.pending.pop_front() {
                if text.is_empty() {
                    continue;
                }
                return Some((Ok(text), self));
            }
            if self.done {
                return None;
            }
            let stopping = *self.shutdown.borrow();
            if stopping {
                self.pending
                    .push_back(message("shutdown", "{}", None, Some(RETRY_AFTER_SHUTDOWN)));
                self.done = true;
                continue;
            }
            if self.subscription.overflowed.load(Ordering::Acquire) {
                let (subscription, event) =
                    snapshot(&self.hub, &self.ingestor, &self.scope, "resync").await;
                self.subscription = subscription;
                self.pending.push_back(event);
                continue;
            }
            tokio::select! {
                changed = self.shutdown.changed() => {
                    // The hub is gone only when the server is.
                    self.done = changed.is_err();
                }
                () = tokio::time::sleep(KEEP_ALIVE) => {
                    // A comment line keeps idle connections (and proxies) open.
                    self.pending.push_back(Bytes::from_static(b":\n\n"));
                }
                () = self.recheck.due() => {
                    if !self.recheck.allowed(&self.scope).await {
                        self.pending.push_back(message("unauthorized", UNAUTHORIZED, None, None));
                        self.done = true;
                    }
                }
                frame = self.subscription.frames.recv() => match frame {
                    Some(frame) => self.pending.push_back(frame.sse(&self.scope)),
                    // Dropped by the hub: overflowed (resync on the next turn) or shut down.
                    None => self.done = !self.subscription.overflowed.load(Ordering::Acquire),
                },
            }
        }
    }
}

/// Subscribes and takes a snapshot at the same log position (under the writer's lock).
async fn snapshot(
    hub: &Hub,
    ingestor: &Ingestor,
    scope: &Scope,
    kind: &'static str,
) -> (Subscription, Bytes) {
    // Subscribed and copied at the same log position under the writer's lock; the JSON is
    // written after it is released.
    let (subscription, seq, copy) = ingestor
        .with_ledger_at(|ledger, seq| {
            (
                hub.subscribe(scope.clone()),
                seq,
                views::SnapshotCopy::take(ledger, &hub.board(), scope),
            )
        })
        .await;
    let data = copy.to_json(seq);
    (subscription, message(kind, &data, Some(seq), None))
}

/// One SSE message as bytes.
fn message(kind: &str, data: &str, id: Option<i64>, retry: Option<Duration>) -> Bytes {
    let mut out = String::new();
    let retry = retry.map(|r| r.as_millis() as u64);
    event(&mut out, kind, data, id, retry);
    Bytes::from(out)
}
