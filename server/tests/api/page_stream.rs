//! The pages' change feed says that the log moved, never what it holds.

use crate::helpers::spawn_app;
use crate::sse::connect;

each_backend! {
    async fn the_page_feed_announces_each_commit_without_customer_data(kind) {
        let app = spawn_app(kind).await;
        let anonymous = connect(&app.base, "/api/v1/stream/page", None, None).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.head);
        let mut feed = connect(&app.base, "/api/v1/stream/page", Some(&app.token), None).await;
        assert_eq!(feed.status, 200, "{}", feed.head);
        let first = feed.next_data().await.expect("first event");
        assert_eq!(first.event, "changed");
        assert_eq!(first.json()["seq"], 0);

        let at = chrono::Utc::now().to_rfc3339();
        let body = format!(
            r#"{{"id":"pf-1","type":"conversation.created","at":"{at}","conversation_id":"c1","queue_id":"q1","channel":"chat","customer":{{"id":"k1","name":"Secret Customer"}}}}"#
        );
        assert_eq!(app.ingest(&body).await.0, 200);
        let next = feed.next_data().await.expect("a change");
        assert_eq!(next.event, "changed");
        assert_eq!(next.json()["seq"], 1, "{next:?}");
        assert_eq!(next.id.as_deref(), Some("1"));
        assert!(next.json()["as_of"].is_string(), "{next:?}");
        assert!(
            !next.data.contains("Secret"),
            "no customer data on the open feed: {next:?}"
        );
    }
}
