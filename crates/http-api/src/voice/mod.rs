//! How Ramal answers Twilio's questions about calls.

pub mod twiml;
