use sea_orm::{ConnectionTrait, Statement};
use server::store::events::count as count_events;

use crate::helpers::{assert_same, fresh_database, header, spawn_app, spawn_app_on};

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

// An upgrade: a database left by an earlier release (any earlier set of migrations, with the
// data it held) opens with this build, which applies the rest; people still sign in and the
// live state rebuilt from its log is the one the earlier server had.
each_backend! {
    async fn a_database_of_every_earlier_release_opens_with_this_one(kind) {
        use migrations::{Migrator, MigratorTrait};
        let before = spawn_app(kind).await;
        let user = server::store::users::NewUser {
            login: "sue".into(),
            role: app::auth::Role::Supervisor,
            queues: vec!["q1".into()],
            agent_id: None,
        };
        server::store::users::insert(&before.db, &user, "sue's long password")
            .await
            .expect("user");
        let t = chrono::Utc::now() - chrono::TimeDelta::minutes(30);
        let at = |s: i64| (t + chrono::TimeDelta::seconds(s)).to_rfc3339();
        let scene = serde_json::json!([
            {"id":"q1","type":"queue.upserted","at":at(0),"queue_id":"q1","name":"Billing","channels":["chat"]},
            {"id":"a1","type":"agent.upserted","at":at(0),"agent_id":"a1","name":"Ann","queues":["q1"]},
            {"id":"p1","type":"agent.presence","at":at(1),"agent_id":"a1","presence":"available"},
            {"id":"c1","type":"conversation.created","at":at(2),"conversation_id":"c1","queue_id":"q1","channel":"chat","customer":{"id":"k1","name":"Ada"}},
            {"id":"c1o","type":"conversation.offered","at":at(5),"conversation_id":"c1","agent_id":"a1","by":"routing"},
            {"id":"c1a","type":"conversation.accepted","at":at(9),"conversation_id":"c1","agent_id":"a1"},
            {"id":"c1e","type":"conversation.ended","at":at(300),"conversation_id":"c1"},
            {"id":"c1c","type":"conversation.closed","at":at(320),"conversation_id":"c1","reason":"resolved"},
            {"id":"c2","type":"conversation.created","at":at(400),"conversation_id":"c2","queue_id":"q1","channel":"chat","customer":{"id":"k2","name":"Bo"}},
        ]);
        assert_eq!(before.ingest(&scene.to_string()).await.0, 200);
        let stored = before.stored().await;

        let all = Migrator::migrations().len();
        // Users came with the second migration: a release before it had none to sign in.
        let users_since = 2;
        for kept in (1..all).rev() {
            // The database as a release with only the first `kept` migrations left it.
            Migrator::down(&before.db, Some((all - kept) as u32))
                .await
                .expect("down to an earlier release");
            let after = spawn_app_on(
                kind,
                before.db_url.clone(),
                server::config::Config {
                    ingest_rate_per_second: 0,
                    ..server::config::Config::default()
                },
            )
            .await;
            let what = format!("{kind:?}, from the release with {kept} of {all} migrations");
            assert_eq!(after.stored().await, stored, "{what}");
            assert_same(&before.ingestor, &after.ingestor, &what).await;
            if kept < users_since {
                continue;
            }
            let (status, head, _) = after
                .page_request(
                    "POST",
                    "/auth/signin",
                    None,
                    Some("login=sue&password=sue%27s+long+password&next=%2Finsights"),
                )
                .await;
            assert_eq!(status, 303, "{what}: {head}");
            assert_eq!(header(&head, "location"), Some("/insights"), "{what}");
        }
    }
}
