// The recording pipeline's job queue: claims with leases, completion, failure, retries.
// Included by `queries/mod.rs`: see there.

use super::*;

/// Longest worker id accepted.
const WORKER_ID_MAX: usize = 128;
/// Longest error message kept on a job (longer ones are cut).
const JOB_ERROR_MAX: usize = 2000;
/// Largest `list_jobs` page.
const JOB_LIST_MAX: u32 = 1000;

pub(crate) fn check_worker(worker: &str) -> Result<(), InputError> {
    if worker.is_empty()
        || worker.len() > WORKER_ID_MAX
        || !worker.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(InputError::invalid(
            "worker",
            "1 to 128 printable ASCII characters",
        ));
    }
    Ok(())
}

/// Claims due jobs. Must run inside a write transaction.
pub(crate) async fn claim_jobs(
    conn: &mut Conn,
    worker: &str,
    limit: u32,
    lease_ms: i64,
    now: i64,
) -> Result<Vec<RecordingJob>, StoreError> {
    let ids = due_job_ids(conn, now, i64::from(limit)).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<JobRow> =
        diesel::update(recording_jobs::table.filter(recording_jobs::id.eq_any(&ids)))
            .set((
                recording_jobs::state.eq(JobState::Running.as_str()),
                recording_jobs::locked_by.eq(worker),
                recording_jobs::locked_until.eq(now.saturating_add(lease_ms)),
                recording_jobs::attempts.eq(recording_jobs::attempts + 1),
                recording_jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_results(conn)
            .await
            .map_err(db("claiming jobs"))?;
    rows.sort_by_key(|r| (r.next_run_at, r.id));
    rows.into_iter().map(JobRow::into_model).collect()
}

/// `Ok(job)` if the update touched the job; otherwise tells a lost lease from a missing job.
async fn leased_update_result(
    conn: &mut Conn,
    job_id: i64,
    updated: Option<JobRow>,
) -> Result<RecordingJob, StoreError> {
    match updated {
        Some(row) => row.into_model(),
        None => {
            let exists = recording_jobs::table
                .find(job_id)
                .select(recording_jobs::id)
                .first::<i64>(conn)
                .await
                .optional()
                .map_err(db("reading a job"))?;
            Err(match exists {
                Some(_) => StoreError::LeaseLost { job_id },
                None => StoreError::NotFound { what: "job" },
            })
        }
    }
}

pub(crate) async fn complete_job(
    conn: &mut Conn,
    job_id: i64,
    worker: &str,
    now: i64,
) -> Result<RecordingJob, StoreError> {
    check_worker(worker)?;
    let updated = diesel::update(
        recording_jobs::table
            .find(job_id)
            .filter(recording_jobs::state.eq(JobState::Running.as_str()))
            .filter(recording_jobs::locked_by.eq(worker)),
    )
    .set((
        recording_jobs::state.eq(JobState::Done.as_str()),
        recording_jobs::locked_by.eq(None::<String>),
        recording_jobs::locked_until.eq(None::<i64>),
        recording_jobs::updated_at.eq(now),
    ))
    .returning(JobRow::as_returning())
    .get_result(conn)
    .await
    .optional()
    .map_err(db("completing a job"))?;
    leased_update_result(conn, job_id, updated).await
}

pub(crate) async fn fail_job(
    conn: &mut Conn,
    job_id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<RecordingJob, StoreError> {
    check_worker(worker)?;
    let error: String = error.chars().take(JOB_ERROR_MAX).collect();
    let (state, next_run_at) = match retry_at {
        Some(at) => (JobState::Pending, at),
        None => (JobState::Dead, now),
    };
    let updated = diesel::update(
        recording_jobs::table
            .find(job_id)
            .filter(recording_jobs::state.eq(JobState::Running.as_str()))
            .filter(recording_jobs::locked_by.eq(worker)),
    )
    .set((
        recording_jobs::state.eq(state.as_str()),
        recording_jobs::next_run_at.eq(next_run_at),
        recording_jobs::last_error.eq(error),
        recording_jobs::locked_by.eq(None::<String>),
        recording_jobs::locked_until.eq(None::<i64>),
        recording_jobs::updated_at.eq(now),
    ))
    .returning(JobRow::as_returning())
    .get_result(conn)
    .await
    .optional()
    .map_err(db("failing a job"))?;
    leased_update_result(conn, job_id, updated).await
}

pub(crate) async fn retry_dead_job(
    conn: &mut Conn,
    recording: &RecordingSid,
    now: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        recording_jobs::table
            .filter(recording_jobs::recording_sid.eq(recording.as_str()))
            .filter(recording_jobs::state.eq(JobState::Dead.as_str())),
    )
    .set((
        recording_jobs::state.eq(JobState::Pending.as_str()),
        recording_jobs::next_run_at.eq(now),
        // A manual retry starts a fresh series of attempts.
        recording_jobs::attempts.eq(0),
        recording_jobs::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map_err(db("retrying a dead job"))?;
    Ok(updated > 0)
}

pub(crate) async fn release_jobs(
    conn: &mut Conn,
    worker: &str,
    now: i64,
) -> Result<u64, StoreError> {
    check_worker(worker)?;
    let released = diesel::update(
        recording_jobs::table
            .filter(recording_jobs::state.eq(JobState::Running.as_str()))
            .filter(recording_jobs::locked_by.eq(worker)),
    )
    .set((
        recording_jobs::state.eq(JobState::Pending.as_str()),
        recording_jobs::next_run_at.eq(now),
        recording_jobs::attempts.eq(recording_jobs::attempts - 1),
        recording_jobs::locked_by.eq(None::<String>),
        recording_jobs::locked_until.eq(None::<i64>),
        recording_jobs::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map_err(db("releasing jobs"))?;
    Ok(released as u64)
}

pub(crate) async fn list_jobs(
    conn: &mut Conn,
    filter: &JobFilter,
) -> Result<Vec<RecordingJob>, StoreError> {
    let mut q = recording_jobs::table.into_boxed();
    if let Some(state) = filter.state {
        q = q.filter(recording_jobs::state.eq(state.as_str()));
    }
    if let Some(before) = filter.before_id {
        q = q.filter(recording_jobs::id.lt(before));
    }
    q.order(recording_jobs::id.desc())
        .limit(i64::from(filter.limit.clamp(1, JOB_LIST_MAX)))
        .select(JobRow::as_select())
        .load(conn)
        .await
        .map_err(db("listing jobs"))?
        .into_iter()
        .map(JobRow::into_model)
        .collect()
}

pub(crate) async fn get_job(
    conn: &mut Conn,
    recording: &RecordingSid,
) -> Result<Option<RecordingJob>, StoreError> {
    recording_jobs::table
        .filter(recording_jobs::recording_sid.eq(recording.as_str()))
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(db("reading a job"))?
        .map(JobRow::into_model)
        .transpose()
}
