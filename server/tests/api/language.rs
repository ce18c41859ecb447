//! The page's language per request: the signed-in person's saved choice, then the
//! `intraday_lang` cookie, then `Accept-Language`, then English; the charts the Insights server
//! function draws follow it.

use serde_json::Value;

use crate::helpers::{request_with, spawn_app};

/// `/insights` with the session and extra cookies and headers.
async fn page(base: &str, session: &str, cookies: &str, headers: &[(&str, &str)]) -> String {
    let cookie = format!("{session}; {cookies}");
    let mut all = vec![("Cookie", cookie.as_str())];
    all.extend_from_slice(headers);
    let (status, _, body) = request_with(base, "GET", "/insights", &all, b"").await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_then_the_browser_choose_the_page_language() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let s = app.session("admin", &[], None).await;

    let body = page(&app.base, &s, "", &[]).await;
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Abandoned"), "{body}");

    let polish = [("Accept-Language", "pl-PL,pl;q=0.9,en;q=0.8")];
    let body = page(&app.base, &s, "", &polish).await;
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
    assert!(
        body.contains("Porzucone") && body.contains("Poziom obsługi"),
        "{body}"
    );
    assert!(!body.contains("Abandoned"), "{body}");

    let body = page(
        &app.base,
        &s,
        "other=1; intraday_lang=en",
        &[("Accept-Language", "pl")],
    )
    .await;
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Abandoned"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_saved_language_follows_them_to_any_browser() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let s = app.session("supervisor", &["q1"], None).await;
    let (status, _, body) = app
        .page_request("POST", "/api/my_language", Some(&s), Some("locale=klingon"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("locale"), "{body}");
    let (status, _, body) = app
        .page_request("POST", "/api/my_language", Some(&s), Some("locale=pl"))
        .await;
    assert_eq!(status, 200, "{body}");
    // A browser asking for English, with an English cookie, still gets their Polish.
    let body = page(
        &app.base,
        &s,
        "intraday_lang=en",
        &[("Accept-Language", "en")],
    )
    .await;
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_insights_charts_are_drawn_in_the_request_language() {
    let app = spawn_app(server::db::DbKind::Sqlite).await;
    let s = app.session("admin", &[], None).await;
    let titles = |body: &str| -> Vec<String> {
        let data: Value = serde_json::from_str(body).expect("json");
        data["charts"]
            .as_array()
            .expect("charts")
            .iter()
            .filter_map(|c| c["title"].as_str().map(str::to_owned))
            .collect()
    };
    let polish = format!("{s}; intraday_lang=pl");
    let (status, _, body) = app
        .page_request("POST", "/api/insights", Some(&polish), Some(""))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        titles(&body).contains(&"Poziom obsługi w podziale na godziny".to_owned()),
        "{body}"
    );
    let (status, _, body) = app
        .page_request("POST", "/api/insights", Some(&s), Some(""))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        titles(&body).contains(&"Service level per hour".to_owned()),
        "{body}"
    );
}
