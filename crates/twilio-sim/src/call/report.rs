//! What happened on a simulated call.

use std::fmt;

/// Twilio's `CallStatus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// `queued`.
    Queued,
    /// `initiated`.
    Initiated,
    /// `ringing`.
    Ringing,
    /// `in-progress`.
    InProgress,
    /// `completed`.
    Completed,
    /// `busy`.
    Busy,
    /// `failed`.
    Failed,
    /// `no-answer`.
    NoAnswer,
    /// `canceled`.
    Canceled,
}

impl CallStatus {
    /// Twilio's string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::NoAnswer => "no-answer",
            Self::Canceled => "canceled",
        }
    }

    /// The SIP response code Twilio reports with a terminal status.
    pub(crate) fn sip_code(self) -> u16 {
        match self {
            Self::Busy => 486,
            Self::Failed => 404,
            Self::NoAnswer | Self::Canceled => 487,
            _ => 200,
        }
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One dialed leg (child call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegReport {
    /// The child's `CallSid`.
    pub call_sid: String,
    /// Its `To`: an E.164 number, `client:<identity>` or a SIP URI.
    pub to: String,
    /// Final status.
    pub status: CallStatus,
    /// Whether it was answered and bridged.
    pub answered: bool,
    /// Talk time in seconds (`CallDuration`).
    pub duration_secs: u64,
}

/// An error Twilio's debugger would log for this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Twilio error code: 11200 HTTP retrieval failure, 11205 HTTP connection failure,
    /// 12100 document parse failure, 12200 schema validation, 12300 invalid content type;
    /// 0 when the simulator's loop guard (`SimConfig::max_twiml_fetches`) stopped the call.
    pub code: u32,
    /// The URL involved, if any.
    pub url: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// The outcome of a simulated call, returned when the call is over and every callback that was
/// not collected has been delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReport {
    /// The parent call's SID.
    pub call_sid: String,
    /// Parent's final status.
    pub status: CallStatus,
    /// Parent's duration in seconds from answer to hang-up (0 if never answered).
    pub duration_secs: u64,
    /// Child legs, in creation order.
    pub legs: Vec<LegReport>,
    /// SIDs of the recordings made, in creation order.
    pub recordings: Vec<String>,
    /// Texts of every `<Say>` the caller heard, in order (application errors included).
    pub said: Vec<String>,
    /// Names of the verbs executed, in order.
    pub verbs: Vec<String>,
    /// Errors Twilio would have logged.
    pub notifications: Vec<Notification>,
}

impl CallReport {
    /// The leg whose `To` is `to` (number, `client:identity`, or bare identity).
    pub fn leg(&self, to: &str) -> Option<&LegReport> {
        self.legs
            .iter()
            .find(|l| l.to == to || l.to.strip_prefix("client:") == Some(to))
    }
}
