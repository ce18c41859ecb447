//! Replaying stored events into the ledger and the projections: the start-up rebuild, and the
//! catch-up with events other replicas appended to a shared PostgreSQL log.

use std::sync::Arc;

use app::model::event::{Event, parse_stored};
use app::model::ledger::Ledger;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr};

use super::projection::{Applied, Projection};
use crate::store;

/// Events read from the log per round trip while replaying.
const PAGE: u64 = 10_000;

/// What the writer's lock guards: the ledger, how far into the log it is, and its observers.
pub(super) struct Writer {
    /// The live state.
    pub ledger: Ledger,
    /// The highest log sequence applied (or skipped as unreadable).
    pub applied_seq: i64,
    /// Observers of every applied event.
    pub projections: Vec<Arc<dyn Projection>>,
    /// During the start-up replay: where each applied page goes after the projections (the
    /// live engine's loading thread, [`crate::live::Live::loader`]).
    pub loader: Option<std::sync::mpsc::SyncSender<Vec<Event>>>,
}

impl Writer {
    /// An empty ledger at the start of the log.
    pub fn new(projections: Vec<Arc<dyn Projection>>) -> Writer {
        Writer {
            ledger: Ledger::new(),
            applied_seq: 0,
            projections,
            loader: None,
        }
    }

    /// Tells every projection about events just applied.
    pub fn project(&self, events: &[Event], seqs: &[i64]) {
        if self.projections.is_empty() {
            return;
        }
        let applied = Applied {
            ledger: &self.ledger,
            events,
            seqs,
            last_seq: self.applied_seq,
        };
        for p in &self.projections {
            p.apply(applied);
        }
    }

    /// Applies stored rows (in log order) as one batch; a page the ledger refuses as a whole
    /// (it was accepted over several batches) is applied event by event. Returns how many
    /// events applied.
    fn apply_rows(&mut self, rows: &[(i64, String)]) -> usize {
        let Some(&(last, _)) = rows.last() else {
            return 0;
        };
        let mut events = Vec::with_capacity(rows.len());
        let mut seqs = Vec::with_capacity(rows.len());
        for (seq, payload) in rows {
            match parse_stored(payload).map_err(|e| format!("{e:?}")) {
                Ok(event) => {
                    events.push(event);
                    seqs.push(*seq);
                }
                Err(error) => {
                    tracing::warn!(seq, %error, "skipping an unreadable stored event")
                }
            }
        }
        // Stored events were accepted once; another replica's clock may run a little ahead.
        let now = events.iter().map(|e| e.at).fold(Utc::now(), Ord::max);
        if self.ledger.apply(&events, now).is_err() {
            let (mut kept, mut kept_seqs) = (Vec::new(), Vec::new());
            for (event, seq) in events.into_iter().zip(seqs) {
                match self.ledger.apply(std::slice::from_ref(&event), now) {
                    Ok(()) => {
                        kept.push(event);
                        kept_seqs.push(seq);
                    }
                    Err(errors) => {
                        tracing::warn!(id = %event.id, ?errors, "a stored event no longer applies; skipped")
                    }
                }
            }
            (events, seqs) = (kept, kept_seqs);
        }
        self.applied_seq = self.applied_seq.max(last);
        self.project(&events, &seqs);
        let applied = events.len();
        if let Some(loader) = &self.loader
            && loader.send(events).is_err()
        {
            tracing::error!("the engine's loading thread ended early");
        }
        applied
    }

    /// Applies every stored event after [`Self::applied_seq`] (up to `until`, when given).
    /// Returns how many events applied.
    pub async fn replay<C: ConnectionTrait>(
        &mut self,
        db: &C,
        until: Option<i64>,
    ) -> Result<usize, DbErr> {
        let mut total = 0;
        let mut page = store::events::read_payloads_after(db, self.applied_seq, PAGE).await?;
        loop {
            let read = page.len();
            if let Some(until) = until {
                page.retain(|&(seq, _)| seq <= until);
            }
            let Some(&(last, _)) = page.last() else {
                return Ok(total);
            };
            if read as u64 != PAGE || page.len() < read {
                return Ok(total + self.apply_rows(&page));
            }
            // The next page is read (on the database driver's thread, or by the server) while
            // this one is applied, rather than after it.
            let next = store::events::read_payloads_after(db, last, PAGE);
            let (next, applied) = tokio::join!(next, async { self.apply_rows(&page) });
            total += applied;
            page = next?;
        }
    }
}

/// Replays the whole log into a new ledger.
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<Ledger, DbErr> {
    let mut writer = Writer::new(Vec::new());
    writer.replay(db, None).await?;
    Ok(writer.ledger)
}
