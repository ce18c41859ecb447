//! Sign-in, sessions, cross-site refusal, security headers, and the authorization matrix: every
//! route and server function × every kind of caller gets exactly the expected answer.

use serde_json::Value;

use crate::helpers::{BACKENDS, TestApp, request_with, spawn_app};
use crate::sse::connect;

/// Two queues with one conversation each; agent Ann works in qa.
async fn two_queues(app: &TestApp) {
    let at = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    let t = |s: i64| (at + chrono::TimeDelta::seconds(s)).to_rfc3339();
    let body = format!(
        r#"[
        {{"id":"q-a","type":"queue.upserted","at":"{t0}","queue_id":"qa","name":"Queue A","channels":["chat"]}},
        {{"id":"q-b","type":"queue.upserted","at":"{t0}","queue_id":"qb","name":"Queue B","channels":["chat"]}},
        {{"id":"ag","type":"agent.upserted","at":"{t0}","agent_id":"ann","name":"Ann","queues":["qa"]}},
        {{"id":"c1","type":"conversation.created","at":"{t1}","conversation_id":"ca","queue_id":"qa","channel":"chat","customer":{{"id":"k1","name":"<script>alert(1)</script>"}}}},
        {{"id":"c2","type":"conversation.created","at":"{t1}","conversation_id":"cb","queue_id":"qb","channel":"chat","customer":{{"id":"k2","name":"Bea"}}}},
        {{"id":"c3","type":"conversation.created","at":"{t2}","conversation_id":"cb2","queue_id":"qb","channel":"chat","customer":{{"id":"k3","name":"Cy"}}}}
        ]"#,
        t0 = t(0),
        t1 = t(10),
        t2 = t(20),
    );
    assert_eq!(app.ingest(&body).await.0, 200);
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_and_out_with_a_password() {
    for kind in BACKENDS {
        let app = spawn_app(kind).await;
        let new = server::store::users::NewUser {
            login: "sue".into(),
            role: app::auth::Role::Supervisor,
            queues: vec!["qa".into()],
            agent_id: None,
        };
        server::store::users::insert(&app.db, &new, "sue's long password")
            .await
            .expect("user");

        // A page sends a signed-out visitor to sign in, remembering where they were going.
        let (status, head, _) = app
            .page_request("GET", "/insights?queue=qa", None, None)
            .await;
        assert_eq!(status, 303, "{head}");
        assert_eq!(
            header(&head, "location"),
            Some("/signin?next=/insights%3Fqueue%3Dqa")
        );

        let (status, head, _) = app
            .page_request(
                "POST",
                "/auth/signin",
                None,
                Some("login=sue&password=wrong+password&next=%2Finsights"),
            )
            .await;
        assert_eq!(status, 303);
        assert_eq!(
            header(&head, "location"),
            Some("/signin?error=invalid&next=/insights")
        );
        assert!(header(&head, "set-cookie").is_none());

        // From another site, even the right password is refused (login CSRF).
        let (status, _, _) = request_with(
            &app.base,
            "POST",
            "/auth/signin",
            &[
                ("Origin", "https://evil.example"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"login=sue&password=sue%27s+long+password",
        )
        .await;
        assert_eq!(status, 403);

        let (status, head, _) = app
            .page_request(
                "POST",
                "/auth/signin",
                None,
                Some("login=sue&password=sue%27s+long+password&next=https%3A%2F%2Fevil.example"),
            )
            .await;
        assert_eq!(status, 303, "{head}");
        assert_eq!(
            header(&head, "location"),
            Some("/"),
            "never to another site"
        );
        let cookie = header(&head, "set-cookie").expect("cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
        let session = cookie.split(';').next().expect("pair").to_owned();

        let (status, _, html) = app
            .page_request("GET", "/insights", Some(&session), None)
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"user-name\""), "user menu");
        assert!(html.contains("not for employment decisions"), "notice");

        let (status, head, _) = app
            .page_request("POST", "/auth/signout", Some(&session), Some(""))
            .await;
        assert_eq!(status, 303);
        assert!(header(&head, "set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&session), None)
            .await;
        assert_eq!(status, 303, "the ended session no longer works");

        // Behind an HTTPS proxy the cookie is Secure.
        let (_, head, _) = request_with(
            &app.base,
            "POST",
            "/auth/signin",
            &[
                ("Origin", app.base.as_str()),
                ("X-Forwarded-Proto", "https"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"login=sue&password=sue%27s+long+password",
        )
        .await;
        assert!(header(&head, "set-cookie").is_some_and(|c| c.contains("; Secure")));
        let audit = server::store::audit::recent(&app.db, 5)
            .await
            .expect("audit");
        assert!(
            audit
                .iter()
                .any(|e| e.action == "session.sign_in" && e.actor == "sue")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_login_for_a_while() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let new = server::store::users::NewUser {
        login: "ann".into(),
        role: app::auth::Role::Agent,
        queues: vec![],
        agent_id: Some("ann".into()),
    };
    server::store::users::insert(&app.db, &new, "ann's password")
        .await
        .expect("user");
    for _ in 0..server::session::MAX_FAILURES {
        let (_, head, _) = app
            .page_request(
                "POST",
                "/auth/signin",
                None,
                Some("login=ann&password=nope"),
            )
            .await;
        assert!(header(&head, "location").is_some_and(|l| l.contains("error=invalid")));
    }
    let (_, head, _) = app
        .page_request(
            "POST",
            "/auth/signin",
            None,
            Some("login=ann&password=ann%27s+password"),
        )
        .await;
    let location = header(&head, "location").expect("location");
    assert!(
        location.starts_with("/signin?error=locked&wait="),
        "{location}"
    );
    assert!(header(&head, "set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_escape_customer_text() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    two_queues(&app).await;
    let admin = app.session("admin", &[], None).await;
    let (status, head, html) = app
        .page_request("GET", "/insights", Some(&admin), None)
        .await;
    assert_eq!(status, 200);
    let csp = header(&head, "content-security-policy").expect("csp");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("object-src 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("nonce");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry it"
    );
    assert_eq!(header(&head, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&head, "referrer-policy"), Some("same-origin"));
    assert!(!html.contains("<script>alert(1)"), "customer text escaped");
    // A second page gets another nonce.
    let (_, head2, _) = app
        .page_request("GET", "/insights", Some(&admin), None)
        .await;
    assert_ne!(header(&head2, "content-security-policy"), Some(csp));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_see_only_their_queues_everywhere() {
    for kind in BACKENDS {
        let app = spawn_app(kind).await;
        two_queues(&app).await;
        let sup_a = app.session("supervisor", &["qa"], None).await;
        let sup_b = app.session("supervisor", &["qb"], None).await;
        let admin = app.session("admin", &[], None).await;
        for (cookie, incoming) in [(&sup_a, 1), (&sup_b, 2), (&admin, 3)] {
            let (status, _, body) = app
                .page_request("POST", "/api/insights", Some(cookie), Some(""))
                .await;
            assert_eq!(status, 200, "{body}");
            let data: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(data["report"]["incoming"], incoming, "{cookie}");
            // Asking for the other queue gives nothing of it.
            let (_, _, body) = app
                .page_request(
                    "POST",
                    "/api/insights",
                    Some(cookie),
                    Some("filters[0][0]=queue&filters[0][1]=qb"),
                )
                .await;
            let data: Value = serde_json::from_str(&body).expect("json");
            let expected = if cookie == &sup_a { 0 } else { 2 };
            assert_eq!(data["report"]["incoming"], expected);

            let (status, _, body) = app
                .page_request("GET", "/api/v1/conversations", Some(cookie), None)
                .await;
            assert_eq!(status, 200, "{body}");
            let rows: Value = serde_json::from_str(&body).expect("json");
            let queues: Vec<&str> = rows["conversations"]
                .as_array()
                .expect("rows")
                .iter()
                .filter_map(|r| r["queue_id"].as_str())
                .collect();
            assert_eq!(queues.len(), incoming as usize, "{rows}");
            if cookie == &sup_a {
                assert!(queues.iter().all(|q| *q == "qa"), "{queues:?}");
            }
        }
        // A supervisor with no queue yet is told to ask an administrator.
        let none = app.session("supervisor", &[], None).await;
        let (status, _, html) = app
            .page_request("GET", "/insights", Some(&none), None)
            .await;
        assert_eq!(status, 403);
        assert!(html.contains("Ask an administrator"), "{html}");
        // The pages' own feed opens for a supervisor by cookie.
        let feed = open_stream(&app, "/api/v1/stream/page", Some(&sup_a)).await;
        assert_eq!(feed, 200);
    }
}

/// The status a stream answers with (streams never end, so only the head is read).
async fn open_stream(app: &TestApp, path: &str, cookie: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(host).await.expect("connect");
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}Connection: close\r\n\r\n");
    socket.write_all(head.as_bytes()).await.expect("write");
    let mut buf = [0u8; 64];
    let n = socket.read(&mut buf).await.expect("read");
    String::from_utf8_lossy(&buf[..n])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status")
}

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
        ("admin_origins_set", "origins=".into()),
        ("admin_tokens", String::new()),
        ("admin_token_create", "name=m&scopes[0]=read".into()),
        ("admin_token_revoke", format!("id={spare_id}")),
        ("admin_panels", String::new()),
        ("admin_panel_add", "title=M&view=window%3D4h".into()),
        ("admin_panel_remove", "id=1".into()),
        ("admin_audit", "page=0".into()),
        ("admin_user_delete", "login=matrix".into()),
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
    ]
    .into_iter()
    .map(|p| ("GET", p.to_owned(), None, admin_page))
    .collect();
    cases.extend(
        admin_fns
            .into_iter()
            .map(|(f, body)| ("POST", format!("/api/{f}"), Some(body), admin_fn)),
    );
    let common: Vec<(&str, &str, Option<String>, [u16; 6])> = vec![
        ("GET", "/", None, page),
        ("GET", "/signin", None, open),
        ("GET", "/insights", None, supervisor_page),
        ("GET", "/wallboard", None, supervisor_page),
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
        ("GET", "/metrics", None, open),
        ("GET", "/healthz", None, open),
        ("GET", "/readyz", None, open),
        (
            "POST",
            "/api/v1/events",
            Some("EVENT".into()),
            [401, 401, 401, 401, 401, 200],
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
    let streams = [("/api/v1/stream/page", read), ("/api/v1/stream", read)];
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_stop_working_and_are_forgotten() {
    for kind in BACKENDS {
        let app = spawn_app(kind).await;
        let viewer = app::auth::Viewer {
            user_id: None,
            login: "old".into(),
            role: app::auth::Role::Admin,
            queues: vec![],
            agent_id: None,
            locale: None,
            embedded: true,
        };
        let now = server::store::now_ms();
        let stale = server::store::sessions::start(&app.db, &viewer, now - 1)
            .await
            .expect("session");
        let fresh = server::store::sessions::start(&app.db, &viewer, now + 60_000)
            .await
            .expect("session");
        let cookie = format!("{}={stale}", server::session::COOKIE);
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&cookie), None)
            .await;
        assert_eq!(status, 303, "an expired session signs nobody in");
        assert_eq!(
            server::store::sessions::purge_expired(&app.db)
                .await
                .expect("purge"),
            1
        );
        assert!(
            server::store::sessions::find(&app.db, &fresh)
                .await
                .expect("find")
                .is_some()
        );
    }
}
