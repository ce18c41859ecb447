//! SQLite on a full disk, and locked by another program (RELIABILITY.md). While the disk is
//! full, ingest answers 503 with `Retry-After` and says the log could not be written, nothing of
//! a refused batch is stored, and when space returns the same batch is taken — no restart,
//! nothing acknowledged lost or stored twice. The disk is a small tmpfs of the test's own
//! (mounted as root, as `make test` runs), filled by a file that is then deleted.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use server::config::Config;
use server::db::DbKind;

use crate::helpers::{header, request_with, spawn_app_on};

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = std::env::temp_dir().join(format!("intraday-disk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount");
        assert!(
            status.success(),
            "mounting a tmpfs needs root, as make test runs"
        );
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes a file until the disk is full, then gives `room` bytes back.
fn fill(path: &std::path::Path, room: u64) {
    let mut f = std::fs::File::create(path).expect("filler");
    let chunk = vec![7u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    let _ = f.flush();
    f.set_len(written.saturating_sub(room))
        .expect("give room back");
}

/// A child process killed and reaped however the test ends.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// POSTs an ingest body with the app's token: status, head, body.
async fn post(app: &crate::helpers::TestApp, body: &str) -> (u16, String, String) {
    let auth = format!("Bearer {}", app.token);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    request_with(
        &app.base,
        "POST",
        "/api/v1/events",
        &headers,
        body.as_bytes(),
    )
    .await
}

fn batch(n: usize) -> (Vec<String>, String) {
    let at = chrono::Utc::now().to_rfc3339();
    let ids: Vec<String> = (0..100).map(|i| format!("disk-{n}-{i}")).collect();
    let events: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            serde_json::json!({"id": id, "type": "conversation.created", "at": at, "conversation_id": id,
                "queue_id": "q1", "channel": "chat", "customer": {"id": id, "name": "N".repeat(190)}})
        })
        .collect();
    (ids, serde_json::Value::from(events).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_ingest_clearly_and_loses_nothing_and_ingest_recovers_with_space() {
    let disk = Tmpfs::mount("16m");
    let url = format!("sqlite://{}/intraday.db?mode=rwc", disk.0.display());
    let app = spawn_app_on(DbKind::Sqlite, url, Config::default()).await;
    let filler = disk.0.join("filler");
    fill(&filler, 512 * 1024);

    let mut acked: Vec<String> = Vec::new();
    let mut refused = None;
    for n in 0..400 {
        let (ids, body) = batch(n);
        let (status, head, text) = post(&app, &body).await;
        match status {
            200 => acked.extend(ids),
            503 => {
                assert_eq!(header(&head, "retry-after"), Some("1"), "{head}");
                assert!(
                    text.contains("could not be written (the database's disk is full)"),
                    "{text}"
                );
                refused = Some((ids, body));
                break;
            }
            other => panic!("a full disk answered {other}: {text}"),
        }
    }
    let (refused_ids, refused_body) = refused.expect("the disk filled up within 400 batches");
    assert!(!acked.is_empty(), "some batches fit before the disk filled");
    // Still full: refused again, the server still answers.
    let (status, _, _) = post(&app, &refused_body).await;
    assert_eq!(status, 503);
    assert_eq!(crate::helpers::get(&app.base, "/healthz").await.0, 200);

    // Space returns: the same batch is taken, with no restart.
    std::fs::remove_file(&filler).expect("free the disk");
    let (status, _, text) = post(&app, &refused_body).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(r#""accepted":100"#),
        "none of it was stored before: {text}"
    );
    acked.extend(refused_ids);

    // Every acknowledged event is stored exactly once, and nothing else.
    let missing: Vec<&String> = {
        let ids: Vec<&str> = acked.iter().map(String::as_str).collect();
        let found = server::store::events::existing_ids(&app.db, &ids)
            .await
            .expect("ids");
        acked.iter().filter(|a| !found.contains(a)).collect()
    };
    assert!(
        missing.is_empty(),
        "{} acknowledged events missing, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert_eq!(app.stored().await, acked.len() as u64);
    let stored = server::store::events::existing_ids(
        &app.db,
        &acked.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .await
    .expect("ids");
    assert_eq!(stored.len(), acked.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_another_process_keeps_locked_answers_503_after_the_busy_timeout_then_recovers()
{
    let dir = std::env::temp_dir().join(format!("intraday-busy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("intraday.db");
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let app = spawn_app_on(DbKind::Sqlite, url.clone(), Config::default()).await;
    // Another program holds the write lock for 12 s (past the 10 s busy timeout).
    let mut lock = Reaped(Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(12); c.execute('ROLLBACK')",
        ])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3"));
    let mut out = std::io::BufReader::new(lock.0.stdout.take().expect("stdout"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).expect("locked");
    assert_eq!(line.trim(), "locked");
    let (ids, body) = batch(0);
    let started = std::time::Instant::now();
    let (status, head, text) = post(&app, &body).await;
    let waited = started.elapsed();
    assert_eq!(status, 503, "{text}");
    assert_eq!(header(&head, "retry-after"), Some("1"), "{head}");
    assert!(
        text.contains("(the database is locked by another program)"),
        "{text}"
    );
    assert!(
        waited.as_secs() >= 9 && waited.as_secs() < 12,
        "answered after {waited:?}"
    );
    // The lock ends; the same batch is taken.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (status, _, text) = post(&app, &body).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(r#""accepted":100"#), "{text}");
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(
        server::store::events::existing_ids(&app.db, &refs)
            .await
            .expect("ids")
            .len(),
        100
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small ext4 filesystem in a file of the test's own, loop-mounted with `errors=remount-ro`:
/// the kernel can be told to turn it read-only under a running server, as it does when a disk
/// fails (Linux refuses a plain `remount,ro` while a file is open for writing).
struct FailingDisk {
    image: PathBuf,
    dir: PathBuf,
}

impl FailingDisk {
    fn create() -> FailingDisk {
        let base = std::env::temp_dir().join(format!("intraday-ro-{}", std::process::id()));
        let (image, dir) = (base.with_extension("img"), base);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(64 << 20))
            .expect("image");
        run("mkfs.ext4", &["-q", "-F"], &image);
        let disk = FailingDisk { image, dir };
        disk.mount();
        disk
    }

    fn mount(&self) {
        let status = Command::new("mount")
            .args(["-o", "loop,errors=remount-ro"])
            .arg(&self.image)
            .arg(&self.dir)
            .status()
            .expect("mount");
        assert!(
            status.success(),
            "a loop mount needs root, as make test runs"
        );
    }

    /// Reports an error in the filesystem: the kernel turns it read-only at once.
    fn fail(&self) {
        let out = Command::new("findmnt")
            .args(["-n", "-o", "SOURCE"])
            .arg(&self.dir)
            .output()
            .expect("findmnt");
        let device = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let name = device.rsplit('/').next().expect("device name");
        std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "test")
            .expect("trigger an ext4 error");
    }

    /// What an operator does once the disk is replaced: unmount, check, mount again.
    fn repair(&self) {
        run("umount", &[], &self.dir);
        let status = Command::new("e2fsck")
            .args(["-f", "-y"])
            .arg(&self.image)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("e2fsck");
        // 0: clean, 1: errors corrected.
        assert!(matches!(status.code(), Some(0 | 1)), "e2fsck: {status}");
        self.mount();
    }
}

impl Drop for FailingDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
        let _ = std::fs::remove_file(&self.image);
    }
}

fn run(program: &str, args: &[&str], path: &std::path::Path) {
    let status = Command::new(program)
        .args(args)
        .arg(path)
        .status()
        .expect(program);
    assert!(
        status.success(),
        "{program} {args:?} {}: {status}",
        path.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_turned_read_only_refuses_ingest_clearly_and_loses_nothing_acknowledged() {
    use crate::helpers::{create_token_cli, free_port, post_events, sigterm, start_server};
    let disk = FailingDisk::create();
    let url = format!("sqlite://{}/intraday.db?mode=rwc", disk.dir.display());
    let token = create_token_cli(&url, "read-only-test", &[]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Reaped(start_server(&url, port).await);

    let mut acked: Vec<String> = Vec::new();
    for n in 0..5 {
        let (ids, body) = batch(n);
        let (status, text) = post_events(&base, &token, body.as_bytes()).await;
        assert_eq!(status, 200, "{text}");
        acked.extend(ids);
    }
    disk.fail();
    let (refused_ids, refused_body) = batch(5);
    for _ in 0..3 {
        let auth = format!("Bearer {token}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let (status, head, text) = request_with(
            &base,
            "POST",
            "/api/v1/events",
            &headers,
            refused_body.as_bytes(),
        )
        .await;
        assert_eq!(status, 503, "a read-only disk answered {status}: {text}");
        assert_eq!(header(&head, "retry-after"), Some("1"), "{head}");
        assert!(
            text.contains("could not be written (the database's disk failed to write; it may have turned read-only)"),
            "{text}"
        );
    }
    // The server still answers (reads are served from memory).
    assert_eq!(crate::helpers::get(&base, "/healthz").await.0, 200);

    // It stops within its drain time although nothing can be written.
    sigterm(&server.0);
    let stopped = std::time::Instant::now();
    loop {
        if server.0.try_wait().expect("wait").is_some() {
            break;
        }
        assert!(
            stopped.elapsed().as_secs() < 30,
            "no exit 30 s after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // The disk is repaired: every acknowledged event is there once, none of the refused batch.
    disk.repair();
    server = Reaped(start_server(&url, port).await);
    let db = server::db::connect(&url).await.expect("db");
    let all: Vec<&str> = acked
        .iter()
        .chain(&refused_ids)
        .map(String::as_str)
        .collect();
    let found = server::store::events::existing_ids(&db, &all)
        .await
        .expect("ids");
    assert_eq!(
        found.len(),
        acked.len(),
        "acknowledged events lost or refused ones stored"
    );
    assert!(acked.iter().all(|id| found.contains(id)));
    assert_eq!(
        server::store::events::count(&db).await.expect("count"),
        acked.len() as u64
    );
    let (status, text) = post_events(&base, &token, refused_body.as_bytes()).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(r#""accepted":100"#), "{text}");
    drop(server);
}
