//! Demo mode: without a Twilio account, an embedded Twilio simulator plays Twilio, so a
//! newcomer can place and receive (simulated) calls and see the history fill up. Ramal itself
//! runs exactly as in production: it reaches the simulator only through configuration (API base
//! URL, credentials) and verifies every webhook the simulator signs.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use twilio_sim::{CallScript, LegScript, SimConfig, Simulator};

use crate::auth::CurrentAgent;
use crate::config::{Config, Secret, TwilioConfig};
use crate::error::ApiError;
use crate::phone::E164;
use crate::state::AppState;

/// Seconds a simulated party takes to answer, and then talks.
const DEMO_ANSWER_AFTER: u64 = 3;
const DEMO_TALK: u64 = 20;

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut buf,
    );
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the simulator and points the configuration's Twilio account at it. The auth token
/// is random per run, so nobody can forge webhooks with a known demo secret.
pub async fn start(config: &mut Config) -> Result<Simulator, String> {
    let base = config.public_url.base().to_owned();
    let mut sim_config = SimConfig::for_ramal(&base)
        .parent_status_callback(format!("{base}/api/twilio/call-status"));
    sim_config.auth_token = twilio_sim::Secret::new(random_hex(16));
    if let Some(key) = sim_config.api_keys.first_mut() {
        key.secret = twilio_sim::Secret::new(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_hex(16)),
        );
    }
    // Real time, so the webphone sees calls ring and last.
    sim_config.time_scale = 1.0;
    let sim = Simulator::start(sim_config)
        .await
        .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
    let key = sim.api_keys()[0].clone();
    let parse = |what: &str, value: &str| format!("demo simulator {what} {value:?} is invalid");
    config.twilio = Some(TwilioConfig {
        account_sid: sim
            .account_sid()
            .parse()
            .map_err(|_| parse("account", sim.account_sid()))?,
        auth_token: Secret::new(sim.auth_token().expose()),
        api_key_sid: key.sid.parse().map_err(|_| parse("key", &key.sid))?,
        api_key_secret: Secret::new(key.secret.expose()),
        twiml_app_sid: sim
            .application()
            .sid
            .parse()
            .map_err(|_| parse("app", &sim.application().sid))?,
        phone_number: E164::parse(&sim.phone_number().phone_number)
            .map_err(|_| parse("number", &sim.phone_number().phone_number))?,
        webhook_keys: HashMap::new(),
    });
    config.twilio_api_base = sim.api_base_url().to_owned();
    Ok(sim)
}

fn simulator(state: &AppState) -> Result<&Simulator, ApiError> {
    state.demo.as_ref().ok_or(ApiError::NotFound)
}

/// Body of `POST /api/demo/inbound`.
#[derive(Debug, Default, Deserialize)]
pub struct InboundBody {
    from: Option<String>,
}

/// `POST /api/demo/inbound`: a simulated customer calls the team's number. Available agents
/// ring; the first answers after a few seconds.
pub async fn inbound(
    state: web::Data<AppState>,
    _agent: CurrentAgent,
    body: Option<web::Json<InboundBody>>,
) -> Result<HttpResponse, ApiError> {
    let sim = simulator(&state)?;
    let from = body
        .and_then(|b| b.into_inner().from)
        .unwrap_or_else(|| "+5531988887777".to_owned());
    let from = E164::parse(&from).map_err(|e| ApiError::BadRequest(format!("from: {e}")))?;
    let ours = sim.phone_number().phone_number;
    let script = CallScript::new().default_leg(LegScript::answer(DEMO_ANSWER_AFTER, DEMO_TALK));
    let handle = sim
        .start_inbound_from_phone(from.as_str(), &ours, script)
        .map_err(|e| ApiError::Internal(format!("demo inbound call: {e}")))?;
    Ok(HttpResponse::Accepted().json(json!({"call_sid": handle.call_sid()})))
}

/// Body of `POST /api/demo/calls`.
#[derive(Debug, Deserialize)]
pub struct OutboundBody {
    to: String,
}

/// `POST /api/demo/calls`: the logged-in agent's (simulated) browser places a call.
pub async fn outbound(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: web::Json<OutboundBody>,
) -> Result<HttpResponse, ApiError> {
    let sim = simulator(&state)?;
    let script = CallScript::new().default_leg(LegScript::answer(DEMO_ANSWER_AFTER, DEMO_TALK));
    let handle = sim
        .start_outbound_from_browser(agent.0.identity.as_str(), body.to.trim(), script)
        .map_err(|e| ApiError::Internal(format!("demo call: {e}")))?;
    Ok(HttpResponse::Accepted().json(json!({"call_sid": handle.call_sid()})))
}
