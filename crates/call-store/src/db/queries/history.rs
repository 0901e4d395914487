// Reading calls: one call, history pages (filters, visibility, keyset), event logs.
// Included by `queries/mod.rs`: see there.

use super::*;

/// The id of the call with `sid` as root or leg.
async fn call_id_of_sid(conn: &mut Conn, sid: &str) -> Result<Option<i64>, StoreError> {
    if let Some(id) = call_id_of_root(conn, sid).await? {
        return Ok(Some(id));
    }
    call_legs::table
        .filter(call_legs::call_sid.eq(sid))
        .select(call_legs::call_id)
        .first::<i64>(conn)
        .await
        .optional()
        .map_err(db("looking up a call leg"))
}

pub(crate) async fn get_call(
    conn: &mut Conn,
    sid: &CallSid,
) -> Result<Option<CallSummary>, StoreError> {
    let Some(id) = call_id_of_sid(conn, sid.as_str()).await? else {
        return Ok(None);
    };
    let rows: Vec<CallRow> = calls::table
        .find(id)
        .select(CallRow::as_select())
        .load(conn)
        .await
        .map_err(db("reading a call"))?;
    Ok(hydrate(conn, rows).await?.into_iter().next())
}

/// The history filters as a boxed query on `calls` (without cursor, order or limit);
/// `number` is how this backend finds `query.number_contains` (see `number_match`), and
/// `top` lets it stop after a page when the number is the only filter.
fn filtered<'a>(
    query: &'a CallQuery,
    number: Option<&NumberMatch>,
    top: Option<Top>,
) -> calls::BoxedQuery<'a, Db> {
    let mut q = calls::table.into_boxed();
    if let Some(direction) = query.direction {
        q = q.filter(calls::direction.eq(direction.as_str()));
    }
    if let Some(status) = &query.status {
        q = q.filter(calls::status.eq(status.as_str()));
    }
    if let Some(agent) = query.agent_id {
        q = q.filter(calls::agent_id.eq(agent));
    }
    if let Some(number) = number {
        q = q.filter(number_condition(number, top));
    }
    if let Some(from) = query.started_from {
        q = q.filter(calls::started_at.ge(to_ms(from)));
    }
    if let Some(before) = query.started_before {
        q = q.filter(calls::started_at.lt(to_ms(before)));
    }
    if let Some(has) = query.has_recording {
        q = q.filter(calls::has_recording.eq(has));
    }
    if let Visibility::Agent(agent) = query.visibility {
        q = q.filter(
            calls::agent_id
                .eq(agent)
                .or(calls::peer_agent_id.eq(agent))
                .or(calls::direction
                    .eq("inbound")
                    .and(calls::answered.eq(false))),
        );
    }
    q
}

/// Which calls one branch of a page query reads.
#[derive(Debug, Clone, Copy)]
enum Branch {
    /// Every call matching the filters.
    All,
    /// Calls whose agent is this one.
    AgentOf(i64),
    /// Internal calls to this agent.
    PeerOf(i64),
    /// Unanswered inbound calls.
    Missed,
}

/// One page (size + 1 rows, newest first) of the calls of `branch` that match `query`.
async fn page_branch(
    conn: &mut Conn,
    query: &CallQuery,
    number: Option<&NumberMatch>,
    branch: Branch,
    size: i64,
) -> Result<Vec<CallRow>, StoreError> {
    let top = (matches!(branch, Branch::All) && query.filters_only_by_number()).then_some(Top {
        cursor: query.cursor,
        rows: size + 1,
    });
    let mut page = filtered(query, number, top);
    page = match branch {
        Branch::All => page,
        Branch::AgentOf(agent) => page.filter(calls::agent_id.eq(agent)),
        Branch::PeerOf(agent) => page.filter(calls::peer_agent_id.eq(agent)),
        // Written as the partial index `calls_missed_idx` is, so both planners can use it.
        Branch::Missed => page
            .filter(calls::direction.eq("inbound"))
            .filter(calls::answered.eq(false)),
    };
    if let Some(cursor) = query.cursor {
        // The first conjunct is redundant but sargable: the index scan starts at the cursor
        // instead of filtering every newer row (keyset pagination without row values).
        page = page
            .filter(calls::started_at.le(cursor.started_at_ms))
            .filter(
                calls::started_at
                    .lt(cursor.started_at_ms)
                    .or(calls::id.lt(cursor.id)),
            );
    }
    page.order((calls::started_at.desc(), calls::id.desc()))
        .limit(size + 1)
        .select(CallRow::as_select())
        .load(conn)
        .await
        .map_err(db("listing calls"))
}

pub(crate) async fn list_calls(conn: &mut Conn, query: &CallQuery) -> Result<CallPage, StoreError> {
    let size = query.page_size();
    let number = match &query.number_contains {
        Some(fragment) => Some(number_match(conn, fragment, size + 1).await?),
        None => None,
    };
    let number = number.as_ref();
    let mut rows = match query.visibility {
        Visibility::All => page_branch(conn, query, number, Branch::All, size).await?,
        Visibility::Agent(agent) => {
            // "Own calls or missed inbound calls" as one OR makes both databases collect and
            // sort every match. Three ordered index scans, each stopping after a page, and a
            // merge give the same first page at the cost of a page each.
            let mut merged: BTreeMap<(i64, i64), CallRow> = BTreeMap::new();
            for branch in [
                Branch::AgentOf(agent),
                Branch::PeerOf(agent),
                Branch::Missed,
            ] {
                for row in page_branch(conn, query, number, branch, size).await? {
                    merged.insert((row.started_at, row.id), row);
                }
            }
            merged.into_values().rev().collect()
        }
    };
    let next_cursor = if rows.len() as i64 > size {
        rows.truncate(size as usize);
        rows.last().map(|last| Cursor {
            started_at_ms: last.started_at,
            id: last.id,
        })
    } else {
        None
    };
    let total = if query.with_total {
        let count: i64 = filtered(query, number, None)
            .count()
            .get_result(conn)
            .await
            .map_err(db("counting calls"))?;
        Some(u64::try_from(count).unwrap_or(0))
    } else {
        None
    };
    let items = hydrate(conn, rows).await?;
    Ok(CallPage {
        items,
        next_cursor,
        total,
    })
}

/// Turns call rows into summaries with agents, legs, recordings, copies and jobs (a
/// fixed number of queries per page, whatever its size).
async fn hydrate(conn: &mut Conn, rows: Vec<CallRow>) -> Result<Vec<CallSummary>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let agent_ids: BTreeSet<i64> = rows.iter().filter_map(|r| r.agent_id).collect();
    let names: BTreeMap<i64, String> = if agent_ids.is_empty() {
        BTreeMap::new()
    } else {
        agents::table
            .filter(agents::id.eq_any(&agent_ids))
            .select((agents::id, agents::display_name))
            .load::<(i64, String)>(conn)
            .await
            .map_err(db("reading agent names"))?
            .into_iter()
            .collect()
    };
    let leg_rows: Vec<LegRow> = call_legs::table
        .filter(call_legs::call_id.eq_any(&ids))
        .select(LegRow::as_select())
        .load(conn)
        .await
        .map_err(db("reading call legs"))?;
    let recording_views = recordings_where_call_in(conn, &ids).await?;

    let mut legs_by_call: BTreeMap<i64, Vec<LegRow>> = BTreeMap::new();
    for leg in leg_rows {
        legs_by_call.entry(leg.call_id).or_default().push(leg);
    }
    let mut recordings_by_call: BTreeMap<i64, Vec<RecordingView>> = BTreeMap::new();
    for view in recording_views {
        if let Some(call_id) = view.call_id {
            recordings_by_call.entry(call_id).or_default().push(view);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        let user_name = row.agent_id.and_then(|a| names.get(&a).cloned());
        let mut summary = row.into_summary(user_name)?;
        let mut legs = legs_by_call
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(LegRow::into_state)
            .collect::<Result<Vec<_>, _>>()?;
        let root = summary.call_sid.clone();
        legs.sort_by(|a, b| {
            (a.call_sid != root, a.started_at, &a.call_sid).cmp(&(
                b.call_sid != root,
                b.started_at,
                &b.call_sid,
            ))
        });
        summary.legs = legs;
        let mut views = recordings_by_call.remove(&id).unwrap_or_default();
        views.sort_by(|a, b| recording_order(&a.recording).cmp(&recording_order(&b.recording)));
        summary.drive_file_url = views
            .iter()
            .find(|v| Some(&v.recording.recording_sid) == summary.recording_sid.as_ref())
            .and_then(|v| v.copies.iter().find(|c| c.sink == DRIVE_SINK))
            .map(|c| c.location.clone());
        summary.recordings = views;
        out.push(summary);
    }
    Ok(out)
}

/// Recordings (with copies and jobs) linked to these calls.
async fn recordings_where_call_in(
    conn: &mut Conn,
    call_ids: &[i64],
) -> Result<Vec<RecordingView>, StoreError> {
    let rows: Vec<(RecordingRow, Option<JobRow>)> = recordings::table
        .left_join(
            recording_jobs::table.on(recording_jobs::recording_sid.eq(recordings::recording_sid)),
        )
        .filter(recordings::call_id.eq_any(call_ids))
        .select((RecordingRow::as_select(), Option::<JobRow>::as_select()))
        .load(conn)
        .await
        .map_err(db("reading recordings"))?;
    recording_views(conn, rows).await
}

pub(crate) async fn recording_views(
    conn: &mut Conn,
    rows: Vec<(RecordingRow, Option<JobRow>)>,
) -> Result<Vec<RecordingView>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sids: Vec<&str> = rows.iter().map(|(r, _)| r.recording_sid.as_str()).collect();
    let copy_rows: Vec<CopyRow> = recording_copies::table
        .filter(recording_copies::recording_sid.eq_any(&sids))
        .order((recording_copies::recording_sid, recording_copies::sink))
        .select(CopyRow::as_select())
        .load(conn)
        .await
        .map_err(db("reading recording copies"))?;
    let mut copies: BTreeMap<String, Vec<RecordingCopy>> = BTreeMap::new();
    for row in copy_rows {
        copies
            .entry(row.recording_sid.clone())
            .or_default()
            .push(row.into_model()?);
    }
    rows.into_iter()
        .map(|(recording, job)| {
            let copies = copies.remove(&recording.recording_sid).unwrap_or_default();
            let (recording, call_id) = recording.into_state()?;
            Ok(RecordingView {
                recording,
                call_id,
                copies,
                job: job.map(JobRow::into_model).transpose()?,
            })
        })
        .collect()
}

pub(crate) async fn call_events_of(
    conn: &mut Conn,
    sid: &CallSid,
) -> Result<Vec<StoredEvent>, StoreError> {
    let root = find_root(conn, sid.as_str()).await?;
    let Some(root) = root else {
        return Ok(Vec::new());
    };
    let mut rows = load_call_events(conn, &root).await?;
    rows.sort_by_key(|r| r.id);
    rows.into_iter().map(EventRow::into_stored).collect()
}

fn check_contact_text(value: Option<&str>, field: &'static str) -> Result<(), InputError> {
    match value {
        Some(v) if v.chars().count() > 256 || v.chars().any(char::is_control) => Err(
            InputError::invalid(field, "at most 256 characters, no control characters"),
        ),
        _ => Ok(()),
    }
}

pub(crate) async fn set_call_contact(
    conn: &mut Conn,
    sid: &CallSid,
    contact: &CallContact,
    now: i64,
) -> Result<bool, StoreError> {
    check_contact_text(contact.contact_wa_id.as_deref(), "contact_wa_id")?;
    check_contact_text(contact.contact_name.as_deref(), "contact_name")?;
    let Some(id) = call_id_of_sid(conn, sid.as_str()).await? else {
        return Ok(false);
    };
    diesel::update(calls::table.find(id))
        .set((
            calls::contact_wa_id.eq(contact.contact_wa_id.as_deref()),
            calls::contact_name.eq(contact.contact_name.as_deref()),
            calls::channel_id.eq(contact.channel_id),
            calls::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map_err(db("setting a call's contact"))?;
    Ok(true)
}
