//! The events Twilio sends (parsed from its form fields) and the metadata stored with them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::form::{self, FormFields, optional, required};
use crate::ids::{AccountSid, CallSid, RecordingSid};
use crate::party::Party;
use crate::status::{CallDirection, CallStatus, Direction, RecordingSource, RecordingStatus};

/// Longest `CallbackSource`, `AnsweredBy` or `RecordingTrack` kept.
const MINOR_TEXT_MAX: usize = 64;
/// Longest idempotency token kept (Twilio's are far shorter).
const IDEMPOTENCY_TOKEN_MAX: usize = 256;

fn party(form: &(impl FormFields + ?Sized), field: &'static str) -> Result<Party, InputError> {
    // An absent From/To is kept as an empty label rather than refused: Twilio omits `To`
    // on a browser call placed without a destination, and that leg is still worth recording.
    Party::parse_field(form.field(field).unwrap_or(""), field)
}

fn optional_call_sid(
    form: &(impl FormFields + ?Sized),
    field: &'static str,
) -> Result<Option<CallSid>, InputError> {
    optional(form, field)
        .map(|v| CallSid::parse(v).map_err(|e| e.for_field(field)))
        .transpose()
}

fn optional_account(form: &(impl FormFields + ?Sized)) -> Result<Option<AccountSid>, InputError> {
    optional(form, "AccountSid")
        .map(AccountSid::parse)
        .transpose()
}

/// Twilio asking for TwiML for a leg (our `/voice` and `/voice-incoming` routes).
///
/// Twilio sends no timestamp with these: `received_at` is when http-api received it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VoiceRequest {
    /// The leg asking for instructions.
    pub call_sid: CallSid,
    /// The parent leg, when this leg was created by `<Dial>` (absent on a first leg).
    pub parent_call_sid: Option<CallSid>,
    /// The account, when sent.
    pub account_sid: Option<AccountSid>,
    /// The caller.
    pub from: Party,
    /// The callee (for a browser call, the `To` parameter of `device.connect`).
    pub to: Party,
    /// Twilio's direction of this leg.
    pub direction: Direction,
    /// The leg's status when Twilio asked.
    pub status: CallStatus,
    /// What kind of call this is, as decided by http-api from the route and the parties
    /// (it wins over the store's own inference).
    pub call_direction: Option<CallDirection>,
    /// The agent the call is attributed to (the agent placing an outbound call), set by
    /// http-api from the caller's identity.
    pub agent_id: Option<i64>,
    /// When http-api received the request (milliseconds precision).
    pub received_at: DateTime<Utc>,
}

impl VoiceRequest {
    /// Parses Twilio's voice request fields. `received_at` is the reception time (also the
    /// reference for the plausibility checks).
    pub fn from_form(
        form: &(impl FormFields + ?Sized),
        received_at: DateTime<Utc>,
    ) -> Result<Self, InputError> {
        Ok(VoiceRequest {
            call_sid: CallSid::parse(required(form, "CallSid")?)?,
            parent_call_sid: optional_call_sid(form, "ParentCallSid")?,
            account_sid: optional_account(form)?,
            from: party(form, "From")?,
            to: party(form, "To")?,
            direction: Direction::parse(required(form, "Direction")?)?,
            status: CallStatus::parse(required(form, "CallStatus")?)?,
            call_direction: None,
            agent_id: None,
            received_at: form::plausible_time(received_at, received_at, "received_at")?,
        })
    }

    /// Sets the call-level direction decided by http-api.
    pub fn with_call_direction(mut self, direction: CallDirection) -> Self {
        self.call_direction = Some(direction);
        self
    }

    /// Attributes the call to an agent.
    pub fn with_agent(mut self, agent_id: i64) -> Self {
        self.agent_id = Some(agent_id);
        self
    }
}

/// A call-progress (status) callback. For `<Dial>` legs, `call_sid` is the child leg and
/// `parent_call_sid` the parent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StatusEvent {
    /// The leg this event is about.
    pub call_sid: CallSid,
    /// Its parent leg, for a child leg.
    pub parent_call_sid: Option<CallSid>,
    /// The account, when sent.
    pub account_sid: Option<AccountSid>,
    /// The caller of this leg.
    pub from: Party,
    /// The callee of this leg.
    pub to: Party,
    /// Twilio's direction of this leg.
    pub direction: Direction,
    /// The leg's new status.
    pub status: CallStatus,
    /// Twilio's per-leg event counter (0, 1, 2, ...): orders events regardless of arrival.
    pub sequence_number: Option<u32>,
    /// Talk time in seconds, sent with terminal events only.
    pub call_duration: Option<u32>,
    /// When the event happened (`Timestamp`, or the reception time when absent).
    pub timestamp: DateTime<Utc>,
    /// The SIP response code, when sent.
    pub sip_response_code: Option<u16>,
    /// `CallbackSource` (normally `call-progress-events`).
    pub callback_source: Option<String>,
    /// Answering-machine detection result, when enabled.
    pub answered_by: Option<String>,
}

impl StatusEvent {
    /// Parses a status callback's fields. `received_at` stands in for a missing `Timestamp`
    /// and is the reference for the plausibility checks.
    pub fn from_form(
        form: &(impl FormFields + ?Sized),
        received_at: DateTime<Utc>,
    ) -> Result<Self, InputError> {
        let timestamp = match optional(form, "Timestamp") {
            Some(value) => form::rfc2822_time(value, received_at, "Timestamp")?,
            None => form::plausible_time(received_at, received_at, "received_at")?,
        };
        Ok(StatusEvent {
            call_sid: CallSid::parse(required(form, "CallSid")?)?,
            parent_call_sid: optional_call_sid(form, "ParentCallSid")?,
            account_sid: optional_account(form)?,
            from: party(form, "From")?,
            to: party(form, "To")?,
            direction: Direction::parse(required(form, "Direction")?)?,
            status: CallStatus::parse(required(form, "CallStatus")?)?,
            sequence_number: optional(form, "SequenceNumber")
                .map(|v| form::bounded_int(v, "SequenceNumber", 0, u32::MAX))
                .transpose()?,
            call_duration: optional(form, "CallDuration")
                .map(|v| form::duration_seconds(v, "CallDuration"))
                .transpose()?,
            timestamp,
            sip_response_code: optional(form, "SipResponseCode")
                .map(|v| form::bounded_int(v, "SipResponseCode", 100, 699))
                .transpose()?
                .map(|code| u16::try_from(code).expect("bounded to 699")),
            callback_source: optional(form, "CallbackSource")
                .map(|v| form::short_text(v, "CallbackSource", MINOR_TEXT_MAX))
                .transpose()?,
            answered_by: optional(form, "AnsweredBy")
                .map(|v| form::short_text(v, "AnsweredBy", MINOR_TEXT_MAX))
                .transpose()?,
        })
    }
}

/// A recording-status callback. `call_sid` is the call Twilio names: for `<Dial record>`
/// always the parent leg.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordingEvent {
    /// The leg the recording belongs to, as named by Twilio.
    pub call_sid: CallSid,
    /// The recording.
    pub recording_sid: RecordingSid,
    /// The account, when sent.
    pub account_sid: Option<AccountSid>,
    /// Where the media is (`https://api.twilio.com/.../Recordings/RE...`, no extension).
    pub url: Option<String>,
    /// The recording's new status.
    pub status: RecordingStatus,
    /// Length in seconds (completed recordings).
    pub duration: Option<u32>,
    /// Number of channels (1 or 2).
    pub channels: Option<u8>,
    /// When recording started.
    pub start_time: Option<DateTime<Utc>>,
    /// What produced it (`DialVerb`, `RecordVerb` = voicemail, ...).
    pub source: Option<RecordingSource>,
    /// Which audio track (`inbound`, `outbound`, `both`).
    pub track: Option<String>,
    /// Twilio's error code for a failed recording (0 is "no error" and is dropped).
    pub error_code: Option<u32>,
    /// When http-api received the callback.
    pub received_at: DateTime<Utc>,
}

impl RecordingEvent {
    /// Parses a recording-status callback's fields.
    pub fn from_form(
        form: &(impl FormFields + ?Sized),
        received_at: DateTime<Utc>,
    ) -> Result<Self, InputError> {
        Ok(RecordingEvent {
            call_sid: CallSid::parse(required(form, "CallSid")?)?,
            recording_sid: RecordingSid::parse(required(form, "RecordingSid")?)?,
            account_sid: optional_account(form)?,
            url: optional(form, "RecordingUrl")
                .map(|v| form::url(v, "RecordingUrl"))
                .transpose()?,
            status: RecordingStatus::parse(required(form, "RecordingStatus")?)?,
            duration: optional(form, "RecordingDuration")
                .map(|v| form::duration_seconds(v, "RecordingDuration"))
                .transpose()?,
            channels: optional(form, "RecordingChannels")
                .map(|v| form::bounded_int(v, "RecordingChannels", 1, 2))
                .transpose()?
                .map(|n| u8::try_from(n).expect("bounded to 2")),
            start_time: optional(form, "RecordingStartTime")
                .map(|v| form::rfc2822_time(v, received_at, "RecordingStartTime"))
                .transpose()?,
            source: optional(form, "RecordingSource")
                .map(RecordingSource::parse)
                .transpose()?,
            track: optional(form, "RecordingTrack")
                .map(|v| form::short_text(v, "RecordingTrack", MINOR_TEXT_MAX))
                .transpose()?,
            error_code: optional(form, "ErrorCode")
                .map(|v| form::bounded_int(v, "ErrorCode", 0, 999_999))
                .transpose()?
                .filter(|code| *code != 0),
            received_at: form::plausible_time(received_at, received_at, "received_at")?,
        })
    }

    /// Whether this is a voicemail (`<Record>`, source `RecordVerb`).
    pub fn is_voicemail(&self) -> bool {
        self.source == Some(RecordingSource::RecordVerb)
    }
}

/// What kind of event a stored event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A [`VoiceRequest`].
    Voice,
    /// A [`StatusEvent`].
    Status,
    /// A [`RecordingEvent`].
    Recording,
}

impl EventKind {
    /// `voice`, `status` or `recording` (the stored token).
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Voice => "voice",
            EventKind::Status => "status",
            EventKind::Recording => "recording",
        }
    }
}

/// Any event that changes a call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CallEvent {
    /// Twilio fetched TwiML for a leg.
    Voice(VoiceRequest),
    /// A leg changed status.
    Status(StatusEvent),
    /// A recording changed status.
    Recording(RecordingEvent),
}

impl CallEvent {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            CallEvent::Voice(_) => EventKind::Voice,
            CallEvent::Status(_) => EventKind::Status,
            CallEvent::Recording(_) => EventKind::Recording,
        }
    }

    /// The CallSid the event names (for a recording, the leg Twilio names).
    pub fn call_sid(&self) -> &CallSid {
        match self {
            CallEvent::Voice(e) => &e.call_sid,
            CallEvent::Status(e) => &e.call_sid,
            CallEvent::Recording(e) => &e.call_sid,
        }
    }

    /// The parent leg named by a leg event.
    pub fn parent_call_sid(&self) -> Option<&CallSid> {
        match self {
            CallEvent::Voice(e) => e.parent_call_sid.as_ref(),
            CallEvent::Status(e) => e.parent_call_sid.as_ref(),
            CallEvent::Recording(_) => None,
        }
    }

    /// The root (parent) SID of the call a leg event belongs to: `ParentCallSid`, or the
    /// leg's own SID for a first leg. `None` for recordings, whose call is found through
    /// the leg they name.
    pub fn root_sid(&self) -> Option<&CallSid> {
        match self {
            CallEvent::Recording(_) => None,
            leg => Some(leg.parent_call_sid().unwrap_or_else(|| leg.call_sid())),
        }
    }

    /// The recording SID of a recording event.
    pub fn recording_sid(&self) -> Option<&RecordingSid> {
        match self {
            CallEvent::Recording(e) => Some(&e.recording_sid),
            _ => None,
        }
    }

    /// The status token carried (a call status, or a recording status).
    pub fn status_token(&self) -> &str {
        match self {
            CallEvent::Voice(e) => e.status.as_str(),
            CallEvent::Status(e) => e.status.as_str(),
            CallEvent::Recording(e) => e.status.as_str(),
        }
    }

    /// The leg event's sequence number, if any.
    pub fn sequence_number(&self) -> Option<u32> {
        match self {
            CallEvent::Status(e) => e.sequence_number,
            _ => None,
        }
    }

    /// When the event happened (status: `Timestamp`; others: reception time).
    pub fn occurred_at(&self) -> DateTime<Utc> {
        match self {
            CallEvent::Voice(e) => e.received_at,
            CallEvent::Status(e) => e.timestamp,
            CallEvent::Recording(e) => e.received_at,
        }
    }

    /// The key that makes a retried or duplicated delivery of the same event a no-op.
    ///
    /// It names what the event means, not how it arrived: kind, leg, sequence number and
    /// status for leg events (`status:CA...:3:completed`), recording and status for
    /// recordings. Twilio's retries carry the same values, so they collide here and are
    /// stored once. The key is readable on purpose: an operator can see what it deduplicates.
    pub fn dedupe_key(&self) -> String {
        match self {
            CallEvent::Voice(e) => format!("voice:{}:{}", e.call_sid, e.status),
            CallEvent::Status(e) => {
                let seq = e
                    .sequence_number
                    .map_or_else(|| "-".to_owned(), |n| n.to_string());
                format!("status:{}:{}:{}", e.call_sid, seq, e.status)
            }
            CallEvent::Recording(e) => format!("recording:{}:{}", e.recording_sid, e.status),
        }
    }
}

impl From<VoiceRequest> for CallEvent {
    fn from(event: VoiceRequest) -> Self {
        CallEvent::Voice(event)
    }
}

impl From<StatusEvent> for CallEvent {
    fn from(event: StatusEvent) -> Self {
        CallEvent::Status(event)
    }
}

impl From<RecordingEvent> for CallEvent {
    fn from(event: RecordingEvent) -> Self {
        CallEvent::Recording(event)
    }
}

/// How an event reached us: stored beside it, never used to derive state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMeta {
    received_at: DateTime<Utc>,
    idempotency_token: Option<String>,
}

impl EventMeta {
    /// Metadata for an event received at `received_at`.
    pub fn new(received_at: DateTime<Utc>) -> Self {
        EventMeta {
            received_at: form::truncate_to_millis(received_at),
            idempotency_token: None,
        }
    }

    /// Adds Twilio's `I-Twilio-Idempotency-Token` header (printable ASCII, at most 256).
    pub fn with_idempotency_token(mut self, token: &str) -> Result<Self, InputError> {
        if token.is_empty()
            || token.len() > IDEMPOTENCY_TOKEN_MAX
            || !token.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InputError::invalid(
                "I-Twilio-Idempotency-Token",
                "expected 1 to 256 printable ASCII characters",
            ));
        }
        self.idempotency_token = Some(token.to_owned());
        Ok(self)
    }

    /// When the event was received.
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    /// The idempotency token, if one was given.
    pub fn idempotency_token(&self) -> Option<&str> {
        self.idempotency_token.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const PARENT: &str = "CA00000000000000000000000000000001";
    const CHILD: &str = "CA00000000000000000000000000000002";
    const REC: &str = "RE00000000000000000000000000000001";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parses_a_child_leg_status_callback() {
        let f = form(&[
            ("CallSid", CHILD),
            ("ParentCallSid", PARENT),
            ("From", "+551140028922"),
            ("To", "+5511987654321"),
            ("Direction", "outbound-dial"),
            ("CallStatus", "completed"),
            ("SequenceNumber", "3"),
            ("CallDuration", "42"),
            ("Timestamp", "Sun, 01 Mar 2026 11:58:00 +0000"),
            ("SipResponseCode", "200"),
            ("CallbackSource", "call-progress-events"),
        ]);
        let event = StatusEvent::from_form(f.as_slice(), now()).unwrap();
        assert_eq!(event.sequence_number, Some(3));
        assert_eq!(event.call_duration, Some(42));
        assert_eq!(event.status, CallStatus::Completed);
        let event = CallEvent::from(event);
        assert_eq!(event.root_sid().unwrap().as_str(), PARENT);
        assert_eq!(event.dedupe_key(), format!("status:{CHILD}:3:completed"));
    }

    #[test]
    fn refuses_bad_fields_with_their_names() {
        let base = [
            ("CallSid", CHILD),
            ("Direction", "outbound-dial"),
            ("CallStatus", "ringing"),
        ];
        let cases: &[(&str, &str, &str)] = &[
            ("CallSid", "CAnothex", "CallSid"),
            (
                "ParentCallSid",
                "XX00000000000000000000000000000001",
                "ParentCallSid",
            ),
            ("CallStatus", "Ringing!", "CallStatus"),
            ("CallDuration", "-3", "CallDuration"),
            ("CallDuration", "90000", "CallDuration"),
            ("Timestamp", "yesterday", "Timestamp"),
            ("Timestamp", "Mon, 01 Jan 2007 00:00:00 +0000", "Timestamp"),
            ("SequenceNumber", "-1", "SequenceNumber"),
            ("From", "+12", "From"),
        ];
        for (field, value, expected) in cases {
            let mut f = form(&base);
            f.retain(|(k, _)| k != field);
            f.push(((*field).to_owned(), (*value).to_owned()));
            let err = StatusEvent::from_form(f.as_slice(), now()).unwrap_err();
            assert_eq!(err.field(), *expected, "{field}={value}: {err}");
        }
    }

    #[test]
    fn parses_recording_callbacks() {
        let f = form(&[
            ("CallSid", PARENT),
            ("RecordingSid", REC),
            (
                "RecordingUrl",
                "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            ),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", "40"),
            ("RecordingChannels", "2"),
            ("RecordingSource", "RecordVerb"),
            ("ErrorCode", "0"),
            ("RecordingStartTime", "Sun, 01 Mar 2026 11:57:00 +0000"),
        ]);
        let event = RecordingEvent::from_form(f.as_slice(), now()).unwrap();
        assert!(event.is_voicemail());
        assert_eq!(event.error_code, None);
        assert_eq!(event.channels, Some(2));
        assert_eq!(
            CallEvent::from(event).dedupe_key(),
            format!("recording:{REC}:completed")
        );
        let mut bad = f.clone();
        bad.push(("RecordingUrl".into(), "ftp://x".into()));
        bad.swap_remove(2);
        assert_eq!(
            RecordingEvent::from_form(bad.as_slice(), now())
                .unwrap_err()
                .field(),
            "RecordingUrl"
        );
    }

    #[test]
    fn events_round_trip_through_json() {
        let f = form(&[
            ("CallSid", PARENT),
            ("From", "client:ana"),
            ("To", "+5511987654321"),
            ("Direction", "inbound"),
            ("CallStatus", "ringing"),
        ]);
        let event = CallEvent::from(
            VoiceRequest::from_form(f.as_slice(), now())
                .unwrap()
                .with_agent(7)
                .with_call_direction(CallDirection::Outbound),
        );
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<CallEvent>(&json).unwrap(), event);
    }
}
