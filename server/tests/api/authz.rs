//! The authorization matrix: every route and server function × every kind of caller gets
//! exactly the expected answer.

use crate::auth::{open_stream, two_queues};
use crate::helpers::{request_with, spawn_app};
use crate::sse::connect;

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    Agent,
    SupervisorA,
    SupervisorB,
    Admin,
    IngestToken,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Agent,
    Caller::SupervisorA,
    Caller::SupervisorB,
    Caller::Admin,
    Caller::IngestToken,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    two_queues(&app).await;
    let ingest_only = server::store::tokens::generate().expect("random");
    server::store::tokens::insert(
        &app.db,
        "ingest-only",
        &ingest_only,
        &[server::store::tokens::Scope::Ingest],
        None,
    )
    .await
    .expect("token");
    let agent = app.session("agent", &[], Some("ann")).await;
    let sup_a = app.session("supervisor", &["qa"], None).await;
    let sup_b = app.session("supervisor", &["qb"], None).await;
    let admin = app.session("admin", &[], None).await;
    let bearer = format!("Bearer {ingest_only}");
    let credentials = |c: Caller| -> Vec<(&str, String)> {
        match c {
            Caller::Anonymous => vec![],
            Caller::Agent => vec![("Cookie", agent.clone())],
            Caller::SupervisorA => vec![("Cookie", sup_a.clone())],
            Caller::SupervisorB => vec![("Cookie", sup_b.clone())],
            Caller::Admin => vec![("Cookie", admin.clone())],
            Caller::IngestToken => vec![("Authorization", bearer.clone())],
        }
    };
    let event = |n: usize| {
        format!(
            r#"{{"id":"m-{n}","type":"agent.presence","at":"{}","agent_id":"ann","presence":"available"}}"#,
            chrono::Utc::now().to_rfc3339()
        )
    };
    let connector = "matrixconnector0000000000".to_owned();
    server::store::connectors::insert(
        &app.db,
        server::store::entities::connector::Model {
            key: connector.clone(),
            kind: "chatwoot".into(),
            name: "matrix-chatwoot".into(),
            secret: "matrix-secret-0123456789".into(),
            unsigned: false,
            queue_by: "inbox".into(),
            base_url: String::new(),
            account_id: None,
            api_token: String::new(),
            created_ms: 0,
        },
    )
    .await
    .expect("connector");
    // (method, path, body, expected for each caller in CALLERS order)
    let page = [303, 200, 200, 200, 200, 303];
    let supervisor_page = [303, 403, 200, 200, 200, 303];
    let supervisor_fn = [401, 403, 200, 200, 200, 401];
    let scoped_fn = [401, 403, 200, 404, 200, 401];
    let read = [401, 403, 200, 200, 200, 403];
    let signed_in_fn = [401, 200, 200, 200, 200, 401];
    let open = [200; 6];
    let admin_page = [303, 403, 403, 403, 200, 303];
    let admin_fn = [401, 403, 403, 403, 200, 401];
    let spare = server::store::tokens::generate().expect("random");
    let spare_id = server::store::tokens::insert(
        &app.db,
        "spare",
        &spare,
        &[server::store::tokens::Scope::Read],
        None,
    )
    .await
    .expect("token");
    let thresholds = "service_level_target=80&longest_wait=300&abandon_rate=10&sentiment=-2";
    let admin_fns: Vec<(&str, String)> = vec![
        ("admin_users", String::new()),
        (
            "admin_user_add",
            "login=matrix&role=agent&agent_id=ann&password=long+enough+pw".into(),
        ),
        (
            "admin_user_update",
            "login=matrix&role=supervisor&queues[0]=qa".into(),
        ),
        (
            "admin_user_password",
            "login=matrix&password=another+long+pw".into(),
        ),
        ("admin_queues", String::new()),
        (
            "admin_queue_supervisor",
            "queue_id=qb&login=matrix&assigned=true".into(),
        ),
        (
            "admin_queue_save",
            "queue_id=qa&name=Queue+A&service_level_seconds=20".into(),
        ),
        ("admin_agents", String::new()),
        (
            "admin_agent_save",
            "agent_id=zed&name=Zed&queues[0]=qa&capacity=2".into(),
        ),
        ("admin_settings", String::new()),
        (
            "admin_actions_set",
            "monitor=true&join=true&assign=true&transfer=true&force_close=true".into(),
        ),
        ("admin_thresholds_set", format!("queue_id=qa&{thresholds}")),
        ("admin_thresholds_clear", "queue_id=qa".into()),
        ("admin_retention_set", "days=".into()),
        ("admin_stuck_set", "minutes=10".into()),
        (
            "admin_desk_set",
            "full_presence=busy&offer_seconds=30".into(),
        ),
        ("admin_offer_queue_set", "queue_id=qa&seconds=".into()),
        ("admin_origins_set", "origins=".into()),
        ("admin_tokens", String::new()),
        ("admin_token_create", "name=m&scopes[0]=read".into()),
        ("admin_token_revoke", format!("id={spare_id}")),
        ("admin_panels", String::new()),
        ("admin_panel_add", "title=M&view=window%3D4h".into()),
        ("admin_panel_remove", "id=1".into()),
        ("admin_audit", "page=0".into()),
        ("admin_embedded_sessions", String::new()),
        ("admin_webhook", String::new()),
        ("admin_webhook_url_set", "url=".into()),
        (
            "admin_webhook_secret_set",
            "secret=matrix-secret-0123456789".into(),
        ),
        ("admin_outbox", "show=all".into()),
        ("admin_user_delete", "login=matrix".into()),
        ("admin_connectors", String::new()),
        (
            "admin_connector_add",
            "name=Matrix&secret=matrix-secret-0123456789".into(),
        ),
        ("admin_connector_activity", format!("key={connector}")),
        ("admin_connector_test", format!("key={connector}")),
    ];
    let mut cases: Vec<(&str, String, Option<String>, [u16; 6])> = [
        "/admin",
        "/admin/users",
        "/admin/queues",
        "/admin/agents",
        "/admin/settings",
        "/admin/tokens",
        "/admin/panels",
        "/admin/audit",
        "/admin/webhook",
        "/admin/connectors",
    ]
    .into_iter()
    .map(|p| ("GET", p.to_owned(), None, admin_page))
    .collect();
    cases.extend(
        admin_fns
            .into_iter()
            .map(|(f, body)| ("POST", format!("/api/{f}"), Some(body), admin_fn)),
    );
    // Ending a portal session that does not exist: the admin is told it is not there.
    cases.push((
        "POST",
        "/api/admin_embedded_session_revoke".into(),
        Some(format!("id={}", "0".repeat(64))),
        [401, 403, 403, 403, 404, 401],
    ));
    // A connector or a payload kept aside that does not exist: the admin is told so.
    for (f, body) in [
        ("admin_connector_remove", "key=nosuchkey".to_owned()),
        (
            "admin_dead_letter_retry",
            format!("key={connector}&id=999999"),
        ),
        (
            "admin_dead_letter_discard",
            format!("key={connector}&id=999999"),
        ),
    ] {
        cases.push((
            "POST",
            format!("/api/{f}"),
            Some(body),
            [401, 403, 403, 403, 404, 401],
        ));
    }
    // A webhook delivery is trusted by its signature alone: no session or token stands in.
    cases.push((
        "POST",
        format!("/api/v1/connectors/chatwoot/{connector}"),
        Some(r#"{"event":"conversation_typing_on"}"#.into()),
        [401; 6],
    ));
    // Redelivering an outbox row that does not exist: the admin is told it is not there.
    cases.push((
        "POST",
        "/api/admin_outbox_redeliver".into(),
        Some("id=999999".into()),
        [401, 403, 403, 403, 404, 401],
    ));
    let common: Vec<(&str, &str, Option<String>, [u16; 6])> = vec![
        ("GET", "/", None, page),
        ("GET", "/signin", None, open),
        ("GET", "/insights", None, supervisor_page),
        ("GET", "/wallboard", None, supervisor_page),
        ("GET", "/ongoing", None, supervisor_page),
        // Another queue's conversation is not found (its panel says so, with a 404).
        ("GET", "/ongoing/ca", None, [303, 403, 200, 404, 200, 303]),
        (
            "GET",
            "/embed/ongoing",
            None,
            [401, 403, 200, 200, 200, 401],
        ),
        (
            "GET",
            "/embed/ongoing/ca",
            None,
            [401, 403, 200, 404, 200, 401],
        ),
        (
            "POST",
            "/api/ongoing_setup",
            Some(String::new()),
            supervisor_fn,
        ),
        (
            "POST",
            "/api/open_escalations",
            Some(String::new()),
            supervisor_fn,
        ),
        (
            "POST",
            "/api/my_ongoing_columns",
            Some(r#"{"columns":["status","agent"]}"#.into()),
            supervisor_fn,
        ),
        (
            "POST",
            "/api/ongoing_detail",
            Some("id=ca".into()),
            scoped_fn,
        ),
        // Each supervisor monitors once (a second monitor by the same person is refused).
        (
            "POST",
            "/api/ongoing_act",
            Some(r#"{"id":"ca","request":{"action":"monitor"}}"#.into()),
            scoped_fn,
        ),
        // The My dashboard is for a person linked to an agent (the demo's supervisors who take
        // conversations are; these are not). A conversation that is not theirs is not found.
        ("GET", "/my", None, [303, 200, 403, 403, 403, 303]),
        ("GET", "/my/cb", None, [303, 404, 403, 403, 403, 303]),
        // An agent acts on their own work and their queues' open conversations only (another
        // queue's is not found); a person not linked to an agent has no work of their own.
        (
            "POST",
            "/api/my_act",
            Some(r#"{"id":"cb","request":{"action":"take"}}"#.into()),
            [401, 404, 403, 403, 403, 401],
        ),
        (
            "POST",
            "/api/my_work",
            Some(String::new()),
            [401, 200, 403, 403, 403, 401],
        ),
        (
            "POST",
            "/api/my_conversation",
            Some("id=cb".into()),
            [401, 404, 403, 403, 403, 401],
        ),
        (
            "POST",
            "/api/my_presence",
            Some("presence=available".into()),
            [401, 200, 403, 403, 403, 401],
        ),
        // Integrations act with an `act` token only, never with a session.
        (
            "POST",
            "/api/v1/conversations/ca/actions",
            Some(r#"{"action":"monitor"}"#.into()),
            [401, 401, 401, 401, 401, 403],
        ),
        // Without a portal's token the embedded tabs need a session too (no sign-in redirect
        // inside a frame: the page says so).
        (
            "GET",
            "/embed/insights",
            None,
            [401, 403, 200, 200, 200, 401],
        ),
        // Another queue's agent is not found (the page says so, with a 404).
        (
            "GET",
            "/insights/agents/ann",
            None,
            [303, 403, 200, 404, 200, 303],
        ),
        ("POST", "/api/insights", Some(String::new()), supervisor_fn),
        (
            "POST",
            "/api/agent_detail",
            Some("agent_id=ann".into()),
            scoped_fn,
        ),
        (
            "POST",
            "/api/agent_presence",
            Some("agent_id=ann&presence=away".into()),
            scoped_fn,
        ),
        (
            "POST",
            "/api/server_status",
            Some(String::new()),
            signed_in_fn,
        ),
        (
            "POST",
            "/api/my_language",
            Some("locale=en".into()),
            signed_in_fn,
        ),
        ("GET", "/api/v1/kpis", None, read),
        ("GET", "/api/v1/kpis/history", None, read),
        ("GET", "/api/v1/conversations", None, read),
        ("GET", "/api/v1/agents", None, read),
        ("GET", "/api/v1/openapi.json", None, open),
        // Metrics need a token with the `metrics` scope (or `metrics_open`).
        ("GET", "/metrics", None, [401, 401, 401, 401, 401, 403]),
        ("GET", "/embed", None, [401, 200, 200, 200, 200, 401]),
        (
            "GET",
            "/embed/wallboard",
            None,
            [401, 403, 200, 200, 200, 401],
        ),
        (
            "GET",
            "/embed/insights/agents/ann",
            None,
            [401, 403, 200, 404, 200, 401],
        ),
        ("GET", "/healthz", None, open),
        ("GET", "/readyz", None, open),
        (
            "POST",
            "/api/v1/events",
            Some("EVENT".into()),
            [401, 401, 401, 401, 401, 200],
        ),
        // A wrong sign-in goes back to the form (a right one would end the caller's session).
        (
            "POST",
            "/auth/signin",
            Some("login=nobody&password=wrong".into()),
            [303; 6],
        ),
        ("POST", "/auth/signout", Some(String::new()), [303; 6]),
    ];
    let common = common
        .into_iter()
        .map(|(m, p, b, e)| (m, p.to_owned(), b, e));
    // The common rows first: the admin rows change users, tokens and settings.
    let cases: Vec<(&str, String, Option<String>, [u16; 6])> = common.chain(cases).collect();
    let mut wrong = Vec::new();
    let mut n = 0;
    for (method, path, body, expected) in &cases {
        for (i, caller) in CALLERS.iter().enumerate() {
            if *path == "/auth/signout" && *caller != Caller::Anonymous {
                continue; // signing out would end the sessions the other rows use
            }
            n += 1;
            let creds = credentials(*caller);
            let mut headers: Vec<(&str, &str)> = vec![("Origin", app.base.as_str())];
            headers.extend(creds.iter().map(|(k, v)| (*k, v.as_str())));
            let body = body
                .as_ref()
                .map(|b| if b == "EVENT" { event(n) } else { b.clone() });
            if let Some(b) = &body {
                headers.push((
                    "Content-Type",
                    if b.starts_with('{') {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    },
                ));
            }
            let (status, _, text) = request_with(
                &app.base,
                method,
                path,
                &headers,
                body.as_deref().unwrap_or("").as_bytes(),
            )
            .await;
            if status != expected[i] {
                wrong.push(format!(
                    "{method} {path} as {caller:?}: {status}, expected {} ({})",
                    expected[i],
                    text.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    // The streams answer with their status, then stay open.
    let streams = [
        ("/api/v1/stream/page", read),
        ("/api/v1/stream", read),
        // A person's own work: only someone linked to an agent, by session.
        ("/api/v1/stream/my", [401, 200, 403, 403, 403, 401]),
    ];
    for (path, expected) in streams {
        for (i, caller) in CALLERS.iter().enumerate() {
            let status = match caller {
                Caller::IngestToken => {
                    connect(&app.base, path, Some(&ingest_only), None)
                        .await
                        .status
                }
                _ => {
                    let creds = credentials(*caller);
                    open_stream(&app, path, creds.first().map(|(_, v)| v.as_str())).await
                }
            };
            if status != expected[i] {
                wrong.push(format!(
                    "GET {path} as {caller:?}: {status}, expected {}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let listed: Vec<String> = cases
        .iter()
        .map(|(_, p, _, _)| p.clone())
        .chain(streams.iter().map(|(p, _)| p.to_string()))
        .collect();
    let unlisted = unlisted(&listed);
    assert!(
        unlisted.is_empty(),
        "routes and server functions missing from the authorization matrix (add each with the answer every caller must get): {unlisted:?}"
    );
}

/// Every route the server has that no row of the matrix reaches: the app's pages (from the
/// router), its server functions (from their registry) and the HTTP routes of `http/mod.rs`
/// and `ops/ready.rs` (from their source, where each is one `.route("…"` call).
fn unlisted(listed: &[String]) -> Vec<String> {
    let pages = server::http::route_list()
        .into_iter()
        .map(|r| r.path().to_owned());
    let server_fns = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned());
    let sources = [
        include_str!("../../src/http/mod.rs"),
        include_str!("../../src/ops/ready.rs"),
    ];
    let routes = sources.into_iter().flat_map(|src| {
        src.split(".route(").skip(1).filter_map(|rest| {
            let rest = rest.trim_start().strip_prefix('"')?;
            rest.split_once('"').map(|(path, _)| path.to_owned())
        })
    });
    let mut missing: Vec<String> = pages
        .chain(server_fns)
        .chain(routes)
        .filter(|route| !listed.iter().any(|path| reaches(path, route)))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// Whether a request for `path` (query ignored) is one of `route` (`:name` or `{name}`
/// segments match any one segment).
fn reaches(path: &str, route: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (a, b): (Vec<&str>, Vec<&str>) = (
        path.trim_end_matches('/').split('/').collect(),
        route.trim_end_matches('/').split('/').collect(),
    );
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || y.starts_with(':') || y.starts_with('{'))
}

#[test]
fn a_route_missing_from_the_matrix_is_found() {
    assert!(reaches("/insights/agents/ann", "/insights/agents/:id"));
    assert!(reaches("/", "/"));
    assert!(!reaches("/insights", "/insights/agents/:id"));
    let missing = unlisted(&["/".to_owned()]);
    for route in [
        "/api/v1/events",
        "/api/admin_users",
        "/admin/tokens",
        "/healthz",
    ] {
        assert!(missing.iter().any(|m| m == route), "{route} in {missing:?}");
    }
}
