//! Sign-in, sessions, cross-site refusal and security headers (the authorization matrix is in
//! `authz.rs`).

use serde_json::Value;

use crate::helpers::{TestApp, header, request_with, spawn_app};

/// Two queues with one conversation each; agent Ann works in qa.
pub(crate) async fn two_queues(app: &TestApp) {
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

each_backend! {
    async fn signing_in_and_out_with_a_password(kind) {
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
    for _ in 0..server::auth::login_limit::MAX_FAILURES {
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

each_backend! {
    async fn supervisors_see_only_their_queues_everywhere(kind) {
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
pub(crate) async fn open_stream(app: &TestApp, path: &str, cookie: Option<&str>) -> u16 {
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

each_backend! {
    async fn expired_sessions_stop_working_and_are_forgotten(kind) {
        let app = spawn_app(kind).await;
        let viewer = app::auth::Viewer {
            user_id: None,
            login: "old".into(),
            role: app::auth::Role::Supervisor,
            queues: vec!["qa".into()],
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
        let cookie = format!("{}={stale}", server::auth::session::COOKIE);
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
