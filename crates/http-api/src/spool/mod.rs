//! The webhook spool: every verified Twilio event is appended to a local, fsync'd log before
//! Twilio gets its answer, then applied to the database in the background.
//!
//! Why: Twilio gives up on a webhook after 15 s and mostly does not retry, so an event must be
//! safe the moment we answer it, whether or not the database is reachable. Appending to a local
//! file costs one group-committed `fdatasync` shared by every concurrent request; the database
//! write (several statements and its own commit) happens off the request path. When the
//! database is down, events wait here and are applied in order once it returns; the store
//! deduplicates, so an event applied twice (a crash between applying and checkpointing) changes
//! nothing the second time.
//!
//! | module | job |
//! |---|---|
//! | `frame` | the checksummed frame format (torn writes are detected) |
//! | `segment` | append-only segment files, reading them back |
//! | `writer` | the group-commit writer thread |
//! | [`applier`] | applies spooled events to the store, checkpoints, deletes applied segments |
//!
//! Reads that must see an event just acknowledged (the call history after a webhook) call
//! [`Spool::settle`] first.

pub mod applier;
mod frame;
mod segment;
mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use call_store::events::{CallEvent, EventMeta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

use crate::metrics::Metrics;

pub use applier::ApplierHandle;

/// The checkpoint: the sequence number of the last event applied to the database.
const CHECKPOINT_FILE: &str = "applied";
/// Events the store refused for good (kept for an operator, never silently dropped).
pub const REJECTED_FILE: &str = "rejected.jsonl";
/// Appends waiting for the writer before handlers wait too (back-pressure, bounded memory).
const QUEUE: usize = 8192;

/// Why the spool could not be opened or an event could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A file of the spool could not be read or written.
    #[error("webhook spool {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another `ramal serve` holds this data directory's spool.
    #[error(
        "webhook spool {0} is in use by another ramal process: give each instance its own RAMAL_SPOOL_DIR"
    )]
    Locked(String),
    /// The writer thread is gone (the server is stopping).
    #[error("the webhook spool is closed")]
    Closed,
}

/// One spooled event, as written to disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) received_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) idempotency_token: Option<String>,
    pub(crate) event: CallEvent,
}

impl Record {
    pub(crate) fn meta(&self) -> EventMeta {
        let meta = EventMeta::new(self.received_at);
        match &self.idempotency_token {
            // Validated when spooled; a token that fails now is dropped, not the event.
            Some(token) => meta.clone().with_idempotency_token(token).unwrap_or(meta),
            None => meta,
        }
    }
}

/// Handle to the spool (cheap to clone).
#[derive(Debug, Clone)]
pub struct Spool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    tx: mpsc::Sender<writer::Append>,
    durable: watch::Receiver<u64>,
    applied: watch::Sender<u64>,
    /// Frames up to this one were applied before this start (the checkpoint).
    start_after: u64,
    database_down: AtomicBool,
    metrics: Arc<Metrics>,
    /// Held for the process's life: one server per spool.
    _lock: File,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Spool {
    /// Opens (or creates) the spool in `dir`, recovers from a crash (cuts a torn last frame)
    /// and starts the writer thread. Events found there are applied once the applier starts.
    pub fn open(dir: &Path, metrics: Arc<Metrics>) -> Result<Self, SpoolError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let lock_path = dir.join("lock");
        let lock = File::create(&lock_path).map_err(io_error(&lock_path))?;
        lock.try_lock()
            .map_err(|_| SpoolError::Locked(dir.display().to_string()))?;

        let checkpoint = read_checkpoint(dir)?;
        let segments = segment::list(dir).map_err(io_error(dir))?;
        let last = segments.last().cloned();
        let mut next_seq = checkpoint + 1;
        if let Some((first, path)) = &last {
            let (last_frame, _) = segment::scan(path).map_err(io_error(path))?;
            next_seq = next_seq.max(*first).max(last_frame.map_or(0, |s| s + 1));
        }
        let active =
            writer::Active::open(dir.to_path_buf(), last, next_seq).map_err(io_error(dir))?;

        let (tx, rx) = mpsc::channel(QUEUE);
        let (durable_tx, durable) = watch::channel(next_seq - 1);
        let (applied, _) = watch::channel(checkpoint);
        metrics.spool.set_positions(next_seq - 1, checkpoint);
        let writer_metrics = Arc::clone(&metrics);
        std::thread::Builder::new()
            .name("ramal-spool".into())
            .spawn(move || writer::run(active, rx, durable_tx, writer_metrics))
            .map_err(io_error(dir))?;
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                tx,
                durable,
                applied,
                start_after: checkpoint,
                database_down: AtomicBool::new(false),
                metrics,
                _lock: lock,
            }),
        })
    }

    /// Appends an event and waits until it is on disk (fsync'd). Returns its sequence number.
    pub async fn append(&self, event: &CallEvent, meta: &EventMeta) -> Result<u64, SpoolError> {
        let record = Record {
            received_at: meta.received_at(),
            idempotency_token: meta.idempotency_token().map(str::to_owned),
            event: event.clone(),
        };
        let payload = serde_json::to_vec(&record).expect("spool records serialize");
        let (done, wait) = oneshot::channel();
        self.inner
            .tx
            .send(writer::Append { payload, done })
            .await
            .map_err(|_| SpoolError::Closed)?;
        match wait.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(source)) => Err(SpoolError::Io {
                path: self.inner.dir.display().to_string(),
                source,
            }),
            Err(_) => Err(SpoolError::Closed),
        }
    }

    /// Waits (at most `timeout`) until every event acknowledged before this call is in the
    /// database. False when the time ran out (the database is slow or down).
    pub async fn settle(&self, timeout: Duration) -> bool {
        let target = *self.inner.durable.borrow();
        let mut applied = self.inner.applied.subscribe();
        matches!(
            tokio::time::timeout(timeout, applied.wait_for(|a| *a >= target)).await,
            Ok(Ok(_))
        )
    }

    /// Events acknowledged but not yet in the database.
    pub fn pending(&self) -> u64 {
        self.inner
            .durable
            .borrow()
            .saturating_sub(*self.inner.applied.borrow())
    }

    /// Whether the applier last found the database unreachable.
    pub fn database_down(&self) -> bool {
        self.inner.database_down.load(Ordering::Relaxed)
    }

    /// The spool's folder.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }
}

/// How long a history read waits for events acknowledged just before it.
const READ_SETTLE: Duration = Duration::from_secs(2);

/// Read-your-writes for the history: waits briefly until events this instance acknowledged
/// are in the database. Past the wait (the database is slow or down) the read goes on and
/// shows what the database has.
pub async fn settle_reads(spool: &Spool) {
    if spool.pending() > 0 && !spool.settle(READ_SETTLE).await {
        tracing::debug!(
            pending = spool.pending(),
            "history read without waiting for every spooled event"
        );
    }
}

fn read_checkpoint(dir: &Path) -> Result<u64, SpoolError> {
    let path = dir.join(CHECKPOINT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map_err(|_| SpoolError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not a number"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(io_error(&path)(e)),
    }
}

/// Writes the checkpoint (temp file + rename). `durable`: fsync it, as needed before a
/// segment is deleted; otherwise a stale checkpoint only means re-applying a few events,
/// which the store recognises as duplicates.
fn write_checkpoint(dir: &Path, applied: u64, durable: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = dir.join(format!("{CHECKPOINT_FILE}.tmp"));
    let mut file = File::create(&tmp)?;
    file.write_all(applied.to_string().as_bytes())?;
    if durable {
        file.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(CHECKPOINT_FILE))?;
    if durable {
        segment::sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use call_store::events::StatusEvent;

    use super::*;

    fn event(n: u32) -> CallEvent {
        let sid = format!("CA{n:032x}");
        let form: &[(&str, &str)] = &[
            ("CallSid", &sid),
            ("CallStatus", "ringing"),
            ("From", "+5531999999999"),
            ("To", "+551130001000"),
            ("Direction", "inbound"),
        ];
        CallEvent::Status(StatusEvent::from_form(form, Utc::now()).unwrap())
    }

    fn frames(dir: &Path) -> Vec<(u64, Record)> {
        let mut out = Vec::new();
        for (first, path) in segment::list(dir).unwrap() {
            let mut reader = segment::SegmentReader::open(first, path).unwrap();
            while let Some(frame) = reader.next().unwrap() {
                out.push((frame.seq, serde_json::from_slice(&frame.payload).unwrap()));
            }
        }
        out
    }

    #[tokio::test]
    async fn a_torn_tail_is_cut_and_numbering_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::default());
        let spool = Spool::open(dir.path(), Arc::clone(&metrics)).unwrap();
        let meta = EventMeta::new(Utc::now())
            .with_idempotency_token("retry-1")
            .unwrap();
        for n in 1..=3 {
            assert_eq!(spool.append(&event(n), &meta).await.unwrap(), u64::from(n));
        }
        assert_eq!(spool.pending(), 3);
        // One server per spool.
        assert!(matches!(
            Spool::open(dir.path(), Arc::clone(&metrics)),
            Err(SpoolError::Locked(_))
        ));
        drop(spool);

        // A crash in the middle of a write leaves half a frame behind.
        let (_, path) = segment::list(dir.path()).unwrap().pop().unwrap();
        let intact = std::fs::metadata(&path).unwrap().len();
        let mut half = Vec::new();
        frame::encode(4, b"{\"never\":\"acknowledged\"}", &mut half);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&half[..half.len() / 2])
            .unwrap();

        // The writer thread of the dropped spool exits once its channel closes; wait for
        // the lock it held to go.
        let spool = loop {
            match Spool::open(dir.path(), Arc::clone(&metrics)) {
                Ok(spool) => break spool,
                Err(SpoolError::Locked(_)) => tokio::task::yield_now().await,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(std::fs::metadata(&path).unwrap().len(), intact);
        assert_eq!(spool.pending(), 3, "nothing applied yet: all three replay");
        let fourth = event(4);
        assert_eq!(spool.append(&fourth, &meta).await.unwrap(), 4);
        let stored = frames(dir.path());
        let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4]);
        assert_eq!(stored[3].1.event, fourth);
        assert_eq!(stored[0].1.meta(), meta);
    }
}
