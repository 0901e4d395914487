//! The [`CallStore`] trait: everything http-api and the recording pipeline ask of storage.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::events::{CallEvent, EventMeta};
use crate::ids::{CallSid, RecordingSid};
use crate::model::{
    Agent, AgentCredentials, AgentRole, ApplyOutcome, CallContact, CallSummary, JobFilter,
    MigrationStatus, NewAgent, PlaybackEntry, PlaybackVia, RecordingCopy, RecordingJob,
    RecordingView, SchemaDrift, StoredEvent,
};
use crate::party::ClientIdentity;
use crate::query::{CallPage, CallQuery};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite (embedded, single machine).
    Sqlite,
    /// PostgreSQL (several instances may share it).
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Ramal's storage: Twilio events and the calls derived from them, agents, recordings and
/// the recording pipeline's job queue.
///
/// Object-safe: http-api holds an `Arc<dyn CallStore>` obtained from [`crate::open`].
/// Every method is safe to call concurrently from many tasks and, on PostgreSQL, from
/// several processes.
#[async_trait]
pub trait CallStore: Send + Sync + std::fmt::Debug {
    /// The database behind this store.
    fn backend(&self) -> Backend;

    /// Checks that the database answers (for `/readyz`).
    async fn health_check(&self) -> Result<(), StoreError>;

    /// Which embedded migrations are applied (for `ramal doctor`).
    async fn migration_status(&self) -> Result<MigrationStatus, StoreError>;

    /// Differences between the tables this binary expects and the live database (empty
    /// when they match).
    async fn schema_drift(&self) -> Result<Vec<SchemaDrift>, StoreError>;

    /// Stores an event and updates the call it belongs to, in one transaction.
    ///
    /// Idempotent (a duplicate is a no-op reported as such) and order-independent: the
    /// call's state is re-derived from all its events with [`crate::state::fold_call`].
    /// A completed recording enqueues its pipeline job in the same transaction.
    async fn apply(&self, event: &CallEvent, meta: &EventMeta) -> Result<ApplyOutcome, StoreError>;

    /// The call with this SID as its root or as one of its legs.
    async fn get_call(&self, sid: &CallSid) -> Result<Option<CallSummary>, StoreError>;

    /// A page of the history.
    async fn list_calls(&self, query: &CallQuery) -> Result<CallPage, StoreError>;

    /// Every stored event of the call with this root or leg SID (including recordings of
    /// its legs), in arrival order.
    async fn call_events(&self, sid: &CallSid) -> Result<Vec<StoredEvent>, StoreError>;

    /// Sets the CRM fields of the call with this root or leg SID. Returns false when no
    /// such call exists.
    async fn set_call_contact(
        &self,
        sid: &CallSid,
        contact: &CallContact,
    ) -> Result<bool, StoreError>;

    /// A recording, whether or not its call is known yet.
    async fn get_recording(&self, sid: &RecordingSid) -> Result<Option<RecordingView>, StoreError>;

    /// Records that `sink` holds a copy of the recording at `location`. A sink holds a
    /// recording once: if it already has one, the existing copy is returned unchanged.
    async fn record_copy(
        &self,
        recording: &RecordingSid,
        sink: &str,
        location: &str,
    ) -> Result<RecordingCopy, StoreError>;

    /// Audits one playback.
    async fn record_playback(
        &self,
        recording: &RecordingSid,
        agent_id: Option<i64>,
        via: PlaybackVia,
    ) -> Result<PlaybackEntry, StoreError>;

    /// Playbacks of a recording, oldest first.
    async fn list_playbacks(
        &self,
        recording: &RecordingSid,
    ) -> Result<Vec<PlaybackEntry>, StoreError>;

    /// Claims up to `limit` due jobs for `worker` for `lease`: pending jobs whose
    /// `next_run_at` has come, and running jobs whose lease expired (their worker died).
    /// Concurrent claimers never get the same job. Each claim counts an attempt.
    async fn claim_jobs(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<RecordingJob>, StoreError>;

    /// Marks a job done. Fails with [`StoreError::LeaseLost`] if `worker` no longer holds it.
    async fn complete_job(&self, job_id: i64, worker: &str) -> Result<RecordingJob, StoreError>;

    /// Records a failure: the job waits until `retry_at`, or is dead when `retry_at` is
    /// `None`. Fails with [`StoreError::LeaseLost`] if `worker` no longer holds it.
    async fn fail_job(
        &self,
        job_id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<RecordingJob, StoreError>;

    /// Puts a dead job back in the queue, due now. Returns false when the recording has no
    /// dead job.
    async fn retry_dead_job(&self, recording: &RecordingSid) -> Result<bool, StoreError>;

    /// Releases every job `worker` holds (graceful shutdown): they become pending and due
    /// now, and the attempt is not counted. Returns how many.
    async fn release_jobs(&self, worker: &str) -> Result<u64, StoreError>;

    /// Jobs, newest first.
    async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<RecordingJob>, StoreError>;

    /// The job of a recording.
    async fn get_job(&self, recording: &RecordingSid) -> Result<Option<RecordingJob>, StoreError>;

    /// Creates an agent. [`StoreError::Conflict`] if the username or identity is taken.
    async fn create_agent(&self, agent: &NewAgent) -> Result<Agent, StoreError>;

    /// An agent by id.
    async fn get_agent(&self, id: i64) -> Result<Option<Agent>, StoreError>;

    /// An agent by username.
    async fn get_agent_by_username(&self, username: &str) -> Result<Option<Agent>, StoreError>;

    /// An agent by Twilio client identity.
    async fn get_agent_by_identity(
        &self,
        identity: &ClientIdentity,
    ) -> Result<Option<Agent>, StoreError>;

    /// An agent and its password hash, for login.
    async fn get_agent_credentials(
        &self,
        username: &str,
    ) -> Result<Option<AgentCredentials>, StoreError>;

    /// Every agent, by id.
    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError>;

    /// Activates or deactivates an agent.
    async fn set_agent_active(&self, id: i64, active: bool) -> Result<Agent, StoreError>;

    /// Replaces an agent's password hash.
    async fn set_agent_password_hash(&self, id: i64, password_hash: &str)
    -> Result<(), StoreError>;

    /// Changes an agent's role.
    async fn update_agent_role(&self, id: i64, role: AgentRole) -> Result<Agent, StoreError>;
}
