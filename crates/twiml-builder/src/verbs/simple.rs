//! Verbs with little or no nesting: `<Play>`, `<Pause>`, `<Hangup>`, `<Reject>`, `<Redirect>`,
//! `<Leave>`, `<Echo>`, `<Sms>`, `<Enqueue>` (`<Task>`), `<Refer>` (`<Sip>`), and the shared
//! `<Parameter>` / `<Config>` nouns.

use crate::enums::{Method, RejectReason};

twiml_element! {
    /// `<Play>`: plays an audio file, or DTMF tones with [`digits`](Self::digits).
    Play => "Play"
    attrs {
        /// Times to repeat (`0` loops until the call ends).
        loop_: uint = "loop";
        /// DTMF digits to play; `w` waits half a second.
        digits: text = "digits";
    }
    children {}
}
constructors!(Play, text_or_empty(url), "`<Play>` of the media at `url`.");

twiml_element! {
    /// `<Pause>`: silence.
    Pause => "Pause"
    attrs {
        /// Seconds to wait (Twilio's default is 1).
        length: uint = "length";
    }
    children {}
}
constructors!(Pause, plain, "A `<Pause />` of Twilio's default length.");

twiml_element! {
    /// `<Hangup>`: ends the call.
    Hangup => "Hangup"
    attrs {}
    children {
        /// Appends a `<Parameter>` sent with the hang-up.
        parameter: Parameter;
    }
}
constructors!(Hangup, plain, "A `<Hangup />`.");

twiml_element! {
    /// `<Reject>`: refuses an incoming call without answering (no charge).
    Reject => "Reject"
    attrs {
        /// Tone the caller hears.
        reason: choice(RejectReason) = "reason";
    }
    children {
        /// Appends a `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(
    Reject,
    plain,
    "A `<Reject />` (Twilio's default reason is `rejected`)."
);

twiml_element! {
    /// `<Redirect>`: continues with the TwiML at another URL.
    Redirect => "Redirect"
    attrs {
        /// Method used to fetch the URL.
        method: choice(Method) = "method";
    }
    children {}
}
constructors!(Redirect, text(url), "`<Redirect>` to `url`.");

twiml_element! {
    /// `<Leave>`: takes the caller out of the `<Enqueue>` queue.
    Leave => "Leave"
    attrs {}
    children {}
}
constructors!(Leave, plain, "A `<Leave />`.");

twiml_element! {
    /// `<Echo>`: echoes the caller's audio back (testing).
    Echo => "Echo"
    attrs {}
    children {}
}
constructors!(Echo, plain, "An `<Echo />`.");

twiml_element! {
    /// `<Sms>` (deprecated by Twilio, still in twilio-python): sends a text message during a call.
    Sms => "Sms"
    attrs {
        /// Recipient number.
        to: text = "to";
        /// Sender number (Python's `from_`).
        from: text = "from";
        /// Action URL.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
        /// Status callback URL.
        status_callback: text = "statusCallback";
    }
    children {}
}
constructors!(Sms, text(message), "`<Sms>` sending `message`.");

twiml_element! {
    /// `<Enqueue>`: puts the caller in a queue (or a TaskRouter workflow).
    Enqueue => "Enqueue"
    attrs {
        /// Action URL, requested when the caller leaves the queue.
        action: text = "action";
        /// Maximum size of the queue.
        max_queue_size: uint = "maxQueueSize";
        /// Action URL method.
        method: choice(Method) = "method";
        /// TwiML played while waiting.
        wait_url: text = "waitUrl";
        /// Wait URL method.
        wait_url_method: choice(Method) = "waitUrlMethod";
        /// TaskRouter workflow SID (`WW...`).
        workflow_sid: text = "workflowSid";
    }
    children {
        /// Appends the TaskRouter `<Task>`.
        task: Task;
    }
}
constructors!(
    Enqueue,
    text_or_empty(name),
    "`<Enqueue>` into the queue called `name`."
);

twiml_element! {
    /// `<Task>`: TaskRouter task attributes (a JSON object as text) inside `<Enqueue>`.
    Task => "Task"
    attrs {
        /// Task priority.
        priority: uint = "priority";
        /// Task timeout in seconds.
        timeout: uint = "timeout";
    }
    children {}
}
constructors!(
    Task,
    text(body),
    "`<Task>` with `body`, the task attributes as JSON text."
);

twiml_element! {
    /// `<Refer>`: transfers a SIP call with a SIP REFER.
    Refer => "Refer"
    attrs {
        /// Action URL.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
    }
    children {
        /// Appends the `<Sip>` target.
        sip: ReferSip;
    }
}
constructors!(
    Refer,
    plain,
    "An empty `<Refer>`; add its [`ReferSip`] target."
);

twiml_element! {
    /// `<Sip>` inside `<Refer>`: the SIP URI to transfer to.
    ReferSip => "Sip"
    attrs {}
    children {}
}
constructors!(ReferSip, text(sip_url), "`<Sip>` referring to `sip_url`.");

twiml_element! {
    /// `<Parameter>`: a custom name/value pair passed along (to a client, stream, payment...).
    Parameter => "Parameter"
    attrs {
        /// Parameter name.
        name: text = "name";
        /// Parameter value.
        value: text = "value";
    }
    children {}
}

impl<'a> Parameter<'a> {
    /// `<Parameter name=".." value=".." />`.
    pub fn new(
        name: impl Into<std::borrow::Cow<'a, str>>,
        value: impl Into<std::borrow::Cow<'a, str>>,
    ) -> Self {
        Self::bare().name(name).value(value)
    }

    /// A `<Parameter />` without attributes; set them with [`name`](Self::name) and
    /// [`value`](Self::value).
    pub fn empty() -> Self {
        Self::bare()
    }
}

twiml_element! {
    /// `<Config>`: a custom configuration pair (`<Transcription>`, `<VirtualAgent>`).
    Config => "Config"
    attrs {
        /// Configuration name.
        name: text = "name";
        /// Configuration value.
        value: text = "value";
    }
    children {}
}

impl<'a> Config<'a> {
    /// `<Config name=".." value=".." />`.
    pub fn new(
        name: impl Into<std::borrow::Cow<'a, str>>,
        value: impl Into<std::borrow::Cow<'a, str>>,
    ) -> Self {
        Self::bare().name(name).value(value)
    }

    /// A `<Config />` without attributes.
    pub fn empty() -> Self {
        Self::bare()
    }
}
