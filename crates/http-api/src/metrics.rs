//! Prometheus metrics in the text exposition format.
//!
//! A handful of counters and one latency histogram per route do not justify a metrics
//! framework; atomics keep the hot path to a few relaxed increments.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Latency bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (bound, slot) in BUCKETS.iter().zip(&self.counts) {
            if secs <= *bound {
                slot.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }
}

/// The webhook spool's positions and counters (see [`crate::spool`]).
#[derive(Debug)]
pub struct SpoolMetrics {
    /// Sequence number of the last event on disk.
    pub durable: AtomicU64,
    /// Sequence number of the last event applied to the database.
    pub applied: AtomicU64,
    /// Events appended since start.
    pub appended: AtomicU64,
    /// Events applied since start.
    pub applied_total: AtomicU64,
    /// Events the store refused for good (set aside in the rejected file).
    pub rejected: AtomicU64,
    /// 1 while the applier reaches the database, 0 during an outage.
    pub database_up: AtomicU64,
}

impl Default for SpoolMetrics {
    fn default() -> Self {
        Self {
            durable: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            appended: AtomicU64::new(0),
            applied_total: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            database_up: AtomicU64::new(1),
        }
    }
}

impl SpoolMetrics {
    /// Sets both positions (at start, from the files).
    pub fn set_positions(&self, durable: u64, applied: u64) {
        self.durable.store(durable, Ordering::Relaxed);
        self.applied.store(applied, Ordering::Relaxed);
    }

    /// Events acknowledged to Twilio but not yet in the database.
    pub fn pending(&self) -> u64 {
        self.durable
            .load(Ordering::Relaxed)
            .saturating_sub(self.applied.load(Ordering::Relaxed))
    }
}

/// The server's metrics registry, shared by every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    /// The webhook spool.
    pub spool: SpoolMetrics,
    /// (route pattern, status code) -> count; route patterns are a small fixed set.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, std::sync::Arc<Histogram>>>,
    rejected_signatures: AtomicU64,
    events_stored: AtomicU64,
    events_duplicate: AtomicU64,
    calls_refused: AtomicU64,
    recording_jobs_done: AtomicU64,
    recording_jobs_failed: AtomicU64,
    recording_jobs_dead: AtomicU64,
    recording_bytes_filed: AtomicU64,
    recordings_played_session: AtomicU64,
    recordings_played_link: AtomicU64,
}

impl Metrics {
    /// Counts one finished request of `route` (the route pattern, not the raw path).
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .expect("metrics lock poisoned")
            .entry((route.to_owned(), status))
            .or_default() += 1;
        let histogram = self
            .latency
            .lock()
            .expect("metrics lock poisoned")
            .entry(route.to_owned())
            .or_default()
            .clone();
        histogram.observe(elapsed);
    }

    /// A webhook refused for its signature.
    pub fn rejected_signature(&self) {
        self.rejected_signatures.fetch_add(1, Ordering::Relaxed);
    }

    /// A Twilio event stored (`duplicate`: it was already stored).
    pub fn event_stored(&self, duplicate: bool) {
        if duplicate {
            self.events_duplicate.fetch_add(1, Ordering::Relaxed);
        } else {
            self.events_stored.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An outbound call refused (unknown agent or destination not allowed).
    pub fn call_refused(&self) {
        self.calls_refused.fetch_add(1, Ordering::Relaxed);
    }

    /// A recording filed in every sink.
    pub fn recording_job_done(&self) {
        self.recording_jobs_done.fetch_add(1, Ordering::Relaxed);
    }

    /// A filing attempt failed and will be retried.
    pub fn recording_job_failed(&self) {
        self.recording_jobs_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// A filing job gave up (dead until an admin retries it).
    pub fn recording_job_dead(&self) {
        self.recording_jobs_dead.fetch_add(1, Ordering::Relaxed);
    }

    /// Bytes of recordings stored in one sink.
    pub fn recording_bytes_filed(&self, bytes: u64) {
        self.recording_bytes_filed
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// A recording played, through a session or a signed link.
    pub fn recording_played(&self, via: call_store::model::PlaybackVia) {
        let counter = match via {
            call_store::model::PlaybackVia::Session => &self.recordings_played_session,
            call_store::model::PlaybackVia::SignedLink => &self.recordings_played_link,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Renders every metric in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP ramal_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE ramal_http_requests_total counter\n");
        for ((route, status), n) in self.requests.lock().expect("metrics lock poisoned").iter() {
            let _ = writeln!(
                out,
                "ramal_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP ramal_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE ramal_http_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().expect("metrics lock poisoned").iter() {
            for (bound, slot) in BUCKETS.iter().zip(&h.counts) {
                let _ = writeln!(
                    out,
                    "ramal_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    slot.load(Ordering::Relaxed)
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "ramal_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "ramal_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "ramal_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        let counters = [
            (
                "ramal_webhook_signatures_rejected_total",
                "Webhooks refused because their Twilio signature did not verify.",
                &self.rejected_signatures,
            ),
            (
                "ramal_events_stored_total",
                "Twilio events stored.",
                &self.events_stored,
            ),
            (
                "ramal_events_duplicate_total",
                "Twilio events received again (retries, duplicates) and ignored.",
                &self.events_duplicate,
            ),
            (
                "ramal_calls_refused_total",
                "Outbound calls refused (unknown agent or destination not allowed).",
                &self.calls_refused,
            ),
            (
                "ramal_recording_jobs_done_total",
                "Recordings filed in every configured sink.",
                &self.recording_jobs_done,
            ),
            (
                "ramal_recording_jobs_failed_total",
                "Recording filing attempts that failed and will be retried.",
                &self.recording_jobs_failed,
            ),
            (
                "ramal_recording_jobs_dead_total",
                "Recording filing jobs that gave up (dead until an admin retries them).",
                &self.recording_jobs_dead,
            ),
            (
                "ramal_recording_bytes_filed_total",
                "Bytes of recordings stored, summed over sinks.",
                &self.recording_bytes_filed,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        let spool = &self.spool;
        for (name, kind, help, value) in [
            (
                "ramal_spool_pending",
                "gauge",
                "Webhook events acknowledged but not yet applied to the database.",
                spool.pending(),
            ),
            (
                "ramal_spool_appended_total",
                "counter",
                "Webhook events appended to the spool (fsync'd) since start.",
                spool.appended.load(Ordering::Relaxed),
            ),
            (
                "ramal_spool_applied_total",
                "counter",
                "Spooled webhook events applied to the database since start.",
                spool.applied_total.load(Ordering::Relaxed),
            ),
            (
                "ramal_spool_rejected_total",
                "counter",
                "Spooled events the store refused for good (kept in spool/rejected.jsonl).",
                spool.rejected.load(Ordering::Relaxed),
            ),
            (
                "ramal_database_up",
                "gauge",
                "1 while the database takes webhook events, 0 during an outage.",
                spool.database_up.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out.push_str("# HELP ramal_recordings_played_total Recording playbacks by how they were authorised.\n");
        out.push_str("# TYPE ramal_recordings_played_total counter\n");
        for (via, counter) in [
            ("session", &self.recordings_played_session),
            ("signed_link", &self.recordings_played_link),
        ] {
            let _ = writeln!(
                out,
                "ramal_recordings_played_total{{via=\"{via}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.request("/api/twilio/voice", 200, Duration::from_micros(700));
        m.request("/api/twilio/voice", 200, Duration::from_millis(30));
        m.request("/api/twilio/voice", 403, Duration::from_micros(100));
        m.rejected_signature();
        m.event_stored(false);
        m.event_stored(true);
        let text = m.render();
        assert!(
            text.contains(
                "ramal_http_requests_total{route=\"/api/twilio/voice\",status=\"200\"} 2"
            )
        );
        assert!(text.contains(
            "ramal_http_request_duration_seconds_bucket{route=\"/api/twilio/voice\",le=\"0.001\"} 2"
        ));
        assert!(text.contains(
            "ramal_http_request_duration_seconds_bucket{route=\"/api/twilio/voice\",le=\"0.05\"} 3"
        ));
        assert!(
            text.contains(
                "ramal_http_request_duration_seconds_count{route=\"/api/twilio/voice\"} 3"
            )
        );
        assert!(text.contains("ramal_webhook_signatures_rejected_total 1"));
        assert!(text.contains("ramal_events_duplicate_total 1"));
    }
}
