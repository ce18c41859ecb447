//! The stream carries KPI tiles for the caller's scope, and alerts as they are raised.

use server::store::tokens::{self, Scope};

use crate::helpers::spawn_app;
use crate::sse::{SseClient, connect};

/// The next `kind` event's JSON, skipping others.
async fn next_of(feed: &mut SseClient, kind: &str) -> serde_json::Value {
    loop {
        let e = feed
            .next_any_data()
            .await
            .unwrap_or_else(|| panic!("stream ended before a {kind}"));
        if e.event == kind {
            return e.json();
        }
    }
}

each_backend! {
    async fn kpi_tiles_and_alerts_follow_the_log_for_each_scope(kind) {
        let app = spawn_app(kind).await;
        let wall = tokens::generate().expect("random");
        let q2 = ["q2".to_owned()];
        tokens::insert(&app.db, "wall-q2", &wall, &[Scope::Read], Some(&q2))
            .await
            .expect("token");
        let mut all = connect(&app.base, "/api/v1/stream", Some(&app.token), None).await;
        let mut scoped = connect(&app.base, "/api/v1/stream", Some(&wall), None).await;
        assert_eq!(next_of(&mut all, "kpis").await["incoming"], 0);
        assert_eq!(next_of(&mut scoped, "kpis").await["incoming"], 0);

        // A conversation in q1, created 10 minutes ago and still waiting: incoming 1 for the
        // whole center, a longest-wait alert for q1, nothing for the q2 wallboard.
        let at = (chrono::Utc::now() - chrono::TimeDelta::minutes(10)).to_rfc3339();
        let body = format!(
            r#"{{"id":"ks-1","type":"conversation.created","at":"{at}","conversation_id":"c1","queue_id":"q1","channel":"chat","customer":{{"id":"k1","name":"Ada"}}}}"#
        );
        assert_eq!(app.ingest(&body).await.0, 200);
        loop {
            let k = next_of(&mut all, "kpis").await;
            if k["incoming"] == 1 {
                assert_eq!(k["in_queue"], 1);
                break;
            }
        }
        let alert = next_of(&mut all, "alert").await;
        assert_eq!(alert["state"], "raised");
        assert_eq!(alert["alert"]["key"], "longest_wait:q1");
        // The scoped stream never sees q1's conversation, figures or alert.
        let until = tokio::time::Instant::now() + std::time::Duration::from_millis(2500);
        while let Ok(Some(e)) = tokio::time::timeout_at(until, scoped.next_any_data()).await {
            assert_ne!(e.event, "alert", "{e:?}");
            assert_ne!(e.event, "conversation", "{e:?}");
            if e.event == "kpis" {
                assert_eq!(e.json()["incoming"], 0, "{e:?}");
            }
        }
    }
}
