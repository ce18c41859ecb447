//! The same KPIs by SQL `GROUP BY`-style aggregation over one row per conversation: on SQLite
//! (through sea-orm, as the server talks to it) and on DuckDB (through its Python package).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use app::model::event::CloseReason;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::Value;

use super::day::{CHANNELS, Row, queue_id};
use super::{Timing, timing};

/// A named query and its text.
pub struct Sql {
    pub name: &'static str,
    pub text: String,
}

/// Measured runs of one query and its single result row (incoming, abandoned, ASA s, service
/// level, AHT s, closed).
pub struct Measured {
    pub name: String,
    pub timing: Timing,
    pub row: Vec<Option<f64>>,
}

/// Incoming, abandoned, ASA, service level (20 s), AHT and closed for `[from, to]` (ms,
/// inclusive), optionally for one queue and channel.
fn kpi_sql(from: i64, to: i64, queue: Option<&str>, channel: Option<&str>) -> String {
    let created = format!("created_ms BETWEEN {from} AND {to}");
    let closed = format!("closed_ms BETWEEN {from} AND {to}");
    let abandoned = "first_accepted_ms IS NULL AND close_reason = 'abandoned'";
    let mut filter = String::new();
    if let Some(q) = queue {
        let _ = write!(filter, " AND queue = '{q}'");
    }
    if let Some(c) = channel {
        let _ = write!(filter, " AND channel = '{c}'");
    }
    format!(
        "SELECT
  CAST(SUM(CASE WHEN {created} THEN 1 ELSE 0 END) AS DOUBLE) AS incoming,
  CAST(SUM(CASE WHEN {created} AND {abandoned} THEN 1 ELSE 0 END) AS DOUBLE) AS abandoned,
  AVG(CASE WHEN {created} AND first_accepted_ms IS NOT NULL
      THEN first_accepted_ms - created_ms END) / 1000.0 AS asa_s,
  CAST(SUM(CASE WHEN {created} AND first_accepted_ms - created_ms <= 20000 THEN 1 ELSE 0 END)
      AS DOUBLE)
    / NULLIF(SUM(CASE WHEN {created} AND first_accepted_ms IS NOT NULL THEN 1 ELSE 0 END)
      + SUM(CASE WHEN {created} AND {abandoned} AND closed_ms - created_ms > 20000
        THEN 1 ELSE 0 END), 0) AS service_level,
  AVG(CASE WHEN {closed} AND first_accepted_ms IS NOT NULL THEN handle_ms END) / 1000.0 AS aht_s,
  CAST(SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS DOUBLE) AS closed
FROM conversations
WHERE ({created} OR {closed}){filter}"
    )
}

/// The queries both databases run: the engine's cases that SQL can answer.
pub fn queries(now: i64) -> Vec<Sql> {
    let day = now - 24 * 3_600_000;
    let two = now - 2 * 3_600_000;
    vec![
        Sql {
            name: "24h",
            text: kpi_sql(day, now, None, None),
        },
        Sql {
            name: "24h queue",
            text: kpi_sql(day, now, Some("q1"), None),
        },
        Sql {
            name: "24h queue+channel",
            text: kpi_sql(day, now, Some("q1"), Some("chat")),
        },
        Sql {
            name: "2h",
            text: kpi_sql(two, now, None, None),
        },
    ]
}

fn reason(r: CloseReason) -> &'static str {
    match r {
        CloseReason::Resolved => "resolved",
        CloseReason::Abandoned => "abandoned",
        CloseReason::ForceClosed => "force_closed",
        CloseReason::TimedOut => "timed_out",
    }
}

fn channel(c: u8) -> String {
    serde_json::to_value(CHANNELS[c as usize])
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The row's values, SQL literals in column order (NULL for none).
fn values(r: &Row) -> [String; 10] {
    let opt = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
    [
        format!("'c{}'", r.conv),
        format!("'{}'", queue_id(r.queue)),
        format!("'{}'", channel(r.channel)),
        r.created.to_string(),
        opt(r.first_accepted),
        opt(r.closed.map(|(t, _)| t)),
        r.closed
            .map_or("NULL".to_owned(), |(_, why)| format!("'{}'", reason(why))),
        opt(r.closed.map(|_| r.handle_ms)),
        opt(r.wrap_ms),
        i64::from(r.transferred).to_string(),
    ]
}

const COLUMNS: &str = "id, queue, channel, created_ms, first_accepted_ms, closed_ms, close_reason, \
                       handle_ms, wrap_ms, transferred";

/// Writes the rows as CSV (empty = NULL) for DuckDB.
pub fn write_csv(rows: &[Row], path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{}", COLUMNS.replace(' ', ""))?;
    for r in rows {
        let v = values(r).map(|v| {
            if v == "NULL" {
                String::new()
            } else {
                v.trim_matches('\'').to_owned()
            }
        });
        writeln!(out, "{}", v.join(","))?;
    }
    out.flush()
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.expect("sqlite statement");
}

/// Loads the rows into a fresh SQLite file (with indexes), returning the connection and the
/// load time in seconds.
pub async fn sqlite_load(rows: &[Row], path: &Path) -> (DatabaseConnection, f64) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let db = Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("sqlite");
    let began = Instant::now();
    exec(&db, "PRAGMA journal_mode = WAL").await;
    exec(
        &db,
        "CREATE TABLE conversations (id TEXT PRIMARY KEY, queue TEXT NOT NULL,
          channel TEXT NOT NULL, created_ms INTEGER NOT NULL, first_accepted_ms INTEGER,
          closed_ms INTEGER, close_reason TEXT, handle_ms INTEGER, wrap_ms INTEGER,
          transferred INTEGER NOT NULL)",
    )
    .await;
    for chunk in rows.chunks(100_000) {
        let txn = db.begin().await.expect("begin");
        for part in chunk.chunks(500) {
            let mut sql = format!("INSERT INTO conversations ({COLUMNS}) VALUES ");
            for (i, r) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                let _ = write!(sql, "({})", values(r).join(","));
            }
            txn.execute_unprepared(&sql).await.expect("insert");
        }
        txn.commit().await.expect("commit");
    }
    for sql in [
        "CREATE INDEX conversations_created ON conversations (created_ms)",
        "CREATE INDEX conversations_closed ON conversations (closed_ms)",
        "CREATE INDEX conversations_queue_created ON conversations (queue, created_ms)",
        "ANALYZE",
    ] {
        exec(&db, sql).await;
    }
    (db, began.elapsed().as_secs_f64())
}

/// Times each query `runs` times (after one warm-up run).
pub async fn sqlite_run(db: &DatabaseConnection, queries: &[Sql], runs: usize) -> Vec<Measured> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for q in queries {
        let stmt = Statement::from_string(backend, q.text.clone());
        let mut ms = Vec::with_capacity(runs);
        let mut row = Vec::new();
        for i in 0..=runs {
            let began = Instant::now();
            let r = db.query_one_raw(stmt.clone()).await.expect("query");
            let elapsed = began.elapsed().as_secs_f64() * 1000.0;
            if i > 0 {
                ms.push(elapsed);
            }
            let r = r.expect("one row");
            row = (0..6)
                .map(|c| r.try_get_by_index::<Option<f64>>(c).expect("a number"))
                .collect();
        }
        out.push(Measured {
            name: q.name.to_owned(),
            timing: timing(ms),
            row,
        });
    }
    out
}

/// Runs `kpis_duckdb.py` on the CSV; `Err` says why DuckDB figures are missing.
pub fn duckdb_run(
    csv: &Path,
    queries: &[Sql],
    runs: usize,
    dir: &Path,
) -> Result<(f64, String, Vec<Measured>), String> {
    let qfile = dir.join("queries.json");
    let list: Vec<Value> = queries
        .iter()
        .map(|q| serde_json::json!({"name": q.name, "sql": q.text}))
        .collect();
    std::fs::write(&qfile, Value::from(list).to_string()).map_err(|e| e.to_string())?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kpis_duckdb.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(csv)
        .arg(&qfile)
        .arg(runs.to_string())
        .output()
        .map_err(|e| format!("python3 could not be started ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "kpis_duckdb.py failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let (mut load_s, mut version, mut measured) = (0.0, String::new(), Vec::new());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        if let Some(e) = v.get("error").and_then(Value::as_str) {
            return Err(e.to_owned());
        }
        if let Some(l) = v.get("load_s").and_then(Value::as_f64) {
            load_s = l;
            version = v["version"].as_str().unwrap_or_default().to_owned();
            continue;
        }
        let ms: Vec<f64> = v["ms"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        measured.push(Measured {
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            timing: timing(ms),
            row: v["row"]
                .as_array()
                .map(|a| a.iter().map(Value::as_f64).collect())
                .unwrap_or_default(),
        });
    }
    Ok((load_s, version, measured))
}
