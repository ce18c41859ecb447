//! Admin settings take effect: thresholds change the alerts the read API returns, the
//! retention setting is used by each run, a created token reads until it is revoked.

use serde_json::Value;

use crate::admin::queues;
use crate::helpers::{TestApp, spawn_app};

/// The alert keys the read API returns.
async fn alert_keys(app: &TestApp) -> Vec<String> {
    let (status, body) = crate::helpers::request(
        &app.base,
        "GET",
        "/api/v1/kpis",
        Some(&app.token),
        None,
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).expect("json");
    report["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["key"].as_str().map(str::to_owned))
        .collect()
}

each_backend! {
    async fn thresholds_change_the_alerts_the_read_api_returns(kind) {
        let app = spawn_app(kind).await;
        queues(&app).await;
        let admin = app.session("admin", &[], None).await;
        let waits = |keys: &[String]| {
            let mut w: Vec<String> = keys
                .iter()
                .filter(|k| k.starts_with("longest_wait:"))
                .cloned()
                .collect();
            w.sort();
            w
        };
        assert!(
            waits(&alert_keys(&app).await).is_empty(),
            "two minutes is within the default 300 s"
        );
        let set = |body: &'static str| {
            let admin = admin.clone();
            let app = &app;
            async move {
                let (status, _, text) = app
                    .page_request(
                        "POST",
                        "/api/admin_thresholds_set",
                        Some(&admin),
                        Some(body),
                    )
                    .await;
                assert_eq!(status, 200, "{text}");
            }
        };
        set("queue_id=qa&service_level_target=80&longest_wait=60&abandon_rate=10&sentiment=-2")
            .await;
        assert_eq!(
            waits(&alert_keys(&app).await),
            ["longest_wait:qa"],
            "qa's own limit"
        );
        set("service_level_target=80&longest_wait=90&abandon_rate=10&sentiment=-2").await;
        assert_eq!(
            waits(&alert_keys(&app).await),
            ["longest_wait:qa", "longest_wait:qb"],
            "the default applies to qb"
        );
        let (status, _, _) = app
            .page_request(
                "POST",
                "/api/admin_thresholds_set",
                Some(&admin),
                Some("queue_id=qa&service_level_target=80&longest_wait=3600&abandon_rate=10&sentiment=-2"),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(waits(&alert_keys(&app).await), ["longest_wait:qb"]);
    }
}

each_backend! {
    async fn the_retention_setting_is_used_by_each_run(kind) {
        use server::store::events::{self, NewEvent};
        let app = spawn_app(kind).await;
        let admin = app.session("admin", &[], None).await;
        let day = 86_400_000;
        let now = server::store::now_ms();
        let rows: Vec<NewEvent> = [4 * day, 2 * day]
            .iter()
            .enumerate()
            .map(|(i, age)| NewEvent {
                event_id: format!("old{i}"),
                event_type: "agent.presence".into(),
                at_ms: now - age,
                conversation_id: None,
                agent_id: Some("a1".into()),
                payload: "{}".into(),
            })
            .collect();
        events::append(&app.db, &rows).await.expect("append");
        assert_eq!(
            server::ops::retention::run_once(&app.db, 35).await.expect("run"),
            (35, 0),
            "the configured days"
        );
        let (status, _, _) = app
            .page_request(
                "POST",
                "/api/admin_retention_set",
                Some(&admin),
                Some("days=3"),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            server::ops::retention::run_once(&app.db, 35).await.expect("run"),
            (3, 1),
            "the admin's days: the 4-day-old event goes"
        );
        let (status, _, _) = app
            .page_request(
                "POST",
                "/api/admin_retention_set",
                Some(&admin),
                Some("days="),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(server::ops::retention::days(&app.db, 35).await, 35, "cleared");
    }
}

each_backend! {
    async fn a_created_token_reads_until_it_is_revoked(kind) {
        let app = spawn_app(kind).await;
        queues(&app).await;
        let admin = app.session("admin", &[], None).await;
        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_token_create",
                Some(&admin),
                Some("name=wallboard&scopes[0]=read&queues[0]=qa"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let secret: String = serde_json::from_str(&body).expect("the secret, once");
        assert!(secret.starts_with("itk_"), "{secret}");
        let kpis = |token: String| {
            let base = app.base.clone();
            async move {
                crate::helpers::request(&base, "GET", "/api/v1/kpis", Some(&token), None, b"").await
            }
        };
        let (status, body) = kpis(secret.clone()).await;
        assert_eq!(status, 200, "{body}");
        let report: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(report["incoming"], 1, "scoped to qa");

        let (_, _, body) = app
            .page_request("POST", "/api/admin_tokens", Some(&admin), Some(""))
            .await;
        assert!(!body.contains(&secret), "the list never shows a secret");
        let tokens: Value = serde_json::from_str(&body).expect("json");
        let row = &tokens[0];
        assert_eq!(row["name"], "wallboard", "newest first");
        assert_eq!(row["scopes"], serde_json::json!(["read"]));
        assert_eq!(row["queues"], serde_json::json!(["qa"]));
        assert!(row["revoked_at"].is_null());

        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/admin_token_revoke",
                Some(&admin),
                Some(&format!("id={}", row["id"])),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(kpis(secret).await.0, 401, "revoked");
        let (_, _, body) = app
            .page_request("POST", "/api/admin_tokens", Some(&admin), Some(""))
            .await;
        let tokens: Value = serde_json::from_str(&body).expect("json");
        assert!(tokens[0]["revoked_at"].is_string());
    }
}
