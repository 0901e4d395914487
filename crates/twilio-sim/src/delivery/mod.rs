//! Sending webhooks: signing, delivery order, duplicates, collection, and the transcript.
//!
//! Two kinds of requests leave the simulator:
//! - **TwiML requests** (voice URL, `<Dial action>`, `<Record action>`, `<Gather action>`,
//!   `<Redirect>`): the call waits for the answer, so they are always sent at once, in order.
//! - **Asynchronous callbacks** (status callbacks, recording status callbacks): fired as events
//!   happen; [`DeliveryOptions`] decides their order, duplication and whether they are sent at all
//!   or handed to the test ([`PendingCallback`]).
//!
//! Every request sent is appended to the transcript ([`DeliveryRecord`]).

mod dispatch;
mod encode;
pub(crate) mod request;
mod send;

use std::time::Duration;

pub(crate) use dispatch::Dispatcher;
pub(crate) use encode::form_encode;
pub(crate) use request::Outgoing;
pub(crate) use send::send;

use crate::twiml::Method;

/// How asynchronous callbacks (status and recording callbacks) are delivered.
///
/// The default sends them as events happen, each leg's events in order (one request after the
/// other), different legs and the recording concurrently, as Twilio does.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryOptions {
    /// Hand callbacks to the test instead of sending them ([`Simulator::take_pending`](crate::Simulator::take_pending)).
    /// Shuffling and duplication do not apply to collected callbacks.
    pub collect: bool,
    /// Hold a call's callbacks until the call ends, then send them one by one in a seeded random
    /// order (deterministic for a given `seed` and call order).
    pub shuffle: bool,
    /// Fraction (0..=1) of callbacks sent twice, byte-identical (same signature and idempotency
    /// token), as a Twilio retry would be. Chosen by the seeded generator.
    pub duplicate_ratio: f64,
    /// Seed of shuffling and duplication choices.
    pub seed: u64,
    /// Extra real-time delay before each callback is sent.
    pub delay: Duration,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            collect: false,
            shuffle: false,
            duplicate_ratio: 0.0,
            seed: 0,
            delay: Duration::ZERO,
        }
    }
}

impl DeliveryOptions {
    /// Real order, no duplicates.
    pub fn in_order() -> Self {
        Self::default()
    }

    /// Shuffled with `seed`, and `duplicate_ratio` of the callbacks sent twice.
    pub fn shuffled(seed: u64, duplicate_ratio: f64) -> Self {
        Self {
            shuffle: true,
            duplicate_ratio,
            seed,
            ..Self::default()
        }
    }

    /// Collected for the test to deliver.
    pub fn collected() -> Self {
        Self {
            collect: true,
            ..Self::default()
        }
    }
}

/// What a request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookKind {
    /// First TwiML request of a call (app or number voice URL).
    Voice,
    /// The voice fallback URL, after the voice URL failed.
    VoiceFallback,
    /// `<Dial action>`.
    DialAction,
    /// `<Record action>` (or the document URL when `action` is absent).
    RecordAction,
    /// `<Gather action>` (or the document URL when `action` is absent).
    GatherAction,
    /// `<Redirect>`.
    Redirect,
    /// A call progress status callback (`statusCallback` of a dialed leg, or the parent's).
    StatusCallback,
    /// A recording status callback.
    RecordingStatusCallback,
    /// A request sent with [`Simulator::post_webhook`](crate::Simulator::post_webhook).
    Manual,
}

impl WebhookKind {
    /// Whether the call waits for this request's TwiML.
    pub fn expects_twiml(self) -> bool {
        matches!(
            self,
            Self::Voice
                | Self::VoiceFallback
                | Self::DialAction
                | Self::RecordAction
                | Self::GatherAction
                | Self::Redirect
        )
    }
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The server answered with this HTTP status.
    Status(u16),
    /// No complete answer within the timeout (Twilio error 11205).
    Timeout,
    /// Could not connect, or the connection broke (Twilio error 11205).
    ConnectionFailed(String),
    /// The URL cannot be requested by the simulator (e.g. `https`, which it does not speak).
    Unsupported(String),
}

/// One request the simulator sent (or tried to), as the transcript records it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    /// Order in which requests were started, simulator-wide (0, 1, 2...).
    pub seq: u64,
    /// Identifies the event: a duplicate or redelivery carries the same id.
    pub event_id: u64,
    /// What the request was for.
    pub kind: WebhookKind,
    /// The call the request is about (its `CallSid` parameter).
    pub call_sid: String,
    /// HTTP method.
    pub method: Method,
    /// URL as signed and requested (for GET it includes the parameters).
    pub url: String,
    /// Parameters as sent (for GET: the ones encoded in the URL).
    pub params: Vec<(String, String)>,
    /// Request headers that carry meaning (signature, settings, idempotency token, ...).
    pub headers: Vec<(String, String)>,
    /// Whether this delivery repeats an event already sent.
    pub duplicate: bool,
    /// How the request ended.
    pub outcome: DeliveryOutcome,
    /// The answer's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The answer's body (first 64 KiB), if any.
    pub response_body: Option<String>,
    /// Time from sending to the complete answer.
    pub latency: Duration,
    /// The Twilio debugger error this delivery would log (11200 for a non-2xx answer, 11205 for
    /// a timeout or connection failure), or `None` on success.
    pub error_code: Option<u32>,
}

impl DeliveryRecord {
    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of request header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the server answered 2xx.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, DeliveryOutcome::Status(s) if (200..300).contains(&s))
    }
}

/// A callback held back in collect mode. Deliver it (any number of times, in any order) with
/// [`Simulator::deliver`](crate::Simulator::deliver): every delivery is byte-identical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCallback {
    pub(crate) request: Outgoing,
}

impl PendingCallback {
    /// Identifies the event (shared by all deliveries of it).
    pub fn event_id(&self) -> u64 {
        self.request.event_id
    }

    /// What the callback is.
    pub fn kind(&self) -> WebhookKind {
        self.request.kind
    }

    /// The call it is about.
    pub fn call_sid(&self) -> &str {
        &self.request.call_sid
    }

    /// The URL it goes to.
    pub fn url(&self) -> &str {
        &self.request.url
    }

    /// Its parameters.
    pub fn params(&self) -> &[(String, String)] {
        &self.request.params
    }

    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.request
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
