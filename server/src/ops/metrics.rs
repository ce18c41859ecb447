//! Prometheus metrics of one server: a `metrics` recorder of its own, never installed globally
//! (so every server in a test process counts only its own traffic), rendered in the text
//! exposition format by `metrics-exporter-prometheus`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

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

/// Upper bounds of the latency histograms, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// How often the histograms' recorded samples are folded into their buckets when nobody scrapes
/// (the exporter keeps every sample until then); the exporter's own default.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The series of one server.
#[derive(Debug)]
pub struct Metrics {
    handle: PrometheusHandle,
    /// Time to answer a KPI question from the live engine (read API, pages, stream tiles).
    pub kpi_query: Histogram,
    /// Time to answer a server function (the pages' data and actions).
    pub server_fn: Histogram,
    accepted: Counter,
    duplicates: Counter,
    invalid_events: Counter,
    refused: [Counter; REFUSALS.len()],
    batch: Histogram,
    webhook_delivered: Counter,
    webhook_failed: Counter,
    // Both only move up and the applied one is read back, which gauge handles cannot do: kept
    // here and copied to their gauges at render.
    log_sequence: AtomicI64,
    applied_sequence: AtomicI64,
    /// The newest snapshot on disk: its log sequence, when it was written, its size, and how
    /// long the write took and made ingest wait.
    snapshot_seq: Gauge,
    snapshot_written: Gauge,
    snapshot_bytes: Gauge,
    snapshot_write: Gauge,
    snapshot_wait: Gauge,
    scraped: Scraped,
}

/// The series set from [`Gauges`] and the sequences at scrape time.
#[derive(Debug)]
struct Scraped {
    log_sequence: Gauge,
    applied_sequence: Gauge,
    stream_subscribers: Gauge,
    live_conversations: Gauge,
    agents: Gauge,
    agents_logged_in: Gauge,
    pool_size: Gauge,
    pool_idle: Gauge,
    tasks: Gauge,
    stream_deltas: Counter,
    resyncs_overflow: Counter,
    resyncs_too_far_behind: Counter,
}

impl Scraped {
    fn register(r: &Registry) -> Scraped {
        let resyncs = |reason| {
            r.counter(
                "intraday_stream_resyncs_total",
                Some(("reason", reason)),
                "Snapshots sent to a stream instead of deltas, by reason.",
            )
        };
        Scraped {
            log_sequence: r.gauge(
                "intraday_log_sequence",
                "Highest event log sequence committed by this server.",
            ),
            applied_sequence: r.gauge(
                "intraday_log_applied_seq",
                "Highest event log sequence applied to this server's live state (all replicas' events).",
            ),
            stream_subscribers: r.gauge(
                "intraday_stream_subscribers",
                "Live streams (SSE) open on this server.",
            ),
            live_conversations: r.gauge(
                "intraday_live_conversations",
                "Conversations not closed, in the live state.",
            ),
            agents: r.gauge("intraday_agents", "Agents in the live state."),
            agents_logged_in: r.gauge(
                "intraday_agents_logged_in",
                "Agents whose presence is not offline.",
            ),
            pool_size: r.gauge("intraday_db_pool_connections", "Open database connections."),
            pool_idle: r.gauge(
                "intraday_db_pool_idle_connections",
                "Idle database connections.",
            ),
            tasks: r.gauge(
                "intraday_runtime_tasks",
                "Tasks alive on the server's runtime (a number that keeps growing is a leak).",
            ),
            stream_deltas: r.counter(
                "intraday_stream_deltas_total",
                None,
                "Deltas published to the live stream.",
            ),
            resyncs_overflow: resyncs("overflow"),
            resyncs_too_far_behind: resyncs("too_far_behind"),
        }
    }

    fn set(&self, gauges: Gauges, log_sequence: i64, applied_sequence: i64) {
        self.log_sequence.set(log_sequence as f64);
        self.applied_sequence.set(applied_sequence as f64);
        self.stream_subscribers
            .set(gauges.stream.subscribers as f64);
        self.live_conversations
            .set(gauges.live_conversations as f64);
        self.agents.set(gauges.agents as f64);
        self.agents_logged_in.set(gauges.agents_logged_in as f64);
        self.pool_size.set(gauges.pool_size);
        self.pool_idle.set(gauges.pool_idle as f64);
        self.tasks.set(gauges.tasks as f64);
        self.stream_deltas.absolute(gauges.stream.deltas);
        self.resyncs_overflow
            .absolute(gauges.stream.resyncs_overflow);
        self.resyncs_too_far_behind
            .absolute(gauges.stream.resyncs_too_far_behind);
    }
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
    /// Tasks alive on the runtime that serves the scrape.
    pub tasks: usize,
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

/// Registers series, with their HELP text, on one server's recorder.
struct Registry(PrometheusRecorder);

impl Registry {
    fn counter(
        &self,
        name: &'static str,
        label: Option<(&'static str, &'static str)>,
        help: &'static str,
    ) -> Counter {
        self.0.describe_counter(name.into(), None, help.into());
        self.0.register_counter(&key(name, label), &METADATA)
    }

    fn gauge(&self, name: &'static str, help: &'static str) -> Gauge {
        self.0.describe_gauge(name.into(), None, help.into());
        self.0.register_gauge(&key(name, None), &METADATA)
    }

    fn histogram(&self, name: &'static str, help: &'static str) -> Histogram {
        self.0.describe_histogram(name.into(), None, help.into());
        self.0.register_histogram(&key(name, None), &METADATA)
    }
}

fn key(name: &'static str, label: Option<(&'static str, &'static str)>) -> Key {
    match label {
        Some(label) => Key::from_parts(name, &[label]),
        None => Key::from_static_name(name),
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let r = Registry(recorder);
        let events = |result| {
            r.counter(
                "intraday_ingest_events_total",
                Some(("result", result)),
                "Events received by the ingest path, by result.",
            )
        };
        let (accepted, duplicates, invalid_events) =
            (events("accepted"), events("duplicate"), events("invalid"));
        let refused = REFUSALS.map(|(_, reason)| {
            r.counter(
                "intraday_ingest_refused_total",
                Some(("reason", reason)),
                "Ingest requests refused, by reason.",
            )
        });
        let webhook = |result| {
            r.counter(
                "intraday_webhook_attempts_total",
                Some(("result", result)),
                "Tries to deliver an outbox action to the webhook, by result.",
            )
        };
        Metrics {
            webhook_delivered: webhook("delivered"),
            webhook_failed: webhook("failed"),
            kpi_query: r.histogram(
                "intraday_kpi_query_seconds",
                "Time to compute a KPI report from the live engine.",
            ),
            server_fn: r.histogram(
                "intraday_server_fn_seconds",
                "Time to answer a server function call of the pages.",
            ),
            batch: r.histogram(
                "intraday_ingest_batch_seconds",
                "Time from receiving a valid batch to its commit.",
            ),
            snapshot_seq: r.gauge(
                "intraday_snapshot_sequence",
                "Log sequence of the newest snapshot of the live state on disk (0: none).",
            ),
            snapshot_written: r.gauge(
                "intraday_snapshot_timestamp_seconds",
                "When the newest snapshot was written, in seconds since the Unix epoch (0: none); its age is time() minus this.",
            ),
            snapshot_bytes: r.gauge("intraday_snapshot_bytes", "Size of the newest snapshot."),
            snapshot_write: r.gauge(
                "intraday_snapshot_write_seconds",
                "How long the last snapshot written by this process took, sync included.",
            ),
            snapshot_wait: r.gauge(
                "intraday_snapshot_ingest_wait_seconds",
                "How long ingest waited for the last snapshot written by this process.",
            ),
            scraped: Scraped::register(&r),
            accepted,
            duplicates,
            invalid_events,
            refused,
            log_sequence: AtomicI64::new(0),
            applied_sequence: AtomicI64::new(0),
            handle,
        }
    }
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
        self.accepted.increment(accepted as u64);
        self.duplicates.increment(duplicates as u64);
        self.batch.record(took);
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
        self.snapshot_seq.set(seq as f64);
        self.snapshot_written.set(written_at_ms as f64 / 1e3);
        self.snapshot_bytes.set(bytes as f64);
        self.snapshot_write.set(took);
        self.snapshot_wait.set(waited);
    }

    /// The highest log sequence applied to the ledger.
    pub fn applied_seq(&self) -> i64 {
        self.applied_sequence.load(Ordering::Relaxed)
    }

    /// A refused request; `invalid_events` is how many of its events were invalid (422).
    pub fn refused(&self, reason: Refusal, invalid_events: usize) {
        if let Some(i) = REFUSALS.iter().position(|(r, _)| *r == reason) {
            self.refused[i].increment(1);
        }
        self.invalid_events.increment(invalid_events as u64);
    }

    /// A try to deliver an outbox action to the webhook: accepted (`delivered`) or not.
    pub fn webhook_attempt(&self, delivered: bool) {
        if delivered {
            self.webhook_delivered.increment(1);
        } else {
            self.webhook_failed.increment(1);
        }
    }

    /// Folds the histograms' samples into their buckets, which otherwise only a scrape does;
    /// run every [`UPKEEP_EVERY`].
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The text exposition format.
    pub fn render(&self, gauges: Gauges) -> String {
        self.scraped.set(
            gauges,
            self.log_sequence.load(Ordering::Relaxed),
            self.applied_seq(),
        );
        self.handle.render()
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

    #[test]
    fn every_family_is_exposed_with_its_type_and_help_before_any_traffic() {
        let text = Metrics::default().render(Gauges::default());
        for (name, kind) in [
            ("intraday_ingest_events_total", "counter"),
            ("intraday_ingest_refused_total", "counter"),
            ("intraday_ingest_batch_seconds", "histogram"),
            ("intraday_log_sequence", "gauge"),
            ("intraday_log_applied_seq", "gauge"),
            ("intraday_snapshot_sequence", "gauge"),
            ("intraday_snapshot_timestamp_seconds", "gauge"),
            ("intraday_snapshot_bytes", "gauge"),
            ("intraday_snapshot_write_seconds", "gauge"),
            ("intraday_snapshot_ingest_wait_seconds", "gauge"),
            ("intraday_stream_subscribers", "gauge"),
            ("intraday_live_conversations", "gauge"),
            ("intraday_agents", "gauge"),
            ("intraday_agents_logged_in", "gauge"),
            ("intraday_db_pool_connections", "gauge"),
            ("intraday_db_pool_idle_connections", "gauge"),
            ("intraday_kpi_query_seconds", "histogram"),
            ("intraday_server_fn_seconds", "histogram"),
            ("intraday_stream_deltas_total", "counter"),
            ("intraday_stream_resyncs_total", "counter"),
            ("intraday_webhook_attempts_total", "counter"),
        ] {
            assert!(
                text.contains(&format!("# TYPE {name} {kind}\n")),
                "{name}: {text}"
            );
            assert!(text.contains(&format!("# HELP {name} ")), "{name}: {text}");
        }
        for (_, reason) in REFUSALS {
            assert!(
                text.contains(&format!(
                    "intraday_ingest_refused_total{{reason=\"{reason}\"}} 0\n"
                )),
                "{text}"
            );
        }
        assert!(
            text.contains("intraday_server_fn_seconds_count 0\n"),
            "{text}"
        );
    }
}
