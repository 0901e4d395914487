//! The TwiML documents Ramal answers with. Pure functions of the policy and the request, so
//! each document is tested as exact text.

use twiml_builder::{
    CallProgressEvent, Client, Dial, Hangup, Identity, Number, Parameter, Record, RecordingEvent,
    Say, TwimlError, VoiceResponse,
};

use crate::config::CallPolicy;

/// Absolute callback URLs, built once from the public base URL.
#[derive(Debug, Clone)]
pub struct CallbackUrls {
    /// `/api/twilio/call-status`.
    pub call_status: String,
    /// `/api/twilio/recording-status`.
    pub recording_status: String,
    /// `/api/twilio/dial-complete`: Twilio asks what to do after an inbound `<Dial>`.
    pub dial_complete: String,
    /// `/api/twilio/voicemail-complete`: after the caller recorded a message.
    pub voicemail_complete: String,
}

impl CallbackUrls {
    /// The callback URLs under a public base URL.
    pub fn under(base: &crate::config::PublicUrl) -> Self {
        Self {
            call_status: base.join("/api/twilio/call-status"),
            recording_status: base.join("/api/twilio/recording-status"),
            dial_complete: base.join("/api/twilio/dial-complete"),
            voicemail_complete: base.join("/api/twilio/voicemail-complete"),
        }
    }
}

const LEG_EVENTS: [CallProgressEvent; 4] = [
    CallProgressEvent::Initiated,
    CallProgressEvent::Ringing,
    CallProgressEvent::Answered,
    CallProgressEvent::Completed,
];

/// Longest voicemail, in seconds.
const VOICEMAIL_MAX_SECS: u32 = 120;

fn say<'a>(policy: &'a CallPolicy, text: &'a str) -> Say<'a> {
    Say::new(text).language(policy.language.as_str())
}

/// A recorded `<Dial>` with the policy's ring timeout.
fn recorded_dial<'a>(policy: &'a CallPolicy, urls: &'a CallbackUrls) -> Dial<'a> {
    Dial::new()
        .record(policy.recording)
        .recording_status_callback(urls.recording_status.as_str())
        .recording_status_callback_event([RecordingEvent::Completed, RecordingEvent::Absent])
        .timeout(policy.ring_timeout_secs)
}

/// Browser -> phone: dial the number with our caller ID, recorded, with per-leg status
/// callbacks. `answerOnBridge` keeps the browser leg unanswered until the callee answers, so
/// the agent hears the real ringback and billing starts at the answer.
pub fn dial_number(
    policy: &CallPolicy,
    urls: &CallbackUrls,
    caller_id: &str,
    to: &str,
) -> Result<String, TwimlError> {
    VoiceResponse::new()
        .dial(
            recorded_dial(policy, urls)
                .caller_id(caller_id)
                .answer_on_bridge(true)
                .number(
                    Number::new(to)
                        .status_callback(urls.call_status.as_str())
                        .status_callback_event(LEG_EVENTS),
                ),
        )
        .to_xml()
}

/// Browser -> browser: ring another agent's webphone.
pub fn dial_agent(
    policy: &CallPolicy,
    urls: &CallbackUrls,
    identity: &str,
) -> Result<String, TwimlError> {
    VoiceResponse::new()
        .dial(
            recorded_dial(policy, urls).answer_on_bridge(true).client(
                Client::new(identity)
                    .status_callback(urls.call_status.as_str())
                    .status_callback_event(LEG_EVENTS),
            ),
        )
        .to_xml()
}

/// Says a message and hangs up (refused or impossible calls).
pub fn say_and_hang_up(policy: &CallPolicy, text: &str) -> Result<String, TwimlError> {
    VoiceResponse::new()
        .say(say(policy, text))
        .hangup(Hangup::new())
        .to_xml()
}

/// Name of the `<Parameter>` carrying the caller's number to the ringing webphones (the SDK
/// exposes it as `call.customParameters.get("caller")`; the child leg's own `From` is Twilio's).
pub const CALLER_PARAMETER: &str = "caller";

/// Phone -> agents: greet, then ring every given identity at once (the first to answer takes
/// the call); Twilio then asks `dial_complete` what to do. Each webphone gets the caller's
/// number as the `caller` parameter (`<Parameter>` needs the `<Identity>` form of `<Client>`).
pub fn ring_agents(
    policy: &CallPolicy,
    urls: &CallbackUrls,
    identities: &[String],
    caller: &str,
) -> Result<String, TwimlError> {
    if identities.is_empty() {
        return nobody_answered(policy, urls, true);
    }
    let mut dial = recorded_dial(policy, urls).action(urls.dial_complete.as_str());
    for identity in identities {
        let mut client = Client::empty()
            .status_callback(urls.call_status.as_str())
            .status_callback_event(LEG_EVENTS)
            .identity(Identity::new(identity.as_str()));
        if !caller.is_empty() {
            client = client.parameter(Parameter::new(CALLER_PARAMETER, caller));
        }
        dial = dial.client(client);
    }
    VoiceResponse::new()
        .say(say(policy, &policy.messages.greeting))
        .dial(dial)
        .to_xml()
}

/// After an inbound `<Dial>`: hang up if an agent talked to the caller, otherwise apologise
/// and offer voicemail. (Without this step Twilio would run the verbs after `<Dial>` even
/// after a completed conversation.)
pub fn after_dial(
    policy: &CallPolicy,
    urls: &CallbackUrls,
    dial_call_status: &str,
) -> Result<String, TwimlError> {
    if dial_call_status == "completed" || dial_call_status == "answered" {
        VoiceResponse::new().hangup(Hangup::new()).to_xml()
    } else {
        nobody_answered(policy, urls, false)
    }
}

fn nobody_answered(
    policy: &CallPolicy,
    urls: &CallbackUrls,
    greet: bool,
) -> Result<String, TwimlError> {
    let mut response = VoiceResponse::new();
    if greet {
        // Callers who reach nobody still hear the greeting first, as they would with agents.
        response = response.say(say(policy, &policy.messages.greeting));
    }
    response = response.say(say(policy, &policy.messages.unavailable));
    if policy.voicemail {
        response = response
            .say(say(policy, &policy.messages.voicemail_prompt))
            .record(
                Record::new()
                    .max_length(VOICEMAIL_MAX_SECS)
                    .play_beep(true)
                    .action(urls.voicemail_complete.as_str())
                    .recording_status_callback(urls.recording_status.as_str())
                    .recording_status_callback_event([
                        RecordingEvent::Completed,
                        RecordingEvent::Absent,
                    ]),
            );
    }
    response.hangup(Hangup::new()).to_xml()
}

/// After the caller left a voicemail.
pub fn voicemail_complete() -> Result<String, TwimlError> {
    VoiceResponse::new().hangup(Hangup::new()).to_xml()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Messages, PublicUrl};
    use crate::phone::DestinationPolicy;

    fn policy(voicemail: bool) -> CallPolicy {
        CallPolicy {
            language: "pt-BR".into(),
            recording: twiml_builder::DialRecord::RecordFromAnswer,
            ring_timeout_secs: 30,
            destinations: DestinationPolicy::from_prefixes(&["+55".into()]).unwrap(),
            voicemail,
            messages: Messages::defaults_for("pt-BR"),
        }
    }

    fn urls() -> CallbackUrls {
        CallbackUrls::under(&PublicUrl::parse("https://r.example.com").unwrap())
    }

    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    #[test]
    fn outbound_number() {
        let xml = dial_number(&policy(true), &urls(), "+553123916801", "+5531999999999").unwrap();
        assert_eq!(
            xml,
            format!(
                "{DECL}<Response><Dial answerOnBridge=\"true\" callerId=\"+553123916801\" record=\"record-from-answer\" \
recordingStatusCallback=\"https://r.example.com/api/twilio/recording-status\" recordingStatusCallbackEvent=\"completed absent\" \
timeout=\"30\"><Number statusCallback=\"https://r.example.com/api/twilio/call-status\" \
statusCallbackEvent=\"initiated ringing answered completed\">+5531999999999</Number></Dial></Response>"
            )
        );
    }

    #[test]
    fn inbound_rings_every_agent_with_the_callers_number_then_asks_what_next() {
        let xml = ring_agents(
            &policy(true),
            &urls(),
            &["ana".into(), "bruno".into()],
            "+5531988887777",
        )
        .unwrap();
        let client = |who: &str| {
            format!(
                "<Client statusCallback=\"https://r.example.com/api/twilio/call-status\" \
statusCallbackEvent=\"initiated ringing answered completed\"><Identity>{who}</Identity>\
<Parameter name=\"caller\" value=\"+5531988887777\" /></Client>"
            )
        };
        assert_eq!(
            xml,
            format!(
                "{DECL}<Response><Say language=\"pt-BR\">Aguarde enquanto conectamos sua ligação.</Say>\
<Dial action=\"https://r.example.com/api/twilio/dial-complete\" record=\"record-from-answer\" \
recordingStatusCallback=\"https://r.example.com/api/twilio/recording-status\" recordingStatusCallbackEvent=\"completed absent\" \
timeout=\"30\">{}{}</Dial></Response>",
                client("ana"),
                client("bruno")
            )
        );
        // A withheld number: no parameter, the webphone falls back to the leg's From.
        let xml = ring_agents(&policy(true), &urls(), &["ana".into()], "").unwrap();
        assert!(xml.contains("<Identity>ana</Identity></Client>"), "{xml}");
        assert!(!xml.contains("<Parameter"), "{xml}");
    }

    #[test]
    fn nobody_available_goes_to_voicemail() {
        let xml = ring_agents(&policy(true), &urls(), &[], "+5531988887777").unwrap();
        assert_eq!(
            xml,
            format!(
                "{DECL}<Response><Say language=\"pt-BR\">Aguarde enquanto conectamos sua ligação.</Say>\
<Say language=\"pt-BR\">Desculpe, ninguém está disponível no momento.</Say>\
<Say language=\"pt-BR\">Deixe sua mensagem após o sinal.</Say>\
<Record action=\"https://r.example.com/api/twilio/voicemail-complete\" maxLength=\"120\" playBeep=\"true\" \
recordingStatusCallback=\"https://r.example.com/api/twilio/recording-status\" recordingStatusCallbackEvent=\"completed absent\" />\
<Hangup /></Response>"
            )
        );
        let xml = ring_agents(&policy(false), &urls(), &[], "").unwrap();
        assert!(!xml.contains("<Record"));
    }

    #[test]
    fn after_dial_hangs_up_when_answered() {
        let answered = after_dial(&policy(true), &urls(), "completed").unwrap();
        assert_eq!(answered, format!("{DECL}<Response><Hangup /></Response>"));
        for status in ["no-answer", "busy", "failed", "canceled"] {
            let missed = after_dial(&policy(true), &urls(), status).unwrap();
            assert!(missed.contains("<Record "), "{status}");
            assert!(!missed.contains("Aguarde"), "no second greeting");
        }
    }
}
