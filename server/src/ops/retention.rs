//! Retention: events older than the retention days (the admin's setting, else the
//! configuration's) are pruned in small batches, so a prune never holds the database's write
//! lock for long and ingest goes on between batches; so are the outbox's rows it is done with.

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

/// The retention days in force: the admin's setting if there is one, else `configured`.
pub async fn days(db: &DatabaseConnection, configured: u32) -> u32 {
    match crate::store::settings::get(db, app::model::admin::RETENTION_DAYS).await {
        Ok(Some(v)) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d >= 3)
            .unwrap_or(configured),
        Ok(None) => configured,
        Err(e) => {
            tracing::warn!(error = %e, "reading the retention setting failed; using the configured days");
            configured
        }
    }
}

/// One retention run: prunes events older than the days in force (read from the settings
/// each run, so an admin's change applies at the next run), the outbox rows as old that are
/// delivered or given up on, and connector deliveries past their 7 days; returns the days and
/// the count of events.
pub async fn run_once(db: &DatabaseConnection, configured: u32) -> Result<(u32, u64), DbErr> {
    let days = days(db, configured).await;
    let cutoff = Utc::now() - TimeDelta::days(i64::from(days));
    let pruned = prune(db, cutoff.timestamp_millis(), PRUNE_BATCH).await?;
    let outbox = crate::store::outbox::prune(db, cutoff.timestamp_millis()).await?;
    // A connector's deliveries are its page's recent history (payloads kept aside stay).
    let deliveries_cutoff = Utc::now() - TimeDelta::days(crate::connectors::KEEP_DELIVERIES_DAYS);
    crate::store::connectors::prune(db, deliveries_cutoff.timestamp_millis()).await?;
    if outbox > 0 {
        tracing::info!(
            pruned = outbox,
            days,
            "retention: pruned delivered or given-up outbox rows"
        );
    }
    match pruned {
        0 => tracing::debug!(days, "retention: nothing to prune"),
        n => {
            tracing::info!(pruned = n, days, cutoff = %cutoff.to_rfc3339(), "retention: pruned old events")
        }
    }
    Ok((days, pruned))
}

/// Prunes once at start and then every hour, with the days in force at each run.
pub async fn run(db: DatabaseConnection, configured: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = run_once(&db, configured).await {
            tracing::error!(error = %e, "retention: pruning failed; will retry in an hour")
        }
    }
}
