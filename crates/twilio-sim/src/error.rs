//! Errors of the simulator's own API (what Twilio would log for a call goes in the
//! [`CallReport`](crate::CallReport) instead).

/// Why a simulator operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A listener could not be bound on 127.0.0.1.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// The inbound call targets a number the simulated account does not own.
    #[error("{0} is not the simulated account's phone number")]
    UnknownNumber(String),
    /// No call with this SID was simulated.
    #[error("no simulated call has SID {0}")]
    UnknownCall(String),
    /// No recording with this SID exists.
    #[error("no recording has SID {0}")]
    UnknownRecording(String),
    /// DTMF may only contain `0-9`, `*`, `#`, `w` and `W`.
    #[error("invalid DTMF digits {0:?}")]
    InvalidDigits(String),
    /// The task running the call panicked or was cancelled.
    #[error("the call task failed: {0}")]
    CallTask(String),
    /// The call this SID belongs to has ended: nobody can act on it any more.
    #[error("call {0} is over")]
    CallOver(String),
    /// The command does not apply to the leg in its current state.
    #[error("cannot act on {call_sid}: {reason}")]
    InvalidCommand {
        /// The SID the command named.
        call_sid: String,
        /// Why, e.g. "the leg is not ringing".
        reason: &'static str,
    },
}
