//! The one place where errors become HTTP responses.
//!
//! Clients get a status code and a short JSON body (`{"error": code, "message": text}`); the
//! detail of a 5xx goes to the log once, here, never to the client.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Every way an HTTP handler can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session or bearer token.
    #[error("authentication required")]
    Unauthorized,
    /// Authenticated but not allowed, or a webhook whose signature did not verify.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing there (or not visible to this agent).
    #[error("not found")]
    NotFound,
    /// The request is malformed; the text says what to fix.
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with stored state (e.g. a username already taken).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; retry after the given time.
    #[error("too many attempts, retry in {} s", .0.as_secs())]
    TooManyRequests(Duration),
    /// A dependency (database, Twilio) is not usable right now.
    #[error("{0}")]
    Unavailable(&'static str),
    /// A bug or an unexpected failure: logged, answered with an opaque 500.
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Conflict(_) => "conflict",
            Self::TooManyRequests(_) => "too_many_requests",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(error.detail = %detail, "request failed with an internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Self::TooManyRequests(wait) = self {
            response.insert_header((header::RETRY_AFTER, wait.as_secs().max(1).to_string()));
        }
        if let Self::Unauthorized = self {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ramal\""),
            ));
        }
        let message = match self {
            Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        response.json(ErrorBody {
            error: self.code(),
            message,
        })
    }
}

impl From<call_store::StoreError> for ApiError {
    fn from(e: call_store::StoreError) -> Self {
        Self::Internal(format!("store: {e}"))
    }
}

impl From<call_store::InputError> for ApiError {
    fn from(e: call_store::InputError) -> Self {
        Self::BadRequest(e.to_string())
    }
}
