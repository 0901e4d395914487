//! Simulator configuration.

use std::time::{Duration, SystemTime};

use crate::delivery::DeliveryOptions;
use crate::resources::{Application, IncomingPhoneNumber, TWILIO_DEMO_VOICE_URL};
use crate::secret::Secret;
use crate::signature::SigningScheme;
use crate::twiml::Method;

/// An API key accepted by the simulator's REST API (Basic auth `SK...:secret`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `SK` + 32 hex.
    pub sid: String,
    /// The key's secret.
    pub secret: Secret,
}

/// How recording media requests are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MediaRedirect {
    /// Serve the bytes directly from the API host.
    #[default]
    None,
    /// Answer `302 Found` pointing at the media host (another port), like Twilio's storage.
    Found,
    /// Answer `307 Temporary Redirect` pointing at the media host.
    TemporaryRedirect,
}

/// Options of the recording media endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaOptions {
    /// Whether authenticated media requests are redirected to the media host.
    pub redirect: MediaRedirect,
    /// Host name put in the redirect `Location` (the media host listens on 127.0.0.1).
    /// `localhost` makes the redirect cross-host by name as well as by port.
    pub media_host_name: String,
}

impl Default for MediaOptions {
    fn default() -> Self {
        Self {
            redirect: MediaRedirect::None,
            media_host_name: "127.0.0.1".to_owned(),
        }
    }
}

/// Sends requests for a public URL to a local upstream, as a TLS-terminating reverse proxy
/// (nginx) in front of the server would: Twilio signs the public URL, the server receives the
/// request on another scheme, host and port. Lets a test check proxy-aware signature validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReverseProxy {
    /// The base Twilio is configured with, e.g. `https://ramal.example.com`.
    pub public_base: String,
    /// Where requests for it actually go, e.g. `http://127.0.0.1:8080`.
    pub upstream_base: String,
    /// Add `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-For` as nginx would.
    pub forwarded_headers: bool,
}

/// Everything a [`Simulator`](crate::Simulator) starts from.
///
/// `SimConfig::default()` holds fixed, valid-looking credentials and SIDs (see the constants in
/// this module), an app and a number with no voice URL for the app and Twilio's demo URL for the
/// number (what Twilio gives a new number), instant time and real-order delivery.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Account SID (`AC...`): used in callbacks, REST paths and Basic auth.
    pub account_sid: String,
    /// The account's Auth Token: signs webhooks (default scheme) and authenticates REST calls.
    pub auth_token: Secret,
    /// API keys accepted for REST Basic auth (what Ramal uses to fetch recordings).
    pub api_keys: Vec<ApiKey>,
    /// The TwiML App: its `voice_url` receives calls from the browser SDK.
    pub application: Application,
    /// Our phone number: its `voice_url` receives inbound calls.
    pub phone_number: IncomingPhoneNumber,
    /// Which key and algorithm sign webhooks.
    pub signing: SigningScheme,
    /// How asynchronous callbacks are delivered (order, duplicates, collection).
    pub delivery: DeliveryOptions,
    /// Real seconds slept per virtual second: 0 (default) runs calls instantly, 1 in real time.
    pub time_scale: f64,
    /// Seed of SID generation. `None` seeds from the clock, so SIDs differ between runs.
    pub seed: Option<u64>,
    /// When set, calls start on a virtual calendar beginning here (timestamps become
    /// reproducible); otherwise each call starts at the current wall-clock time.
    pub start_time: Option<SystemTime>,
    /// Total time allowed for one webhook request (Twilio: 15 s).
    pub request_timeout: Duration,
    /// Time allowed to connect (Twilio: 10 s).
    pub connect_timeout: Duration,
    /// Recording media endpoint behaviour.
    pub media: MediaOptions,
    /// Reverse proxy emulation for webhook requests.
    pub proxy: Option<ReverseProxy>,
    /// actix-web worker threads of each of the two listeners.
    pub workers: usize,
    /// TwiML documents one call may fetch before the simulator stops it (loop guard).
    pub max_twiml_fetches: u32,
}

/// Default account SID.
pub const DEFAULT_ACCOUNT_SID: &str = "AC5151515151515151515151515151515a";
/// Default auth token.
pub const DEFAULT_AUTH_TOKEN: &str = "5a1a7e5ec7e7a1a75a1a7e5ec7e7a1a7";
/// Default API key SID.
pub const DEFAULT_API_KEY_SID: &str = "SK5151515151515151515151515151515a";
/// Default API key secret.
pub const DEFAULT_API_KEY_SECRET: &str = "simulated-api-key-secret-0123456";
/// Default TwiML App SID.
pub const DEFAULT_APPLICATION_SID: &str = "AP5151515151515151515151515151515a";
/// Default phone number SID.
pub const DEFAULT_PHONE_NUMBER_SID: &str = "PN5151515151515151515151515151515a";
/// Default phone number (a São Paulo landline).
pub const DEFAULT_PHONE_NUMBER: &str = "+551130001000";

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            account_sid: DEFAULT_ACCOUNT_SID.to_owned(),
            auth_token: Secret::new(DEFAULT_AUTH_TOKEN),
            api_keys: vec![ApiKey {
                sid: DEFAULT_API_KEY_SID.to_owned(),
                secret: Secret::new(DEFAULT_API_KEY_SECRET),
            }],
            application: Application {
                sid: DEFAULT_APPLICATION_SID.to_owned(),
                friendly_name: "Ramal".to_owned(),
                voice_url: None,
                voice_method: Method::Post,
                voice_fallback_url: None,
                voice_fallback_method: Method::Post,
                status_callback: None,
                status_callback_method: Method::Post,
                voice_caller_id_lookup: false,
            },
            phone_number: IncomingPhoneNumber {
                sid: DEFAULT_PHONE_NUMBER_SID.to_owned(),
                phone_number: DEFAULT_PHONE_NUMBER.to_owned(),
                friendly_name: "(11) 3000-1000".to_owned(),
                voice_url: Some(TWILIO_DEMO_VOICE_URL.to_owned()),
                voice_method: Method::Post,
                voice_fallback_url: None,
                voice_fallback_method: Method::Post,
                status_callback: None,
                status_callback_method: Method::Post,
                voice_application_sid: None,
                voice_caller_id_lookup: false,
            },
            signing: SigningScheme::AuthToken,
            delivery: DeliveryOptions::default(),
            time_scale: 0.0,
            seed: None,
            start_time: None,
            request_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            media: MediaOptions::default(),
            proxy: None,
            workers: 1,
            max_twiml_fetches: 50,
        }
    }
}

impl SimConfig {
    /// Points both the TwiML App and the number at a server that speaks Twilio's webhooks, using
    /// Ramal's route names: `<base>/api/twilio/voice` for SDK calls and
    /// `<base>/api/twilio/voice-incoming` for inbound calls. Callback URLs are not set here: the
    /// simulator learns them from the TwiML it receives.
    pub fn for_ramal(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        Self::default()
            .voice_url(format!("{base}/api/twilio/voice"))
            .incoming_voice_url(format!("{base}/api/twilio/voice-incoming"))
    }

    /// Sets the TwiML App's voice URL (calls placed by the browser SDK).
    pub fn voice_url(mut self, url: impl Into<String>) -> Self {
        self.application.voice_url = Some(url.into());
        self
    }

    /// Sets the number's voice URL (inbound calls).
    pub fn incoming_voice_url(mut self, url: impl Into<String>) -> Self {
        self.phone_number.voice_url = Some(url.into());
        self
    }

    /// Sets the parent-leg status callback of both the app and the number (the Console's
    /// "Call status changes"): the parent leg's `completed` event goes there.
    pub fn parent_status_callback(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.application.status_callback = Some(url.clone());
        self.phone_number.status_callback = Some(url);
        self
    }

    /// Fixes the seed of SID generation (and nothing else).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets the delivery options.
    pub fn delivery(mut self, delivery: DeliveryOptions) -> Self {
        self.delivery = delivery;
        self
    }
}
