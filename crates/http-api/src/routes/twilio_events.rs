//! Status and recording callbacks: verify, store through `call-store`, answer fast.
//! Twilio ignores the body of these answers; 204 is the cheapest acknowledgement.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use call_store::events::{CallEvent, EventMeta, RecordingEvent, StatusEvent};
use call_store::ids::CallSid;
use chrono::Utc;

use crate::error::ApiError;
use crate::live::LiveEvent;
use crate::state::AppState;
use crate::webhook::{self, TwilioParams};

/// Pushes the current state of a call to connected browsers.
pub async fn publish(state: &AppState, call_sid: Option<&CallSid>) {
    let Some(sid) = call_sid else { return };
    if state.live.receiver_count() == 0 {
        return;
    }
    match state.store.get_call(sid).await {
        Ok(Some(call)) => {
            // Nobody listening is not an error.
            let _ = state.live.send(LiveEvent::Call(Arc::new(call)));
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read a changed call for live updates"),
    }
}

async fn store(
    state: &AppState,
    params: &TwilioParams,
    event: CallEvent,
) -> Result<HttpResponse, ApiError> {
    let mut meta = EventMeta::new(Utc::now());
    if let Some(token) = &params.idempotency_token {
        meta = meta.with_idempotency_token(token)?;
    }
    let outcome = state.store.apply(&event, &meta).await?;
    state.metrics.event_stored(outcome.duplicate);
    if outcome.job_enqueued {
        // This instance's worker starts at once; others find the job at their next poll.
        state.recordings.wake.notify_one();
    }
    if !outcome.duplicate {
        publish(state, outcome.call_sid.as_ref()).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/twilio/call-status`.
pub async fn call_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = webhook::verify(&state, &req, &body)?;
    let event = StatusEvent::from_form(&params.params, Utc::now())?;
    store(&state, &params, CallEvent::Status(event)).await
}

/// `POST /api/twilio/recording-status`.
pub async fn recording_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = webhook::verify(&state, &req, &body)?;
    let event = RecordingEvent::from_form(&params.params, Utc::now())?;
    store(&state, &params, CallEvent::Recording(event)).await
}
