//! `<Dial>`: the legs ring, one answers, the talk ends. `dial_plan` computes the timeline from
//! what each party does; whenever someone acts on the live call (see `control`) what they did
//! becomes a fact and the rest of the timeline is planned again. Events already played stay.

use std::collections::HashSet;
use std::time::Duration;

use super::{CallRun, Flow, RecordingRun, next_request, secs};
use crate::call::LegUpdate;
use crate::call::control::{Command, Request, refusal};
use crate::call::dial_plan::{self, DialOutcome, Party};
use crate::call::params::{API_VERSION, Params, billed_minutes};
use crate::call::report::{CallStatus, LegReport};
use crate::call::script::LegScript;
use crate::clock::rfc2822;
use crate::delivery::WebhookKind;
use crate::error::SimError;
use crate::recordings::RecordingSource;
use crate::twiml::{CallProgressEvent, Dial, DialNoun, Endpoint};

/// How a party ended its leg from outside.
#[derive(Debug, Clone, Copy)]
enum Ending {
    /// Declined while ringing.
    Declined,
    /// Hung up while talking.
    HungUp,
}

/// One dialed leg during a `<Dial>`.
struct Leg {
    sid: String,
    to: String,
    from: String,
    endpoint: Endpoint,
    is_phone: bool,
    sent: u32,
    script: LegScript,
    /// When the party answered from outside (or, for a hang-up, when it had answered).
    answered: Option<Duration>,
    /// When and how the party ended the leg from outside.
    ended: Option<(Duration, Ending)>,
}

impl Leg {
    /// What this party does, from its script and what it did from outside.
    fn party(&self, t0: Duration, timeout: Duration) -> Party {
        match (self.answered, self.ended) {
            (_, Some((at, Ending::Declined))) => Party::Ends {
                at,
                status: CallStatus::Busy,
                rang: true,
            },
            (Some(at), ended) => Party::Answers {
                at,
                talk: match (ended, &self.script) {
                    (Some((end, _)), _) => Some(end.saturating_sub(at)),
                    (None, LegScript::Answer { talk, .. }) => Some(*talk),
                    // A person talks until someone hangs up.
                    (None, _) => None,
                },
            },
            (None, _) => Party::scripted(&self.script, t0, timeout),
        }
    }

    fn is_interactive(&self) -> bool {
        self.script == LegScript::Interactive
    }
}

/// Something that happens at a virtual instant during a `<Dial>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Happening {
    Leg(usize, Progress),
    RecordingStarted,
    RecordingCompleted,
}

/// A leg's progress events (Twilio's `CallProgressEvent`, hashable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Progress {
    Initiated,
    Ringing,
    Answered,
    Completed,
}

impl Progress {
    fn event(self) -> CallProgressEvent {
        match self {
            Self::Initiated => CallProgressEvent::Initiated,
            Self::Ringing => CallProgressEvent::Ringing,
            Self::Answered => CallProgressEvent::Answered,
            Self::Completed => CallProgressEvent::Completed,
        }
    }
}

impl Happening {
    /// Order of simultaneous happenings: a leg starts, rings, answers before the recording starts,
    /// and ends before the recording completes.
    fn phase(self) -> u8 {
        match self {
            Self::Leg(_, Progress::Initiated) => 0,
            Self::Leg(_, Progress::Ringing) => 1,
            Self::Leg(_, Progress::Answered) => 2,
            Self::RecordingStarted => 3,
            Self::Leg(_, Progress::Completed) => 4,
            Self::RecordingCompleted => 5,
        }
    }
}

/// What has been played of a `<Dial>` so far (a re-plan never plays anything twice).
#[derive(Default)]
struct Played(HashSet<Happening>);

impl Played {
    fn has(&self, leg: usize, p: Progress) -> bool {
        self.0.contains(&Happening::Leg(leg, p))
    }

    fn ringing(&self, leg: usize) -> bool {
        self.has(leg, Progress::Ringing)
            && !self.has(leg, Progress::Answered)
            && !self.has(leg, Progress::Completed)
    }

    fn talking(&self, leg: usize) -> bool {
        self.has(leg, Progress::Answered) && !self.has(leg, Progress::Completed)
    }
}

fn refused(call_sid: &str, reason: &'static str) -> SimError {
    SimError::InvalidCommand {
        call_sid: call_sid.to_owned(),
        reason,
    }
}

impl CallRun {
    fn leg_params(&self, leg: &Leg, status: CallStatus, seq: u32, at: Duration) -> Params {
        let mut p = Params::new();
        p.set("AccountSid", self.shared.account_sid.clone())
            .set("ApiVersion", API_VERSION)
            .set("CallSid", leg.sid.clone())
            .set("ParentCallSid", self.parent.sid.clone())
            .set("CallStatus", status.as_str())
            .set("Direction", "outbound-dial")
            .set("From", leg.from.clone())
            .set("To", leg.to.clone())
            .set("Caller", leg.from.clone())
            .set("Called", leg.to.clone())
            .set("CallbackSource", "call-progress-events")
            .set("SequenceNumber", seq.to_string())
            .set("Timestamp", rfc2822(self.clock.wall(at)));
        if leg.is_phone {
            p.geo("To", &leg.to).geo("Called", &leg.to);
        }
        p.geo("From", &leg.from).geo("Caller", &leg.from);
        p
    }

    fn leg_event(&mut self, leg: &mut Leg, outcome: &dial_plan::LegOutcome, ev: CallProgressEvent) {
        let status = match ev {
            CallProgressEvent::Initiated => CallStatus::Initiated,
            CallProgressEvent::Ringing => CallStatus::Ringing,
            CallProgressEvent::Answered => CallStatus::InProgress,
            CallProgressEvent::Completed => outcome.status,
        };
        // Nobody listening is fine.
        let _ = self.shared.leg_updates.send(LegUpdate {
            parent_call_sid: self.parent.sid.clone(),
            call_sid: leg.sid.clone(),
            to: leg.to.clone(),
            from: leg.from.clone(),
            status,
        });
        let Some(url) = leg.endpoint.status_callback.clone() else {
            return;
        };
        if !leg.endpoint.status_callback_events.contains(&ev) {
            return;
        }
        let Some(url) = self.resolve(&url) else {
            self.notify(11200, Some(&url), "invalid statusCallback URL");
            return;
        };
        // The timeline has advanced the clock to this event's instant.
        let mut p = self.leg_params(leg, status, leg.sent, self.clock.now());
        match ev {
            CallProgressEvent::Answered => {
                p.set("SipResponseCode", "200");
            }
            CallProgressEvent::Completed => {
                let answered = outcome.answered_at.is_some();
                p.set("SipResponseCode", status.sip_code().to_string())
                    .set("CallDuration", secs(outcome.talk).to_string())
                    .set(
                        "Duration",
                        billed_minutes(answered, secs(outcome.talk)).to_string(),
                    );
            }
            CallProgressEvent::Initiated | CallProgressEvent::Ringing => {}
        }
        leg.sent += 1;
        let out = self.shared.prepare(
            WebhookKind::StatusCallback,
            &leg.sid,
            leg.endpoint.status_callback_method,
            &url,
            p.finish(),
            self.script.forgery_mode(),
        );
        self.dispatcher.emit(&leg.sid, out);
    }

    pub(super) async fn dial(&mut self, dial: Dial) -> Flow {
        if !dial.answer_on_bridge {
            self.answer();
        }
        let t0 = self.clock.now();
        let mut nouns = Vec::new();
        let mut conference = None;
        for noun in &dial.nouns {
            match noun {
                DialNoun::Number(e) | DialNoun::Sip(e) => {
                    nouns.push((e.clone(), e.target.clone(), true))
                }
                DialNoun::Client(e) => {
                    nouns.push((e.clone(), format!("client:{}", e.target), false))
                }
                DialNoun::Conference(c) => conference = Some(c.name.clone()),
                DialNoun::Other(_) => {}
            }
        }
        if nouns.is_empty() {
            return self.dial_without_legs(&dial, conference.is_some()).await;
        }
        let timeout = Duration::from_secs(u64::from(dial.timeout));
        let time_limit = Duration::from_secs(u64::from(dial.time_limit));
        let from = dial
            .caller_id
            .clone()
            .unwrap_or_else(|| self.parent.from.clone());
        let mut legs: Vec<Leg> = nouns
            .into_iter()
            .map(|(endpoint, to, is_phone)| Leg {
                sid: self.shared.new_sid("CA"),
                script: self.script.leg_for(&endpoint.target).clone(),
                to,
                from: from.clone(),
                endpoint,
                is_phone,
                sent: 0,
                answered: None,
                ended: None,
            })
            .collect();
        self.register_legs(&legs);

        let mut played = Played::default();
        let mut recording_sid = None;
        let (outcome, recording) = loop {
            let parties: Vec<Party> = legs.iter().map(|l| l.party(t0, timeout)).collect();
            let outcome = dial_plan::plan(&parties, t0, timeout, time_limit, self.hangup_at());
            let recording = self.plan_dial_recording(&dial, &outcome, t0, &mut recording_sid);
            let interrupted = self
                .play_dial_timeline(&mut legs, &outcome, recording.as_ref(), t0, &mut played)
                .await;
            match interrupted {
                None => break (outcome, recording),
                Some(request) => {
                    self.apply_dial_command(&mut legs, &outcome, &played, t0 + timeout, request)
                }
            }
        };
        self.clock.advance_to(outcome.end).await;

        if dial.answer_on_bridge
            && let Some(w) = outcome.winner
        {
            self.answered_at
                .get_or_insert(outcome.legs[w].answered_at.unwrap_or(t0));
        }
        for (leg, o) in legs.iter().zip(&outcome.legs) {
            self.report.legs.push(LegReport {
                call_sid: leg.sid.clone(),
                to: leg.to.clone(),
                status: o.status,
                answered: o.answered_at.is_some(),
                duration_secs: secs(o.talk),
            });
        }
        if outcome.caller_hung_up {
            self.end_by_caller();
        }
        let Some(action) = dial.action.clone() else {
            return if self.ended.is_some() {
                Flow::End
            } else {
                Flow::Continue
            };
        };
        let dialed = outcome.winner.unwrap_or(0);
        let mut extra = Params::new();
        extra
            .set("DialCallSid", legs[dialed].sid.clone())
            .set("DialCallStatus", outcome.dial_status.as_str())
            .set(
                "DialBridged",
                if outcome.winner.is_some() {
                    "true"
                } else {
                    "false"
                },
            );
        if outcome.winner.is_some() {
            extra.set(
                "DialCallDuration",
                secs(outcome.legs[dialed].talk).to_string(),
            );
        }
        if let Some(rec) = &recording {
            extra
                .set("RecordingUrl", self.recording_url(&rec.sid))
                .set("RecordingSid", rec.sid.clone())
                .set("RecordingDuration", secs(rec.duration).to_string());
        }
        self.continue_with(WebhookKind::DialAction, &action, dial.method, extra)
            .await
    }

    /// Makes the legs reachable by SID: for DTMF, and for commands through the call's queue.
    fn register_legs(&self, legs: &[Leg]) {
        let mut st = self.shared.lock();
        let control = st.controls.get(&self.parent.sid).cloned();
        for leg in legs {
            st.digits.entry(leg.sid.clone()).or_default();
            if let Some(control) = &control {
                st.controls.insert(leg.sid.clone(), control.clone());
            }
        }
    }

    /// Applies a command that arrived during the `<Dial>` (the clock reads its instant) and
    /// answers it; the caller then plans the rest of the dial again.
    fn apply_dial_command(
        &mut self,
        legs: &mut [Leg],
        outcome: &DialOutcome,
        played: &Played,
        ring_deadline: Duration,
        request: Request,
    ) {
        let now = self.clock.now();
        let result = match &request.command {
            Command::HangupCaller => {
                self.caller_hangs_up_now();
                Ok(())
            }
            Command::Answer(sid) | Command::Reject(sid) | Command::HangupLeg(sid) => {
                match legs.iter().position(|l| &l.sid == sid) {
                    None if *sid == self.parent.sid => Err(refused(sid, refusal::NOT_A_LEG)),
                    // A leg of an earlier `<Dial>` of this call.
                    None => Err(refused(sid, refusal::NOT_RINGING)),
                    Some(i) => {
                        let leg = &mut legs[i];
                        // Facts from earlier commands count even before their events are played.
                        let decided = leg.answered.is_some() || leg.ended.is_some();
                        let ringing = played.ringing(i) && !decided && now < ring_deadline;
                        let talking =
                            (played.talking(i) || leg.answered.is_some()) && leg.ended.is_none();
                        match (&request.command, ringing, talking) {
                            (Command::Answer(_), true, _) => {
                                leg.answered = Some(now);
                                Ok(())
                            }
                            (Command::Reject(_) | Command::HangupLeg(_), true, _) => {
                                leg.ended = Some((now, Ending::Declined));
                                Ok(())
                            }
                            (Command::HangupLeg(_), _, true) => {
                                leg.answered =
                                    leg.answered.or(outcome.legs[i].answered_at).or(Some(now));
                                leg.ended = Some((now, Ending::HungUp));
                                Ok(())
                            }
                            (Command::HangupLeg(_), ..) => Err(refused(sid, refusal::NOT_ACTIVE)),
                            _ => Err(refused(sid, refusal::NOT_RINGING)),
                        }
                    }
                }
            }
        };
        request.answer(result);
    }

    fn plan_dial_recording(
        &self,
        dial: &Dial,
        outcome: &DialOutcome,
        t0: Duration,
        sid: &mut Option<String>,
    ) -> Option<RecordingRun> {
        let w = outcome.winner?;
        if !dial.record.records() {
            return None;
        }
        let start = if dial.record.from_ringing() {
            t0
        } else {
            outcome.legs[w].answered_at.unwrap_or(t0)
        };
        // One recording per dial, however many times the dial is re-planned.
        let sid = sid.get_or_insert_with(|| self.shared.new_sid("RE")).clone();
        Some(RecordingRun {
            sid,
            source: RecordingSource::DialVerb,
            channels: dial.record.channels(),
            start,
            duration: outcome.end.saturating_sub(start),
            callback: dial.recording_status_callback.clone(),
            callback_method: dial.recording_status_callback_method,
            events: dial.recording_status_callback_events.clone(),
        })
    }

    /// Plays what is left of the timeline; returns the first command that arrives meanwhile.
    async fn play_dial_timeline(
        &mut self,
        legs: &mut [Leg],
        outcome: &DialOutcome,
        recording: Option<&RecordingRun>,
        t0: Duration,
        played: &mut Played,
    ) -> Option<Request> {
        let mut timeline: Vec<(Duration, Happening)> = Vec::new();
        for (i, o) in outcome.legs.iter().enumerate() {
            timeline.push((t0, Happening::Leg(i, Progress::Initiated)));
            if o.rang {
                timeline.push((t0, Happening::Leg(i, Progress::Ringing)));
            }
            if let Some(a) = o.answered_at {
                timeline.push((a, Happening::Leg(i, Progress::Answered)));
            }
            timeline.push((o.ended_at, Happening::Leg(i, Progress::Completed)));
        }
        if let Some(rec) = recording {
            timeline.push((rec.start, Happening::RecordingStarted));
            timeline.push((rec.start + rec.duration, Happening::RecordingCompleted));
        }
        timeline.sort_by_key(|&(at, h)| {
            let leg = match h {
                Happening::Leg(i, _) => i,
                _ => usize::MAX,
            };
            (at, h.phase(), leg)
        });
        for (at, happening) in timeline {
            if played.0.contains(&happening) {
                continue;
            }
            // While a person may still act, waiting takes real time.
            let live = legs
                .iter()
                .enumerate()
                .any(|(i, l)| l.is_interactive() && !played.has(i, Progress::Completed));
            if let Some(request) = self
                .clock
                .advance_until(at, live, next_request(&mut self.commands))
                .await
            {
                return Some(request);
            }
            match happening {
                Happening::Leg(i, p) => self.leg_event(&mut legs[i], &outcome.legs[i], p.event()),
                Happening::RecordingStarted => {
                    if let Some(rec) = recording {
                        self.start_recording(rec);
                    }
                }
                Happening::RecordingCompleted => {
                    if let Some(rec) = recording {
                        self.complete_recording(rec);
                    }
                }
            }
            played.0.insert(happening);
        }
        None
    }

    /// `<Dial>` with only a `<Conference>` (time passes in the room) or nothing dialable.
    async fn dial_without_legs(&mut self, dial: &Dial, conference: bool) -> Flow {
        let status = if conference {
            self.answer();
            let stayed = self.pass(self.script.conference()).await;
            if !stayed {
                return Flow::End;
            }
            CallStatus::Completed
        } else {
            self.notify(12200, None, "<Dial> has no noun the simulator can dial");
            CallStatus::Failed
        };
        let Some(action) = dial.action.clone() else {
            return Flow::Continue;
        };
        let mut extra = Params::new();
        extra
            .set("DialCallStatus", status.as_str())
            .set("DialBridged", "false");
        self.continue_with(WebhookKind::DialAction, &action, dial.method, extra)
            .await
    }
}
