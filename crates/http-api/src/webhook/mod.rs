//! Twilio webhooks: every request is verified before anything reads it.

pub mod signature;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;

use crate::error::ApiError;
use crate::state::AppState;
use signature::{SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, SignedBody};

/// Header Twilio reportedly keeps stable across retries of one webhook.
const IDEMPOTENCY_HEADER: &str = "I-Twilio-Idempotency-Token";

/// A verified Twilio request: its parameters and retry token.
#[derive(Debug, Clone)]
pub struct TwilioParams {
    /// Decoded form parameters (or the top-level string fields of a JSON body).
    pub params: Vec<(String, String)>,
    /// `I-Twilio-Idempotency-Token`, when sent.
    pub idempotency_token: Option<String>,
}

impl TwilioParams {
    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Verifies the request's Twilio signature and decodes its body. A request that fails gets
/// 403 and nothing downstream ever sees it.
pub fn verify(state: &AppState, req: &HttpRequest, body: &[u8]) -> Result<TwilioParams, ApiError> {
    let Some(verifier) = &state.verifier else {
        state.metrics.rejected_signature();
        tracing::warn!(
            path = req.path(),
            "webhook refused: no Twilio account is configured, so no signature can be checked"
        );
        return Err(ApiError::Forbidden("webhook signature cannot be verified"));
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let is_json = header(CONTENT_TYPE.as_str()).is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());

    let params: Vec<(String, String)> = if is_json {
        Vec::new()
    } else {
        form_urlencoded::parse(body).into_owned().collect()
    };
    let signed = if is_json {
        SignedBody::Raw(body)
    } else {
        SignedBody::Form(&params)
    };
    if let Err(e) = verifier.verify(
        &target,
        header(SIGNATURE_HEADER),
        header(SIGNATURE_SETTINGS_HEADER),
        signed,
    ) {
        state.metrics.rejected_signature();
        tracing::warn!(path = req.path(), reason = %e, "webhook refused: Twilio signature did not verify");
        return Err(ApiError::Forbidden("invalid Twilio signature"));
    }
    let params = if is_json { json_params(body)? } else { params };
    Ok(TwilioParams {
        params,
        idempotency_token: header(IDEMPOTENCY_HEADER).map(str::to_owned),
    })
}

fn json_params(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("body is not valid JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::BadRequest("JSON body must be an object".into()))?;
    Ok(object
        .iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect())
}
