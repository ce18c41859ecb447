//! Snapshots of the live state: a server restarted from one (and the log's tail after it)
//! shows what the server that never stopped shows; a snapshot that does not fit is not read.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use server::ingest::Ingestor;
use server::live::snapshot::{Snapshots, read_header};

use crate::helpers::{
    TestApp, assert_same, create_token_cli, free_port, fresh_database, get, post_events,
    start_server, start_server_with,
};
use crate::read::{at, seeded};
use crate::stream::metric;

fn snapshot_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("intraday-tests");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{name}-{}.snapshot", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Events after the snapshot: a late one placed before a close, a new conversation, presence.
fn tail() -> String {
    let base = Utc::now() - TimeDelta::minutes(30);
    json!([
        {"id": "c2-late", "type": "conversation.message", "at": at(base, 40), "conversation_id": "c2", "from": "customer", "text": "hello?", "sentiment": -2},
        {"id": "c5-created", "type": "conversation.created", "at": at(base, 500), "conversation_id": "c5", "queue_id": "q1", "channel": "chat", "customer": {"id": "k5", "name": "Bo"}},
        {"id": "c5-offered", "type": "conversation.offered", "at": at(base, 510), "conversation_id": "c5", "agent_id": "a1", "by": "routing"},
        {"id": "c4-offered", "type": "conversation.offered", "at": at(base, 520), "conversation_id": "c4", "agent_id": "a1", "by": "routing"},
        {"id": "c4-accepted", "type": "conversation.accepted", "at": at(base, 530), "conversation_id": "c4", "agent_id": "a1"},
        {"id": "p2", "type": "agent.presence", "at": at(base, 600), "agent_id": "a1", "presence": "away"},
    ])
    .to_string()
}

async fn snapshot_of(app: &TestApp, path: &Path) -> (i64, u64) {
    let w = Snapshots::new(app.ingestor.clone(), path.to_owned())
        .write()
        .await
        .expect("a snapshot of a log that moved");
    (w.seq, w.bytes)
}

each_backend! {
    async fn a_state_restored_from_a_snapshot_and_the_tail_equals_the_one_that_never_stopped(kind) {
        let app = seeded(kind).await;
        let path = snapshot_path(&format!("restore-{kind:?}"));
        let (seq, size) = snapshot_of(&app, &path).await;
        assert_eq!(seq, app.ingestor.applied_seq());
        assert!(size > 100, "{size} bytes");
        assert_eq!(read_header(&path).expect("header").seq, seq);
        let text = app.ingestor.metrics().render(Default::default());
        assert!(
            text.contains(&format!("\nintraday_snapshot_sequence {seq}\n"))
                && text.contains(&format!("\nintraday_snapshot_bytes {size}\n")),
            "{text}"
        );
        // Nothing moved: no second snapshot.
        let again = Snapshots::new(app.ingestor.clone(), path.clone());
        again.write().await.expect("first write of this writer");
        assert_eq!(again.write().await, None, "{kind:?}: the log did not move");

        let (status, body) = app.ingest(&tail()).await;
        assert_eq!(status, 200, "{body}");
        let restored = Ingestor::open_with(app.db.clone(), Vec::new(), Some(&path))
            .await
            .expect("restore");
        assert_eq!(
            restored.restored_seq(),
            seq,
            "{kind:?}: read from the snapshot"
        );
        assert_same(&app.ingestor, &restored, &format!("{kind:?} restored")).await;
        let rebuilt = Ingestor::open(app.db.clone()).await.expect("rebuild");
        assert_eq!(rebuilt.restored_seq(), 0);
        assert_same(&rebuilt, &restored, &format!("{kind:?} rebuilt")).await;

        // The restored ledger validates as the live one: c1 is closed, c5 is new.
        let next = json!([
            {"id": "c1-again", "type": "conversation.accepted", "at": Utc::now().to_rfc3339(), "conversation_id": "c1", "agent_id": "a1"},
        ]);
        let refused = restored
            .submit(serde_json::from_value::<Vec<Value>>(next).expect("events"))
            .await;
        assert!(
            matches!(refused, Err(server::ingest::IngestError::Invalid(_))),
            "{kind:?}: {refused:?}"
        );
    }
}

each_backend! {
    async fn a_snapshot_that_does_not_fit_is_not_read(kind) {
        let app = seeded(kind).await;
        let path = snapshot_path(&format!("unfit-{kind:?}"));
        snapshot_of(&app, &path).await;
        let bytes = std::fs::read(&path).expect("read");

        // Another database: its log holds other events at that sequence (or none).
        let other = seeded(kind).await;
        let (status, body) = other.ingest(&tail()).await;
        assert_eq!(status, 200, "{body}");
        let opened = Ingestor::open_with(other.db.clone(), Vec::new(), Some(&path))
            .await
            .expect("open");
        assert_eq!(opened.restored_seq(), 0, "{kind:?}: another log's snapshot");
        assert_same(&other.ingestor, &opened, &format!("{kind:?} other log")).await;

        // Another build: the fingerprint in the header differs.
        let fingerprint = app::model::snapshot::FINGERPRINT.as_bytes();
        let at = bytes
            .windows(fingerprint.len())
            .position(|w| w == fingerprint)
            .expect("the fingerprint is in the header");
        let mut foreign = bytes.clone();
        foreign[at..at + fingerprint.len()].copy_from_slice(&[b'0'; 16][..fingerprint.len()]);
        // Cut short, a damaged length, and not a snapshot at all.
        let cut = bytes[..bytes.len() - 10].to_vec();
        let magic = bytes
            .iter()
            .position(|&b| b == b'\n')
            .expect("a magic line")
            + 1;
        let mut huge = bytes[..magic].to_vec();
        huge.extend((1u64 << 40).to_le_bytes());
        std::fs::write(&path, &huge).expect("write");
        let refused = read_header(&path).expect_err("a damaged length");
        assert!(refused.contains("damaged"), "{refused}");
        // A byte changed on disk in the ledger's part and in the engine's: the lengths still
        // hold, so only the digest can tell.
        let flipped = |at: usize| {
            let mut b = bytes.clone();
            b[at] ^= 0x10;
            b
        };
        let (in_ledger, in_engine) = (flipped(bytes.len() / 3), flipped(bytes.len() - 40));
        // The format before the digest.
        let mut older = b"intraday live-state snapshot\n".to_vec();
        older.extend(&bytes[magic..bytes.len() - 32]);
        for (what, content) in [
            ("a byte changed in the ledger", in_ledger),
            ("a byte changed in the engine", in_engine),
            ("the older format", older),
            ("another build", foreign),
            ("truncated", cut),
            ("a damaged length", huge),
            ("garbage", b"{\"not\": \"a snapshot\"}".to_vec()),
        ] {
            std::fs::write(&path, content).expect("write");
            let opened = Ingestor::open_with(app.db.clone(), Vec::new(), Some(&path))
                .await
                .expect("open");
            assert_eq!(opened.restored_seq(), 0, "{kind:?}: {what}");
            assert_same(&app.ingestor, &opened, &format!("{kind:?} {what}")).await;
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// `intraday serve` on an SQLite file keeps `FILE.snapshot` beside it: written at shutdown,
/// read at the next start, which then shows the same numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_writes_a_snapshot_at_shutdown_and_starts_from_it() {
    let url = fresh_database(server::db::DbKind::Sqlite).await;
    let file = server::db::sqlite_path(&url).expect("a file").to_owned();
    let snapshot = PathBuf::from(format!("{file}.snapshot"));
    let token = create_token_cli(&url, "snapshot-test", &[]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = start_server(&url, port).await;
    let start = Utc::now() - TimeDelta::minutes(10);
    let events: Vec<Value> = (0..40)
        .flat_map(|i| {
            let c = format!("c{i}");
            vec![
                json!({"id": format!("{c}-created"), "type": "conversation.created", "at": at(start, i), "conversation_id": c, "queue_id": "q1", "channel": "chat", "customer": {"id": "k", "name": "Ada"}}),
                json!({"id": format!("{c}-closed"), "type": "conversation.closed", "at": at(start, 100 + i), "conversation_id": c, "reason": if i % 3 == 0 { "abandoned" } else { "resolved" }}),
            ]
        })
        .collect();
    let (status, body) =
        post_events(&base, &token, Value::Array(events).to_string().as_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let kpis = |base: String, token: String| async move {
        let (status, body) = crate::helpers::request(
            &base,
            "GET",
            "/api/v1/kpis?window=2h",
            Some(&token),
            None,
            b"",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let k: Value = serde_json::from_str(&body).expect("json");
        (
            k["incoming"].clone(),
            k["abandoned"].clone(),
            k["closed"].clone(),
        )
    };
    let before = kpis(base.clone(), token.clone()).await;
    assert_eq!(before, (json!(40), json!(14), json!(40)));
    assert_eq!(metric(&base, "intraday_snapshot_sequence").await, 0.0);
    stop(child);
    let header = read_header(&snapshot).expect("a snapshot written at shutdown");
    assert_eq!(header.seq, 80);

    let log_path = std::env::temp_dir().join(format!(
        "intraday-snapshot-{}-{port}.jsonl",
        std::process::id()
    ));
    let log = std::fs::File::create(&log_path).expect("log file");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = start_server_with(&url, port, &["--log-format", "json"], Stdio::from(log)).await;
    assert_eq!(get(&base, "/readyz").await.0, 200);
    assert_eq!(kpis(base.clone(), token.clone()).await, before);
    // The metrics name the snapshot it started from.
    assert_eq!(metric(&base, "intraday_snapshot_sequence").await, 80.0);
    assert_eq!(
        metric(&base, "intraday_snapshot_timestamp_seconds").await,
        header.written_at_ms as f64 / 1e3
    );
    let bytes = std::fs::metadata(&snapshot).expect("snapshot").len();
    assert_eq!(metric(&base, "intraday_snapshot_bytes").await, bytes as f64);
    stop(child);
    let text = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        text.lines()
            .any(|l| l.contains("live state read from the snapshot")),
        "{text}"
    );
    let _ = std::fs::remove_file(&snapshot);
}

/// SIGTERM, then wait for the graceful exit.
fn stop(mut child: std::process::Child) {
    crate::helpers::sigterm(&child);
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "{exit:?}");
}
