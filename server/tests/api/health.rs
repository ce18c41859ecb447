use crate::helpers::{BACKENDS, get, spawn_app};

#[tokio::test]
async fn healthz_answers_200_on_every_backend() {
    for kind in BACKENDS {
        let app = spawn_app(kind).await;
        let (status, body) = get(&app.base, "/healthz").await;
        assert_eq!(status, 200, "{kind:?}");
        assert_eq!(body.trim(), "ok");
    }
}

#[tokio::test]
async fn start_page_is_server_rendered_with_the_database_status() {
    for kind in BACKENDS {
        let app = spawn_app(kind).await;
        let (status, body) = get(&app.base, "/").await;
        assert_eq!(status, 200, "{kind:?}");
        assert!(body.contains("<title>Intraday</title>"), "{body}");
        assert!(body.contains("Events stored"), "{body}");
        assert!(body.contains(kind.as_str()), "{kind:?}: {body}");
        assert!(
            body.contains("/pkg/intraday.js"),
            "hydration script missing: {body}"
        );
    }
}

#[tokio::test]
async fn unknown_page_is_404() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let (status, body) = get(&app.base, "/no-such-page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found."), "{body}");
}
