//! Supervisor actions from the app go through the ingest path and the audit log.

use serde_json::Value;

use crate::helpers::{request, request_with, spawn_app};

each_backend! {
    async fn changing_an_agents_presence_is_an_audited_event(kind) {
        let app = spawn_app(kind).await;
        let at = chrono::Utc::now().to_rfc3339();
        let body = format!(
            r#"[{{"id":"a1","type":"agent.upserted","at":"{at}","agent_id":"a1","name":"Ann","queues":["q1"]}}]"#
        );
        assert_eq!(app.ingest(&body).await.0, 200);
        let form = "agent_id=a1&presence=away";
        // Only a supervisor of one of the agent's queues may, and only from our own pages.
        let other = app.session("supervisor", &["q2"], None).await;
        let (status, _, body) = app
            .page_request("POST", "/api/agent_presence", Some(&other), Some(form))
            .await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains(r#""key":"error.no_agent""#), "{body}");
        let mine = app.session("supervisor", &["q1"], None).await;
        let (status, _, body) = request_with(
            &app.base,
            "POST",
            "/api/agent_presence",
            &[
                ("Cookie", mine.as_str()),
                ("Origin", "http://evil.example"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .await;
        assert_eq!(status, 403, "cross-site: {body}");
        let (status, _, body) = app
            .page_request("POST", "/api/agent_presence", Some(&mine), Some(form))
            .await;
        assert!(
            status == 200 || status == 302 || status == 303,
            "{status} {body}"
        );
        let (_, agents) = request(
            &app.base,
            "GET",
            "/api/v1/agents",
            Some(&app.token),
            None,
            b"",
        )
        .await;
        let agents: Value = serde_json::from_str(&agents).expect("json");
        assert_eq!(agents["agents"][0]["presence"], "away", "{agents}");
        let audit = server::store::audit::recent(&app.db, 10)
            .await
            .expect("audit");
        assert!(
            audit.iter().any(|e| e.action == "agent.presence"
                && e.target == "a1"
                && e.actor.starts_with("supervisor")),
            "{audit:?}"
        );

        let (status, _, body) = app
            .page_request(
                "POST",
                "/api/agent_presence",
                Some(&mine),
                Some("agent_id=a1&presence=asleep"),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(r#""key":"error.presence""#), "{body}");
    }
}
