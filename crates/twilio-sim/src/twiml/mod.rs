//! Parsing the TwiML documents a webhook server returns, into the verbs the simulator executes.
//!
//! Parsing is strict where Twilio is strict and where a mistake would change the call: the root
//! must be `<Response>`, enumerated attributes (`record`, `statusCallbackEvent`, `method`,
//! `reason`, ...) must hold values Twilio knows, and numbers must be numbers. Verbs the simulator
//! does not act on are kept as [`Verb::Other`].
//!
//! ```
//! use twilio_sim::twiml::{self, DialNoun, Verb};
//!
//! let doc = twiml::parse(
//!     r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial record="record-from-answer"><Number statusCallback="https://x.test/s" statusCallbackEvent="initiated ringing answered completed">+5511999990000</Number></Dial></Response>"#,
//! ).unwrap();
//! let Verb::Dial(dial) = &doc.verbs[0] else { panic!() };
//! let DialNoun::Number(n) = &dial.nouns[0] else { panic!() };
//! assert_eq!(n.target, "+5511999990000");
//! assert_eq!(n.status_callback_events.len(), 4);
//! ```

mod tree;
mod verbs;

pub use tree::{Element, Node};
pub use verbs::{
    CallProgressEvent, Conference, Dial, DialNoun, DialRecord, Endpoint, Gather, Method, Pause,
    Play, Record, RecordingEvent, Redirect, Reject, RejectReason, Say, Twiml, Verb,
};

/// Why a document is not TwiML the simulator (and Twilio) would execute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TwimlError {
    /// Not well-formed XML (Twilio error 12100).
    #[error("document is not well-formed XML: {0}")]
    Xml(String),
    /// The root element is not `<Response>` (Twilio error 12100).
    #[error("root element is <{0}>, expected <Response>")]
    NotResponse(String),
    /// An attribute holds a value Twilio rejects (Twilio error 12200).
    #[error("<{element}> attribute {attribute}=\"{value}\" is invalid")]
    InvalidAttribute {
        /// Element name.
        element: String,
        /// Attribute name.
        attribute: String,
        /// The offending value.
        value: String,
    },
    /// A verb or noun lacks required content, e.g. an empty `<Number>` (Twilio error 12200).
    #[error("<{0}> has no content")]
    MissingContent(String),
}

impl TwimlError {
    /// The Twilio error code this failure is logged under.
    pub fn twilio_code(&self) -> u32 {
        match self {
            Self::Xml(_) | Self::NotResponse(_) => 12100,
            Self::InvalidAttribute { .. } | Self::MissingContent(_) => 12200,
        }
    }
}

/// Parses a TwiML `<Response>` document.
pub fn parse(xml: &str) -> Result<Twiml, TwimlError> {
    let root = tree::parse_tree(xml)?;
    verbs::from_root(root)
}

#[cfg(test)]
mod tests;
