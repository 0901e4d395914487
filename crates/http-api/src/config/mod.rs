//! Typed configuration: a TOML file (optional) overlaid by environment variables.
//!
//! Environment wins over the file so a container or systemd unit can override one value without
//! editing the file. Every problem is collected and reported at once, each with what to do.

mod load;
mod public_url;
mod recordings;
mod secret;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use access_token::{AccountSid, ApiKeySid, ApplicationSid};

pub use load::{ConfigError, Source, load};
pub use public_url::{PublicUrl, PublicUrlError};
pub use recordings::{DriveConfig, RecordingsConfig, SinkKind, parse_duration};
pub use secret::Secret;

use crate::phone::{DestinationPolicy, E164};

/// Everything `ramal serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds to (`RAMAL_BIND`).
    pub bind: SocketAddr,
    /// Base URL Twilio and browsers use (`RAMAL_PUBLIC_URL`); also what webhooks are signed with.
    pub public_url: PublicUrl,
    /// Where the SQLite database, recordings and keys live (`RAMAL_DATA_DIR`).
    pub data_dir: PathBuf,
    /// The webhook spool (`RAMAL_SPOOL_DIR`, default `<data_dir>/spool`): local to this
    /// instance even when several share the data directory's recordings folder.
    pub spool_dir: PathBuf,
    /// `sqlite://path`, a plain path, or `postgres://...` (`RAMAL_DATABASE_URL`).
    pub database_url: String,
    /// Twilio account settings; `None` when no `TWILIO_*` variable is set at all.
    pub twilio: Option<TwilioConfig>,
    /// Base of Twilio's REST API (`RAMAL_TWILIO_API_BASE`); a simulator in tests.
    pub twilio_api_base: String,
    /// How calls are answered and placed.
    pub calls: CallPolicy,
    /// Agent authentication.
    pub auth: AuthConfig,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Demo mode (`RAMAL_DEMO`, default on when no Twilio account is configured): an embedded
    /// Twilio simulator stands in for Twilio, so calls can be placed and received without one.
    pub demo: bool,
    /// The recording pipeline: sinks, retries, Google Drive (`RAMAL_RECORDING_*`, `RAMAL_DRIVE_*`).
    pub recordings: RecordingsConfig,
}

/// The Twilio account: the seed's six variables plus optional shared webhook keys.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `TWILIO_ACCOUNT_SID` (`AC...`).
    pub account_sid: AccountSid,
    /// `TWILIO_AUTH_TOKEN`: signs the webhooks Twilio sends us.
    pub auth_token: Secret,
    /// `TWILIO_API_KEY_SID` (`SK...`): issues the browser tokens, fetches recordings.
    pub api_key_sid: ApiKeySid,
    /// `TWILIO_API_KEY_SECRET`.
    pub api_key_secret: Secret,
    /// `TWILIO_TWIML_APP_SID` (`AP...`): where calls placed by the browser are routed.
    pub twiml_app_sid: ApplicationSid,
    /// `TWILIO_PHONE_NUMBER`: caller ID for outbound calls, the number customers call.
    pub phone_number: E164,
    /// `RAMAL_TWILIO_WEBHOOK_KEYS` (`id:secret,...`): keys of the HMAC-SHA256 signing scheme.
    pub webhook_keys: HashMap<String, Secret>,
}

/// How Ramal answers Twilio's TwiML requests.
#[derive(Debug, Clone)]
pub struct CallPolicy {
    /// Language of spoken messages (`RAMAL_LANGUAGE`, default `pt-BR`).
    pub language: String,
    /// `<Dial record>` mode (`RAMAL_RECORDING`, default `record-from-answer`).
    pub recording: twiml_builder::DialRecord,
    /// Seconds agents' browsers or the dialled number ring (`RAMAL_RING_TIMEOUT`, default 30).
    pub ring_timeout_secs: u32,
    /// Which numbers agents may call (`RAMAL_ALLOWED_DESTINATIONS`).
    pub destinations: DestinationPolicy,
    /// Whether unanswered inbound callers may leave a voicemail (`RAMAL_VOICEMAIL`).
    pub voicemail: bool,
    /// The spoken texts.
    pub messages: Messages,
}

/// Spoken texts; defaults are in the configured language.
#[derive(Debug, Clone)]
pub struct Messages {
    /// Said to inbound callers before agents ring.
    pub greeting: String,
    /// Said when no agent is available or nobody answers.
    pub unavailable: String,
    /// Said before the voicemail beep.
    pub voicemail_prompt: String,
    /// Said when an outbound call has no destination.
    pub no_destination: String,
    /// Said when an outbound destination is not allowed.
    pub destination_refused: String,
    /// Said when the caller is not a known, active agent.
    pub unknown_agent: String,
}

/// Agent authentication settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Key that signs agent sessions and recording links (`RAMAL_SESSION_SECRET`); generated and
    /// kept in the data directory when not set (set it when running several instances).
    pub session_secret: Option<Secret>,
    /// Lifetime of a login session (`RAMAL_SESSION_TTL`, seconds, default 12 h).
    pub session_ttl: Duration,
    /// Lifetime of the Twilio Access Tokens given to browsers (`RAMAL_TOKEN_TTL`, default 3600).
    pub token_ttl_secs: u32,
    /// Lifetime of signed recording links (`RAMAL_RECORDING_LINK_TTL`, default 1 h).
    pub recording_link_ttl: Duration,
    /// Bearer JWTs from an existing user system, when configured.
    pub external_jwt: Option<ExternalJwtConfig>,
    /// Reverse proxies whose `X-Forwarded-For` names the real client (`RAMAL_TRUSTED_PROXIES`,
    /// default loopback): login throttling counts per client, not per proxy.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Accepting bearer JWTs issued by another system (the seed lived inside such a hub).
#[derive(Debug, Clone)]
pub struct ExternalJwtConfig {
    /// How signatures are checked.
    pub key: ExternalJwtKey,
    /// Claim holding the user's stable id (`RAMAL_EXTERNAL_JWT_ID_CLAIM`, default `sub`).
    pub id_claim: String,
    /// Claim holding the display name (`RAMAL_EXTERNAL_JWT_NAME_CLAIM`, default `name`).
    pub name_claim: String,
    /// Expected `iss`, if any (`RAMAL_EXTERNAL_JWT_ISSUER`).
    pub issuer: Option<String>,
    /// Expected `aud`, if any (`RAMAL_EXTERNAL_JWT_AUDIENCE`).
    pub audience: Option<String>,
}

/// Verification key of external JWTs.
#[derive(Debug, Clone)]
pub enum ExternalJwtKey {
    /// HS256 with a shared secret (`RAMAL_EXTERNAL_JWT_HS256_SECRET`).
    Hs256(Secret),
    /// RS256 with a PEM public key (`RAMAL_EXTERNAL_JWT_RS256_PUBLIC_KEY`, a file path).
    Rs256(Vec<u8>),
}
