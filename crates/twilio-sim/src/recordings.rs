//! Recordings the simulated calls produced.

use chrono::{DateTime, Utc};

use crate::media::{MediaFormat, MediaSpec};

/// Recording status, as Twilio names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingStatus {
    /// Still recording: metadata exists, media answers 404.
    InProgress,
    /// Finished: media available.
    Completed,
    /// Nothing was recorded.
    Absent,
    /// Deleted through the REST API: media gone.
    Deleted,
}

impl RecordingStatus {
    /// Twilio's string for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Absent => "absent",
            Self::Deleted => "deleted",
        }
    }
}

/// What made a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingSource {
    /// `<Dial record>`: `CallSid` is the parent call.
    DialVerb,
    /// `<Record>`: `CallSid` is the call that ran the verb.
    RecordVerb,
}

impl RecordingSource {
    /// Twilio's string for the source.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DialVerb => "DialVerb",
            Self::RecordVerb => "RecordVerb",
        }
    }
}

/// One recording and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// `RE` + 32 hex.
    pub sid: String,
    /// The call it belongs to (for `<Dial>` recordings, always the parent call).
    pub call_sid: String,
    /// Current status.
    pub status: RecordingStatus,
    /// What made it.
    pub source: RecordingSource,
    /// 1, or 2 for `-dual` dial recordings.
    pub channels: u8,
    /// Length in whole seconds (0 while in progress).
    pub duration_secs: u64,
    /// When recording started (virtual call time).
    pub start_time: DateTime<Utc>,
    /// Media size override set with
    /// [`Simulator::set_media_size`](crate::Simulator::set_media_size).
    pub media_size: Option<u64>,
}

impl Recording {
    /// The media served for `format` and the requested number of channels (`None`: the
    /// recording's own; a request for more channels than recorded gets the recorded ones).
    pub fn media(&self, format: MediaFormat, requested_channels: Option<u8>) -> MediaSpec {
        let channels = requested_channels
            .unwrap_or(self.channels)
            .clamp(1, self.channels.max(1));
        let spec = MediaSpec::new(format, self.duration_secs, channels);
        match self.media_size {
            Some(len) => spec.with_len(len),
            None => spec,
        }
    }
}
