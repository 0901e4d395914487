//! `<Gather>` (collect digits or speech) and `<Record>` (record the caller).

use crate::enums::{GatherInput, Method, RecordingEvent, Trim};
use crate::value::SpeechTimeout;

use super::say::Say;
use super::simple::{Pause, Play};

twiml_element! {
    /// `<Gather>`: collects DTMF digits and/or speech while playing nested `<Say>`, `<Play>` and
    /// `<Pause>`.
    ///
    /// ```
    /// use twiml_builder::{Gather, GatherInput, Say, SpeechTimeout};
    /// let gather = Gather::new()
    ///     .input([GatherInput::Dtmf, GatherInput::Speech])
    ///     .speech_timeout(SpeechTimeout::Auto)
    ///     .say(Say::new("Digite 1 ou fale."));
    /// let mut xml = String::new();
    /// gather.write_fragment_to(&mut xml)?;
    /// assert_eq!(xml, r#"<Gather input="dtmf speech" speechTimeout="auto"><Say>Digite 1 ou fale.</Say></Gather>"#);
    /// # Ok::<(), twiml_builder::TwimlError>(())
    /// ```
    Gather => "Gather"
    attrs {
        /// Input types to accept (space-joined; twilio-python would print a list repr).
        input: list(GatherInput) = "input";
        /// Action URL receiving the digits / speech result.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
        /// Seconds to wait for input.
        timeout: uint = "timeout";
        /// End of speech: seconds of silence, or `auto`.
        speech_timeout: into(SpeechTimeout) = "speechTimeout";
        /// Maximum seconds of speech.
        max_speech_time: uint = "maxSpeechTime";
        /// Filter profanities from the transcript.
        profanity_filter: bool = "profanityFilter";
        /// Key that ends input, e.g. `#` (empty string: none).
        finish_on_key: text = "finishOnKey";
        /// Number of digits to collect.
        num_digits: uint = "numDigits";
        /// URL receiving partial speech results.
        partial_result_callback: text = "partialResultCallback";
        /// Partial result callback method.
        partial_result_callback_method: choice(Method) = "partialResultCallbackMethod";
        /// Speech recognition language, e.g. `pt-BR`.
        language: text = "language";
        /// Words or phrases likely to be spoken, comma-separated.
        hints: text = "hints";
        /// Stop playing nested media once input starts.
        barge_in: bool = "bargeIn";
        /// Debug mode.
        debug: bool = "debug";
        /// Request the action URL even when there was no input.
        action_on_empty_result: bool = "actionOnEmptyResult";
        /// Speech model, e.g. `phone_call`, `numbers_and_commands`, `googlev2_telephony`.
        speech_model: text = "speechModel";
        /// Use the enhanced speech model.
        enhanced: bool = "enhanced";
    }
    children {
        /// Appends a `<Say>` played while gathering.
        say: Say;
        /// Appends a `<Play>` played while gathering.
        play: Play;
        /// Appends a `<Pause>`.
        pause: Pause;
    }
}
constructors!(Gather, plain, "An empty `<Gather />`.");

twiml_element! {
    /// `<Record>`: records the caller's voice.
    Record => "Record"
    attrs {
        /// Action URL requested when recording ends.
        action: text = "action";
        /// Action URL method.
        method: choice(Method) = "method";
        /// Seconds of silence that end the recording.
        timeout: uint = "timeout";
        /// Keys that end the recording, e.g. `#`.
        finish_on_key: text = "finishOnKey";
        /// Maximum length in seconds.
        max_length: uint = "maxLength";
        /// Play a beep before recording.
        play_beep: bool = "playBeep";
        /// Trim silence.
        trim: choice(Trim) = "trim";
        /// Recording status callback URL.
        recording_status_callback: text = "recordingStatusCallback";
        /// Recording status callback method.
        recording_status_callback_method: choice(Method) = "recordingStatusCallbackMethod";
        /// Recording status events to receive.
        recording_status_callback_event: list(RecordingEvent) = "recordingStatusCallbackEvent";
        /// Transcribe the recording.
        transcribe: bool = "transcribe";
        /// Transcription callback URL.
        transcribe_callback: text = "transcribeCallback";
        /// Recording configuration ID.
        recording_configuration_id: text = "recordingConfigurationId";
    }
    children {}
}
constructors!(Record, plain, "A `<Record />` with Twilio's defaults.");
