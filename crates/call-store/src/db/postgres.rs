//! PostgreSQL: the production path. A deadpool of connections; several processes may
//! write at once: writes to one call are serialized by transaction-scoped advisory locks
//! on its SIDs (taken by the pipelined event path, `db/pg_apply.rs`), job claims use
//! `FOR UPDATE SKIP LOCKED`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool::managed::{Hook, HookError, HookResult, Metrics};
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::clock::Clock;
use crate::config::{PostgresUrl, StoreOptions};
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

/// The async connection type used by this backend.
pub(crate) type Conn = AsyncPgConnection;
/// The diesel backend.
pub(crate) type Db = diesel::pg::Pg;

async fn due_job_ids(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
    use crate::schema::recording_jobs::dsl::*;
    // SKIP LOCKED: concurrent claimers take different jobs instead of waiting on each other.
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
        .for_update()
        .skip_locked()
        .load(conn)
        .await
        .map_err(db("selecting due jobs"))
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

async fn live_columns(conn: &mut Conn, table: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<ColumnName> = diesel::sql_query(
        "SELECT column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind::<diesel::sql_types::Text, _>(table)
    .load(conn)
    .await
    .map_err(db("reading the live schema"))?;
    Ok(rows.into_iter().map(|r| r.column_name).collect())
}

use super::number_search::NumberMatch;

/// "Number contains": through the distinct numbers or in history order, whichever costs
/// less for this fragment (see `db/number_search.rs`).
async fn number_match(
    conn: &mut Conn,
    fragment: &NumberFragment,
    page: i64,
) -> Result<NumberMatch, StoreError> {
    super::pg_numbers::plan(conn, fragment, page).await
}

fn number_condition(
    way: &NumberMatch,
    top: Option<super::number_search::Top>,
) -> Box<dyn BoxableExpression<crate::schema::calls::table, Db, SqlType = diesel::sql_types::Bool>>
{
    super::pg_numbers::condition(way, top)
}

mod q {
    use super::{Conn, Db, NumberMatch, due_job_ids, live_columns, number_condition, number_match};
    include!("queries/mod.rs");
}

/// Attempts of `apply` when the connection fails under it.
const APPLY_ATTEMPTS: u32 = 3;

/// Errors after which running the same idempotent operation again may succeed.
fn retryable(err: &StoreError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        err,
        StoreError::Database {
            source: Error::DatabaseError(
                DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::SerializationFailure,
                _
            ) | Error::BrokenTransactionManager,
            ..
        }
    )
}

/// A pooled connection unused for longer than this is checked with a query before it is
/// handed out. Checking every checkout costs a round trip per operation (about a tenth of
/// the event path's throughput); a connection handed out within the last second was alive
/// then, and one that dies in use fails that operation (`apply` retries on another).
const PING_WHEN_IDLE: Duration = Duration::from_secs(1);

async fn ping_if_idle(conn: &mut Conn, metrics: &Metrics) -> HookResult<PoolError> {
    if metrics.last_used() < PING_WHEN_IDLE {
        return Ok(());
    }
    diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>())
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(|e| HookError::Backend(PoolError::QueryError(e)))
}

fn millis(d: Duration) -> u128 {
    d.as_millis().max(1)
}

/// The PostgreSQL store.
pub(crate) struct PostgresStore {
    url: PostgresUrl,
    pool: Pool<Conn>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    pub(crate) async fn open(
        url: &PostgresUrl,
        options: &StoreOptions,
    ) -> Result<Self, StoreError> {
        migrate::postgres(&url.expose(), migrate::Action::Run).await?;
        let session = format!(
            "SET statement_timeout = {}; SET lock_timeout = {}; \
             SET idle_in_transaction_session_timeout = {};",
            millis(options.statement_timeout),
            millis(options.lock_timeout),
            // A client that died inside a transaction releases its locks after this.
            millis(options.statement_timeout * 2),
        );
        let mut config = ManagerConfig::default();
        // Only the transaction state is checked on every checkout; the query that proves
        // the connection alive runs for idle ones (`ping_if_idle`).
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(move |url| {
            let session = session.clone();
            Box::pin(async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.batch_execute(&session)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            })
        });
        let manager = AsyncDieselConnectionManager::<Conn>::new_with_config(url.expose(), config);
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(options.pool_wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .recycle_timeout(Some(options.connect_timeout))
            .pre_recycle(Hook::async_fn(|conn, metrics| {
                Box::pin(ping_if_idle(conn, metrics))
            }))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Config(format!("cannot build the PostgreSQL pool: {e}")))?;
        let store = PostgresStore {
            url: url.clone(),
            pool,
            clock: options.clock.clone(),
        };
        store.health_check().await?;
        Ok(store)
    }

    fn now(&self) -> i64 {
        to_ms(self.clock.now())
    }

    async fn conn(&self) -> Result<Object<Conn>, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Pool(e.to_string()))
    }
}

#[async_trait]
impl CallStore for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn health_check(&self) -> Result<(), StoreError> {
        q::ping(&mut *self.conn().await?).await
    }

    async fn migration_status(&self) -> Result<MigrationStatus, StoreError> {
        migrate::postgres(&self.url.expose(), migrate::Action::Status)
            .await?
            .status()
    }

    async fn schema_drift(&self) -> Result<Vec<SchemaDrift>, StoreError> {
        q::schema_drift(&mut *self.conn().await?).await
    }

    async fn apply(&self, event: &CallEvent, meta: &EventMeta) -> Result<ApplyOutcome, StoreError> {
        let now = self.now();
        let mut attempt = 1;
        loop {
            let result = super::pg_apply::apply_event(&self.pool, event, meta, now).await;
            // Applying is idempotent, so a transaction lost with its connection can be
            // replayed safely: either it committed (the replay is a duplicate) or it did not.
            match result {
                Err(e) if attempt < APPLY_ATTEMPTS && retryable(&e) => attempt += 1,
                other => return other,
            }
        }
    }

    async fn get_call(&self, sid: &CallSid) -> Result<Option<CallSummary>, StoreError> {
        q::get_call(&mut *self.conn().await?, sid).await
    }

    async fn list_calls(&self, query: &CallQuery) -> Result<CallPage, StoreError> {
        q::list_calls(&mut *self.conn().await?, query).await
    }

    async fn call_events(&self, sid: &CallSid) -> Result<Vec<StoredEvent>, StoreError> {
        q::call_events_of(&mut *self.conn().await?, sid).await
    }

    async fn set_call_contact(
        &self,
        sid: &CallSid,
        contact: &CallContact,
    ) -> Result<bool, StoreError> {
        q::set_call_contact(&mut *self.conn().await?, sid, contact, self.now()).await
    }

    async fn get_recording(&self, sid: &RecordingSid) -> Result<Option<RecordingView>, StoreError> {
        q::get_recording(&mut *self.conn().await?, sid).await
    }

    async fn record_copy(
        &self,
        recording: &RecordingSid,
        sink: &str,
        location: &str,
    ) -> Result<RecordingCopy, StoreError> {
        q::record_copy(
            &mut *self.conn().await?,
            recording,
            sink,
            location,
            self.now(),
        )
        .await
    }

    async fn record_playback(
        &self,
        recording: &RecordingSid,
        agent_id: Option<i64>,
        via: PlaybackVia,
    ) -> Result<PlaybackEntry, StoreError> {
        q::record_playback(
            &mut *self.conn().await?,
            recording,
            agent_id,
            via,
            self.now(),
        )
        .await
    }

    async fn list_playbacks(
        &self,
        recording: &RecordingSid,
    ) -> Result<Vec<PlaybackEntry>, StoreError> {
        q::list_playbacks(&mut *self.conn().await?, recording).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<RecordingJob>, StoreError> {
        q::check_worker(worker)?;
        let limit = super::claim_limit(limit)?;
        let lease = super::lease_ms(lease)?;
        let now = self.now();
        self.conn()
            .await?
            .transaction(async |c| q::claim_jobs(c, worker, limit, lease, now).await)
            .await
    }

    async fn complete_job(&self, job_id: i64, worker: &str) -> Result<RecordingJob, StoreError> {
        q::complete_job(&mut *self.conn().await?, job_id, worker, self.now()).await
    }

    async fn fail_job(
        &self,
        job_id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<RecordingJob, StoreError> {
        q::fail_job(
            &mut *self.conn().await?,
            job_id,
            worker,
            error,
            super::retry_ms(retry_at),
            self.now(),
        )
        .await
    }

    async fn retry_dead_job(&self, recording: &RecordingSid) -> Result<bool, StoreError> {
        q::retry_dead_job(&mut *self.conn().await?, recording, self.now()).await
    }

    async fn release_jobs(&self, worker: &str) -> Result<u64, StoreError> {
        q::release_jobs(&mut *self.conn().await?, worker, self.now()).await
    }

    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<RecordingJob>, StoreError> {
        q::list_jobs(&mut *self.conn().await?, filter).await
    }

    async fn get_job(&self, recording: &RecordingSid) -> Result<Option<RecordingJob>, StoreError> {
        q::get_job(&mut *self.conn().await?, recording).await
    }

    async fn create_agent(&self, agent: &NewAgent) -> Result<Agent, StoreError> {
        q::create_agent(&mut *self.conn().await?, agent, self.now()).await
    }

    async fn get_agent(&self, id: i64) -> Result<Option<Agent>, StoreError> {
        q::get_agent(&mut *self.conn().await?, id).await
    }

    async fn get_agent_by_username(&self, username: &str) -> Result<Option<Agent>, StoreError> {
        q::get_agent_by_username(&mut *self.conn().await?, username).await
    }

    async fn get_agent_by_identity(
        &self,
        identity: &ClientIdentity,
    ) -> Result<Option<Agent>, StoreError> {
        q::get_agent_by_identity(&mut *self.conn().await?, identity).await
    }

    async fn get_agent_credentials(
        &self,
        username: &str,
    ) -> Result<Option<AgentCredentials>, StoreError> {
        q::get_agent_credentials(&mut *self.conn().await?, username).await
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        q::list_agents(&mut *self.conn().await?).await
    }

    async fn set_agent_active(&self, id: i64, active: bool) -> Result<Agent, StoreError> {
        q::set_agent_active(&mut *self.conn().await?, id, active, self.now()).await
    }

    async fn set_agent_password_hash(
        &self,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        q::set_agent_password_hash(&mut *self.conn().await?, id, password_hash, self.now()).await
    }

    async fn update_agent_role(&self, id: i64, role: AgentRole) -> Result<Agent, StoreError> {
        q::update_agent_role(&mut *self.conn().await?, id, role, self.now()).await
    }
}
