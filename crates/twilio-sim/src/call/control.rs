//! Acting on a live call from outside: hanging up, answering or rejecting a ringing leg.
//!
//! Each running call owns a command queue. [`Simulator`](crate::Simulator) finds the queue by
//! any SID of the call (parent or child leg), sends a [`Request`] and awaits the call's reply:
//! the call task applies a command at the virtual instant it arrives (see
//! `CallClock::advance_until`) and re-plans whatever has not happened yet.

use tokio::sync::{mpsc, oneshot};

use crate::error::SimError;

/// What someone does to a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// The caller (parent leg) hangs up.
    HangupCaller,
    /// A dialed party picks up its ringing leg.
    Answer(String),
    /// A dialed party declines its ringing leg.
    Reject(String),
    /// A dialed party hangs up: ends its talk, or declines if it is still ringing.
    HangupLeg(String),
}

/// A command and where its outcome goes.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) command: Command,
    pub(crate) reply: oneshot::Sender<Result<(), SimError>>,
}

impl Request {
    /// Answers the sender (who may have stopped waiting: nothing to do then).
    pub(crate) fn answer(self, outcome: Result<(), SimError>) {
        let _ = self.reply.send(outcome);
    }
}

/// The sending side of one call's command queue, registered under each of its SIDs.
#[derive(Debug, Clone)]
pub(crate) struct CallControl {
    /// The parent call.
    pub(crate) parent_sid: String,
    pub(crate) sender: mpsc::UnboundedSender<Request>,
}

/// A new queue for a call.
pub(crate) fn channel(parent_sid: &str) -> (CallControl, mpsc::UnboundedReceiver<Request>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (
        CallControl {
            parent_sid: parent_sid.to_owned(),
            sender,
        },
        receiver,
    )
}

impl CallControl {
    /// Sends `command` and waits for the call to apply or refuse it.
    pub(crate) async fn send(&self, call_sid: &str, command: Command) -> Result<(), SimError> {
        let (reply, outcome) = oneshot::channel();
        let over = || SimError::CallOver(call_sid.to_owned());
        self.sender
            .send(Request { command, reply })
            .map_err(|_| over())?;
        // The call ended before reading the command: the queue (and the reply) was dropped.
        outcome.await.map_err(|_| over())?
    }
}

/// Why a command does not apply to the leg it names (the reason of
/// [`SimError::InvalidCommand`]).
pub(crate) mod refusal {
    /// The leg was never rung or is already over.
    pub(crate) const NOT_RINGING: &str = "the leg is not ringing";
    /// Hanging up a leg that is neither ringing nor talking.
    pub(crate) const NOT_ACTIVE: &str = "the leg is neither ringing nor talking";
    /// Answer or reject sent for a call with no `<Dial>` running.
    pub(crate) const NO_DIAL: &str = "no <Dial> is running on this call";
    /// Answer or reject sent with the parent's SID.
    pub(crate) const NOT_A_LEG: &str = "this is the caller's leg, not a dialed one";
}
