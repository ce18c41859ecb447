//! The HTTP surface: health, the SSR'd app and its static files.

use std::sync::Arc;

use app::server_fns::{ActionSink, LiveSource, StatusSource};
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::db::DbKind;
use crate::ingest::{Ingestor, rate::RateLimiter};
use crate::status::DbStatus;
use crate::stream::{Hub, StreamSettings};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The site's run-time settings (from Leptos.toml).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: DatabaseConnection,
    /// Its engine.
    pub db_kind: DbKind,
    /// Intraday's own settings.
    pub config: Arc<Config>,
    /// The single writer of the event log.
    pub ingestor: Arc<Ingestor>,
    /// Ingest rate limits per token.
    pub limiter: Arc<RateLimiter>,
    /// The live stream's fan-out.
    pub hub: Arc<Hub>,
    /// Failed sign-ins per login and address.
    pub logins: Arc<crate::login_limit::LoginLimiter>,
    /// The password checks in flight.
    pub passwords: Arc<crate::login_limit::PasswordGate>,
    /// The admin's alert thresholds.
    pub thresholds: Arc<crate::thresholds::Thresholds>,
}

impl AppState {
    /// Opens the ingest path over a migrated database (rebuilding the ledger from the log),
    /// registers the live stream's hub on it and, on PostgreSQL, follows other replicas.
    pub async fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        db_kind: DbKind,
        config: Config,
    ) -> Result<AppState, sea_orm::DbErr> {
        let snapshot = config.snapshot_path.as_deref().map(std::path::Path::new);
        let ingestor = Arc::new(Ingestor::open_with(db.clone(), Vec::new(), snapshot).await?);
        let hub = Arc::new(Hub::new(StreamSettings {
            buffer: config.stream_buffer,
            client_buffer: config.stream_client_buffer,
        }));
        ingestor.add_projection(hub.clone()).await;
        crate::replica::spawn(db.clone(), ingestor.clone());
        let thresholds = crate::thresholds::Thresholds::open(db.clone()).await?;
        thresholds.spawn_refresh();
        crate::stream::tiles::spawn(hub.clone(), ingestor.clone(), thresholds.clone());
        Ok(AppState {
            thresholds,
            hub,
            leptos_options,
            db,
            db_kind,
            limiter: Arc::new(RateLimiter::new(config.ingest_rate_per_second)),
            logins: Arc::default(),
            passwords: Arc::default(),
            config: Arc::new(config),
            ingestor,
        })
    }
}

impl AppState {
    /// Whether the session cookie is `Secure` (with the `__Host-` prefix) for this request:
    /// the setting, by default on unless the server listens on a loopback address, or the
    /// request came over HTTPS through a proxy.
    pub fn secure_cookies(&self, request: &axum::extract::Request) -> bool {
        self.config
            .secure_cookies
            .unwrap_or(!self.leptos_options.site_addr.ip().is_loopback())
            || crate::client::over_https(request, &self.config.trusted_proxies)
    }

    /// The session cookie's name for this request.
    pub fn cookie_name(&self, request: &axum::extract::Request) -> &'static str {
        crate::session::cookie_name(self.secure_cookies(request))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let status: Arc<dyn StatusSource> = Arc::new(DbStatus {
        db: state.db.clone(),
        kind: state.db_kind,
    });
    let live: Arc<dyn LiveSource> = state.ingestor.live().clone();
    let panels: Arc<dyn app::server_fns::PanelSource> =
        Arc::new(crate::panels::Panels(state.db.clone()));
    let actions: Arc<dyn ActionSink> = Arc::new(crate::actions::Actions {
        ingestor: state.ingestor.clone(),
    });
    let admin: Arc<dyn app::server_fns::admin::AdminStore> = Arc::new(crate::admin::Admin {
        db: state.db.clone(),
        retention_default: state.config.retention_days,
        thresholds: state.thresholds.clone(),
        hub: state.hub.clone(),
    });
    let thresholds = state.thresholds.clone();
    let preferences: Arc<dyn app::server_fns::Preferences> =
        Arc::new(crate::preferences::Preferences(state.db.clone()));
    let options = state.leptos_options.clone();
    Router::new()
        .route("/api/v1/events", post(crate::ingest::http::post_events))
        .route("/api/v1/stream", get(crate::stream::sse::stream))
        .route("/api/v1/stream/page", get(crate::stream::page::page_stream))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/kpis", get(crate::read_api::kpis))
        .route("/api/v1/kpis/history", get(crate::read_api::history))
        .route("/api/v1/conversations", get(crate::read_api::conversations))
        .route("/api/v1/agents", get(crate::read_api::agents))
        .route("/metrics", get(metrics))
        .route(
            "/auth/signin",
            post(crate::session::sign_in).layer(axum::extract::DefaultBodyLimit::max(
                crate::session::MAX_SIGNIN_BYTES,
            )),
        )
        .route("/auth/signout", post(crate::session::sign_out))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(status.clone());
                provide_context(live.clone());
                provide_context(actions.clone());
                provide_context(panels.clone());
                provide_context(admin.clone());
                provide_context(app::kpi::Limits::clone(&thresholds.current()));
                provide_context(preferences.clone());
                // The pages' inline scripts carry the nonce the security headers allow.
                if let Some(nonce) = use_context::<axum::http::request::Parts>()
                    .and_then(|p| p.extensions.get::<crate::security::Nonce>().cloned())
                {
                    provide_context(leptos::nonce::Nonce::from_value(nonce.0));
                }
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.ingestor.clone(),
            time_server_fns,
        ))
        .layer(axum::middleware::from_fn(limit_server_fn_bodies))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::session::identify,
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
        ingestor.metrics().server_fn.observe(started.elapsed());
    }
    response
}

/// Prometheus metrics of this server: for a token with the `metrics` scope, or anyone when
/// the settings open them (`metrics_open`).
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use app::model::event::Presence;
    use axum::response::IntoResponse;
    if !state.config.metrics_open
        && let Err(e) =
            crate::auth::bearer(&state.db, &headers, crate::store::tokens::Scope::Metrics).await
    {
        return e.into_response();
    }
    let mut gauges = state
        .ingestor
        .with_ledger(|l| crate::metrics::Gauges {
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

/// The OpenAPI 3 description of the API (kept true by a test that calls every operation).
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}
