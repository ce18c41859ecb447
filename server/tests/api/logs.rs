//! `--log-format json`: one JSON object per line, each request's lines carry its request id,
//! which the response echoes in `x-request-id`; no token appears in the log.

use std::process::Stdio;

use serde_json::Value;
use server::db::DbKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{free_port, fresh_database, kill_server, start_server_with};

/// Sends a raw request and returns the whole response text (head and body).
async fn raw(port: u16, head: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(head.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_and_no_token() {
    let url = fresh_database(DbKind::Sqlite).await;
    let port = free_port();
    let log_path =
        std::env::temp_dir().join(format!("intraday-log-{}-{port}.jsonl", std::process::id()));
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = start_server_with(&url, port, &["--log-format", "json"], Stdio::from(log)).await;

    let given = raw(
        port,
        "GET /readyz HTTP/1.1\r\nHost: x\r\nx-request-id: test-req-42\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        given
            .to_ascii_lowercase()
            .contains("x-request-id: test-req-42"),
        "{given}"
    );
    let made = raw(
        port,
        "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer itk_secret_value\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]",
    )
    .await;
    let made_id = made
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-request-id: ")
                .map(str::to_owned)
        })
        .expect("a generated request id");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    kill_server(child);

    let text = std::fs::read_to_string(&log_path).expect("read log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["span"]["request_id"].as_str())
        .collect();
    assert!(ids.contains(&"test-req-42"), "{text}");
    assert!(ids.contains(&made_id.trim()), "{made_id} not in {text}");
    assert!(
        !text.contains("itk_secret_value"),
        "a token leaked into the log"
    );
    let _ = std::fs::remove_file(&log_path);
}
