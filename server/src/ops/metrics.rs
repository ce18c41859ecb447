//! Prometheus metrics of one server, kept in atomics (no global recorder, so every server in a
//! test process counts only its own traffic) and rendered in the text exposition format.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Why the ingest API refused a request before looking at its events' contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 400.
    Unparsable,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 413.
    TooLarge,
    /// 415.
    UnsupportedMediaType,
    /// 422.
    Invalid,
    /// 429.
    RateLimited,
    /// 503.
    Storage,
}

const REFUSALS: [(Refusal, &str); 8] = [
    (Refusal::Unparsable, "unparsable"),
    (Refusal::Unauthorized, "unauthorized"),
    (Refusal::Forbidden, "forbidden"),
    (Refusal::TooLarge, "too_large"),
    (Refusal::UnsupportedMediaType, "unsupported_media_type"),
    (Refusal::Invalid, "invalid"),
    (Refusal::RateLimited, "rate_limited"),
    (Refusal::Storage, "storage"),
];

/// Upper bounds of the batch latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// A latency histogram with the same buckets as the batch one.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    micros: AtomicU64,
}

impl Histogram {
    /// Records one duration.
    pub fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Appends the series in the text format.
    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, n) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// The counters of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Time to answer a KPI question from the live engine (read API, pages, stream tiles).
    pub kpi_query: Histogram,
    /// Time to answer a server function (the pages' data and actions).
    pub server_fn: Histogram,
    accepted: AtomicU64,
    duplicates: AtomicU64,
    invalid_events: AtomicU64,
    refused: [AtomicU64; REFUSALS.len()],
    batch_buckets: [AtomicU64; BUCKETS.len()],
    batch_count: AtomicU64,
    batch_micros: AtomicU64,
    log_sequence: AtomicI64,
    applied_sequence: AtomicI64,
    /// The newest snapshot on disk: its log sequence, when it was written (ms since the epoch),
    /// its size, and how long the write took and made ingest wait (µs).
    snapshot_seq: AtomicI64,
    snapshot_written_ms: AtomicI64,
    snapshot_bytes: AtomicU64,
    snapshot_write_micros: AtomicU64,
    snapshot_wait_micros: AtomicU64,
}

/// Sizes read at scrape time from the live state and the pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// Conversations not closed.
    pub live_conversations: usize,
    /// Agents known.
    pub agents: usize,
    /// Agents not offline.
    pub agents_logged_in: usize,
    /// Database connections open.
    pub pool_size: u32,
    /// Of those, idle.
    pub pool_idle: usize,
    /// The live stream's counters.
    pub stream: StreamCounts,
}

/// The live stream's numbers, read at scrape time from its hub.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamCounts {
    /// Streams open now.
    pub subscribers: i64,
    /// Deltas published.
    pub deltas: u64,
    /// Snapshots sent instead of deltas a client's buffer had no room for.
    pub resyncs_overflow: u64,
    /// Snapshots sent because a resuming client was behind the replay buffer (or ahead of it).
    pub resyncs_too_far_behind: u64,
}

impl Metrics {
    /// A committed batch: how many events were new, how many duplicates, how long it took,
    /// and the log sequence it reached.
    pub fn batch_committed(
        &self,
        accepted: usize,
        duplicates: usize,
        took: Duration,
        sequence: i64,
    ) {
        self.accepted.fetch_add(accepted as u64, Ordering::Relaxed);
        self.duplicates
            .fetch_add(duplicates as u64, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.batch_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.batch_count.fetch_add(1, Ordering::Relaxed);
        self.batch_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        self.log_sequence.fetch_max(sequence, Ordering::Relaxed);
    }

    /// The ledger reached this log sequence (own batches and other replicas' alike).
    pub fn applied(&self, sequence: i64) {
        self.applied_sequence.fetch_max(sequence, Ordering::Relaxed);
    }

    /// The newest snapshot on disk: found at start (`took` and `waited` zero) or just written.
    pub fn snapshot(
        &self,
        seq: i64,
        written_at_ms: i64,
        bytes: u64,
        took: Duration,
        waited: Duration,
    ) {
        self.snapshot_seq.store(seq, Ordering::Relaxed);
        self.snapshot_written_ms
            .store(written_at_ms, Ordering::Relaxed);
        self.snapshot_bytes.store(bytes, Ordering::Relaxed);
        self.snapshot_write_micros
            .store(took.as_micros() as u64, Ordering::Relaxed);
        self.snapshot_wait_micros
            .store(waited.as_micros() as u64, Ordering::Relaxed);
    }

    /// The highest log sequence applied to the ledger.
    pub fn applied_seq(&self) -> i64 {
        self.applied_sequence.load(Ordering::Relaxed)
    }

    /// A refused request; `invalid_events` is how many of its events were invalid (422).
    pub fn refused(&self, reason: Refusal, invalid_events: usize) {
        if let Some(i) = REFUSALS.iter().position(|(r, _)| *r == reason) {
            self.refused[i].fetch_add(1, Ordering::Relaxed);
        }
        self.invalid_events
            .fetch_add(invalid_events as u64, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self, gauges: Gauges) -> String {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        family(
            "intraday_ingest_events_total",
            "counter",
            "Events received by the ingest path, by result.",
        );
        let _ = writeln!(
            out,
            "intraday_ingest_events_total{{result=\"accepted\"}} {}",
            get(&self.accepted)
        );
        let _ = writeln!(
            out,
            "intraday_ingest_events_total{{result=\"duplicate\"}} {}",
            get(&self.duplicates)
        );
        let _ = writeln!(
            out,
            "intraday_ingest_events_total{{result=\"invalid\"}} {}",
            get(&self.invalid_events)
        );
        let _ = writeln!(
            out,
            "# HELP intraday_ingest_refused_total Ingest requests refused, by reason.\n# TYPE intraday_ingest_refused_total counter"
        );
        for ((_, reason), n) in REFUSALS.iter().zip(&self.refused) {
            let _ = writeln!(
                out,
                "intraday_ingest_refused_total{{reason=\"{reason}\"}} {}",
                get(n)
            );
        }
        let _ = writeln!(
            out,
            "# HELP intraday_ingest_batch_seconds Time from receiving a valid batch to its commit.\n# TYPE intraday_ingest_batch_seconds histogram"
        );
        for (bound, n) in BUCKETS.iter().zip(&self.batch_buckets) {
            let _ = writeln!(
                out,
                "intraday_ingest_batch_seconds_bucket{{le=\"{bound}\"}} {}",
                get(n)
            );
        }
        let count = get(&self.batch_count);
        let _ = writeln!(
            out,
            "intraday_ingest_batch_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "intraday_ingest_batch_seconds_sum {}",
            get(&self.batch_micros) as f64 / 1e6
        );
        let _ = writeln!(out, "intraday_ingest_batch_seconds_count {count}");
        let gauges_list: [(&str, &str, String); 13] = [
            (
                "intraday_log_sequence",
                "Highest event log sequence committed by this server.",
                self.log_sequence.load(Ordering::Relaxed).to_string(),
            ),
            (
                "intraday_log_applied_seq",
                "Highest event log sequence applied to this server's live state (all replicas' events).",
                self.applied_seq().to_string(),
            ),
            (
                "intraday_snapshot_sequence",
                "Log sequence of the newest snapshot of the live state on disk (0: none).",
                self.snapshot_seq.load(Ordering::Relaxed).to_string(),
            ),
            (
                "intraday_snapshot_timestamp_seconds",
                "When the newest snapshot was written, in seconds since the Unix epoch (0: none); its age is time() minus this.",
                (self.snapshot_written_ms.load(Ordering::Relaxed) as f64 / 1e3).to_string(),
            ),
            (
                "intraday_snapshot_bytes",
                "Size of the newest snapshot.",
                get(&self.snapshot_bytes).to_string(),
            ),
            (
                "intraday_snapshot_write_seconds",
                "How long the last snapshot written by this process took, sync included.",
                (get(&self.snapshot_write_micros) as f64 / 1e6).to_string(),
            ),
            (
                "intraday_snapshot_ingest_wait_seconds",
                "How long ingest waited for the last snapshot written by this process.",
                (get(&self.snapshot_wait_micros) as f64 / 1e6).to_string(),
            ),
            (
                "intraday_stream_subscribers",
                "Live streams (SSE) open on this server.",
                gauges.stream.subscribers.to_string(),
            ),
            (
                "intraday_live_conversations",
                "Conversations not closed, in the live state.",
                gauges.live_conversations.to_string(),
            ),
            (
                "intraday_agents",
                "Agents in the live state.",
                gauges.agents.to_string(),
            ),
            (
                "intraday_agents_logged_in",
                "Agents whose presence is not offline.",
                gauges.agents_logged_in.to_string(),
            ),
            (
                "intraday_db_pool_connections",
                "Open database connections.",
                gauges.pool_size.to_string(),
            ),
            (
                "intraday_db_pool_idle_connections",
                "Idle database connections.",
                gauges.pool_idle.to_string(),
            ),
        ];
        for (name, help, value) in gauges_list {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        self.kpi_query.render(
            &mut out,
            "intraday_kpi_query_seconds",
            "Time to compute a KPI report from the live engine.",
        );
        self.server_fn.render(
            &mut out,
            "intraday_server_fn_seconds",
            "Time to answer a server function call of the pages.",
        );
        let stream = gauges.stream;
        let _ = writeln!(
            out,
            "# HELP intraday_stream_deltas_total Deltas published to the live stream.\n# TYPE intraday_stream_deltas_total counter\nintraday_stream_deltas_total {}",
            stream.deltas
        );
        let _ = writeln!(
            out,
            "# HELP intraday_stream_resyncs_total Snapshots sent to a stream instead of deltas, by reason.\n# TYPE intraday_stream_resyncs_total counter\nintraday_stream_resyncs_total{{reason=\"overflow\"}} {}\nintraday_stream_resyncs_total{{reason=\"too_far_behind\"}} {}",
            stream.resyncs_overflow, stream.resyncs_too_far_behind
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.batch_committed(10, 2, Duration::from_millis(3), 10);
        m.batch_committed(5, 0, Duration::from_millis(300), 15);
        let text = m.render(Gauges::default());
        assert!(
            text.contains("intraday_ingest_batch_seconds_bucket{le=\"0.0025\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("intraday_ingest_batch_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("intraday_ingest_batch_seconds_bucket{le=\"0.5\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("intraday_ingest_batch_seconds_bucket{le=\"+Inf\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("intraday_ingest_events_total{result=\"accepted\"} 15"),
            "{text}"
        );
        assert!(text.contains("intraday_log_sequence 15"), "{text}");
    }
}
