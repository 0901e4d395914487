//! HTTP Basic authentication, as Twilio's REST API checks it.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::shared::Shared;

/// Whether the request carries the Account SID + Auth Token, or an API key SID + secret.
pub(super) fn authorized(shared: &Shared, req: &HttpRequest) -> bool {
    let Some(encoded) = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Some(decoded) = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return false;
    };
    let Some((user, password)) = decoded.split_once(':') else {
        return false;
    };
    (user == shared.account_sid && password == shared.auth_token.expose())
        || shared
            .api_keys
            .iter()
            .any(|k| k.sid == user && k.secret.expose() == password)
}
