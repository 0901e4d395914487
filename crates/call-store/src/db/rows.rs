//! Rows as diesel reads and writes them, and their conversion to and from the model.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::error::StoreError;
use crate::events::{CallEvent, EventMeta};
use crate::ids::{CallSid, RecordingSid};
use crate::model::{
    Agent, AgentRole, CallSummary, JobState, PlaybackEntry, PlaybackVia, RecordingCopy,
    RecordingJob, StoredEvent,
};
use crate::party::{ClientIdentity, Party};
use crate::schema::{
    agents, call_events, call_legs, calls, playback_audit, recording_copies, recording_jobs,
    recordings,
};
use crate::state::{AgentRef, CallState, LegState, RecordingState};
use crate::status::{CallDirection, CallStatus, Direction, RecordingSource, RecordingStatus};

/// Milliseconds since the epoch, the stored form of every timestamp.
pub(crate) fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(
    ms: i64,
    table: &'static str,
    column: &'static str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| corrupt(table, column, "timestamp out of range"))
}

fn opt_from_ms(
    ms: Option<i64>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(|ms| from_ms(ms, table, column)).transpose()
}

pub(crate) fn corrupt(
    table: &'static str,
    column: &'static str,
    reason: impl Into<String>,
) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        reason: reason.into(),
    }
}

/// Parses a stored value with one of the model's parsers, reporting the column on failure.
fn parse<T, E: std::fmt::Display>(
    value: &str,
    parser: impl FnOnce(&str) -> Result<T, E>,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError> {
    parser(value).map_err(|e| corrupt(table, column, e.to_string()))
}

fn opt_parse<T, E: std::fmt::Display>(
    value: Option<&str>,
    parser: impl FnOnce(&str) -> Result<T, E>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<T>, StoreError> {
    value.map(|v| parse(v, parser, table, column)).transpose()
}

fn to_u32(value: i64, table: &'static str, column: &'static str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(table, column, "out of range"))
}

// ---------------------------------------------------------------- events

#[derive(Insertable)]
#[diesel(table_name = call_events)]
pub(crate) struct NewEventRow {
    pub(crate) dedupe_key: String,
    pub(crate) kind: &'static str,
    pub(crate) call_sid: String,
    pub(crate) parent_call_sid: Option<String>,
    pub(crate) root_sid: Option<String>,
    pub(crate) recording_sid: Option<String>,
    pub(crate) sequence_number: Option<i64>,
    pub(crate) status: String,
    pub(crate) occurred_at: i64,
    pub(crate) received_at: i64,
    pub(crate) idempotency_token: Option<String>,
    pub(crate) payload: String,
}

impl NewEventRow {
    pub(crate) fn new(event: &CallEvent, meta: &EventMeta) -> Result<Self, StoreError> {
        let payload = serde_json::to_string(event)
            .map_err(|e| corrupt("call_events", "payload", e.to_string()))?;
        Ok(NewEventRow {
            dedupe_key: event.dedupe_key(),
            kind: event.kind().as_str(),
            call_sid: event.call_sid().to_string(),
            parent_call_sid: event.parent_call_sid().map(ToString::to_string),
            root_sid: event.root_sid().map(ToString::to_string),
            recording_sid: event.recording_sid().map(ToString::to_string),
            sequence_number: event.sequence_number().map(i64::from),
            status: event.status_token().to_owned(),
            occurred_at: to_ms(event.occurred_at()),
            received_at: to_ms(meta.received_at()),
            idempotency_token: meta.idempotency_token().map(str::to_owned),
            payload,
        })
    }
}

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = call_events)]
pub(crate) struct EventRow {
    pub(crate) id: i64,
    pub(crate) dedupe_key: String,
    pub(crate) received_at: i64,
    pub(crate) idempotency_token: Option<String>,
    pub(crate) payload: String,
}

impl EventRow {
    pub(crate) fn event(&self) -> Result<CallEvent, StoreError> {
        serde_json::from_str(&self.payload)
            .map_err(|e| corrupt("call_events", "payload", e.to_string()))
    }

    pub(crate) fn into_stored(self) -> Result<StoredEvent, StoreError> {
        let event = self.event()?;
        Ok(StoredEvent {
            id: self.id,
            kind: event.kind(),
            dedupe_key: self.dedupe_key,
            received_at: from_ms(self.received_at, "call_events", "received_at")?,
            idempotency_token: self.idempotency_token,
            event,
        })
    }
}

// ---------------------------------------------------------------- calls

/// The derived columns of `calls`: inserted, and replaced on every refold. CRM fields and
/// `created_at` are not part of it, so a refold never erases them.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = calls, treat_none_as_null = true)]
pub(crate) struct CallDerivedRow {
    pub(crate) root_sid: String,
    pub(crate) direction: &'static str,
    pub(crate) status: String,
    pub(crate) from_number: String,
    pub(crate) to_number: String,
    pub(crate) duration: i64,
    pub(crate) answered: bool,
    pub(crate) voicemail: bool,
    pub(crate) has_recording: bool,
    pub(crate) recording_sid: Option<String>,
    pub(crate) recording_url: Option<String>,
    pub(crate) agent_identity: Option<String>,
    pub(crate) peer_identity: Option<String>,
    pub(crate) started_at: i64,
    pub(crate) answered_at: Option<i64>,
    pub(crate) ended_at: Option<i64>,
    pub(crate) updated_at: i64,
}

impl CallDerivedRow {
    /// The row without `agent_id`/`peer_agent_id`, which the upsert resolves itself.
    pub(crate) fn new(state: &CallState, now: i64) -> Self {
        let main = state.main_recording_state();
        CallDerivedRow {
            root_sid: state.root_sid.to_string(),
            direction: state.direction.as_str(),
            status: state.status.to_string(),
            from_number: state.from.to_string(),
            to_number: state.to.to_string(),
            duration: i64::from(state.duration),
            answered: state.answered,
            voicemail: state.voicemail,
            has_recording: main.is_some(),
            recording_sid: main.map(|r| r.recording_sid.to_string()),
            recording_url: main.and_then(|r| r.url.clone()),
            agent_identity: agent_identity(state).map(ToString::to_string),
            peer_identity: state.peer.as_ref().map(ToString::to_string),
            started_at: to_ms(state.started_at),
            answered_at: state.answered_at.map(to_ms),
            ended_at: state.ended_at.map(to_ms),
            updated_at: now,
        }
    }
}

/// The identity of the call's agent: the one it is attributed to, or the `client:` caller
/// of the root leg when http-api attributed it by id.
pub(crate) fn agent_identity(state: &CallState) -> Option<&ClientIdentity> {
    match &state.agent {
        Some(AgentRef::Identity(identity)) => Some(identity),
        Some(AgentRef::Id(_)) => state.root_leg().and_then(|r| r.from.client_identity()),
        None => None,
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = calls)]
pub(crate) struct CallRow {
    pub(crate) id: i64,
    pub(crate) root_sid: String,
    pub(crate) direction: String,
    pub(crate) status: String,
    pub(crate) from_number: String,
    pub(crate) to_number: String,
    pub(crate) duration: i64,
    pub(crate) answered: bool,
    pub(crate) voicemail: bool,
    pub(crate) recording_sid: Option<String>,
    pub(crate) recording_url: Option<String>,
    pub(crate) agent_id: Option<i64>,
    pub(crate) agent_identity: Option<String>,
    pub(crate) peer_agent_id: Option<i64>,
    pub(crate) peer_identity: Option<String>,
    pub(crate) started_at: i64,
    pub(crate) answered_at: Option<i64>,
    pub(crate) ended_at: Option<i64>,
    pub(crate) contact_wa_id: Option<String>,
    pub(crate) contact_name: Option<String>,
    pub(crate) channel_id: Option<i64>,
    pub(crate) updated_at: i64,
}

impl CallRow {
    /// The summary without legs and recordings (the caller adds them).
    pub(crate) fn into_summary(self, user_name: Option<String>) -> Result<CallSummary, StoreError> {
        const T: &str = "calls";
        let started_at = from_ms(self.started_at, T, "started_at")?;
        Ok(CallSummary {
            id: self.id,
            call_sid: parse(&self.root_sid, CallSid::parse, T, "root_sid")?,
            from_number: parse(&self.from_number, Party::parse, T, "from_number")?,
            to_number: parse(&self.to_number, Party::parse, T, "to_number")?,
            direction: parse(&self.direction, CallDirection::parse, T, "direction")?,
            status: parse(&self.status, CallStatus::parse, T, "status")?,
            duration: to_u32(self.duration, T, "duration")?,
            recording_url: self.recording_url,
            recording_sid: opt_parse(
                self.recording_sid.as_deref(),
                RecordingSid::parse,
                T,
                "recording_sid",
            )?,
            drive_file_url: None,
            user_id: self.agent_id,
            user_name,
            contact_wa_id: self.contact_wa_id,
            contact_name: self.contact_name,
            channel_id: self.channel_id,
            created_at: started_at,
            updated_at: from_ms(self.updated_at, T, "updated_at")?,
            answered: self.answered,
            voicemail: self.voicemail,
            agent_identity: opt_parse(
                self.agent_identity.as_deref(),
                ClientIdentity::parse,
                T,
                "agent_identity",
            )?,
            peer_agent_id: self.peer_agent_id,
            peer_identity: opt_parse(
                self.peer_identity.as_deref(),
                ClientIdentity::parse,
                T,
                "peer_identity",
            )?,
            started_at,
            answered_at: opt_from_ms(self.answered_at, T, "answered_at")?,
            ended_at: opt_from_ms(self.ended_at, T, "ended_at")?,
            legs: Vec::new(),
            recordings: Vec::new(),
        })
    }
}

// ---------------------------------------------------------------- legs

/// The columns of `call_legs` derived from the leg's events (everything but `created_at`).
#[derive(Insertable, AsChangeset, Debug)]
#[diesel(table_name = call_legs, treat_none_as_null = true)]
pub(crate) struct LegDerivedRow {
    pub(crate) call_id: i64,
    pub(crate) call_sid: String,
    pub(crate) parent_call_sid: Option<String>,
    pub(crate) direction: String,
    pub(crate) from_party: String,
    pub(crate) to_party: String,
    pub(crate) agent_identity: Option<String>,
    pub(crate) status: String,
    pub(crate) sequence_number: Option<i64>,
    pub(crate) duration: Option<i64>,
    pub(crate) sip_response_code: Option<i32>,
    pub(crate) answered_by: Option<String>,
    pub(crate) started_at: i64,
    pub(crate) answered_at: Option<i64>,
    pub(crate) ended_at: Option<i64>,
    pub(crate) updated_at: i64,
}

impl LegDerivedRow {
    pub(crate) fn new(call_id: i64, leg: &LegState, now: i64) -> Self {
        LegDerivedRow {
            call_id,
            call_sid: leg.call_sid.to_string(),
            parent_call_sid: leg.parent_call_sid.as_ref().map(ToString::to_string),
            direction: leg.direction.to_string(),
            from_party: leg.from.to_string(),
            to_party: leg.to.to_string(),
            agent_identity: leg.agent_identity.as_ref().map(ToString::to_string),
            status: leg.status.to_string(),
            sequence_number: leg.sequence_number.map(i64::from),
            duration: leg.duration.map(i64::from),
            sip_response_code: leg.sip_response_code.map(i32::from),
            answered_by: leg.answered_by.clone(),
            started_at: to_ms(leg.started_at),
            answered_at: leg.answered_at.map(to_ms),
            ended_at: leg.ended_at.map(to_ms),
            updated_at: now,
        }
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = call_legs)]
pub(crate) struct LegRow {
    pub(crate) call_id: i64,
    pub(crate) call_sid: String,
    pub(crate) parent_call_sid: Option<String>,
    pub(crate) direction: String,
    pub(crate) from_party: String,
    pub(crate) to_party: String,
    pub(crate) agent_identity: Option<String>,
    pub(crate) status: String,
    pub(crate) sequence_number: Option<i64>,
    pub(crate) duration: Option<i64>,
    pub(crate) sip_response_code: Option<i32>,
    pub(crate) answered_by: Option<String>,
    pub(crate) started_at: i64,
    pub(crate) answered_at: Option<i64>,
    pub(crate) ended_at: Option<i64>,
}

impl LegRow {
    pub(crate) fn into_state(self) -> Result<LegState, StoreError> {
        const T: &str = "call_legs";
        Ok(LegState {
            call_sid: parse(&self.call_sid, CallSid::parse, T, "call_sid")?,
            parent_call_sid: opt_parse(
                self.parent_call_sid.as_deref(),
                CallSid::parse,
                T,
                "parent_call_sid",
            )?,
            direction: parse(&self.direction, Direction::parse, T, "direction")?,
            from: parse(&self.from_party, Party::parse, T, "from_party")?,
            to: parse(&self.to_party, Party::parse, T, "to_party")?,
            status: parse(&self.status, CallStatus::parse, T, "status")?,
            sequence_number: self
                .sequence_number
                .map(|n| to_u32(n, T, "sequence_number"))
                .transpose()?,
            duration: self
                .duration
                .map(|n| to_u32(n, T, "duration"))
                .transpose()?,
            sip_response_code: self
                .sip_response_code
                .map(|c| {
                    u16::try_from(c).map_err(|_| corrupt(T, "sip_response_code", "out of range"))
                })
                .transpose()?,
            answered_by: self.answered_by,
            agent_identity: opt_parse(
                self.agent_identity.as_deref(),
                ClientIdentity::parse,
                T,
                "agent_identity",
            )?,
            started_at: from_ms(self.started_at, T, "started_at")?,
            answered_at: opt_from_ms(self.answered_at, T, "answered_at")?,
            ended_at: opt_from_ms(self.ended_at, T, "ended_at")?,
        })
    }
}

// ---------------------------------------------------------------- recordings

/// Columns of `recordings` taken from the recording's own events.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = recordings, treat_none_as_null = true)]
pub(crate) struct RecordingDerivedRow {
    pub(crate) recording_sid: String,
    pub(crate) call_sid: String,
    pub(crate) status: String,
    pub(crate) url: Option<String>,
    pub(crate) duration: Option<i64>,
    pub(crate) channels: Option<i32>,
    pub(crate) source: Option<String>,
    pub(crate) track: Option<String>,
    pub(crate) start_time: Option<i64>,
    pub(crate) error_code: Option<i32>,
    pub(crate) is_voicemail: bool,
    pub(crate) updated_at: i64,
}

impl RecordingDerivedRow {
    pub(crate) fn new(state: &RecordingState, now: i64) -> Self {
        RecordingDerivedRow {
            recording_sid: state.recording_sid.to_string(),
            call_sid: state.call_sid.to_string(),
            status: state.status.to_string(),
            url: state.url.clone(),
            duration: state.duration.map(i64::from),
            channels: state.channels.map(i32::from),
            source: state.source.as_ref().map(ToString::to_string),
            track: state.track.clone(),
            start_time: state.start_time.map(to_ms),
            error_code: state
                .error_code
                .map(|c| i32::try_from(c).unwrap_or(i32::MAX)),
            is_voicemail: state.is_voicemail,
            updated_at: now,
        }
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = recordings)]
pub(crate) struct RecordingRow {
    pub(crate) recording_sid: String,
    pub(crate) call_sid: String,
    pub(crate) call_id: Option<i64>,
    pub(crate) status: String,
    pub(crate) url: Option<String>,
    pub(crate) duration: Option<i64>,
    pub(crate) channels: Option<i32>,
    pub(crate) source: Option<String>,
    pub(crate) track: Option<String>,
    pub(crate) start_time: Option<i64>,
    pub(crate) error_code: Option<i32>,
    pub(crate) is_voicemail: bool,
}

impl RecordingRow {
    pub(crate) fn into_state(self) -> Result<(RecordingState, Option<i64>), StoreError> {
        const T: &str = "recordings";
        let state = RecordingState {
            recording_sid: parse(&self.recording_sid, RecordingSid::parse, T, "recording_sid")?,
            call_sid: parse(&self.call_sid, CallSid::parse, T, "call_sid")?,
            status: parse(&self.status, RecordingStatus::parse, T, "status")?,
            url: self.url,
            duration: self
                .duration
                .map(|d| to_u32(d, T, "duration"))
                .transpose()?,
            channels: self
                .channels
                .map(|c| u8::try_from(c).map_err(|_| corrupt(T, "channels", "out of range")))
                .transpose()?,
            start_time: opt_from_ms(self.start_time, T, "start_time")?,
            source: opt_parse(self.source.as_deref(), RecordingSource::parse, T, "source")?,
            track: self.track,
            error_code: self
                .error_code
                .map(|c| u32::try_from(c).map_err(|_| corrupt(T, "error_code", "out of range")))
                .transpose()?,
            is_voicemail: self.is_voicemail,
        };
        Ok((state, self.call_id))
    }
}

#[derive(Insertable)]
#[diesel(table_name = recording_copies)]
pub(crate) struct NewCopyRow<'a> {
    pub(crate) recording_sid: &'a str,
    pub(crate) sink: &'a str,
    pub(crate) location: &'a str,
    pub(crate) stored_at: i64,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = recording_copies)]
pub(crate) struct CopyRow {
    pub(crate) recording_sid: String,
    pub(crate) sink: String,
    pub(crate) location: String,
    pub(crate) stored_at: i64,
}

impl CopyRow {
    pub(crate) fn into_model(self) -> Result<RecordingCopy, StoreError> {
        const T: &str = "recording_copies";
        Ok(RecordingCopy {
            recording_sid: parse(&self.recording_sid, RecordingSid::parse, T, "recording_sid")?,
            sink: self.sink,
            location: self.location,
            stored_at: from_ms(self.stored_at, T, "stored_at")?,
        })
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = recording_jobs)]
pub(crate) struct JobRow {
    pub(crate) id: i64,
    pub(crate) recording_sid: String,
    pub(crate) state: String,
    pub(crate) attempts: i32,
    pub(crate) next_run_at: i64,
    pub(crate) locked_by: Option<String>,
    pub(crate) locked_until: Option<i64>,
    pub(crate) last_error: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl JobRow {
    pub(crate) fn into_model(self) -> Result<RecordingJob, StoreError> {
        const T: &str = "recording_jobs";
        Ok(RecordingJob {
            id: self.id,
            recording_sid: parse(&self.recording_sid, RecordingSid::parse, T, "recording_sid")?,
            state: JobState::from_db(&self.state)
                .ok_or_else(|| corrupt(T, "state", "unknown state"))?,
            attempts: u32::try_from(self.attempts)
                .map_err(|_| corrupt(T, "attempts", "negative"))?,
            next_run_at: from_ms(self.next_run_at, T, "next_run_at")?,
            locked_by: self.locked_by,
            locked_until: opt_from_ms(self.locked_until, T, "locked_until")?,
            last_error: self.last_error,
            created_at: from_ms(self.created_at, T, "created_at")?,
            updated_at: from_ms(self.updated_at, T, "updated_at")?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = playback_audit)]
pub(crate) struct NewPlaybackRow<'a> {
    pub(crate) recording_sid: &'a str,
    pub(crate) agent_id: Option<i64>,
    pub(crate) via: &'static str,
    pub(crate) at: i64,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = playback_audit)]
pub(crate) struct PlaybackRow {
    pub(crate) id: i64,
    pub(crate) recording_sid: String,
    pub(crate) agent_id: Option<i64>,
    pub(crate) via: String,
    pub(crate) at: i64,
}

impl PlaybackRow {
    pub(crate) fn into_model(self) -> Result<PlaybackEntry, StoreError> {
        const T: &str = "playback_audit";
        Ok(PlaybackEntry {
            id: self.id,
            recording_sid: parse(&self.recording_sid, RecordingSid::parse, T, "recording_sid")?,
            agent_id: self.agent_id,
            via: PlaybackVia::from_db(&self.via)
                .ok_or_else(|| corrupt(T, "via", "unknown value"))?,
            at: from_ms(self.at, T, "at")?,
        })
    }
}

// ---------------------------------------------------------------- agents

#[derive(Insertable)]
#[diesel(table_name = agents)]
pub(crate) struct NewAgentRow<'a> {
    pub(crate) username: &'a str,
    pub(crate) display_name: &'a str,
    pub(crate) identity: &'a str,
    pub(crate) password_hash: &'a str,
    pub(crate) role: &'static str,
    pub(crate) active: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = agents)]
pub(crate) struct AgentRow {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) identity: String,
    pub(crate) role: String,
    pub(crate) active: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl AgentRow {
    pub(crate) fn into_model(self) -> Result<Agent, StoreError> {
        const T: &str = "agents";
        Ok(Agent {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            identity: parse(&self.identity, ClientIdentity::parse, T, "identity")?,
            role: AgentRole::from_db(&self.role)
                .ok_or_else(|| corrupt(T, "role", "unknown role"))?,
            active: self.active,
            created_at: from_ms(self.created_at, T, "created_at")?,
            updated_at: from_ms(self.updated_at, T, "updated_at")?,
        })
    }
}
