//! Embedding in a portal's iframe: a signed token signs in without any cookie, the page's own
//! requests carry the session in a header, and only the admin's origins may frame it.

use serde_json::Value;
use server::auth::embed::{Claims, sign};
use server::config::Config;

use crate::helpers::{header, request_with, spawn_app, spawn_app_with};

const SECRET: &str = "the portal and intraday share this secret!";

fn claims(queues: &[&str], ttl: i64) -> Claims {
    Claims {
        sub: "portal.sue".into(),
        role: "supervisor".into(),
        queues: queues.iter().map(|q| q.to_string()).collect(),
        agent_id: None,
        locale: None,
        // Each token signs in once: a fresh id per token.
        jti: Some(format!(
            "t-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        )),
        exp: chrono::Utc::now().timestamp() + ttl,
    }
}

each_backend! {
    async fn a_signed_token_signs_in_inside_the_frame_without_cookies(kind) {
        let app = spawn_app_with(
            kind,
            Config {
                ingest_rate_per_second: 0,
                embed_secret: Some(SECRET.into()),
                ..Config::default()
            },
        )
        .await;
        let at = chrono::Utc::now().to_rfc3339();
        let body = format!(
            r#"[{{"id":"e1","type":"conversation.created","at":"{at}","conversation_id":"c1","queue_id":"qa","channel":"chat","customer":{{"id":"k","name":"A"}}}},
                {{"id":"e2","type":"conversation.created","at":"{at}","conversation_id":"c2","queue_id":"qb","channel":"chat","customer":{{"id":"k","name":"B"}}}}]"#
        );
        assert_eq!(app.ingest(&body).await.0, 200);

        let token = sign(SECRET, &claims(&["qa"], 300));
        let path = format!("/embed/insights?token={token}");
        let (status, head, html) = request_with(&app.base, "GET", &path, &[], b"").await;
        assert_eq!(status, 200, "{html}");
        assert!(header(&head, "set-cookie").is_none(), "no cookie: {head}");
        let session = html
            .split(r#"<meta name="intraday-session" content=""#)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("session in the page")
            .to_owned();
        assert!(session.starts_with("ses_"), "{session}");
        assert!(html.contains("x-intraday-session"), "the fetch patch");
        assert!(
            html.contains("portal.sue"),
            "signed in as the portal's person"
        );
        // No origin allowed yet: nobody may frame it.
        let csp = header(&head, "content-security-policy").expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

        // The page's own requests carry the session in a header, scoped to the token's queues.
        let (status, _, body) = request_with(
            &app.base,
            "POST",
            "/api/insights",
            &[
                ("x-intraday-session", session.as_str()),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let data: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(data["report"]["incoming"], 1);

        // The admin allows a portal: /embed pages may be framed by it, nothing else changes.
        server::auth::embed::set_origins(&app.db, &["https://portal.example".into()], "test")
            .await
            .expect("origins");
        // A token signs in once: a new one for the framed page.
        let path = format!(
            "/embed/insights?token={}",
            sign(SECRET, &claims(&["qa"], 300))
        );
        let (status, head, _) = request_with(&app.base, "GET", &path, &[], b"").await;
        assert_eq!(status, 200);
        let csp = header(&head, "content-security-policy").expect("csp");
        assert!(
            csp.contains("frame-ancestors https://portal.example"),
            "{csp}"
        );
        assert!(header(&head, "x-frame-options").is_none());
        let (_, head, _) = request_with(&app.base, "GET", "/signin", &[], b"").await;
        assert!(
            header(&head, "content-security-policy")
                .is_some_and(|c| c.contains("frame-ancestors 'none'"))
        );
        assert!(
            server::auth::embed::set_origins(&app.db, &["https://x.example/path".into()], "t")
                .await
                .is_err()
        );

        let audit = server::store::audit::recent(&app.db, 10)
            .await
            .expect("audit");
        assert!(audit.iter().any(|e| e.action == "session.embed"));
        assert!(audit.iter().any(|e| e.action == "settings.embed_origins"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_forged_or_unconfigured_tokens_get_a_clear_page() {
    let app = spawn_app_with(
        server::db::DbKind::Sqlite,
        Config {
            embed_secret: Some(SECRET.into()),
            ..Config::default()
        },
    )
    .await;
    let expired = sign(SECRET, &claims(&["qa"], -5));
    let (status, _, body) = request_with(
        &app.base,
        "GET",
        &format!("/embed/insights?token={expired}"),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("has expired"), "{body}");
    let forged = sign(
        "another secret that is also long enough",
        &claims(&["qa"], 60),
    );
    let (status, _, body) = request_with(
        &app.base,
        "GET",
        &format!("/embed/insights?token={forged}"),
        &[("Accept-Language", "pl")],
        b"",
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        body.contains("nieprawidłowy"),
        "in the browser's language: {body}"
    );
    // Without a token or session the embedded tab says to sign in, never shows data.
    let (status, _, body) = request_with(&app.base, "GET", "/embed/insights", &[], b"").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("data-testid=\"access-denied\""), "{body}");

    let plain = spawn_app(server::db::DbKind::Sqlite).await;
    let token = sign(SECRET, &claims(&["qa"], 60));
    let (status, _, body) = request_with(
        &plain.base,
        "GET",
        &format!("/embed/insights?token={token}"),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("not set up"), "{body}");
}
