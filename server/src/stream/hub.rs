//! The hub: turns applied events into deltas, keeps the most recent in a replay buffer and
//! fans them out to subscribers without ever waiting for one.
//!
//! Each subscriber has a bounded queue of frames (one frame per publish). Publishing uses
//! `try_send`: a subscriber whose queue is full is dropped and flagged, its queued frames are
//! freed at once, and its stream sends a fresh snapshot (`resync`) instead of the deltas it
//! could not take.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::rows::Rows;
use app::model::event::Event;
use app::model::ledger::Ledger;
use tokio::sync::watch;

use super::frame::Frame;
use super::queue::{self, Refused};
use super::{Delta, Scope, views};
use crate::ingest::projection::{Applied, Projection};
use crate::ops::metrics::StreamCounts;

/// Sizes of the hub's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSettings {
    /// Recent deltas kept for resuming clients.
    pub buffer: usize,
    /// Frames (publishes) queued per subscriber before it is resynced.
    pub client_buffer: usize,
}

/// Why a subscriber gets a snapshot in place of deltas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resync {
    /// Its queue was full.
    Overflow,
    /// It resumed from before the replay buffer (or from a sequence not reached yet).
    TooFarBehind,
}

/// A subscriber's end: the frames published after it subscribed.
pub struct Subscription {
    /// Frames in publish order.
    pub frames: queue::Receiver,
    /// Set when the hub dropped this subscriber because its queue was full.
    pub overflowed: Arc<AtomicBool>,
    /// Buffered deltas to send first (when resuming), in order, already scoped.
    pub replay: Vec<Arc<Delta>>,
}

struct Subscriber {
    scope: Scope,
    frames: queue::Sender,
    overflowed: Arc<AtomicBool>,
}

struct State {
    recent: VecDeque<Arc<Delta>>,
    /// Every delta with a sequence above this is in `recent`.
    floor: i64,
    last_seq: i64,
    subscribers: Vec<Subscriber>,
}

#[derive(Default)]
struct Counters {
    open: AtomicI64,
    deltas: AtomicU64,
    overflow: AtomicU64,
    too_far_behind: AtomicU64,
}

/// Open streams per caller (login or token name).
type CallerCounts = Arc<Mutex<HashMap<String, usize>>>;

/// Counts one open stream while alive, against the server's and its caller's limits.
pub struct OpenStream(Arc<Counters>, (CallerCounts, String));

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
        let (callers, caller) = &self.1;
        let mut callers = callers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = callers.get_mut(caller) {
            *n -= 1;
            if *n == 0 {
                callers.remove(caller);
            }
        }
    }
}

/// Why a stream may not open now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamLimit {
    /// The server holds as many streams as it allows.
    Server(usize),
    /// This person or token holds as many as one caller may.
    Caller(usize),
}

/// The fan-out of deltas to the live streams of one server.
pub struct Hub {
    settings: StreamSettings,
    state: Mutex<State>,
    counters: Arc<Counters>,
    shutdown: watch::Sender<bool>,
    /// Open streams per caller (login or token name).
    callers: CallerCounts,
    /// Moves when sessions, users or tokens change: open streams check their caller again.
    callers_changed: watch::Sender<u64>,
    /// What the Ongoing grid's rows show beyond the ledger; changed only under the writer's
    /// lock (as projections are called), read there too (snapshots), so it never disagrees
    /// with the ledger it is sent beside.
    rows: Mutex<Rows>,
}

impl Hub {
    /// An empty hub; register it with [`crate::ingest::Ingestor::add_projection`].
    pub fn new(settings: StreamSettings) -> Hub {
        Hub {
            settings,
            state: Mutex::new(State {
                recent: VecDeque::new(),
                floor: 0,
                last_seq: 0,
                subscribers: Vec::new(),
            }),
            counters: Arc::default(),
            shutdown: watch::Sender::new(false),
            callers: Arc::default(),
            callers_changed: watch::Sender::new(0),
            rows: Mutex::new(Rows::default()),
        }
    }

    /// The Ongoing grid's rows and extras (call under the writer's lock, as projections are
    /// called).
    pub fn board(&self) -> MutexGuard<'_, Rows> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes stored events into the board that came before the hub was attached (a start
    /// from a snapshot replays only what came after it), in log order, then writes every live
    /// conversation's row.
    pub fn backfill(&self, ledger: &Ledger, events: &[Event]) {
        let mut rows = self.board();
        for e in events {
            rows.note(e);
        }
        rows.rebuild(ledger);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes deltas (in non-decreasing `seq`, not below earlier ones) to every subscriber
    /// that may see one of them. Never waits. Deltas sharing a sequence should be published
    /// together: a stream marks only the last of them with the id.
    pub fn publish(&self, deltas: Vec<Delta>) {
        self.publish_at(deltas, i64::MIN);
    }

    /// [`Self::publish`], and the log reached sequence `reached` (with or without deltas).
    fn publish_at(&self, deltas: Vec<Delta>, reached: i64) {
        let mut state = self.state();
        state.last_seq = state.last_seq.max(reached);
        if deltas.is_empty() {
            return;
        }
        let frame = Arc::new(Frame::new(deltas));
        self.counters
            .deltas
            .fetch_add(frame.len() as u64, Ordering::Relaxed);
        for delta in frame.iter() {
            state.last_seq = state.last_seq.max(delta.seq);
            state.recent.push_back(delta.clone());
        }
        while state.recent.len() > self.settings.buffer {
            if let Some(old) = state.recent.pop_front() {
                state.floor = old.seq;
            }
        }
        self.fan_out(&mut state, &frame);
    }

    /// Sends a frame to every subscriber that may see part of it, never waiting: a full queue
    /// drops that subscriber (flagged for a resync), a closed one is forgotten.
    fn fan_out(&self, state: &mut State, frame: &Arc<Frame>) {
        let counters = &self.counters;
        state.subscribers.retain(|s| {
            if !frame.iter().any(|d| d.visible_to(&s.scope)) {
                return !s.frames.is_closed();
            }
            match s.frames.try_send(frame.clone()) {
                Ok(()) => true,
                Err(Refused::Full) => {
                    s.overflowed.store(true, Ordering::Release);
                    counters.overflow.fetch_add(1, Ordering::Relaxed);
                    false
                }
                Err(Refused::Gone) => false,
            }
        });
    }

    /// Sends state deltas (KPI tiles, alerts) to the subscribers that may see them, without
    /// keeping them for resumes: each is the whole current value, and the next one follows
    /// within a second. Never waits.
    pub fn publish_transient(&self, deltas: Vec<Delta>) {
        if deltas.is_empty() {
            return;
        }
        let frame = Arc::new(Frame::new(deltas));
        self.counters
            .deltas
            .fetch_add(frame.len() as u64, Ordering::Relaxed);
        let mut state = self.state();
        self.fan_out(&mut state, &frame);
    }

    /// The distinct scopes of the current subscribers.
    pub fn scopes(&self) -> Vec<Scope> {
        let state = self.state();
        let mut scopes: Vec<Scope> = Vec::new();
        for s in state.subscribers.iter().filter(|s| !s.frames.is_closed()) {
            if !scopes.contains(&s.scope) {
                scopes.push(s.scope.clone());
            }
        }
        scopes
    }

    /// Subscribes to every frame published from now on. For a consistent snapshot, call it
    /// under the ingest writer's lock (see [`crate::ingest::Ingestor::with_ledger_at`]).
    pub fn subscribe(&self, scope: Scope) -> Subscription {
        let mut state = self.state();
        self.add(&mut state, scope, Vec::new())
    }

    /// Subscribes and returns the buffered deltas after `after` in scope, or `None` when
    /// `after` is older than the buffer or beyond the newest sequence (then send a snapshot).
    pub fn resume(&self, after: i64, scope: Scope) -> Option<Subscription> {
        let mut state = self.state();
        if after < state.floor || after > state.last_seq {
            self.counters.too_far_behind.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let replay = state
            .recent
            .iter()
            .filter(|d| d.seq > after && d.visible_to(&scope))
            .cloned()
            .collect();
        Some(self.add(&mut state, scope, replay))
    }

    fn add(&self, state: &mut State, scope: Scope, replay: Vec<Arc<Delta>>) -> Subscription {
        let (tx, rx) = queue::queue(self.settings.client_buffer);
        let overflowed = Arc::new(AtomicBool::new(false));
        state.subscribers.push(Subscriber {
            scope,
            frames: tx,
            overflowed: overflowed.clone(),
        });
        Subscription {
            frames: rx,
            overflowed,
            replay,
        }
    }

    /// Opens a stream of `caller` if the server holds fewer than `max` and the caller fewer
    /// than `per_caller`; it counts until the returned guard drops.
    pub fn try_open(
        &self,
        caller: &str,
        max: usize,
        per_caller: usize,
    ) -> Result<OpenStream, StreamLimit> {
        let mut callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        if self.counters.open.load(Ordering::Relaxed) >= max as i64 {
            return Err(StreamLimit::Server(max));
        }
        let n = callers.entry(caller.to_owned()).or_default();
        if *n >= per_caller {
            return Err(StreamLimit::Caller(per_caller));
        }
        *n += 1;
        self.counters.open.fetch_add(1, Ordering::Relaxed);
        Ok(OpenStream(
            self.counters.clone(),
            (self.callers.clone(), caller.to_owned()),
        ))
    }

    /// Sessions, users, their queues or tokens changed: every open stream checks its caller
    /// again now (they also do every few seconds, for changes made by another replica).
    pub fn callers_changed(&self) {
        self.callers_changed.send_modify(|n| *n += 1);
    }

    /// Moves on [`Hub::callers_changed`].
    pub fn callers_signal(&self) -> watch::Receiver<u64> {
        self.callers_changed.subscribe()
    }

    /// Ends every stream (each gets a final `shutdown` event); new streams end at once.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Becomes `true` when the server shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// The numbers `/metrics` shows.
    pub fn counts(&self) -> StreamCounts {
        StreamCounts {
            subscribers: self.counters.open.load(Ordering::Relaxed),
            deltas: self.counters.deltas.load(Ordering::Relaxed),
            resyncs_overflow: self.counters.overflow.load(Ordering::Relaxed),
            resyncs_too_far_behind: self.counters.too_far_behind.load(Ordering::Relaxed),
        }
    }
}

impl Projection for Hub {
    fn apply(&self, applied: Applied<'_>) {
        let deltas = {
            let mut rows = self.board();
            for e in applied.events {
                rows.note(e);
            }
            views::deltas(applied, &mut rows)
        };
        self.publish_at(deltas, applied.last_seq);
    }

    fn attached(&self, ledger: &Ledger, last_seq: i64) {
        {
            let mut rows = self.board();
            rows.rebuild(ledger);
            rows.read_closed_today(ledger);
        }
        let mut state = self.state();
        state.floor = state.floor.max(last_seq);
        state.last_seq = state.last_seq.max(last_seq);
    }
}
