//! `GET /api/settings`: what the webphone needs to know about this server.

use std::time::Instant;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::phone::country_code;
use crate::state::AppState;

/// Public settings for a logged-in agent, including who rings for inbound calls.
pub async fn settings(
    state: web::Data<AppState>,
    _agent: CurrentAgent,
) -> Result<HttpResponse, ApiError> {
    let config = &state.config;
    let default_country_code = config
        .twilio
        .as_ref()
        .map_or("55", |t| country_code(&t.phone_number));
    let ringing = state.presence.available(Instant::now());
    Ok(HttpResponse::Ok().json(json!({
        "language": config.calls.language,
        "default_country_code": default_country_code,
        "twilio_configured": config.twilio.is_some(),
        "demo": state.demo.is_some(),
        "ring_timeout_secs": config.calls.ring_timeout_secs,
        "allowed_destinations": config.calls.destinations.prefixes(),
        "voicemail": config.calls.voicemail,
        "ringing_agent_ids": ringing,
    })))
}
