//! Webphone heartbeats: which agents ring for inbound calls.

use std::time::Instant;

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentAgent;
use crate::auth::extract::authenticate;
use crate::error::ApiError;
use crate::live::LiveEvent;
use crate::presence::PresenceState;
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
    let (new, word) = match body.state {
        PresenceWire::Available => (PresenceState::Available, "available"),
        PresenceWire::Away => (PresenceState::Away, "away"),
    };
    let now = Instant::now();
    let before = state.presence.state_of(agent.0.id, now);
    state.presence.heartbeat(agent.0.id, new, now);
    if before != Some(new) {
        let _ = state.live.send(LiveEvent::Presence {
            agent_id: agent.0.id,
            state: word,
        });
    }
    HttpResponse::NoContent().finish()
}

/// `DELETE /api/presence`: the webphone closed; stop ringing this agent at once.
pub async fn leave(state: web::Data<AppState>, agent: CurrentAgent) -> HttpResponse {
    mark_offline(&state, agent.0.id);
    HttpResponse::NoContent().finish()
}

/// Body of `POST /api/presence/leave`.
#[derive(Debug, Deserialize)]
pub struct Beacon {
    token: String,
}

/// `POST /api/presence/leave`: the same for `navigator.sendBeacon`, which can send neither
/// headers nor a DELETE, so the session token travels in the body.
pub async fn leave_beacon(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let beacon: Beacon = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("expected {\"token\": \"...\"}".into()))?;
    let agent = authenticate(&state, &beacon.token).await?;
    mark_offline(&state, agent.id);
    Ok(HttpResponse::NoContent().finish())
}

fn mark_offline(state: &AppState, agent_id: i64) {
    state.presence.leave(agent_id);
    let _ = state.live.send(LiveEvent::Presence {
        agent_id,
        state: "offline",
    });
}
