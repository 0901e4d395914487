// Finding a call and its events by SID (used by the event path and the history).
// Included by `queries/mod.rs`: see there.

use super::*;

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
        // Implied by the kind (a CHECK constraint); stated so that PostgreSQL's partial
        // index on call_sid (recording events only) applies.
        .filter(call_events::recording_sid.is_not_null())
        .select(EventRow::as_select())
        .load(conn)
        .await
        .map_err(db("loading a call's recording events"))?;
    rows.extend(recordings);
    Ok(rows)
}
