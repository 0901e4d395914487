//! `<Connect>` and its nouns: `<Room>`, `<Autopilot>`, `<Stream>`, `<VirtualAgent>`,
//! `<Conversation>`, `<ConversationRelay>` (`<Language>`), `<AiSession>`,
//! `<ConversationRelaySession>`.

use crate::enums::{
    ConversationEvent, ConversationRecord, InterruptSensitivity, Interruptible, Method,
    RecordingEvent, TextNormalization, Trim,
};

use super::media::Stream;
use super::simple::{Config, Parameter};

twiml_element! {
    /// `<Connect>`: connects the call to a service (video room, bidirectional stream, AI agent...).
    Connect => "Connect"
    attrs {
        /// Action URL requested when the connection ends.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
    }
    children {
        /// Connects to a Video `<Room>`.
        room: Room;
        /// Connects to an `<Autopilot>` assistant (retired by Twilio, still in twilio-python).
        autopilot: Autopilot;
        /// Connects a bidirectional `<Stream>`.
        stream: Stream;
        /// Connects to a Dialogflow `<VirtualAgent>`.
        virtual_agent: VirtualAgent;
        /// Connects to a Conversations `<Conversation>`.
        conversation: Conversation;
        /// Connects to `<ConversationRelay>`.
        conversation_relay: ConversationRelay;
        /// Connects to an `<AiSession>`.
        ai_session: AiSession;
        /// Connects to a `<ConversationRelaySession>`.
        conversation_relay_session: ConversationRelaySession;
    }
}
constructors!(Connect, plain, "An empty `<Connect>`.");

twiml_element! {
    /// `<Room>`: a Video room.
    Room => "Room"
    attrs {
        /// Participant identity in the room.
        participant_identity: text = "participantIdentity";
    }
    children {}
}
constructors!(Room, text(name), "`<Room>` called `name`.");

twiml_element! {
    /// `<Autopilot>`: an Autopilot assistant.
    Autopilot => "Autopilot"
    attrs {}
    children {}
}
constructors!(
    Autopilot,
    text(name),
    "`<Autopilot>` for the assistant SID or unique name `name`."
);

twiml_element! {
    /// `<VirtualAgent>`: a Dialogflow CX agent.
    VirtualAgent => "VirtualAgent"
    attrs {
        /// Conversation profile / connector name.
        connector_name: text = "connectorName";
        /// Language for Dialogflow.
        language: text = "language";
        /// Enable sentiment analysis.
        sentiment_analysis: bool = "sentimentAnalysis";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
    }
    children {
        /// Appends a custom `<Config>`.
        config: Config;
        /// Appends a custom `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(VirtualAgent, plain, "A `<VirtualAgent />`.");

twiml_element! {
    /// `<Conversation>`: a Twilio Conversations voice participant.
    Conversation => "Conversation"
    attrs {
        /// Conversations service SID.
        service_instance_sid: text = "serviceInstanceSid";
        /// Create a conversation for inbound calls.
        inbound_autocreation: bool = "inboundAutocreation";
        /// Routing assignment timeout in seconds.
        routing_assignment_timeout: uint = "routingAssignmentTimeout";
        /// Inbound timeout in seconds.
        inbound_timeout: uint = "inboundTimeout";
        /// TwiML URL.
        url: text = "url";
        /// URL method.
        method: choice(Method) = "method";
        /// Record the call.
        record: choice(ConversationRecord) = "record";
        /// Trim silence.
        trim: choice(Trim) = "trim";
        /// Recording status callback URL.
        recording_status_callback: text = "recordingStatusCallback";
        /// Recording status callback method.
        recording_status_callback_method: choice(Method) = "recordingStatusCallbackMethod";
        /// Recording status events to report.
        recording_status_callback_event: list(RecordingEvent) = "recordingStatusCallbackEvent";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Call events to report.
        status_callback_event: list(ConversationEvent) = "statusCallbackEvent";
    }
    children {}
}
constructors!(Conversation, plain, "A `<Conversation />`.");

twiml_element! {
    /// `<ConversationRelay>`: speech-to-text and text-to-speech over a WebSocket to your AI app.
    ConversationRelay => "ConversationRelay"
    attrs {
        /// WebSocket URL of your application.
        url: text = "url";
        /// Language for both TTS and transcription.
        language: text = "language";
        /// Language for TTS.
        tts_language: text = "ttsLanguage";
        /// Language for transcription.
        transcription_language: text = "transcriptionLanguage";
        /// TTS provider, e.g. `Google`, `Amazon`, `ElevenLabs`.
        tts_provider: text = "ttsProvider";
        /// TTS voice.
        voice: text = "voice";
        /// Transcription provider, e.g. `Google`, `Deepgram`.
        transcription_provider: text = "transcriptionProvider";
        /// Transcription speech model.
        speech_model: text = "speechModel";
        /// Filter profanities.
        profanity_filter: bool = "profanityFilter";
        /// Detect and report DTMF.
        dtmf_detection: bool = "dtmfDetection";
        /// Sentence played when the session connects.
        welcome_greeting: text = "welcomeGreeting";
        /// Report partial prompts before the caller finishes.
        partial_prompts: bool = "partialPrompts";
        /// What may interrupt the welcome greeting.
        welcome_greeting_interruptible: choice(Interruptible) = "welcomeGreetingInterruptible";
        /// What may interrupt TTS playback.
        interruptible: choice(Interruptible) = "interruptible";
        /// Let the next talk cycle interrupt the current one.
        preemptible: bool = "preemptible";
        /// Phrases that help recognition.
        hints: text = "hints";
        /// Conversational Intelligence service.
        intelligence_service: text = "intelligenceService";
        /// Report prompts while TTS plays and interruption is off.
        report_input_during_agent_speech: bool = "reportInputDuringAgentSpeech";
        /// ElevenLabs text normalisation.
        elevenlabs_text_normalization: choice(TextNormalization) = "elevenlabsTextNormalization";
        /// Interrupt sensitivity for speech.
        interrupt_sensitivity: choice(InterruptSensitivity) = "interruptSensitivity";
        /// Debug options, space-separated.
        debug: text = "debug";
        /// Filter background noise before transcription.
        background_noise_reduction: bool = "backgroundNoiseReduction";
        /// Silence that marks the end of speech.
        speech_timeout: text = "speechTimeout";
        /// Deepgram smart formatting.
        deepgram_smart_format: bool = "deepgramSmartFormat";
        /// Ignore brief acknowledgements ("uh-huh") while the agent speaks.
        ignore_backchannel: bool = "ignoreBackchannel";
        /// Event subscriptions.
        events: text = "events";
        /// Report the partial transcript as a prompt when the call hangs up.
        partial_prompt_on_hangup: bool = "partialPromptOnHangup";
        /// Eager end-of-turn threshold, `0.3` to `0.9`.
        eager_eot_threshold: text = "eagerEotThreshold";
        /// Smart formatting of transcripts.
        asr_smart_format: bool = "asrSmartFormat";
        /// TTS text normalisation.
        tts_text_normalization: choice(TextNormalization) = "ttsTextNormalization";
        /// Language-specific TTS text normalisation.
        tts_language_text_normalization: bool = "ttsLanguageTextNormalization";
        /// Legacy alias of `ttsLanguageTextNormalization`.
        elevenlabs_language_text_normalization: bool = "elevenlabsLanguageTextNormalization";
        /// Extra prompt fields: `turn-state` or `prompt-segments`.
        include_in_prompt: text = "includeInPrompt";
        /// Customer name for Conversations / Intelligence.
        customer_name: text = "customerName";
        /// Reconnect the WebSocket if it drops.
        application_reconnect: bool = "applicationReconnect";
        /// Drop transcripts that echo the agent's own speech.
        echo_prompt_filtering: bool = "echoPromptFiltering";
        /// Use turn detection.
        turn_detection: bool = "turnDetection";
    }
    children {
        /// Appends a per-language `<Language>` setting (twilio-python's `language()`; renamed
        /// because [`language`](Self::language) sets the attribute).
        language_setting: Language;
        /// Appends a custom `<Parameter>` sent in the `setup` message.
        parameter: Parameter;
    }
}
constructors!(
    ConversationRelay,
    plain,
    "A `<ConversationRelay />`; set at least [`url`](Self::url)."
);

twiml_element! {
    /// `<Language>` inside `<ConversationRelay>`: settings for one language.
    Language => "Language"
    attrs {
        /// Language code this setting is for.
        code: text = "code";
        /// TTS provider.
        tts_provider: text = "ttsProvider";
        /// TTS voice.
        voice: text = "voice";
        /// Transcription provider.
        transcription_provider: text = "transcriptionProvider";
        /// Transcription speech model.
        speech_model: text = "speechModel";
        /// Phrases that help recognition.
        hints: text = "hints";
        /// Smart formatting of transcripts.
        asr_smart_format: bool = "asrSmartFormat";
        /// TTS text normalisation.
        tts_text_normalization: choice(TextNormalization) = "ttsTextNormalization";
        /// Language-specific TTS text normalisation.
        tts_language_text_normalization: bool = "ttsLanguageTextNormalization";
    }
    children {}
}
constructors!(
    Language,
    plain,
    "A `<Language />`; set at least [`code`](Self::code)."
);

twiml_element! {
    /// `<AiSession>`: an AI connector session.
    AiSession => "AiSession"
    attrs {
        /// AI connector unique name or add-on SID.
        ai_connector: text = "aiConnector";
        /// AiSession configuration unique name or ID.
        ai_session_configuration: text = "aiSessionConfiguration";
    }
    children {}
}
constructors!(AiSession, plain, "An `<AiSession />`.");

twiml_element! {
    /// `<ConversationRelaySession>`: a pre-configured ConversationRelay session.
    ConversationRelaySession => "ConversationRelaySession"
    attrs {
        /// Connector unique name or add-on SID.
        connector: text = "connector";
        /// Session configuration unique name or ID.
        session_configuration: text = "sessionConfiguration";
    }
    children {}
}
constructors!(
    ConversationRelaySession,
    plain,
    "A `<ConversationRelaySession />`."
);
