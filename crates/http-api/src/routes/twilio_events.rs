//! Status and recording callbacks: verify, store through `call-store`, answer fast.
//! Twilio ignores the body of these answers; 204 is the cheapest acknowledgement.

use actix_web::{HttpRequest, HttpResponse, web};
use call_store::events::{CallEvent, EventMeta, RecordingEvent, StatusEvent};
use call_store::ids::CallSid;
use chrono::Utc;

use crate::error::ApiError;
use crate::state::AppState;
use crate::webhook::{self, TwilioParams};

/// Pushes the current state of a call to the browsers connected to any instance.
pub async fn publish(state: &AppState, call_sid: Option<&CallSid>) {
    let Some(sid) = call_sid else { return };
    let signal = crate::cluster::Signal::Call {
        sid: sid.as_str().to_owned(),
    };
    state.bus.publish(state, signal).await;
}

/// Appends the event to the spool and acknowledges it once it is on disk; the applier
/// stores it. A spool that cannot be written refuses the event (Twilio sees a 503) rather
/// than acknowledge what could be lost.
async fn store(
    state: &AppState,
    params: &TwilioParams,
    event: CallEvent,
) -> Result<HttpResponse, ApiError> {
    let mut meta = EventMeta::new(Utc::now());
    if let Some(token) = &params.idempotency_token {
        meta = meta.with_idempotency_token(token)?;
    }
    state.spool.append(&event, &meta).await.map_err(|e| {
        tracing::error!(error = %e, call.sid = %event.call_sid(), "webhook event refused: it could not be spooled");
        ApiError::Unavailable("the event could not be stored; retry later")
    })?;
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
