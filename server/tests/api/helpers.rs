//! `spawn_app()`: the server on port 0 over an isolated, migrated database.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use leptos::prelude::get_configuration;
use sea_orm::{ConnectionTrait, Database, Statement};
use server::config::Config;
use server::db::{self, DbKind};
use server::http::router;
use server::ops::ready::{self, Startup};
use server::state::AppState;
use server::store::tokens::{self, Scope};

/// A running server and its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The server's database.
    pub db: sea_orm::DatabaseConnection,
    /// A token with the ingest and read scopes.
    pub token: String,
    /// The server's ingest path.
    pub ingestor: std::sync::Arc<server::ingest::Ingestor>,
    /// The database's URL (for the command line).
    pub db_url: String,
}

impl TestApp {
    /// POSTs a JSON body to the ingest API with the app's token.
    pub async fn ingest(&self, body: &str) -> (u16, String) {
        post_events(&self.base, &self.token, body.as_bytes()).await
    }

    /// `/metrics` as the app's token (which has the `metrics` scope): status and text.
    pub async fn metrics(&self) -> (u16, String) {
        request(&self.base, "GET", "/metrics", Some(&self.token), None, b"").await
    }

    /// Events in the log.
    pub async fn stored(&self) -> u64 {
        server::store::events::count(&self.db).await.expect("count")
    }

    /// A signed-in session (the `Cookie` header value) of a new user with this role, queues
    /// and agent.
    pub async fn session(&self, role: &str, queues: &[&str], agent: Option<&str>) -> String {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let new = server::store::users::NewUser {
            login: format!("{role}{n}"),
            role: app::auth::Role::parse(role).expect("role"),
            queues: queues.iter().map(|q| q.to_string()).collect(),
            agent_id: agent.map(str::to_owned),
        };
        let id = server::store::users::insert(&self.db, &new, "a good password")
            .await
            .expect("user");
        let row = server::store::users::get(&self.db, id)
            .await
            .expect("db")
            .expect("user");
        let viewer = server::store::users::viewer(&row).expect("viewer");
        let token =
            server::store::sessions::start(&self.db, &viewer, server::store::now_ms() + 3_600_000)
                .await
                .expect("session");
        format!("{}={token}", server::auth::session::COOKIE)
    }

    /// A request from one of the app's own pages: with the session cookie (if any) and the
    /// site's own `Origin`.
    pub async fn page_request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> (u16, String, String) {
        let mut headers = vec![("Origin", self.base.as_str())];
        if let Some(c) = cookie {
            headers.push(("Cookie", c));
        }
        if form.is_some() {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
        }
        request_with(
            &self.base,
            method,
            path,
            &headers,
            form.unwrap_or("").as_bytes(),
        )
        .await
    }
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
            drop_stale_databases(&admin).await;
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

static CLEANED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Drops test databases left by earlier runs (other process ids), once per test process.
async fn drop_stale_databases(admin: &sea_orm::DatabaseConnection) {
    if CLEANED.swap(true, Ordering::SeqCst) {
        return;
    }
    let backend = admin.get_database_backend();
    let mine = format!("intraday_test_{}_", std::process::id());
    let rows = admin
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT datname FROM pg_database WHERE datname LIKE 'intraday\\_test\\_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get_by_index::<String>(0) else {
            continue;
        };
        if !name.starts_with(&mine) {
            // A database still in use by a concurrent run refuses to drop; that is fine.
            let _ = admin
                .execute_raw(Statement::from_string(
                    backend,
                    format!("DROP DATABASE IF EXISTS {name}"),
                ))
                .await;
        }
    }
}

/// Starts the server over a fresh database of the given engine.
pub async fn spawn_app(kind: DbKind) -> TestApp {
    spawn_app_with(
        kind,
        Config {
            ingest_rate_per_second: 0,
            ..Config::default()
        },
    )
    .await
}

/// Starts the server with the given settings.
pub async fn spawn_app_with(kind: DbKind, config: Config) -> TestApp {
    let url = fresh_database(kind).await;
    spawn_app_on(kind, url, config).await
}

/// Starts a server over the database at `url` as it is (a restart, or a second server).
pub async fn spawn_app_on(kind: DbKind, url: String, config: Config) -> TestApp {
    spawn(kind, url, config, None).await
}

/// Starts the server over a fresh database, serving the built site at `site_root`.
pub async fn spawn_app_with_site(kind: DbKind, site_root: &str) -> TestApp {
    let url = fresh_database(kind).await;
    spawn(kind, url, Config::default(), Some(site_root)).await
}

async fn spawn(kind: DbKind, url: String, config: Config, site_root: Option<&str>) -> TestApp {
    let db = db::connect_and_migrate(&url).await.expect("migrate");
    let mut conf = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
        .expect("Leptos.toml");
    if let Some(root) = site_root {
        conf.leptos_options.site_root = root.into();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let mut leptos_options = conf.leptos_options;
    leptos_options.site_addr = addr;
    let token = tokens::generate().expect("random");
    tokens::insert(
        &db,
        &format!("tests{}", COUNTER.fetch_add(1, Ordering::Relaxed)),
        &token,
        &[Scope::Ingest, Scope::Read, Scope::Metrics],
        None,
    )
    .await
    .expect("token");
    let state = AppState::build(leptos_options, db.clone(), kind, config)
        .await
        .expect("state");
    server::tasks::start(&state, server::tasks::Plan::default());
    let ingestor = state.ingestor.clone();
    let startup = Startup::new();
    startup.ready(router(state), db.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            ready::router(startup).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    TestApp {
        base: format!("http://{addr}"),
        db,
        token,
        ingestor,
        db_url: url,
    }
}

/// A response header's value from the head `request_with` returns (the name in any case).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A plain HTTP/1.1 GET; returns the status and the body.
pub async fn get(base: &str, path: &str) -> (u16, String) {
    request(base, "GET", path, None, None, b"").await
}

/// POSTs a JSON batch to the ingest API with a bearer token.
pub async fn post_events(base: &str, token: &str, body: &[u8]) -> (u16, String) {
    request(
        base,
        "POST",
        "/api/v1/events",
        Some(token),
        Some("application/json"),
        body,
    )
    .await
}

/// One HTTP/1.1 request with an optional bearer token and content type.
pub async fn request(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(b) = &bearer {
        headers.push(("Authorization", b.as_str()));
    }
    if let Some(ct) = content_type {
        headers.push(("Content-Type", ct));
    }
    let (status, _, body) = request_with(base, method, path, &headers, body).await;
    (status, body)
}

/// One HTTP/1.1 request with the given headers; returns the status, the response's head and
/// its body. A response that never ends within 60 s fails the test with what arrived.
pub async fn request_with(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let raw = exchange(base, method, path, headers, body).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_owned(), dechunk(body))
}

/// Sends the request and reads the whole response.
async fn exchange(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await.expect("write");
    // The server may answer (413) before reading a large body; a write error then is expected.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => raw.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "{method} {path}: no end of the response after 60 s; received so far:\n{}",
                String::from_utf8_lossy(&raw)
            ),
        }
    }
    raw
}

/// Undoes `Transfer-Encoding: chunked` when the body looks chunked.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else {
            return body.to_owned();
        };
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_owned();
        };
        if n == 0 {
            return out;
        }
        if after.len() < n {
            return body.to_owned();
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
}

/// The `intraday` binary, run from the workspace root (where Leptos.toml is).
pub fn intraday() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_intraday"));
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    cmd
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

/// Starts `intraday serve` as a real process and waits until `/readyz` says ready.
pub async fn start_server(url: &str, port: u16) -> Child {
    start_server_with(url, port, &[], Stdio::null()).await
}

/// Starts `intraday` with extra global arguments and the given stderr.
pub async fn start_server_with(url: &str, port: u16, global: &[&str], stderr: Stdio) -> Child {
    let mut child = intraday()
        .args(global)
        .args(["serve", "--db", url, "--addr", &format!("127.0.0.1:{port}")])
        // These servers' tests read their counters without a token.
        .env("INTRADAY_METRICS_OPEN", "true")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn intraday serve");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
            && get(&base, "/readyz").await.0 == 200
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start on {base}");
}

/// `intraday token create NAME [args…] --db URL`; asserts it printed exactly one line, the token.
pub fn create_token_cli(url: &str, name: &str, args: &[&str]) -> String {
    let out = intraday()
        .args(["token", "create", name])
        .args(args)
        .args(["--db", url])
        .output()
        .expect("run token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(
        stdout.lines().count(),
        1,
        "token create prints the token and nothing else: {stdout:?}"
    );
    stdout.trim().to_owned()
}

/// Both states answer every query alike: reports, agents table, conversation rows, ledger.
pub async fn assert_same(a: &server::ingest::Ingestor, b: &server::ingest::Ingestor, what: &str) {
    let now = chrono::Utc::now();
    let limits = app::kpi::Limits::default();
    for pairs in [
        vec![("window", "24h")],
        vec![("window", "2h"), ("queue", "q1")],
        vec![("window", "24h"), ("agent", "a1")],
    ] {
        let q = app::kpi::Query::from_pairs(pairs.clone()).expect("query");
        let (ra, rb) = (
            a.live().read(|e| e.report(&q, now, &limits)),
            b.live().read(|e| e.report(&q, now, &limits)),
        );
        assert_eq!(ra, rb, "{what} {pairs:?}");
        assert_eq!(
            a.live().read(|e| e.agent_rows(&q, now)),
            b.live().read(|e| e.agent_rows(&q, now)),
            "{what} {pairs:?}"
        );
        assert_eq!(
            a.live().read(|e| e.conversation_rows(&q, now)),
            b.live().read(|e| e.conversation_rows(&q, now)),
            "{what} {pairs:?}"
        );
    }
    let ledger = |l: &app::model::ledger::Ledger| {
        let mut v: Vec<String> = l.conversations().map(|c| format!("{c:?}")).collect();
        v.extend(l.agents().map(|a| format!("{a:?}")));
        v.sort();
        v
    };
    assert_eq!(
        a.with_ledger(ledger).await,
        b.with_ledger(ledger).await,
        "{what}"
    );
    assert_eq!(a.applied_seq(), b.applied_seq(), "{what}");
}

/// Sends SIGTERM to a server process (it drains, then exits).
pub fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success(), "kill -TERM {}", child.id());
}

/// Kills a server process (SIGKILL) and reaps it.
pub fn kill_server(mut child: Child) {
    child.kill().expect("kill");
    let _ = child.wait();
}
