//! The route table. Public Twilio URLs are the guide's, under `/api/twilio/`.

pub mod agents;
pub mod auth;
pub mod call_logs;
pub mod demo;
pub mod events;
pub mod health;
pub mod presence;
pub mod recording;
pub mod settings;
pub mod token;
pub mod twilio_events;
pub mod twilio_voice;

use actix_web::{HttpResponse, web};

/// Every route, as `(method, path)`: the OpenAPI test checks the document against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/me"),
    ("GET", "/api/settings"),
    ("GET", "/api/twilio/token"),
    ("GET", "/api/twilio/call-logs"),
    ("GET", "/api/twilio/call-logs/export.csv"),
    ("GET", "/api/twilio/call-logs/{sid}"),
    ("GET", "/api/events"),
    ("POST", "/api/presence"),
    ("DELETE", "/api/presence"),
    ("POST", "/api/presence/leave"),
    ("GET", "/api/agents"),
    ("POST", "/api/agents"),
    ("PATCH", "/api/agents/{id}"),
    ("POST", "/api/agents/{id}/password"),
    ("POST", "/api/twilio/voice"),
    ("POST", "/api/twilio/voice-incoming"),
    ("POST", "/api/twilio/dial-complete"),
    ("POST", "/api/twilio/voicemail-complete"),
    ("POST", "/api/twilio/call-status"),
    ("POST", "/api/twilio/recording-status"),
    ("GET", "/api/twilio/recording/{sid}"),
    ("GET", "/api/recordings"),
    ("POST", "/api/recordings/{sid}/retry"),
    ("POST", "/api/demo/inbound"),
    ("POST", "/api/demo/calls"),
    ("POST", "/api/demo/calls/{sid}/answer"),
    ("POST", "/api/demo/calls/{sid}/reject"),
    ("POST", "/api/demo/calls/{sid}/hangup"),
    ("POST", "/api/demo/calls/{sid}/digits"),
    ("GET", "/api/demo/calls/{sid}/digits"),
    ("GET", "/api/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// The OpenAPI document of the agent API.
pub const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

/// Registers every route; anything else is the webphone (see [`crate::assets`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(crate::assets::fallback));
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::scope("/api")
                .route("/openapi.json", web::get().to(openapi))
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/logout", web::post().to(auth::logout))
                .route("/me", web::get().to(auth::me))
                .route("/settings", web::get().to(settings::settings))
                .route("/events", web::get().to(events::events))
                .route("/presence", web::post().to(presence::heartbeat))
                .route("/presence", web::delete().to(presence::leave))
                .route("/presence/leave", web::post().to(presence::leave_beacon))
                .route("/demo/inbound", web::post().to(demo::inbound))
                .route("/demo/calls", web::post().to(demo::outbound))
                .route("/demo/calls/{sid}/answer", web::post().to(demo::answer))
                .route("/demo/calls/{sid}/reject", web::post().to(demo::reject))
                .route("/demo/calls/{sid}/hangup", web::post().to(demo::hangup))
                .route(
                    "/demo/calls/{sid}/digits",
                    web::post().to(demo::send_digits),
                )
                .route("/demo/calls/{sid}/digits", web::get().to(demo::digits))
                .route("/recordings", web::get().to(recording::list_jobs))
                .route("/recordings/{sid}/retry", web::post().to(recording::retry))
                .route("/agents", web::get().to(agents::list))
                .route("/agents", web::post().to(agents::create))
                .route("/agents/{id}", web::patch().to(agents::update))
                .route(
                    "/agents/{id}/password",
                    web::post().to(agents::set_password),
                )
                .service(
                    web::scope("/twilio")
                        .route("/token", web::get().to(token::token))
                        .route("/recording/{sid}", web::get().to(recording::play))
                        .route("/call-logs", web::get().to(call_logs::list))
                        .route("/call-logs/export.csv", web::get().to(call_logs::export))
                        .route("/call-logs/{sid}", web::get().to(call_logs::get))
                        .route("/voice", web::post().to(twilio_voice::voice))
                        .route(
                            "/voice-incoming",
                            web::post().to(twilio_voice::voice_incoming),
                        )
                        .route(
                            "/dial-complete",
                            web::post().to(twilio_voice::dial_complete),
                        )
                        .route(
                            "/voicemail-complete",
                            web::post().to(twilio_voice::voicemail_complete),
                        )
                        .route("/call-status", web::post().to(twilio_events::call_status))
                        .route(
                            "/recording-status",
                            web::post().to(twilio_events::recording_status),
                        ),
                ),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_lists_every_agent_route_and_nothing_else() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut documented = Vec::new();
        for (path, ops) in paths {
            for method in ops.as_object().unwrap().keys() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
        documented.sort();
        let mut expected: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(documented, expected);
    }
}
