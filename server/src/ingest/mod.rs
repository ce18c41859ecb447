//! Ingest: the one path every event takes — validate, append durably, apply to the ledger.
//!
//! One writer at a time (a mutex around the ledger; on PostgreSQL also an advisory lock shared
//! by every replica) keeps the log sequence equal to the order events are applied in. A batch
//! is all-or-nothing and acknowledged only after its commit; then the registered
//! [`projection::Projection`]s (the live stream's hub, …) see its events.

pub mod actions;
mod append;
pub mod body;
pub mod http;
pub mod projection;
pub mod rate;
mod replay;
pub mod scope;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::event::{Event, parse_event};
use app::model::ledger::Ledger;
use chrono::Utc;
use sea_orm::{DatabaseConnection, DbBackend, DbErr};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::live::Live;
use crate::ops::metrics::{Metrics, Refusal};
use crate::store::{self, events::NewEvent};
use projection::Projection;
use replay::Writer;
pub use replay::rebuild;

/// The PostgreSQL advisory lock every replica's writer holds while appending ("intraday").
const LOG_LOCK: i64 = 0x696e_7472_6164_6179;
/// The PostgreSQL channel told the last log sequence of each committed batch.
pub const NOTIFY_CHANNEL: &str = "intraday_events";

/// The most events one batch may hold (EVENTS.md).
pub const MAX_BATCH: usize = 5_000;

/// What a committed batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Accepted)]
pub struct IngestOutcome {
    /// Events newly stored.
    pub accepted: usize,
    /// Events whose id was already stored (or repeated in the batch), ignored.
    pub duplicates: usize,
}

/// One refused event: its index in the batch, its id if it had one, the field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    /// A queue-limited token wrote events of other queues; nothing was stored.
    #[error("{} event(s) of queues this token may not write; nothing of this batch was stored", .0.len())]
    OutsideQueues(Vec<EventError>),
}

/// Rows written in a batch's transaction beside its events ([`Ingestor::submit_planned`]).
#[derive(Debug, Default)]
pub struct Side {
    /// An audit record: actor, action, target, detail.
    pub audit: Option<(String, String, String, Value)>,
    /// The action for the outbound webhook, and the calls a connector makes to carry it out.
    pub outbox: Vec<store::outbox::OutboxEntry>,
}

/// What writes a planned batch's [`Side`] rows, from the ledger with the batch applied.
type SideRows<'a> = Box<dyn FnOnce(&Ledger) -> Side + Send + 'a>;

/// The single writer of the event log and owner of the ledger.
///
/// On PostgreSQL several replicas may share the log: each batch's transaction first takes an
/// advisory lock and applies what the others appended since, so every replica applies the log
/// in its order; committed batches are announced on [`NOTIFY_CHANNEL`] (see `crate::live::replica`).
pub struct Ingestor {
    db: DatabaseConnection,
    writer: Arc<Mutex<Writer>>,
    metrics: Metrics,
    shared_log: bool,
    live: Arc<Live>,
    /// The newest `at` when memory was last pruned (ms).
    pruned_at: std::sync::atomic::AtomicI64,
    /// The log sequence of the snapshot the state was read from (0: rebuilt from the log).
    restored_seq: i64,
}

/// How far back the ledger and the live state remember closed conversations: past the 48 h
/// late-event limit (with a margin), nothing can change them and no window reaches them.
const REMEMBER: chrono::TimeDelta = chrono::TimeDelta::hours(49);

impl Ingestor {
    /// Rebuilds the ledger from the whole log, in log order.
    pub async fn open(db: DatabaseConnection) -> Result<Ingestor, DbErr> {
        Self::open_with(db, Vec::new(), None).await
    }

    /// Rebuilds the ledger and the given projections in log order: from the snapshot at
    /// `snapshot` when there is one that fits this log (see [`crate::live::snapshot`]) and the log's
    /// tail after it, else from the whole log. The projections see only the replayed events.
    pub async fn open_with(
        db: DatabaseConnection,
        projections: Vec<Arc<dyn Projection>>,
        snapshot: Option<&std::path::Path>,
    ) -> Result<Ingestor, DbErr> {
        let started = Instant::now();
        let restored = match snapshot {
            Some(path) => crate::live::snapshot::read(path, &db).await,
            None => None,
        };
        let (live, ledger, from_seq) = match restored {
            Some(r) => (Live::restored(r.engine), r.ledger, r.header.seq),
            None => (Live::new(), Ledger::new(), 0),
        };
        let live = Arc::new(live);
        let mut writer = Writer::new(projections);
        (writer.ledger, writer.applied_seq) = (ledger, from_seq);
        // The replayed pages reach the engine on its own thread, in log order.
        let (loader, loading) = live.loader().map_err(|e| DbErr::Custom(e.to_string()))?;
        writer.loader = Some(loader);
        let replayed = writer.replay(&db, None).await;
        writer.loader = None;
        let loaded = tokio::task::spawn_blocking(move || loading.join()).await;
        let total = replayed?;
        if !matches!(loaded, Ok(Ok(()))) {
            return Err(DbErr::Custom("the engine's loading thread failed".into()));
        }
        live.settle();
        // From now on the live state (KPI engine) is the first projection: fed in log order
        // like the rest.
        writer.projections.insert(0, live.clone());
        // Pages read, parsed and dropped, and vectors outgrown while loading.
        crate::release_freed_memory();
        tracing::info!(
            snapshot_seq = from_seq,
            replayed = total,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "live state rebuilt"
        );
        let metrics = Metrics::default();
        metrics.batch_committed(0, 0, Duration::ZERO, store::events::max_seq(&db).await?);
        metrics.applied(writer.applied_seq);
        Ok(Ingestor {
            shared_log: db.get_database_backend() == DbBackend::Postgres,
            db,
            writer: Arc::new(Mutex::new(writer)),
            metrics,
            live,
            pruned_at: std::sync::atomic::AtomicI64::new(i64::MIN),
            restored_seq: from_seq,
        })
    }

    /// Registers a projection: it is told the current ledger and log position, then sees
    /// every event applied after.
    pub async fn add_projection(&self, projection: Arc<dyn Projection>) {
        let mut writer = self.writer.lock().await;
        projection.attached(&writer.ledger, writer.applied_seq);
        writer.projections.push(projection);
    }

    /// Applies the events other replicas appended since this one last looked (PostgreSQL).
    /// Returns how many applied.
    pub async fn catch_up(&self) -> Result<usize, DbErr> {
        let mut writer = self.writer.lock().await;
        let applied = writer.replay(&self.db, None).await?;
        self.metrics.applied(writer.applied_seq);
        if applied > 0 {
            self.prune(&mut writer.ledger);
        }
        Ok(applied)
    }

    /// The log sequence of the snapshot the state was read from at start (0: none).
    pub fn restored_seq(&self) -> i64 {
        self.restored_seq
    }

    /// The highest log sequence applied to the ledger.
    pub fn applied_seq(&self) -> i64 {
        self.metrics.applied_seq()
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

    /// Writes a snapshot of the ledger and the live state to `path`, unless the log is empty
    /// or nothing was applied since `after` (a log sequence). Ingest waits while the state is
    /// encoded (see the README's start-up figures), not while the file is synced. Returns the
    /// snapshot's log sequence, size and how long ingest waited.
    pub async fn write_snapshot(
        &self,
        path: &std::path::Path,
        after: i64,
    ) -> Result<Option<crate::live::snapshot::Written>, crate::live::snapshot::WriteError> {
        let writer = self.writer.clone().lock_owned().await;
        let seq = writer.applied_seq;
        if seq <= after {
            return Ok(None);
        }
        let Some(event_id) = store::events::event_id_at(&self.db, seq).await? else {
            tracing::warn!(
                seq,
                "the last applied event is no longer in the log: no snapshot"
            );
            return Ok(None);
        };
        let written_at_ms = Utc::now().timestamp_millis();
        let header = crate::live::snapshot::Header {
            fingerprint: app::model::snapshot::FINGERPRINT.to_owned(),
            log_id: crate::live::snapshot::log_id(&self.db).await?,
            seq,
            event_id,
            written_at_ms,
        };
        let (live, path) = (self.live.clone(), path.to_owned());
        let started = Instant::now();
        let (size, locked) = tokio::task::spawn_blocking(move || {
            let written = live.read(|engine| {
                crate::live::snapshot::write(&path, &header, &writer.ledger, engine)
            });
            // Ingest goes on while the file is synced.
            drop(writer);
            let locked = started.elapsed();
            written?.commit().map(|size| (size, locked))
        })
        .await
        .map_err(|e| crate::live::snapshot::WriteError::Task(e.to_string()))??;
        tracing::info!(
            seq,
            bytes = size,
            ingest_waited_ms = locked.as_millis() as u64,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "snapshot written"
        );
        Ok(Some(crate::live::snapshot::Written {
            seq,
            written_at_ms,
            bytes: size,
            ingest_waited: locked,
        }))
    }

    /// The live state fed by this writer.
    pub fn live(&self) -> &Arc<Live> {
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
        f(&self.writer.lock().await.ledger)
    }

    /// Reads the ledger and the log sequence it reflects, under the writer's lock (no event is
    /// applied, and no projection called, while `f` runs).
    pub async fn with_ledger_at<R>(&self, f: impl FnOnce(&Ledger, i64) -> R) -> R {
        let writer = self.writer.lock().await;
        f(&writer.ledger, writer.applied_seq)
    }

    /// Validates a batch, appends it durably and applies it; all or nothing. Counted in
    /// [`Self::metrics`].
    pub async fn submit(&self, batch: Vec<Value>) -> Result<IngestOutcome, IngestError> {
        self.submit_as(batch, None).await
    }

    /// [`Ingestor::submit`] for a source limited to `queues` (`None`: any queue): an event of
    /// another queue refuses the batch ([`IngestError::OutsideQueues`]).
    pub async fn submit_as(
        &self,
        batch: Vec<Value>,
        queues: Option<&[String]>,
    ) -> Result<IngestOutcome, IngestError> {
        let started = Instant::now();
        let result = self.submit_unmetered(batch, queues).await;
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
            Err(IngestError::OutsideQueues(_)) => self.metrics.refused(Refusal::Forbidden, 0),
        }
        result.map(|(outcome, _)| outcome)
    }

    async fn submit_unmetered(
        &self,
        batch: Vec<Value>,
        queues: Option<&[String]>,
    ) -> Result<(IngestOutcome, i64), IngestError> {
        if batch.len() > MAX_BATCH {
            return Err(IngestError::TooMany(batch.len()));
        }
        let mut writer = self.writer.lock().await;
        let shared = if self.shared_log {
            Some(self.lock_shared_log(&mut writer).await?)
        } else {
            None
        };
        self.submit_locked(&mut writer, shared, batch, queues, None)
            .await
    }

    /// Plans a batch from the ledger as it is under the writer's lock (after catching up with
    /// other replicas), so what the plan checked still holds when its events are applied;
    /// then validates, appends and applies it like any batch, writing `side`'s rows (the
    /// audit record, the outbox entry) in the same transaction: all of it or nothing.
    /// `Ok(Err(refusal))` when the plan refused (nothing written).
    pub async fn submit_planned<T: Send + Sync, E>(
        &self,
        plan: impl FnOnce(&Ledger) -> Result<(Vec<Value>, T), E> + Send,
        side: impl FnOnce(&Ledger, &T) -> Side + Send,
    ) -> Result<Result<(T, IngestOutcome), E>, IngestError> {
        let started = Instant::now();
        let mut writer = self.writer.lock().await;
        let shared = if self.shared_log {
            Some(self.lock_shared_log(&mut writer).await?)
        } else {
            None
        };
        let (batch, planned) = match plan(&writer.ledger) {
            Ok(p) => p,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let side = |ledger: &Ledger| side(ledger, &planned);
        let result = self
            .submit_locked(&mut writer, shared, batch, None, Some(Box::new(side)))
            .await;
        match result {
            Ok((outcome, sequence)) => {
                self.metrics.batch_committed(
                    outcome.accepted,
                    outcome.duplicates,
                    started.elapsed(),
                    sequence,
                );
                Ok(Ok((planned, outcome)))
            }
            Err(e) => Err(e),
        }
    }

    async fn submit_locked(
        &self,
        writer: &mut Writer,
        shared: Option<sea_orm::DatabaseTransaction>,
        batch: Vec<Value>,
        queues: Option<&[String]>,
        side: Option<SideRows<'_>>,
    ) -> Result<(IngestOutcome, i64), IngestError> {
        let ids: Vec<Option<&str>> = batch
            .iter()
            .map(|v| v.get("id").and_then(Value::as_str))
            .collect();

        let known: Vec<&str> = ids.iter().flatten().copied().collect();
        let stored: HashSet<String> = match &shared {
            Some(tx) => store::events::existing_ids(tx, &known).await?,
            None => store::events::existing_ids(&self.db, &known).await?,
        }
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
        if let Some(queues) = queues {
            let outside = scope::outside(queues, &writer.ledger, &fresh, &ids);
            if !outside.is_empty() {
                return Err(IngestError::OutsideQueues(outside));
            }
        }
        // Within a batch, events are taken in `at` order, ties by position (EVENTS.md).
        fresh.sort_by_key(|(index, e)| (e.at, *index));
        let events: Vec<Event> = fresh.iter().map(|(_, e)| e.clone()).collect();
        let undo = match writer.ledger.apply_undoable(&events, Utc::now()) {
            Ok(undo) => undo,
            Err(batch_errors) => {
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
        };
        let rows: Vec<NewEvent> = fresh
            .iter()
            .map(|(index, e)| NewEvent::of(e, &batch[*index]))
            .collect();
        let side = side.map(|side| side(&writer.ledger));
        let sequence = match self
            .commit(shared, &writer.ledger, &events, &rows, side.as_ref())
            .await
        {
            Ok(sequence) => sequence,
            Err(error) => {
                // The ledger already holds the batch the database refused (the projections
                // never saw it): take it out again.
                tracing::error!(%error, "appending a batch failed; nothing of it was kept");
                writer.ledger.undo(undo);
                return Err(IngestError::Storage(error));
            }
        };
        drop(undo);
        // One writer at a time: the batch's rows got consecutive sequences ending at `sequence`.
        writer.applied_seq = sequence;
        self.metrics.applied(sequence);
        let first = sequence - events.len() as i64 + 1;
        let seqs: Vec<i64> = (first..=sequence).collect();
        writer.project(&events, &seqs);
        self.prune(&mut writer.ledger);
        Ok((
            IngestOutcome {
                accepted: rows.len(),
                duplicates,
            },
            sequence,
        ))
    }
}
