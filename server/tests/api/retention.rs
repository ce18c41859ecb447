//! Retention prunes old events in batches and keeps the rest, on SQLite and PostgreSQL.

use sea_orm::{ConnectionTrait, Statement};
use server::ops::retention::prune;
use server::store::events::{self, NewEvent};

use crate::helpers::spawn_app;

each_backend! {
    async fn prune_removes_only_events_older_than_the_cutoff_in_batches(kind) {
        let app = spawn_app(kind).await;
        let rows: Vec<NewEvent> = (0..250)
            .map(|i| NewEvent {
                event_id: format!("e{i}"),
                event_type: "agent.presence".into(),
                at_ms: i64::from(i) * 1_000,
                conversation_id: None,
                agent_id: Some("a1".into()),
                payload: "{}".into(),
            })
            .collect();
        events::append(&app.db, &rows).await.expect("append");

        // Cutoff at 100 s: events 0..100 go, in batches of 30 (4 batches, the last partial).
        let pruned = prune(&app.db, 100_000, 30).await.expect("prune");
        assert_eq!(pruned, 100, "{kind:?}");
        assert_eq!(app.stored().await, 150);
        let oldest = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT MIN(at_ms) AS m FROM events",
            ))
            .await
            .expect("query")
            .expect("row")
            .try_get::<i64>("", "m")
            .expect("min");
        assert_eq!(oldest, 100_000);
        assert_eq!(
            prune(&app.db, 100_000, 30).await.expect("again"),
            0,
            "nothing left to prune"
        );
    }
}
