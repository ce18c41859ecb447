use crate::helpers::{get, spawn_app};

each_backend! {
    async fn healthz_answers_200_on_every_backend(kind) {
        let app = spawn_app(kind).await;
        let (status, body) = get(&app.base, "/healthz").await;
        assert_eq!(status, 200, "{kind:?}");
        assert_eq!(body.trim(), "ok");
    }
}

each_backend! {
    async fn start_page_is_server_rendered_with_the_database_status(kind) {
        let app = spawn_app(kind).await;
        let agent = app.session("agent", &[], None).await;
        let (status, _, body) = app.page_request("GET", "/", Some(&agent), None).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_page_is_404() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let (status, body) = get(&app.base, "/no-such-page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found."), "{body}");
}

each_backend! {
    async fn readyz_is_ready_once_migrated_and_rebuilt(kind) {
        let app = spawn_app(kind).await;
        let (status, body) = get(&app.base, "/readyz").await;
        assert_eq!((status, body.trim()), (200, "ready"), "{kind:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_start_up_ends_readyz_and_routes_are_503_with_the_reason() {
    use server::ops::ready::{Startup, router};
    let startup = Startup::new();
    startup.set_stage("rebuilding the live state from the event log");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(axum::serve(listener, router(startup.clone())).into_future());

    assert_eq!(get(&base, "/healthz").await.0, 200, "alive while starting");
    let (status, body) = get(&base, "/readyz").await;
    assert_eq!(status, 503);
    assert!(body.contains("rebuilding the live state"), "{body}");
    let (status, body) = get(&base, "/api/v1/openapi.json").await;
    assert_eq!(status, 503);
    assert!(body.contains("Intraday is starting"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_reports_pending_migrations() {
    use migrations::{Migrator, MigratorTrait};
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    Migrator::down(&app.db, Some(1))
        .await
        .expect("roll back the newest migration");
    let (status, body) = get(&app.base, "/readyz").await;
    assert_eq!(status, 503);
    assert!(body.contains("1 migration(s) pending"), "{body}");
}
