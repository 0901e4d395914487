// Applying an event: locks, the event row, the refold of its recording and its call.
// Included by `queries/mod.rs`: see there.

use super::*;

/// Stores `event` and refolds its call. Must run inside a write transaction.
pub(crate) async fn apply_event(
    conn: &mut Conn,
    event: &CallEvent,
    meta: &EventMeta,
    now: i64,
) -> Result<ApplyOutcome, StoreError> {
    // Lock order: the SID the event names first, then the call's root. A child SID is
    // never a root, so two transactions never wait for each other in opposite orders.
    // The named-SID lock also makes "recording for X" and "first event of leg X" see each
    // other, whichever commits first.
    let named = event.call_sid().as_str();
    let root = match event.root_sid() {
        Some(root) => {
            lock_sids(conn, &[named, root.as_str()]).await?;
            Some(root.as_str().to_owned())
        }
        None => {
            lock_sids(conn, &[named]).await?;
            let root = find_root(conn, named).await?;
            if let Some(root) = root.as_deref().filter(|root| *root != named) {
                lock_sids(conn, &[root]).await?;
            }
            root
        }
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
    let touched = match event {
        CallEvent::Recording(recording) => Touched::Recording(&recording.recording_sid),
        leg => Touched::Leg(leg.call_sid()),
    };
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

/// The root SID of the call that has `sid` as its root or as a leg.
pub(crate) async fn find_root(conn: &mut Conn, sid: &str) -> Result<Option<String>, StoreError> {
    let as_root = calls::table
        .filter(calls::root_sid.eq(sid))
        .select(calls::root_sid)
        .first::<String>(conn)
        .await
        .optional()
        .map_err(db("looking up a call"))?;
    if as_root.is_some() {
        return Ok(as_root);
    }
    call_legs::table
        .inner_join(calls::table)
        .filter(call_legs::call_sid.eq(sid))
        .select(calls::root_sid)
        .first::<String>(conn)
        .await
        .optional()
        .map_err(db("looking up a call leg"))
}

pub(crate) async fn call_id_of_root(
    conn: &mut Conn,
    root: &str,
) -> Result<Option<i64>, StoreError> {
    calls::table
        .filter(calls::root_sid.eq(root))
        .select(calls::id)
        .first::<i64>(conn)
        .await
        .optional()
        .map_err(db("looking up a call"))
}

/// The call's leg events, then the recording events naming its root or one of its legs.
///
/// Two index lookups with bound values. (One statement with `IN (subquery)` was tried:
/// without fresh statistics PostgreSQL planned it as a scan of every event.)
pub(crate) async fn load_call_events(
    conn: &mut Conn,
    root: &str,
) -> Result<Vec<EventRow>, StoreError> {
    let mut rows: Vec<EventRow> = call_events::table
        .filter(call_events::root_sid.eq(root))
        .select(EventRow::as_select())
        .load(conn)
        .await
        .map_err(db("loading a call's events"))?;
    let mut sids: BTreeSet<String> = BTreeSet::from([root.to_owned()]);
    for row in &rows {
        sids.insert(row.event()?.call_sid().to_string());
    }
    let sids: Vec<String> = sids.into_iter().collect();
    let recordings: Vec<EventRow> = call_events::table
        .filter(call_events::call_sid.eq_any(&sids))
        .filter(call_events::kind.eq(EventKind::Recording.as_str()))
        .select(EventRow::as_select())
        .load(conn)
        .await
        .map_err(db("loading a call's recording events"))?;
    rows.extend(recordings);
    Ok(rows)
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
    let events = rows
        .iter()
        .map(EventRow::event)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(state) = fold_recording(sid, &events) else {
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

/// What the event being applied changed, besides the call row.
#[derive(Debug, Clone, Copy)]
enum Touched<'a> {
    /// A leg event: only this leg's row changes.
    Leg(&'a CallSid),
    /// A recording event: only this recording's link changes.
    Recording(&'a RecordingSid),
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
    let events = rows
        .iter()
        .map(EventRow::event)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(state) = fold_call(root, &events) else {
        return Ok(None);
    };
    let call_id = store_call_row(conn, &state, now).await?;
    match touched {
        Touched::Leg(sid) => {
            let Some(leg) = state.legs.iter().find(|l| &l.call_sid == sid) else {
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
            // A leg seen for the first time may be what recordings named before it existed.
            let leg_events = events
                .iter()
                .filter(|e| e.root_sid().is_some() && e.call_sid() == sid)
                .count();
            if leg_events == 1 {
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
