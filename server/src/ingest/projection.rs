//! Projections: components that observe every applied event in log order (the live stream's
//! hub, the KPI engine), registered on the [`super::Ingestor`].

use app::model::event::Event;
use app::model::ledger::Ledger;

/// Events just applied to the ledger, in the order they were applied (= log order).
#[derive(Debug, Clone, Copy)]
pub struct Applied<'a> {
    /// The ledger after these events.
    pub ledger: &'a Ledger,
    /// The events, parsed.
    pub events: &'a [Event],
    /// The log sequence of each event (`seqs[i]` is `events[i]`'s), increasing.
    pub seqs: &'a [i64],
    /// The log sequence this replica has applied up to (at least the last of `seqs`; higher
    /// when stored events that no longer apply were skipped).
    pub last_seq: i64,
}

/// Something kept up to date from the event log. Called under the writer's lock, so calls
/// never overlap and come in log order: after each committed batch, for each page replayed at
/// start-up, and for events caught up from other replicas. Keep `apply` quick and never block
/// on I/O: every ingest waits for it.
pub trait Projection: Send + Sync {
    /// Observes events just applied.
    fn apply(&self, applied: Applied<'_>);

    /// Called once when registered with [`super::Ingestor::add_projection`], with the ledger
    /// and the log sequence applied so far (the projection sees every event after it).
    fn attached(&self, ledger: &Ledger, last_seq: i64) {
        let _ = (ledger, last_seq);
    }
}
