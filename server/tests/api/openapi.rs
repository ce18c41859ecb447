//! The OpenAPI document describes the real routes: every documented operation exists, the
//! ingest operation documents every status the handler can return, and the names clients
//! generate code from stay. (end2end/tests/openapi.spec.ts runs a standard validator on it.)

use serde_json::Value;
use server::db::DbKind;

use crate::helpers::{get, request, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_a_real_route() {
    let app = spawn_app(DbKind::Sqlite).await;
    let (status, body) = get(&app.base, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        body,
        server::http::openapi::document(),
        "served as generated"
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/api/v1/events"));
    for (path, ops) in paths {
        if path == "/api/v1/stream/page" {
            // An open, endless stream: tests/api/page_stream.rs reads it properly.
            continue;
        }
        for method in ops.as_object().expect("operations").keys() {
            let (status, body) = request(
                &app.base,
                &method.to_uppercase(),
                path,
                None,
                Some("application/json"),
                b"{}",
            )
            .await;
            // A handler's own 404 (no such connector) is a JSON error; the router's is not.
            let handler_404 = status == 404
                && serde_json::from_str::<Value>(&body).is_ok_and(|v| v["error"].is_string());
            assert!(
                status != 405 && (status != 404 || handler_404),
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
    let doc: Value = serde_json::from_str(server::http::openapi::document()).expect("valid JSON");
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

#[test]
fn the_names_clients_generate_from_stay() {
    let doc: Value = serde_json::from_str(server::http::openapi::document()).expect("valid JSON");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "Event",
        "Accepted",
        "EventErrors",
        "Error",
        "Kpis",
        "ConversationRow",
        "AgentRow",
    ] {
        assert!(schemas.contains_key(name), "schema {name} is gone");
    }
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|ops| ops.as_object().expect("operations").values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "chatwootWebhook",
            "getAgents",
            "getConversations",
            "getKpiHistory",
            "getKpis",
            "healthz",
            "metrics",
            "myStream",
            "openapi",
            "pageStream",
            "postConversationAction",
            "post_events",
            "readyz",
            "stream",
        ]
    );
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert!(schemes.contains_key("bearer") && schemes.contains_key("access_token"));
}

#[test]
fn nullable_values_are_written_the_3_1_way() {
    fn walk(v: &Value, at: &str) {
        match v {
            Value::Object(map) => {
                assert!(
                    !map.contains_key("nullable"),
                    "{at} uses OpenAPI 3.0's nullable"
                );
                for (k, v) in map {
                    walk(v, &format!("{at}/{k}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, at)),
            _ => {}
        }
    }
    let doc: Value = serde_json::from_str(server::http::openapi::document()).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    walk(&doc, "#");
}
