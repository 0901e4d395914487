//! TwiML routes: Twilio asks what to do with a call. The call matters more than its log, so a
//! storage failure is logged and the caller still gets an answer.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};
use call_store::events::{CallEvent, EventMeta, VoiceRequest};
use call_store::model::Agent;
use call_store::party::ClientIdentity;
use call_store::status::CallDirection;
use chrono::Utc;
use twiml_builder::TwimlError;

use crate::error::ApiError;
use crate::phone::{E164, mask};
use crate::state::AppState;
use crate::voice::twiml;
use crate::webhook::{self, TwilioParams};

fn twiml_response(doc: Result<String, TwimlError>) -> Result<HttpResponse, ApiError> {
    let body = doc.map_err(|e| ApiError::Internal(format!("TwiML rendering: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body))
}

/// Spools the leg Twilio asked about; a failure is logged, not fatal (see module doc).
async fn record_leg(state: &AppState, params: &TwilioParams, request: VoiceRequest) {
    let mut meta = EventMeta::new(request.received_at);
    if let Some(token) = &params.idempotency_token {
        meta = meta.clone().with_idempotency_token(token).unwrap_or(meta);
    }
    let call_sid = request.call_sid.clone();
    if let Err(e) = state.spool.append(&CallEvent::Voice(request), &meta).await {
        tracing::error!(error = %e, call.sid = %call_sid, "could not spool a voice request; the call is answered anyway");
    }
}

async fn active_agent(state: &AppState, identity: &str) -> Result<Option<Agent>, ApiError> {
    let Ok(identity) = ClientIdentity::parse(identity) else {
        return Ok(None);
    };
    Ok(state
        .directory
        .by_identity(state.store.as_ref(), &identity)
        .await?
        .filter(|a| a.active))
}

/// `POST /api/twilio/voice`: a call placed by an agent's browser (the TwiML App's voice URL).
pub async fn voice(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = webhook::verify(&state, &req, &body)?;
    let received = Utc::now();
    let request = match VoiceRequest::from_form(&params.params, received) {
        Ok(request) => request,
        // `To` is whatever the browser typed: an unusable one is refused below with a spoken
        // message (not an HTTP error the caller would hear as "application error"), and the
        // leg is stored without it.
        Err(e) if e.field() == "To" => {
            let without_to: Vec<(String, String)> = params
                .params
                .iter()
                .filter(|(k, _)| k != "To")
                .cloned()
                .collect();
            VoiceRequest::from_form(&without_to, received)?
        }
        Err(e) => return Err(e.into()),
    };
    let policy = &state.config.calls;
    let urls = &state.urls;

    let caller = match params.get("From").and_then(|f| f.strip_prefix("client:")) {
        Some(identity) => active_agent(&state, identity).await?,
        None => None,
    };
    let Some(caller) = caller else {
        state.metrics.call_refused();
        tracing::warn!(call.sid = %request.call_sid, "call refused: the caller is not a known, active agent");
        record_leg(&state, &params, request).await;
        return twiml_response(twiml::say_and_hang_up(
            policy,
            &policy.messages.unknown_agent,
        ));
    };

    let to = params.get("To").unwrap_or("").trim();
    let (doc, direction) = if to.is_empty() {
        (
            twiml::say_and_hang_up(policy, &policy.messages.no_destination),
            CallDirection::Outbound,
        )
    } else if to.starts_with('+') {
        match E164::parse(to) {
            Ok(number) if policy.destinations.allows(&number) => {
                let twilio = state.config.twilio.as_ref().ok_or_else(|| {
                    ApiError::Internal("verified webhook without Twilio config".into())
                })?;
                (
                    twiml::dial_number(policy, urls, twilio.phone_number.as_str(), number.as_str()),
                    CallDirection::Outbound,
                )
            }
            _ => {
                state.metrics.call_refused();
                tracing::warn!(
                    call.sid = %request.call_sid,
                    agent.id = caller.id,
                    to = %mask(to),
                    "call refused: destination outside the allowed prefixes (toll-fraud guard)"
                );
                (
                    twiml::say_and_hang_up(policy, &policy.messages.destination_refused),
                    CallDirection::Outbound,
                )
            }
        }
    } else {
        let target = to.strip_prefix("client:").unwrap_or(to);
        match active_agent(&state, target).await? {
            Some(peer) if peer.id != caller.id => (
                twiml::dial_agent(policy, urls, peer.identity.as_str()),
                CallDirection::Internal,
            ),
            _ => {
                state.metrics.call_refused();
                tracing::warn!(call.sid = %request.call_sid, "call refused: the destination is neither a number nor another active agent");
                (
                    twiml::say_and_hang_up(policy, &policy.messages.destination_refused),
                    CallDirection::Internal,
                )
            }
        }
    };
    let request = request.with_agent(caller.id).with_call_direction(direction);
    record_leg(&state, &params, request).await;
    twiml_response(doc)
}

/// `POST /api/twilio/voice-incoming`: a customer called our number. Every available agent
/// rings at once.
pub async fn voice_incoming(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = webhook::verify(&state, &req, &body)?;
    let received = Utc::now();
    let request = VoiceRequest::from_form(&params.params, received)?
        .with_call_direction(CallDirection::Inbound);
    let call_sid = request.call_sid.clone();

    let mut identities = Vec::new();
    for agent_id in state.presence.available(Instant::now()) {
        match state.directory.by_id(state.store.as_ref(), agent_id).await {
            Ok(Some(agent)) if agent.active => identities.push(agent.identity.as_str().to_owned()),
            Ok(_) => {}
            // Never seen while the database was up: ring the others rather than fail the call.
            Err(e) => {
                tracing::warn!(error = %e, agent.id = agent_id, "available agent skipped: unknown while the database is unreachable")
            }
        }
    }
    tracing::info!(call.sid = %call_sid, ringing = identities.len(), "inbound call");
    let caller = params.get("From").unwrap_or_default().to_owned();
    record_leg(&state, &params, request).await;
    twiml_response(twiml::ring_agents(
        &state.config.calls,
        &state.urls,
        &identities,
        &caller,
    ))
}

/// `POST /api/twilio/dial-complete`: the inbound `<Dial>` ended; hang up or take a message.
pub async fn dial_complete(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = webhook::verify(&state, &req, &body)?;
    let status = params.get("DialCallStatus").unwrap_or("no-answer");
    twiml_response(twiml::after_dial(&state.config.calls, &state.urls, status))
}

/// `POST /api/twilio/voicemail-complete`: the caller finished the message.
pub async fn voicemail_complete(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    webhook::verify(&state, &req, &body)?;
    twiml_response(twiml::voicemail_complete())
}
