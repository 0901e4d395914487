//! Agent administration.

use std::time::Instant;

use access_token::Identity;
use actix_web::{HttpResponse, web};
use call_store::StoreError;
use call_store::model::{Agent, AgentRole, NewAgent};
use call_store::party::ClientIdentity;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{CurrentAgent, password};
use crate::cluster::Signal;
use crate::error::ApiError;
use crate::presence::PresenceState;
use crate::state::AppState;

/// An agent as the API shows it (never its password hash).
pub fn agent_json(state: &AppState, agent: &Agent) -> Value {
    let presence = state.presence.state_of(agent.id, Instant::now());
    json!({
        "id": agent.id,
        "username": agent.username,
        "display_name": agent.display_name,
        "identity": agent.identity.as_str(),
        "role": agent.role.as_str(),
        "active": agent.active,
        "available": agent.active && presence == Some(PresenceState::Available),
        "presence": match presence {
            Some(PresenceState::Available) => "available",
            Some(PresenceState::Away) => "away",
            None => "offline",
        },
    })
}

/// Creates an agent: the Voice identity is derived from the username (accents and spaces
/// become valid characters), the password hashed with Argon2id.
pub async fn create_agent(
    state: &AppState,
    username: &str,
    display_name: &str,
    plain_password: &str,
    role: AgentRole,
) -> Result<Agent, ApiError> {
    let identity = Identity::from_display_name(username);
    let identity = ClientIdentity::parse(identity.as_str())?;
    let pw = plain_password.to_owned();
    let hash = web::block(move || password::hash(&pw))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing: {e}")))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let new = NewAgent::new(username, display_name, identity, &hash, role)?;
    match state.store.create_agent(&new).await {
        Ok(agent) => Ok(agent),
        Err(StoreError::Conflict { what }) => Err(ApiError::Conflict(format!(
            "{what} already exists: choose another username"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Body of `POST /api/agents`.
#[derive(Debug, Deserialize)]
pub struct NewAgentBody {
    username: String,
    display_name: String,
    password: String,
    #[serde(default)]
    role: Option<AgentRole>,
}

/// `GET /api/agents` (admin).
pub async fn list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
) -> Result<HttpResponse, ApiError> {
    agent.require_admin()?;
    let agents = state.store.list_agents().await?;
    Ok(HttpResponse::Ok().json(
        agents
            .iter()
            .map(|a| agent_json(&state, a))
            .collect::<Vec<_>>(),
    ))
}

/// `POST /api/agents` (admin).
pub async fn create(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: web::Json<NewAgentBody>,
) -> Result<HttpResponse, ApiError> {
    agent.require_admin()?;
    let created = create_agent(
        &state,
        body.username.trim(),
        &body.display_name,
        &body.password,
        body.role.unwrap_or(AgentRole::Agent),
    )
    .await?;
    tracing::info!(agent.id = created.id, by = agent.0.id, "agent created");
    Ok(HttpResponse::Created().json(agent_json(&state, &created)))
}

/// Body of `PATCH /api/agents/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    role: Option<AgentRole>,
    active: Option<bool>,
}

/// `PATCH /api/agents/{id}` (admin): role and active flag.
pub async fn update(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    id: web::Path<i64>,
    body: web::Json<AgentPatch>,
) -> Result<HttpResponse, ApiError> {
    agent.require_admin()?;
    let id = id.into_inner();
    if id == agent.0.id && (body.active == Some(false) || body.role == Some(AgentRole::Agent)) {
        return Err(ApiError::BadRequest(
            "an administrator cannot disable or demote itself".into(),
        ));
    }
    let mut updated = state.store.get_agent(id).await?.ok_or(ApiError::NotFound)?;
    if let Some(role) = body.role {
        updated = state.store.update_agent_role(id, role).await?;
    }
    if let Some(active) = body.active {
        updated = state.store.set_agent_active(id, active).await?;
        if !active {
            crate::routes::presence::mark_offline(&state, id).await;
        }
    }
    let changed = Signal::AgentChanged { agent_id: id };
    state.bus.publish(&state, changed).await;
    Ok(HttpResponse::Ok().json(agent_json(&state, &updated)))
}

/// Body of `POST /api/agents/{id}/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordBody {
    password: String,
}

/// `POST /api/agents/{id}/password` (admin, or the agent itself). Ends the agent's sessions.
pub async fn set_password(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    id: web::Path<i64>,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id != agent.0.id {
        agent.require_admin()?;
    }
    state.store.get_agent(id).await?.ok_or(ApiError::NotFound)?;
    let pw = body.password.clone();
    let hash = web::block(move || password::hash(&pw))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing: {e}")))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    state.store.set_agent_password_hash(id, &hash).await?;
    // Sessions of the old password end on every instance.
    let changed = Signal::AgentChanged { agent_id: id };
    state.bus.publish(&state, changed).await;
    Ok(HttpResponse::NoContent().finish())
}
