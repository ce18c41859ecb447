//! `intraday backup` copies a live SQLite database; the copy opens and holds every event.

use std::collections::HashSet;

use crate::helpers::{
    create_token_cli, free_port, fresh_database, intraday, kill_server, post_events, start_server,
};
use server::db::DbKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_of_a_running_server_restores_every_event() {
    let url = fresh_database(DbKind::Sqlite).await;
    let token = create_token_cli(&url, "backup", &["--scope", "ingest"]);
    let port = free_port();
    let child = start_server(&url, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let at = chrono::Utc::now().to_rfc3339();
    let events: Vec<_> = (0..500)
        .map(|i| serde_json::json!({"id": format!("b-{i}"), "type": "agent.presence", "at": at, "agent_id": format!("a{}", i % 7), "presence": "away"}))
        .collect();
    let body = serde_json::Value::Array(events).to_string();
    let (status, reply) = post_events(&base, &token, body.as_bytes()).await;
    assert_eq!(status, 200, "{reply}");

    let target =
        std::env::temp_dir().join(format!("intraday-backup-{}-{port}.db", std::process::id()));
    let _ = std::fs::remove_file(&target);
    let out = intraday()
        .args(["backup", target.to_str().expect("path"), "--db", &url])
        .output()
        .expect("backup");
    kill_server(child);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Restore: open the copy as a database of its own.
    let restored = server::db::connect_and_migrate(&format!("sqlite://{}", target.display()))
        .await
        .expect("open copy");
    let ids: HashSet<String> = server::store::events::read_after(&restored, 0, 10_000)
        .await
        .expect("read")
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids.len(), 500);
    assert!((0..500).all(|i| ids.contains(&format!("b-{i}"))));

    // A second backup to the same file is refused rather than overwriting it.
    let again = intraday()
        .args(["backup", target.to_str().expect("path"), "--db", &url])
        .output()
        .expect("backup");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let _ = std::fs::remove_file(&target);
}

#[test]
fn backup_of_postgres_points_to_pg_dump() {
    let out = intraday()
        .args([
            "backup",
            "/tmp/x.db",
            "--db",
            "postgres://postgres@127.0.0.1:5432/test",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
