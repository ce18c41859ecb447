use sea_orm::{ConnectionTrait, Statement};
use server::store::events::count as count_events;

use crate::helpers::fresh_database;

each_backend! {
    async fn migrations_create_the_event_log_and_are_idempotent(kind) {
        let url = fresh_database(kind).await;
        let db = server::db::connect_and_migrate(&url)
            .await
            .expect("first run");
        assert_eq!(count_events(&db).await.expect("count"), 0, "{kind:?}");
        // A second run finds nothing to do and keeps the data.
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            "INSERT INTO events (event_id, event_type, at_ms, payload, received_at_ms) \
             VALUES ('e1', 'queue.upserted', 1, '{}', 1)",
        ))
        .await
        .expect("insert");
        let again = server::db::connect_and_migrate(&url)
            .await
            .expect("second run");
        assert_eq!(count_events(&again).await.expect("count"), 1, "{kind:?}");
    }
}

each_backend! {
    async fn event_ids_are_unique_in_the_log(kind) {
        let url = fresh_database(kind).await;
        let db = server::db::connect_and_migrate(&url)
            .await
            .expect("migrate");
        let insert = "INSERT INTO events (event_id, event_type, at_ms, payload, received_at_ms) \
                      VALUES ('same', 'queue.upserted', 1, '{}', 1)";
        let backend = db.get_database_backend();
        db.execute_raw(Statement::from_string(backend, insert))
            .await
            .expect("first");
        let second = db
            .execute_raw(Statement::from_string(backend, insert))
            .await;
        assert!(second.is_err(), "{kind:?}: a duplicate id must be refused");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_uses_wal_and_full_synchronous() {
    let url = fresh_database(server::db::DbKind::Sqlite).await;
    let db = server::db::connect_and_migrate(&url)
        .await
        .expect("migrate");
    let backend = db.get_database_backend();
    let mode = db
        .query_one_raw(Statement::from_string(backend, "PRAGMA journal_mode"))
        .await
        .expect("pragma")
        .expect("row");
    assert_eq!(mode.try_get_by_index::<String>(0).expect("mode"), "wal");
    let sync = db
        .query_one_raw(Statement::from_string(backend, "PRAGMA synchronous"))
        .await
        .expect("pragma")
        .expect("row");
    // 2 = FULL
    assert_eq!(sync.try_get_by_index::<i32>(0).expect("sync"), 2);
}
