//! The simulator: its servers, its calls and everything a test inspects.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};

use crate::call::control::{self, CallControl, Command};
use crate::call::engine::{CallRun, Origin, ParentCall};
use crate::call::{CallHandle, CallReport, CallScript, LegUpdate};
use crate::config::{ApiKey, SimConfig};
use crate::delivery::{
    DeliveryOptions, DeliveryRecord, Dispatcher, PendingCallback, WebhookKind, send,
};
use crate::error::SimError;
use crate::media::{MediaFormat, MediaSpec};
use crate::recordings::Recording;
use crate::resources::{Application, IncomingPhoneNumber};
use crate::rest::{self, MediaFault, ReceivedRequest, Servers};
use crate::rng::SplitMix64;
use crate::secret::Secret;
use crate::shared::{Dated, Shared, State};
use crate::signature::{Forgery, SigningScheme};
use crate::twiml::Method;

/// Leg updates kept for a slow subscriber before it starts missing some.
const LEG_UPDATE_BUFFER: usize = 256;

/// A running Twilio simulator: REST API and media host on 127.0.0.1, plus the call driver.
///
/// Cheap to clone (shared state). The servers stop when the last clone is dropped, or with
/// [`shutdown`](Simulator::shutdown).
#[derive(Debug, Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
    servers: Arc<Servers>,
}

impl Simulator {
    /// Binds the REST API and the media host on `127.0.0.1:0` and starts them on the current
    /// tokio runtime.
    pub async fn start(config: SimConfig) -> Result<Self, SimError> {
        let (api_listener, media_listener) = rest::bind()?;
        let api_addr = api_listener.local_addr().map_err(SimError::Bind)?;
        let media_addr = media_listener.local_addr().map_err(SimError::Bind)?;

        let mut headers = HeaderMap::new();
        headers.insert("X-Home-Region", HeaderValue::from_static("us1"));
        let http = reqwest::Client::builder()
            .user_agent("TwilioProxy/1.1")
            .default_headers(headers)
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .no_proxy()
            .build()
            .map_err(|e| SimError::HttpClient(e.to_string()))?;

        let seed = config.seed.unwrap_or_else(SplitMix64::entropy_seed);
        let mut rng = SplitMix64::new(seed);
        let media_key = rng.hex(16);
        let state = State {
            rng,
            signing: config.signing.clone(),
            delivery: config.delivery.clone(),
            application: Dated::new(config.application.clone()),
            number: Dated::new(config.phone_number.clone()),
            recordings: Vec::new(),
            transcript: Vec::new(),
            delivered_events: HashSet::new(),
            pending: Vec::new(),
            requests: Vec::new(),
            media_faults: VecDeque::new(),
            digits: HashMap::new(),
            controls: HashMap::new(),
            call_counter: 0,
            calendar: config.start_time.map(DateTime::<Utc>::from),
        };
        let shared = Arc::new(Shared {
            account_sid: config.account_sid.clone(),
            auth_token: config.auth_token.clone(),
            api_keys: config.api_keys.clone(),
            time_scale: config.time_scale,
            max_twiml_fetches: config.max_twiml_fetches,
            proxy: config.proxy.clone(),
            http,
            api_base: format!("http://{api_addr}"),
            media_base: format!(
                "http://{}:{}",
                config.media.media_host_name,
                media_addr.port()
            ),
            media: config.media.clone(),
            media_key,
            seq: AtomicU64::new(0),
            event_ids: AtomicU64::new(0),
            leg_updates: tokio::sync::broadcast::channel(LEG_UPDATE_BUFFER).0,
            state: Mutex::new(state),
        });
        let servers = rest::start(
            Arc::clone(&shared),
            api_listener,
            media_listener,
            config.workers,
        )?;
        Ok(Self {
            shared,
            servers: Arc::new(servers),
        })
    }

    /// Stops both servers, waiting for them to finish.
    pub async fn shutdown(self) {
        self.servers.stop().await;
    }

    // ----- addresses and credentials ----------------------------------------------------------

    /// `http://127.0.0.1:<port>`: the Twilio API base to configure the server under test with
    /// (e.g. `RAMAL_TWILIO_API_BASE`). Recording URLs in callbacks start with it.
    pub fn api_base_url(&self) -> &str {
        &self.shared.api_base
    }

    /// Address of the REST API listener.
    pub fn api_addr(&self) -> SocketAddr {
        self.servers.api_addr
    }

    /// Address of the media host listener (target of recording redirects).
    pub fn media_host_addr(&self) -> SocketAddr {
        self.servers.media_addr
    }

    /// The simulated Account SID.
    pub fn account_sid(&self) -> &str {
        &self.shared.account_sid
    }

    /// The simulated Auth Token.
    pub fn auth_token(&self) -> &Secret {
        &self.shared.auth_token
    }

    /// API keys accepted by the REST API.
    pub fn api_keys(&self) -> &[ApiKey] {
        &self.shared.api_keys
    }

    // ----- resources --------------------------------------------------------------------------

    /// The TwiML App as it is now.
    pub fn application(&self) -> Application {
        self.shared.lock().application.value.clone()
    }

    /// The phone number as it is now.
    pub fn phone_number(&self) -> IncomingPhoneNumber {
        self.shared.lock().number.value.clone()
    }

    /// Changes the TwiML App (as the Console would).
    pub fn update_application(&self, change: impl FnOnce(&mut Application)) {
        let mut st = self.shared.lock();
        change(&mut st.application.value);
        st.application.updated = Utc::now();
    }

    /// Changes the phone number (as the Console would).
    pub fn update_phone_number(&self, change: impl FnOnce(&mut IncomingPhoneNumber)) {
        let mut st = self.shared.lock();
        change(&mut st.number.value);
        st.number.updated = Utc::now();
    }

    /// Points the app at `<base>/api/twilio/voice` and the number at
    /// `<base>/api/twilio/voice-incoming` (Ramal's routes), e.g. once the server's port is known.
    pub fn point_at_ramal(&self, base_url: &str) {
        let base = base_url.trim_end_matches('/');
        self.update_application(|a| a.voice_url = Some(format!("{base}/api/twilio/voice")));
        self.update_phone_number(|n| {
            n.voice_url = Some(format!("{base}/api/twilio/voice-incoming"));
        });
    }

    /// Changes how requests are signed from now on.
    pub fn set_signing(&self, scheme: SigningScheme) {
        self.shared.lock().signing = scheme;
    }

    /// Changes how callbacks of calls started from now on are delivered.
    pub fn set_delivery(&self, options: DeliveryOptions) {
        self.shared.lock().delivery = options;
    }

    // ----- calls ------------------------------------------------------------------------------

    fn launch(
        &self,
        origin: Origin,
        from: String,
        to: String,
        script: CallScript,
    ) -> Result<CallHandle, SimError> {
        let (route, start, options, call_index, sid, commands) = {
            let mut st = self.shared.lock();
            let route = match &origin {
                Origin::Browser { .. } => st.application.value.route(),
                Origin::Phone => st.number.value.route(&st.application.value),
            };
            let start = st.calendar.unwrap_or_else(Utc::now);
            let call_index = st.call_counter;
            st.call_counter += 1;
            let sid = format!("CA{}", st.rng.hex(16));
            st.digits.insert(sid.clone(), String::new());
            let (control, commands) = control::channel(&sid);
            st.controls.insert(sid.clone(), control);
            (route, start, st.delivery.clone(), call_index, sid, commands)
        };
        let parent = ParentCall {
            sid: sid.clone(),
            from,
            to,
            origin,
            route,
        };
        let dispatcher = Dispatcher::new(Arc::clone(&self.shared), options, call_index);
        let run = CallRun::new(
            Arc::clone(&self.shared),
            parent,
            script,
            start,
            dispatcher,
            commands,
        );
        let shared = Arc::clone(&self.shared);
        let task = tokio::spawn(async move {
            let (report, elapsed) = run.run().await;
            let mut st = shared.lock();
            if let Some(cal) = st.calendar {
                // Later calls start after this one on the virtual calendar.
                let end = start
                    + chrono::Duration::from_std(elapsed + Duration::from_secs(1))
                        .unwrap_or_else(|_| chrono::Duration::zero());
                st.calendar = Some(cal.max(end));
            }
            for leg in &report.legs {
                st.digits.entry(leg.call_sid.clone()).or_default();
            }
            report
        });
        Ok(CallHandle {
            call_sid: sid,
            task,
        })
    }

    /// Starts a call placed by the Voice SDK for `identity` to `to` (passed as the custom
    /// parameter `To`, as `device.connect({params: {To}})` does): Twilio requests the TwiML
    /// App's voice URL with `From=client:<identity>`, `Direction=inbound` and `ApplicationSid`,
    /// then executes the TwiML. Must be called within a tokio runtime (the call runs as a task).
    pub fn start_outbound_from_browser(
        &self,
        identity: &str,
        to: &str,
        script: CallScript,
    ) -> Result<CallHandle, SimError> {
        let application_sid = self.shared.lock().application.value.sid.clone();
        let script = script.param("To", to);
        self.launch(
            Origin::Browser { application_sid },
            format!("client:{identity}"),
            to.to_owned(),
            script,
        )
    }

    /// [`start_outbound_from_browser`](Self::start_outbound_from_browser) and wait for the end.
    pub async fn outbound_from_browser(
        &self,
        identity: &str,
        to: &str,
        script: CallScript,
    ) -> Result<CallReport, SimError> {
        self.start_outbound_from_browser(identity, to, script)?
            .finish()
            .await
    }

    /// Starts a call from the phone `from` to our number `to`: Twilio requests the number's
    /// voice URL (or its app's) with `Direction=inbound` and the geographic fields, then
    /// executes the TwiML. Must be called within a tokio runtime (the call runs as a task).
    pub fn start_inbound_from_phone(
        &self,
        from: &str,
        to: &str,
        script: CallScript,
    ) -> Result<CallHandle, SimError> {
        let ours = self.shared.lock().number.value.phone_number.clone();
        if to != ours {
            return Err(SimError::UnknownNumber(to.to_owned()));
        }
        self.launch(Origin::Phone, from.to_owned(), to.to_owned(), script)
    }

    /// [`start_inbound_from_phone`](Self::start_inbound_from_phone) and wait for the end.
    pub async fn inbound_from_phone(
        &self,
        from: &str,
        to: &str,
        script: CallScript,
    ) -> Result<CallReport, SimError> {
        self.start_inbound_from_phone(from, to, script)?
            .finish()
            .await
    }

    // ----- acting on live calls -----------------------------------------------------------------

    fn control(&self, call_sid: &str) -> Result<CallControl, SimError> {
        let st = self.shared.lock();
        match st.controls.get(call_sid) {
            Some(c) => Ok(c.clone()),
            None if st.digits.contains_key(call_sid) => {
                Err(SimError::CallOver(call_sid.to_owned()))
            }
            None => Err(SimError::UnknownCall(call_sid.to_owned())),
        }
    }

    /// Hangs up a live call from outside: with the parent's SID the caller hangs up (ringing
    /// legs are canceled, a talk ends, as with [`CallScript::caller_hangs_up_after`]); with a
    /// dialed leg's SID that party hangs up (a talk ends and the call goes on with the `<Dial>`
    /// `action` or the next verb; a leg still ringing declines, as [`reject_leg`] does).
    ///
    /// Returns once the call has applied it, at the virtual instant it arrived.
    ///
    /// [`reject_leg`]: Self::reject_leg
    pub async fn hangup(&self, call_sid: &str) -> Result<(), SimError> {
        let control = self.control(call_sid)?;
        let command = if control.parent_sid == call_sid {
            Command::HangupCaller
        } else {
            Command::HangupLeg(call_sid.to_owned())
        };
        control.send(call_sid, command).await
    }

    /// The party of a ringing leg (usually [`LegScript::Interactive`]) answers now: it wins the
    /// `<Dial>` (other ringing legs are canceled) and talks until someone hangs up. Leg SIDs come
    /// from [`leg_updates`](Self::leg_updates) or the server's status callbacks.
    ///
    /// [`LegScript::Interactive`]: crate::LegScript::Interactive
    pub async fn answer_leg(&self, leg_sid: &str) -> Result<(), SimError> {
        let control = self.control(leg_sid)?;
        control
            .send(leg_sid, Command::Answer(leg_sid.to_owned()))
            .await
    }

    /// The party of a ringing leg declines it: the leg ends `busy` (what users report for a
    /// Voice SDK `call.reject()`; Twilio's documentation is silent), other legs keep ringing.
    pub async fn reject_leg(&self, leg_sid: &str) -> Result<(), SimError> {
        let control = self.control(leg_sid)?;
        control
            .send(leg_sid, Command::Reject(leg_sid.to_owned()))
            .await
    }

    /// Progress of every dialed leg from now on (`initiated`, `ringing`, `in-progress`,
    /// terminal), e.g. to show a ringing phone and answer it with [`answer_leg`]. A subscriber
    /// that falls more than 256 updates behind misses the oldest.
    ///
    /// [`answer_leg`]: Self::answer_leg
    pub fn leg_updates(&self) -> tokio::sync::broadcast::Receiver<LegUpdate> {
        self.shared.leg_updates.subscribe()
    }

    // ----- DTMF -------------------------------------------------------------------------------

    /// Records DTMF the browser sent on call `call_sid` (parent or child leg).
    pub fn send_digits(&self, call_sid: &str, digits: &str) -> Result<(), SimError> {
        if digits.is_empty()
            || !digits
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'w' | 'W'))
        {
            return Err(SimError::InvalidDigits(digits.to_owned()));
        }
        let mut st = self.shared.lock();
        let log = st
            .digits
            .get_mut(call_sid)
            .ok_or_else(|| SimError::UnknownCall(call_sid.to_owned()))?;
        log.push_str(digits);
        Ok(())
    }

    /// All digits recorded for `call_sid`, in order (`None` for an unknown call).
    pub fn digits(&self, call_sid: &str) -> Option<String> {
        self.shared.lock().digits.get(call_sid).cloned()
    }

    // ----- webhooks ---------------------------------------------------------------------------

    /// Every request sent so far, in the order they were started.
    pub fn transcript(&self) -> Vec<DeliveryRecord> {
        let mut t = self.shared.lock().transcript.clone();
        t.sort_by_key(|r| r.seq);
        t
    }

    /// The requests about one call: those whose `CallSid` or `ParentCallSid` is `call_sid`.
    pub fn transcript_of_call(&self, call_sid: &str) -> Vec<DeliveryRecord> {
        self.transcript()
            .into_iter()
            .filter(|r| {
                r.call_sid == call_sid
                    || r.param("ParentCallSid") == Some(call_sid)
                    || r.param("CallSid") == Some(call_sid)
            })
            .collect()
    }

    /// Removes and returns the callbacks collected so far (collect mode).
    pub fn take_pending(&self) -> Vec<PendingCallback> {
        std::mem::take(&mut self.shared.lock().pending)
    }

    /// Sends a collected callback. Delivering the same one again is a byte-identical retry.
    pub async fn deliver(&self, pending: &PendingCallback) -> DeliveryRecord {
        send(&self.shared, &pending.request).await
    }

    /// Sends one signed POST with `params` to `url` (kind [`WebhookKind::Manual`]), for tests of
    /// a webhook endpoint outside of a call, e.g. a forged request.
    pub async fn post_webhook(
        &self,
        url: &str,
        params: &[(&str, &str)],
        forgery: Forgery,
    ) -> DeliveryRecord {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let call_sid = params
            .iter()
            .find(|(k, _)| k == "CallSid")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let out = self.shared.prepare(
            WebhookKind::Manual,
            &call_sid,
            Method::Post,
            url,
            params,
            &forgery,
        );
        send(&self.shared, &out).await
    }

    // ----- recordings and REST ----------------------------------------------------------------

    /// All recordings, in creation order.
    pub fn recordings(&self) -> Vec<Recording> {
        self.shared.lock().recordings.clone()
    }

    /// One recording.
    pub fn recording(&self, sid: &str) -> Option<Recording> {
        self.shared.lock().recording(sid).cloned()
    }

    /// Makes the media of `sid` exactly `bytes` long in every format (e.g. 50 MB to test
    /// streaming); the bytes stay deterministic.
    pub fn set_media_size(&self, sid: &str, bytes: u64) -> Result<(), SimError> {
        let mut st = self.shared.lock();
        let r = st
            .recording_mut(sid)
            .ok_or_else(|| SimError::UnknownRecording(sid.to_owned()))?;
        r.media_size = Some(bytes);
        Ok(())
    }

    /// The media the REST API serves for `sid` in `format` (with the recording's channels), to
    /// compare with what the server under test stored.
    pub fn recording_media(&self, sid: &str, format: MediaFormat) -> Option<MediaSpec> {
        self.recording(sid).map(|r| r.media(format, None))
    }

    /// Makes the next `count` media downloads fail with `fault`.
    pub fn inject_media_faults(&self, fault: MediaFault, count: usize) {
        let mut st = self.shared.lock();
        st.media_faults.extend(std::iter::repeat_n(fault, count));
    }

    /// Every request the REST API and the media host received, in arrival order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.lock().requests.clone()
    }
}
