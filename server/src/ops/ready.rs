//! Liveness and readiness: `/healthz` answers as soon as the port is open; `/readyz` and every
//! other route answer 503 with the reason until the database is migrated and the ledger rebuilt.

use std::sync::{Arc, OnceLock, RwLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tower::ServiceExt;

/// Where start-up is, and the application once it is ready.
pub struct Startup {
    stage: RwLock<&'static str>,
    app: OnceLock<(Router, DatabaseConnection)>,
}

impl Startup {
    /// Start-up has begun.
    pub fn new() -> Arc<Startup> {
        Arc::new(Startup {
            stage: RwLock::new("opening the database"),
            app: OnceLock::new(),
        })
    }

    /// Says what start-up is doing now (the reason `/readyz` gives).
    pub fn set_stage(&self, stage: &'static str) {
        *self.stage.write().unwrap_or_else(|p| p.into_inner()) = stage;
    }

    fn stage(&self) -> &'static str {
        *self.stage.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The application is ready: requests go to it from now on.
    pub fn ready(&self, app: Router, db: DatabaseConnection) {
        let _ = self.app.set((app, db));
    }
}

/// `/healthz`, `/readyz`, and everything else forwarded to the application once it is ready;
/// every request gets a request id and a trace span.
pub fn router(startup: Arc<Startup>) -> Router {
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::TraceLayer;
    let header = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(forward)
        .with_state(startup)
        .layer(axum::middleware::map_response(baseline_headers))
        // Layers run bottom-up: the id is set first, then the span reads it.
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::ops::telemetry::request_span)
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(SetRequestIdLayer::new(
            header,
            crate::ops::telemetry::RequestIds::default(),
        ))
}

/// The security headers of answers the application did not write (health, readiness, "still
/// starting"): the application's own answers carry the full set, with their nonce.
async fn baseline_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // The application's answers have their policy (an allowed portal may frame `/embed`).
    if headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        return response;
    }
    let baseline = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in baseline {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "ops",
    summary = "The process answers",
    responses((status = 200, description = "ok", body = String, content_type = "text/plain")),
)]
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok\n")
}

/// Ready: database reachable, no migration pending, ledger rebuilt.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "ops",
    summary = "Ready: database reachable, migrations applied, live state rebuilt",
    responses(
        (status = 200, description = "ready", body = String, content_type = "text/plain"),
        (status = 503, description = "not ready, with the reason", body = String, content_type = "text/plain"),
    ),
)]
async fn readyz(State(startup): State<Arc<Startup>>) -> (StatusCode, String) {
    let Some((_, db)) = startup.app.get() else {
        return not_ready(startup.stage());
    };
    let ping = db
        .execute_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT 1",
        ))
        .await;
    if let Err(e) = ping {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return not_ready("the database is unreachable");
    }
    match Migrator::get_pending_migrations(db).await {
        Ok(pending) if pending.is_empty() => (StatusCode::OK, "ready\n".into()),
        Ok(pending) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: {} migration(s) pending; run intraday migrate\n",
                pending.len()
            ),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the migration table");
            not_ready("the migration table cannot be read")
        }
    }
}

fn not_ready(reason: &str) -> (StatusCode, String) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("not ready: {reason}\n"),
    )
}

async fn forward(State(startup): State<Arc<Startup>>, request: Request) -> Response {
    match startup.app.get() {
        Some((app, _)) => match app.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => {
            let body = serde_json::json!({
                "error": format!("Intraday is starting ({}); retry in a moment", startup.stage())
            });
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}
