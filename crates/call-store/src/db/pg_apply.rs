//! PostgreSQL's event path: the same writes as SQLite's (`db/sqlite_apply.rs`, decided by
//! `db/derive.rs`), in two pipelined round trips instead of about fifteen.
//!
//! 1. `BEGIN`, the advisory locks of the event's SIDs with the event's insert (one
//!    statement), and the reads the refold needs, sent together;
//! 2. the fold, in Rust;
//! 3. the upserts it decided and `COMMIT`, sent together.
//!
//! PostgreSQL runs a connection's statements one after another in the order they were
//! sent, and they are sent in the order their futures are first polled: `try_join*` poll
//! their arguments in order, so each read runs after the locks, with a snapshot taken after
//! they were granted (READ COMMITTED takes one per statement). Every statement is a
//! constant [`Sql`], so each connection prepares it once. A recording event whose root is
//! not the SID it names needs a third trip, for the root's lock.
//!
//! The transaction is begun by hand (diesel's transaction manager cannot pipeline `BEGIN`),
//! so [`Tx`] makes sure no connection goes back to the pool inside a transaction.

use deadpool::managed::Object;
use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use futures_util::future::BoxFuture;
use futures_util::future::{try_join, try_join3, try_join5};

use crate::db::derive::{CallPlan, Touched, plan_call, plan_recording};
use crate::db::pg_sql::Sql;
use crate::db::postgres::Conn;
use crate::db::rows::{CallDerivedRow, EventRow, LegDerivedRow, NewEventRow, RecordingDerivedRow};
use crate::error::{StoreError, db};
use crate::events::{CallEvent, EventMeta};
use crate::ids::{CallSid, RecordingSid};
use crate::model::{ApplyOutcome, JobState};
use crate::state::{AgentRef, RecordingState};
use crate::status::RecordingStatus;

type Manager = AsyncDieselConnectionManager<Conn>;

/// A pooled connection inside a transaction begun by hand. Dropped before [`Tx::release`]
/// (the caller went away, or the transaction's end is unknown), the connection leaves the
/// pool and closes, and the server rolls the transaction back.
struct Tx {
    conn: Option<Object<Manager>>,
}

impl Tx {
    fn conn(&self) -> &Conn {
        self.conn
            .as_deref()
            .expect("present until released or dropped")
    }

    /// Gives the connection back to the pool: only once its transaction has ended.
    fn release(mut self) {
        drop(self.conn.take());
    }

    /// Ends a transaction that failed. `ROLLBACK` after a `COMMIT` that turned into a
    /// rollback is a harmless warning; if even it fails, the connection is dropped.
    async fn abandon(self) {
        if exec(self.conn(), Sql::new("ROLLBACK")).await.is_ok() {
            self.release();
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(Object::take(conn));
        }
    }
}

/// Runs a statement on a shared connection, so that several can be in flight at once.
fn exec<'c>(conn: &'c Conn, sql: Sql<'_>) -> BoxFuture<'c, QueryResult<usize>> {
    let mut conn = conn;
    sql.execute(&mut conn)
}

/// Loads rows with a statement on a shared connection (see [`exec`]).
fn load<'c, U>(conn: &'c Conn, sql: Sql<'_>) -> BoxFuture<'c, QueryResult<Vec<U>>>
where
    U: QueryableByName<diesel::pg::Pg> + Send + 'static,
{
    let mut conn = conn;
    Box::pin(sql.load::<U>(&mut conn))
}

/// An optional statement of a pipeline.
async fn maybe<T>(
    statement: Option<impl Future<Output = QueryResult<T>>>,
) -> QueryResult<Option<T>> {
    match statement {
        Some(statement) => statement.await.map(Some),
        None => Ok(None),
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct RootRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    root_sid: String,
}

/// A stable 64-bit hash (FNV-1a) of a SID, the key of its advisory lock. Collisions only
/// make two unrelated calls wait for each other.
fn lock_key(sid: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sid.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The lock keys of these SIDs, in order, without repeats.
fn lock_keys(sids: &[&str]) -> Vec<i64> {
    let mut keys: Vec<i64> = Vec::with_capacity(sids.len());
    for key in sids.iter().map(|sid| lock_key(sid)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Takes transaction-scoped advisory locks in the order given (the function scan yields
/// the array in order, and the aggregate consumes it before anything else happens).
const LOCK: &str = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(?::bigint[]) AS t(k)";

/// The locks, then the event (a retry of a stored event is a no-op: 0 rows).
const LOCK_AND_INSERT_EVENT: &str = "\
WITH locked AS (SELECT count(pg_advisory_xact_lock(k)) FROM unnest(?::bigint[]) AS t(k)) \
INSERT INTO call_events (dedupe_key, kind, call_sid, parent_call_sid, root_sid, recording_sid, \
sequence_number, status, occurred_at, received_at, idempotency_token, payload) \
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM locked \
ON CONFLICT (dedupe_key) DO NOTHING";

/// The call's leg events, then the recording events naming its root or one of its legs
/// (as `queries/lookup.rs` reads them, in one statement: `ARRAY(...)` is computed once,
/// then both parts are index lookups whatever the statistics say).
const CALL_EVENTS: &str = "\
SELECT id, dedupe_key, received_at, idempotency_token, payload FROM call_events \
WHERE root_sid = ? \
UNION ALL \
SELECT id, dedupe_key, received_at, idempotency_token, payload FROM call_events \
WHERE kind = 'recording' AND recording_sid IS NOT NULL \
AND call_sid = ANY (ARRAY(SELECT call_sid FROM call_events WHERE root_sid = ?) || ?::text)";

const RECORDING_EVENTS: &str = "\
SELECT id, dedupe_key, received_at, idempotency_token, payload FROM call_events \
WHERE recording_sid = ?";

/// The root of the call that has the SID as its root, else as a leg (`find_root`).
const FIND_ROOT: &str = "\
SELECT root_sid FROM (\
SELECT 0 AS rank, root_sid FROM calls WHERE root_sid = ? \
UNION ALL \
SELECT 1, c.root_sid FROM call_legs l JOIN calls c ON c.id = l.call_id WHERE l.call_sid = ?\
) AS found ORDER BY rank LIMIT 1";

const CALL_ID: &str = "SELECT id FROM calls WHERE root_sid = ?";

/// The call row (`store_call_row`): agents resolved inside the statement, CRM fields and
/// `created_at` left alone by the update. 21 values.
macro_rules! upsert_call {
    () => {
        "INSERT INTO calls (root_sid, direction, status, from_number, to_number, duration, \
         answered, voicemail, has_recording, recording_sid, recording_url, agent_identity, \
         peer_identity, started_at, answered_at, ended_at, updated_at, created_at, agent_id, \
         peer_agent_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
         (SELECT id FROM agents WHERE id = ? OR identity = ? LIMIT 1), \
         (SELECT id FROM agents WHERE identity = ? LIMIT 1)) \
         ON CONFLICT (root_sid) DO UPDATE SET direction = excluded.direction, \
         status = excluded.status, from_number = excluded.from_number, \
         to_number = excluded.to_number, duration = excluded.duration, \
         answered = excluded.answered, voicemail = excluded.voicemail, \
         has_recording = excluded.has_recording, recording_sid = excluded.recording_sid, \
         recording_url = excluded.recording_url, agent_identity = excluded.agent_identity, \
         peer_identity = excluded.peer_identity, started_at = excluded.started_at, \
         answered_at = excluded.answered_at, ended_at = excluded.ended_at, \
         updated_at = excluded.updated_at, agent_id = excluded.agent_id, \
         peer_agent_id = excluded.peer_agent_id \
         RETURNING id"
    };
}

/// The recording row, linked to the call of CTE `c` when there is one (else its link is
/// kept), and its job when it is completed (a bound boolean). 13 + 6 values.
macro_rules! upsert_recording_and_job {
    ($call_id:literal) => {
        concat!(
            "r AS (INSERT INTO recordings (recording_sid, call_sid, status, url, duration, \
             channels, source, track, start_time, error_code, is_voicemail, updated_at, \
             created_at, call_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ",
            $call_id,
            ") ON CONFLICT (recording_sid) DO UPDATE SET call_sid = excluded.call_sid, \
             status = excluded.status, url = excluded.url, duration = excluded.duration, \
             channels = excluded.channels, source = excluded.source, track = excluded.track, \
             start_time = excluded.start_time, error_code = excluded.error_code, \
             is_voicemail = excluded.is_voicemail, updated_at = excluded.updated_at, \
             call_id = coalesce(excluded.call_id, recordings.call_id)), \
             j AS (INSERT INTO recording_jobs (recording_sid, state, attempts, next_run_at, \
             created_at, updated_at) \
             SELECT ?, ?, 0, ?, ?, ? WHERE ?::boolean \
             ON CONFLICT (recording_sid) DO NOTHING RETURNING 1) "
        )
    };
}

const UPSERT_CALL: &str = upsert_call!();

/// The call and the touched leg, and (when the bound boolean says this is the leg's first
/// event) the recordings that named the leg or the root before the leg existed. 21 + 16 +
/// 3 values.
const UPSERT_CALL_AND_LEG: &str = concat!(
    "WITH c AS (",
    upsert_call!(),
    "), leg AS (INSERT INTO call_legs (call_id, call_sid, parent_call_sid, direction, \
     from_party, to_party, agent_identity, status, sequence_number, duration, \
     sip_response_code, answered_by, started_at, answered_at, ended_at, updated_at, created_at) \
     SELECT c.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM c \
     ON CONFLICT (call_sid) DO UPDATE SET call_id = excluded.call_id, \
     parent_call_sid = excluded.parent_call_sid, direction = excluded.direction, \
     from_party = excluded.from_party, to_party = excluded.to_party, \
     agent_identity = excluded.agent_identity, status = excluded.status, \
     sequence_number = excluded.sequence_number, duration = excluded.duration, \
     sip_response_code = excluded.sip_response_code, answered_by = excluded.answered_by, \
     started_at = excluded.started_at, answered_at = excluded.answered_at, \
     ended_at = excluded.ended_at, updated_at = excluded.updated_at), \
     linked AS (UPDATE recordings SET call_id = c.id FROM c \
     WHERE ?::boolean AND recordings.call_sid IN (?, ?) AND recordings.call_id IS NULL) \
     SELECT id FROM c"
);

/// A recording event's writes once its call is known: the call, the recording linked to
/// it, the job. 21 + 19 values.
const UPSERT_CALL_AND_RECORDING: &str = concat!(
    "WITH c AS (",
    upsert_call!(),
    "), ",
    upsert_recording_and_job!("(SELECT id FROM c)"),
    "SELECT (SELECT id FROM c) AS id, (SELECT count(*) FROM j) AS enqueued"
);

/// A recording event's writes while its call is unknown: the recording, the job. 19 values.
const UPSERT_RECORDING: &str = concat!(
    "WITH ",
    upsert_recording_and_job!("NULL::bigint"),
    "SELECT NULL::bigint AS id, (SELECT count(*) FROM j) AS enqueued"
);

/// Links a recording to its call (when its own events fold to nothing).
const LINK_RECORDING: &str = "\
UPDATE recordings SET call_id = (SELECT id FROM calls WHERE root_sid = ?) \
WHERE recording_sid = ?";

fn lock_and_insert(keys: Vec<i64>, row: &NewEventRow) -> Sql<'_> {
    Sql::new(LOCK_AND_INSERT_EVENT)
        .bigs(keys)
        .text(row.dedupe_key.as_str())
        .text(row.kind)
        .text(row.call_sid.as_str())
        .text(row.parent_call_sid.as_deref())
        .text(row.root_sid.as_deref())
        .text(row.recording_sid.as_deref())
        .big(row.sequence_number)
        .text(row.status.as_str())
        .big(row.occurred_at)
        .big(row.received_at)
        .text(row.idempotency_token.as_deref())
        .text(row.payload.as_str())
}

fn call_events(root: &str) -> Sql<'_> {
    Sql::new(CALL_EVENTS).text(root).text(root).text(root)
}

/// Binds the 21 values of [`upsert_call!`].
fn bind_call<'a>(sql: Sql<'a>, row: &'a CallDerivedRow, plan: &'a CallPlan, now: i64) -> Sql<'a> {
    let (agent_by_id, agent_by_identity) = match &plan.state.agent {
        Some(AgentRef::Id(id)) => (Some(*id), None),
        Some(AgentRef::Identity(identity)) => (None, Some(identity.as_str())),
        None => (None, None),
    };
    sql.text(row.root_sid.as_str())
        .text(row.direction)
        .text(row.status.as_str())
        .text(row.from_number.as_str())
        .text(row.to_number.as_str())
        .big(row.duration)
        .bool(row.answered)
        .bool(row.voicemail)
        .bool(row.has_recording)
        .text(row.recording_sid.as_deref())
        .text(row.recording_url.as_deref())
        .text(row.agent_identity.as_deref())
        .text(row.peer_identity.as_deref())
        .big(row.started_at)
        .big(row.answered_at)
        .big(row.ended_at)
        .big(row.updated_at)
        .big(now)
        .big(agent_by_id)
        .text(agent_by_identity)
        .text(plan.state.peer.as_ref().map(|p| p.as_str()))
}

/// Binds the 16 leg values of [`UPSERT_CALL_AND_LEG`] (its `call_id` comes from the call).
fn bind_leg<'a>(sql: Sql<'a>, row: &'a LegDerivedRow, now: i64) -> Sql<'a> {
    sql.text(row.call_sid.as_str())
        .text(row.parent_call_sid.as_deref())
        .text(row.direction.as_str())
        .text(row.from_party.as_str())
        .text(row.to_party.as_str())
        .text(row.agent_identity.as_deref())
        .text(row.status.as_str())
        .big(row.sequence_number)
        .big(row.duration)
        .int(row.sip_response_code)
        .text(row.answered_by.as_deref())
        .big(row.started_at)
        .big(row.answered_at)
        .big(row.ended_at)
        .big(row.updated_at)
        .big(now)
}

/// Binds the 19 values of [`upsert_recording_and_job!`].
fn bind_recording_and_job<'a>(
    sql: Sql<'a>,
    row: &'a RecordingDerivedRow,
    enqueue: bool,
    now: i64,
) -> Sql<'a> {
    sql.text(row.recording_sid.as_str())
        .text(row.call_sid.as_str())
        .text(row.status.as_str())
        .text(row.url.as_deref())
        .big(row.duration)
        .int(row.channels)
        .text(row.source.as_deref())
        .text(row.track.as_deref())
        .big(row.start_time)
        .int(row.error_code)
        .bool(row.is_voicemail)
        .big(row.updated_at)
        .big(now)
        .text(row.recording_sid.as_str())
        .text(JobState::Pending.as_str())
        .big(now)
        .big(now)
        .big(now)
        .bool(enqueue)
}

/// Stores `event` and refolds its call in one transaction (see the module documentation).
pub(crate) async fn apply_event(
    pool: &Pool<Conn>,
    event: &CallEvent,
    meta: &EventMeta,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    let conn = pool
        .get()
        .await
        .map_err(|e| StoreError::Pool(e.to_string()))?;
    let tx = Tx { conn: Some(conn) };
    match run(tx.conn(), event, meta, now).await {
        Ok(outcome) => {
            tx.release();
            Ok(outcome)
        }
        Err(e) => {
            tx.abandon().await;
            Err(e)
        }
    }
}

async fn run(
    conn: &Conn,
    event: &CallEvent,
    meta: &EventMeta,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    let row = NewEventRow::new(event, meta)?;
    match (event, event.root_sid()) {
        (CallEvent::Recording(recording), _) => {
            apply_recording(conn, event, &recording.recording_sid, &row, now).await
        }
        (_, Some(root)) => apply_leg(conn, event, root, &row, now).await,
        (_, None) => unreachable!("only recording events have no root"),
    }
}

/// A status or voice event: its call's root is known from the event itself.
async fn apply_leg(
    conn: &Conn,
    event: &CallEvent,
    root: &CallSid,
    row: &NewEventRow,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    // Lock order: the SID the event names, then the call's root. A child SID is never a
    // root, so two transactions never wait for each other in opposite orders.
    let named = event.call_sid().as_str();
    let (_, inserted, rows) = try_join3(
        exec(conn, Sql::new("BEGIN")),
        exec(
            conn,
            lock_and_insert(lock_keys(&[named, root.as_str()]), row),
        ),
        load::<EventRow>(conn, call_events(root.as_str())),
    )
    .await
    .map_err(db("storing an event"))?;
    if inserted == 0 {
        return duplicate(conn, Some(root.clone())).await;
    }
    let plan = plan_call(root, &rows, Touched::of(event))?;
    let call_id = store_leg(conn, root, event.call_sid(), plan.as_ref(), now).await?;
    Ok(ApplyOutcome {
        duplicate: false,
        call_sid: Some(root.clone()),
        call_id,
        job_enqueued: false,
    })
}

/// A recording event: it names a leg (usually the root) whose call may not be known yet.
async fn apply_recording(
    conn: &Conn,
    event: &CallEvent,
    recording: &RecordingSid,
    row: &NewEventRow,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    let named = event.call_sid().as_str();
    let rsid = recording.as_str();
    // The named SID's lock first, then the root's (below). It also makes "recording for
    // X" and "first event of leg X" see each other, whichever commits first. The call's
    // events are read as if the named SID were the root, the usual case (Twilio names the
    // parent call in recording callbacks).
    let (_, inserted, roots, recording_rows, named_rows) = try_join5(
        exec(conn, Sql::new("BEGIN")),
        exec(conn, lock_and_insert(lock_keys(&[named]), row)),
        load::<RootRow>(conn, Sql::new(FIND_ROOT).text(named).text(named)),
        load::<EventRow>(conn, Sql::new(RECORDING_EVENTS).text(rsid)),
        load::<EventRow>(conn, call_events(named)),
    )
    .await
    .map_err(db("storing an event"))?;
    let root = roots.into_iter().next().map(|r| r.root_sid);
    let call_sid = root.as_deref().map(CallSid::parse).transpose()?;
    if inserted == 0 {
        return duplicate(conn, call_sid).await;
    }
    let call_rows = match root.as_deref() {
        Some(root) if root != named => {
            let (_, rows) = try_join(
                exec(conn, Sql::new(LOCK).bigs(lock_keys(&[root]))),
                load::<EventRow>(conn, call_events(root)),
            )
            .await
            .map_err(db("locking a call"))?;
            rows
        }
        _ => named_rows,
    };
    let recording_state = plan_recording(recording, &recording_rows)?;
    let plan = match &call_sid {
        Some(root) => plan_call(root, &call_rows, Touched::of(event))?,
        None => None,
    };
    let (call_id, job_enqueued) =
        store_recording(conn, recording_state.as_ref(), plan.as_ref(), rsid, now).await?;
    Ok(ApplyOutcome {
        duplicate: false,
        call_sid,
        call_id,
        job_enqueued,
    })
}

/// Ends the transaction of an event that was stored already, reporting its call.
async fn duplicate(conn: &Conn, call_sid: Option<CallSid>) -> Result<ApplyOutcome, StoreError> {
    let root = call_sid.as_ref().map(CallSid::as_str);
    let (ids, _) = try_join(
        maybe(root.map(|root| load::<IdRow>(conn, Sql::new(CALL_ID).text(root)))),
        exec(conn, Sql::new("COMMIT")),
    )
    .await
    .map_err(db("looking up a call"))?;
    Ok(ApplyOutcome {
        duplicate: true,
        call_id: ids.and_then(|ids| ids.into_iter().next()).map(|r| r.id),
        call_sid,
        job_enqueued: false,
    })
}

/// Writes a leg event's refold and commits. Returns the call's id.
async fn store_leg(
    conn: &Conn,
    root: &CallSid,
    leg_sid: &CallSid,
    plan: Option<&CallPlan>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let Some(plan) = plan else {
        commit(conn).await.map_err(db("committing"))?;
        return Ok(None);
    };
    let call_row = CallDerivedRow::new(&plan.state, now);
    // `call_id` comes from the call upserted by the same statement, not this placeholder.
    let leg_row = plan.leg.as_ref().map(|leg| LegDerivedRow::new(0, leg, now));
    let statement = match &leg_row {
        Some(leg_row) => bind_leg(
            bind_call(Sql::new(UPSERT_CALL_AND_LEG), &call_row, plan, now),
            leg_row,
            now,
        )
        .bool(plan.link_waiting)
        .text(leg_sid.as_str())
        .text(root.as_str()),
        None => bind_call(Sql::new(UPSERT_CALL), &call_row, plan, now),
    };
    let (ids, _) = try_join(load::<IdRow>(conn, statement), commit(conn))
        .await
        .map_err(db("storing a call"))?;
    Ok(ids.into_iter().next().map(|r| r.id))
}

#[derive(QueryableByName)]
struct RecordingWrites {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    enqueued: i64,
}

/// Writes a recording event's refolds (the recording, its job, its call) and commits.
/// Returns the call's id and whether a job was enqueued.
async fn store_recording(
    conn: &Conn,
    recording: Option<&RecordingState>,
    plan: Option<&CallPlan>,
    rsid: &str,
    now: i64,
) -> Result<(Option<i64>, bool), StoreError> {
    let call_row = plan.map(|plan| CallDerivedRow::new(&plan.state, now));
    let Some(recording) = recording else {
        // Nothing to fold for the recording itself (its event was just stored, so this
        // does not happen): link it to the call as the sequential path would.
        let statements = call_row.as_ref().zip(plan).map(|(row, plan)| {
            (
                load::<IdRow>(conn, bind_call(Sql::new(UPSERT_CALL), row, plan, now)),
                exec(
                    conn,
                    Sql::new(LINK_RECORDING)
                        .text(row.root_sid.as_str())
                        .text(rsid),
                ),
            )
        });
        let (writes, _) = try_join(
            maybe(statements.map(|(call, link)| try_join(call, link))),
            commit(conn),
        )
        .await
        .map_err(db("storing a recording"))?;
        let call_id = writes.and_then(|(ids, _)| ids.into_iter().next().map(|r| r.id));
        return Ok((call_id, false));
    };
    let row = RecordingDerivedRow::new(recording, now);
    let enqueue = recording.status == RecordingStatus::Completed;
    let statement = match call_row.as_ref().zip(plan) {
        Some((call_row, plan)) => bind_recording_and_job(
            bind_call(Sql::new(UPSERT_CALL_AND_RECORDING), call_row, plan, now),
            &row,
            enqueue,
            now,
        ),
        None => bind_recording_and_job(Sql::new(UPSERT_RECORDING), &row, enqueue, now),
    };
    let (writes, _) = try_join(load::<RecordingWrites>(conn, statement), commit(conn))
        .await
        .map_err(db("storing a recording"))?;
    let writes = writes.into_iter().next();
    Ok((
        writes.as_ref().and_then(|w| w.id),
        writes.is_some_and(|w| w.enqueued > 0),
    ))
}

/// `COMMIT` as the last statement of a pipeline. PostgreSQL answers a `COMMIT` of a
/// transaction that an earlier statement aborted with a rollback, not an error: the
/// caller sees that statement's error instead.
fn commit(conn: &Conn) -> BoxFuture<'_, QueryResult<usize>> {
    exec(conn, Sql::new("COMMIT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_keep_order_and_drop_repeats() {
        let keys = lock_keys(&["CA1", "CA2", "CA1"]);
        assert_eq!(keys, vec![lock_key("CA1"), lock_key("CA2")]);
        assert_ne!(lock_key("CA1"), lock_key("CA2"));
    }

    /// A call with one leg and one recording, to bind every statement with.
    fn sample() -> (CallPlan, RecordingState) {
        use crate::party::Party;
        use crate::state::{CallState, LegState};
        use crate::status::{CallDirection, CallStatus, Direction};
        let at = chrono::DateTime::from_timestamp(1_772_366_400, 0).unwrap();
        let root = CallSid::parse("CA0123456789abcdef0123456789abcdef").unwrap();
        let number = Party::parse("+5511987654321").unwrap();
        let leg = LegState {
            call_sid: root.clone(),
            parent_call_sid: None,
            direction: Direction::Inbound,
            from: number.clone(),
            to: number.clone(),
            status: CallStatus::Completed,
            sequence_number: Some(3),
            duration: Some(42),
            sip_response_code: None,
            answered_by: None,
            agent_identity: None,
            started_at: at,
            answered_at: Some(at),
            ended_at: Some(at),
        };
        let recording = RecordingState {
            recording_sid: crate::ids::RecordingSid::parse("RE0123456789abcdef0123456789abcdef")
                .unwrap(),
            call_sid: root.clone(),
            status: RecordingStatus::Completed,
            url: None,
            duration: Some(42),
            channels: Some(2),
            start_time: Some(at),
            source: None,
            track: None,
            error_code: None,
            is_voicemail: false,
        };
        let state = CallState {
            root_sid: root,
            direction: CallDirection::Inbound,
            status: CallStatus::Completed,
            from: number.clone(),
            to: number,
            duration: 42,
            answered: true,
            voicemail: false,
            agent: Some(AgentRef::Id(1)),
            peer: None,
            started_at: at,
            answered_at: Some(at),
            ended_at: Some(at),
            legs: vec![leg.clone()],
            recordings: vec![recording.clone()],
            main_recording: None,
        };
        let plan = CallPlan {
            state,
            leg: Some(leg),
            link_waiting: true,
        };
        (plan, recording)
    }

    /// A count mismatch is an error at run time, on paths (a call without its leg, a
    /// recording whose events fold to nothing) that real deliveries seldom take.
    #[test]
    fn every_statement_has_as_many_values_as_placeholders() {
        let event_row = NewEventRow {
            dedupe_key: "k".into(),
            kind: "status",
            call_sid: "CA1".into(),
            parent_call_sid: None,
            root_sid: Some("CA1".into()),
            recording_sid: None,
            sequence_number: None,
            status: "ringing".into(),
            occurred_at: 1,
            received_at: 1,
            idempotency_token: None,
            payload: "{}".into(),
        };
        let (plan, recording) = sample();
        let call = CallDerivedRow::new(&plan.state, 1);
        let leg = LegDerivedRow::new(0, plan.leg.as_ref().unwrap(), 1);
        let rec = RecordingDerivedRow::new(&recording, 1);
        let statements = [
            Sql::new(LOCK).bigs(vec![1]),
            lock_and_insert(vec![1], &event_row),
            call_events("CA1"),
            Sql::new(RECORDING_EVENTS).text("RE1"),
            Sql::new(FIND_ROOT).text("CA1").text("CA1"),
            Sql::new(CALL_ID).text("CA1"),
            bind_call(Sql::new(UPSERT_CALL), &call, &plan, 1),
            bind_leg(
                bind_call(Sql::new(UPSERT_CALL_AND_LEG), &call, &plan, 1),
                &leg,
                1,
            )
            .bool(true)
            .text("CA1")
            .text("CA1"),
            bind_recording_and_job(
                bind_call(Sql::new(UPSERT_CALL_AND_RECORDING), &call, &plan, 1),
                &rec,
                true,
                1,
            ),
            bind_recording_and_job(Sql::new(UPSERT_RECORDING), &rec, true, 1),
            Sql::new(LINK_RECORDING).text("CA1").text("RE1"),
        ];
        for sql in statements {
            let mut builder = diesel::pg::PgQueryBuilder::default();
            diesel::query_builder::QueryFragment::to_sql(&sql, &mut builder, &diesel::pg::Pg)
                .unwrap();
        }
    }
}
