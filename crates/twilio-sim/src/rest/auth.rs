//! HTTP Basic authentication, as Twilio's REST API checks it.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::shared::Shared;

/// Whether the request carries the Account SID + Auth Token, or an API key SID + secret.
pub(super) fn authorized(shared: &Shared, req: &HttpRequest) -> bool {
    let Some((user, password)) = credentials(req) else {
        return false;
    };
    is_account(shared, &user, &password)
        || shared
            .api_keys
            .iter()
            .any(|k| k.sid == user && k.secret.expose() == password)
}

/// Whether the request carries the Account SID + Auth Token: the simulator's API keys are
/// Standard keys, which Twilio does not let manage `/Accounts/{AC}/Keys`.
pub(super) fn authorized_as_account(shared: &Shared, req: &HttpRequest) -> bool {
    credentials(req).is_some_and(|(user, password)| is_account(shared, &user, &password))
}

fn is_account(shared: &Shared, user: &str, password: &str) -> bool {
    user == shared.account_sid && password == shared.auth_token.expose()
}

/// The Basic user name and password, if the header carries them.
fn credentials(req: &HttpRequest) -> Option<(String, String)> {
    let encoded = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))?;
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
