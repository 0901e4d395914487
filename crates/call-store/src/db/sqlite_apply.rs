// SQLite's event path: the event row, then the refold of its recording and its call, one
// statement after another (an in-process database has no round trips to save). Included
// by `db/sqlite.rs` inside its `q` module, after `queries/mod.rs`; PostgreSQL's pipelined
// path is `db/pg_apply.rs`. Both decide what to write with `db/derive.rs`.

use super::*;
use crate::db::derive::{Touched, plan_call, plan_recording};
use crate::db::rows::{CallDerivedRow, LegDerivedRow, NewEventRow, RecordingDerivedRow};
use crate::events::{CallEvent, EventMeta};
use crate::model::ApplyOutcome;
use crate::state::{AgentRef, CallState};
use crate::status::RecordingStatus;

/// Stores `event` and refolds its call. Must run inside a write transaction.
pub(crate) async fn apply_event(
    conn: &mut Conn,
    event: &CallEvent,
    meta: &EventMeta,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    // No locks: the single writer thread runs one write at a time (see `db/sqlite.rs`).
    let root = match event.root_sid() {
        Some(root) => Some(root.as_str().to_owned()),
        None => find_root(conn, event.call_sid().as_str()).await?,
    };
    let row = NewEventRow::new(event, meta)?;
    let inserted = diesel::insert_into(call_events::table)
        .values(&row)
        .on_conflict(call_events::dedupe_key)
        .do_nothing()
        .execute(conn)
        .await
        .map_err(db("storing an event"))?;
    let call_sid = root.as_deref().map(CallSid::parse).transpose()?;
    if inserted == 0 {
        let call_id = match &root {
            Some(root) => call_id_of_root(conn, root).await?,
            None => None,
        };
        return Ok(ApplyOutcome {
            duplicate: true,
            call_sid,
            call_id,
            job_enqueued: false,
        });
    }
    let mut job_enqueued = false;
    if let CallEvent::Recording(recording) = event {
        job_enqueued = refold_recording(conn, &recording.recording_sid, now).await?;
    }
    let touched = Touched::of(event);
    let call_id = match &call_sid {
        Some(root) => refold_call(conn, root, touched, now).await?,
        None => None,
    };
    Ok(ApplyOutcome {
        duplicate: false,
        call_sid,
        call_id,
        job_enqueued,
    })
}

/// Re-derives the recording row from its events; enqueues its job once completed.
/// Returns whether a job was enqueued.
async fn refold_recording(
    conn: &mut Conn,
    sid: &RecordingSid,
    now: i64,
) -> Result<bool, StoreError> {
    let rows: Vec<EventRow> = call_events::table
        .filter(call_events::recording_sid.eq(sid.as_str()))
        .select(EventRow::as_select())
        .load(conn)
        .await
        .map_err(db("loading a recording's events"))?;
    let Some(state) = plan_recording(sid, &rows)? else {
        return Ok(false);
    };
    let row = RecordingDerivedRow::new(&state, now);
    diesel::insert_into(recordings::table)
        .values((&row, recordings::created_at.eq(now)))
        .on_conflict(recordings::recording_sid)
        .do_update()
        .set(&row)
        .execute(conn)
        .await
        .map_err(db("storing a recording"))?;
    if state.status != RecordingStatus::Completed {
        return Ok(false);
    }
    let enqueued = diesel::insert_into(recording_jobs::table)
        .values((
            recording_jobs::recording_sid.eq(sid.as_str()),
            recording_jobs::state.eq(JobState::Pending.as_str()),
            recording_jobs::attempts.eq(0),
            recording_jobs::next_run_at.eq(now),
            recording_jobs::created_at.eq(now),
            recording_jobs::updated_at.eq(now),
        ))
        .on_conflict(recording_jobs::recording_sid)
        .do_nothing()
        .execute(conn)
        .await
        .map_err(db("enqueuing a recording job"))?;
    Ok(enqueued > 0)
}

/// Re-derives the call rooted at `root` from all its events and stores what changed: the
/// call row always, the touched leg or recording link.
async fn refold_call(
    conn: &mut Conn,
    root: &CallSid,
    touched: Touched<'_>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let rows = load_call_events(conn, root.as_str()).await?;
    let Some(plan) = plan_call(root, &rows, touched)? else {
        return Ok(None);
    };
    let call_id = store_call_row(conn, &plan.state, now).await?;
    match touched {
        Touched::Leg(sid) => {
            let Some(leg) = &plan.leg else {
                return Ok(Some(call_id));
            };
            let row = LegDerivedRow::new(call_id, leg, now);
            diesel::insert_into(call_legs::table)
                .values((&row, call_legs::created_at.eq(now)))
                .on_conflict(call_legs::call_sid)
                .do_update()
                .set(&row)
                .execute(conn)
                .await
                .map_err(db("storing a call leg"))?;
            if plan.link_waiting {
                diesel::update(
                    recordings::table
                        .filter(recordings::call_sid.eq_any([sid.as_str(), root.as_str()]))
                        .filter(recordings::call_id.is_null()),
                )
                .set(recordings::call_id.eq(call_id))
                .execute(conn)
                .await
                .map_err(db("linking waiting recordings to their call"))?;
            }
        }
        Touched::Recording(sid) => {
            diesel::update(recordings::table.filter(recordings::recording_sid.eq(sid.as_str())))
                .set(recordings::call_id.eq(call_id))
                .execute(conn)
                .await
                .map_err(db("linking a recording to its call"))?;
        }
    }
    Ok(Some(call_id))
}

/// Upserts the call row. The agents are resolved inside the statement (a subquery on
/// `agents`), so an identity maps to whoever holds it when the call changes.
async fn store_call_row(conn: &mut Conn, state: &CallState, now: i64) -> Result<i64, StoreError> {
    use diesel::upsert::excluded;
    let row = CallDerivedRow::new(state, now);
    let (agent_by_id, agent_by_identity) = match &state.agent {
        Some(AgentRef::Id(id)) => (Some(*id), None),
        Some(AgentRef::Identity(identity)) => (None, Some(identity.as_str())),
        None => (None, None),
    };
    let agent = agents::table
        .filter(
            agents::id
                .nullable()
                .eq(agent_by_id)
                .or(agents::identity.nullable().eq(agent_by_identity)),
        )
        .select(agents::id)
        .limit(1)
        .single_value();
    let peer = agents::table
        .filter(
            agents::identity
                .nullable()
                .eq(state.peer.as_ref().map(ClientIdentity::as_str)),
        )
        .select(agents::id)
        .limit(1)
        .single_value();
    diesel::insert_into(calls::table)
        .values((
            &row,
            calls::created_at.eq(now),
            calls::agent_id.eq(agent),
            calls::peer_agent_id.eq(peer),
        ))
        .on_conflict(calls::root_sid)
        .do_update()
        .set((
            &row,
            calls::agent_id.eq(excluded(calls::agent_id)),
            calls::peer_agent_id.eq(excluded(calls::peer_agent_id)),
        ))
        .returning(calls::id)
        .get_result(conn)
        .await
        .map_err(db("storing a call"))
}
