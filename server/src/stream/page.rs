//! `GET /api/v1/stream/page`: the Insights page's change feed, for a signed-in supervisor or
//! admin (or a `read` token). It carries no conversation or customer data — only that the log
//! moved in the caller's queues (`changed` with the sequence and the newest event time); the
//! page then asks its server function for the numbers of its own filters and queues. Like the
//! delta stream it is scoped, capped per caller and ends (`unauthorized`) when its caller may no
//! longer read.

use crate::http::caller::ReadCaller;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::openapi::{ErrorBody, SseText};
use crate::state::AppState;

/// One page feed's state.
struct Feed {
    sub: super::hub::Subscription,
    shutdown: tokio::sync::watch::Receiver<bool>,
    recheck: super::sse::Recheck,
    scope: super::Scope,
    _open: super::hub::OpenStream,
}

/// Opens a change feed (every queue, no details).
#[utoipa::path(
    get,
    path = "/api/v1/stream/page",
    operation_id = "pageStream",
    tag = "streams",
    summary = "The Insights page's change feed (SSE)",
    description = "`changed` events with the log sequence (`seq`) and the newest event time (`as_of`), no conversation data; the page then refetches its own figures. Scoped like `/api/v1/stream`: a change in another queue is not announced. A stream checks its caller again every 5 s and when sessions, users or tokens change, and ends with an `unauthorized` event when the caller may no longer read it.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "an endless event stream", body = inline(SseText), content_type = "text/event-stream"),
        (status = 401, description = "Not signed in, and the token is missing, unknown or revoked.", body = ErrorBody),
        (status = 403, description = "The person or token may not read.", body = ErrorBody),
        (status = 429, description = "The caller (a person or token) or the server holds as many live streams as allowed (`stream_max_per_caller`, default 20; `stream_max`, default 5,000), or the caller opens streams and asks the read API faster than `read_rate` (default 20 a second, bursts of 40); see Retry-After.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "The token store is unavailable, or the server is still starting; retry.", body = ErrorBody),
    ),
)]
pub async fn page_stream(
    State(state): State<AppState>,
    ReadCaller(grant): ReadCaller,
    headers: axum::http::HeaderMap,
    session: Option<axum::Extension<crate::auth::session::SessionToken>>,
) -> Response {
    let open = match super::sse::open_slot(&state, &grant.name) {
        Ok(open) => open,
        Err(refused) => return refused.into_response(),
    };
    let caller = super::caller::Caller::of(&headers, None, session.as_deref());
    let recheck = super::sse::Recheck::new(&state, caller);
    feed(&state, grant.queues, recheck, open)
}

/// `GET /api/v1/stream/my`: the My dashboard's change feed for a person working as an agent.
#[utoipa::path(
    get,
    path = "/api/v1/stream/my",
    operation_id = "myStream",
    tag = "streams",
    summary = "The My dashboard's change feed (SSE), for a person linked to an agent",
    description = "Like `/api/v1/stream/page`, for the signed-in person's own work: `changed` events when the log moved in their agent's queues or for their agent, no conversation data; the dashboard then asks for its lists. Sessions only (no token): it follows a person. Ends with an `unauthorized` event when the session ends or is no longer linked to that agent, and with a `shutdown` event (connect again) when the agent's queues change.",
    responses(
        (status = 200, description = "an endless event stream", body = inline(SseText), content_type = "text/event-stream"),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "The person is not linked to an agent.", body = ErrorBody),
        (status = 429, description = "The person or the server holds as many live streams as allowed; see Retry-After.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
    ),
)]
pub async fn my_stream(
    State(state): State<AppState>,
    viewer: Option<axum::Extension<app::auth::Viewer>>,
    session: Option<axum::Extension<crate::auth::session::SessionToken>>,
) -> Response {
    let (Some(viewer), Some(session)) = (viewer, session) else {
        return crate::auth::AuthError::Missing.into_response();
    };
    let Some(agent) = viewer.agent_id.clone() else {
        return (
            axum::http::StatusCode::FORBIDDEN,
            axum::Json(
                json!({"error": "you are not linked to an agent, so you have no work of your own"}),
            ),
        )
            .into_response();
    };
    let open = match super::sse::open_slot(&state, &viewer.login) {
        Ok(open) => open,
        Err(refused) => return refused.into_response(),
    };
    // The agent's queues as the log knows them when the feed opens (an agent not yet in the
    // log has none and hears nothing); when they change the feed ends and the page connects
    // again with the new ones.
    let queues = super::sse::agent_queues(&state.ingestor, &agent).await;
    let caller = super::caller::Caller::Agent {
        session: session.0.0.clone(),
        agent: agent.clone(),
    };
    let recheck = super::sse::Recheck::for_agent(&state, caller, agent);
    feed(&state, Some(queues), recheck, open)
}

/// The change feed of `scope`: `changed` each time a delta of it arrives.
fn feed(
    state: &AppState,
    scope: super::Scope,
    recheck: super::sse::Recheck,
    open: super::hub::OpenStream,
) -> Response {
    let hub = state.hub.clone();
    let subscription = hub.subscribe(scope.clone());
    let shutdown = hub.shutdown_signal();
    let first = Event::default()
        .event("changed")
        .retry(Duration::from_secs(3))
        .data(json!({ "seq": state.ingestor.applied_seq() }).to_string());
    let feed = Feed {
        sub: subscription,
        shutdown,
        recheck,
        scope,
        _open: open,
    };
    let stream = futures_util::stream::unfold(
        (Some(first), feed, false),
        |(mut first, mut feed, done)| async move {
            if let Some(event) = first.take() {
                return Some((Ok::<_, Infallible>(event), (None, feed, done)));
            }
            if done {
                return None;
            }
            let Feed {
                sub,
                shutdown,
                recheck,
                scope,
                ..
            } = &mut feed;
            loop {
                if *shutdown.borrow() || sub.overflowed.load(Ordering::Acquire) {
                    // Shutting down, or too slow: say so and let the browser reconnect.
                    let bye = Event::default()
                        .event("shutdown")
                        .data("{}")
                        .retry(Duration::from_secs(1));
                    return Some((Ok(bye), (None, feed, true)));
                }
                tokio::select! {
                    changed = shutdown.changed() => {
                        if changed.is_err() {
                            return None;
                        }
                    }
                    () = recheck.due() => {
                        if !recheck.allowed(scope).await {
                            let bye = Event::default()
                                .event("unauthorized")
                                .data(super::sse::UNAUTHORIZED);
                            return Some((Ok(bye), (None, feed, true)));
                        }
                        if recheck.queues_moved(scope).await {
                            // The browser connects again (and refetches) with the new queues.
                            let bye = Event::default()
                                .event("shutdown")
                                .data("{}")
                                .retry(Duration::from_secs(1));
                            return Some((Ok(bye), (None, feed, true)));
                        }
                    }
                    frame = sub.frames.recv() => {
                        let Some(frame) = frame else { continue };
                        // Tiles and alerts are figures, not changes of the log; another
                        // queue's change is none of this caller's business.
                        let Some(last) = frame.iter().rev().find(|d| {
                            !matches!(d.kind, "kpis" | "alert") && d.visible_to(scope)
                        }) else {
                            continue;
                        };
                        let as_of = serde_json::from_str::<serde_json::Value>(&last.data)
                            .ok()
                            .and_then(|v| v.get("as_of").cloned());
                        let event = Event::default()
                            .event("changed")
                            .id(last.seq.to_string())
                            .data(json!({ "seq": last.seq, "as_of": as_of }).to_string());
                        return Some((Ok(event), (None, feed, false)));
                    }
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
