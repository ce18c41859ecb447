//! `intraday simulate` sends a simulated day to a running server over HTTP, and
//! `intraday token create` prints only the token.

use crate::helpers::{
    create_token_cli, free_port, fresh_database, intraday, kill_server, start_server,
};
use server::db::DbKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_command_backfills_a_running_server_through_the_ingest_api() {
    let url = fresh_database(DbKind::Sqlite).await;
    let token = create_token_cli(&url, "sim", &["--scope", "ingest"]);
    assert!(token.starts_with("itk_"));

    let port = free_port();
    let child = start_server(&url, port).await;
    let out = intraday()
        .args([
            "--log-format",
            "json",
            "simulate",
            "--seed",
            "3",
            "--backfill",
            "3h",
            "--no-live",
            "--target",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            &token,
        ])
        .output()
        .expect("simulate");
    kill_server(child);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every event the simulator says it sent is stored (how many depends on the time of day).
    let stderr = String::from_utf8_lossy(&out.stderr);
    let sent = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["fields"]["message"] == "simulator backfill done")
        .and_then(|l| l["fields"]["events"].as_u64())
        .unwrap_or_else(|| panic!("no backfill summary in {stderr}"));
    let db = server::db::connect(&url).await.expect("db");
    let stored = server::store::events::count(&db).await.expect("count");
    assert!(
        sent > 85,
        "3 simulated hours sent only the reference data ({sent} events)"
    );
    assert_eq!(stored, sent, "every event sent is stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_command_reports_a_bad_token_and_a_bad_target() {
    let url = fresh_database(DbKind::Sqlite).await;
    let port = free_port();
    let child = start_server(&url, port).await;
    let out = intraday()
        .args([
            "simulate",
            "--backfill",
            "1h",
            "--no-live",
            "--target",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            "itk_wrong",
        ])
        .output()
        .expect("simulate");
    kill_server(child);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("401") && err.contains("unknown or revoked API token"),
        "{err}"
    );

    let out = intraday()
        .args([
            "simulate",
            "--target",
            "https://example.com",
            "--token",
            "t",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be http://HOST:PORT"));
}

#[test]
fn token_create_refuses_an_unknown_scope() {
    let out = intraday()
        .args(["token", "create", "x", "--scope", "admin"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scope \"admin\""));
}
