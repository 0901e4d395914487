//! What the store returns: calls for the history, recordings with their copies and jobs,
//! agents, playback audit entries.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::events::{CallEvent, EventKind};
use crate::ids::{CallSid, RecordingSid};
use crate::party::{ClientIdentity, Party};
use crate::state::{LegState, RecordingState};
use crate::status::{CallDirection, CallStatus};

/// Name of the sink whose copy the history shows as `drive_file_url`.
pub const DRIVE_SINK: &str = "drive";

/// One call of the history: the guide's `call_logs` fields, then Ramal's additions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallSummary {
    /// Database id of the call.
    pub id: i64,
    /// The root (parent) leg's SID.
    pub call_sid: CallSid,
    /// Who called (E.164, `client:...`, ...).
    pub from_number: Party,
    /// Who was called.
    pub to_number: Party,
    /// `outbound`, `inbound` or `internal`.
    pub direction: CallDirection,
    /// Call-level status (`completed`, `no-answer` for a missed inbound call, ...).
    pub status: CallStatus,
    /// Talk time in seconds.
    pub duration: u32,
    /// Twilio's URL of the main recording (needs Twilio credentials: serve it through the
    /// recording proxy).
    pub recording_url: Option<String>,
    /// The main recording.
    pub recording_sid: Option<RecordingSid>,
    /// Where the main recording's copy in the `drive` sink is.
    pub drive_file_url: Option<String>,
    /// The agent who placed (outbound, internal) or answered (inbound) the call.
    pub user_id: Option<i64>,
    /// That agent's display name.
    pub user_name: Option<String>,
    /// CRM contact id (kept from the guide; set with `set_call_contact`).
    pub contact_wa_id: Option<String>,
    /// CRM contact name.
    pub contact_name: Option<String>,
    /// CRM channel id.
    pub channel_id: Option<i64>,
    /// When the call started (the guide's `created_at`).
    pub created_at: DateTime<Utc>,
    /// When the stored call last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether the callee (outbound) or an agent (inbound) answered.
    pub answered: bool,
    /// Whether the caller left a voicemail.
    pub voicemail: bool,
    /// The `client:` identity of the call's agent, even when no agent row matches it.
    pub agent_identity: Option<ClientIdentity>,
    /// The agent called in an internal call.
    pub peer_agent_id: Option<i64>,
    /// The identity called in an internal call.
    pub peer_identity: Option<ClientIdentity>,
    /// When the call started.
    pub started_at: DateTime<Utc>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Its legs: the root first (once known), then children by start time.
    pub legs: Vec<LegState>,
    /// Its recordings with their copies and pipeline state.
    pub recordings: Vec<RecordingView>,
}

/// A recording with where it has been stored and its pipeline job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingView {
    /// What Twilio reported.
    #[serde(flatten)]
    pub recording: RecordingState,
    /// The call it belongs to, once a leg with its CallSid is known.
    pub call_id: Option<i64>,
    /// Copies in sinks, by sink name.
    pub copies: Vec<RecordingCopy>,
    /// The pipeline job (completed recordings only).
    pub job: Option<RecordingJob>,
}

/// One stored copy of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingCopy {
    /// The recording.
    pub recording_sid: RecordingSid,
    /// The sink that holds it (`drive`, `local`, ...).
    pub sink: String,
    /// Where: a Drive file URL, a local path, ...
    pub location: String,
    /// When it was stored.
    pub stored_at: DateTime<Utc>,
}

/// State of a recording job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for `next_run_at`.
    Pending,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Stored in every sink.
    Done,
    /// Given up; `last_error` says why. `retry_dead_job` puts it back.
    Dead,
}

impl JobState {
    /// The stored token.
    pub fn as_str(&self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub(crate) fn from_db(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(JobState::Pending),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "dead" => Some(JobState::Dead),
            _ => None,
        }
    }
}

/// A job of the recording pipeline: fetch one recording and store it in every sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingJob {
    /// Job id.
    pub id: i64,
    /// The recording to file.
    pub recording_sid: RecordingSid,
    /// Current state.
    pub state: JobState,
    /// How many times it was claimed.
    pub attempts: u32,
    /// Earliest time it may run (again).
    pub next_run_at: DateTime<Utc>,
    /// The worker holding it, while running.
    pub locked_by: Option<String>,
    /// End of the worker's lease; after it another worker may claim the job.
    pub locked_until: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which jobs `list_jobs` returns (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// At most this many (capped at 1000).
    pub limit: u32,
    /// Only jobs with an id below this one (pagination).
    pub before_id: Option<i64>,
}

impl Default for JobFilter {
    fn default() -> Self {
        JobFilter {
            state: None,
            limit: 100,
            before_id: None,
        }
    }
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyOutcome {
    /// The same event was already stored: nothing changed.
    pub duplicate: bool,
    /// The call the event belongs to (its root SID), when known. `None` for a recording
    /// whose leg has not been seen yet: it is kept and joins its call when the leg appears.
    pub call_sid: Option<CallSid>,
    /// The call's database id, when known.
    pub call_id: Option<i64>,
    /// A recording job was enqueued by this event.
    pub job_enqueued: bool,
}

/// A stored event, for the event log of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    /// Row id (insertion order).
    pub id: i64,
    /// Kind of event.
    pub kind: EventKind,
    /// Its dedupe key.
    pub dedupe_key: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Twilio's idempotency token, when given.
    pub idempotency_token: Option<String>,
    /// The event.
    pub event: CallEvent,
}

/// CRM fields of a call kept from the guide; not derived from Twilio events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallContact {
    /// Contact id (a WhatsApp id in the guide).
    pub contact_wa_id: Option<String>,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Channel id.
    pub channel_id: Option<i64>,
}

/// An agent's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentRole {
    /// Manages agents and settings, sees every call.
    Admin,
    /// Makes and takes calls, sees its own calls and missed inbound ones.
    Agent,
}

impl AgentRole {
    /// `admin` or `agent`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AgentRole::Admin => "admin",
            AgentRole::Agent => "agent",
        }
    }

    pub(crate) fn from_db(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(AgentRole::Admin),
            "agent" => Some(AgentRole::Agent),
            _ => None,
        }
    }
}

/// An agent (no password hash: see [`AgentCredentials`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// Id (the guide's `user_id`).
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown to people (any Unicode).
    pub display_name: String,
    /// The Twilio client identity its tokens carry.
    pub identity: ClientIdentity,
    /// Role.
    pub role: AgentRole,
    /// Inactive agents cannot log in and are not rung.
    pub active: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// An agent with its password hash, for login only. `Debug` hides the hash and the type is
/// not serializable, so it cannot leak into a response or a log by accident.
#[derive(Clone)]
pub struct AgentCredentials {
    /// The agent.
    pub agent: Agent,
    pub(crate) password_hash: String,
}

impl AgentCredentials {
    /// The stored password hash (hashing and verifying are http-api's job).
    pub fn password_hash(&self) -> &str {
        &self.password_hash
    }
}

impl fmt::Debug for AgentCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentCredentials")
            .field("agent", &self.agent)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// Longest username.
const USERNAME_MAX: usize = 64;
/// Longest display name (characters).
const DISPLAY_NAME_MAX: usize = 128;
/// Longest password hash (PHC strings are about 100 characters).
const PASSWORD_HASH_MAX: usize = 512;

/// A validated new agent.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAgent {
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) identity: ClientIdentity,
    pub(crate) password_hash: String,
    pub(crate) role: AgentRole,
}

impl NewAgent {
    /// Checks the fields: username 1 to 64 characters without spaces or control characters;
    /// display name 1 to 128 characters, any Unicode but no control characters; a
    /// non-empty password hash.
    pub fn new(
        username: &str,
        display_name: &str,
        identity: ClientIdentity,
        password_hash: &str,
        role: AgentRole,
    ) -> Result<Self, InputError> {
        Ok(NewAgent {
            username: validate_username(username)?,
            display_name: validate_display_name(display_name)?,
            identity,
            password_hash: validate_password_hash(password_hash)?,
            role,
        })
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }
}

impl fmt::Debug for NewAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAgent")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("identity", &self.identity)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .finish()
    }
}

pub(crate) fn validate_username(value: &str) -> Result<String, InputError> {
    if value.is_empty() {
        return Err(InputError::Missing { field: "username" });
    }
    if value.chars().count() > USERNAME_MAX
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(InputError::invalid(
            "username",
            format!("1 to {USERNAME_MAX} characters, no spaces"),
        ));
    }
    Ok(value.to_owned())
}

pub(crate) fn validate_display_name(value: &str) -> Result<String, InputError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(InputError::Missing {
            field: "display_name",
        });
    }
    if trimmed.chars().count() > DISPLAY_NAME_MAX || trimmed.chars().any(char::is_control) {
        return Err(InputError::invalid(
            "display_name",
            format!("1 to {DISPLAY_NAME_MAX} characters, no control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

pub(crate) fn validate_password_hash(value: &str) -> Result<String, InputError> {
    if value.is_empty() {
        return Err(InputError::Missing {
            field: "password_hash",
        });
    }
    if value.len() > PASSWORD_HASH_MAX || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InputError::invalid(
            "password_hash",
            "expected a printable ASCII hash string",
        ));
    }
    Ok(value.to_owned())
}

/// How a recording was played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaybackVia {
    /// By a logged-in agent.
    Session,
    /// Through a signed expiring link.
    SignedLink,
}

impl PlaybackVia {
    /// `session` or `signed_link`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlaybackVia::Session => "session",
            PlaybackVia::SignedLink => "signed_link",
        }
    }

    pub(crate) fn from_db(value: &str) -> Option<Self> {
        match value {
            "session" => Some(PlaybackVia::Session),
            "signed_link" => Some(PlaybackVia::SignedLink),
            _ => None,
        }
    }
}

/// One playback of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybackEntry {
    /// Row id.
    pub id: i64,
    /// What was played.
    pub recording_sid: RecordingSid,
    /// Who played it (none for a signed link opened without a session).
    pub agent_id: Option<i64>,
    /// How.
    pub via: PlaybackVia,
    /// When.
    pub at: DateTime<Utc>,
}

/// Whether the migrations embedded in this binary are applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationStatus {
    /// Versions applied to the database, oldest first.
    pub applied: Vec<String>,
    /// Embedded versions not applied yet, oldest first.
    pub pending: Vec<String>,
    /// Versions applied to the database that this binary does not know (a newer binary
    /// migrated it).
    pub unknown: Vec<String>,
}

impl MigrationStatus {
    /// Whether the database is exactly at this binary's schema.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }
}

/// A difference between the schema this binary declares and the live database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaDrift {
    /// The table.
    pub table: String,
    /// Columns declared but missing in the database.
    pub missing: Vec<String>,
    /// Columns in the database that are not declared.
    pub extra: Vec<String>,
}
