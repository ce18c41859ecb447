//! One subscriber's queue of frames, which the hub empties the moment the subscriber falls
//! behind. A channel would not do: its receiver keeps every queued frame until the client
//! reads again or leaves, so a client that stopped reading (a laptop asleep with its
//! connection open) would pin a full queue of frames — each with its rendered text per scope,
//! about 200 MB at 500 events/s — for as long as its connection stays.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::frame::Frame;

struct Shared {
    frames: Mutex<VecDeque<Arc<Frame>>>,
    notify: Notify,
    /// The hub let go of this queue: nothing more will come.
    closed: AtomicBool,
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue was full: it is emptied, and the subscriber must resync.
    Full,
    /// The subscriber is gone.
    Gone,
}

/// The hub's end.
pub struct Sender {
    shared: Arc<Shared>,
    capacity: usize,
}

/// The stream's end.
pub struct Receiver {
    shared: Arc<Shared>,
}

/// The queue was empty.
#[derive(Debug, PartialEq, Eq)]
pub struct Empty;

/// A queue of at most `capacity` frames.
pub fn queue(capacity: usize) -> (Sender, Receiver) {
    let shared = Arc::new(Shared {
        frames: Mutex::new(VecDeque::new()),
        notify: Notify::new(),
        closed: AtomicBool::new(false),
    });
    (
        Sender {
            shared: shared.clone(),
            capacity: capacity.max(1),
        },
        Receiver { shared },
    )
}

impl Sender {
    /// Queues a frame without waiting; a full queue is emptied (its frames freed now).
    pub fn try_send(&self, frame: Arc<Frame>) -> Result<(), Refused> {
        if self.is_closed() {
            return Err(Refused::Gone);
        }
        {
            let mut frames = self
                .shared
                .frames
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if frames.len() >= self.capacity {
                frames.clear();
                return Err(Refused::Full);
            }
            frames.push_back(frame);
        }
        self.shared.notify.notify_one();
        Ok(())
    }

    /// The stream is gone.
    pub fn is_closed(&self) -> bool {
        Arc::strong_count(&self.shared) == 1
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.notify.notify_one();
    }
}

impl Receiver {
    /// The next frame, or `None` once the hub let go and the queue is empty.
    pub async fn recv(&mut self) -> Option<Arc<Frame>> {
        loop {
            if let Ok(frame) = self.try_recv() {
                return Some(frame);
            }
            if self.shared.closed.load(Ordering::Acquire) {
                return None;
            }
            // A frame queued since the check above left a permit: this returns at once.
            self.shared.notify.notified().await;
        }
    }

    /// The next frame if one is queued.
    pub fn try_recv(&mut self) -> Result<Arc<Frame>, Empty> {
        self.shared
            .frames
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
            .ok_or(Empty)
    }
}
