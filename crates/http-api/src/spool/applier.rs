//! Applies spooled events to the store, in spool order.
//!
//! A reader task follows the segments and feeds events to the applier, which keeps many of
//! them in flight at once: the store's result does not depend on the order events arrive in
//! (call-store's permutation property tests), and concurrent writes are what lets the store
//! group them into few commits. Completions are taken in spool order, so the checkpoint only
//! ever moves past events that are in the database: a crash or an outage never skips one.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use call_store::{Backend, StoreError};
use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::segment::{self, SegmentReader};
use super::{REJECTED_FILE, Record, Spool, write_checkpoint};
use crate::state::AppState;

/// Most events read from the segments in one go.
const READ_BATCH: usize = 256;
/// Events read ahead of the applier.
const READ_AHEAD: usize = 1024;
/// Events in flight on SQLite: its one writer commits whatever is waiting as one transaction,
/// so more in flight means fewer, larger commits.
const IN_FLIGHT_SQLITE: usize = 64;
/// Events in flight on PostgreSQL: the connection pool's size.
const IN_FLIGHT_POSTGRES: usize = 16;
/// A store error refusing the data itself, this many times for one event while the database
/// answers its health check: the event goes to the rejected file.
const POISON_ATTEMPTS: u32 = 5;
/// Other errors while the database answers are retried this long before the event is set
/// aside (an outage, where the health check fails too, has no limit).
const TRANSIENT_LIMIT: Duration = Duration::from_secs(600);
/// Retry delays while the database is unreachable.
const BACKOFF_START: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// The checkpoint is rewritten at most this often (it only shortens replay after a crash).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// The running applier; [`ApplierHandle::stop`] lets the events in flight finish (unless the
/// database is down) and writes the checkpoint.
#[derive(Debug)]
pub struct ApplierHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ApplierHandle {
    /// Stops the applier and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts applying `state.spool` to `state.store`.
pub fn start(state: &AppState) -> ApplierHandle {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(state.clone(), stopped));
    ApplierHandle { stop, task }
}

/// What the reader hands the applier, in spool order.
#[derive(Debug)]
enum Item {
    /// An event to apply (`None`: unreadable, already set aside; only its place counts).
    Event(u64, Option<Box<Record>>),
    /// Every event of this segment (the last one is given) came before: once they are
    /// applied, the file can go.
    SegmentDone(u64, PathBuf),
}

/// Where reading stands: the open segment and the next sequence number expected.
#[derive(Debug)]
struct Cursor {
    dir: PathBuf,
    reader: Option<SegmentReader>,
    next_seq: u64,
}

impl Cursor {
    /// Up to `max` events with sequence numbers up to `durable`, with segment ends.
    fn read(&mut self, durable: u64, max: usize) -> std::io::Result<Vec<Item>> {
        let mut out = Vec::new();
        while out.len() < max && self.next_seq <= durable {
            let reader = match &mut self.reader {
                Some(reader) => reader,
                None => match self.open_segment_holding(self.next_seq)? {
                    Some(reader) => self.reader.insert(reader),
                    None => break,
                },
            };
            match reader.next()? {
                Some(frame) if frame.seq < self.next_seq => {} // applied before (checkpoint)
                Some(frame) => {
                    self.next_seq = frame.seq + 1;
                    match serde_json::from_slice::<Record>(&frame.payload) {
                        Ok(record) => out.push(Item::Event(frame.seq, Some(Box::new(record)))),
                        Err(e) => {
                            reject_raw(&self.dir, frame.seq, &frame.payload, &e.to_string());
                            out.push(Item::Event(frame.seq, None));
                        }
                    }
                }
                None => {
                    // This segment holds nothing more: the next frame starts the next one.
                    let current = reader.first_seq;
                    let Some(next) = self.open_segment_holding(self.next_seq)? else {
                        break;
                    };
                    if next.first_seq == current {
                        // The writer makes frames readable before it announces them durable,
                        // so this is only a race with a rotation: read again next time.
                        break;
                    }
                    if let Some(done) = self.reader.replace(next) {
                        out.push(Item::SegmentDone(self.next_seq - 1, done.path));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The segment whose range holds `seq` (the last one starting at or before it).
    fn open_segment_holding(&self, seq: u64) -> std::io::Result<Option<SegmentReader>> {
        let segments = segment::list(&self.dir)?;
        segments
            .into_iter()
            .rev()
            .find(|(first, _)| *first <= seq)
            .map(|(first, path)| SegmentReader::open(first, path))
            .transpose()
    }
}

/// Follows the segments as the writer makes events durable; ends when asked to stop.
async fn read(
    mut cursor: Cursor,
    mut durable: watch::Receiver<u64>,
    items: mpsc::Sender<Item>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            return;
        }
        let up_to = *durable.borrow_and_update();
        match cursor.read(up_to, READ_BATCH) {
            Ok(batch) if batch.is_empty() => {
                tokio::select! {
                    changed = durable.changed() => if changed.is_err() { return },
                    _ = stopped.changed() => return,
                }
            }
            Ok(batch) => {
                for item in batch {
                    if items.send(item).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read the webhook spool; retrying");
                tokio::select! {
                    () = tokio::time::sleep(BACKOFF_MAX) => {}
                    _ = stopped.changed() => return,
                }
            }
        }
    }
}

/// What became of an item, in spool order.
enum Outcome {
    Applied(u64),
    Stopped,
    SegmentRead(u64, PathBuf),
}

async fn run(state: AppState, stopped: watch::Receiver<bool>) {
    let spool = state.spool.clone();
    let inner = &spool.inner;
    let dir = inner.dir.clone();
    let cursor = Cursor {
        dir: dir.clone(),
        reader: None,
        next_seq: inner.start_after + 1,
    };
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    let reader = tokio::spawn(read(cursor, inner.durable.clone(), tx, stopped.clone()));
    let in_flight = match state.store.backend() {
        Backend::Sqlite => IN_FLIGHT_SQLITE,
        Backend::Postgres => IN_FLIGHT_POSTGRES,
    };
    let items = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut done = std::pin::pin!(
        items
            .map(|item| {
                let (state, spool, stopped) = (&state, &spool, stopped.clone());
                async move {
                    match item {
                        Item::Event(seq, Some(record)) => {
                            if apply_one(state, spool, seq, *record, stopped).await {
                                Outcome::Applied(seq)
                            } else {
                                Outcome::Stopped
                            }
                        }
                        Item::Event(seq, None) => Outcome::Applied(seq),
                        Item::SegmentDone(last, path) => Outcome::SegmentRead(last, path),
                    }
                }
            })
            .buffered(in_flight)
    );

    let mut applied = inner.start_after;
    let mut finished: Vec<(u64, PathBuf)> = Vec::new();
    let mut checkpointed = (applied, Instant::now());
    while let Some(outcome) = done.next().await {
        match outcome {
            Outcome::Applied(seq) => {
                applied = seq;
                inner.applied.send_replace(applied);
                let metrics = &inner.metrics.spool;
                metrics.applied.store(applied, Ordering::Relaxed);
                metrics.applied_total.fetch_add(1, Ordering::Relaxed);
            }
            // Stopping while the database is down: what is left is applied next start.
            Outcome::Stopped => break,
            Outcome::SegmentRead(last, path) => finished.push((last, path)),
        }
        if !finished.is_empty() || checkpointed.1.elapsed() >= CHECKPOINT_EVERY {
            checkpoint(&dir, &mut finished, applied);
            checkpointed = (applied, Instant::now());
        }
    }
    reader.abort();
    if applied != checkpointed.0 {
        checkpoint(&dir, &mut finished, applied);
    }
}

/// Persists the checkpoint, then deletes the segments wholly applied.
fn checkpoint(dir: &std::path::Path, finished: &mut Vec<(u64, PathBuf)>, applied: u64) {
    let deletable = finished.iter().any(|(last, _)| *last <= applied);
    if let Err(e) = write_checkpoint(dir, applied, deletable) {
        tracing::warn!(error = %e, "could not write the spool checkpoint; events may be replayed (harmless duplicates)");
        return;
    }
    finished.retain(|(last, path)| {
        if *last > applied {
            return true;
        }
        if let Err(e) = std::fs::remove_file(path) {
            tracing::warn!(error = %e, segment = %path.display(), "could not delete an applied spool segment");
        }
        false
    });
}

/// Applies one event, retrying while the database is unreachable. False when asked to stop
/// before it could be applied.
async fn apply_one(
    state: &AppState,
    spool: &Spool,
    seq: u64,
    record: Record,
    mut stopped: watch::Receiver<bool>,
) -> bool {
    let meta = record.meta();
    let mut delay = BACKOFF_START;
    let mut refusals = 0;
    let failing_since = Instant::now();
    loop {
        match state.store.apply(&record.event, &meta).await {
            Ok(outcome) => {
                database_up(spool);
                state.metrics.event_stored(outcome.duplicate);
                if outcome.job_enqueued {
                    // This instance's worker starts at once; others find the job at their poll.
                    state.recordings.wake.notify_one();
                }
                if !outcome.duplicate {
                    crate::routes::twilio_events::publish(state, outcome.call_sid.as_ref()).await;
                }
                return true;
            }
            Err(StoreError::Input(e)) => {
                reject(spool, seq, &record, &e.to_string());
                return true;
            }
            Err(e) => {
                if state.store.health_check().await.is_ok() {
                    // The database answers, yet this event fails: refused data is set aside
                    // after a few tries; anything else (a deadlock, a connection the pool
                    // has not dropped yet) is retried, within a bound so one event cannot
                    // hold every later one back for ever.
                    refusals += 1;
                    let given_up = if e.is_permanent() {
                        refusals >= POISON_ATTEMPTS
                    } else {
                        failing_since.elapsed() >= TRANSIENT_LIMIT
                    };
                    if given_up {
                        reject(spool, seq, &record, &e.to_string());
                        return true;
                    }
                    if refusals == 1 {
                        tracing::warn!(error = %e, spool.seq = seq, "a spooled event failed while the database answers; retrying");
                    }
                } else if !spool.inner.database_down.swap(true, Ordering::Relaxed) {
                    spool
                        .inner
                        .metrics
                        .spool
                        .database_up
                        .store(0, Ordering::Relaxed);
                    tracing::error!(error = %e, "database unreachable: webhook events wait in the spool until it returns");
                }
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stopped.changed() => return false,
                }
                delay = (delay * 2).min(BACKOFF_MAX);
            }
        }
    }
}

fn database_up(spool: &Spool) {
    if spool.inner.database_down.swap(false, Ordering::Relaxed) {
        spool
            .inner
            .metrics
            .spool
            .database_up
            .store(1, Ordering::Relaxed);
        tracing::info!(
            pending = spool.pending(),
            "database reachable again: applying the spooled webhook events"
        );
    }
}

/// Keeps an event the store refused for good, so nothing vanishes silently.
fn reject(spool: &Spool, seq: u64, record: &Record, reason: &str) {
    let payload = serde_json::to_vec(record).unwrap_or_default();
    reject_raw(&spool.inner.dir, seq, &payload, reason);
    spool
        .inner
        .metrics
        .spool
        .rejected
        .fetch_add(1, Ordering::Relaxed);
}

fn reject_raw(dir: &std::path::Path, seq: u64, payload: &[u8], reason: &str) {
    use std::io::Write as _;
    tracing::error!(
        spool.seq = seq,
        reason,
        file = REJECTED_FILE,
        "a spooled webhook event was refused by the store and set aside"
    );
    let line = serde_json::json!({
        "seq": seq,
        "reason": reason,
        "record": String::from_utf8_lossy(payload),
    });
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(REJECTED_FILE))
        .and_then(|mut f| writeln!(f, "{line}").and_then(|()| f.sync_data()));
    if let Err(e) = written {
        tracing::error!(error = %e, spool.seq = seq, "could not write the rejected-events file");
    }
}
