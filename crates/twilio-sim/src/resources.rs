//! The account resources the simulator serves and uses: the TwiML App (voice URL of calls placed
//! by the Voice SDK) and the incoming phone number (voice URL of calls to our number).
//!
//! Calls read these at the moment they start, so a test (or `ramal doctor` through the REST API)
//! that changes a URL changes where the next call goes, as in Twilio.

use crate::twiml::Method;

/// The URL Twilio gives a newly bought number: plays an English welcome message (seed problem 9.8).
pub const TWILIO_DEMO_VOICE_URL: &str = "https://demo.twilio.com/welcome/voice/";

/// A TwiML App (`AP...`): where Twilio sends calls placed by the browser SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// `AP` + 32 hex.
    pub sid: String,
    /// `FriendlyName`.
    pub friendly_name: String,
    /// `VoiceUrl`: the voice URL (Ramal's `/api/twilio/voice`).
    pub voice_url: Option<String>,
    /// `VoiceMethod`.
    pub voice_method: Method,
    /// `VoiceFallbackUrl`: requested when the voice URL fails.
    pub voice_fallback_url: Option<String>,
    /// `VoiceFallbackMethod`.
    pub voice_fallback_method: Method,
    /// `StatusCallback`: receives the parent leg's `completed` event.
    pub status_callback: Option<String>,
    /// `StatusCallbackMethod`.
    pub status_callback_method: Method,
    /// `VoiceCallerIdLookup`.
    pub voice_caller_id_lookup: bool,
}

/// An incoming phone number (`PN...`): where Twilio sends calls to our number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingPhoneNumber {
    /// `PN` + 32 hex.
    pub sid: String,
    /// The number, E.164.
    pub phone_number: String,
    /// `FriendlyName`.
    pub friendly_name: String,
    /// `VoiceUrl` (Ramal's `/api/twilio/voice-incoming`). Twilio's default for a new number is
    /// [`TWILIO_DEMO_VOICE_URL`].
    pub voice_url: Option<String>,
    /// `VoiceMethod`.
    pub voice_method: Method,
    /// `VoiceFallbackUrl`.
    pub voice_fallback_url: Option<String>,
    /// `VoiceFallbackMethod`.
    pub voice_fallback_method: Method,
    /// `StatusCallback` (the Console's "Call status changes"): receives the parent leg's
    /// `completed` event.
    pub status_callback: Option<String>,
    /// `StatusCallbackMethod`.
    pub status_callback_method: Method,
    /// `VoiceApplicationSid`: when it names the app, the app's URLs are used instead.
    pub voice_application_sid: Option<String>,
    /// `VoiceCallerIdLookup`.
    pub voice_caller_id_lookup: bool,
}

/// The URLs that handle one incoming or SDK call, resolved from the resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoiceRoute {
    pub(crate) url: Option<String>,
    pub(crate) method: Method,
    pub(crate) fallback_url: Option<String>,
    pub(crate) fallback_method: Method,
    pub(crate) status_callback: Option<String>,
    pub(crate) status_callback_method: Method,
}

impl Application {
    pub(crate) fn route(&self) -> VoiceRoute {
        VoiceRoute {
            url: self.voice_url.clone(),
            method: self.voice_method,
            fallback_url: self.voice_fallback_url.clone(),
            fallback_method: self.voice_fallback_method,
            status_callback: self.status_callback.clone(),
            status_callback_method: self.status_callback_method,
        }
    }
}

impl IncomingPhoneNumber {
    /// The number's route, or the app's when the number delegates to it.
    pub(crate) fn route(&self, app: &Application) -> VoiceRoute {
        if self.voice_application_sid.as_deref() == Some(app.sid.as_str()) {
            return app.route();
        }
        VoiceRoute {
            url: self.voice_url.clone(),
            method: self.voice_method,
            fallback_url: self.voice_fallback_url.clone(),
            fallback_method: self.voice_fallback_method,
            status_callback: self.status_callback.clone(),
            status_callback_method: self.status_callback_method,
        }
    }
}
