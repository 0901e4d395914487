//! Health, readiness and metrics.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// `GET /healthz`: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers too. During an outage Twilio's webhooks are still
/// answered and spooled (`spool_pending` grows); the agent API is what is not ready.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pending = state.spool.pending();
    match state.store.health_check().await {
        Ok(()) => HttpResponse::Ok().json(json!({
            "status": "ready",
            "database": state.store.backend().as_str(),
            "spool_pending": pending,
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed: database unreachable");
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "unavailable",
                "database": "unreachable",
                "spool_pending": pending,
            }))
        }
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
