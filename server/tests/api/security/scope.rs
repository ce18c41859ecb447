//! Scoping: the drill-through, open streams, the page feed and queue-limited ingest tokens
//! reach only what their caller may see or write.

use super::*;

// 3. The drill-through holds only the supervisor's queues.
each_backend! {
    async fn a_drill_through_shows_only_the_supervisors_queues(kind) {
        let app = spawn_app(kind).await;
        let t = |s: i64| (chrono::Utc::now() - chrono::TimeDelta::seconds(300 - s)).to_rfc3339();
        let body = json!([
            {"id":"q-a","type":"queue.upserted","at":t(0),"queue_id":"qa","name":"A","channels":["chat"]},
            {"id":"q-b","type":"queue.upserted","at":t(0),"queue_id":"qb","name":"B","channels":["chat"]},
            {"id":"ag","type":"agent.upserted","at":t(0),"agent_id":"ann","name":"Ann","queues":["qa","qb"]},
            {"id":"p","type":"agent.presence","at":t(0),"agent_id":"ann","presence":"available"},
            {"id":"a1","type":"conversation.created","at":t(10),"conversation_id":"conv-in-a","queue_id":"qa","channel":"chat","customer":{"id":"k1","name":"Kay"}},
            {"id":"a2","type":"conversation.offered","at":t(11),"conversation_id":"conv-in-a","agent_id":"ann","by":"routing"},
            {"id":"a3","type":"conversation.accepted","at":t(12),"conversation_id":"conv-in-a","agent_id":"ann"},
            {"id":"b1","type":"conversation.created","at":t(20),"conversation_id":"conv-in-b","queue_id":"qb","channel":"chat","customer":{"id":"k2","name":"Lee"}},
            {"id":"b2","type":"conversation.offered","at":t(21),"conversation_id":"conv-in-b","agent_id":"ann","by":"routing"},
            {"id":"b3","type":"conversation.accepted","at":t(22),"conversation_id":"conv-in-b","agent_id":"ann"},
            {"id":"b4","type":"conversation.message","at":t(30),"conversation_id":"conv-in-b","from":"customer","text":"awful","sentiment":-3}
        ]);
        assert_eq!(app.ingest(&body.to_string()).await.0, 200);
        let sup_a = app.session("supervisor", &["qa"], None).await;
        let admin = app.session("admin", &[], None).await;
        let (status, _, a) = app
            .page_request(
                "POST",
                "/api/agent_detail",
                Some(&sup_a),
                Some("agent_id=ann"),
            )
            .await;
        assert_eq!(status, 200, "{a}");
        let (_, _, all) = app
            .page_request(
                "POST",
                "/api/agent_detail",
                Some(&admin),
                Some("agent_id=ann"),
            )
            .await;
        assert!(
            all.contains("conv-in-b") && all.contains("conv-in-a"),
            "{all}"
        );
        assert!(a.contains("conv-in-a"), "{a}");
        assert!(
            !a.contains("conv-in-b") && !a.contains("\"qb\""),
            "{kind:?}: {a}"
        );
        let detail: serde_json::Value = serde_json::from_str(&a).expect("json");
        assert_eq!(detail["row"]["offers"], 1);
        assert_eq!(detail["row"]["active"], 1);
        assert_eq!(detail["row"]["capacity_used"], 1);
        assert_eq!(detail["row"]["queues"], json!(["qa"]));
    }
}

/// Whether the stream's next events within `wait` end in `unauthorized` (`Err`: none came).
async fn until_unauthorized(
    client: &mut crate::sse::SseClient,
    wait: Duration,
) -> Result<bool, tokio::time::error::Elapsed> {
    tokio::time::timeout(wait, async {
        loop {
            match client.next().await {
                Some(e) if e.event == "unauthorized" => return true,
                Some(_) => {}
                None => return false,
            }
        }
    })
    .await
}

// 6. Open streams end when their caller may no longer read.
each_backend! {
    async fn streams_end_when_their_caller_loses_the_right(kind) {
        let app = spawn_app(kind).await;
        two_queues(&app).await;
        // Signed out: the session's stream ends with `unauthorized`.
        let sup = app.session("supervisor", &["qa"], None).await;
        let token = sup.split_once('=').expect("cookie").1.to_owned();
        for path in ["/api/v1/stream", "/api/v1/stream/page"] {
            let mut client =
                connect(&app.base, &format!("{path}?session={token}"), None, None).await;
            assert_eq!(client.status, 200, "{path}");
            client.next_data().await.expect("first");
            if path == "/api/v1/stream/page" {
                let (status, _, _) = app
                    .page_request("POST", "/auth/signout", Some(&sup), Some(""))
                    .await;
                assert_eq!(status, 303);
            }
            let end = until_unauthorized(&mut client, Duration::from_secs(7)).await;
            if path == "/api/v1/stream/page" {
                assert_eq!(end, Ok(true), "{kind:?} {path}");
            } else {
                assert!(
                    end.is_err(),
                    "a stream whose caller still may read stays open"
                );
            }
        }
        // A revoked token's stream ends too.
        let read = server::store::tokens::generate().expect("random");
        let id = server::store::tokens::insert(
            &app.db,
            "reader",
            &read,
            &[server::store::tokens::Scope::Read],
            None,
        )
        .await
        .expect("token");
        let mut client = connect(&app.base, "/api/v1/stream", Some(&read), None).await;
        client.next_data().await.expect("snapshot");
        server::store::tokens::revoke(&app.db, id)
            .await
            .expect("revoke");
        let ended = until_unauthorized(&mut client, Duration::from_secs(8)).await;
        assert_eq!(ended, Ok(true), "{kind:?}");
    }
}

// 7. The page feed tells a supervisor about their own queues only.
each_backend! {
    async fn the_page_feed_is_scoped_to_the_callers_queues(kind) {
        let app = spawn_app(kind).await;
        two_queues(&app).await;
        let sup_b = app.session("supervisor", &["qb"], None).await;
        let token = sup_b.split_once('=').expect("cookie").1.to_owned();
        let mut feed = connect(
            &app.base,
            &format!("/api/v1/stream/page?session={token}"),
            None,
            None,
        )
        .await;
        assert_eq!(feed.status, 200);
        feed.next_data().await.expect("first");
        let created = |id: &str, queue: &str| {
            json!([{"id": id, "type": "conversation.created", "at": chrono::Utc::now().to_rfc3339(),
                "conversation_id": id, "queue_id": queue, "channel": "chat",
                "customer": {"id": "k", "name": "K"}}])
            .to_string()
        };
        assert_eq!(app.ingest(&created("other-queue", "qa")).await.0, 200);
        assert!(
            feed.quiet_for(Duration::from_millis(1_500)).await,
            "{kind:?}: another queue's change reached supervisor B"
        );
        assert_eq!(app.ingest(&created("own-queue", "qb")).await.0, 200);
        let changed = feed.next_data().await.expect("changed");
        assert_eq!(changed.event, "changed");
    }
}

// 9. A queue-limited ingest token writes its queues only; names and lists are bounded.
each_backend! {
    async fn an_ingest_token_writes_only_its_queues(kind) {
        let app = spawn_app(kind).await;
        two_queues(&app).await;
        let limited = server::store::tokens::generate().expect("random");
        server::store::tokens::insert(
            &app.db,
            "qa-only",
            &limited,
            &[server::store::tokens::Scope::Ingest],
            Some(&["qa".to_owned()]),
        )
        .await
        .expect("token");
        let now = chrono::Utc::now().to_rfc3339();
        let before = app.stored().await;
        let post = |body: serde_json::Value| {
            let base = app.base.clone();
            let token = limited.clone();
            async move { crate::helpers::post_events(&base, &token, body.to_string().as_bytes()).await }
        };
        let other = json!([{"id":"x1","type":"conversation.created","at":now,"conversation_id":"x1",
            "queue_id":"qb","channel":"chat","customer":{"id":"k","name":"K"}}]);
        let (status, text) = post(other).await;
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("queue_id"), "{text}");
        let closing = json!([{"id":"x2","type":"conversation.message","at":now,"conversation_id":"cb",
            "from":"customer","text":"hello"}]);
        assert_eq!(
            post(closing).await.0,
            403,
            "a conversation of another queue"
        );
        let reference = json!([{"id":"x3","type":"queue.upserted","at":now,"queue_id":"qb","name":"Mine now","channels":["chat"]}]);
        assert_eq!(post(reference).await.0, 403);
        assert_eq!(app.stored().await, before, "nothing stored");
        let own = json!([{"id":"x4","type":"conversation.created","at":now,"conversation_id":"x4",
            "queue_id":"qa","channel":"chat","customer":{"id":"k","name":"K"}}]);
        assert_eq!(post(own).await.0, 200);

        let long = json!([{"id":"x5","type":"agent.upserted","at":now,"agent_id":"zed",
            "name":"Z".repeat(2_000_000),"queues":["qa"]}]);
        let (status, text) = app.ingest(&long.to_string()).await;
        assert_eq!(status, 422, "{kind:?}");
        assert!(
            text.contains("\"field\":\"name\""),
            "{}",
            &text[..text.len().min(300)]
        );
    }
}
