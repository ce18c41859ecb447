//! Replicas on one PostgreSQL log: each server LISTENs for the sequences other replicas commit
//! (and polls every few seconds in case a notification was missed or the listener was
//! reconnecting), then applies the new events to its ledger, projections and streams.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;

use crate::ingest::{Ingestor, NOTIFY_CHANNEL};

/// How often the log is checked even without a notification.
const POLL: Duration = Duration::from_secs(2);

/// Follows the other replicas' appends (PostgreSQL only; returns at once elsewhere).
pub async fn follow(db: DatabaseConnection, ingestor: Arc<Ingestor>) {
    {
        if db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return;
        }
        let mut listener: Option<PgListener> = None;
        loop {
            if listener.is_none() {
                listener = listen(&db).await;
            }
            let notified = match listener.as_mut() {
                Some(l) => tokio::select! {
                    n = l.recv() => match n {
                        Ok(n) => Some(n.payload().trim().parse::<i64>().unwrap_or(i64::MAX)),
                        Err(error) => {
                            tracing::warn!(%error, "the log listener failed; reconnecting");
                            listener = None;
                            None
                        }
                    },
                    () = tokio::time::sleep(POLL) => None,
                },
                None => {
                    tokio::time::sleep(POLL).await;
                    None
                }
            };
            // Our own batches are applied already; skip their notifications.
            if notified.is_some_and(|seq| seq <= ingestor.applied_seq()) {
                continue;
            }
            match ingestor.catch_up().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(events = n, "applied events from other replicas"),
                Err(error) => tracing::warn!(%error, "catching up with the log failed; retrying"),
            }
        }
    }
}

async fn listen(db: &DatabaseConnection) -> Option<PgListener> {
    let result = async {
        let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
        listener.listen(NOTIFY_CHANNEL).await?;
        Ok::<_, sea_orm::sqlx::Error>(listener)
    }
    .await;
    match result {
        Ok(listener) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for other replicas' events; polling");
            None
        }
    }
}
