//! Actions taken in Intraday on a Chatwoot conversation, carried out in Chatwoot: each call
//! checked at a stand-in for Chatwoot's API, and the webhooks Chatwoot sends back for them.

use serde_json::{Value, json};

use crate::connectors::{SECRET, deliver, fixture, iso};
use crate::helpers::{request, spawn_app};

/// One call Chatwoot's API received.
#[derive(Clone, Debug)]
struct Call {
    method: String,
    path: String,
    token: String,
    body: Value,
}

/// A stand-in for Chatwoot's application API: records each call, answers as Chatwoot does
/// (200 with the created object).
async fn chatwoot_api() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Call>>>) {
    use axum::extract::{Request, State};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let app =
        axum::Router::new()
            .fallback(
                |State(calls): State<std::sync::Arc<std::sync::Mutex<Vec<Call>>>>,
                 request: Request| async move {
                    let (parts, body) = request.into_parts();
                    let bytes = axum::body::to_bytes(body, 1 << 20)
                        .await
                        .unwrap_or_default();
                    calls.lock().expect("calls").push(Call {
                        method: parts.method.to_string(),
                        path: parts.uri.path().to_owned(),
                        token: parts
                            .headers
                            .get("api_access_token")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned(),
                        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                    });
                    axum::Json(json!({"id": 77001}))
                },
            )
            .with_state(calls.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

each_backend! {
    async fn actions_on_a_chatwoot_conversation_are_carried_out_in_chatwoot_and_their_echoes_add_nothing(kind) {
        let app = spawn_app(kind).await;
        let (api, calls) = chatwoot_api().await;
        let form = app::model::connector::ConnectorForm {
            name: "Support".into(),
            secret: SECRET.into(),
            base_url: api.clone(),
            account_id: "1".into(),
            api_token: "chatwoot-user-token".into(),
            ..Default::default()
        };
        let key = server::connectors::admin::create(&app.db, "test", &form).await.expect("connector").key;
        let prefix = server::connectors::prefix(&key);
        let now = chrono::Utc::now().timestamp();
        let mut created = fixture("conversation_created");
        created["created_at"] = json!(now - 120);
        created["updated_at"] = json!(now as f64 - 119.5);
        deliver(&app, &key, &created).await;
        // Bruno (Chatwoot user 8) is known to Intraday and available in the inbox's queue.
        let at = chrono::Utc::now().to_rfc3339();
        let agent = format!("{prefix}-user-8");
        let roster = json!([
            {"id": "r1", "type": "agent.upserted", "at": at, "agent_id": agent, "name": "Bruno Lima", "queues": [format!("{prefix}-inbox-3")]},
            {"id": "r2", "type": "agent.presence", "at": at, "agent_id": agent, "presence": "available"},
        ]);
        assert_eq!(app.ingest(&roster.to_string()).await.0, 200);
        let token = server::store::tokens::generate().expect("random");
        server::store::tokens::insert(&app.db, "sue", &token, &[server::store::tokens::Scope::Act], None).await.expect("token");
        let conversation = format!("{prefix}-42");
        let act = |body: Value| {
            let (base, token, path) = (app.base.clone(), token.clone(), format!("/api/v1/conversations/{conversation}/actions"));
            async move { request(&base, "POST", &path, Some(&token), Some("application/json"), body.to_string().as_bytes()).await }
        };
        for body in [
            json!({"action": "assign", "agent_id": agent}),
            json!({"action": "whisper", "text": "Offer the voucher"}),
            json!({"action": "force_close", "reason": "spam"}),
        ] {
            let (status, text) = act(body).await;
            assert_eq!(status, 200, "{text}");
        }
        crate::outbox::eventually(std::time::Duration::from_secs(15), "four calls", || async { calls.lock().expect("calls").len() >= 4 }).await;
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        let got = calls.lock().expect("calls").clone();
        // Assign, whisper, and the force close: its notice to the customer, then the resolve.
        assert_eq!(got.len(), 4, "exactly these calls: {got:?}");
        let base = "/api/v1/accounts/1/conversations/42";
        assert!(got.iter().all(|c| c.method == "POST" && c.token == "chatwoot-user-token"), "{got:?}");
        assert_eq!((got[0].path.as_str(), &got[0].body), (format!("{base}/assignments").as_str(), &json!({"assignee_id": 8})));
        assert_eq!(got[1].path, format!("{base}/messages"));
        assert_eq!(got[1].body["content"], "Offer the voucher");
        assert_eq!(got[1].body["private"], true);
        assert_eq!(got[1].body["message_type"], "outgoing");
        let whisper_id = got[1].body["content_attributes"]["intraday_event_id"].as_str().expect("the event's id").to_owned();
        assert_eq!(got[2].path, format!("{base}/messages"));
        assert_eq!(got[2].body["private"], false);
        assert_eq!((got[3].path.as_str(), &got[3].body), (format!("{base}/toggle_status").as_str(), &json!({"status": "resolved"})));
        // The admin's outbox shows them delivered.
        let rows = server::store::outbox::recent(&app.db, app::model::outbox::OutboxFilter::All, 10).await.expect("rows");
        assert_eq!(rows.iter().filter(|r| r.destination.is_some() && r.delivered_ms.is_some()).count(), 4);

        // Chatwoot's webhooks for what Intraday did: recognised, nothing added, not reopened.
        let stored = app.stored().await;
        let later = chrono::Utc::now().timestamp() as f64 + 0.5;
        let mut assigned = fixture("conversation_updated_assignee");
        assigned["meta"]["assignee"]["id"] = json!(8);
        assigned["updated_at"] = json!(later);
        let mut note = fixture("message_created_private");
        note["id"] = json!(77001);
        note["content"] = json!("Offer the voucher");
        note["created_at"] = json!(iso((later * 1000.0) as i64));
        note["content_attributes"] = json!({"intraday_event_id": whisper_id});
        note["source_id"] = json!(format!("intraday:{whisper_id}"));
        let mut resolved = fixture("conversation_status_changed_resolved");
        resolved["updated_at"] = json!(later);
        for body in [&assigned, &note, &resolved] {
            let answer = deliver(&app, &key, body).await;
            assert_eq!(answer["accepted"], 0, "{answer} for {}", body["event"]);
        }
        assert_eq!(app.stored().await, stored);
        let reopened = app.ingestor.with_ledger(|l| l.conversation(&format!("{conversation}.2")).is_some()).await;
        assert!(!reopened);

        // A conversation that did not come from Chatwoot is not sent there.
        let t = chrono::Utc::now().to_rfc3339();
        let native = json!([{"id": "n1", "type": "conversation.created", "at": t, "conversation_id": "c-native",
            "queue_id": format!("{prefix}-inbox-3"), "channel": "chat", "customer": {"id": "k", "name": "K"}}]);
        assert_eq!(app.ingest(&native.to_string()).await.0, 200);
        let (status, text) = request(&app.base, "POST", "/api/v1/conversations/c-native/actions", Some(&token), Some("application/json"),
            json!({"action": "force_close", "reason": "spam"}).to_string().as_bytes()).await;
        assert_eq!(status, 200, "{text}");
        tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
        assert_eq!(calls.lock().expect("calls").len(), 4);
    }
}
