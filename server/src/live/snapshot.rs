//! Snapshots of the live state: the ledger and the KPI engine as of one log sequence, in one
//! file, so that a restart reads the file and replays only the log's tail after it.
//!
//! The file: a magic line, then three length-prefixed postcard sections — a [`Header`], the
//! ledger, the engine — then the SHA-256 of all that. It is written to `PATH.tmp`, synced and
//! renamed over `PATH`, so a crash mid-write leaves the previous snapshot; the digest catches
//! what the lengths cannot (a byte changed on disk would decode into a wrong state). A
//! snapshot is read only when it was written by a build with the same state types
//! ([`FINGERPRINT`]) and its log sequence still holds the same event in this database;
//! anything else is logged and the state is rebuilt from the log.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use app::kpi::Engine;
use app::model::ledger::Ledger;
use app::model::snapshot::{FINGERPRINT, sharing};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ingest::Ingestor;
use crate::store;

/// The format's name and version: a file of an older format is "not a snapshot" and the state
/// is rebuilt from the log. Version 1 had no digest.
const MAGIC: &[u8] = b"intraday live-state snapshot 2\n";

/// The digest's length at the end of the file.
const DIGEST_BYTES: usize = 32;

/// What a snapshot says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The build's [`FINGERPRINT`].
    pub fingerprint: String,
    /// The event log's identity ([`log_id`]): a snapshot of another database is not read.
    pub log_id: String,
    /// The last log sequence applied.
    pub seq: i64,
    /// The event id stored at `seq`: a snapshot of this log taken after the point a backup
    /// was restored to is not read.
    pub event_id: String,
    /// When it was written (ms).
    pub written_at_ms: i64,
}

/// A snapshot written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Its log sequence.
    pub seq: i64,
    /// When it was written (ms since the epoch, as its header says).
    pub written_at_ms: i64,
    /// The file's size.
    pub bytes: u64,
    /// How long ingest waited for it (encoding; the sync comes after).
    pub ingest_waited: Duration,
}

/// A snapshot read back.
pub struct Restored {
    /// What it says about itself.
    pub header: Header,
    /// The ledger as of `header.seq`.
    pub ledger: Ledger,
    /// The engine as of `header.seq`.
    pub engine: Engine,
}

/// Why a snapshot could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file could not be written.
    #[error("cannot write the snapshot {path}: {source}")]
    Io {
        /// The snapshot's path.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The writing task failed.
    #[error("the snapshot task failed: {0}")]
    Task(String),
    /// The database could not be read.
    #[error("cannot read the log position: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// A snapshot written to `PATH.tmp`, not yet synced nor in place.
pub struct Unsynced {
    file: File,
    tmp: PathBuf,
    path: PathBuf,
}

impl Unsynced {
    /// Appends the digest, syncs the file and renames it over `PATH`. Returns its size. The
    /// digest is taken here, by reading the file back from the page cache, because here the
    /// state no longer has to hold still.
    pub fn commit(mut self) -> Result<u64, WriteError> {
        let io = |source| WriteError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut digest = Sha256::new();
        std::io::copy(
            &mut BufReader::with_capacity(1 << 20, &self.file),
            &mut digest,
        )
        .map_err(io)?;
        self.file.seek(SeekFrom::End(0)).map_err(io)?;
        self.file.write_all(&digest.finalize()).map_err(io)?;
        self.file.sync_all().map_err(io)?;
        let size = self.file.metadata().map_err(io)?.len();
        std::fs::rename(&self.tmp, &self.path).map_err(io)?;
        Ok(size)
    }
}

/// Writes `ledger` and `engine` as of `header.seq` to `PATH.tmp` (the part that needs the
/// state to hold still); [`Unsynced::commit`] then puts it in place.
pub fn write(
    path: &Path,
    header: &Header,
    ledger: &Ledger,
    engine: &Engine,
) -> Result<Unsynced, WriteError> {
    let tmp = tmp_path(path);
    let io = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(io)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC).map_err(io)?;
    section(&mut out, header).map_err(io)?;
    section(&mut out, ledger).map_err(io)?;
    section(&mut out, engine).map_err(io)?;
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    Ok(Unsynced {
        file,
        tmp,
        path: path.to_owned(),
    })
}

/// Writes one section: its length (8 bytes, little-endian; filled in once known), then its
/// postcard bytes.
fn section<W: Write + Seek, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    let at = out.stream_position()?;
    out.write_all(&[0; 8])?;
    postcard::to_io(value, &mut *out).map_err(std::io::Error::other)?;
    let end = out.stream_position()?;
    out.seek(SeekFrom::Start(at))?;
    out.write_all(&(end - at - 8).to_le_bytes())?;
    out.seek(SeekFrom::Start(end))?;
    Ok(())
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".tmp");
    PathBuf::from(p)
}

/// Reads one section's bytes; `max` bounds its length (the file's size: a damaged length must
/// not ask for an impossible allocation).
fn read_section(input: &mut impl Read, buf: &mut Vec<u8>, max: u64) -> Result<(), String> {
    let mut len = [0u8; 8];
    input
        .read_exact(&mut len)
        .map_err(|e| format!("truncated: {e}"))?;
    let len = u64::from_le_bytes(len);
    if len > max {
        return Err(format!(
            "damaged: a section of {len} bytes in a file of {max}"
        ));
    }
    // Exactly its size: grown by doubling, the buffers left behind would stay resident.
    *buf = Vec::with_capacity(usize::try_from(len).map_err(|_| "a section too large")?);
    let read = input
        .take(len)
        .read_to_end(buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    if read as u64 != len {
        return Err(format!("truncated: a section of {len} bytes has {read}"));
    }
    Ok(())
}

/// Reads the header only (quick: the file's first bytes).
pub fn read_header(path: &Path) -> Result<Header, String> {
    let (mut input, size) = open(path)?;
    header(&mut input, &mut Vec::new(), size)
}

/// The file, buffered, and its size.
fn open(path: &Path) -> Result<(BufReader<File>, u64), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    Ok((BufReader::with_capacity(1 << 20, file), size))
}

fn header(input: &mut impl Read, buf: &mut Vec<u8>, size: u64) -> Result<Header, String> {
    let mut magic = vec![0u8; MAGIC.len()];
    input
        .read_exact(&mut magic)
        .map_err(|_| "not a snapshot (too short)".to_owned())?;
    if magic != MAGIC {
        return Err("not a snapshot".to_owned());
    }
    read_section(input, buf, size)?;
    postcard::from_bytes(buf).map_err(|e| format!("unreadable header: {e}"))
}

/// Reads the snapshot at `path` if it fits this build and `db`'s log; `None` (with the reason
/// logged) when there is none or it does not fit. Decoding runs on a blocking thread.
pub async fn read(path: &Path, db: &impl ConnectionTrait) -> Option<Restored> {
    if !path.exists() {
        tracing::info!(path = %path.display(), "no snapshot yet: rebuilding from the log");
        return None;
    }
    let started = Instant::now();
    let header = match read_header(path) {
        Ok(h) => h,
        Err(reason) => {
            tracing::warn!(path = %path.display(), reason, "snapshot not read");
            return None;
        }
    };
    if header.fingerprint != FINGERPRINT {
        tracing::info!(path = %path.display(), "snapshot written by another build: rebuilding from the log");
        return None;
    }
    let log = log_id(db).await;
    match store::events::event_id_at(db, header.seq).await {
        Ok(Some(id))
            if id == header.event_id && log.as_ref().is_ok_and(|l| *l == header.log_id) => {}
        Ok(_) => {
            tracing::warn!(path = %path.display(), seq = header.seq,
                "snapshot does not match this event log (another database, or a restored backup): rebuilding from the log");
            return None;
        }
        Err(error) => {
            tracing::warn!(%error, "cannot check the snapshot against the log");
            return None;
        }
    }
    let owned = path.to_owned();
    let decoded = tokio::task::spawn_blocking(move || decode(&owned)).await;
    match decoded {
        Ok(Ok(restored)) => {
            tracing::info!(path = %path.display(), seq = restored.header.seq,
                elapsed_ms = started.elapsed().as_millis() as u64, "live state read from the snapshot");
            Some(restored)
        }
        Ok(Err(reason)) => {
            tracing::warn!(path = %path.display(), reason, "snapshot not read: rebuilding from the log");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "reading the snapshot failed: rebuilding from the log");
            None
        }
    }
}

/// The settings key of the log's identity.
const LOG_ID: &str = "snapshot.log_id";

/// The event log's identity: random, made the first time it is asked for and kept in the
/// database (a backup carries it along).
pub async fn log_id(db: &impl ConnectionTrait) -> Result<String, sea_orm::DbErr> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let json = serde_json::to_string(&fresh).unwrap_or_default();
    let stored = store::settings::get_or_init(db, LOG_ID, &json).await?;
    Ok(serde_json::from_str(&stored).unwrap_or(stored))
}

/// A reader that hashes what it reads.
struct Digesting<R> {
    inner: R,
    digest: Sha256,
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
}

/// Decodes the whole file (strings shared again, see [`sharing`]) once its digest matches.
pub fn decode(path: &Path) -> Result<Restored, String> {
    let (input, size) = open(path)?;
    let mut input = Digesting {
        inner: input,
        digest: Sha256::new(),
    };
    let header = header(&mut input, &mut Vec::new(), size)?;
    let (mut ledger_bytes, mut engine_bytes) = (Vec::new(), Vec::new());
    read_section(&mut input, &mut ledger_bytes, size)?;
    read_section(&mut input, &mut engine_bytes, size)?;
    let mut stored = [0u8; DIGEST_BYTES];
    input
        .inner
        .read_exact(&mut stored)
        .map_err(|e| format!("truncated: no digest ({e})"))?;
    if input.digest.finalize()[..] != stored[..] {
        return Err("damaged: the digest does not match the contents".to_owned());
    }
    // The ledger and the engine share no strings: each is read on its own core.
    let (ledger, engine) = std::thread::scope(|scope| {
        let ledger = scope.spawn(|| {
            let ledger = sharing(|| postcard::from_bytes::<Ledger>(&ledger_bytes));
            crate::release_freed_memory();
            ledger
        });
        let engine = sharing(|| postcard::from_bytes::<Engine>(&engine_bytes));
        (ledger.join(), engine)
    });
    let ledger = ledger
        .map_err(|_| "reading the ledger panicked".to_owned())?
        .map_err(|e| format!("unreadable ledger: {e}"))?;
    let engine = engine.map_err(|e| format!("unreadable engine: {e}"))?;
    // The sections' bytes, and the vectors and tables outgrown while filling them: ~250 MB
    // for a million conversations that would otherwise stay resident.
    drop((ledger_bytes, engine_bytes));
    crate::release_freed_memory();
    Ok(Restored {
        header,
        ledger,
        engine,
    })
}

/// Keeps the snapshot of one server's live state: after start-up, every few minutes while the
/// log moves, and at shutdown.
pub struct Snapshots {
    ingestor: Arc<Ingestor>,
    path: PathBuf,
    /// The log sequence of the newest snapshot at `path`.
    last: AtomicI64,
    /// One write at a time.
    writing: tokio::sync::Mutex<()>,
}

impl Snapshots {
    /// Snapshots of `ingestor`'s state at `path`.
    pub fn new(ingestor: Arc<Ingestor>, path: PathBuf) -> Arc<Snapshots> {
        // The one already on disk, for the metrics until the next is written.
        if let Ok(h) = read_header(&path) {
            let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
            ingestor.metrics().snapshot(
                h.seq,
                h.written_at_ms,
                bytes,
                Duration::ZERO,
                Duration::ZERO,
            );
        }
        Arc::new(Snapshots {
            last: AtomicI64::new(ingestor.restored_seq()),
            ingestor,
            path,
            writing: tokio::sync::Mutex::new(()),
        })
    }

    /// Writes a snapshot if the log moved since the last one; failures are logged (the log
    /// stays the record: a missing snapshot only makes the next start slower).
    pub async fn write(&self) -> Option<Written> {
        let _one = self.writing.lock().await;
        let after = self.last.load(Ordering::Acquire);
        let started = std::time::Instant::now();
        match self.ingestor.write_snapshot(&self.path, after).await {
            Ok(Some(written)) => {
                self.last.store(written.seq, Ordering::Release);
                self.ingestor.metrics().snapshot(
                    written.seq,
                    written.written_at_ms,
                    written.bytes,
                    started.elapsed(),
                    written.ingest_waited,
                );
                Some(written)
            }
            Ok(None) => None,
            Err(error) => {
                tracing::error!(%error, "no snapshot written");
                None
            }
        }
    }

    /// Writes one now (when the start-up replayed events) and then every `every` (none: only
    /// this one).
    pub async fn run(self: Arc<Self>, every: Option<Duration>) {
        self.write().await;
        let Some(every) = every else {
            return;
        };
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            self.write().await;
        }
    }
}
