//! `GET /api/v1/stream/page`: the Insights page's change feed, for a signed-in supervisor or
//! admin (or a `read` token). It carries no conversation or customer data — only that the log
//! moved (`changed` with the sequence and the newest event time); the page then asks its server
//! function for the numbers of its own filters and queues.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::AppState;

/// Opens a change feed (every queue, no details).
pub async fn page_stream(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    viewer: Option<axum::Extension<app::auth::Viewer>>,
) -> Response {
    if let Err(e) = crate::auth::reader(&state.db, &headers, viewer.as_deref(), None).await {
        return e.into_response();
    }
    let hub = state.hub.clone();
    let subscription = hub.subscribe(None);
    let shutdown = hub.shutdown_signal();
    let open = hub.open_stream();
    let first = Event::default()
        .event("changed")
        .retry(Duration::from_secs(3))
        .data(json!({ "seq": state.ingestor.applied_seq() }).to_string());
    let stream = futures_util::stream::unfold(
        (Some(first), subscription, shutdown, open, false),
        |(mut first, mut sub, mut shutdown, open, done)| async move {
            if let Some(event) = first.take() {
                return Some((
                    Ok::<_, Infallible>(event),
                    (None, sub, shutdown, open, done),
                ));
            }
            if done {
                return None;
            }
            loop {
                if *shutdown.borrow() || sub.overflowed.load(Ordering::Acquire) {
                    // Shutting down, or too slow: say so and let the browser reconnect.
                    let bye = Event::default()
                        .event("shutdown")
                        .data("{}")
                        .retry(Duration::from_secs(1));
                    return Some((Ok(bye), (None, sub, shutdown, open, true)));
                }
                tokio::select! {
                    changed = shutdown.changed() => {
                        if changed.is_err() {
                            return None;
                        }
                    }
                    frame = sub.frames.recv() => {
                        let Some(frame) = frame else { continue };
                        // Tiles and alerts are figures, not changes of the log.
                        let Some(last) = frame.iter().rev().find(|d| !matches!(d.kind, "kpis" | "alert")) else {
                            continue;
                        };
                        let as_of = serde_json::from_str::<serde_json::Value>(&last.data)
                            .ok()
                            .and_then(|v| v.get("as_of").cloned());
                        let event = Event::default()
                            .event("changed")
                            .id(last.seq.to_string())
                            .data(json!({ "seq": last.seq, "as_of": as_of }).to_string());
                        return Some((Ok(event), (None, sub, shutdown, open, false)));
                    }
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
