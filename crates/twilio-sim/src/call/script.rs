//! What the people on a simulated call do.

use std::collections::VecDeque;
use std::time::Duration;

use crate::signature::Forgery;

/// What one dialed party (a `<Number>`, `<Client>` or `<Sip>` leg) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegScript {
    /// Rings for `after`, answers, talks for `talk` then hangs up. Answering after the
    /// `<Dial timeout>` is no answer at all (`no-answer`).
    Answer {
        /// Ringing time before answering.
        after: Duration,
        /// Talk time before the party hangs up.
        talk: Duration,
    },
    /// The line is busy (`busy`, SIP 486) after `after`, without ringing.
    Busy {
        /// Time until the busy signal.
        after: Duration,
    },
    /// The call cannot be placed (`failed`, SIP 404) after `after`, without ringing.
    Failed {
        /// Time until the failure.
        after: Duration,
    },
    /// Rings until the `<Dial timeout>` (`no-answer`).
    NoAnswer,
    /// A person decides, live: the leg rings until [`Simulator::answer_leg`],
    /// [`Simulator::reject_leg`] or [`Simulator::hangup`] names it, or until the
    /// `<Dial timeout>` (`no-answer`). Once answered it talks until someone hangs up (or the
    /// `<Dial timeLimit>`). Waiting for a person takes real time even with
    /// [`SimConfig::time_scale`](crate::SimConfig::time_scale) 0.
    ///
    /// [`Simulator::answer_leg`]: crate::Simulator::answer_leg
    /// [`Simulator::reject_leg`]: crate::Simulator::reject_leg
    /// [`Simulator::hangup`]: crate::Simulator::hangup
    Interactive,
}

impl LegScript {
    /// Answers after `after_secs` seconds and talks for `talk_secs`.
    pub fn answer(after_secs: u64, talk_secs: u64) -> Self {
        Self::Answer {
            after: Duration::from_secs(after_secs),
            talk: Duration::from_secs(talk_secs),
        }
    }

    /// Busy after one second.
    pub fn busy() -> Self {
        Self::Busy {
            after: Duration::from_secs(1),
        }
    }

    /// Fails after one second.
    pub fn failed() -> Self {
        Self::Failed {
            after: Duration::from_secs(1),
        }
    }

    /// Never answers.
    pub fn no_answer() -> Self {
        Self::NoAnswer
    }

    /// Waits for someone to answer, reject or hang up from outside (see
    /// [`LegScript::Interactive`]).
    pub fn interactive() -> Self {
        Self::Interactive
    }
}

/// How the caller ends a `<Record>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFinish {
    /// Hangs up when done speaking (`Digits=hangup`; the call ends).
    Hangup,
    /// Presses this key (ends the recording if it is in `finishOnKey`, else ignored).
    Key(char),
    /// Stays silent until the `<Record timeout>` ends the recording (trailing silence trimmed).
    Silence,
}

/// What the caller does when the call reaches `<Record>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordScript {
    /// Speaking time (0: nothing is recorded, Twilio skips the action request).
    pub speak: Duration,
    /// How the recording ends.
    pub finish: RecordFinish,
}

impl Default for RecordScript {
    fn default() -> Self {
        Self {
            speak: Duration::from_secs(5),
            finish: RecordFinish::Hangup,
        }
    }
}

/// The script of a whole call: what each dialed party does, when the caller hangs up, what the
/// caller says to `<Record>` and types to `<Gather>`, and extra parameters.
///
/// ```
/// use std::time::Duration;
/// use twilio_sim::{CallScript, LegScript};
///
/// let script = CallScript::new()
///     .leg("+5511999990000", LegScript::answer(3, 42))
///     .leg("alice", LegScript::no_answer())
///     .default_leg(LegScript::busy())
///     .caller_hangs_up_after(Duration::from_secs(600));
/// assert_eq!(script.leg_for("+5511999990000"), &LegScript::answer(3, 42));
/// assert_eq!(script.leg_for("bob"), &LegScript::busy());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallScript {
    legs: Vec<(String, LegScript)>,
    default_leg: LegScript,
    caller_hangup: Option<Duration>,
    record: RecordScript,
    gather: VecDeque<String>,
    params: Vec<(String, String)>,
    forgery: Forgery,
    conference_time: Duration,
}

impl Default for CallScript {
    fn default() -> Self {
        Self::new()
    }
}

impl CallScript {
    /// Every dialed party answers after 2 s and talks 10 s; the caller never hangs up first;
    /// `<Record>` gets 5 s of speech then a hang-up; `<Gather>` gets nothing.
    pub fn new() -> Self {
        Self {
            legs: Vec::new(),
            default_leg: LegScript::answer(2, 10),
            caller_hangup: None,
            record: RecordScript::default(),
            gather: VecDeque::new(),
            params: Vec::new(),
            forgery: Forgery::None,
            conference_time: Duration::from_secs(10),
        }
    }

    /// What the party dialed as `target` does: a phone number or SIP URI exactly as in the
    /// TwiML, or a client identity (without `client:`).
    pub fn leg(mut self, target: impl Into<String>, script: LegScript) -> Self {
        self.legs.push((target.into(), script));
        self
    }

    /// What parties without their own script do.
    pub fn default_leg(mut self, script: LegScript) -> Self {
        self.default_leg = script;
        self
    }

    /// The caller hangs up `after` the call started (cancels ringing legs, ends a bridged talk).
    pub fn caller_hangs_up_after(mut self, after: Duration) -> Self {
        self.caller_hangup = Some(after);
        self
    }

    /// What the caller does at `<Record>`.
    pub fn record(mut self, record: RecordScript) -> Self {
        self.record = record;
        self
    }

    /// Digits typed at the next `<Gather>` (one call per `<Gather>`, in order).
    pub fn gather_digits(mut self, digits: impl Into<String>) -> Self {
        self.gather.push_back(digits.into());
        self
    }

    /// An extra parameter of the first TwiML request (for SDK calls: `device.connect({params})`).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Signs every request of this call with the given defect (negative tests).
    pub fn forgery(mut self, forgery: Forgery) -> Self {
        self.forgery = forgery;
        self
    }

    /// Time the caller spends in a `<Dial><Conference>`.
    pub fn conference_time(mut self, time: Duration) -> Self {
        self.conference_time = time;
        self
    }

    /// The script of the party dialed as `target`.
    pub fn leg_for(&self, target: &str) -> &LegScript {
        let bare = target.strip_prefix("client:").unwrap_or(target);
        self.legs
            .iter()
            .find(|(t, _)| t == target || t.strip_prefix("client:").unwrap_or(t) == bare)
            .map(|(_, s)| s)
            .unwrap_or(&self.default_leg)
    }

    pub(crate) fn caller_hangup(&self) -> Option<Duration> {
        self.caller_hangup
    }

    pub(crate) fn record_script(&self) -> RecordScript {
        self.record
    }

    pub(crate) fn next_gather(&mut self) -> Option<String> {
        self.gather.pop_front()
    }

    pub(crate) fn params(&self) -> &[(String, String)] {
        &self.params
    }

    pub(crate) fn forgery_mode(&self) -> &Forgery {
        &self.forgery
    }

    pub(crate) fn conference(&self) -> Duration {
        self.conference_time
    }
}
