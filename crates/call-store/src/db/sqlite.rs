//! SQLite: the embedded default. One writer thread owns the only writing connection; a
//! small pool of connections serves reads (WAL lets them run while the writer writes).
//!
//! Why a writer thread: SQLite allows one writer at a time. Several connections competing
//! for the write lock spend their time in the busy handler's sleeps, and a transaction
//! that starts reading and then writes can fail with SQLITE_BUSY no matter the timeout.
//! Funnelling writes through one thread removes both, survives callers that are cancelled
//! mid-transaction (the thread finishes the transaction, the caller just stops waiting),
//! and lets queued writes share one commit: each runs in its own savepoint inside a
//! `BEGIN IMMEDIATE` transaction, and nobody is answered before the commit.
//!
//! SQLite calls block. They run in place ([`InPlace`]) on threads that may block: the
//! writer's own thread, and blocking-pool threads for reads (one hop per operation rather
//! than one per statement).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::{SpawnBlocking, SyncConnectionWrapper};
use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::number_search::NumberMatch;
use crate::clock::Clock;
use crate::config::{StoreOptions, prepare_sqlite_dir};
use crate::db::rows::to_ms;
use crate::error::{StoreError, db};
use crate::events::{CallEvent, EventMeta};
use crate::ids::{CallSid, RecordingSid};
use crate::migrate;
use crate::model::{
    Agent, AgentCredentials, AgentRole, ApplyOutcome, CallContact, CallSummary, JobFilter,
    MigrationStatus, NewAgent, PlaybackEntry, PlaybackVia, RecordingCopy, RecordingJob,
    RecordingView, SchemaDrift, StoredEvent,
};
use crate::party::ClientIdentity;
use crate::query::{CallPage, CallQuery, NumberFragment};
use crate::store::{Backend, CallStore};

/// Runs each SQLite call where it is awaited, blocking the thread. Only used on threads
/// that may block (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InPlace;

impl SpawnBlocking for InPlace {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<R, Box<dyn std::error::Error + Send + Sync + 'static>>,
    >
    where
        R: Send + 'static,
    {
        Box::pin(std::future::ready(Ok(task())))
    }

    fn get_runtime() -> Self {
        InPlace
    }
}

/// The async connection type used by this backend.
pub(crate) type Conn = SyncConnectionWrapper<SqliteConnection, InPlace>;
/// The diesel backend.
pub(crate) type Db = diesel::sqlite::Sqlite;

/// How long a connection waits for another process's write lock (`busy_timeout`): long
/// enough to ride out a checkpoint or a `ramal migrate` run, short enough to fail within
/// Twilio's 15 s webhook deadline.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// Page cache per connection, in KiB. SQLite's default (2 MiB) holds a sliver of a large
/// history's indexes; every write then re-reads B-tree pages from the OS cache.
const CACHE_KIB: u32 = 64 * 1024;
/// Most writes sharing one commit.
const MAX_BATCH: usize = 64;
/// Queue length in front of the writer; callers wait when it is full (back-pressure).
const WRITE_QUEUE: usize = 1024;

/// Per-connection settings. The busy timeout comes first so that the others wait for a
/// lock held by another connection instead of failing at once. `synchronous = FULL` makes
/// every commit durable on power loss: an acknowledged webhook is not sent again by
/// Twilio, so losing it would lose the event.
pub(crate) fn configure(conn: &mut SqliteConnection) -> QueryResult<()> {
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
         PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
         PRAGMA cache_size = -{CACHE_KIB};"
    ))
}

async fn connect(url: &str) -> ConnectionResult<Conn> {
    let mut conn = Conn::establish(url).await?;
    conn.spawn_blocking(configure)
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

async fn due_job_ids(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
    use crate::schema::recording_jobs::dsl::*;
    recording_jobs
        .filter(
            state
                .eq("pending")
                .and(next_run_at.le(now))
                .or(state.eq("running").and(locked_until.lt(now))),
        )
        .order((next_run_at, id))
        .limit(limit)
        .select(id)
        .load(conn)
        .await
        .map_err(db("selecting due jobs"))
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

async fn live_columns(conn: &mut Conn, table: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<ColumnName> = diesel::sql_query("SELECT name FROM pragma_table_info(?)")
        .bind::<diesel::sql_types::Text, _>(table)
        .load(conn)
        .await
        .map_err(db("reading the live schema"))?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// "Number contains": through the distinct numbers or in history order, whichever costs
/// less for this fragment (see `db/sqlite_numbers.rs`).
async fn number_match(
    conn: &mut Conn,
    fragment: &NumberFragment,
    page: i64,
) -> Result<NumberMatch, StoreError> {
    super::sqlite_numbers::plan(conn, fragment, page).await
}

fn number_condition(
    way: &NumberMatch,
    top: Option<super::number_search::Top>,
) -> Box<dyn BoxableExpression<crate::schema::calls::table, Db, SqlType = diesel::sql_types::Bool>>
{
    super::sqlite_numbers::condition(way, top)
}

mod q {
    use super::{Conn, Db, NumberMatch, due_job_ids, live_columns, number_condition, number_match};
    include!("queries/mod.rs");
    mod apply {
        include!("sqlite_apply.rs");
    }
    pub(crate) use self::apply::*;
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// Told whether the batch committed (`None`) or why not.
type Reply = Box<dyn FnOnce(Option<&str>) + Send>;
/// A unit of work run by the writer inside the batch transaction.
type WriteJob = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Reply> + Send>;

/// The SQLite store.
pub(crate) struct SqliteStore {
    path: PathBuf,
    writer: mpsc::Sender<WriteJob>,
    readers: Pool<Conn>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Lowers the calling thread's CPU priority to nice 10 (on Linux, nice is per thread).
/// Best effort: a refusal (a seccomp profile, say) leaves the thread as it was.
#[cfg(target_os = "linux")]
fn lower_priority() {
    let tid = rustix::thread::gettid();
    let _ = rustix::process::setpriority_process(Some(tid), 10);
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Opens the writer connection and migrates, on the calling (blocking-capable) thread.
fn open_writer(url: &str) -> Result<Conn, StoreError> {
    let mut conn = SqliteConnection::establish(url).map_err(|source| StoreError::Connect {
        backend: "sqlite",
        source,
    })?;
    configure(&mut conn).map_err(db("configuring SQLite"))?;
    migrate::sqlite_blocking(&mut conn, migrate::Action::Run)?;
    // Refreshes the planner's statistics when they are missing or stale (cheap when not).
    conn.batch_execute("PRAGMA optimize = 0x10002;")
        .map_err(db("optimizing SQLite"))?;
    Ok(Conn::with_runtime(conn, InPlace))
}

impl SqliteStore {
    pub(crate) async fn open(path: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        prepare_sqlite_dir(path)?;
        let url = path.to_string_lossy().into_owned();
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        let (ready_tx, ready_rx) = oneshot::channel();
        let writer_url = url.clone();
        let background = options.background_writer;
        std::thread::Builder::new()
            .name("ramal-sqlite-writer".into())
            .spawn(move || {
                if background {
                    lower_priority();
                }
                let conn = match open_writer(&writer_url) {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        conn
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                // The writer's futures never wait on I/O (SQLite runs in place); a
                // current-thread runtime only drives the queue and the batch loop.
                match tokio::runtime::Builder::new_current_thread().build() {
                    Ok(runtime) => runtime.block_on(run_writer(conn, writer_url, rx)),
                    Err(_) => drop(rx),
                }
            })
            .map_err(|source| StoreError::Io {
                path: "the SQLite writer thread".into(),
                source,
            })?;
        ready_rx
            .await
            .map_err(|_| StoreError::NotCommitted("the SQLite writer failed to start".into()))??;

        let mut config = ManagerConfig::default();
        config.custom_setup = Box::new(|url| Box::pin(connect(url)));
        // Checking a SQLite connection means nothing: it is a file handle.
        config.recycling_method = RecyclingMethod::Fast;
        let manager = AsyncDieselConnectionManager::<Conn>::new_with_config(url, config);
        let readers = Pool::builder(manager)
            // Few readers: each may cache CACHE_KIB of pages, and 2 cores run few queries at once.
            .max_size(options.max_connections.clamp(1, 4))
            .wait_timeout(Some(options.pool_wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Config(format!("cannot build the SQLite pool: {e}")))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: tx,
            readers,
            clock: options.clock.clone(),
        })
    }

    fn now(&self) -> i64 {
        to_ms(self.clock.now())
    }

    /// Runs `work` on a pooled reader connection, on a blocking-pool thread.
    async fn read<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<R, StoreError>> + Send + 'static,
    {
        let mut conn = self
            .readers
            .get()
            .await
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || handle.block_on(work(&mut conn)))
            .await
            .map_err(|e| StoreError::Pool(format!("a SQLite read failed: {e}")))?
    }

    /// Runs `work` in the writer's transaction and answers after the commit.
    async fn write<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<R, StoreError>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: WriteJob = Box::new(move |conn: &mut Conn| {
            Box::pin(async move {
                // A savepoint per job: a failing job leaves the others of the batch intact.
                let result = conn.transaction(async |c| work(c).await).await;
                let reply: Reply = Box::new(move |commit_error: Option<&str>| {
                    let result = match (result, commit_error) {
                        (Ok(_), Some(reason)) => Err(StoreError::NotCommitted(reason.to_owned())),
                        (result, _) => result,
                    };
                    // The caller may have gone away; its write is committed regardless.
                    let _ = tx.send(result);
                });
                reply
            })
        });
        self.writer
            .send(job)
            .await
            .map_err(|_| StoreError::NotCommitted("the SQLite writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::NotCommitted("the SQLite writer dropped the request".into()))?
    }
}

/// The writer loop: takes queued jobs in batches, runs each batch in one `BEGIN IMMEDIATE`
/// transaction, then answers every job with the commit's outcome.
async fn run_writer(mut conn: Conn, url: String, mut jobs: mpsc::Receiver<WriteJob>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let mut panicked = false;
        let outcome = match conn
            .spawn_blocking(|c| AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"))
            .await
        {
            Err(e) => Err(db("starting a write transaction")(e)),
            Ok(()) => {
                for job in batch {
                    match AssertUnwindSafe(job(&mut conn)).catch_unwind().await {
                        Ok(reply) => replies.push(reply),
                        Err(_) => {
                            // The transaction state is unknown after a panic: roll back
                            // the whole batch rather than commit something half done.
                            panicked = true;
                            break;
                        }
                    }
                }
                if panicked {
                    Err(StoreError::NotCommitted("a write panicked".into()))
                } else if let Err(e) = super::sqlite_numbers::drain(&mut conn).await {
                    // The index would disagree with the calls: commit neither.
                    let _ = conn
                        .spawn_blocking(AnsiTransactionManager::rollback_transaction)
                        .await;
                    Err(e)
                } else {
                    let committed = conn
                        .spawn_blocking(AnsiTransactionManager::commit_transaction)
                        .await;
                    if committed.is_err() {
                        let _ = conn
                            .spawn_blocking(AnsiTransactionManager::rollback_transaction)
                            .await;
                    }
                    committed.map_err(db("committing"))
                }
            }
        };
        let error = outcome.err().map(|e| e.to_string());
        for reply in replies {
            reply(error.as_deref());
        }
        if panicked {
            // Start afresh: closing the connection discards anything left open.
            match open_writer(&url) {
                Ok(fresh) => conn = fresh,
                Err(_) => return,
            }
        }
    }
}

#[async_trait]
impl CallStore for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn health_check(&self) -> Result<(), StoreError> {
        self.read(|c| Box::pin(q::ping(c))).await
    }

    async fn migration_status(&self) -> Result<MigrationStatus, StoreError> {
        self.read(|c| {
            Box::pin(async move {
                c.spawn_blocking(|c| Ok(migrate::sqlite_blocking(c, migrate::Action::Status)))
                    .await
                    .map_err(db("reading migrations"))??
                    .status()
            })
        })
        .await
    }

    async fn schema_drift(&self) -> Result<Vec<SchemaDrift>, StoreError> {
        self.read(|c| Box::pin(q::schema_drift(c))).await
    }

    async fn apply(&self, event: &CallEvent, meta: &EventMeta) -> Result<ApplyOutcome, StoreError> {
        let (event, meta, now) = (event.clone(), meta.clone(), self.now());
        self.write(move |c| Box::pin(async move { q::apply_event(c, &event, &meta, now).await }))
            .await
    }

    async fn get_call(&self, sid: &CallSid) -> Result<Option<CallSummary>, StoreError> {
        let sid = sid.clone();
        self.read(move |c| Box::pin(async move { q::get_call(c, &sid).await }))
            .await
    }

    async fn list_calls(&self, query: &CallQuery) -> Result<CallPage, StoreError> {
        let query = query.clone();
        self.read(move |c| Box::pin(async move { q::list_calls(c, &query).await }))
            .await
    }

    async fn call_events(&self, sid: &CallSid) -> Result<Vec<StoredEvent>, StoreError> {
        let sid = sid.clone();
        self.read(move |c| Box::pin(async move { q::call_events_of(c, &sid).await }))
            .await
    }

    async fn set_call_contact(
        &self,
        sid: &CallSid,
        contact: &CallContact,
    ) -> Result<bool, StoreError> {
        let (sid, contact, now) = (sid.clone(), contact.clone(), self.now());
        self.write(move |c| {
            Box::pin(async move { q::set_call_contact(c, &sid, &contact, now).await })
        })
        .await
    }

    async fn get_recording(&self, sid: &RecordingSid) -> Result<Option<RecordingView>, StoreError> {
        let sid = sid.clone();
        self.read(move |c| Box::pin(async move { q::get_recording(c, &sid).await }))
            .await
    }

    async fn record_copy(
        &self,
        recording: &RecordingSid,
        sink: &str,
        location: &str,
    ) -> Result<RecordingCopy, StoreError> {
        let (recording, sink, location, now) = (
            recording.clone(),
            sink.to_owned(),
            location.to_owned(),
            self.now(),
        );
        self.write(move |c| {
            Box::pin(async move { q::record_copy(c, &recording, &sink, &location, now).await })
        })
        .await
    }

    async fn record_playback(
        &self,
        recording: &RecordingSid,
        agent_id: Option<i64>,
        via: PlaybackVia,
    ) -> Result<PlaybackEntry, StoreError> {
        let (recording, now) = (recording.clone(), self.now());
        self.write(move |c| {
            Box::pin(async move { q::record_playback(c, &recording, agent_id, via, now).await })
        })
        .await
    }

    async fn list_playbacks(
        &self,
        recording: &RecordingSid,
    ) -> Result<Vec<PlaybackEntry>, StoreError> {
        let recording = recording.clone();
        self.read(move |c| Box::pin(async move { q::list_playbacks(c, &recording).await }))
            .await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: u32,
        lease: std::time::Duration,
    ) -> Result<Vec<RecordingJob>, StoreError> {
        q::check_worker(worker)?;
        let limit = super::claim_limit(limit)?;
        let lease = super::lease_ms(lease)?;
        let (worker, now) = (worker.to_owned(), self.now());
        self.write(move |c| {
            Box::pin(async move { q::claim_jobs(c, &worker, limit, lease, now).await })
        })
        .await
    }

    async fn complete_job(&self, job_id: i64, worker: &str) -> Result<RecordingJob, StoreError> {
        let (worker, now) = (worker.to_owned(), self.now());
        self.write(move |c| Box::pin(async move { q::complete_job(c, job_id, &worker, now).await }))
            .await
    }

    async fn fail_job(
        &self,
        job_id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<RecordingJob, StoreError> {
        let (worker, error, retry, now) = (
            worker.to_owned(),
            error.to_owned(),
            super::retry_ms(retry_at),
            self.now(),
        );
        self.write(move |c| {
            Box::pin(async move { q::fail_job(c, job_id, &worker, &error, retry, now).await })
        })
        .await
    }

    async fn retry_dead_job(&self, recording: &RecordingSid) -> Result<bool, StoreError> {
        let (recording, now) = (recording.clone(), self.now());
        self.write(move |c| Box::pin(async move { q::retry_dead_job(c, &recording, now).await }))
            .await
    }

    async fn release_jobs(&self, worker: &str) -> Result<u64, StoreError> {
        let (worker, now) = (worker.to_owned(), self.now());
        self.write(move |c| Box::pin(async move { q::release_jobs(c, &worker, now).await }))
            .await
    }

    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<RecordingJob>, StoreError> {
        let filter = filter.clone();
        self.read(move |c| Box::pin(async move { q::list_jobs(c, &filter).await }))
            .await
    }

    async fn get_job(&self, recording: &RecordingSid) -> Result<Option<RecordingJob>, StoreError> {
        let recording = recording.clone();
        self.read(move |c| Box::pin(async move { q::get_job(c, &recording).await }))
            .await
    }

    async fn create_agent(&self, agent: &NewAgent) -> Result<Agent, StoreError> {
        let (agent, now) = (agent.clone(), self.now());
        self.write(move |c| Box::pin(async move { q::create_agent(c, &agent, now).await }))
            .await
    }

    async fn get_agent(&self, id: i64) -> Result<Option<Agent>, StoreError> {
        self.read(move |c| Box::pin(q::get_agent(c, id))).await
    }

    async fn get_agent_by_username(&self, username: &str) -> Result<Option<Agent>, StoreError> {
        let username = username.to_owned();
        self.read(move |c| Box::pin(async move { q::get_agent_by_username(c, &username).await }))
            .await
    }

    async fn get_agent_by_identity(
        &self,
        identity: &ClientIdentity,
    ) -> Result<Option<Agent>, StoreError> {
        let identity = identity.clone();
        self.read(move |c| Box::pin(async move { q::get_agent_by_identity(c, &identity).await }))
            .await
    }

    async fn get_agent_credentials(
        &self,
        username: &str,
    ) -> Result<Option<AgentCredentials>, StoreError> {
        let username = username.to_owned();
        self.read(move |c| Box::pin(async move { q::get_agent_credentials(c, &username).await }))
            .await
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.read(|c| Box::pin(q::list_agents(c))).await
    }

    async fn set_agent_active(&self, id: i64, active: bool) -> Result<Agent, StoreError> {
        let now = self.now();
        self.write(move |c| Box::pin(async move { q::set_agent_active(c, id, active, now).await }))
            .await
    }

    async fn set_agent_password_hash(
        &self,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let (hash, now) = (password_hash.to_owned(), self.now());
        self.write(move |c| {
            Box::pin(async move { q::set_agent_password_hash(c, id, &hash, now).await })
        })
        .await
    }

    async fn update_agent_role(&self, id: i64, role: AgentRole) -> Result<Agent, StoreError> {
        let now = self.now();
        self.write(move |c| Box::pin(async move { q::update_agent_role(c, id, role, now).await }))
            .await
    }
}
