//! Ingest: the one path every event takes — validate, append durably, apply to the ledger.
//!
//! One writer at a time (a mutex around the ledger) keeps the log sequence equal to the order
//! events are applied in. A batch is all-or-nothing and acknowledged only after its commit.

pub mod body;
pub mod http;
pub mod rate;

use std::collections::HashSet;

use app::model::event::{Event, parse_event};
use app::model::ledger::Ledger;
use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use std::time::{Duration, Instant};

use crate::live::Live;
use crate::metrics::{Metrics, Refusal};
use crate::store::{self, events::NewEvent};

/// The most events one batch may hold (EVENTS.md).
pub const MAX_BATCH: usize = 5_000;

/// What a committed batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IngestOutcome {
    /// Events newly stored.
    pub accepted: usize,
    /// Events whose id was already stored (or repeated in the batch), ignored.
    pub duplicates: usize,
}

/// One refused event: its index in the batch, its id if it had one, the field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventError {
    /// Position in the batch (0-based; for NDJSON the line's event number).
    pub index: usize,
    /// The event's `id`, when it had a string one.
    pub id: Option<String>,
    /// The offending field (dotted path), or empty for the whole event.
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// Why a batch was refused.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Some events are invalid; nothing was stored.
    #[error("{} invalid event(s); nothing of this batch was stored", .0.len())]
    Invalid(Vec<EventError>),
    /// More than [`MAX_BATCH`] events.
    #[error("a batch holds at most {MAX_BATCH} events; this one has {0}")]
    TooMany(usize),
    /// The database failed; nothing was stored.
    #[error("the event log could not be written: {0}")]
    Storage(#[from] DbErr),
}

/// The single writer of the event log and owner of the ledger.
pub struct Ingestor {
    db: DatabaseConnection,
    ledger: Mutex<Ledger>,
    metrics: Metrics,
    live: std::sync::Arc<Live>,
    /// The newest `at` when memory was last pruned (ms).
    pruned_at: std::sync::atomic::AtomicI64,
}

/// How far back the ledger and the live state remember closed conversations: past the 48 h
/// late-event limit (with a margin), nothing can change them and no window reaches them.
const REMEMBER: chrono::TimeDelta = chrono::TimeDelta::hours(49);

impl Ingestor {
    /// Rebuilds the ledger from the whole log, in log order.
    pub async fn open(db: DatabaseConnection) -> Result<Ingestor, DbErr> {
        let live = std::sync::Arc::new(Live::new());
        let ledger = rebuild_into(&db, Some(&live)).await?;
        let metrics = Metrics::default();
        metrics.batch_committed(0, 0, Duration::ZERO, store::events::max_seq(&db).await?);
        Ok(Ingestor {
            db,
            ledger: Mutex::new(ledger),
            metrics,
            live,
            pruned_at: std::sync::atomic::AtomicI64::new(i64::MIN),
        })
    }

    /// Once a minute of event time, forgets conversations closed more than [`REMEMBER`] ago.
    fn prune(&self, ledger: &mut Ledger) {
        use std::sync::atomic::Ordering;
        let Some(newest) = ledger.newest_at() else {
            return;
        };
        let last = self.pruned_at.load(Ordering::Relaxed);
        if newest.timestamp_millis().saturating_sub(last) < 60_000 {
            return;
        }
        self.pruned_at
            .store(newest.timestamp_millis(), Ordering::Relaxed);
        let before = newest - REMEMBER;
        let forgotten = ledger.prune(before);
        self.live.prune(before.timestamp_millis());
        if forgotten > 0 {
            tracing::debug!(forgotten, "forgot conversations closed before {before}");
        }
    }

    /// The live state fed by this writer.
    pub fn live(&self) -> &std::sync::Arc<Live> {
        &self.live
    }

    /// This writer's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The database this writer appends to.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Reads the ledger under the writer's lock.
    pub async fn with_ledger<R>(&self, f: impl FnOnce(&Ledger) -> R) -> R {
        f(&*self.ledger.lock().await)
    }

    /// Validates a batch, appends it durably and applies it; all or nothing. Counted in
    /// [`Self::metrics`].
    pub async fn submit(&self, batch: Vec<Value>) -> Result<IngestOutcome, IngestError> {
        let started = Instant::now();
        let result = self.submit_unmetered(batch).await;
        match &result {
            Ok((outcome, sequence)) => self.metrics.batch_committed(
                outcome.accepted,
                outcome.duplicates,
                started.elapsed(),
                *sequence,
            ),
            Err(IngestError::Invalid(errors)) => {
                let mut indices: Vec<usize> = errors.iter().map(|e| e.index).collect();
                indices.sort_unstable();
                indices.dedup();
                self.metrics.refused(Refusal::Invalid, indices.len());
            }
            Err(IngestError::TooMany(_)) => self.metrics.refused(Refusal::TooLarge, 0),
            Err(IngestError::Storage(_)) => self.metrics.refused(Refusal::Storage, 0),
        }
        result.map(|(outcome, _)| outcome)
    }

    async fn submit_unmetered(
        &self,
        batch: Vec<Value>,
    ) -> Result<(IngestOutcome, i64), IngestError> {
        if batch.len() > MAX_BATCH {
            return Err(IngestError::TooMany(batch.len()));
        }
        let ids: Vec<Option<&str>> = batch
            .iter()
            .map(|v| v.get("id").and_then(Value::as_str))
            .collect();
        let mut ledger = self.ledger.lock().await;

        let known: Vec<&str> = ids.iter().flatten().copied().collect();
        let stored: HashSet<String> = store::events::existing_ids(&self.db, &known)
            .await?
            .into_iter()
            .collect();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut duplicates = 0;
        let mut errors = Vec::new();
        let mut fresh: Vec<(usize, Event)> = Vec::new();
        for (index, value) in batch.iter().enumerate() {
            let id = ids[index];
            if let Some(id) = id
                && (stored.contains(id) || !seen.insert(id))
            {
                duplicates += 1;
                continue;
            }
            match parse_event(value) {
                Ok(event) => fresh.push((index, event)),
                Err(field_errors) => errors.extend(field_errors.into_iter().map(|e| EventError {
                    index,
                    id: id.map(str::to_owned),
                    field: e.field,
                    message: e.message,
                })),
            }
        }
        if !errors.is_empty() {
            return Err(IngestError::Invalid(errors));
        }
        if fresh.is_empty() {
            return Ok((
                IngestOutcome {
                    accepted: 0,
                    duplicates,
                },
                0,
            ));
        }
        // Within a batch, events are taken in `at` order, ties by position (EVENTS.md).
        fresh.sort_by_key(|(index, e)| (e.at, *index));
        let events: Vec<Event> = fresh.iter().map(|(_, e)| e.clone()).collect();
        if let Err(batch_errors) = ledger.apply(&events, Utc::now()) {
            return Err(IngestError::Invalid(
                batch_errors
                    .into_iter()
                    .map(|e| {
                        let index = fresh[e.index].0;
                        EventError {
                            index,
                            id: ids[index].map(str::to_owned),
                            field: e.field,
                            message: e.message,
                        }
                    })
                    .collect(),
            ));
        }
        let rows: Vec<NewEvent> = fresh
            .iter()
            .map(|(index, e)| new_event(e, &batch[*index]))
            .collect();
        let sequence = match self.commit(&ledger, &events, &rows).await {
            Ok(sequence) => sequence,
            Err(error) => {
                // The ledger already holds the batch the database refused: rebuild it from the log.
                tracing::error!(%error, "appending a batch failed; rebuilding the ledger from the log");
                match rebuild(&self.db).await {
                    Ok(fresh_ledger) => *ledger = fresh_ledger,
                    Err(e) => tracing::error!(error = %e, "rebuilding the ledger failed"),
                }
                return Err(IngestError::Storage(error));
            }
        };
        // Durable: now the live state sees it, still in log order (under the writer's lock).
        self.live.apply(&events);
        self.prune(&mut ledger);
        Ok((
            IngestOutcome {
                accepted: rows.len(),
                duplicates,
            },
            sequence,
        ))
    }

    async fn commit(
        &self,
        ledger: &Ledger,
        events: &[Event],
        rows: &[NewEvent],
    ) -> Result<i64, DbErr> {
        let tx = self.db.begin().await?;
        store::events::append(&tx, rows).await?;
        let queues: Vec<_> = touched(events, "queue.upserted", |e| ledger.queue(e));
        let agents: Vec<_> = touched(events, "agent.upserted", |e| ledger.agent(e));
        store::reference::upsert_queues(&tx, &queues).await?;
        store::reference::upsert_agents(&tx, &agents).await?;
        let sequence = store::events::max_seq(&tx).await?;
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

fn new_event(event: &Event, raw: &Value) -> NewEvent {
    NewEvent {
        event_id: event.id.clone(),
        event_type: event.type_name().to_owned(),
        at_ms: event.at.timestamp_millis(),
        conversation_id: event.conversation_id().map(str::to_owned),
        agent_id: event.agent_id().map(str::to_owned),
        payload: raw.to_string(),
    }
}

/// Events read from the log per round trip while rebuilding.
const REBUILD_PAGE: u64 = 10_000;

/// Replays the whole log into a new ledger. Pages are applied as batches; a page the ledger
/// refuses as a whole (it was accepted over several batches) is applied event by event.
pub async fn rebuild(db: &DatabaseConnection) -> Result<Ledger, DbErr> {
    rebuild_into(db, None).await
}

/// Replays the whole log into a new ledger and, when given, the live state.
pub async fn rebuild_into(db: &DatabaseConnection, live: Option<&Live>) -> Result<Ledger, DbErr> {
    let mut ledger = Ledger::new();
    let mut after = 0;
    let mut total = 0usize;
    let started = std::time::Instant::now();
    loop {
        let page = store::events::read_after(db, after, REBUILD_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let mut events = Vec::with_capacity(page.len());
        for row in &page {
            match serde_json::from_str::<Value>(&row.payload)
                .map_err(|e| e.to_string())
                .and_then(|v| parse_event(&v).map_err(|e| format!("{e:?}")))
            {
                Ok(event) => events.push(event),
                Err(error) => {
                    tracing::warn!(seq = row.seq, %error, "skipping an unreadable stored event")
                }
            }
        }
        total += events.len();
        let now = Utc::now();
        if ledger.apply(&events, now).is_ok() {
            if let Some(live) = live {
                live.apply(&events);
            }
        } else {
            for event in events {
                let one = std::slice::from_ref(&event);
                match ledger.apply(one, now) {
                    Ok(()) => {
                        if let Some(live) = live {
                            live.apply(one);
                        }
                    }
                    Err(errors) => {
                        tracing::warn!(id = %event.id, ?errors, "a stored event no longer applies; skipped")
                    }
                }
            }
        }
    }
    tracing::info!(
        events = total,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "ledger rebuilt from the log"
    );
    Ok(ledger)
}
