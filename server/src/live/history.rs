//! KPI history past the live window: every ten minutes the KPIs of each complete hour of the
//! last day, for every queue and for all queues together, are written to `kpi_hourly` from the
//! live engine. Retention prunes events, never these rows, so history outlives the log.

use std::sync::Arc;
use std::time::Duration;

use app::kpi::{Limits, Query};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::live::Live;
use crate::store::history::{self, HourRow};

const HOUR_MS: i64 = 3_600_000;

/// Writes the complete hours of the 24 h before `now`; returns how many rows.
pub async fn record(
    db: &DatabaseConnection,
    live: &Live,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let rows: Vec<HourRow> = live.read(|engine| {
        let mut queues: Vec<String> = engine.queues().map(|(id, _)| id.clone()).collect();
        queues.insert(0, String::new());
        let mut rows = Vec::new();
        for queue in queues {
            let q = Query {
                queues: if queue.is_empty() {
                    Vec::new()
                } else {
                    vec![queue.clone()]
                },
                ..Query::default()
            };
            let report = engine.report(&q, now, &Limits::default());
            for hour in report.hourly {
                let Ok(start) = DateTime::parse_from_rfc3339(&hour.hour) else {
                    continue;
                };
                let start = start.timestamp_millis();
                if start + HOUR_MS > now.timestamp_millis() {
                    continue; // not complete yet
                }
                rows.push(HourRow {
                    hour_start_ms: start,
                    queue_id: queue.clone(),
                    kpis: serde_json::to_string(&hour.kpis).unwrap_or_default(),
                });
            }
        }
        rows
    });
    history::upsert(db, &rows, now.timestamp_millis()).await?;
    Ok(rows.len())
}

/// Records every ten minutes (the first time at once).
pub async fn run(db: DatabaseConnection, live: Arc<Live>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match record(&db, &live, Utc::now()).await {
            Ok(n) => tracing::debug!(rows = n, "KPI history recorded"),
            Err(e) => {
                tracing::error!(error = %e, "recording the KPI history failed; retrying in ten minutes")
            }
        }
    }
}
