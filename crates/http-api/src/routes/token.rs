//! `GET /api/twilio/token`: the logged-in agent's Twilio Access Token.

use access_token::{AccessToken, Identity, OutgoingApplication, Ttl, VoiceGrant};
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::state::AppState;

/// Mints a Voice token: incoming calls allowed, outgoing calls through the TwiML App.
pub async fn token(
    state: web::Data<AppState>,
    agent: CurrentAgent,
) -> Result<HttpResponse, ApiError> {
    let minter = state.minter.as_ref().ok_or(ApiError::Unavailable(
        "Twilio is not configured: set the TWILIO_* variables",
    ))?;
    let identity = Identity::new(agent.0.identity.as_str())
        .map_err(|e| ApiError::Internal(format!("stored identity is invalid: {e}")))?;
    let ttl = Ttl::from_secs(u64::from(minter.ttl_secs))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let token = AccessToken::new(
        minter.account_sid,
        minter.api_key_sid,
        minter.api_key_secret.clone(),
    )
    .identity(identity)
    .grant(
        VoiceGrant::new()
            .incoming_allow(true)
            .outgoing(OutgoingApplication::new(minter.twiml_app_sid)),
    )
    .ttl(ttl)
    // No nbf: a server clock slightly ahead of Twilio's would make fresh tokens "not yet
    // valid" (error 20105).
    .without_not_before()
    .mint()
    .map_err(|e| ApiError::Internal(format!("token: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "token": token.as_str(),
            "identity": agent.0.identity.as_str(),
            "expires_at": token.expires_at(),
            "ttl_secs": minter.ttl_secs,
        })))
}
