//! Soak: the `intraday` binary serves supervisors' grids and agents' dashboards (and a few
//! clients that never read) while events arrive at a steady rate with supervisor actions mixed
//! in. At the end every grid's state equals a fresh snapshot of its scope and every dashboard
//! shows what a fresh read of its agent's work shows (no delta lost or repeated); in a run of
//! five minutes or more, slow clients were dropped from the fan-out with a resync; once the
//! clients leave, the server's file descriptors and tasks are back to their count before they
//! came. It prints the delivery
//! latency and the server's memory over the run, and beside it the memory of a server started
//! afresh on the same log: the live state keeps the day, so memory grows with the day's
//! conversations; what the run leaves beyond that is the difference (RELIABILITY.md, the
//! README's figures).
//!
//! `make test` runs a short one (debug build, 100 clients, 100 events/s, 20 s). `make soak`
//! runs the full one in release: `INTRADAY_SOAK_CLIENTS` (default here 100; `make soak`
//! 1,000), `INTRADAY_SOAK_RATE` (events per second; 100, `make soak` 500),
//! `INTRADAY_SOAK_SECONDS` (20; `make soak` 1,800) and `INTRADAY_SOAK_DB` (a database URL;
//! default a new SQLite file) and `INTRADAY_SOAK_CLIENT_BUFFER` (each stream's queue of frames;
//! 64 here, so that a short run fills a never-reading client's; `make soak` 1,024, the
//! server's default). Each client needs two file descriptors: `make soak` raises the
//! open-files limit.

mod clients;
mod traffic;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use server::store::tokens::{self, Scope};
use tokio::sync::{mpsc, watch};

use clients::{Latencies, metric};

struct Load {
    clients: usize,
    rate: usize,
    seconds: u64,
}

impl Load {
    fn from_env() -> Load {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Load {
            clients: var("INTRADAY_SOAK_CLIENTS", 100).max(20),
            rate: var("INTRADAY_SOAK_RATE", 100).max(10),
            seconds: var("INTRADAY_SOAK_SECONDS", 20) as u64,
        }
    }

    /// A tenth of the clients are agents' dashboards (one per agent at most), one in a hundred
    /// never reads, the rest are supervisors' grids.
    fn split(&self) -> (usize, usize, usize) {
        let desks = (self.clients / 10).min(traffic::AGENTS);
        let slow = (self.clients / 100).max(1);
        (self.clients - desks - slow, desks, slow)
    }
}

/// The queues a grid's token sees: most see every queue, a tenth one queue, a tenth two.
fn scope_of(i: usize) -> Option<Vec<String>> {
    match i % 10 {
        8 => Some(vec!["q0".into()]),
        9 => Some(vec!["q1".into(), "q2".into()]),
        _ => None,
    }
}

/// The server process, killed however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .expect("the server's /proc status");
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kb / 1024.0
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.0.id()))
            .expect("the server's fds")
            .count()
    }
}

/// Tokens and sessions the clients use, written before the server starts.
struct Credentials {
    ingest: String,
    act: String,
    readers: Vec<String>,
    desks: Vec<String>,
}

async fn prepare(url: &str, desks: usize) -> Credentials {
    let db = server::db::connect_and_migrate(url).await.expect("migrate");
    let token = |name: &'static str, scope: Scope, queues: Option<Vec<String>>| {
        let db = db.clone();
        async move {
            let t = tokens::generate().expect("random");
            tokens::insert(&db, name, &t, &[scope], queues.as_deref())
                .await
                .expect("token");
            t
        }
    };
    let ingest = token("soak-ingest", Scope::Ingest, None).await;
    let act = token("soak-supervisor", Scope::Act, None).await;
    let mut readers = Vec::new();
    for i in 0..10 {
        readers.push(token("soak-grid", Scope::Read, scope_of(i)).await);
    }
    let mut cookies = Vec::new();
    for a in 0..desks {
        // Portal-style sessions: no stored user, so no password hashing for each agent.
        let viewer = app::auth::Viewer {
            user_id: None,
            login: format!("agent{a}"),
            role: app::auth::Role::Agent,
            queues: Vec::new(),
            agent_id: Some(format!("a{a}")),
            locale: None,
            embedded: false,
        };
        let session =
            server::store::sessions::start(&db, &viewer, server::store::now_ms() + 86_400_000)
                .await
                .expect("session");
        cookies.push(format!("{}={session}", server::auth::session::COOKIE));
    }
    let _ = db.close().await;
    Credentials {
        ingest,
        act,
        readers,
        desks: cookies,
    }
}

fn start(url: &str, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_intraday"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["serve", "--db", url, "--addr", &format!("127.0.0.1:{port}")])
        .env("INTRADAY_METRICS_OPEN", "true")
        .env("INTRADAY_INGEST_RATE", "0")
        .env("INTRADAY_READ_RATE", "0")
        .env("INTRADAY_STREAM_MAX_PER_CALLER", "10000")
        .env("INTRADAY_STREAM_MAX", "10000")
        // A short run fills a never-reading client's queue only if it is short too; `make
        // soak` runs with the default (1,024 frames).
        .env(
            "INTRADAY_STREAM_CLIENT_BUFFER",
            std::env::var("INTRADAY_SOAK_CLIENT_BUFFER").unwrap_or_else(|_| "64".into()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn intraday serve");
    Server(child)
}

async fn wait_ready(host: &str) {
    for _ in 0..400 {
        let head = format!("GET /readyz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        if tokio::net::TcpStream::connect(host).await.is_ok()
            && clients::request(host, &head, b"").await.0 == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start on {host}");
}

/// Polls `read` until it returns `want` (or less, for counts that may also drop below their
/// start, such as the pool's idle connections) for up to 20 s; the last value read.
async fn settle<F, Fut>(want: f64, mut read: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = f64>,
{
    let mut last = read().await;
    for _ in 0..200 {
        if last <= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = read().await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_end_as_a_fresh_snapshot_and_the_server_gives_back_what_they_held() {
    let load = Load::from_env();
    let (grids, desks, slow) = load.split();
    let dir = std::env::temp_dir().join(format!("intraday-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = std::env::var("INTRADAY_SOAK_DB")
        .unwrap_or_else(|_| format!("sqlite://{}/soak.db?mode=rwc", dir.display()));
    let creds = prepare(&url, desks).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let host = format!("127.0.0.1:{port}");
    let server = start(&url, port);
    wait_ready(&host).await;
    let (status, reply) = clients::post_json(
        &host,
        "/api/v1/events",
        &creds.ingest,
        &serde_json::to_vec(&traffic::reference()).expect("json"),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let fds_before = server.fds();
    let tasks_before = metric(&host, "intraday_runtime_tasks").await;

    // The clients connect, a hundred at a time.
    let (stop_tx, stop) = watch::channel(false);
    let latencies = Arc::new(Latencies::new());
    let (ready_tx, mut ready) = mpsc::channel(load.clients);
    let began = Instant::now();
    let mut grid_tasks = Vec::new();
    for i in 0..grids {
        let sampled = (i % 10 == 0).then(|| latencies.clone());
        grid_tasks.push((
            i % 10,
            tokio::spawn(clients::grid(
                host.clone(),
                creds.readers[i % 10].clone(),
                ready_tx.clone(),
                stop.clone(),
                sampled,
            )),
        ));
        if i % 100 == 99 {
            for _ in 0..100 {
                ready.recv().await.expect("ready");
            }
        }
    }
    let mut desk_tasks = Vec::new();
    for cookie in &creds.desks {
        desk_tasks.push((
            cookie.clone(),
            tokio::spawn(clients::desk(
                host.clone(),
                cookie.clone(),
                ready_tx.clone(),
                stop.clone(),
            )),
        ));
    }
    for _ in 0..(grids % 100 + desks) {
        ready.recv().await.expect("ready");
    }
    let slow_tasks: Vec<_> = (0..slow)
        .map(|_| {
            tokio::spawn(clients::slow(
                host.clone(),
                creds.readers[0].clone(),
                stop.clone(),
            ))
        })
        .collect();
    println!(
        "soak: {grids} grids, {desks} dashboards and {slow} clients that never read connected in {:.1} s; {} events/s and 4 actions/s for {} s",
        began.elapsed().as_secs_f64(),
        load.rate,
        load.seconds
    );

    // The traffic, with the server's memory read every 10 s.
    let (traffic_tx, traffic_stop) = watch::channel(false);
    let sender = tokio::spawn(traffic::send(
        host.clone(),
        creds.ingest.clone(),
        load.rate,
        traffic_stop.clone(),
    ));
    let actor = tokio::spawn(traffic::act(
        host.clone(),
        creds.ingest.clone(),
        creds.act.clone(),
        traffic_stop,
    ));
    let sending = Instant::now();
    let mut rss = vec![(0.0, server.rss_mb())];
    while sending.elapsed() < Duration::from_secs(load.seconds) {
        let left = Duration::from_secs(load.seconds).saturating_sub(sending.elapsed());
        tokio::time::sleep(left.min(Duration::from_secs(10))).await;
        rss.push((sending.elapsed().as_secs_f64(), server.rss_mb()));
    }
    traffic_tx.send_replace(true);
    let events = sender.await.expect("sender");
    let actions = actor.await.expect("actor");
    let seconds = sending.elapsed().as_secs_f64();
    // Let the last deltas and refreshes arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Every grid's state equals a fresh snapshot of its scope; every dashboard shows its
    // agent's work as a fresh read does.
    let mut fresh = Vec::new();
    for token in &creds.readers {
        fresh.push(clients::fresh_snapshot(&host, token).await);
    }
    let mut fresh_work = Vec::new();
    for cookie in &creds.desks {
        fresh_work.push(clients::my_work(&host, cookie).await);
    }
    let resyncs_overflow =
        metric(&host, "intraday_stream_resyncs_total{reason=\"overflow\"}").await;
    stop_tx.send_replace(true);
    let (mut deltas, mut repeated, mut resyncs, mut differ) = (0, 0, 0, 0);
    for (scope, task) in grid_tasks {
        let seen = task.await.expect("grid");
        deltas += seen.deltas;
        repeated += seen.repeated;
        resyncs += seen.resyncs;
        differ += usize::from(seen.state != fresh[scope]);
    }
    let (mut refreshes, mut desks_differ) = (0, 0);
    for ((_, task), fresh) in desk_tasks.into_iter().zip(&fresh_work) {
        let seen = task.await.expect("desk");
        refreshes += seen.fetches;
        desks_differ += usize::from(&seen.shown != fresh);
    }
    for task in slow_tasks {
        task.await.expect("slow client");
    }

    // The clients are gone: what they held is given back.
    let fds_after = settle(fds_before as f64, || async { server.fds() as f64 }).await;
    let tasks_after = settle(tasks_before, || metric(&host, "intraday_runtime_tasks")).await;
    let subscribers = settle(0.0, || metric(&host, "intraday_stream_subscribers")).await;
    let after = server.rss_mb();

    // What the day's data alone takes: a server started afresh on the same log. The soaked
    // server's memory beyond it is what the run left behind.
    let fresh_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let fresh_host = format!("127.0.0.1:{fresh_port}");
    let fresh_server = start(&url, fresh_port);
    wait_ready(&fresh_host).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fresh_rss = fresh_server.rss_mb();
    drop(fresh_server);

    let (p50, recorded) = latencies.quantile(0.50);
    let (p99, _) = latencies.quantile(0.99);
    let (max, _) = latencies.quantile(1.0);
    // Warm-up: the first fifth of the run (at least the first sample after the start).
    let warm = rss
        .iter()
        .find(|(t, _)| *t >= seconds / 5.0)
        .map_or(rss[0].1, |&(_, mb)| mb);
    let end = rss.last().expect("samples").1;
    let peak = rss.iter().map(|&(_, mb)| mb).fold(0.0, f64::max);
    println!();
    println!(
        "| soak ({} s, {} events/s) | figure |",
        load.seconds, load.rate
    );
    println!("|---|---:|");
    println!("| events acknowledged / actions acknowledged | {events} / {actions} |");
    println!("| deltas received by the grids | {deltas} |");
    println!("| grids whose end state differs from a fresh snapshot | {differ} of {grids} |");
    println!(
        "| dashboards whose last read differs from a fresh one | {desks_differ} of {desks} ({refreshes} reads) |"
    );
    println!("| deltas repeated or out of order | {repeated} |");
    println!(
        "| resyncs of reading grids / slow clients dropped from the fan-out | {resyncs} / {resyncs_overflow} |"
    );
    println!(
        "| event time → grid, ms (p50 / p99 / max; {recorded} deltas of a tenth of the grids) | {p50:.1} / {p99:.1} / {max:.1} |"
    );
    println!(
        "| server RSS, MB: start / after warm-up / end / peak (growth after warm-up) | {:.0} / {warm:.0} / {end:.0} / {peak:.0} ({:+.1} %) |",
        rss[0].1,
        (end - warm) / warm * 100.0
    );
    println!(
        "| server RSS after the clients left / a server started afresh on the same log, MB (left behind by the run) | {after:.0} / {fresh_rss:.0} ({:+.1} %) |",
        (after - fresh_rss) / fresh_rss * 100.0
    );
    println!("| server fds before the clients / after they left | {fds_before} / {fds_after} |");
    println!(
        "| server tasks before the clients / after they left | {tasks_before} / {tasks_after} |"
    );
    let every = rss.len().div_ceil(20);
    let samples: Vec<String> = rss
        .iter()
        .step_by(every)
        .map(|(t, mb)| format!("{t:.0} s: {mb:.0}"))
        .collect();
    println!("| server RSS over the run, MB | {} |", samples.join(", "));

    assert!(
        fresh
            .iter()
            .all(|f| !f.conversations.is_empty() && !f.agents.is_empty()),
        "a scope with nothing to compare"
    );
    assert_eq!(differ, 0, "grids whose state differs from a fresh snapshot");
    assert_eq!(
        desks_differ, 0,
        "dashboards that show other work than a fresh read"
    );
    assert_eq!(repeated, 0, "deltas delivered twice or out of order");
    // A never-reading client's kernel buffers take megabytes before its queue fills: a short
    // run does not get there (tests/api/stream.rs drops one in the short run's stead).
    if load.seconds >= 300 {
        assert!(
            resyncs_overflow >= slow as f64,
            "clients that never read stay in the fan-out ({resyncs_overflow} dropped of {slow})"
        );
    }
    assert!(deltas > 0 && events > 0 && actions > 0, "nothing happened");
    assert!(
        fds_after <= fds_before as f64,
        "file descriptors not given back: {fds_before} before, {fds_after} after"
    );
    assert!(
        tasks_after <= tasks_before,
        "tasks not given back: {tasks_before} before, {tasks_after} after"
    );
    assert_eq!(
        subscribers, 0.0,
        "streams still counted after the clients left"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
