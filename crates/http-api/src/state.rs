//! What every handler shares: configuration, the store, the verifiers and the live channels.

use std::sync::Arc;

use access_token::{AccountSid, ApiKeySecret, ApiKeySid, ApplicationSid};
use call_store::CallStore;
use tokio::sync::broadcast;

use crate::auth::{AgentCache, ExternalVerifier, LoginThrottle, Signer};
use crate::config::Config;
use crate::live::LiveEvent;
use crate::metrics::Metrics;
use crate::presence::Presence;
use crate::voice::twiml::CallbackUrls;
use crate::webhook::signature::WebhookVerifier;

/// Everything needed to mint browser tokens.
#[derive(Debug, Clone)]
pub struct TokenMinter {
    /// `sub` of the tokens.
    pub account_sid: AccountSid,
    /// `iss` of the tokens.
    pub api_key_sid: ApiKeySid,
    /// Signs the tokens.
    pub api_key_secret: ApiKeySecret,
    /// Where calls placed by the browser go.
    pub twiml_app_sid: ApplicationSid,
    /// Token lifetime.
    pub ttl_secs: u32,
}

/// Shared application state (cheap to clone: everything is behind `Arc`).
#[derive(Debug, Clone)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Calls, agents, recordings, jobs.
    pub store: Arc<dyn CallStore>,
    /// Checks Twilio's signatures; `None` without a Twilio account (every webhook is refused).
    pub verifier: Option<Arc<WebhookVerifier>>,
    /// Mints browser tokens; `None` without a Twilio account.
    pub minter: Option<Arc<TokenMinter>>,
    /// Signs sessions and recording links.
    pub signer: Arc<Signer>,
    /// Bearer tokens of an external user system, when configured.
    pub external: Option<Arc<ExternalVerifier>>,
    /// Failed-login counters.
    pub throttle: Arc<LoginThrottle>,
    /// Recently authenticated agents.
    pub agents: Arc<AgentCache>,
    /// Agents whose webphone is connected.
    pub presence: Arc<Presence>,
    /// Prometheus counters.
    pub metrics: Arc<Metrics>,
    /// Absolute callback URLs for TwiML.
    pub urls: Arc<CallbackUrls>,
    /// Live updates to connected browsers.
    pub live: broadcast::Sender<LiveEvent>,
    /// Hash checked when a username does not exist (equal timing).
    pub dummy_hash: Arc<str>,
    /// The embedded Twilio simulator in demo mode, and whose browser each live call is.
    pub demo: Option<crate::demo::Demo>,
    /// Agents as the TwiML routes see them (survives a database outage).
    pub directory: Arc<crate::voice::agents::AgentDirectory>,
    /// Signals to this and the other instances (live updates, presence, agent changes).
    pub bus: crate::cluster::Bus,
    /// Verified webhook events on their way to the store.
    pub spool: crate::spool::Spool,
    /// The recording pipeline's sinks, Twilio media client and worker wake-up.
    pub recordings: Arc<crate::recordings::Pipeline>,
}
