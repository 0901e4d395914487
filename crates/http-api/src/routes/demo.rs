//! Demo mode's routes: the webphone's simulated browser places, answers, rejects and hangs up
//! calls, and types DTMF, through the embedded Twilio simulator (see [`crate::demo`]). Every
//! route answers 404 outside demo mode.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use twilio_sim::{CallScript, LegScript};

use crate::auth::CurrentAgent;
use crate::demo::{Demo, sim_error};
use crate::error::ApiError;
use crate::phone::{E164, mask};
use crate::state::AppState;

/// Seconds a simulated phone takes to answer an outbound call, and then talks.
const PHONE_ANSWERS_AFTER: u64 = 3;
const PHONE_TALKS: u64 = 20;
/// A simulated customer hangs up after this long, answered or not (the demo must end).
const CUSTOMER_PATIENCE: Duration = Duration::from_secs(180);
/// Who calls when the request names nobody.
const DEFAULT_CUSTOMER: &str = "+5531988887777";

fn demo(state: &AppState) -> Result<&Demo, ApiError> {
    state.demo.as_ref().ok_or(ApiError::NotFound)
}

/// Body of `POST /api/demo/inbound`.
#[derive(Debug, Default, Deserialize)]
pub struct InboundBody {
    from: Option<String>,
}

/// `POST /api/demo/inbound`: a simulated customer calls the team's number. Ramal rings the
/// available agents (presence); whoever accepts in the webphone takes the call.
pub async fn inbound(
    state: web::Data<AppState>,
    _agent: CurrentAgent,
    body: Option<web::Json<InboundBody>>,
) -> Result<HttpResponse, ApiError> {
    let sim = demo(&state)?.simulator();
    let from = body
        .and_then(|b| b.into_inner().from)
        .unwrap_or_else(|| DEFAULT_CUSTOMER.to_owned());
    let from = E164::parse(&from).map_err(|e| ApiError::BadRequest(format!("from: {e}")))?;
    let ours = sim.phone_number().phone_number;
    let script = CallScript::new()
        .default_leg(LegScript::interactive())
        .caller_hangs_up_after(CUSTOMER_PATIENCE);
    let handle = sim
        .start_inbound_from_phone(from.as_str(), &ours, script)
        .map_err(sim_error)?;
    tracing::info!(call.sid = handle.call_sid(), from = %from.masked(), "demo: simulated inbound call");
    Ok(HttpResponse::Accepted().json(json!({"call_sid": handle.call_sid()})))
}

/// Body of `POST /api/demo/calls`.
#[derive(Debug, Deserialize)]
pub struct OutboundBody {
    to: String,
}

/// `POST /api/demo/calls`: the logged-in agent's (simulated) browser places a call. A phone
/// answers after a few seconds and talks a while; another agent's webphone rings for real.
pub async fn outbound(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: web::Json<OutboundBody>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    let to = body.to.trim();
    let mut script =
        CallScript::new().default_leg(LegScript::answer(PHONE_ANSWERS_AFTER, PHONE_TALKS));
    if !to.starts_with('+') {
        // Browser to browser: the colleague decides in their own webphone.
        script = script.leg(to, LegScript::interactive());
    }
    let handle = demo
        .simulator()
        .start_outbound_from_browser(agent.0.identity.as_str(), to, script)
        .map_err(sim_error)?;
    let call_sid = handle.call_sid().to_owned();
    tracing::info!(call.sid = %call_sid, agent.id = agent.0.id, to = %mask(to), "demo: simulated call placed");
    demo.placed(agent.0.id, handle);
    Ok(HttpResponse::Accepted().json(json!({ "call_sid": call_sid })))
}

/// `POST /api/demo/calls/{sid}/answer`: the agent accepts a call ringing in their webphone.
pub async fn answer(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    demo.check_callee(&sid, agent.0.id)?;
    demo.simulator().answer_leg(&sid).await.map_err(sim_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/demo/calls/{sid}/reject`: the agent declines a call ringing in their webphone.
pub async fn reject(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    demo.check_callee(&sid, agent.0.id)?;
    demo.simulator().reject_leg(&sid).await.map_err(sim_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/demo/calls/{sid}/hangup`: the agent hangs up a call they placed (the parent SID)
/// or took (their leg's SID).
pub async fn hangup(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    demo.check_caller_or_callee(&sid, agent.0.id)?;
    demo.simulator().hangup(&sid).await.map_err(sim_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Body of `POST /api/demo/calls/{sid}/digits`.
#[derive(Debug, Deserialize)]
pub struct DigitsBody {
    digits: String,
}

/// `POST /api/demo/calls/{sid}/digits`: DTMF typed on the webphone's keypad during a call.
pub async fn send_digits(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
    body: web::Json<DigitsBody>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    demo.check_caller_or_callee(&sid, agent.0.id)?;
    demo.simulator()
        .send_digits(&sid, &body.digits)
        .map_err(sim_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/demo/calls/{sid}/digits`: every digit the simulated far end heard on a live call.
pub async fn digits(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let demo = demo(&state)?;
    demo.check_caller_or_callee(&sid, agent.0.id)?;
    let digits = demo.simulator().digits(&sid).ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(json!({ "call_sid": sid.as_str(), "digits": digits })))
}
