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

/// The client's address: the peer, or, when the peer is a trusted reverse proxy, the last
/// `X-Forwarded-For` hop that is not itself a trusted proxy (earlier hops are whatever the
/// client claimed, so they are never believed).
fn client_address(req: &HttpRequest, trusted: &[std::net::IpAddr]) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|hop| !trusted.contains(hop))
            .unwrap_or(peer),
    )
}

/// `POST /api/auth/login`: checks the password and returns a session token (also set as an
/// HttpOnly cookie for `EventSource`).
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    let username = body.username.trim();
    let ip = client_address(&req, &state.config.auth.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
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

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn addr(ip: &str) -> std::net::IpAddr {
        ip.parse().unwrap()
    }

    #[test]
    fn the_client_behind_a_trusted_proxy_is_counted_not_the_proxy() {
        let trusted = [addr("127.0.0.1"), addr("10.0.0.2")];
        let from = |peer: &str, xff: Option<&str>| {
            let mut req = TestRequest::default().peer_addr(format!("{peer}:5000").parse().unwrap());
            if let Some(xff) = xff {
                req = req.insert_header(("X-Forwarded-For", xff));
            }
            client_address(&req.to_http_request(), &trusted).unwrap()
        };
        // Directly connected: the peer, whatever the header claims.
        assert_eq!(from("203.0.113.9", Some("1.2.3.4")), addr("203.0.113.9"));
        // Through nginx on the same machine: the address nginx saw.
        assert_eq!(
            from("127.0.0.1", Some("198.51.100.7")),
            addr("198.51.100.7")
        );
        // A client forging the header only adds hops on the left; two trusted proxies in a row.
        assert_eq!(
            from("127.0.0.1", Some("6.6.6.6, 198.51.100.7, 10.0.0.2")),
            addr("198.51.100.7")
        );
        // A trusted proxy that sent no header: the proxy itself.
        assert_eq!(from("127.0.0.1", None), addr("127.0.0.1"));
    }
}
