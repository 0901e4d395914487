//! Demo mode: without a Twilio account, an embedded Twilio simulator plays Twilio, so a
//! newcomer can place and receive (simulated) calls and see the history fill up. Ramal itself
//! runs exactly as in production: it reaches the simulator only through configuration (API base
//! URL, credentials) and verifies every webhook the simulator signs.
//!
//! The webphone's demo device stands in for the Voice SDK: it asks the routes in
//! [`crate::routes::demo`] to place, answer, reject and hang up calls, and learns that its
//! browser rings through the `demo-incoming` live event, sent by the [`Demo::spawn_bridge`]
//! task when the simulator rings an agent's `client:` leg. Which agents ring is Ramal's own
//! decision (presence), taken in its real `voice-incoming` TwiML.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use call_store::CallStore;
use call_store::party::ClientIdentity;
use tokio::sync::broadcast;
use twilio_sim::{CallHandle, CallStatus, LegUpdate, SimConfig, Simulator};

use crate::config::{Config, Secret, TwilioConfig};
use crate::error::ApiError;
use crate::live::LiveEvent;
use crate::phone::E164;
use crate::state::AppState;

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

/// What an agent's (simulated) browser may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A call the agent placed: its parent leg is the agent's browser.
    Caller,
    /// A leg ringing (or answered) in the agent's browser.
    Callee,
}

#[derive(Debug, Clone, Copy)]
struct Owner {
    agent_id: i64,
    role: Role,
}

/// The simulator plus which live call SIDs belong to which agent's browser.
#[derive(Debug, Clone)]
pub struct Demo {
    sim: Simulator,
    owners: Arc<Mutex<HashMap<String, Owner>>>,
}

impl Demo {
    /// Wraps a started simulator.
    pub fn new(sim: Simulator) -> Self {
        Self {
            sim,
            owners: Arc::default(),
        }
    }

    /// The simulator.
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    fn owners(&self) -> MutexGuard<'_, HashMap<String, Owner>> {
        // Plain data: a panic elsewhere cannot leave it half-written.
        self.owners.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that `agent_id`'s browser placed the call of `handle`, until it ends.
    pub fn placed(&self, agent_id: i64, handle: CallHandle) {
        let sid = handle.call_sid().to_owned();
        self.owners().insert(
            sid.clone(),
            Owner {
                agent_id,
                role: Role::Caller,
            },
        );
        let owners = Arc::clone(&self.owners);
        tokio::spawn(async move {
            // The report itself does not matter here: the history has it.
            let _ = handle.finish().await;
            owners
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&sid);
        });
    }

    /// Refuses SIDs that are not live calls of this agent's browser (404, as for a call that
    /// does not exist: other agents' calls are not revealed).
    pub fn check_caller_or_callee(&self, sid: &str, agent_id: i64) -> Result<(), ApiError> {
        match self.owners().get(sid) {
            Some(o) if o.agent_id == agent_id => Ok(()),
            _ => Err(ApiError::NotFound),
        }
    }

    /// Like [`check_caller_or_callee`](Self::check_caller_or_callee), for a leg ringing in the
    /// agent's browser (answer and reject).
    pub fn check_callee(&self, sid: &str, agent_id: i64) -> Result<(), ApiError> {
        match self.owners().get(sid) {
            Some(o) if o.agent_id == agent_id && o.role == Role::Callee => Ok(()),
            Some(o) if o.agent_id == agent_id => Err(ApiError::Conflict(
                "this is a call you placed: there is nothing to answer".into(),
            )),
            _ => Err(ApiError::NotFound),
        }
    }

    /// Forwards the simulator's `client:` legs to the agents' webphones: a ringing leg becomes a
    /// `demo-incoming` event for its agent, and that agent may then act on it. Runs until the
    /// simulator is gone.
    pub fn spawn_bridge(&self, state: &AppState) {
        let mut updates = self.sim.leg_updates();
        let store = Arc::clone(&state.store);
        let live = state.live.clone();
        let owners = Arc::clone(&self.owners);
        tokio::spawn(async move {
            loop {
                match updates.recv().await {
                    Ok(update) => bridge(&*store, &live, &owners, update).await,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "demo: some simulated legs were not forwarded");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }
}

async fn bridge(
    store: &dyn CallStore,
    live: &broadcast::Sender<LiveEvent>,
    owners: &Mutex<HashMap<String, Owner>>,
    update: LegUpdate,
) {
    let Some(identity) = update.to.strip_prefix("client:") else {
        return;
    };
    let lock = || owners.lock().unwrap_or_else(|e| e.into_inner());
    match update.status {
        CallStatus::Ringing => {
            let agent = match ClientIdentity::parse(identity) {
                Ok(identity) => store.get_agent_by_identity(&identity).await,
                Err(_) => return,
            };
            let agent_id = match agent {
                Ok(Some(agent)) => agent.id,
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "demo: cannot look up the ringing agent");
                    return;
                }
            };
            // Allowed to act before being told: the browser answers right after the event.
            lock().insert(
                update.call_sid.clone(),
                Owner {
                    agent_id,
                    role: Role::Callee,
                },
            );
            let _ = live.send(LiveEvent::DemoIncoming {
                agent_id,
                call_sid: update.call_sid,
                from: update.from,
            });
        }
        CallStatus::Queued | CallStatus::Initiated | CallStatus::InProgress => {}
        // Over: nothing left to act on.
        _ => {
            lock().remove(&update.call_sid);
        }
    }
}

/// The HTTP answer to a simulator error.
pub fn sim_error(e: twilio_sim::SimError) -> ApiError {
    use twilio_sim::SimError;
    match e {
        SimError::UnknownCall(_) => ApiError::NotFound,
        SimError::CallOver(_) => ApiError::Conflict("the call is over".into()),
        SimError::InvalidCommand { reason, .. } => ApiError::Conflict(reason.into()),
        SimError::InvalidDigits(d) => {
            ApiError::BadRequest(format!("digits: {d:?} may only contain 0-9, *, # and w"))
        }
        other => ApiError::Internal(format!("demo simulator: {other}")),
    }
}
