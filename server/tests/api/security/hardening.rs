//! Bounds and hardening: heavy questions, metrics, cookies, cross-site requests and the
//! security headers.

use super::*;

// 8. Signed-in callers' heavy requests are bounded.
each_backend! {
    async fn heavy_questions_are_bounded(kind) {
        let app = spawn_app_with(
            kind,
            Config {
                ingest_rate_per_second: 0,
                stream_max_per_caller: 2,
                ..Config::default()
            },
        )
        .await;
        let agents: String = (0..101).map(|n| format!("agent=a{n}&")).collect();
        let (status, text) = request(
            &app.base,
            "GET",
            &format!("/api/v1/kpis?{agents}"),
            Some(&app.token),
            None,
            b"",
        )
        .await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("agent") && text.contains("100"), "{text}");

        let sup = app.session("supervisor", &["qa"], None).await;
        let big = format!("filters[0][0]=queue&filters[0][1]={}", "q".repeat(70_000));
        let (status, _, _) = app
            .page_request("POST", "/api/insights", Some(&sup), Some(&big))
            .await;
        assert_eq!(status, 413);

        let from = (chrono::Utc::now() - chrono::TimeDelta::days(40)).to_rfc3339();
        let (status, text) = request(
            &app.base,
            "GET",
            &format!("/api/v1/kpis/history?from={}", from.replace('+', "%2B")),
            Some(&app.token),
            None,
            b"",
        )
        .await;
        assert_eq!(status, 400, "{text}");

        let _one = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        let _two = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        let third = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        assert_eq!(third.status, 429, "{kind:?}");
        assert_eq!(header(&third.head, "retry-after"), Some("5"));
    }
}

// 8. One reader asking back to back is slowed down; nobody else is.
each_backend! {
    async fn a_reader_asking_too_fast_is_slowed_and_nobody_else(kind) {
        let app = spawn_app_with(
            kind,
            Config {
                ingest_rate_per_second: 0,
                read_rate_per_second: 1,
                ..Config::default()
            },
        )
        .await;
        let bearer = format!("Bearer {}", app.token);
        let ask = |path: &'static str| {
            let base = app.base.clone();
            let bearer = bearer.clone();
            async move {
                request_with(&base, "GET", path, &[("Authorization", bearer.as_str())], b"").await
            }
        };
        // A rate of 1 a second allows a burst of 2.
        assert_eq!(ask("/api/v1/kpis").await.0, 200);
        assert_eq!(ask("/api/v1/agents").await.0, 200);
        let (status, head, body) = ask("/api/v1/conversations").await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(header(&head, "retry-after"), Some("1"));
        assert!(body.contains("read rate of 1"), "{body}");
        let stream = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        assert_eq!(stream.status, 429, "a stream open counts as a question");

        // Another token, a signed-in supervisor and the same token's writes are not slowed.
        let other = server::store::tokens::generate().expect("random");
        server::store::tokens::insert(&app.db, "other", &other, &[server::store::tokens::Scope::Read], None)
            .await
            .expect("token");
        let (status, _) = request(&app.base, "GET", "/api/v1/kpis", Some(&other), None, b"").await;
        assert_eq!(status, 200);
        let sup = app.session("supervisor", &["qa"], None).await;
        let (status, _, body) = app.page_request("GET", "/api/v1/kpis", Some(&sup), None).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = app.ingest("[]").await;
        assert_ne!(status, 429, "{body}");

        // The bucket refills at the rate.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        assert_eq!(ask("/api/v1/kpis").await.0, 200);
    }
}

// 11. Hardening.
each_backend! {
    async fn metrics_need_a_token_unless_opened(kind) {
        let app = spawn_app(kind).await;
        assert_eq!(crate::helpers::get(&app.base, "/metrics").await.0, 401);
        let read_only = server::store::tokens::generate().expect("random");
        server::store::tokens::insert(
            &app.db,
            "reader",
            &read_only,
            &[server::store::tokens::Scope::Read],
            None,
        )
        .await
        .expect("token");
        let (status, _) = request(&app.base, "GET", "/metrics", Some(&read_only), None, b"").await;
        assert_eq!(status, 403);
        assert_eq!(app.metrics().await.0, 200);
        let open = spawn_app_with(
            kind,
            Config {
                metrics_open: true,
                ..Config::default()
            },
        )
        .await;
        assert_eq!(crate::helpers::get(&open.base, "/metrics").await.0, 200);
    }
}

each_backend! {
    async fn cookies_are_secure_by_setting_and_https_gets_hsts(kind) {
        let app = spawn_app_with(
            kind,
            Config {
                secure_cookies: Some(true),
                ..Config::default()
            },
        )
        .await;
        user(&app, "sue", "admin", &[]).await;
        let (_, head) = sign_in(&app, "login=sue&password=a+long+enough+password", &[]).await;
        let cookie = header(&head, "set-cookie").expect("cookie");
        assert!(
            cookie.starts_with("__Host-intraday_session=") && cookie.contains("; Secure"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain"), "{cookie}");
        // The secure cookie identifies; the plain name does not.
        let session = signed_in(&head).expect("session");
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&session), None)
            .await;
        assert_eq!(status, 200);
        let plain = session.replace("__Host-intraday_session", "intraday_session");
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&plain), None)
            .await;
        assert_eq!(status, 303);

        // Over HTTPS (a proxy on this machine says so): HSTS.
        let (_, head, _) = request_with(
            &app.base,
            "GET",
            "/signin",
            &[("X-Forwarded-Proto", "https")],
            b"",
        )
        .await;
        assert!(
            header(&head, "strict-transport-security").is_some(),
            "{head}"
        );
        let (_, head, _) = request_with(&app.base, "GET", "/signin", &[], b"").await;
        assert!(header(&head, "strict-transport-security").is_none());
    }
}

each_backend! {
    async fn a_bearer_header_does_not_excuse_a_cross_site_cookie(kind) {
        let app = spawn_app(kind).await;
        let admin = app.session("admin", &[], None).await;
        let (status, head, _) = request_with(
            &app.base,
            "POST",
            "/api/admin_retention_set",
            &[
                ("Origin", "https://evil.example"),
                ("Cookie", admin.as_str()),
                ("Authorization", "Bearer anything"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"days=3",
        )
        .await;
        assert_eq!(status, 403, "{kind:?}");
        // The refusal carries the security headers too.
        assert!(header(&head, "content-security-policy").is_some(), "{head}");
        assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    for path in [
        "/insights",
        "/embed/insights?token=junk",
        "/healthz",
        "/readyz",
        "/signin",
    ] {
        let (status, head, _) = request_with(&app.base, "GET", path, &[], b"").await;
        assert!(status < 500, "{path}: {status}");
        for name in [
            "content-security-policy",
            "x-content-type-options",
            "referrer-policy",
        ] {
            assert!(
                header(&head, name).is_some(),
                "{path} has no {name}: {head}"
            );
        }
    }
}

each_backend! {
    async fn signing_in_again_ends_the_previous_session(kind) {
        let app = spawn_app(kind).await;
        user(&app, "sue", "admin", &[]).await;
        let form = "login=sue&password=a+long+enough+password";
        let (_, head) = sign_in(&app, form, &[]).await;
        let first = signed_in(&head).expect("first");
        let (_, head) = sign_in(&app, form, &[("Cookie", first.as_str())]).await;
        let second = signed_in(&head).expect("second");
        assert_ne!(first, second);
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&first), None)
            .await;
        assert_eq!(status, 303, "{kind:?}: the old session still works");
        let (status, _, _) = app
            .page_request("GET", "/insights", Some(&second), None)
            .await;
        assert_eq!(status, 200);
    }
}
