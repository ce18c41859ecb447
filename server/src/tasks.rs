//! The server's background work, started in one place once the state is built (build → run):
//! following other replicas, the alert thresholds' refresh, the stream's tiles and alerts, the
//! metrics' upkeep, the outbox's webhook delivery and, for a served instance, retention,
//! session purging, the KPI history, snapshots and the simulator. A periodic task that panics
//! is logged and started again, so one bad run does not silently end retention or the tiles
//! for the rest of the process's life.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::live::snapshot::Snapshots;
use crate::simulator::drive::{LocalSink, SimPlan, drive};
use crate::state::AppState;

/// What to run beside the live work every server needs.
#[derive(Default)]
pub struct Plan {
    /// Retention, session purging and the hourly KPI history (`serve`; the tests call them
    /// directly instead).
    pub housekeeping: bool,
    /// Snapshots of the live state: written once now, then this often (`None`: only once).
    pub snapshots: Option<Option<Duration>>,
    /// The built-in traffic simulator.
    pub simulator: Option<SimPlan>,
    /// Turns true when the server is stopping: the hub then ends every live stream (each with a
    /// `shutdown` event), since they never end by themselves and graceful shutdown waits for them.
    pub stop: Option<tokio::sync::watch::Receiver<bool>>,
}

/// The running background work, for what shutdown still needs of it.
pub struct Tasks {
    /// The snapshot writer, so shutdown can write a last one.
    pub snapshots: Option<Arc<Snapshots>>,
}

/// Starts the background work of `plan` on `state`.
pub fn start(state: &AppState, plan: Plan) -> Tasks {
    let (db, ingestor) = (state.db.clone(), state.ingestor.clone());
    supervise("replica follower", move || {
        crate::live::replica::follow(db.clone(), ingestor.clone())
    });
    let thresholds = Arc::downgrade(&state.thresholds);
    supervise("threshold refresh", move || {
        crate::live::thresholds::LimitsCache::refresh(thresholds.clone())
    });
    let (hub, ingestor, thresholds) = (
        state.hub.clone(),
        state.ingestor.clone(),
        state.thresholds.clone(),
    );
    supervise("stream tiles", move || {
        crate::stream::tiles::publish(hub.clone(), ingestor.clone(), thresholds.clone())
    });
    let ingestor = Arc::downgrade(&state.ingestor);
    supervise("metrics upkeep", move || metrics_upkeep(ingestor.clone()));
    let (outbox, ingestor) = (state.outbox.clone(), state.ingestor.clone());
    supervise("outbox delivery", move || {
        outbox.clone().run(ingestor.clone())
    });
    let actions = state.actions();
    supervise("offer time-outs", move || {
        crate::actions::offers::expire(actions.clone())
    });
    if plan.housekeeping {
        let (db, days) = (state.db.clone(), state.config.retention_days);
        supervise("retention", move || {
            crate::ops::retention::run(db.clone(), days)
        });
        let db = state.db.clone();
        supervise("session purge", move || {
            crate::auth::session::purge(db.clone())
        });
        let (db, live) = (state.db.clone(), state.ingestor.live().clone());
        supervise("KPI history", move || {
            crate::live::history::run(db.clone(), live.clone())
        });
    }
    let snapshots = match (plan.snapshots, &state.config.snapshot_path) {
        (Some(every), Some(path)) => {
            let s = Snapshots::new(state.ingestor.clone(), path.into());
            let writer = s.clone();
            supervise("snapshots", move || writer.clone().run(every));
            Some(s)
        }
        _ => None,
    };
    if let Some(sim) = plan.simulator {
        // Not restarted: a second run would replay the day from its start.
        let sink = LocalSink(state.ingestor.clone());
        let performed = state.performed.subscribe();
        tokio::spawn(async move {
            if let Err(e) = drive(&sim, &sink, Some(performed)).await {
                tracing::error!(error = %e, "the simulator stopped");
            }
        });
    }
    if let Some(mut stop) = plan.stop {
        let hub = state.hub.clone();
        tokio::spawn(async move {
            let _ = stop.wait_for(|s| *s).await;
            hub.shut_down();
        });
    }
    Tasks { snapshots }
}

/// Folds the latency samples into their histograms while nobody scrapes, so they do not pile
/// up; ends with the server.
async fn metrics_upkeep(ingestor: std::sync::Weak<crate::ingest::Ingestor>) {
    let mut tick = tokio::time::interval(crate::ops::metrics::UPKEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let Some(ingestor) = ingestor.upgrade() else {
            return;
        };
        ingestor.metrics().upkeep();
    }
}

/// How long a task that panicked waits before it runs again.
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Runs `task` in the background until it returns; when it panics, logs it and starts a new
/// one after [`RESTART_AFTER`].
fn supervise<F, Fut>(name: &'static str, task: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(task()).await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    tracing::error!(task = name, "background task panicked; starting it again");
                    tokio::time::sleep(RESTART_AFTER).await;
                }
                Err(_) => return,
            }
        }
    });
}
