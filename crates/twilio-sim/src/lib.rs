#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod call;
mod clock;
mod config;
pub mod delivery;
mod error;
mod geo;
pub mod media;
mod recordings;
mod resources;
pub mod rest;
mod rng;
mod secret;
mod shared;
pub mod signature;
mod simulator;
pub mod twiml;

pub use call::{
    CallHandle, CallReport, CallScript, CallStatus, LegReport, LegScript, LegUpdate, Notification,
    RecordFinish, RecordScript,
};
pub use config::{
    ApiKey, DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY_SECRET, DEFAULT_API_KEY_SID,
    DEFAULT_APPLICATION_SID, DEFAULT_AUTH_TOKEN, DEFAULT_PHONE_NUMBER, DEFAULT_PHONE_NUMBER_SID,
    MediaOptions, MediaRedirect, ReverseProxy, SimConfig,
};
pub use delivery::{
    DeliveryOptions, DeliveryOutcome, DeliveryRecord, PendingCallback, WebhookKind,
};
pub use error::SimError;
pub use media::{MediaFormat, MediaSpec};
pub use recordings::{Recording, RecordingSource, RecordingStatus};
pub use resources::{Application, IncomingPhoneNumber, TWILIO_DEMO_VOICE_URL};
pub use rest::{AuthorizationSeen, Listener, MediaFault, ReceivedRequest};
pub use secret::Secret;
pub use signature::{Forgery, SigningScheme};
pub use simulator::Simulator;
pub use twiml::Method;
