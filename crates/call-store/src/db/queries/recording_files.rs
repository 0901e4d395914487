// Recordings: reading them, their copies in sinks, playback audit.
// Included by `queries/mod.rs`: see there.

use super::*;

pub(crate) async fn get_recording(
    conn: &mut Conn,
    sid: &RecordingSid,
) -> Result<Option<RecordingView>, StoreError> {
    let rows: Vec<(RecordingRow, Option<JobRow>)> = recordings::table
        .left_join(
            recording_jobs::table.on(recording_jobs::recording_sid.eq(recordings::recording_sid)),
        )
        .filter(recordings::recording_sid.eq(sid.as_str()))
        .select((RecordingRow::as_select(), Option::<JobRow>::as_select()))
        .load(conn)
        .await
        .map_err(db("reading a recording"))?;
    Ok(recording_views(conn, rows).await?.into_iter().next())
}

fn check_sink(sink: &str, location: &str) -> Result<(), InputError> {
    if sink.is_empty()
        || sink.len() > 64
        || !sink
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(InputError::invalid(
            "sink",
            "1 to 64 letters, digits, - or _",
        ));
    }
    if location.is_empty() || location.len() > 4096 || location.chars().any(char::is_control) {
        return Err(InputError::invalid(
            "location",
            "1 to 4096 characters, no control characters",
        ));
    }
    Ok(())
}

fn not_found_on_foreign_key(
    what: &'static str,
    context: &'static str,
) -> impl FnOnce(DieselError) -> StoreError {
    move |err| match err {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            StoreError::NotFound { what }
        }
        other => db(context)(other),
    }
}

pub(crate) async fn record_copy(
    conn: &mut Conn,
    recording: &RecordingSid,
    sink: &str,
    location: &str,
    now: i64,
) -> Result<RecordingCopy, StoreError> {
    check_sink(sink, location)?;
    diesel::insert_into(recording_copies::table)
        .values(NewCopyRow {
            recording_sid: recording.as_str(),
            sink,
            location,
            stored_at: now,
        })
        .on_conflict((recording_copies::recording_sid, recording_copies::sink))
        .do_nothing()
        .execute(conn)
        .await
        .map_err(not_found_on_foreign_key(
            "recording",
            "storing a recording copy",
        ))?;
    recording_copies::table
        .filter(recording_copies::recording_sid.eq(recording.as_str()))
        .filter(recording_copies::sink.eq(sink))
        .select(CopyRow::as_select())
        .first(conn)
        .await
        .map_err(db("reading a recording copy"))?
        .into_model()
}

pub(crate) async fn record_playback(
    conn: &mut Conn,
    recording: &RecordingSid,
    agent_id: Option<i64>,
    via: PlaybackVia,
    now: i64,
) -> Result<PlaybackEntry, StoreError> {
    diesel::insert_into(playback_audit::table)
        .values(NewPlaybackRow {
            recording_sid: recording.as_str(),
            agent_id,
            via: via.as_str(),
            at: now,
        })
        .returning(PlaybackRow::as_returning())
        .get_result(conn)
        .await
        .map_err(not_found_on_foreign_key(
            "recording or agent",
            "auditing a playback",
        ))?
        .into_model()
}

pub(crate) async fn list_playbacks(
    conn: &mut Conn,
    recording: &RecordingSid,
) -> Result<Vec<PlaybackEntry>, StoreError> {
    playback_audit::table
        .filter(playback_audit::recording_sid.eq(recording.as_str()))
        .order((playback_audit::at, playback_audit::id))
        .select(PlaybackRow::as_select())
        .load(conn)
        .await
        .map_err(db("listing playbacks"))?
        .into_iter()
        .map(PlaybackRow::into_model)
        .collect()
}
