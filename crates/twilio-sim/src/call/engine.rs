//! Executes a call: fetches TwiML, runs its verbs on the virtual clock, fires callbacks.
//! Commands from outside (see `control`) are read whenever the call waits.

mod dial;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::control::{Command, Request, refusal};
use super::params::{API_VERSION, Params, billed_minutes};
use super::report::{CallReport, CallStatus, Notification};
use super::script::{CallScript, RecordFinish};
use crate::clock::{CallClock, rfc2822};
use crate::delivery::{DeliveryOutcome, Dispatcher, WebhookKind, send};
use crate::error::SimError;
use crate::recordings::{Recording, RecordingSource, RecordingStatus};
use crate::resources::VoiceRoute;
use crate::shared::Shared;
use crate::twiml::{self, Gather, Method, Record, RecordingEvent, RejectReason, Twiml, Verb};

/// What Twilio says when it cannot get usable TwiML.
const APPLICATION_ERROR: &str = "We are sorry, an application error has occurred. Goodbye.";

/// Who started the call.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// The Voice SDK in a browser, through the TwiML App.
    Browser { application_sid: String },
    /// A phone calling our number.
    Phone,
}

/// The parent leg.
#[derive(Debug, Clone)]
pub(crate) struct ParentCall {
    pub(crate) sid: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) origin: Origin,
    pub(crate) route: VoiceRoute,
}

enum Flow {
    Continue,
    Goto(Twiml),
    End,
}

/// A recording being made.
struct RecordingRun {
    sid: String,
    source: RecordingSource,
    channels: u8,
    start: Duration,
    duration: Duration,
    callback: Option<String>,
    callback_method: Method,
    events: Vec<RecordingEvent>,
}

pub(crate) struct CallRun {
    shared: Arc<Shared>,
    parent: ParentCall,
    script: CallScript,
    clock: CallClock,
    dispatcher: Dispatcher,
    answered_at: Option<Duration>,
    ended: Option<(CallStatus, Duration)>,
    doc_url: String,
    fetches: u32,
    report: CallReport,
    commands: mpsc::UnboundedReceiver<Request>,
    /// When the caller hung up from outside ([`Command::HangupCaller`]).
    external_hangup: Option<Duration>,
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

/// The next command; never completes once every sender is gone.
async fn next_request(commands: &mut mpsc::UnboundedReceiver<Request>) -> Request {
    match commands.recv().await {
        Some(request) => request,
        None => std::future::pending().await,
    }
}

impl CallRun {
    pub(crate) fn new(
        shared: Arc<Shared>,
        parent: ParentCall,
        script: CallScript,
        start: DateTime<Utc>,
        dispatcher: Dispatcher,
        commands: mpsc::UnboundedReceiver<Request>,
    ) -> Self {
        let clock = CallClock::new(start, shared.time_scale);
        let report = CallReport {
            call_sid: parent.sid.clone(),
            status: CallStatus::Queued,
            duration_secs: 0,
            legs: Vec::new(),
            recordings: Vec::new(),
            said: Vec::new(),
            verbs: Vec::new(),
            notifications: Vec::new(),
        };
        Self {
            doc_url: parent.route.url.clone().unwrap_or_default(),
            shared,
            parent,
            script,
            clock,
            dispatcher,
            answered_at: None,
            ended: None,
            fetches: 0,
            report,
            commands,
            external_hangup: None,
        }
    }

    pub(crate) async fn run(mut self) -> (CallReport, Duration) {
        if let Some(doc) = self.first_document().await {
            let mut doc = doc;
            'documents: loop {
                let mut next = None;
                for verb in doc.verbs {
                    if self.caller_gone() {
                        break 'documents;
                    }
                    self.report.verbs.push(verb.name().to_owned());
                    match self.exec(verb).await {
                        Flow::Continue => {}
                        Flow::Goto(d) => {
                            next = Some(d);
                            break;
                        }
                        Flow::End => break 'documents,
                    }
                }
                match next {
                    Some(d) => doc = d,
                    None => break,
                }
            }
        } else {
            self.application_error();
        }
        self.finish().await
    }

    // ----- call state -------------------------------------------------------------------------

    /// When the caller hangs up: per script, or earlier from outside.
    fn hangup_at(&self) -> Option<Duration> {
        match (self.script.caller_hangup(), self.external_hangup) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn answer(&mut self) {
        if self.answered_at.is_none() {
            self.answered_at = Some(self.clock.now());
        }
    }

    fn end(&mut self, status: CallStatus) {
        if self.ended.is_none() {
            self.ended = Some((status, self.clock.now()));
        }
    }

    /// The caller hung up (per script) or the call ended: no more verbs run.
    fn caller_gone(&mut self) -> bool {
        if self.ended.is_some() {
            return true;
        }
        if self.hangup_at().is_some_and(|h| self.clock.now() >= h) {
            self.end_by_caller();
            return true;
        }
        false
    }

    fn end_by_caller(&mut self) {
        let status = if self.answered_at.is_some() {
            CallStatus::Completed
        } else {
            CallStatus::Canceled
        };
        self.end(status);
    }

    /// Lets `d` of virtual time pass (a prompt playing); false if the caller hung up meanwhile.
    async fn pass(&mut self, d: Duration) -> bool {
        let target = self.clock.now() + d;
        loop {
            if let Some(h) = self.hangup_at()
                && h < target
            {
                if self.sleep_until(h).await {
                    // Hung up from outside even earlier: look again.
                    continue;
                }
                self.end_by_caller();
                return false;
            }
            if !self.sleep_until(target).await {
                return true;
            }
        }
    }

    /// Waits until virtual `at` outside of a `<Dial>`. True if the caller hung up from outside
    /// meanwhile (the clock then reads that instant); commands for dialed legs are refused.
    async fn sleep_until(&mut self, at: Duration) -> bool {
        loop {
            let waited = self
                .clock
                .advance_until(at, false, next_request(&mut self.commands))
                .await;
            let Some(request) = waited else {
                return false;
            };
            match &request.command {
                Command::HangupCaller => {
                    self.caller_hangs_up_now();
                    request.answer(Ok(()));
                    return true;
                }
                Command::Answer(sid) | Command::Reject(sid) | Command::HangupLeg(sid) => {
                    let call_sid = sid.clone();
                    request.answer(Err(SimError::InvalidCommand {
                        call_sid,
                        reason: refusal::NO_DIAL,
                    }));
                }
            }
        }
    }

    /// Notes the caller hanging up now (from outside); the verbs see it through `hangup_at`.
    fn caller_hangs_up_now(&mut self) {
        // A nanosecond later: after whatever was already played at this instant (e.g. a leg
        // answering), which a re-plan must not undo. Reported durations are whole seconds.
        let at = self.clock.now() + Duration::from_nanos(1);
        self.external_hangup.get_or_insert(at);
    }

    fn notify(&mut self, code: u32, url: Option<&str>, message: impl Into<String>) {
        self.report.notifications.push(Notification {
            code,
            url: url.map(str::to_owned),
            message: message.into(),
        });
    }

    fn application_error(&mut self) {
        self.answer();
        self.report.said.push(APPLICATION_ERROR.to_owned());
        self.end(CallStatus::Completed);
    }

    fn current_status(&self) -> CallStatus {
        match (self.ended, self.answered_at) {
            (Some(_), _) => CallStatus::Completed,
            (None, Some(_)) => CallStatus::InProgress,
            (None, None) => CallStatus::Ringing,
        }
    }

    // ----- parameters -------------------------------------------------------------------------

    fn base_params(&self, status: CallStatus) -> Params {
        let mut p = Params::new();
        p.set("AccountSid", self.shared.account_sid.clone())
            .set("ApiVersion", API_VERSION)
            .set("CallSid", self.parent.sid.clone())
            .set("CallStatus", status.as_str())
            .set("Direction", "inbound")
            .set("From", self.parent.from.clone())
            .set("To", self.parent.to.clone())
            .set("Caller", self.parent.from.clone());
        match &self.parent.origin {
            Origin::Browser {
                application_sid, ..
            } => {
                // SDK calls have no called number: the destination travels as a custom parameter.
                p.set("Called", "")
                    .set("ApplicationSid", application_sid.clone());
            }
            Origin::Phone => {
                p.set("Called", self.parent.to.clone())
                    .geo("From", &self.parent.from)
                    .geo("Caller", &self.parent.from)
                    .geo("To", &self.parent.to)
                    .geo("Called", &self.parent.to);
            }
        }
        p
    }

    // ----- TwiML requests ---------------------------------------------------------------------

    fn resolve(&self, url: &str) -> Option<String> {
        if url.starts_with("http://") || url.starts_with("https://") {
            return Some(url.to_owned());
        }
        let base = reqwest::Url::parse(&self.doc_url).ok()?;
        base.join(url).ok().map(String::from)
    }

    /// Requests TwiML; on any failure logs what Twilio would and returns `None`.
    async fn fetch(
        &mut self,
        kind: WebhookKind,
        url: &str,
        method: Method,
        params: Params,
    ) -> Option<Twiml> {
        let Some(resolved) = self.resolve(url) else {
            self.notify(11200, Some(url), "invalid URL");
            return None;
        };
        self.fetches += 1;
        if self.fetches > self.shared.max_twiml_fetches {
            self.notify(
                0,
                Some(&resolved),
                "simulator loop guard: too many TwiML requests for one call",
            );
            return None;
        }
        let out = self.shared.prepare(
            kind,
            &self.parent.sid,
            method,
            &resolved,
            params.finish(),
            self.script.forgery_mode(),
        );
        let record = send(&self.shared, &out).await;
        if !record.succeeded() {
            let what = match &record.outcome {
                DeliveryOutcome::Status(s) => format!("HTTP {s}"),
                DeliveryOutcome::Timeout => "timed out".to_owned(),
                DeliveryOutcome::ConnectionFailed(e) => format!("connection failed: {e}"),
                DeliveryOutcome::Unsupported(e) => e.clone(),
            };
            self.notify(record.error_code.unwrap_or(11200), Some(&resolved), what);
            return None;
        }
        if let Some(ct) = &record.content_type {
            let ct = ct.to_ascii_lowercase();
            if !(ct.contains("xml") || ct.contains("html")) {
                self.notify(12300, Some(&resolved), format!("invalid Content-Type {ct}"));
                return None;
            }
        }
        match twiml::parse(record.response_body.as_deref().unwrap_or("")) {
            Ok(doc) => {
                self.doc_url = resolved;
                Some(doc)
            }
            Err(e) => {
                self.notify(e.twilio_code(), Some(&resolved), e.to_string());
                None
            }
        }
    }

    async fn first_document(&mut self) -> Option<Twiml> {
        let route = self.parent.route.clone();
        let Some(url) = route.url.clone() else {
            self.notify(11200, None, "no voice URL configured");
            return None;
        };
        let mut params = self.base_params(CallStatus::Ringing);
        params.extend(self.script.params());
        if let Some(doc) = self
            .fetch(WebhookKind::Voice, &url, route.method, params.clone())
            .await
        {
            return Some(doc);
        }
        let fallback = route.fallback_url?;
        let code = self
            .report
            .notifications
            .last()
            .map_or(11200, |n| n.code)
            .to_string();
        params.set("ErrorCode", code).set("ErrorUrl", url);
        self.doc_url = fallback.clone();
        self.fetch(
            WebhookKind::VoiceFallback,
            &fallback,
            route.fallback_method,
            params,
        )
        .await
    }

    /// Requests the TwiML that continues the call (action, redirect). If the call is already
    /// over, the request is still made (Twilio does) but its answer is ignored.
    async fn continue_with(
        &mut self,
        kind: WebhookKind,
        url: &str,
        method: Method,
        extra: Params,
    ) -> Flow {
        let mut params = self.base_params(self.current_status());
        params.extend(&extra.finish());
        let doc = self.fetch(kind, url, method, params).await;
        if self.ended.is_some() {
            return Flow::End;
        }
        match doc {
            Some(d) => Flow::Goto(d),
            None => {
                self.application_error();
                Flow::End
            }
        }
    }

    // ----- verbs ------------------------------------------------------------------------------

    async fn exec(&mut self, verb: Verb) -> Flow {
        match verb {
            Verb::Say(_) | Verb::Play(_) | Verb::Pause(_) => {
                if self.prompt(&verb).await {
                    Flow::Continue
                } else {
                    Flow::End
                }
            }
            Verb::Hangup => {
                self.answer();
                self.end(CallStatus::Completed);
                Flow::End
            }
            Verb::Reject(r) => {
                let status = match (self.answered_at, r.reason) {
                    (Some(_), _) => CallStatus::Completed,
                    (None, RejectReason::Busy) => CallStatus::Busy,
                    (None, RejectReason::Rejected) => CallStatus::NoAnswer,
                };
                self.end(status);
                Flow::End
            }
            Verb::Redirect(r) => {
                self.continue_with(WebhookKind::Redirect, &r.url, r.method, Params::new())
                    .await
            }
            Verb::Dial(d) => self.dial(d).await,
            Verb::Record(r) => self.record(r).await,
            Verb::Gather(g) => self.gather(g).await,
            Verb::Other(_) => Flow::Continue,
        }
    }

    /// `<Say>`, `<Play>`, `<Pause>`: the caller listens. False if the caller hung up meanwhile.
    async fn prompt(&mut self, verb: &Verb) -> bool {
        self.answer();
        // `loop="0"` means "until the call ends": bounded here so a call without a scripted
        // hang-up still ends.
        let loops = |n: u32| u64::from(if n == 0 { 10 } else { n });
        let length = match verb {
            Verb::Say(s) => {
                self.report.said.push(s.text.clone());
                // About 2.5 words per second of speech.
                let words = s.text.split_whitespace().count() as u64;
                Duration::from_secs(words.div_ceil(2).max(1) * loops(s.loop_count))
            }
            Verb::Play(p) => match &p.digits {
                Some(d) => Duration::from_millis(500 * d.len() as u64),
                None => Duration::from_secs(5 * loops(p.loop_count)),
            },
            Verb::Pause(p) => Duration::from_secs(u64::from(p.length)),
            _ => Duration::ZERO,
        };
        self.pass(length).await
    }

    async fn gather(&mut self, g: Gather) -> Flow {
        self.answer();
        for prompt in &g.prompts {
            if !self.prompt(prompt).await {
                return Flow::End;
            }
        }
        let target = g.action.clone().unwrap_or_else(|| self.doc_url.clone());
        let mut extra = Params::new();
        match self.script.next_gather() {
            Some(typed) => {
                if !self
                    .pass(Duration::from_secs(typed.chars().count() as u64))
                    .await
                {
                    return Flow::End;
                }
                let mut digits = typed.clone();
                if let Some(last) = typed.chars().last()
                    && g.finish_on_key.contains(last)
                {
                    digits.pop();
                    extra.set("FinishedOnKey", last.to_string());
                }
                extra.set("Digits", digits);
            }
            None => {
                if !self.pass(Duration::from_secs(u64::from(g.timeout))).await {
                    return Flow::End;
                }
                if !g.action_on_empty_result {
                    return Flow::Continue;
                }
                extra.set("Digits", "");
            }
        }
        self.continue_with(WebhookKind::GatherAction, &target, g.method, extra)
            .await
    }

    // ----- recordings -------------------------------------------------------------------------

    fn recording_url(&self, sid: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{sid}",
            self.shared.api_base, self.shared.account_sid
        )
    }

    fn start_recording(&mut self, rec: &RecordingRun) {
        let recording = Recording {
            sid: rec.sid.clone(),
            call_sid: self.parent.sid.clone(),
            status: RecordingStatus::InProgress,
            source: rec.source,
            channels: rec.channels,
            duration_secs: 0,
            start_time: self.clock.wall(rec.start),
            media_size: None,
        };
        self.shared.lock().recordings.push(recording);
        self.report.recordings.push(rec.sid.clone());
        self.recording_callback(rec, RecordingStatus::InProgress);
    }

    fn complete_recording(&mut self, rec: &RecordingRun) {
        if let Some(r) = self.shared.lock().recording_mut(&rec.sid) {
            r.status = RecordingStatus::Completed;
            r.duration_secs = secs(rec.duration);
        }
        self.recording_callback(rec, RecordingStatus::Completed);
    }

    fn recording_callback(&mut self, rec: &RecordingRun, status: RecordingStatus) {
        let event = match status {
            RecordingStatus::InProgress => RecordingEvent::InProgress,
            RecordingStatus::Completed => RecordingEvent::Completed,
            RecordingStatus::Absent | RecordingStatus::Deleted => RecordingEvent::Absent,
        };
        let Some(url) = rec.callback.clone() else {
            return;
        };
        if !rec.events.contains(&event) {
            return;
        }
        let Some(url) = self.resolve(&url) else {
            self.notify(11200, Some(&url), "invalid recordingStatusCallback URL");
            return;
        };
        let mut p = Params::new();
        p.set("AccountSid", self.shared.account_sid.clone())
            .set("CallSid", self.parent.sid.clone())
            .set("RecordingSid", rec.sid.clone())
            .set("RecordingUrl", self.recording_url(&rec.sid))
            .set("RecordingStatus", status.as_str())
            .set("RecordingChannels", rec.channels.to_string())
            .set("RecordingStartTime", rfc2822(self.clock.wall(rec.start)))
            .set("RecordingSource", rec.source.as_str())
            .set("ErrorCode", "0");
        if rec.source == RecordingSource::DialVerb {
            p.set("RecordingTrack", "both");
        }
        if status == RecordingStatus::Completed {
            p.set("RecordingDuration", secs(rec.duration).to_string());
        }
        let out = self.shared.prepare(
            WebhookKind::RecordingStatusCallback,
            &self.parent.sid,
            rec.callback_method,
            &url,
            p.finish(),
            self.script.forgery_mode(),
        );
        self.dispatcher.emit(&rec.sid, out);
    }

    async fn record(&mut self, r: Record) -> Flow {
        self.answer();
        let script = self.script.record_script();
        let start = self.clock.now();
        let max = Duration::from_secs(u64::from(r.max_length));
        let speak = script.speak.min(max);
        let (mut end, mut digits, mut hung_up) = match script.finish {
            RecordFinish::Hangup => (start + speak, Some("hangup".to_owned()), true),
            RecordFinish::Key(k) if r.finish_on_key.contains(k) && speak < max => {
                (start + speak, Some(k.to_string()), false)
            }
            // Silence, an ignored key, or maxLength reached: the recording ends on its own.
            _ if speak >= max => (start + max, None, false),
            _ => (
                start + speak + Duration::from_secs(u64::from(r.timeout)),
                None,
                false,
            ),
        };
        if let Some(h) = self.hangup_at()
            && h < end
        {
            end = h.max(start);
            digits = Some("hangup".to_owned());
            hung_up = true;
        }
        // Trailing silence is trimmed (Twilio's default `trim="trim-silence"`).
        let recorded = speak.min(end - start);
        let mut run = RecordingRun {
            sid: String::new(),
            source: RecordingSource::RecordVerb,
            channels: 1,
            start,
            duration: recorded,
            callback: r.recording_status_callback.clone(),
            callback_method: r.recording_status_callback_method,
            events: r.recording_status_callback_events.clone(),
        };
        if secs(recorded) == 0 {
            // Nothing recorded: no action request, the call goes on with the next verb.
            if self.sleep_until(end).await {
                hung_up = true;
            }
            run.sid = self.shared.new_sid("RE");
            self.recording_callback(&run, RecordingStatus::Absent);
            if hung_up {
                self.end_by_caller();
                return Flow::End;
            }
            return Flow::Continue;
        }
        run.sid = self.shared.new_sid("RE");
        self.start_recording(&run);
        if self.sleep_until(end).await {
            // The caller hung up from outside: the recording stops there.
            end = self.clock.now();
            digits = Some("hangup".to_owned());
            hung_up = true;
            run.duration = speak.min(end - start);
        }
        let recorded = run.duration;
        self.complete_recording(&run);
        if hung_up {
            self.end_by_caller();
        }
        let target = r.action.clone().unwrap_or_else(|| self.doc_url.clone());
        let mut extra = Params::new();
        extra
            .set("RecordingUrl", self.recording_url(&run.sid))
            .set("RecordingSid", run.sid.clone())
            .set("RecordingDuration", secs(recorded).to_string());
        if let Some(d) = digits {
            extra.set("Digits", d);
        }
        self.continue_with(WebhookKind::RecordAction, &target, r.method, extra)
            .await
    }

    // ----- end --------------------------------------------------------------------------------

    /// Unregisters the call's SIDs and refuses commands that arrived too late.
    fn close_controls(&mut self, leg_sids: impl IntoIterator<Item = String>) {
        {
            let mut st = self.shared.lock();
            st.controls.remove(&self.parent.sid);
            for sid in leg_sids {
                st.controls.remove(&sid);
            }
        }
        self.commands.close();
        while let Ok(request) = self.commands.try_recv() {
            request.answer(Err(SimError::CallOver(self.parent.sid.clone())));
        }
    }

    async fn finish(mut self) -> (CallReport, Duration) {
        if self.ended.is_none() {
            let status = if self.answered_at.is_some() {
                CallStatus::Completed
            } else if self.hangup_at().is_some() {
                CallStatus::Canceled
            } else {
                CallStatus::NoAnswer
            };
            // A document that simply runs out ends an answered call normally.
            self.end(status);
        }
        let (status, ended_at) = self
            .ended
            .unwrap_or((CallStatus::Completed, self.clock.now()));
        let duration = self
            .answered_at
            .map_or(Duration::ZERO, |a| ended_at.saturating_sub(a));
        self.report.status = status;
        self.report.duration_secs = secs(duration);
        self.parent_status_callback(status, duration, ended_at);
        let legs: Vec<String> = self
            .report
            .legs
            .iter()
            .map(|l| l.call_sid.clone())
            .collect();
        self.close_controls(legs);
        let elapsed = self.clock.now();
        self.dispatcher.finish().await;
        (self.report, elapsed)
    }

    fn parent_status_callback(&mut self, status: CallStatus, duration: Duration, at: Duration) {
        let Some(url) = self.parent.route.status_callback.clone() else {
            return;
        };
        let mut p = self.base_params(status);
        p.set("CallbackSource", "call-progress-events")
            .set("SequenceNumber", "0")
            .set("Timestamp", rfc2822(self.clock.wall(at)))
            .set("CallDuration", secs(duration).to_string())
            .set(
                "Duration",
                billed_minutes(self.answered_at.is_some(), secs(duration)).to_string(),
            );
        if status != CallStatus::Completed {
            p.set("SipResponseCode", status.sip_code().to_string());
        }
        let out = self.shared.prepare(
            WebhookKind::StatusCallback,
            &self.parent.sid,
            self.parent.route.status_callback_method,
            &url,
            p.finish(),
            self.script.forgery_mode(),
        );
        self.dispatcher.emit(&self.parent.sid.clone(), out);
    }
}
