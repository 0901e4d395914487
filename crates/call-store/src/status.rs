//! Status and direction vocabularies: Twilio's tokens for legs and recordings, and Ramal's
//! call-level direction.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InputError;

/// Longest status/direction token accepted for a value Twilio may add in the future.
const TOKEN_MAX: usize = 32;

/// A future Twilio status or direction: lowercase ASCII letters and `-`, 1 to 32 characters.
fn is_lowercase_token(value: &str) -> bool {
    (1..=TOKEN_MAX).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// A future recording source: ASCII letters and digits, 1 to 32 characters (Twilio uses
/// CamelCase names such as `DialVerb`).
fn is_camel_token(value: &str) -> bool {
    (1..=TOKEN_MAX).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

macro_rules! token_enum {
    (
        $(#[$doc:meta])*
        $name:ident, field = $field:literal, other_ok = $other_ok:path, other_rule = $rule:literal,
        { $( $(#[$vdoc:meta])* $variant:ident => $token:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
            /// A well-formed value this version does not know; stored as sent.
            Other(String),
        }

        impl $name {
            #[doc = concat!("Parses a `", $field, "` value. Unknown but well-formed values (", $rule, ") become `Other`; anything else is refused.")]
            pub fn parse(value: &str) -> Result<Self, InputError> {
                Self::parse_field(value, $field)
            }

            /// Like [`Self::parse`], reporting errors under another field name.
            pub fn parse_field(value: &str, field: &'static str) -> Result<Self, InputError> {
                match value {
                    "" => Err(InputError::Missing { field }),
                    $( $token => Ok($name::$variant), )+
                    other if $other_ok(other) => Ok($name::Other(other.to_owned())),
                    _ => Err(InputError::invalid(field, concat!("not a known value and not ", $rule))),
                }
            }

            /// The wire token.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $token, )+
                    $name::Other(other) => other,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InputError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

token_enum!(
    /// A call leg's `CallStatus`. Also used for the call-level status of the history.
    CallStatus, field = "CallStatus", other_ok = is_lowercase_token,
    other_rule = "lowercase letters and - (1 to 32)",
    {
        /// Waiting to be dialled.
        Queued => "queued",
        /// Twilio started dialling.
        Initiated => "initiated",
        /// The destination is ringing.
        Ringing => "ringing",
        /// Answered (the `answered` callback event arrives as `in-progress`).
        InProgress => "in-progress",
        /// Ended normally after being answered.
        Completed => "completed",
        /// The destination was busy.
        Busy => "busy",
        /// The call could not be placed.
        Failed => "failed",
        /// Nobody answered (for an inbound call of the history: missed).
        NoAnswer => "no-answer",
        /// Hung up by the caller before it was answered.
        Canceled => "canceled",
    }
);

impl CallStatus {
    /// Progress rank used to order a leg's events: an unknown status 0 (it never overrides a
    /// known one), then queued, initiated, ringing, in-progress, and all terminal states 5.
    pub fn rank(&self) -> u8 {
        match self {
            CallStatus::Other(_) => 0,
            CallStatus::Queued => 1,
            CallStatus::Initiated => 2,
            CallStatus::Ringing => 3,
            CallStatus::InProgress => 4,
            CallStatus::Completed
            | CallStatus::Busy
            | CallStatus::Failed
            | CallStatus::NoAnswer
            | CallStatus::Canceled => 5,
        }
    }

    /// Whether the leg has ended. Terminal states are sticky: no later event changes them.
    pub fn is_terminal(&self) -> bool {
        self.rank() == 5
    }
}

token_enum!(
    /// A leg's `Direction` as Twilio reports it (from Twilio's point of view: a call placed
    /// by the browser arrives as `inbound`).
    Direction, field = "Direction", other_ok = is_lowercase_token,
    other_rule = "lowercase letters and - (1 to 32)",
    {
        /// Into Twilio: from a phone, or from a browser client placing a call.
        Inbound => "inbound",
        /// Created through the REST API.
        OutboundApi => "outbound-api",
        /// Created by `<Dial>`: the child leg.
        OutboundDial => "outbound-dial",
    }
);

token_enum!(
    /// A recording's `RecordingStatus`.
    RecordingStatus, field = "RecordingStatus", other_ok = is_lowercase_token,
    other_rule = "lowercase letters and - (1 to 32)",
    {
        /// Recording is going on.
        InProgress => "in-progress",
        /// The media is available.
        Completed => "completed",
        /// Nothing was recorded (silence or too short).
        Absent => "absent",
        /// The recording failed.
        Failed => "failed",
    }
);

impl RecordingStatus {
    /// Progress rank: unknown 0, in-progress 1, terminal (completed, absent, failed) 2.
    pub fn rank(&self) -> u8 {
        match self {
            RecordingStatus::Other(_) => 0,
            RecordingStatus::InProgress => 1,
            RecordingStatus::Completed | RecordingStatus::Absent | RecordingStatus::Failed => 2,
        }
    }
}

token_enum!(
    /// What produced a recording (`RecordingSource`).
    RecordingSource, field = "RecordingSource", other_ok = is_camel_token,
    other_rule = "ASCII letters and digits (1 to 32)",
    {
        /// `<Dial record=...>`: the conversation.
        DialVerb => "DialVerb",
        /// `<Record>`: a voicemail left by the caller.
        RecordVerb => "RecordVerb",
        /// A conference recording.
        Conference => "Conference",
        /// Started with the call through the REST API.
        OutboundApi => "OutboundAPI",
        /// SIP trunking.
        Trunking => "Trunking",
        /// Started during the call through the REST API.
        StartCallRecordingApi => "StartCallRecordingAPI",
        /// Started on a conference through the REST API.
        StartConferenceRecordingApi => "StartConferenceRecordingAPI",
    }
);

/// The direction of a whole call as agents see it (the history's `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    /// An agent's browser called a phone.
    Outbound,
    /// A phone called the team's number.
    Inbound,
    /// One agent's browser called another's.
    Internal,
}

impl CallDirection {
    /// The token stored and shown: `outbound`, `inbound` or `internal`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CallDirection::Outbound => "outbound",
            CallDirection::Inbound => "inbound",
            CallDirection::Internal => "internal",
        }
    }

    /// Parses `outbound`, `inbound` or `internal`.
    pub fn parse(value: &str) -> Result<Self, InputError> {
        match value {
            "outbound" => Ok(CallDirection::Outbound),
            "inbound" => Ok(CallDirection::Inbound),
            "internal" => Ok(CallDirection::Internal),
            "" => Err(InputError::Missing { field: "direction" }),
            _ => Err(InputError::invalid(
                "direction",
                "expected outbound, inbound or internal",
            )),
        }
    }
}

impl fmt::Display for CallDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CallDirection {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tokens_round_trip() {
        for token in [
            "queued",
            "initiated",
            "ringing",
            "in-progress",
            "completed",
            "busy",
            "failed",
            "no-answer",
            "canceled",
        ] {
            let status = CallStatus::parse(token).unwrap();
            assert!(!matches!(status, CallStatus::Other(_)), "{token}");
            assert_eq!(status.as_str(), token);
        }
        assert_eq!(
            RecordingSource::parse("OutboundAPI").unwrap(),
            RecordingSource::OutboundApi
        );
        assert_eq!(
            Direction::parse("outbound-dial").unwrap(),
            Direction::OutboundDial
        );
    }

    #[test]
    fn future_values_are_kept_and_garbage_refused() {
        assert_eq!(
            CallStatus::parse("on-hold").unwrap(),
            CallStatus::Other("on-hold".into())
        );
        assert_eq!(CallStatus::parse("on-hold").unwrap().rank(), 0);
        for bad in ["Completed", "in progress", "x1", "done!", &"a".repeat(33)] {
            assert!(CallStatus::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            CallStatus::parse(""),
            Err(InputError::Missing {
                field: "CallStatus"
            })
        ));
        assert_eq!(
            RecordingSource::parse("FutureVerb2").unwrap(),
            RecordingSource::Other("FutureVerb2".into())
        );
        assert!(RecordingSource::parse("Dial-Verb").is_err());
    }

    #[test]
    fn terminal_states_outrank_everything() {
        let order = ["queued", "initiated", "ringing", "in-progress", "completed"];
        for pair in order.windows(2) {
            assert!(
                CallStatus::parse(pair[0]).unwrap().rank()
                    < CallStatus::parse(pair[1]).unwrap().rank()
            );
        }
        for t in ["busy", "failed", "no-answer", "canceled"] {
            assert!(CallStatus::parse(t).unwrap().is_terminal());
        }
    }
}
