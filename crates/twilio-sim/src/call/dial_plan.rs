//! The timeline of a `<Dial>`: who rings, who answers, who is canceled, when it all ends.
//!
//! Pure computation from the scripts, so every rule is unit-tested here:
//! - All legs start together at `t0` (simultaneous ringing, as Twilio does for up to ten nouns).
//! - The first leg to answer before the `timeout` and before the caller hangs up wins (ties go to
//!   the first noun). Legs still ringing at that moment end `canceled` (Twilio's `<Client>` docs:
//!   "the other connection attempts are canceled"; `<Number>`: "the rest are hung up").
//! - The bridged talk ends when the winner hangs up, at `timeLimit`, or when the caller hangs up.
//! - Without a winner each leg ends on its own (`busy`, `failed`, or `no-answer` at the timeout),
//!   unless the caller hangs up first, which cancels whatever is still ringing.
//!
//! A live call is re-planned each time someone acts on it (answers, declines or hangs up an
//! interactive leg, or the caller hangs up): what they did becomes a [`Party`] fact and the
//! same rules give the new future.

use std::time::Duration;

use super::report::CallStatus;
use super::script::LegScript;

/// How one leg went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LegOutcome {
    pub(crate) rang: bool,
    pub(crate) answered_at: Option<Duration>,
    pub(crate) ended_at: Duration,
    pub(crate) status: CallStatus,
    /// Bridged time (`CallDuration`).
    pub(crate) talk: Duration,
}

/// How the whole dial went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DialOutcome {
    pub(crate) legs: Vec<LegOutcome>,
    pub(crate) winner: Option<usize>,
    pub(crate) end: Duration,
    pub(crate) caller_hung_up: bool,
    /// `DialCallStatus`.
    pub(crate) dial_status: CallStatus,
}

/// What one dialed party does, in absolute virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Party {
    /// Answers at `at`; talks for `talk`, or until someone hangs up (at most the time limit).
    Answers {
        at: Duration,
        talk: Option<Duration>,
    },
    /// The leg ends at `at` with `status` without being answered; `rang` tells whether it rang.
    Ends {
        at: Duration,
        status: CallStatus,
        rang: bool,
    },
    /// Rings until the timeout (or until someone decides).
    RingsOut,
}

impl Party {
    /// What a scripted party does on a `<Dial>` that started at `t0`. Interactive parties ring
    /// until someone acts.
    pub(crate) fn scripted(script: &LegScript, t0: Duration, timeout: Duration) -> Self {
        match *script {
            LegScript::Answer { after, talk } if after < timeout => Self::Answers {
                at: t0 + after,
                talk: Some(talk),
            },
            LegScript::Answer { .. } | LegScript::NoAnswer | LegScript::Interactive => {
                Self::RingsOut
            }
            LegScript::Busy { after } => Self::Ends {
                at: t0 + after.min(timeout),
                status: CallStatus::Busy,
                rang: false,
            },
            LegScript::Failed { after } => Self::Ends {
                at: t0 + after.min(timeout),
                status: CallStatus::Failed,
                rang: false,
            },
        }
    }
}

pub(crate) fn plan(
    parties: &[Party],
    t0: Duration,
    timeout: Duration,
    time_limit: Duration,
    hangup_at: Option<Duration>,
) -> DialOutcome {
    let fates = parties;
    let rang = |f: &Party| match *f {
        Party::Ends { rang, .. } => rang,
        Party::Answers { .. } | Party::RingsOut => true,
    };
    let before_hangup = |t: Duration| hangup_at.is_none_or(|h| t < h);

    let winner = fates
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f {
            Party::Answers { at, .. } if *at < t0 + timeout && before_hangup(*at) => Some((i, *at)),
            _ => None,
        })
        .min_by_key(|&(i, at)| (at, i));

    if let Some((w, answered)) = winner {
        let Party::Answers { talk, .. } = fates[w] else {
            unreachable!("the winner answers")
        };
        let natural_end = answered + talk.unwrap_or(time_limit).min(time_limit);
        let (end, caller_hung_up) = match hangup_at {
            Some(h) if h < natural_end => (h, true),
            _ => (natural_end, false),
        };
        let legs = fates
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == w {
                    return LegOutcome {
                        rang: true,
                        answered_at: Some(answered),
                        ended_at: end,
                        status: CallStatus::Completed,
                        talk: end - answered,
                    };
                }
                match *f {
                    Party::Ends { at, status, rang } if at <= answered => LegOutcome {
                        rang,
                        answered_at: None,
                        ended_at: at,
                        status,
                        talk: Duration::ZERO,
                    },
                    _ => LegOutcome {
                        rang: rang(f),
                        answered_at: None,
                        ended_at: answered,
                        status: CallStatus::Canceled,
                        talk: Duration::ZERO,
                    },
                }
            })
            .collect();
        return DialOutcome {
            legs,
            winner: Some(w),
            end,
            caller_hung_up,
            dial_status: CallStatus::Completed,
        };
    }

    let ring_out = t0 + timeout;
    let mut caller_hung_up = false;
    let legs: Vec<LegOutcome> = fates
        .iter()
        .map(|f| {
            let (at, status) = match *f {
                Party::Ends { at, status, .. } => (at, status),
                // An answer after the caller left, or at/after the timeout, never happens.
                Party::Answers { .. } | Party::RingsOut => (ring_out, CallStatus::NoAnswer),
            };
            match hangup_at {
                Some(h) if h < at => {
                    caller_hung_up = true;
                    LegOutcome {
                        rang: rang(f),
                        answered_at: None,
                        ended_at: h,
                        status: CallStatus::Canceled,
                        talk: Duration::ZERO,
                    }
                }
                _ => LegOutcome {
                    rang: rang(f),
                    answered_at: None,
                    ended_at: at,
                    status,
                    talk: Duration::ZERO,
                },
            }
        })
        .collect();
    let end = legs.iter().map(|l| l.ended_at).max().unwrap_or(t0);
    let has = |s: CallStatus| legs.iter().any(|l| l.status == s);
    let dial_status = if caller_hung_up {
        CallStatus::Canceled
    } else if has(CallStatus::NoAnswer) {
        CallStatus::NoAnswer
    } else if has(CallStatus::Busy) {
        CallStatus::Busy
    } else {
        CallStatus::Failed
    };
    DialOutcome {
        legs,
        winner: None,
        end,
        caller_hung_up,
        dial_status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }
    const LIMIT: Duration = Duration::from_secs(14_400);

    fn plan_scripts(
        scripts: &[LegScript],
        t0: Duration,
        timeout: Duration,
        limit: Duration,
        hangup: Option<Duration>,
    ) -> DialOutcome {
        let parties: Vec<Party> = scripts
            .iter()
            .map(|l| Party::scripted(l, t0, timeout))
            .collect();
        plan(&parties, t0, timeout, limit, hangup)
    }

    #[test]
    fn single_answer_talks_then_completes() {
        let o = plan_scripts(&[LegScript::answer(3, 40)], s(10), s(30), LIMIT, None);
        assert_eq!(o.winner, Some(0));
        assert_eq!(o.end, s(53));
        assert_eq!(o.dial_status, CallStatus::Completed);
        assert_eq!(o.legs[0].answered_at, Some(s(13)));
        assert_eq!(o.legs[0].talk, s(40));
        assert!(!o.caller_hung_up);
    }

    #[test]
    fn answer_after_timeout_is_no_answer() {
        let o = plan_scripts(&[LegScript::answer(30, 40)], s(0), s(30), LIMIT, None);
        assert_eq!(o.winner, None);
        assert_eq!(o.legs[0].status, CallStatus::NoAnswer);
        assert_eq!(o.end, s(30));
        assert_eq!(o.dial_status, CallStatus::NoAnswer);
    }

    #[test]
    fn first_of_three_clients_wins_others_canceled_or_already_ended() {
        let o = plan_scripts(
            &[
                LegScript::answer(8, 5),
                LegScript::answer(4, 60),
                LegScript::Busy { after: s(1) },
            ],
            s(0),
            s(30),
            LIMIT,
            None,
        );
        assert_eq!(o.winner, Some(1));
        assert_eq!(o.legs[0].status, CallStatus::Canceled);
        assert_eq!(o.legs[0].ended_at, s(4));
        assert!(o.legs[0].rang);
        assert_eq!(o.legs[2].status, CallStatus::Busy);
        assert!(!o.legs[2].rang);
        assert_eq!(o.end, s(64));
    }

    #[test]
    fn tie_goes_to_first_noun() {
        let o = plan_scripts(
            &[LegScript::answer(2, 1), LegScript::answer(2, 1)],
            s(0),
            s(30),
            LIMIT,
            None,
        );
        assert_eq!(o.winner, Some(0));
        assert_eq!(o.legs[1].status, CallStatus::Canceled);
    }

    #[test]
    fn caller_hangup_while_ringing_cancels_everything() {
        let o = plan_scripts(
            &[LegScript::no_answer(), LegScript::answer(20, 5)],
            s(5),
            s(30),
            LIMIT,
            Some(s(15)),
        );
        assert_eq!(o.winner, None);
        assert!(o.caller_hung_up);
        assert!(o.legs.iter().all(|l| l.status == CallStatus::Canceled));
        assert_eq!(o.end, s(15));
        assert_eq!(o.dial_status, CallStatus::Canceled);
    }

    #[test]
    fn caller_hangup_during_talk_ends_bridge_completed() {
        let o = plan_scripts(
            &[LegScript::answer(2, 100)],
            s(0),
            s(30),
            LIMIT,
            Some(s(12)),
        );
        assert!(o.caller_hung_up);
        assert_eq!(o.legs[0].status, CallStatus::Completed);
        assert_eq!(o.legs[0].talk, s(10));
        assert_eq!(o.end, s(12));
    }

    #[test]
    fn time_limit_caps_talk() {
        let o = plan_scripts(&[LegScript::answer(1, 500)], s(0), s(30), s(60), None);
        assert_eq!(o.legs[0].talk, s(60));
    }

    #[test]
    fn all_busy_or_failed() {
        let o = plan_scripts(
            &[LegScript::busy(), LegScript::failed()],
            s(0),
            s(30),
            LIMIT,
            None,
        );
        assert_eq!(o.dial_status, CallStatus::Busy);
        let o = plan_scripts(&[LegScript::failed()], s(0), s(30), LIMIT, None);
        assert_eq!(o.dial_status, CallStatus::Failed);
        assert_eq!(o.end, s(1));
    }

    #[test]
    fn interactive_legs_ring_out_until_someone_acts() {
        let o = plan_scripts(&[LegScript::Interactive], s(0), s(30), LIMIT, None);
        assert_eq!(o.winner, None);
        assert_eq!(o.legs[0].status, CallStatus::NoAnswer);
        assert_eq!(o.end, s(30));
    }

    #[test]
    fn an_answer_given_live_wins_and_talks_until_the_time_limit() {
        let parties = [
            Party::Answers {
                at: s(7),
                talk: None,
            },
            Party::scripted(&LegScript::answer(9, 5), s(0), s(30)),
        ];
        let o = plan(&parties, s(0), s(30), s(600), None);
        assert_eq!(o.winner, Some(0));
        assert_eq!(o.legs[0].answered_at, Some(s(7)));
        assert_eq!(o.legs[0].talk, s(600), "open talk is capped by timeLimit");
        assert_eq!(o.legs[1].status, CallStatus::Canceled);
        assert_eq!(o.legs[1].ended_at, s(7));
        // The caller hanging up ends the open talk.
        let o = plan(&parties, s(0), s(30), s(600), Some(s(40)));
        assert_eq!(o.legs[0].talk, s(33));
        assert!(o.caller_hung_up);
    }

    #[test]
    fn a_declined_leg_rang_and_is_busy_while_the_other_still_rings() {
        let parties = [
            Party::Ends {
                at: s(4),
                status: CallStatus::Busy,
                rang: true,
            },
            Party::RingsOut,
        ];
        let o = plan(&parties, s(0), s(30), LIMIT, None);
        assert_eq!(o.winner, None);
        assert!(o.legs[0].rang);
        assert_eq!(o.legs[0].status, CallStatus::Busy);
        assert_eq!(o.legs[0].ended_at, s(4));
        assert_eq!(o.legs[1].status, CallStatus::NoAnswer);
        assert_eq!(o.dial_status, CallStatus::NoAnswer);
        // Declined before a colleague answered: stays busy, not canceled.
        let parties = [
            parties[0],
            Party::Answers {
                at: s(6),
                talk: Some(s(10)),
            },
        ];
        let o = plan(&parties, s(0), s(30), LIMIT, None);
        assert_eq!(o.winner, Some(1));
        assert_eq!(o.legs[0].status, CallStatus::Busy);
        assert!(o.legs[0].rang);
    }
}
