//! The OpenAPI document describes the real routes: every documented operation exists, and the
//! ingest operation documents every status the handler can return.

use serde_json::Value;
use server::db::DbKind;

use crate::helpers::{get, request, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_a_real_route() {
    let app = spawn_app(DbKind::Sqlite).await;
    let (status, body) = get(&app.base, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).expect("valid JSON");
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/api/v1/events"));
    for (path, ops) in paths {
        if path == "/api/v1/stream/page" {
            // An open, endless stream: tests/api/page_stream.rs reads it properly.
            continue;
        }
        for method in ops.as_object().expect("operations").keys() {
            let (status, _) = request(
                &app.base,
                &method.to_uppercase(),
                path,
                None,
                Some("application/json"),
                b"{}",
            )
            .await;
            assert!(
                status != 404 && status != 405,
                "{method} {path} is documented but answers {status}"
            );
        }
    }
    // And an undocumented method on a documented path is not silently served.
    let (status, _) = request(&app.base, "DELETE", "/api/v1/events", None, None, b"").await;
    assert_eq!(status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_documents_every_status_it_returns() {
    let doc: Value = serde_json::from_str(server::http::OPENAPI).expect("valid JSON");
    let responses = doc["paths"]["/api/v1/events"]["post"]["responses"]
        .as_object()
        .expect("responses");
    for code in [
        "200", "400", "401", "403", "413", "415", "422", "429", "503",
    ] {
        assert!(
            responses.contains_key(code),
            "status {code} is not documented"
        );
    }
}
