//! Integration tests of the server: real listener, real database (SQLite and PostgreSQL).
//!
//! Each test serves the app on a two-worker multi-thread runtime, as `intraday serve` runs on
//! these 2-core machines; the tests run side by side, many servers in this one process (which
//! is why the app's pages are listed once per process: `server::http::route_list`).

/// One test per backend, so a failure on PostgreSQL no longer hides SQLite's result:
/// `each_backend! { async fn name(kind) { … } }` makes the tests `name::sqlite` and
/// `name::postgres`, each running the body with its `DbKind`.
macro_rules! each_backend {
    ($(#[$attr:meta])* async fn $name:ident($kind:ident) $body:block) => {
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($kind: server::db::DbKind) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(server::db::DbKind::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(server::db::DbKind::Postgres).await
            }
        }
    };
}

mod actions;
mod admin;
mod admin_settings;
mod auth;
mod authz;
mod backup;
mod cli;
mod connectors;
mod connectors_outbound;
mod crash;
mod delivery;
mod desk;
mod disk;
mod embed;
mod faults;
mod health;
mod helpers;
mod ingest;
mod kpi_stream;
mod language;
mod logs;
mod metrics;
mod migrate;
mod my_work;
mod ongoing;
mod openapi;
mod outbox;
mod page_stream;
mod panels;
mod read;
mod replicas;
mod retention;
mod security;
mod simulate;
mod site_config;
mod site_files;
mod snapshot;
mod sse;
mod stream;
