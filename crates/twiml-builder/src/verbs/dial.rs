//! `<Dial>` and the nouns it connects to: `<Number>`, `<Client>` (`<Identity>`), `<Conference>`,
//! `<Queue>`, `<Sip>` (`<Uri>`, `<Headers>`), `<Sim>`, `<Application>` (`<ApplicationSid>`) and
//! `<WhatsApp>`.

use crate::enums::{
    CallProgressEvent, ConferenceBeep, ConferenceEvent, ConferenceRecord, ConferenceRegion,
    DialEvents, DialRecord, JitterBufferSize, MachineDetection, Method, RecordingEvent,
    RecordingTrack, RingTone, Trim,
};

use super::simple::Parameter;

twiml_element! {
    /// `<Dial>`: connects the caller to another party.
    ///
    /// ```
    /// use twiml_builder::{CallProgressEvent, Dial, DialRecord, Number};
    /// let dial = Dial::new()
    ///     .caller_id("+553123916801")
    ///     .record(DialRecord::RecordFromAnswer)
    ///     .number(Number::new("+5531999999999").status_callback_event([
    ///         CallProgressEvent::Initiated,
    ///         CallProgressEvent::Completed,
    ///     ]));
    /// let mut xml = String::new();
    /// dial.write_fragment_to(&mut xml)?;
    /// assert_eq!(
    ///     xml,
    ///     r#"<Dial callerId="+553123916801" record="record-from-answer"><Number statusCallbackEvent="initiated completed">+5531999999999</Number></Dial>"#
    /// );
    /// # Ok::<(), twiml_builder::TwimlError>(())
    /// ```
    Dial => "Dial"
    attrs {
        /// Action URL requested when the dialled call ends.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
        /// Seconds to wait for an answer.
        timeout: uint = "timeout";
        /// Let the caller hang up the dialled party by pressing `*`.
        hangup_on_star: bool = "hangupOnStar";
        /// Maximum call length in seconds.
        time_limit: uint = "timeLimit";
        /// Caller ID shown to the dialled party.
        caller_id: text = "callerId";
        /// Record the call.
        record: choice(DialRecord) = "record";
        /// Trim silence from the recording.
        trim: choice(Trim) = "trim";
        /// Recording status callback URL (its `CallSid` is the parent call).
        recording_status_callback: text = "recordingStatusCallback";
        /// Recording configuration ID.
        recording_configuration_id: text = "recordingConfigurationId";
        /// Recording status callback method.
        recording_status_callback_method: choice(Method) = "recordingStatusCallbackMethod";
        /// Recording status events to receive.
        recording_status_callback_event: list(RecordingEvent) = "recordingStatusCallbackEvent";
        /// Keep the caller hearing ringback until the dialled party answers.
        answer_on_bridge: bool = "answerOnBridge";
        /// Country ringback tone.
        ring_tone: choice(RingTone) = "ringTone";
        /// Which audio track to record.
        recording_track: choice(RecordingTrack) = "recordingTrack";
        /// Dial the nouns one after the other instead of all at once.
        sequential: bool = "sequential";
        /// URL receiving future SIP REFER requests.
        refer_url: text = "referUrl";
        /// Refer URL method.
        refer_method: choice(Method) = "referMethod";
        /// Event subscriptions.
        events: choice(DialEvents) = "events";
        /// Base64-encoded, comma-separated identity passports (e.g. SHAKEN, DIV).
        passports: text = "passports";
    }
    children {
        /// Dials a phone number.
        number: Number;
        /// Dials a Voice SDK client (browser or app).
        client: Client;
        /// Joins a conference room.
        conference: Conference;
        /// Takes the next caller from a queue.
        queue: Queue;
        /// Dials a SIP endpoint.
        sip: Sip;
        /// Dials a Programmable Wireless SIM.
        sim: Sim;
        /// Dials another TwiML application.
        application: Application;
        /// Dials a WhatsApp number.
        whats_app: WhatsApp;
    }
}
constructors!(
    Dial,
    plain,
    "An empty `<Dial>`; add nouns such as [`Number`] or [`Client`]."
);

impl<'a> Dial<'a> {
    /// `<Dial>` whose text is the number to call, the short form of `<Dial><Number>`.
    pub fn to(number: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Self::new().text(number)
    }
}

twiml_element! {
    /// `<Number>`: a phone number to dial.
    Number => "Number"
    attrs {
        /// DTMF digits to play once answered.
        send_digits: text = "sendDigits";
        /// TwiML URL run on the called party before connecting (a whisper).
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Call progress events to report (their `CallSid` is the child leg).
        status_callback_event: list(CallProgressEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// BYOC trunk SID.
        byoc: text = "byoc";
        /// Answering machine detection.
        machine_detection: choice(MachineDetection) = "machineDetection";
        /// AMD status callback method.
        amd_status_callback_method: choice(Method) = "amdStatusCallbackMethod";
        /// URL receiving the AMD result.
        amd_status_callback: text = "amdStatusCallback";
        /// Seconds to wait for machine detection.
        machine_detection_timeout: uint = "machineDetectionTimeout";
        /// Milliseconds of speech that indicate a machine.
        machine_detection_speech_threshold: uint = "machineDetectionSpeechThreshold";
        /// Milliseconds of silence that end the speech.
        machine_detection_speech_end_threshold: uint = "machineDetectionSpeechEndThreshold";
        /// Milliseconds of initial silence that indicate a machine.
        machine_detection_silence_timeout: uint = "machineDetectionSilenceTimeout";
    }
    children {}
}
constructors!(
    Number,
    text(phone_number),
    "`<Number>` dialling `phone_number` (E.164)."
);

twiml_element! {
    /// `<Client>`: a Voice SDK identity. With `<Parameter>` children use the `<Identity>` form:
    /// [`Client::empty`] then [`identity`](Self::identity).
    ///
    /// ```
    /// use twiml_builder::{Client, Identity, Parameter};
    /// let client = Client::empty()
    ///     .identity(Identity::new("user_1_Alefe_Lins"))
    ///     .parameter(Parameter::new("ticket", "42"));
    /// let mut xml = String::new();
    /// client.write_fragment_to(&mut xml)?;
    /// assert_eq!(xml, r#"<Client><Identity>user_1_Alefe_Lins</Identity><Parameter name="ticket" value="42" /></Client>"#);
    /// # Ok::<(), twiml_builder::TwimlError>(())
    /// ```
    Client => "Client"
    attrs {
        /// TwiML URL run on the client before connecting.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Call progress events to report.
        status_callback_event: list(CallProgressEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
    }
    children {
        /// Sets the identity as an `<Identity>` child.
        identity: Identity;
        /// Appends a custom `<Parameter>` delivered to the SDK.
        parameter: Parameter;
    }
}
constructors!(
    Client,
    text_or_empty(identity),
    "`<Client>` dialling the SDK `identity`."
);

twiml_element! {
    /// `<Identity>`: the client identity inside `<Client>`.
    Identity => "Identity"
    attrs {}
    children {}
}
constructors!(
    Identity,
    text(client_identity),
    "`<Identity>` of `client_identity`."
);

twiml_element! {
    /// `<Conference>`: a named conference room.
    Conference => "Conference"
    attrs {
        /// Join muted.
        muted: bool = "muted";
        /// Beep on enter / exit.
        beep: choice(ConferenceBeep) = "beep";
        /// Start the conference when this participant enters.
        start_conference_on_enter: bool = "startConferenceOnEnter";
        /// End the conference when this participant leaves.
        end_conference_on_exit: bool = "endConferenceOnExit";
        /// Hold music / TwiML URL while waiting.
        wait_url: text = "waitUrl";
        /// Wait URL method.
        wait_method: choice(Method) = "waitMethod";
        /// Maximum number of participants (2 to 250).
        max_participants: uint = "maxParticipants";
        /// Record the conference.
        record: choice(ConferenceRecord) = "record";
        /// Recording configuration ID.
        recording_configuration_id: text = "recordingConfigurationId";
        /// Mixing region.
        region: choice(ConferenceRegion) = "region";
        /// Call SID of the participant to coach.
        coach: text = "coach";
        /// Trim silence from the recording.
        trim: choice(Trim) = "trim";
        /// Conference events to report.
        status_callback_event: list(ConferenceEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Recording status callback URL.
        recording_status_callback: text = "recordingStatusCallback";
        /// Recording status callback method.
        recording_status_callback_method: choice(Method) = "recordingStatusCallbackMethod";
        /// Recording status events to report.
        recording_status_callback_event: list(RecordingEvent) = "recordingStatusCallbackEvent";
        /// Event callback URL.
        event_callback_url: text = "eventCallbackUrl";
        /// Jitter buffer size for this participant.
        jitter_buffer_size: choice(JitterBufferSize) = "jitterBufferSize";
        /// Label of this participant.
        participant_label: text = "participantLabel";
    }
    children {}
}
constructors!(
    Conference,
    text(name),
    "`<Conference>` joining the room called `name`."
);

twiml_element! {
    /// `<Queue>`: dequeues the next caller of a queue (inside `<Dial>`).
    Queue => "Queue"
    attrs {
        /// TwiML URL run on the dequeued caller.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// TaskRouter reservation SID.
        reservation_sid: text = "reservationSid";
        /// TaskRouter activity SID after the call.
        post_work_activity_sid: text = "postWorkActivitySid";
    }
    children {}
}
constructors!(Queue, text(name), "`<Queue>` called `name`.");

twiml_element! {
    /// `<Sim>`: a Programmable Wireless SIM.
    Sim => "Sim"
    attrs {}
    children {}
}
constructors!(Sim, text(sim_sid), "`<Sim>` with SID `sim_sid`.");

twiml_element! {
    /// `<Sip>`: a SIP endpoint, as text or as `<Uri>` children with `<Headers>`.
    Sip => "Sip"
    attrs {
        /// SIP username.
        username: text = "username";
        /// SIP password.
        password: text = "password";
        /// TwiML URL run on the called party.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Call progress events to report.
        status_callback_event: list(CallProgressEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Answering machine detection.
        machine_detection: choice(MachineDetection) = "machineDetection";
        /// AMD status callback method.
        amd_status_callback_method: choice(Method) = "amdStatusCallbackMethod";
        /// URL receiving the AMD result.
        amd_status_callback: text = "amdStatusCallback";
        /// Seconds to wait for machine detection.
        machine_detection_timeout: uint = "machineDetectionTimeout";
        /// Milliseconds of speech that indicate a machine.
        machine_detection_speech_threshold: uint = "machineDetectionSpeechThreshold";
        /// Milliseconds of silence that end the speech.
        machine_detection_speech_end_threshold: uint = "machineDetectionSpeechEndThreshold";
        /// Milliseconds of initial silence that indicate a machine.
        machine_detection_silence_timeout: uint = "machineDetectionSilenceTimeout";
    }
    children {
        /// Appends a `<Uri>` to try (in priority order).
        uri: SipUri;
        /// Appends the `<Headers>` to send.
        headers: Headers;
    }
}
constructors!(Sip, text_or_empty(sip_url), "`<Sip>` dialling `sip_url`.");

twiml_element! {
    /// `<Uri>` inside `<Sip>`: one SIP URI, tried by priority and weight.
    SipUri => "Uri"
    attrs {
        /// Priority (lower first).
        priority: uint = "priority";
        /// Weight among URIs of the same priority.
        weight: uint = "weight";
        /// SIP username.
        username: text = "username";
        /// SIP password.
        password: text = "password";
    }
    children {}
}
constructors!(SipUri, text(sip_url), "`<Uri>` of `sip_url`.");

twiml_element! {
    /// `<Headers>`: custom SIP headers inside `<Sip>`.
    Headers => "Headers"
    attrs {}
    children {
        /// Appends a `<Header>`.
        header: Header;
    }
}
constructors!(Headers, plain, "An empty `<Headers>`.");

twiml_element! {
    /// `<Header>`: one custom SIP header.
    Header => "Header"
    attrs {
        /// Header name.
        name: text = "name";
        /// Header value.
        value: text = "value";
    }
    children {}
}

impl<'a> Header<'a> {
    /// `<Header name=".." value=".." />`.
    pub fn new(
        name: impl Into<std::borrow::Cow<'a, str>>,
        value: impl Into<std::borrow::Cow<'a, str>>,
    ) -> Self {
        Self::bare().name(name).value(value)
    }
}

twiml_element! {
    /// `<Application>`: another TwiML application, by SID as text or as an `<ApplicationSid>`
    /// child with `<Parameter>`s.
    Application => "Application"
    attrs {
        /// TwiML URL run on the called application.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Call progress events to report.
        status_callback_event: list(CallProgressEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Identity of the customer calling the application.
        customer_id: text = "customerId";
        /// Copy the parent call's `To` to the called application.
        copy_parent_to: bool = "copyParentTo";
    }
    children {
        /// Sets the SID as an `<ApplicationSid>` child.
        application_sid: ApplicationSid;
        /// Appends a custom `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(
    Application,
    text_or_empty(application_sid),
    "`<Application>` dialling `application_sid` (`AP...`)."
);

twiml_element! {
    /// `<ApplicationSid>` inside `<Application>`.
    ApplicationSid => "ApplicationSid"
    attrs {}
    children {}
}
constructors!(ApplicationSid, text(sid), "`<ApplicationSid>` of `sid`.");

twiml_element! {
    /// `<WhatsApp>`: a WhatsApp number to dial.
    WhatsApp => "WhatsApp"
    attrs {
        /// TwiML URL run on the called party.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Call progress events to report.
        status_callback_event: list(CallProgressEvent) = "statusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
    }
    children {}
}
constructors!(
    WhatsApp,
    text(phone_number),
    "`<WhatsApp>` dialling `phone_number`."
);
