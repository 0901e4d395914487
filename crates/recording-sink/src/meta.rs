//! What a sink is told about a recording: its SID, the call it belongs to (for naming the file),
//! its media type and its exact length.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::error::MetaError;

/// Hexadecimal digits after the `RE` prefix of a Twilio recording SID.
const SID_HEX_DIGITS: usize = 32;

/// A Twilio recording SID: `RE` followed by 32 hexadecimal digits.
///
/// Every sink keys its copies by this value, which is what makes storing idempotent.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordingSid(String);

impl RecordingSid {
    /// Parses a recording SID.
    ///
    /// ```
    /// use recording_sink::RecordingSid;
    /// assert!(RecordingSid::parse("RE0123456789abcdef0123456789abcdef").is_ok());
    /// assert!(RecordingSid::parse("RE../../etc/passwd").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, MetaError> {
        let valid = value.strip_prefix("RE").is_some_and(|hex| {
            hex.len() == SID_HEX_DIGITS && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(MetaError::InvalidSid)
        }
    }

    /// The SID as Twilio wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordingSid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RecordingSid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordingSid({})", self.0)
    }
}

/// The audio format of a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaType {
    /// MP3 (`audio/mpeg`): what Twilio serves for `.mp3`, 32 kbit/s.
    Mp3,
    /// WAV (`audio/wav`; Twilio says `audio/x-wav`).
    Wav,
}

impl MediaType {
    /// The `Content-Type` to serve and upload with.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Wav => "audio/wav",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Mp3 => "mp3",
            MediaType::Wav => "wav",
        }
    }

    /// Reads a `Content-Type` header value (parameters and case ignored).
    ///
    /// ```
    /// use recording_sink::MediaType;
    /// assert_eq!(MediaType::from_content_type("audio/x-wav"), Some(MediaType::Wav));
    /// assert_eq!(MediaType::from_content_type("Audio/MPEG; charset=binary"), Some(MediaType::Mp3));
    /// assert_eq!(MediaType::from_content_type("text/html"), None);
    /// ```
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "audio/mpeg" | "audio/mp3" | "audio/mpeg3" => Some(MediaType::Mp3),
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Some(MediaType::Wav),
            _ => None,
        }
    }

    /// The media type of a file name's extension.
    pub fn from_extension(name: &str) -> Option<Self> {
        match name.rsplit_once('.')?.1.to_ascii_lowercase().as_str() {
            "mp3" => Some(MediaType::Mp3),
            "wav" => Some(MediaType::Wav),
            _ => None,
        }
    }
}

/// Who called whom, from the team's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// An agent called out.
    Outbound,
    /// A customer called in.
    Inbound,
    /// One agent called another.
    Internal,
}

impl Direction {
    /// `outbound`, `inbound` or `internal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
            Direction::Internal => "internal",
        }
    }
}

/// What is known of the call a recording belongs to; used only to name the stored file, so
/// every field but the time is optional (a recording may be filed before its call is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    /// When the recording (or its call) started; also picks the `YYYY/MM/DD` folder.
    pub started_at: DateTime<Utc>,
    /// Direction of the call.
    pub direction: Option<Direction>,
    /// The other party: the customer's number, or the other agent of an internal call.
    pub counterpart: Option<String>,
    /// The agent's display name.
    pub agent: Option<String>,
    /// Length in seconds.
    pub duration_secs: Option<u32>,
}

impl CallInfo {
    /// Only the time is known.
    pub fn at(started_at: DateTime<Utc>) -> Self {
        Self {
            started_at,
            direction: None,
            counterpart: None,
            agent: None,
            duration_secs: None,
        }
    }
}

/// Everything a sink needs besides the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingMeta {
    sid: RecordingSid,
    call: CallInfo,
    media_type: MediaType,
    length: u64,
}

impl RecordingMeta {
    /// A recording of exactly `length` bytes (the `Content-Length` it was fetched with). Empty
    /// recordings are refused: Twilio never serves one for a completed recording, so an empty
    /// body means something went wrong upstream.
    pub fn new(
        sid: RecordingSid,
        call: CallInfo,
        media_type: MediaType,
        length: u64,
    ) -> Result<Self, MetaError> {
        if length == 0 {
            return Err(MetaError::Empty);
        }
        Ok(Self {
            sid,
            call,
            media_type,
            length,
        })
    }

    /// The recording's SID.
    pub fn sid(&self) -> &RecordingSid {
        &self.sid
    }

    /// The call it belongs to.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }

    /// Its media type.
    pub fn media_type(&self) -> MediaType {
        self.media_type
    }

    /// Its exact length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The file name every sink uses, like the guide's:
    /// `2026-11-29_14-03_outbound_+5531999999999_Ana-Souza_42s_RE….mp3`. Unknown parts are left
    /// out; the SID always ends the name, so it stays unique and searchable.
    pub fn file_name(&self) -> String {
        crate::naming::file_name(self)
    }

    /// The `YYYY/MM/DD` folder of the recording (UTC).
    pub fn date_path(&self) -> String {
        self.call.started_at.format("%Y/%m/%d").to_string()
    }
}
