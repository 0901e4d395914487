//! The filing worker: a task inside `ramal serve` that claims recording jobs and files each
//! recording in every configured sink.
//!
//! Durability comes from the database, not from this task: a job is claimed with a lease and
//! counts an attempt; whatever happens to the process afterwards (crash, kill, power loss), the
//! lease runs out and a worker (this one restarted, or another instance's on PostgreSQL, where
//! `FOR UPDATE SKIP LOCKED` keeps concurrent claimers apart) takes the job again. Each step is
//! safe to repeat: a sink that already holds the recording returns its copy, a copy is recorded
//! once per (recording, sink), and a job is completed only by the worker holding its lease.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use call_store::StoreError;
use call_store::ids::RecordingSid;
use call_store::model::{CallSummary, RecordingJob, RecordingView};
use call_store::status::{CallDirection, RecordingStatus};
use chrono::Utc;
use recording_sink::{CallInfo, Direction, MediaReader, RecordingMeta, RecordingSink, SinkError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::twilio::FetchError;
use crate::state::AppState;

/// Why one attempt at filing a recording failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The recording is not in the database (it was enqueued by a newer or older binary?).
    #[error("the recording is unknown")]
    UnknownRecording,
    /// The recording is not completed.
    #[error("the recording is {0}, not completed")]
    NotCompleted(String),
    /// No Twilio account is configured to fetch the media from.
    #[error("no Twilio account is configured to download the recording from")]
    NoTwilio,
    /// Downloading from Twilio failed.
    #[error("twilio: {0}")]
    Fetch(#[from] FetchError),
    /// The attempt ran out of time before the job's lease would end (something stalled:
    /// a transfer, a sink, the database); it is tried again.
    #[error("the attempt did not finish within {}s (the job's lease ends soon after)", .0.as_secs())]
    TimedOut(Duration),
    /// A sink failed.
    #[error("{sink}: {error}")]
    Sink {
        /// The sink's name.
        sink: String,
        /// Its error.
        error: SinkError,
    },
}

impl JobError {
    /// Whether retrying cannot help: the job goes dead at once.
    pub fn is_permanent(&self) -> bool {
        match self {
            JobError::Store(_) | JobError::TimedOut(_) => false,
            JobError::UnknownRecording | JobError::NotCompleted(_) | JobError::NoTwilio => true,
            JobError::Fetch(e) => e.is_permanent(),
            JobError::Sink { error, .. } => error.is_permanent(),
        }
    }
}

/// A running worker; [`WorkerHandle::stop`] shuts it down gracefully.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    id: String,
}

impl WorkerHandle {
    /// The worker's id (`locked_by` of the jobs it holds).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stops claiming, abandons the jobs in progress and releases them (pending again, due now,
    /// the attempt not counted), then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The filing worker.
#[derive(Debug, Clone)]
pub struct Worker {
    state: AppState,
    id: String,
}

impl Worker {
    /// A worker with a fresh id (host, process, random suffix: a restarted process is another
    /// worker, whose predecessor's jobs come back when their leases end).
    pub fn new(state: AppState) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| {
                h.trim()
                    .chars()
                    .filter(char::is_ascii_graphic)
                    .take(40)
                    .collect::<String>()
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "ramal".to_owned());
        let mut suffix = [0u8; 4];
        argon2::password_hash::rand_core::RngCore::fill_bytes(
            &mut argon2::password_hash::rand_core::OsRng,
            &mut suffix,
        );
        let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let id = format!("{host}-{}-{suffix}", std::process::id());
        Self { state, id }
    }

    /// The worker's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Starts the worker as a task.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let id = self.id.clone();
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { stop, task, id }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let config = &self.state.config.recordings;
        tracing::info!(
            worker = %self.id,
            sinks = ?config.sinks,
            concurrency = config.concurrency,
            "recording worker started"
        );
        let mut running: JoinSet<()> = JoinSet::new();
        // Job id of each task, so a finished (or panicked) task frees its job.
        let mut in_flight: HashMap<tokio::task::Id, i64> = HashMap::new();
        loop {
            if *stopped.borrow() {
                break;
            }
            let free = config.concurrency.saturating_sub(running.len() as u32);
            if free > 0 {
                match self
                    .state
                    .store
                    .claim_jobs(&self.id, free, config.lease)
                    .await
                {
                    Ok(jobs) => {
                        for job in jobs {
                            // A job that outlived its lease comes back to its own worker:
                            // the task still on it keeps the job (same worker id), no second
                            // task is started.
                            if in_flight.values().any(|id| *id == job.id) {
                                tracing::warn!(recording.sid = %job.recording_sid, "a recording took longer than RAMAL_RECORDING_LEASE; consider a longer lease");
                                continue;
                            }
                            let (worker, id) = (self.clone(), job.id);
                            let task = running.spawn(async move { worker.process(job).await });
                            in_flight.insert(task.id(), id);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not claim recording jobs; trying again later")
                    }
                }
            }
            tokio::select! {
                _ = stopped.changed() => break,
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    let task = match done {
                        Ok((task, ())) => task,
                        Err(e) => {
                            tracing::error!(error = %e, "a recording job's task failed");
                            e.id()
                        }
                    };
                    in_flight.remove(&task);
                }
                () = self.state.recordings.wake.notified() => {}
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }
        // Abandon the jobs in progress (their partial files are removed as their tasks are
        // dropped) and hand them back at once rather than after their leases.
        running.shutdown().await;
        match self.state.store.release_jobs(&self.id).await {
            Ok(n) if n > 0 => {
                tracing::info!(worker = %self.id, released = n, "recording worker stopped; released its jobs")
            }
            Ok(_) => tracing::info!(worker = %self.id, "recording worker stopped"),
            Err(e) => {
                tracing::warn!(error = %e, "could not release recording jobs; they return when their leases end")
            }
        }
    }

    /// Runs one claimed job to its next state: done, pending again (with backoff) or dead.
    async fn process(&self, job: RecordingJob) {
        let store = &self.state.store;
        let metrics = &self.state.metrics;
        let config = &self.state.config.recordings;
        let sid = job.recording_sid.clone();
        let started = std::time::Instant::now();
        // An attempt never outlives its lease: one that stalls is abandoned (its partial
        // files go with it) and recorded as a failure, so the job is retried after its
        // backoff instead of sitting "running" until the lease ends.
        let limit = attempt_limit(config.lease);
        let outcome = match tokio::time::timeout(limit, self.file(&sid)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(JobError::TimedOut(limit)),
        };
        let call_sid = match &outcome {
            Ok(call_sid) => call_sid.clone(),
            Err(_) => store
                .get_recording(&sid)
                .await
                .ok()
                .flatten()
                .map(|v| v.recording.call_sid),
        };
        match outcome {
            Ok(_) => match until_written(&job, || store.complete_job(job.id, &self.id)).await {
                Ok(_) => {
                    metrics.recording_job_done();
                    tracing::info!(
                        recording.sid = %sid,
                        attempt = job.attempts,
                        duration_ms = started.elapsed().as_millis() as u64,
                        "recording filed in every sink"
                    );
                }
                Err(StoreError::LeaseLost { .. }) => {
                    tracing::warn!(recording.sid = %sid, "recording filed, but the job's lease was lost to another worker")
                }
                Err(e) => {
                    tracing::warn!(recording.sid = %sid, error = %e, "recording filed, but the job could not be marked done; it will be checked again")
                }
            },
            Err(error) => {
                let dead = error.is_permanent() || job.attempts >= config.max_attempts;
                let retry_at = (!dead).then(|| {
                    Utc::now()
                        + chrono::Duration::from_std(backoff(
                            config.backoff_base,
                            config.backoff_max,
                            job.attempts,
                        ))
                        .unwrap_or_else(|_| chrono::Duration::hours(1))
                });
                let message = error.to_string();
                let failed = || store.fail_job(job.id, &self.id, &message, retry_at);
                match until_written(&job, failed).await {
                    Ok(_) if dead => {
                        metrics.recording_job_dead();
                        tracing::error!(
                            recording.sid = %sid,
                            attempt = job.attempts,
                            permanent = error.is_permanent(),
                            error = %message,
                            "recording could not be filed; the job is dead until an admin retries it"
                        );
                    }
                    Ok(_) => {
                        metrics.recording_job_failed();
                        tracing::warn!(
                            recording.sid = %sid,
                            attempt = job.attempts,
                            retry_at = ?retry_at,
                            error = %message,
                            "filing a recording failed; it will be retried"
                        );
                    }
                    Err(StoreError::LeaseLost { .. }) => {
                        tracing::warn!(recording.sid = %sid, error = %message, "filing failed after the job's lease was lost")
                    }
                    Err(e) => {
                        tracing::warn!(recording.sid = %sid, error = %e, "could not record a filing failure; the job returns when its lease ends")
                    }
                }
            }
        }
        // The calls page shows the filing state: push the call's new state.
        crate::routes::twilio_events::publish(&self.state, call_sid.as_ref()).await;
    }

    /// Files the recording in every sink that lacks it, then deletes it from Twilio when asked.
    /// Returns the leg the recording belongs to.
    async fn file(&self, sid: &RecordingSid) -> Result<Option<call_store::ids::CallSid>, JobError> {
        let store = &self.state.store;
        let pipeline = &self.state.recordings;
        let view = store
            .get_recording(sid)
            .await?
            .ok_or(JobError::UnknownRecording)?;
        if view.recording.status != RecordingStatus::Completed {
            return Err(JobError::NotCompleted(
                view.recording.status.as_str().to_owned(),
            ));
        }
        let call = store.get_call(&view.recording.call_sid).await?;
        let call_info = call_info(&view, call.as_ref());
        let sink_sid = recording_sink::RecordingSid::parse(sid.as_str())
            .map_err(|_| JobError::UnknownRecording)?;
        let held: HashSet<String> = view.copies.iter().map(|c| c.sink.clone()).collect();

        for sink in &pipeline.sinks {
            let name = sink.name().to_owned();
            if held.contains(&name) {
                continue;
            }
            let sink_error = |error| JobError::Sink {
                sink: name.clone(),
                error,
            };
            // A copy stored before a crash, not yet recorded.
            let location = match sink.locate(&sink_sid).await.map_err(sink_error)? {
                Some(location) => location,
                None => {
                    let (meta, media) = self.source(&sink_sid, sink.as_ref(), &call_info).await?;
                    let bytes = meta.length();
                    let location = sink.store(&meta, media).await.map_err(sink_error)?;
                    self.state.metrics.recording_bytes_filed(bytes);
                    location
                }
            };
            store.record_copy(sid, &name, &location).await?;
        }
        if self.state.config.recordings.delete_from_twilio {
            let twilio = pipeline.twilio.as_ref().ok_or(JobError::NoTwilio)?;
            twilio.delete(sid).await?;
            tracing::info!(recording.sid = %sid, "recording deleted from Twilio: every sink holds it");
        }
        Ok(Some(view.recording.call_sid))
    }

    /// Where a sink reads the recording from: the local copy when there is one (no second
    /// download), else Twilio.
    async fn source(
        &self,
        sid: &recording_sink::RecordingSid,
        sink: &dyn RecordingSink,
        call: &CallInfo,
    ) -> Result<(RecordingMeta, MediaReader), JobError> {
        let pipeline = &self.state.recordings;
        if sink.name() != pipeline.local.name()
            && let Ok(Some(location)) = pipeline.local.locate(sid).await
            && let Ok(file) = pipeline.local.open(&location).await
        {
            let meta = RecordingMeta::new(sid.clone(), call.clone(), file.media_type(), file.len())
                .map_err(|_| JobError::Fetch(FetchError::Empty))?;
            let len = file.len();
            let reader = file
                .read_range(0, len)
                .await
                .map_err(|error| JobError::Sink {
                    sink: pipeline.local.name().to_owned(),
                    error,
                })?;
            return Ok((meta, Box::new(reader)));
        }
        let twilio = pipeline.twilio.as_ref().ok_or(JobError::NoTwilio)?;
        let call_sid = call_store::ids::RecordingSid::parse(sid.as_str())
            .map_err(|_| JobError::UnknownRecording)?;
        let download = twilio.download(&call_sid).await?;
        let meta = RecordingMeta::new(
            sid.clone(),
            call.clone(),
            download.media_type,
            download.length,
        )
        .map_err(|_| JobError::Fetch(FetchError::Empty))?;
        Ok((meta, download.into_reader()))
    }
}

/// The wait before attempt `attempts + 1`: `base * 2^(attempts-1)`, capped at `max`, with
/// "equal jitter" (half fixed, half random) so jobs failing together do not retry together.
pub fn backoff(base: Duration, max: Duration, attempts: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
        .min(max);
    let mut bytes = [0u8; 8];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut bytes,
    );
    let unit = (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64;
    exp / 2 + (exp / 2).mul_f64(unit)
}

/// How long one attempt may run: the lease less a margin (a tenth, at most 30 s) to record
/// the outcome while the lease still holds.
pub fn attempt_limit(lease: Duration) -> Duration {
    lease.saturating_sub((lease / 10).min(Duration::from_secs(30)))
}

/// What names the stored file: the call's time, direction, the other party, the agent, the
/// recording's length.
fn call_info(view: &RecordingView, call: Option<&CallSummary>) -> CallInfo {
    let started_at = view
        .recording
        .start_time
        .or(call.map(|c| c.started_at))
        .unwrap_or_else(Utc::now);
    let Some(call) = call else {
        return CallInfo {
            duration_secs: view.recording.duration,
            ..CallInfo::at(started_at)
        };
    };
    let (direction, counterpart) = match call.direction {
        CallDirection::Outbound => (Direction::Outbound, call.to_number.to_string()),
        CallDirection::Inbound => (Direction::Inbound, call.from_number.to_string()),
        CallDirection::Internal => (Direction::Internal, call.to_number.to_string()),
    };
    CallInfo {
        started_at,
        direction: Some(direction),
        counterpart: Some(counterpart),
        agent: call.user_name.clone(),
        duration_secs: view.recording.duration.or(Some(call.duration)),
    }
}

/// Retries a job's state change while the database is unreachable, as long as the job's lease
/// lasts: a recording filed during an outage is marked done when the database returns, not
/// left "running" until its lease ends (then filed again by whoever claims it).
async fn until_written<T, F, Fut>(job: &RecordingJob, mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    const FIRST: Duration = Duration::from_millis(50);
    const MAX: Duration = Duration::from_secs(2);
    let mut delay = FIRST;
    loop {
        match write().await {
            Err(
                StoreError::Pool(_)
                | StoreError::Connect { .. }
                | StoreError::Database { .. }
                | StoreError::NotCommitted(_),
            ) if job.locked_until.is_some_and(|until| {
                Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default() < until
            }) =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX);
            }
            other => return other,
        }
    }
}

/// Starts this instance's worker when the configuration asks for one.
pub fn start(state: &AppState) -> Option<WorkerHandle> {
    let config = &state.config.recordings;
    if !config.worker {
        tracing::info!(
            "recording worker disabled (RAMAL_RECORDING_WORKER=false): another instance files recordings"
        );
        return None;
    }
    if state.recordings.twilio.is_none() {
        tracing::info!("no Twilio account: the recording worker is not started");
        return None;
    }
    Some(Worker::new(state.clone()).spawn())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let (base, max) = (Duration::from_secs(30), Duration::from_secs(3600));
        for attempts in 1..=12 {
            let full = (base * (1 << (attempts - 1))).min(max);
            for _ in 0..20 {
                let wait = backoff(base, max, attempts);
                assert!(
                    wait >= full / 2 && wait <= full,
                    "{attempts}: {wait:?} vs {full:?}"
                );
            }
        }
        // Jitter: not every wait is the same.
        let waits: HashSet<Duration> = (0..20).map(|_| backoff(base, max, 3)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn an_attempt_ends_before_its_lease() {
        assert_eq!(
            attempt_limit(Duration::from_secs(900)),
            Duration::from_secs(870)
        );
        assert_eq!(
            attempt_limit(Duration::from_secs(60)),
            Duration::from_secs(54)
        );
        assert_eq!(
            attempt_limit(Duration::from_secs(1)),
            Duration::from_millis(900)
        );
    }

    #[test]
    fn permanence_follows_the_cause() {
        assert!(!JobError::TimedOut(Duration::from_secs(1)).is_permanent());
        assert!(JobError::NoTwilio.is_permanent());
        assert!(JobError::Fetch(FetchError::Unauthorized(401)).is_permanent());
        assert!(!JobError::Fetch(FetchError::NotFound).is_permanent());
        assert!(!JobError::Fetch(FetchError::Status(503)).is_permanent());
        let sink = |error| JobError::Sink {
            sink: "drive".into(),
            error,
        };
        assert!(
            !sink(SinkError::LengthMismatch {
                expected: 2,
                received: 1
            })
            .is_permanent()
        );
        assert!(sink(SinkError::BadLocation("x".into())).is_permanent());
    }
}
