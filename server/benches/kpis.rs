//! KPI engine vs SQL on one simulated day, side by side in one run: cold rebuild (apply the
//! whole day into a new engine) with its RSS, KPI snapshot latency of `Engine::report`, and the
//! same KPIs by SQL aggregation over one row per conversation on SQLite and on DuckDB.
//!
//! `cargo bench -p server --bench kpis`; `BENCH_CONVERSATIONS` sets the day's size (default
//! 1,000,000), `BENCH_REPORTS` the report calls per case (default 200), `BENCH_SQL_RUNS` the
//! runs per SQL query (default 20; 0 skips SQL), `BENCH_CASES` a comma-separated list of the
//! report cases to run (default all; e.g. `24h,2h` for profiling one path), `BENCH_REBUILD=apply`
//! rebuilds batch by batch with `Engine::apply` instead of `load` + `settle`, `BENCH_AT` fixes the
//! day's end (ms since 1970; default now), so that two builds count instructions on the same day. DuckDB runs through `benches/kpis_duckdb.py` (`pip install
//! --user duckdb`); without it that column is skipped with a message.

// Linked for the server's global allocator: the engine is measured on what the server runs.
extern crate server;

use std::hint::black_box;
use std::time::{Duration, Instant};

use app::kpi::{Engine, KpiReport, Limits, Query};
use app::model::event::Event;
use app::model::ledger::Ledger;
use chrono::{DateTime, Utc};

#[path = "kpis/day.rs"]
mod day;
#[path = "kpis/sql.rs"]
mod sql;

const BATCH: usize = 10_000;
/// Time cap per report case (at least 3 calls are made): at 1M conversations a call is slow.
const BUDGET: Duration = Duration::from_secs(30);

/// p50, p99 and max of some runs (ms).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub runs: usize,
}

/// Nearest-rank percentiles.
pub fn timing(mut ms: Vec<f64>) -> Timing {
    if ms.is_empty() {
        return Timing::default();
    }
    ms.sort_by(f64::total_cmp);
    let rank = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Timing {
        p50: rank(0.50),
        p99: rank(0.99),
        max: ms[ms.len() - 1],
        runs: ms.len(),
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// This process's resident set and its peak, MB (`/proc/self/status`).
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Times `calls` reports of `q` (or as many as fit in `budget`, at least 3).
fn time_report(
    engine: &Engine,
    q: &Query,
    now: DateTime<Utc>,
    calls: usize,
    budget: Duration,
) -> (Timing, KpiReport) {
    let limits = Limits::default();
    let mut last = engine.report(q, now, &limits);
    let began = Instant::now();
    let mut ms = Vec::with_capacity(calls);
    while ms.len() < calls && (ms.len() < 3 || began.elapsed() < budget) {
        let t = Instant::now();
        last = black_box(engine.report(black_box(q), now, &limits));
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (timing(ms), last)
}

/// The report's figures in the SQL column order.
fn figures(r: &KpiReport) -> Vec<Option<f64>> {
    let k = &r.kpis;
    vec![
        Some(k.incoming as f64),
        Some(k.abandoned as f64),
        k.avg_speed_to_answer,
        k.service_level,
        k.aht,
        Some(k.closed as f64),
    ]
}

fn same(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            (None, None) => true,
            _ => false,
        })
}

fn show(row: &[Option<f64>]) -> String {
    let f = |v: Option<f64>, d: usize| v.map_or("—".to_owned(), |v| format!("{v:.d$}"));
    format!(
        "incoming {} abandoned {} ASA {} s SL {} AHT {} s closed {}",
        f(row[0], 0),
        f(row[1], 0),
        f(row[2], 3),
        f(row[3], 4),
        f(row[4], 3),
        f(row[5], 0)
    )
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_CONVERSATIONS", 1_000_000);
    let calls = env("BENCH_REPORTS", 200);
    let runs = env("BENCH_SQL_RUNS", 20);
    let now = env("BENCH_AT", Utc::now().timestamp_millis() as usize) as i64;
    let now = DateTime::from_timestamp_millis(now).unwrap_or_default();
    let now_ms = now.timestamp_millis();

    let began = Instant::now();
    let mut sim = day::generate(n, now_ms);
    let live = sim.rows.iter().filter(|r| r.closed.is_none()).count();
    println!(
        "simulated day: {n} conversations, {} events ({} live at the end), 5 queues, 6 channels, \
         {} agents, generated in {:.2} s",
        sim.raws.len(),
        live,
        day::AGENTS,
        began.elapsed().as_secs_f64()
    );

    // Cold rebuild: load the day in time-ordered batches, then derive every conversation once
    // (`Engine::load` + `settle`, as the server's start-up replay does); only those are timed.
    // Before apply the process holds the compact events (freed before the second reading)
    // and the SQL rows (kept): the engine's share is the growth net of the events' buffer.
    let (rss_before, _) = rss_mb();
    let raws_mb = (sim.raws.capacity() * std::mem::size_of::<day::Raw>()) as f64 / 1048576.0;
    let mut engine = Engine::new();
    // `BENCH_REBUILD=apply`: each batch applied and derived at once, as live ingest does.
    let per_batch = std::env::var("BENCH_REBUILD").is_ok_and(|v| v == "apply");
    let (mut applying, mut building) = (Duration::ZERO, Duration::ZERO);
    for chunk in sim.raws.chunks(BATCH) {
        let t = Instant::now();
        let events: Vec<Event> = chunk.iter().map(day::event).collect();
        building += t.elapsed();
        let t = Instant::now();
        if per_batch {
            engine.apply(&events);
        } else {
            engine.load(&events);
        }
        applying += t.elapsed();
    }
    let loading = applying;
    let t = Instant::now();
    engine.settle();
    applying += t.elapsed();
    let events = sim.raws.len();
    // The server also keeps the validating ledger of the same events (`intraday serve` rebuilds
    // both at start): built here too unless `BENCH_LEDGER=0`, timed apart, so the RSS below is
    // what a server holds.
    let mut ledger = Ledger::new();
    let mut ledgering = Duration::ZERO;
    if std::env::var("BENCH_LEDGER").is_ok_and(|v| v == "0") {
        println!("ledger skipped (BENCH_LEDGER=0): the RSS below is the engine's alone");
    } else {
        let (engine_rss, _) = rss_mb();
        for chunk in sim.raws.chunks(BATCH) {
            let events: Vec<Event> = chunk.iter().map(day::event).collect();
            let newest = events.iter().map(|e| e.at).max().unwrap_or(now);
            let t = Instant::now();
            ledger
                .apply(&events, newest.max(now))
                .expect("the simulated day is valid");
            ledgering += t.elapsed();
        }
        println!(
            "ledger (the server's validating projection): {events} events in {:.2} s, RSS +{:.0} MB",
            ledgering.as_secs_f64(),
            rss_mb().0 - engine_rss
        );
    }
    sim.raws = Vec::new();
    // As the server does after its start-up replay: freed pages back to the OS.
    server::release_freed_memory();
    let (rss_after, rss_peak) = rss_mb();
    println!(
        "cold rebuild: apply {events} events in {:.2} s (load {:.2} s, settle {:.2} s; {:.0} \
         events/s; building the Event values took another {:.2} s, not counted)",
        applying.as_secs_f64(),
        loading.as_secs_f64(),
        (applying - loading).as_secs_f64(),
        events as f64 / applying.as_secs_f64(),
        building.as_secs_f64()
    );
    println!(
        "RSS after rebuild: {rss_after:.0} MB (engine and ledger ≈ {:.0} MB: {rss_before:.0} MB \
         before apply, of which {raws_mb:.0} MB of compact events since freed; peak {rss_peak:.0} MB)",
        rss_after - (rss_before - raws_mb)
    );

    // KPI snapshot latency.
    let cases: [(&str, Vec<(&str, &str)>); 5] = [
        ("24h", vec![("window", "24h")]),
        ("24h queue", vec![("window", "24h"), ("queue", "q1")]),
        (
            "24h queue+channel",
            vec![("window", "24h"), ("queue", "q1"), ("channel", "chat")],
        ),
        ("2h", vec![("window", "2h")]),
        ("24h agent", vec![("window", "24h"), ("agent", "a7")]),
    ];
    let mut engine_rows = Vec::new();
    println!("\nKPI snapshot, Engine::report (all tiles + by_queue/by_channel/hourly):");
    let only = std::env::var("BENCH_CASES").unwrap_or_default();
    for (name, pairs) in cases {
        if !only.is_empty() && !only.split(',').any(|c| c.trim() == name) {
            continue;
        }
        let q = Query::from_pairs(pairs).expect("query");
        let (t, r) = time_report(&engine, &q, now, calls, BUDGET);
        println!(
            "  {name:<22} p50 {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms  ({} calls; {} alerts)",
            t.p50,
            t.p99,
            t.max,
            t.runs,
            r.alerts.len()
        );
        engine_rows.push((name, t, figures(&r)));
    }

    if runs == 0 {
        println!("\nSQL skipped (BENCH_SQL_RUNS=0)");
        return;
    }
    // The same KPIs by SQL.
    let dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into())
        .join("kpis_bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let queries = sql::queries(now_ms);
    let (db, load) = sql::sqlite_load(&sim.rows, &dir.join("kpis.db")).await;
    println!(
        "\nSQLite: {} rows loaded with 3 indexes in {load:.2} s",
        sim.rows.len()
    );
    let sqlite = sql::sqlite_run(&db, &queries, runs).await;
    let csv = dir.join("conversations.csv");
    sql::write_csv(&sim.rows, &csv).expect("csv");
    let duck = sql::duckdb_run(&csv, &queries, runs, &dir);
    match &duck {
        Ok((load, version, _)) => println!("DuckDB {version}: CSV loaded in {load:.2} s"),
        Err(why) => println!("DuckDB skipped: {why}"),
    }

    println!("\nSQL (p50 / p99 / max over {runs} runs) and whether the numbers match the engine:");
    let duck_rows: &[sql::Measured] = duck.as_ref().map_or(&[], |d| &d.2);
    for (name, results) in [("SQLite", &sqlite[..]), ("DuckDB", duck_rows)] {
        for m in results {
            let engine_fig = engine_rows.iter().find(|e| e.0 == m.name).map(|e| &e.2);
            let verdict = match engine_fig {
                Some(e) if same(e, &m.row) => "same as engine".to_owned(),
                Some(e) => format!("DIFFERS: engine {}", show(e)),
                None => String::new(),
            };
            println!(
                "  {name:<6} {:<18} {:>9.3} / {:>9.3} / {:>9.3} ms  {}  [{verdict}]",
                m.name,
                m.timing.p50,
                m.timing.p99,
                m.timing.max,
                show(&m.row)
            );
        }
    }

    println!(
        "\n| query | engine p99 | SQLite p99 | DuckDB p99 | SQLite ÷ engine | DuckDB ÷ engine |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, t, _) in &engine_rows {
        let p99 =
            |rows: &[sql::Measured]| rows.iter().find(|m| m.name == *name).map(|m| m.timing.p99);
        let cell = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.2} ms"));
        let ratio = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{:.3}×", v / t.p99));
        let (s, d) = (p99(&sqlite), p99(duck_rows));
        println!(
            "| {name} | {:.3} ms | {} | {} | {} | {} |",
            t.p99,
            cell(s),
            cell(d),
            ratio(s),
            ratio(d)
        );
    }
    println!(
        "\ngoals: rebuild ≤ 5 s (measured {:.2} s), RSS ≤ 300 MB (measured {rss_after:.0} MB), \
         engine p99 ≤ 1 ms, ≥ 30× faster than DuckDB",
        applying.as_secs_f64()
    );
}
