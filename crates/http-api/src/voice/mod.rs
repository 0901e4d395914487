//! How Ramal answers Twilio's questions about calls.

pub mod agents;
pub mod twiml;
