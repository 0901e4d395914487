//! `<Start>` / `<Stop>` and their nouns: `<Stream>`, `<Siprec>`, `<Transcription>`, `<Recording>`.

use crate::enums::{Method, RecordingChannels, RecordingEvent, RecordingTrack, StreamTrack, Trim};

use super::simple::{Config, Parameter};

twiml_element! {
    /// `<Start>`: starts a background media operation and continues with the next verb.
    Start => "Start"
    attrs {
        /// Action URL.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
    }
    children {
        /// Starts a unidirectional media `<Stream>`.
        stream: Stream;
        /// Starts a `<Siprec>` session.
        siprec: Siprec;
        /// Starts a real-time `<Transcription>`.
        transcription: Transcription;
        /// Starts a call `<Recording>`.
        recording: Recording;
    }
}
constructors!(Start, plain, "An empty `<Start>`.");

twiml_element! {
    /// `<Stop>`: stops a media operation started with `<Start>` (matched by `name`).
    Stop => "Stop"
    attrs {}
    children {
        /// Stops a `<Stream>`.
        stream: Stream;
        /// Stops a `<Siprec>` session.
        siprec: Siprec;
        /// Stops a `<Transcription>`.
        transcription: Transcription;
    }
}
constructors!(Stop, plain, "An empty `<Stop>`.");

twiml_element! {
    /// `<Stream>`: call audio streamed to a WebSocket (`<Start>`: one way, `<Connect>`: both).
    Stream => "Stream"
    attrs {
        /// Name, used to stop the stream.
        name: text = "name";
        /// Stream connector unique name.
        connector_name: text = "connectorName";
        /// WebSocket URL (`wss://...`).
        url: text = "url";
        /// Track(s) to stream.
        track: choice(StreamTrack) = "track";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Required audio format.
        audio_format: text = "audioFormat";
        /// Sample rate for HD codecs.
        sample_rate: text = "sampleRate";
    }
    children {
        /// Appends a custom `<Parameter>` sent in the stream's `start` message.
        parameter: Parameter;
    }
}
constructors!(
    Stream,
    plain,
    "A `<Stream />`; set at least [`url`](Self::url) or [`name`](Self::name)."
);

twiml_element! {
    /// `<Siprec>`: forks the call to a SIPREC recorder.
    Siprec => "Siprec"
    attrs {
        /// Name, used to stop the session.
        name: text = "name";
        /// Connector unique name.
        connector_name: text = "connectorName";
        /// Track(s) to send.
        track: choice(StreamTrack) = "track";
        /// Status callback URL.
        status_callback: text = "statusCallback";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
    }
    children {
        /// Appends a custom `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(Siprec, plain, "A `<Siprec />`.");

twiml_element! {
    /// `<Transcription>`: real-time transcription of the call.
    Transcription => "Transcription"
    attrs {
        /// Name, used to stop the transcription.
        name: text = "name";
        /// Track(s) to transcribe.
        track: choice(StreamTrack) = "track";
        /// Status callback URL.
        status_callback_url: text = "statusCallbackUrl";
        /// Status callback method.
        status_callback_method: choice(Method) = "statusCallbackMethod";
        /// Label of the inbound track.
        inbound_track_label: text = "inboundTrackLabel";
        /// Label of the outbound track.
        outbound_track_label: text = "outboundTrackLabel";
        /// Send partial results.
        partial_results: bool = "partialResults";
        /// Language code, e.g. `pt-BR`.
        language_code: text = "languageCode";
        /// Engine, e.g. `google` or `deepgram`.
        transcription_engine: text = "transcriptionEngine";
        /// Filter profanities.
        profanity_filter: bool = "profanityFilter";
        /// Engine speech model.
        speech_model: text = "speechModel";
        /// Phrases that help recognition.
        hints: text = "hints";
        /// Add punctuation automatically.
        enable_automatic_punctuation: bool = "enableAutomaticPunctuation";
        /// Conversational Intelligence service SID or unique name.
        intelligence_service: text = "intelligenceService";
    }
    children {
        /// Appends a custom `<Config>`.
        config: Config;
        /// Appends a custom `<Parameter>`.
        parameter: Parameter;
    }
}
constructors!(Transcription, plain, "A `<Transcription />`.");

twiml_element! {
    /// `<Recording>` inside `<Start>`: records the call in the background.
    Recording => "Recording"
    attrs {
        /// Recording status callback URL.
        recording_status_callback: text = "recordingStatusCallback";
        /// Recording status callback method.
        recording_status_callback_method: choice(Method) = "recordingStatusCallbackMethod";
        /// Recording status events to report.
        recording_status_callback_event: list(RecordingEvent) = "recordingStatusCallbackEvent";
        /// Trim silence.
        trim: choice(Trim) = "trim";
        /// Track(s) to record.
        track: choice(RecordingTrack) = "track";
        /// Mono or dual channel.
        channels: choice(RecordingChannels) = "channels";
        /// Recording configuration ID.
        recording_configuration_id: text = "recordingConfigurationId";
    }
    children {}
}
constructors!(Recording, plain, "A `<Recording />`.");
