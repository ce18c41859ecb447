//! The live state the read API and the stream answer from: the KPI engine of `app`, fed every
//! applied event in log order by the ingest path (and rebuilt from the log at start).

pub mod history;
pub mod replica;
pub mod snapshot;
pub mod thresholds;

use std::sync::RwLock;

use app::kpi::Engine;
use app::kpi::engine::Changed;
use app::model::event::Event;

/// The engine behind a lock: one writer (the ingest path), many readers.
#[derive(Default)]
pub struct Live {
    engine: RwLock<Engine>,
}

impl Live {
    /// An empty live state.
    pub fn new() -> Live {
        Live::default()
    }

    /// A live state read back from a snapshot; the log's tail after it goes in through
    /// [`Live::loader`] as a cold rebuild's pages do.
    pub fn restored(engine: Engine) -> Live {
        Live {
            engine: RwLock::new(engine),
        }
    }

    /// Applies events already durable and validated, in log order.
    pub fn apply(&self, events: &[Event]) -> Changed {
        let mut engine = self.engine.write().unwrap_or_else(|e| e.into_inner());
        engine.apply(events)
    }

    /// Takes the start-up replay's pages on a thread of its own, in the order sent, while the
    /// ingest path parses and validates the next ones: the engine and the ledger are
    /// independent projections of the log, so a cold start uses both cores. Dropping the
    /// sender ends the thread; join it before [`Live::settle`].
    pub fn loader(
        self: &std::sync::Arc<Self>,
    ) -> std::io::Result<(
        std::sync::mpsc::SyncSender<Vec<Event>>,
        std::thread::JoinHandle<()>,
    )> {
        // Two pages in flight: enough to keep both threads busy, little memory held.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Event>>(2);
        let live = self.clone();
        let thread = std::thread::Builder::new()
            .name("engine-load".into())
            .spawn(move || {
                for events in rx {
                    let mut engine = live.engine.write().unwrap_or_else(|e| e.into_inner());
                    engine.load(&events);
                    drop(engine);
                    // The page is freed here too, off the ingest path's thread.
                    drop(events);
                }
            })?;
        Ok((tx, thread))
    }

    /// Ends the start-up replay: derives what the loaded pages touched.
    pub fn settle(&self) {
        let mut engine = self.engine.write().unwrap_or_else(|e| e.into_inner());
        engine.settle();
    }

    /// Forgets what is older than `before` (ms); see [`Engine::prune`].
    pub fn prune(&self, before: i64) -> usize {
        let mut engine = self.engine.write().unwrap_or_else(|e| e.into_inner());
        engine.prune(before)
    }

    /// Reads the engine.
    pub fn read<R>(&self, f: impl FnOnce(&Engine) -> R) -> R {
        let engine = self.engine.read().unwrap_or_else(|e| e.into_inner());
        f(&engine)
    }
}

impl app::server_fns::LiveSource for Live {
    fn with_engine(&self, f: &mut dyn FnMut(&Engine)) {
        self.read(|e| f(e));
    }
}

impl crate::ingest::projection::Projection for Live {
    fn apply(&self, applied: crate::ingest::projection::Applied<'_>) {
        Live::apply(self, applied.events);
    }
}
