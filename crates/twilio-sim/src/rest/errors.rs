//! Twilio's JSON error bodies.

use actix_web::http::StatusCode;
use actix_web::http::header::WWW_AUTHENTICATE;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

fn error(status: StatusCode, code: u32, message: &str, detail: Option<&str>) -> HttpResponse {
    let mut body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    if let Some(d) = detail {
        body["detail"] = json!(d);
    }
    HttpResponse::build(status).json(body)
}

/// 401, as Twilio answers a request without valid Basic credentials.
pub(super) fn unauthorized() -> HttpResponse {
    let mut resp = error(
        StatusCode::UNAUTHORIZED,
        20003,
        "Authenticate",
        Some("Your AccountSid or AuthToken was incorrect."),
    );
    resp.headers_mut().insert(
        WWW_AUTHENTICATE,
        actix_web::http::header::HeaderValue::from_static("Basic realm=\"Twilio API\""),
    );
    resp
}

/// 404 for `path`.
pub(super) fn resource_not_found(path: &str) -> HttpResponse {
    error(
        StatusCode::NOT_FOUND,
        20404,
        &format!("The requested resource {path} was not found"),
        None,
    )
}

/// 400 with a message.
pub(super) fn bad_request(code: u32, message: &str) -> HttpResponse {
    error(StatusCode::BAD_REQUEST, code, message, None)
}

/// 500, for injected media faults.
pub(super) fn internal() -> HttpResponse {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        20500,
        "Internal Server Error",
        None,
    )
}

/// Default handler: every unknown path is a 404 with Twilio's body.
pub(super) async fn not_found(req: HttpRequest) -> HttpResponse {
    resource_not_found(req.path())
}
