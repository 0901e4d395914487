//! State shared by the call engine, the delivery tasks and the REST handlers.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::call::LegUpdate;
use crate::call::control::CallControl;
use crate::config::{ApiKey, MediaOptions, ReverseProxy};
use crate::delivery::request::Signer;
use crate::delivery::{DeliveryOptions, DeliveryRecord, Outgoing, PendingCallback, WebhookKind};
use crate::recordings::Recording;
use crate::resources::{Application, IncomingPhoneNumber};
use crate::rest::{MediaFault, ReceivedRequest};
use crate::rng::SplitMix64;
use crate::secret::Secret;
use crate::signature::{Forgery, SigningScheme};
use crate::twiml::Method;

/// A resource with its creation and update times (for the JSON answers).
#[derive(Debug, Clone)]
pub(crate) struct Dated<T> {
    pub(crate) value: T,
    pub(crate) created: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
}

impl<T> Dated<T> {
    pub(crate) fn new(value: T) -> Self {
        let now = Utc::now();
        Self {
            value,
            created: now,
            updated: now,
        }
    }
}

/// Mutable state.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) rng: SplitMix64,
    pub(crate) signing: SigningScheme,
    pub(crate) delivery: DeliveryOptions,
    pub(crate) application: Dated<Application>,
    pub(crate) number: Dated<IncomingPhoneNumber>,
    /// Recordings in creation order.
    pub(crate) recordings: Vec<Recording>,
    pub(crate) transcript: Vec<DeliveryRecord>,
    pub(crate) delivered_events: HashSet<u64>,
    pub(crate) pending: Vec<PendingCallback>,
    pub(crate) requests: Vec<ReceivedRequest>,
    pub(crate) media_faults: VecDeque<MediaFault>,
    /// DTMF the browser sent, per call SID (and the set of calls the simulator knows).
    pub(crate) digits: HashMap<String, String>,
    /// Command queues of the calls running now, under every SID of each (parent and legs).
    pub(crate) controls: HashMap<String, CallControl>,
    pub(crate) call_counter: u64,
    /// Virtual calendar when `SimConfig::start_time` is set.
    pub(crate) calendar: Option<DateTime<Utc>>,
}

impl State {
    pub(crate) fn recording(&self, sid: &str) -> Option<&Recording> {
        self.recordings.iter().find(|r| r.sid == sid)
    }

    pub(crate) fn recording_mut(&mut self, sid: &str) -> Option<&mut Recording> {
        self.recordings.iter_mut().find(|r| r.sid == sid)
    }
}

/// Immutable settings plus the locked state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) account_sid: String,
    pub(crate) auth_token: Secret,
    pub(crate) api_keys: Vec<ApiKey>,
    pub(crate) time_scale: f64,
    pub(crate) max_twiml_fetches: u32,
    pub(crate) media: MediaOptions,
    pub(crate) proxy: Option<ReverseProxy>,
    pub(crate) http: reqwest::Client,
    /// `http://127.0.0.1:<port>` of the REST API (what Ramal's Twilio API base points at).
    pub(crate) api_base: String,
    /// `http://<media_host_name>:<port>` of the media host.
    pub(crate) media_base: String,
    /// Key the media host uses to check the token of redirected URLs.
    pub(crate) media_key: String,
    pub(crate) seq: AtomicU64,
    pub(crate) event_ids: AtomicU64,
    /// Live leg progress for [`Simulator::leg_updates`](crate::Simulator::leg_updates).
    pub(crate) leg_updates: broadcast::Sender<LegUpdate>,
    pub(crate) state: Mutex<State>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn new_sid(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.lock().rng.hex(16))
    }

    pub(crate) fn next_event_id(&self) -> u64 {
        self.event_ids.fetch_add(1, Ordering::Relaxed)
    }

    /// Rewrites a public URL to the proxy's upstream; also returns the forwarded headers to add.
    pub(crate) fn transport_url(&self, url: &str) -> (String, Vec<(String, String)>) {
        let Some(proxy) = &self.proxy else {
            return (url.to_owned(), Vec::new());
        };
        let public = proxy.public_base.trim_end_matches('/');
        let Some(rest) = url.strip_prefix(public) else {
            return (url.to_owned(), Vec::new());
        };
        let upstream = format!("{}{rest}", proxy.upstream_base.trim_end_matches('/'));
        let mut headers = Vec::new();
        if proxy.forwarded_headers {
            let (scheme, host) = public.split_once("://").unwrap_or(("https", public));
            headers.push(("X-Forwarded-Proto".to_owned(), scheme.to_owned()));
            headers.push(("X-Forwarded-Host".to_owned(), host.to_owned()));
            headers.push(("X-Forwarded-For".to_owned(), "127.0.0.1".to_owned()));
        }
        (upstream, headers)
    }

    /// Numbers a delivery and tells whether its event was delivered before.
    pub(crate) fn start_delivery(&self, event_id: u64) -> (u64, bool) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let duplicate = !self.lock().delivered_events.insert(event_id);
        (seq, duplicate)
    }

    pub(crate) fn record_delivery(&self, record: DeliveryRecord) {
        self.lock().transcript.push(record);
    }

    pub(crate) fn push_pending(&self, pending: PendingCallback) {
        self.lock().pending.push(pending);
    }

    /// Freezes a request for an event happening now: parameters, signature and idempotency token.
    pub(crate) fn prepare(
        &self,
        kind: WebhookKind,
        call_sid: &str,
        method: Method,
        url: &str,
        params: Vec<(String, String)>,
        forgery: &Forgery,
    ) -> Outgoing {
        let (scheme, token) = {
            let mut st = self.lock();
            let hex = st.rng.hex(16);
            let token = format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            );
            (st.signing.clone(), token)
        };
        let signer = Signer {
            scheme: &scheme,
            auth_token: &self.auth_token,
            forgery,
        };
        Outgoing::build(
            &signer,
            self.next_event_id(),
            token,
            kind,
            call_sid,
            method,
            url,
            params,
        )
    }
}
