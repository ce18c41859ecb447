//! The HTTP surface: the router (the versioned API, sign-in, metrics, the SSR'd app and its
//! static files), the pages' server-function limits, the read API's handlers and the OpenAPI
//! document.

pub mod caller;
pub mod client;
pub mod error;
pub mod openapi;
pub mod preferences;
pub mod read_api;
pub mod site;

use std::sync::Arc;

use app::server_fns::{ActionSink, LiveSource, StatusSource};
use app::{App, shell};
use axum::Router;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};

use crate::db::DbKind;
use crate::ops::status::DbStatus;
use crate::state::AppState;

/// The app's pages, listed once per process. Listing renders the app with resource loading
/// suppressed process-wide (leptos_server's `IS_SUPPRESSING_RESOURCE_LOAD`, leptos-rs/leptos
/// issue 4773), so a second listing while another server in the process renders a page leaves
/// that page's resources pending forever: its SSR stream stalls. Listing once, before any
/// router serves, makes that impossible.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let status: Arc<dyn StatusSource> = Arc::new(DbStatus {
        db: state.db.clone(),
        kind: state.db_kind,
    });
    let live: Arc<dyn LiveSource> = state.ingestor.live().clone();
    let panels: Arc<dyn app::server_fns::PanelSource> =
        Arc::new(crate::admin::panels::Panels(state.db.clone()));
    let actions: Arc<dyn ActionSink> = Arc::new(crate::ingest::actions::Actions {
        ingestor: state.ingestor.clone(),
    });
    let admin: Arc<dyn app::server_fns::admin::AdminStore> = Arc::new(crate::admin::Admin {
        db: state.db.clone(),
        retention_default: state.config.retention_days,
        thresholds: state.thresholds.clone(),
        hub: state.hub.clone(),
        outbox: state.outbox.clone(),
        desk: state.desk.clone(),
    });
    let connectors: Arc<dyn app::server_fns::connectors::ConnectorStore> =
        Arc::new(crate::connectors::admin::Connectors {
            db: state.db.clone(),
            ingestor: state.ingestor.clone(),
        });
    let ongoing: Arc<dyn app::server_fns::OngoingSource> = Arc::new(state.actions());
    let my: Arc<dyn app::server_fns::MySource> = Arc::new(state.actions());
    let thresholds = state.thresholds.clone();
    let preferences: Arc<dyn app::server_fns::Preferences> =
        Arc::new(crate::http::preferences::Preferences(state.db.clone()));
    let options = state.leptos_options.clone();
    Router::new()
        .route("/api/v1/events", post(crate::ingest::http::post_events))
        .route(
            "/api/v1/connectors/chatwoot/{connector_id}",
            post(crate::connectors::chatwoot::webhook),
        )
        .route("/api/v1/stream", get(crate::stream::sse::stream))
        .route("/api/v1/stream/page", get(crate::stream::page::page_stream))
        .route("/api/v1/stream/my", get(crate::stream::page::my_stream))
        .route("/api/v1/openapi.json", get(openapi::openapi))
        .route("/api/v1/kpis", get(crate::http::read_api::kpis))
        .route("/api/v1/kpis/history", get(crate::http::read_api::history))
        .route(
            "/api/v1/conversations",
            get(crate::http::read_api::conversations),
        )
        .route("/api/v1/agents", get(crate::http::read_api::agents))
        .route(
            "/api/v1/conversations/{id}/actions",
            post(crate::actions::http::post_action).layer(axum::extract::DefaultBodyLimit::max(
                crate::actions::MAX_BODY_BYTES,
            )),
        )
        .route("/metrics", get(metrics))
        .route(
            "/auth/signin",
            post(crate::auth::session::sign_in).layer(axum::extract::DefaultBodyLimit::max(
                crate::auth::session::MAX_SIGNIN_BYTES,
            )),
        )
        .route("/auth/signout", post(crate::auth::session::sign_out))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(status.clone());
                provide_context(live.clone());
                provide_context(actions.clone());
                provide_context(ongoing.clone());
                provide_context(my.clone());
                provide_context(panels.clone());
                provide_context(admin.clone());
                provide_context(connectors.clone());
                provide_context(app::kpi::Limits::clone(&thresholds.current()));
                provide_context(preferences.clone());
                // The pages' inline scripts carry the nonce the security headers allow.
                if let Some(nonce) = use_context::<axum::http::request::Parts>()
                    .and_then(|p| p.extensions.get::<crate::auth::security::Nonce>().cloned())
                {
                    provide_context(leptos::nonce::Nonce::from_value(nonce.0));
                }
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.leptos_options.hash_files,
            crate::http::site::cache_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.ingestor.clone(),
            time_server_fns,
        ))
        .layer(axum::middleware::from_fn(limit_server_fn_bodies))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::session::identify,
        ))
        .with_state(state)
}

/// The largest body a page's server function takes: its forms and filters are a few hundred
/// bytes; the 2 MB default let anyone signed in make the server parse megabytes per request.
pub const MAX_SERVER_FN_BYTES: usize = 64 * 1024;

/// Caps the pages' server functions' bodies at [`MAX_SERVER_FN_BYTES`]: 413 at once when the
/// declared length is over, and a body that runs over while read fails as too large.
async fn limit_server_fn_bodies(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    if !server_fn {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_SERVER_FN_BYTES) {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("a request to this function may be at most {MAX_SERVER_FN_BYTES} bytes"),
        )
            .into_response();
    }
    let request = request
        .map(|body| axum::body::Body::new(http_body_util::Limited::new(body, MAX_SERVER_FN_BYTES)));
    next.run(request).await
}

/// Times the pages' server functions (`/api/…` outside the versioned REST API).
async fn time_server_fns(
    axum::extract::State(ingestor): axum::extract::State<Arc<crate::ingest::Ingestor>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    if server_fn {
        ingestor.metrics().server_fn.record(started.elapsed());
    }
    response
}

/// Prometheus metrics of this server: for a token with the `metrics` scope, or anyone when
/// the settings open them (`metrics_open`).
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "ops",
    summary = "Prometheus metrics (text exposition format)",
    description = "Needs a token with the `metrics` scope, unless the server's `metrics_open` setting is on.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "metrics", body = String, content_type = "text/plain"),
        (status = 401, description = "No token (and metrics are not open).", body = openapi::ErrorBody),
        (status = 403, description = "The token has no metrics scope.", body = openapi::ErrorBody),
        (status = 503, description = "The token store is unavailable, or the server is still starting; retry.", body = openapi::ErrorBody),
    ),
)]
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
    _caller: caller::MetricsCaller,
) -> axum::response::Response {
    use app::model::event::Presence;
    use axum::response::IntoResponse;
    let mut gauges = state
        .ingestor
        .with_ledger(|l| crate::ops::metrics::Gauges {
            live_conversations: l.live_conversations().count(),
            agents: l.agents().count(),
            agents_logged_in: l
                .agents()
                .filter(|a| a.presence != Presence::Offline)
                .count(),
            ..Default::default()
        })
        .await;
    gauges.stream = state.hub.counts();
    gauges.tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    (gauges.pool_size, gauges.pool_idle) = match state.db_kind {
        DbKind::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbKind::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.ingestor.metrics().render(gauges),
    )
        .into_response()
}
