//! Appending a validated batch: one transaction for the events and the reference data they
//! upsert; on a shared (PostgreSQL) log, behind the writers' advisory lock and announced to
//! the other replicas on commit.

use app::model::event::Event;
use app::model::ledger::Ledger;
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement, TransactionTrait,
};

use super::replay::Writer;
use super::{Ingestor, LOG_LOCK, NOTIFY_CHANNEL};
use crate::store::{self, events::NewEvent};

impl Ingestor {
    /// Begins the batch's transaction on a shared (PostgreSQL) log: takes the writers' advisory
    /// lock, then applies what other replicas appended, so this batch follows it in the log and
    /// in the ledger alike.
    pub(super) async fn lock_shared_log(
        &self,
        writer: &mut Writer,
    ) -> Result<DatabaseTransaction, DbErr> {
        let tx = self.db.begin().await?;
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [LOG_LOCK.into()],
        ))
        .await?;
        writer.replay(&tx, None).await?;
        self.metrics.applied(writer.applied_seq);
        Ok(tx)
    }

    pub(super) async fn commit(
        &self,
        shared: Option<DatabaseTransaction>,
        ledger: &Ledger,
        events: &[Event],
        rows: &[NewEvent],
        side: Option<&super::Side>,
    ) -> Result<i64, DbErr> {
        let tx = match shared {
            Some(tx) => tx,
            None => self.db.begin().await?,
        };
        store::events::append(&tx, rows).await?;
        if let Some((actor, action, target, detail)) = side.and_then(|s| s.audit.as_ref()) {
            store::audit::record(&tx, actor, action, target, detail.clone()).await?;
        }
        for entry in side.iter().flat_map(|s| &s.outbox) {
            store::outbox::enqueue(&tx, entry).await?;
        }
        let queues: Vec<_> = touched(events, "queue.upserted", |e| ledger.queue(e));
        let agents: Vec<_> = touched(events, "agent.upserted", |e| ledger.agent(e));
        store::reference::upsert_queues(&tx, &queues).await?;
        store::reference::upsert_agents(&tx, &agents).await?;
        let sequence = store::events::max_seq(&tx).await?;
        if self.shared_log {
            // Delivered to the other replicas' listeners only if the transaction commits.
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [NOTIFY_CHANNEL.into(), sequence.to_string().into()],
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(sequence)
    }
}

/// The current ledger entries of the queues or agents a batch upserted.
fn touched<'l, T>(
    events: &[Event],
    type_name: &str,
    get: impl Fn(&str) -> Option<&'l T>,
) -> Vec<&'l T> {
    let mut ids: Vec<&str> = events
        .iter()
        .filter(|e| e.type_name() == type_name)
        .filter_map(|e| upserted_id(e))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().filter_map(get).collect()
}

fn upserted_id(event: &Event) -> Option<&str> {
    use app::model::event::EventBody;
    match &event.body {
        EventBody::QueueUpserted(q) => Some(q.queue_id.as_str()),
        EventBody::AgentUpserted(a) => Some(a.agent_id.as_str()),
        _ => None,
    }
}
