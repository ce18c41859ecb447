//! `spawn_app()`: the server on port 0 over an isolated, migrated database.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::get_configuration;
use sea_orm::{ConnectionTrait, Database, Statement};
use server::db::{self, DbKind};
use server::http::{AppState, router};

/// The database engines every test runs against.
pub const BACKENDS: [DbKind; 2] = [DbKind::Sqlite, DbKind::Postgres];

/// A running server and its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

/// PostgreSQL for tests: `INTRADAY_TEST_PG`, default the machine's local server.
pub fn pg_admin_url() -> String {
    std::env::var("INTRADAY_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database URL of the given engine (a new SQLite file, or a new uniquely named
/// PostgreSQL database). Fails loudly when PostgreSQL cannot be reached.
pub async fn fresh_database(kind: DbKind) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!("intraday_test_{}_{}", std::process::id(), n);
    match kind {
        DbKind::Sqlite => {
            let dir = std::env::temp_dir().join("intraday-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join(format!("{name}.db"));
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{}?mode=rwc", path.display())
        }
        DbKind::Postgres => {
            let admin_url = pg_admin_url();
            let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin_url} is unreachable ({e}); start it or set INTRADAY_TEST_PG")
            });
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("DROP DATABASE IF EXISTS {name}"),
                ))
                .await
                .expect("drop test database");
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE {name}"),
                ))
                .await
                .expect("create test database");
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).expect("db url");
            format!("{base}/{name}")
        }
    }
}

/// Starts the server over a fresh database of the given engine.
pub async fn spawn_app(kind: DbKind) -> TestApp {
    let url = fresh_database(kind).await;
    let db = db::connect_and_migrate(&url).await.expect("migrate");
    let conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
        .expect("Leptos.toml");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let mut leptos_options = conf.leptos_options;
    leptos_options.site_addr = addr;
    let app = router(AppState {
        leptos_options,
        db,
        db_kind: kind,
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        base: format!("http://{addr}"),
    }
}

/// A plain HTTP/1.1 GET; returns the status and the body.
pub async fn get(base: &str, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
