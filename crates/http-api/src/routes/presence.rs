//! Webphone heartbeats: which agents ring for inbound calls.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentAgent;
use crate::auth::extract::{SESSION_COOKIE, authenticate, bearer};
use crate::cluster::{PresenceWord, Signal};
use crate::error::ApiError;
use crate::state::AppState;

/// Body of `POST /api/presence`.
#[derive(Debug, Deserialize)]
pub struct Heartbeat {
    state: PresenceWire,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum PresenceWire {
    Available,
    Away,
}

/// `POST /api/presence`: the webphone is registered and the agent is available or away.
pub async fn heartbeat(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: web::Json<Heartbeat>,
) -> HttpResponse {
    let word = match body.state {
        PresenceWire::Available => PresenceWord::Available,
        PresenceWire::Away => PresenceWord::Away,
    };
    // An inbound call rings this agent even if the database is down by then.
    state.directory.remember(agent.0.clone());
    let signal = Signal::Presence {
        agent_id: agent.0.id,
        state: word,
    };
    state.bus.publish(&state, signal).await;
    HttpResponse::NoContent().finish()
}

/// `DELETE /api/presence`: the webphone closed; stop ringing this agent at once.
pub async fn leave(state: web::Data<AppState>, agent: CurrentAgent) -> HttpResponse {
    mark_offline(&state, agent.0.id).await;
    HttpResponse::NoContent().finish()
}

/// Optional body of `POST /api/presence/leave`.
#[derive(Debug, Deserialize)]
pub struct Beacon {
    token: String,
}

/// `POST /api/presence/leave`: the same for a page going away. `navigator.sendBeacon` can send
/// neither headers nor a DELETE, so besides the usual bearer header this route accepts the
/// `ramal_session` cookie (what the webphone's beacon carries) or a `{"token"}` body.
///
/// Accepting the cookie on a POST is safe here, unlike elsewhere: the cookie is `SameSite=Strict`
/// and, even if a forged cross-site request carried it, all it can do is mark the agent offline
/// until the webphone's next heartbeat (10 s). No data changes, nothing is revealed.
pub async fn leave_beacon(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let token = if let Some(token) = bearer(&req) {
        token
    } else if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        cookie.value().to_owned()
    } else if body.is_empty() {
        return Err(ApiError::Unauthorized);
    } else {
        let beacon: Beacon = serde_json::from_slice(&body)
            .map_err(|_| ApiError::BadRequest("expected {\"token\": \"...\"}".into()))?;
        beacon.token
    };
    let agent = authenticate(&state, &token).await?;
    mark_offline(&state, agent.id).await;
    Ok(HttpResponse::NoContent().finish())
}

/// Stops ringing the agent on every instance.
pub(crate) async fn mark_offline(state: &AppState, agent_id: i64) {
    let signal = Signal::Presence {
        agent_id,
        state: PresenceWord::Offline,
    };
    state.bus.publish(state, signal).await;
}
