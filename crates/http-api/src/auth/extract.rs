//! The logged-in agent of a request.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use access_token::Identity;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use call_store::StoreError;
use call_store::model::{Agent, AgentRole, NewAgent};
use call_store::party::ClientIdentity;

use crate::error::ApiError;
use crate::state::AppState;

/// Cookie holding the session for requests that cannot send headers (`EventSource`).
pub const SESSION_COOKIE: &str = "ramal_session";

/// An authenticated, active agent.
#[derive(Debug, Clone)]
pub struct CurrentAgent(pub Agent);

impl CurrentAgent {
    /// Refuses non-admins.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.0.role == AgentRole::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden("only administrators may do this"))
        }
    }
}

impl FromRequest for CurrentAgent {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state missing".into()))?
                .clone();
            let token = bearer(&req).or_else(|| {
                // Cookies only authenticate reads: a cross-site form could send them too.
                (req.method() == Method::GET)
                    .then(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()))
                    .flatten()
            });
            let token = token.ok_or(ApiError::Unauthorized)?;
            authenticate(&state, &token).await.map(CurrentAgent)
        })
    }
}

/// The token of an `Authorization: Bearer` header.
pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Resolves a session token (ours) or an external JWT to an active agent.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Agent, ApiError> {
    let now = chrono::Utc::now().timestamp();
    if let Some(claims) = state.signer.read_session(token, now) {
        let cached = state.agents.get(claims.agent_id, Instant::now());
        let (agent, generation) = match cached {
            Some(hit) => hit,
            None => {
                let credentials = match state.store.get_agent(claims.agent_id).await? {
                    Some(agent) if agent.active => {
                        state.store.get_agent_credentials(&agent.username).await?
                    }
                    _ => None,
                };
                let Some(c) = credentials.filter(|c| c.agent.active) else {
                    return Err(ApiError::Unauthorized);
                };
                let generation = state.signer.generation(c.password_hash());
                state
                    .agents
                    .put(c.agent.clone(), generation.clone(), Instant::now());
                (c.agent, generation)
            }
        };
        // A password change ends every session issued before it.
        return if generation == claims.generation {
            Ok(agent)
        } else {
            Err(ApiError::Unauthorized)
        };
    }
    if let Some(user) = state
        .external
        .as_ref()
        .and_then(|ext| ext.verify(token).ok())
    {
        return external_agent(state, &user.id, &user.name).await;
    }
    Err(ApiError::Unauthorized)
}

/// The agent of an external user, created on first sight (role agent, no usable password).
async fn external_agent(state: &AppState, id: &str, name: &str) -> Result<Agent, ApiError> {
    let username = format!("ext:{id}");
    if let Some(agent) = state.store.get_agent_by_username(&username).await? {
        return if agent.active {
            Ok(agent)
        } else {
            Err(ApiError::Forbidden("this agent is disabled"))
        };
    }
    let identity = Identity::from_display_name(&format!("user {id} {name}"));
    let identity = ClientIdentity::parse(identity.as_str())?;
    // A hash no password can match: external users log in through their own system only.
    let locked = format!("!external!{}", state.signer.generation(&username));
    let new = NewAgent::new(&username, name, identity, &locked, AgentRole::Agent)?;
    match state.store.create_agent(&new).await {
        Ok(agent) => {
            tracing::info!(agent.id = agent.id, "agent created for an external user");
            Ok(agent)
        }
        // Two first requests raced: the other one created it.
        Err(StoreError::Conflict { .. }) => state
            .store
            .get_agent_by_username(&username)
            .await?
            .ok_or(ApiError::Unauthorized),
        Err(e) => Err(e.into()),
    }
}
