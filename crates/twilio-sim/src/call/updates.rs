//! Live progress of dialed legs, for whoever plays the people on a call (a demo UI, a test).

use super::report::CallStatus;

/// A dialed leg (child call) changed state. Sent for every leg of every `<Dial>`, whatever
/// `statusCallbackEvent` asks the server under test to receive, through
/// [`Simulator::leg_updates`](crate::Simulator::leg_updates).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegUpdate {
    /// The parent call.
    pub parent_call_sid: String,
    /// The leg's own SID (what [`Simulator::answer_leg`](crate::Simulator::answer_leg) takes).
    pub call_sid: String,
    /// Who is dialed: an E.164 number, `client:<identity>` or a SIP URI.
    pub to: String,
    /// The leg's `From` (the `<Dial callerId>`, else the caller).
    pub from: String,
    /// `initiated`, `ringing`, `in-progress`, or the terminal status.
    pub status: CallStatus,
}
