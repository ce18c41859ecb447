//! `POST /api/v1/conversations/{id}/actions`: a supervisor action for integrations, with a
//! token of the `act` scope (limited to its queues like every token).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;

use super::{Actor, Done, Failure};
use crate::http::caller::ActCaller;
use crate::http::error::ApiError;
use crate::http::openapi::ErrorBody;
use crate::state::AppState;
use app::error::AppError;
use app::ongoing::ActionRequest;

/// Carries out one action on a conversation.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/actions",
    operation_id = "postConversationAction",
    tag = "actions",
    summary = "A supervisor action on a conversation",
    description = "One of `monitor`, `stop_monitoring`, `join`, `message` (`text`, once joined), `whisper` (`text`, to the agent only), `assign` (`agent_id`, an open conversation), `transfer` (`agent_id` or `queue_id`, an active or waiting one), `force_close` (`reason`), `resolve_escalation`. Written as events through the ingest path (`by: \"supervisor\"`) with an audit record, in one transaction. With `expected_state` (the state token a row of the stream carries as its status, agent, queue and escalation), the action is refused with 409 when the conversation changed since. The token's name is the supervisor the events and the audit log name.",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The conversation id.")),
    request_body(content = serde_json::Value, description = "`{\"action\": \"assign\", \"agent_id\": \"a1\", \"expected_state\": \"open/-/q1/-\"}`"),
    responses(
        (status = 200, description = "done", body = Done),
        (status = 400, description = "The body is not an action.", body = ErrorBody),
        (status = 401, description = "The token is missing, unknown or revoked.", body = ErrorBody),
        (status = 403, description = "The token lacks the `act` scope, or the admin switched the action off.", body = ErrorBody),
        (status = 404, description = "No ongoing conversation of that id in the token's queues.", body = ErrorBody),
        (status = 409, description = "The conversation changed since `expected_state`, or closed.", body = ErrorBody),
        (status = 413, description = "The body is over 64 KiB.", body = ErrorBody),
        (status = 422, description = "Not possible in its state, or an agent or queue that may not take it, or a bad text.", body = ErrorBody),
        (status = 503, description = "The log or the settings could not be read or written; nothing changed.", body = ErrorBody),
    ),
)]
pub async fn post_action(
    State(state): State<AppState>,
    ActCaller(grant): ActCaller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Done>, ApiError> {
    let request: ActionRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::with_body(
            StatusCode::BAD_REQUEST,
            json!({"error": format!("the body is not an action: {e}")}),
        )
    })?;
    let actor = Actor {
        login: grant.name.clone(),
        audit_name: format!("token:{}", grant.name),
        scope: grant.queues.clone(),
    };
    match state.actions().perform(&actor, &id, request).await {
        Ok(done) => Ok(Json(done)),
        Err(Failure::Refused(refusal)) => {
            let status = StatusCode::from_u16(refusal.kind.status())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let message = AppError::problem(None, &refusal.problem).to_string();
            Err(ApiError::with_body(
                status,
                json!({"error": message, "reason": refusal.kind}),
            ))
        }
        Err(Failure::Unavailable) => Err(ApiError::unavailable(
            "the action could not be carried out now; nothing changed, retry",
        )
        .retry_after("2")),
    }
}
