//! Recordings: playback (`GET /api/twilio/recording/{sid}`) and the admin views of the filing
//! queue (`GET /api/recordings`, `POST /api/recordings/{sid}/retry`).
//!
//! Playback is for a logged-in agent (bearer header, or the session cookie an `<audio>` element
//! sends) who can see the call, or for anyone holding a signed link that has not expired (the
//! history hands them out). The local copy is streamed when there is one, Twilio's media
//! otherwise; never a whole file in memory. Every playback is audited.

use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, RANGE,
};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use call_store::ids::RecordingSid;
use call_store::model::{AgentRole, JobFilter, JobState, PlaybackVia};
use call_store::status::RecordingStatus;
use futures_util::TryStreamExt as _;
use recording_sink::{LocalFolderSink, MediaType};
use serde::Deserialize;
use serde_json::json;
use tokio_util::io::ReaderStream;

use crate::auth::{CurrentAgent, LinkCheck};
use crate::error::ApiError;
use crate::recordings::range::ByteRange;
use crate::recordings::twilio::FetchError;
use crate::state::AppState;

/// Bytes read from disk per chunk sent.
const FILE_CHUNK: usize = 64 * 1024;

/// The signed-link part of a playback URL.
#[derive(Debug, Deserialize)]
pub struct LinkParams {
    exp: Option<i64>,
    sig: Option<String>,
}

/// `GET /api/twilio/recording/{sid}`.
pub async fn play(
    state: web::Data<AppState>,
    req: HttpRequest,
    sid: web::Path<String>,
    link: web::Query<LinkParams>,
    agent: Option<CurrentAgent>,
) -> Result<HttpResponse, ApiError> {
    // A malformed SID names nothing: 404, whatever the credentials.
    let sid = RecordingSid::parse(&sid).map_err(|_| ApiError::NotFound)?;
    let via = match (&link.exp, &link.sig) {
        (Some(exp), Some(sig)) => {
            let now = chrono::Utc::now().timestamp();
            match state
                .signer
                .check_recording_link(sid.as_str(), *exp, sig, now)
            {
                LinkCheck::Valid => PlaybackVia::SignedLink,
                LinkCheck::Expired => {
                    return Err(ApiError::Forbidden(
                        "this recording link has expired: open the call again for a new one",
                    ));
                }
                LinkCheck::Forged => return Err(ApiError::Forbidden("invalid recording link")),
            }
        }
        (None, None) => PlaybackVia::Session,
        _ => return Err(ApiError::Forbidden("invalid recording link")),
    };
    if via == PlaybackVia::Session && agent.is_none() {
        return Err(ApiError::Unauthorized);
    }

    let view = state
        .store
        .get_recording(&sid)
        .await?
        .filter(|v| v.recording.status == RecordingStatus::Completed)
        .ok_or(ApiError::NotFound)?;
    if via == PlaybackVia::Session
        && let Some(CurrentAgent(agent)) = &agent
        && agent.role != AgentRole::Admin
    {
        // Agents hear the recordings of calls they can see; the link's signature is its own
        // permission (it was handed to someone who could).
        let call = state.store.get_call(&view.recording.call_sid).await?;
        if !call.is_some_and(|c| crate::live::visible_to(&c, agent.id, agent.role)) {
            return Err(ApiError::NotFound);
        }
    }

    let range_header = req.headers().get(RANGE).and_then(|v| v.to_str().ok());
    let local = view
        .copies
        .iter()
        .find(|c| c.sink == LocalFolderSink::NAME)
        .map(|c| c.location.clone());
    let agent_id = agent.as_ref().map(|a| a.0.id);
    if let Some(location) = local {
        match state.recordings.local.open(&location).await {
            Ok(file) => {
                let len = file.len();
                let range = ByteRange::parse(range_header, len);
                if range == ByteRange::Unsatisfiable {
                    return Ok(unsatisfiable(len));
                }
                audit(&state, &sid, agent_id, via).await?;
                let (start, count) = match range {
                    ByteRange::Partial { start, end } => (start, end - start + 1),
                    _ => (0, len),
                };
                let media_type = file.media_type();
                let reader = file
                    .read_range(start, count)
                    .await
                    .map_err(|e| ApiError::Internal(format!("reading a local recording: {e}")))?;
                let status = match range {
                    ByteRange::Partial { .. } => StatusCode::PARTIAL_CONTENT,
                    _ => StatusCode::OK,
                };
                let mut response = audio_response(status, media_type, &sid);
                if let Some(content_range) = range.content_range(len) {
                    response.insert_header((CONTENT_RANGE, content_range));
                }
                return Ok(response
                    .no_chunking(count)
                    .streaming(ReaderStream::with_capacity(reader, FILE_CHUNK)));
            }
            // The file went missing (deleted by hand?): Twilio may still have it.
            Err(e) => {
                tracing::warn!(recording.sid = %sid, error = %e, "the local copy of a recording cannot be opened; streaming from Twilio")
            }
        }
    }

    let twilio = state.recordings.twilio.as_ref().ok_or(ApiError::NotFound)?;
    let upstream = match twilio.open(&sid, range_header).await {
        Ok(r) => r,
        Err(FetchError::NotFound) => return Err(ApiError::NotFound),
        Err(FetchError::Status(416)) => {
            return Ok(HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE).finish());
        }
        Err(e) => {
            tracing::warn!(recording.sid = %sid, error = %e, "streaming a recording from Twilio failed");
            return Err(ApiError::Unavailable(
                "Twilio did not serve the recording; try again",
            ));
        }
    };
    audit(&state, &sid, agent_id, via).await?;
    // Twilio decides whether it honours the range: pass its 206 on, or serve its 200 whole.
    let partial = upstream.status() == reqwest::StatusCode::PARTIAL_CONTENT;
    let media_type = upstream
        .headers()
        .get(CONTENT_TYPE.as_str())
        .and_then(|v| v.to_str().ok())
        .and_then(MediaType::from_content_type)
        .unwrap_or(MediaType::Mp3);
    let status = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut response = audio_response(status, media_type, &sid);
    if partial
        && let Some(value) = upstream
            .headers()
            .get(CONTENT_RANGE.as_str())
            .and_then(|v| v.to_str().ok())
    {
        response.insert_header((CONTENT_RANGE, value.to_owned()));
    }
    let length = upstream.content_length();
    let body = upstream.bytes_stream().map_err(std::io::Error::other);
    Ok(match length {
        Some(n) => response.no_chunking(n).streaming(body),
        None => response.streaming(body),
    })
}

fn audio_response(
    status: StatusCode,
    media_type: MediaType,
    sid: &RecordingSid,
) -> HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((CONTENT_TYPE, media_type.content_type()))
        .insert_header((ACCEPT_RANGES, "bytes"))
        // Signed links expire and sessions end: no shared cache may keep the audio.
        .insert_header((CACHE_CONTROL, "private, max-age=0"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("inline; filename=\"{sid}.{}\"", media_type.extension()),
        ));
    response
}

fn unsatisfiable(len: u64) -> HttpResponse {
    HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
        .insert_header((CONTENT_RANGE, format!("bytes */{len}")))
        .insert_header((ACCEPT_RANGES, "bytes"))
        .finish()
}

async fn audit(
    state: &AppState,
    sid: &RecordingSid,
    agent_id: Option<i64>,
    via: PlaybackVia,
) -> Result<(), ApiError> {
    // No audit, no audio.
    state.store.record_playback(sid, agent_id, via).await?;
    state.metrics.recording_played(via);
    Ok(())
}

/// Query of `GET /api/recordings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsParams {
    state: Option<String>,
    limit: Option<u32>,
    before: Option<i64>,
}

/// `GET /api/recordings` (admin): filing jobs, newest first.
pub async fn list_jobs(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    params: web::Query<JobsParams>,
) -> Result<HttpResponse, ApiError> {
    agent.require_admin()?;
    crate::spool::settle_reads(&state.spool).await;
    let job_state = match params.state.as_deref() {
        None | Some("") => None,
        Some("pending") => Some(JobState::Pending),
        Some("running") => Some(JobState::Running),
        Some("done") => Some(JobState::Done),
        Some("dead") => Some(JobState::Dead),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "state: {other:?} is not pending, running, done or dead"
            )));
        }
    };
    let jobs = state
        .store
        .list_jobs(&JobFilter {
            state: job_state,
            limit: params.limit.unwrap_or(100).clamp(1, 1000),
            before_id: params.before,
        })
        .await?;
    Ok(HttpResponse::Ok().json(jobs))
}

/// `POST /api/recordings/{sid}/retry` (admin): a dead job back in the queue, due now.
pub async fn retry(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    agent.require_admin()?;
    let sid = RecordingSid::parse(&sid).map_err(|_| ApiError::NotFound)?;
    if state.store.retry_dead_job(&sid).await? {
        tracing::info!(recording.sid = %sid, agent.id = agent.0.id, "an admin put a dead recording job back in the queue");
        state.recordings.wake.notify_one();
        let job = state.store.get_job(&sid).await?.ok_or(ApiError::NotFound)?;
        return Ok(HttpResponse::Ok().json(json!({ "job": job })));
    }
    match state.store.get_job(&sid).await? {
        Some(job) => Err(ApiError::Conflict(format!(
            "the recording's job is {}, not dead",
            job.state.as_str()
        ))),
        None => Err(ApiError::NotFound),
    }
}
