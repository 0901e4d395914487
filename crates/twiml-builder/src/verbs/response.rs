//! `<Response>`, the root of every Voice TwiML document.

use super::connect::Connect;
use super::dial::{Dial, Queue};
use super::gather::{Gather, Record};
use super::media::{Start, Stop};
use super::pay::{Pay, Prompt};
use super::say::Say;
use super::simple::{Echo, Enqueue, Hangup, Leave, Pause, Play, Redirect, Refer, Reject, Sms};

twiml_element! {
    /// `<Response>`: the document root; verbs run in the order they are added.
    ///
    /// ```
    /// use twiml_builder::{Hangup, Say, VoiceResponse};
    /// let xml = VoiceResponse::new().say(Say::new("Tchau!")).hangup(Hangup::new()).to_xml()?;
    /// assert_eq!(xml, r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>Tchau!</Say><Hangup /></Response>"#);
    /// # Ok::<(), twiml_builder::TwimlError>(())
    /// ```
    VoiceResponse => "Response"
    attrs {}
    children {
        /// Appends `<Connect>`.
        connect: Connect;
        /// Appends `<Dial>`.
        dial: Dial;
        /// Appends `<Echo>`.
        echo: Echo;
        /// Appends `<Enqueue>`.
        enqueue: Enqueue;
        /// Appends `<Gather>`.
        gather: Gather;
        /// Appends `<Hangup>`.
        hangup: Hangup;
        /// Appends `<Leave>`.
        leave: Leave;
        /// Appends `<Pause>`.
        pause: Pause;
        /// Appends `<Play>`.
        play: Play;
        /// Appends `<Queue>` (twilio-python allows it at the top level too).
        queue: Queue;
        /// Appends `<Record>`.
        record: Record;
        /// Appends `<Redirect>`.
        redirect: Redirect;
        /// Appends `<Reject>`.
        reject: Reject;
        /// Appends `<Say>`.
        say: Say;
        /// Appends `<Sms>`.
        sms: Sms;
        /// Appends `<Pay>`.
        pay: Pay;
        /// Appends `<Prompt>`.
        prompt: Prompt;
        /// Appends `<Start>`.
        start: Start;
        /// Appends `<Stop>`.
        stop: Stop;
        /// Appends `<Refer>`.
        refer: Refer;
    }
}
constructors!(VoiceResponse, plain, "An empty `<Response />`.");
