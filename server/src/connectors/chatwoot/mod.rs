//! Chatwoot: `POST /api/v1/connectors/chatwoot/{connector_id}`, the webhook URL an admin pastes
//! into Chatwoot (Settings → Integrations → Webhooks). Signed deliveries are checked
//! (`sign.rs`), payloads read leniently (`payload.rs`) and mapped from the ledger (`map.rs`).
//!
//! Chatwoot does not retry a delivery that failed, so a payload that was read is always
//! answered 200 (what became of it is in the body and on the admin page); only a delivery that
//! cannot be trusted or read at all is refused.

pub mod carry;
pub mod map;
pub mod payload;
pub mod sign;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::{MAX_BODY_BYTES, Receipt, deliver_chatwoot, record};
use crate::http::error::ApiError;
use crate::http::openapi::ErrorBody;
use crate::state::AppState;
use crate::store;

/// What became of a delivery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryAnswer {
    /// `mapped` (its events were stored, or were already), `ignored` (nothing to record) or
    /// `dead_letter` (kept aside with the reason, on the admin's Connectors page).
    pub outcome: String,
    /// Events newly stored.
    pub accepted: usize,
    /// Events already stored.
    pub duplicates: usize,
    /// Why it was ignored or kept aside.
    pub detail: String,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receives one Chatwoot webhook delivery.
#[utoipa::path(
    post,
    path = "/api/v1/connectors/chatwoot/{connector_id}",
    operation_id = "chatwootWebhook",
    tag = "connectors",
    summary = "Receive a Chatwoot webhook delivery",
    description = "The URL to paste into Chatwoot's webhook settings; `connector_id` is the random key `intraday connector add chatwoot` printed (it is a secret). A delivery must carry `X-Chatwoot-Timestamp` (Unix seconds, within 5 minutes of the server's clock) and `X-Chatwoot-Signature: sha256=` and the hex HMAC-SHA256, with the connector's secret, of the timestamp, a dot and the body, unless the connector accepts unsigned deliveries. Every readable delivery is answered 200: its events stored, ignored, or kept aside for the admin.",
    params(("connector_id" = String, Path, description = "The connector's key.")),
    request_body(content = serde_json::Value, content_type = "application/json"),
    responses(
        (status = 200, description = "Read: mapped, ignored or kept aside.", body = DeliveryAnswer),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "Signature missing, stale or not matching.", body = ErrorBody),
        (status = 404, description = "No such connector.", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB.", body = ErrorBody),
        (status = 429, description = "Over the ingest rate for this connector; see Retry-After.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "The database did not answer; nothing stored.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
    ),
)]
#[tracing::instrument(skip_all, fields(connector))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<DeliveryAnswer>, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "no such connector");
    if key.is_empty() || key.len() > 32 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let connector = store::connectors::by_key(&state.db, &key)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading a connector failed");
            ApiError::unavailable("the connector could not be read; retry")
        })?
        .filter(|c| c.kind == "chatwoot")
        .ok_or_else(not_found)?;
    tracing::Span::current().record("connector", connector.name.as_str());
    if !state.connector_limiter.allow(&key) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "over the ingest rate of {} requests per second for this connector; retry after a second",
                state.config.ingest_rate_per_second
            ),
        )
        .retry_after("1"));
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over the limit of {MAX_BODY_BYTES} bytes"),
        )
    })?;
    let delivery_id: String = header(&headers, "x-chatwoot-delivery")
        .unwrap_or("")
        .chars()
        .take(64)
        .collect();
    let refuse = |status: StatusCode, detail: String| {
        let state = state.clone();
        let connector = connector.clone();
        let delivery_id = delivery_id.clone();
        async move {
            let receipt = Receipt {
                outcome: "refused",
                accepted: 0,
                duplicates: 0,
                detail: detail.clone(),
            };
            if let Err(e) = record(&state.db, &connector, &delivery_id, "", &receipt).await {
                tracing::warn!(error = %e, "recording a refused delivery failed");
            }
            ApiError::new(status, detail)
        }
    };
    let signature = header(&headers, "x-chatwoot-signature");
    let timestamp = header(&headers, "x-chatwoot-timestamp");
    let unsigned_ok = connector.unsigned && signature.is_none() && timestamp.is_none();
    if !unsigned_ok {
        let now = chrono::Utc::now().timestamp();
        if let Err(e) = sign::verify(&connector.secret, signature, timestamp, &bytes, now) {
            return Err(refuse(StatusCode::UNAUTHORIZED, e.to_string()).await);
        }
    }
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object".into(),
            )
            .await);
        }
        Err(e) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            )
            .await);
        }
    };
    let raw = String::from_utf8_lossy(&bytes);
    match deliver_chatwoot(
        &state.ingestor,
        &state.db,
        &connector,
        &delivery_id,
        &raw,
        &value,
        true,
    )
    .await
    {
        Ok(r) => Ok(Json(DeliveryAnswer {
            outcome: r.outcome.to_owned(),
            accepted: r.accepted,
            duplicates: r.duplicates,
            detail: r.detail,
        })),
        Err(e) => {
            tracing::error!(error = %e, "a Chatwoot delivery could not be stored");
            Err(ApiError::unavailable(
                "the event log could not be written; nothing of this delivery was stored",
            ))
        }
    }
}
