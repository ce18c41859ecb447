//! Retention: events older than the configured days are pruned in small batches, so a prune
//! never holds the database's write lock for long and ingest goes on between batches.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

/// Rows deleted per statement.
pub const PRUNE_BATCH: u64 = 5_000;

/// Deletes events whose `at` is before `cutoff_ms`, `batch` rows at a time; returns how many.
pub async fn prune(db: &DatabaseConnection, cutoff_ms: i64, batch: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "DELETE FROM events WHERE seq IN \
         (SELECT seq FROM events WHERE at_ms < {cutoff_ms} ORDER BY seq LIMIT {batch})"
    );
    let mut total = 0;
    loop {
        let deleted = db
            .execute_raw(Statement::from_string(backend, sql.clone()))
            .await?
            .rows_affected();
        total += deleted;
        if deleted < batch {
            return Ok(total);
        }
        // Let ingest batches take the write lock between deletes.
        tokio::task::yield_now().await;
    }
}

/// Prunes once at start and then every hour, logging what it removed.
pub fn spawn(db: DatabaseConnection, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let cutoff = Utc::now() - TimeDelta::days(i64::from(days));
            match prune(&db, cutoff.timestamp_millis(), PRUNE_BATCH).await {
                Ok(0) => tracing::debug!(days, "retention: nothing to prune"),
                Ok(n) => {
                    tracing::info!(pruned = n, days, cutoff = %cutoff.to_rfc3339(), "retention: pruned old events")
                }
                Err(e) => {
                    tracing::error!(error = %e, "retention: pruning failed; will retry in an hour")
                }
            }
        }
    });
}
