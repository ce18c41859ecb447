//! The HTTP surface: health, the SSR'd app and its static files.

use std::sync::Arc;

use app::server_fns::StatusSource;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;

use crate::db::DbKind;
use crate::status::DbStatus;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The site's run-time settings (from Leptos.toml).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: DatabaseConnection,
    /// Its engine.
    pub db_kind: DbKind,
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
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(status.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}

/// The process answers.
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok\n")
}
