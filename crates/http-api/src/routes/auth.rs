//! Login, logout and the current agent.

use std::time::Instant;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::extract::SESSION_COOKIE;
use crate::auth::{CurrentAgent, SessionClaims, password};
use crate::error::ApiError;
use crate::routes::agents::agent_json;
use crate::state::AppState;

/// Body of `POST /api/auth/login`.
#[derive(Debug, Deserialize)]
pub struct Login {
    username: String,
    password: String,
}

/// `POST /api/auth/login`: checks the password and returns a session token (also set as an
/// HttpOnly cookie for `EventSource`).
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    let username = body.username.trim();
    let ip = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let keys = [
        format!("user:{}", username.to_lowercase()),
        format!("ip:{ip}"),
    ];
    let now = Instant::now();
    if let Some(wait) = state.throttle.locked_for(&keys, now) {
        return Err(ApiError::TooManyRequests(wait));
    }

    let credentials = state.store.get_agent_credentials(username).await?;
    let hash = credentials
        .as_ref()
        .map_or(&*state.dummy_hash, |c| c.password_hash())
        .to_owned();
    let candidate = body.password.clone();
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = web::block(move || password::verify(&candidate, &hash))
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))?
        .unwrap_or(false);
    let agent = match credentials {
        Some(c) if ok && c.agent.active => c,
        _ => {
            state.throttle.failure(&keys, now);
            tracing::info!(ip = %ip, "login failed");
            return Err(ApiError::Unauthorized);
        }
    };
    state.throttle.success(&keys[0]);

    let ttl = state.config.auth.session_ttl;
    let expires_at = chrono::Utc::now().timestamp() + ttl.as_secs() as i64;
    let token = state.signer.session_token(&SessionClaims {
        agent_id: agent.agent.id,
        expires_at,
        generation: state.signer.generation(agent.password_hash()),
    });
    let cookie = Cookie::build(SESSION_COOKIE, token.clone())
        .path("/api")
        .http_only(true)
        .secure(state.config.public_url.is_https())
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(ttl.as_secs() as i64))
        .finish();
    tracing::info!(agent.id = agent.agent.id, "agent logged in");
    Ok(HttpResponse::Ok().cookie(cookie).json(json!({
        "token": token,
        "expires_at": expires_at,
        "agent": agent_json(&state, &agent.agent),
    })))
}

/// `POST /api/auth/logout`: clears the cookie (bearer tokens simply expire).
pub async fn logout() -> HttpResponse {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/api").finish();
    cookie.make_removal();
    HttpResponse::NoContent().cookie(cookie).finish()
}

/// `GET /api/me`.
pub async fn me(state: web::Data<AppState>, agent: CurrentAgent) -> HttpResponse {
    HttpResponse::Ok().json(agent_json(&state, &agent.0))
}
