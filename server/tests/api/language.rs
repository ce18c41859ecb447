//! The page's language per request: the `intraday_lang` cookie, then `Accept-Language`, then
//! English; the charts the Insights server function draws follow it.

use serde_json::Value;

use crate::helpers::{request_with, spawn_app};

async fn page(base: &str, headers: &[(&str, &str)]) -> String {
    let (status, body) = request_with(base, "GET", "/insights", headers, b"").await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_cookie_then_the_browser_choose_the_page_language() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;

    let body = page(&app.base, &[]).await;
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Abandoned"), "{body}");

    let body = page(&app.base, &[("Accept-Language", "pl-PL,pl;q=0.9,en;q=0.8")]).await;
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
    assert!(
        body.contains("Porzucone") && body.contains("Poziom obsługi"),
        "{body}"
    );
    assert!(!body.contains("Abandoned"), "{body}");

    let chosen = [
        ("Accept-Language", "pl"),
        ("Cookie", "other=1; intraday_lang=en"),
    ];
    let body = page(&app.base, &chosen).await;
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Abandoned"), "{body}");
}

#[tokio::test]
async fn the_insights_charts_are_drawn_in_the_request_language() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let titles = |body: &str| -> Vec<String> {
        let data: Value = serde_json::from_str(body).expect("json");
        data["charts"]
            .as_array()
            .expect("charts")
            .iter()
            .filter_map(|c| c["title"].as_str().map(str::to_owned))
            .collect()
    };
    let polish = [form, ("Cookie", "intraday_lang=pl")];
    let (status, body) = request_with(&app.base, "POST", "/api/insights", &polish, b"").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        titles(&body).contains(&"Poziom obsługi w podziale na godziny".to_owned()),
        "{body}"
    );
    let (status, body) = request_with(&app.base, "POST", "/api/insights", &[form], b"").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        titles(&body).contains(&"Service level per hour".to_owned()),
        "{body}"
    );
}
