//! The live state the read API and the stream answer from: the KPI engine of `app`, fed every
//! applied event in log order by the ingest path (and rebuilt from the log at start).

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

    /// Applies events already durable and validated, in log order.
    pub fn apply(&self, events: &[Event]) -> Changed {
        let mut engine = self.engine.write().unwrap_or_else(|e| e.into_inner());
        engine.apply(events)
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
