//! Typed TwiML verbs and nouns, built from the element tree.

use super::TwimlError;
use super::tree::{Element, Node};

/// A parsed `<Response>` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twiml {
    /// The verbs, in execution order.
    pub verbs: Vec<Verb>,
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// `<Say>`: text-to-speech.
    Say(Say),
    /// `<Play>`: audio file or DTMF digits.
    Play(Play),
    /// `<Pause>`: silence.
    Pause(Pause),
    /// `<Hangup/>`: end the call.
    Hangup,
    /// `<Reject>`: refuse the call without answering it.
    Reject(Reject),
    /// `<Redirect>`: continue with the TwiML at another URL.
    Redirect(Redirect),
    /// `<Dial>`: connect the caller to other parties.
    Dial(Dial),
    /// `<Record>`: record the caller (voicemail).
    Record(Record),
    /// `<Gather>`: collect DTMF digits or speech.
    Gather(Gather),
    /// A verb the simulator does not execute (`Enqueue`, `Connect`, `Start`, ...): skipped.
    Other(Element),
}

impl Verb {
    /// The verb's TwiML tag name.
    pub fn name(&self) -> &str {
        match self {
            Self::Say(_) => "Say",
            Self::Play(_) => "Play",
            Self::Pause(_) => "Pause",
            Self::Hangup => "Hangup",
            Self::Reject(_) => "Reject",
            Self::Redirect(_) => "Redirect",
            Self::Dial(_) => "Dial",
            Self::Record(_) => "Record",
            Self::Gather(_) => "Gather",
            Self::Other(e) => &e.name,
        }
    }
}

/// HTTP method for a callback or action URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Parameters in the query string; only the URL is signed.
    Get,
    /// Parameters form-encoded in the body (Twilio's default).
    #[default]
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }

    /// Parses Twilio's method values (case-insensitive, as Twilio accepts them).
    pub fn parse(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("GET") {
            Some(Self::Get)
        } else if value.eq_ignore_ascii_case("POST") {
            Some(Self::Post)
        } else {
            None
        }
    }
}

/// `<Say>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    /// Text spoken (SSML children flattened to their text).
    pub text: String,
    /// `voice` attribute.
    pub voice: Option<String>,
    /// `language` attribute, e.g. `pt-BR`.
    pub language: Option<String>,
    /// `loop` attribute (1 by default, 0 means "until the call ends").
    pub loop_count: u32,
}

/// `<Play>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    /// Audio URL (empty when only `digits` is used).
    pub url: String,
    /// `loop` attribute.
    pub loop_count: u32,
    /// `digits` attribute: DTMF tones to play.
    pub digits: Option<String>,
}

/// `<Pause>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// Seconds of silence (default 1).
    pub length: u32,
}

/// `<Reject reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RejectReason {
    /// Not-in-service message; the call ends as `no-answer`.
    #[default]
    Rejected,
    /// Busy signal; the call ends as `busy`.
    Busy,
}

/// `<Reject>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject {
    /// Why the call is refused.
    pub reason: RejectReason,
}

/// `<Redirect>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// Target URL (may be relative to the current document).
    pub url: String,
    /// Request method.
    pub method: Method,
}

/// `<Dial record>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialRecord {
    /// No recording.
    #[default]
    DoNotRecord,
    /// Mono recording from the moment the called party answers (also `record="true"`).
    RecordFromAnswer,
    /// Mono recording from the moment the dial starts ringing.
    RecordFromRinging,
    /// Two-channel recording from answer.
    RecordFromAnswerDual,
    /// Two-channel recording from ringing.
    RecordFromRingingDual,
}

impl DialRecord {
    fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "do-not-record" | "false" => Self::DoNotRecord,
            "record-from-answer" | "true" => Self::RecordFromAnswer,
            "record-from-ringing" => Self::RecordFromRinging,
            "record-from-answer-dual" => Self::RecordFromAnswerDual,
            "record-from-ringing-dual" => Self::RecordFromRingingDual,
            _ => return None,
        })
    }

    /// Whether a recording is made at all.
    pub fn records(self) -> bool {
        self != Self::DoNotRecord
    }

    /// Number of channels of the recording (2 for the `-dual` variants).
    pub fn channels(self) -> u8 {
        match self {
            Self::RecordFromAnswerDual | Self::RecordFromRingingDual => 2,
            _ => 1,
        }
    }

    /// Whether recording starts when ringing starts rather than at answer.
    pub fn from_ringing(self) -> bool {
        matches!(self, Self::RecordFromRinging | Self::RecordFromRingingDual)
    }
}

/// An event of `statusCallbackEvent` on `<Number>`, `<Client>` and `<Sip>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallProgressEvent {
    /// The call was created.
    Initiated,
    /// The destination is ringing.
    Ringing,
    /// Answered (sent as `CallStatus=in-progress`).
    Answered,
    /// Ended, whatever the reason (sent with the terminal `CallStatus`).
    Completed,
}

impl CallProgressEvent {
    fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "initiated" => Self::Initiated,
            "ringing" => Self::Ringing,
            "answered" => Self::Answered,
            "completed" => Self::Completed,
            _ => return None,
        })
    }
}

/// An event of `recordingStatusCallbackEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordingEvent {
    /// Recording started.
    InProgress,
    /// Recording finished and its media is available.
    Completed,
    /// Nothing was recorded.
    Absent,
}

impl RecordingEvent {
    fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "in-progress" => Self::InProgress,
            "completed" => Self::Completed,
            "absent" => Self::Absent,
            _ => return None,
        })
    }
}

/// A dialable endpoint: `<Number>`, `<Client>` or `<Sip>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Phone number, client identity (without `client:`) or SIP URI.
    pub target: String,
    /// `url`: TwiML run on the called party before bridging (the simulator does not run it).
    pub url: Option<String>,
    /// `method` for `url`.
    pub method: Method,
    /// `statusCallback`.
    pub status_callback: Option<String>,
    /// `statusCallbackMethod`.
    pub status_callback_method: Method,
    /// `statusCallbackEvent` (Twilio's default: `completed` only).
    pub status_callback_events: Vec<CallProgressEvent>,
    /// `sendDigits`.
    pub send_digits: Option<String>,
    /// `<Parameter name value>` children of `<Client>`.
    pub parameters: Vec<(String, String)>,
}

/// `<Conference>` noun (the simulator only lets time pass in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conference {
    /// Conference room name.
    pub name: String,
    /// All attributes, unparsed.
    pub attrs: Vec<(String, String)>,
}

/// A noun inside `<Dial>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialNoun {
    /// `<Number>` (or text directly inside `<Dial>`).
    Number(Endpoint),
    /// `<Client>`: a Voice SDK identity.
    Client(Endpoint),
    /// `<Sip>`.
    Sip(Endpoint),
    /// `<Conference>`.
    Conference(Conference),
    /// `<Queue>`, `<Sim>`, `<Application>`...: not simulated.
    Other(Element),
}

/// `<Dial>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    /// `action` URL requested when the dial ends.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Method,
    /// `timeout`: seconds to wait for an answer (default 30).
    pub timeout: u32,
    /// `timeLimit`: maximum bridged seconds (default 14400).
    pub time_limit: u32,
    /// `callerId`.
    pub caller_id: Option<String>,
    /// `record`.
    pub record: DialRecord,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: Method,
    /// `recordingStatusCallbackEvent` (default `completed`).
    pub recording_status_callback_events: Vec<RecordingEvent>,
    /// `answerOnBridge`: the caller is answered only when a dialed party answers.
    pub answer_on_bridge: bool,
    /// `hangupOnStar`.
    pub hangup_on_star: bool,
    /// The parties dialed.
    pub nouns: Vec<DialNoun>,
}

/// `<Record>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `action` (Twilio requests the current document URL when absent).
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Method,
    /// `timeout`: seconds of silence that end the recording (default 5).
    pub timeout: u32,
    /// `finishOnKey` (default `1234567890*#`).
    pub finish_on_key: String,
    /// `maxLength` in seconds (default 3600).
    pub max_length: u32,
    /// `playBeep` (default true).
    pub play_beep: bool,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: Method,
    /// `recordingStatusCallbackEvent` (default `completed`).
    pub recording_status_callback_events: Vec<RecordingEvent>,
    /// `transcribe`.
    pub transcribe: bool,
}

/// `<Gather>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gather {
    /// `action` (Twilio requests the current document URL when absent).
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: Method,
    /// `timeout` in seconds (default 5).
    pub timeout: u32,
    /// `finishOnKey` (default `#`).
    pub finish_on_key: String,
    /// `numDigits`.
    pub num_digits: Option<u32>,
    /// `actionOnEmptyResult`.
    pub action_on_empty_result: bool,
    /// Nested `<Say>`, `<Play>` and `<Pause>` played while waiting.
    pub prompts: Vec<Verb>,
}

fn invalid(element: &Element, attribute: &str, value: &str) -> TwimlError {
    TwimlError::InvalidAttribute {
        element: element.name.clone(),
        attribute: attribute.to_owned(),
        value: value.to_owned(),
    }
}

fn uint(element: &Element, name: &str, default: u32) -> Result<u32, TwimlError> {
    match element.attr(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| invalid(element, name, v)),
    }
}

fn boolean(element: &Element, name: &str, default: bool) -> Result<bool, TwimlError> {
    match element.attr(name) {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(invalid(element, name, v)),
    }
}

fn method(element: &Element, name: &str) -> Result<Method, TwimlError> {
    match element.attr(name) {
        None | Some("") => Ok(Method::Post),
        Some(v) => Method::parse(v).ok_or_else(|| invalid(element, name, v)),
    }
}

fn url(element: &Element, name: &str) -> Option<String> {
    element
        .attr(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Splits a space-separated list attribute. Commas are accepted too, as Twilio does.
fn list<T>(
    element: &Element,
    name: &str,
    default: Vec<T>,
    parse: fn(&str) -> Option<T>,
) -> Result<Vec<T>, TwimlError> {
    let Some(raw) = element.attr(name) else {
        return Ok(default);
    };
    let mut out = Vec::new();
    for token in raw.split([' ', ',']).filter(|t| !t.is_empty()) {
        out.push(parse(token).ok_or_else(|| invalid(element, name, raw))?);
    }
    Ok(out)
}

fn all_text(element: &Element) -> String {
    // SSML children of <Say> (<break>, <prosody>...) contribute their text.
    let mut s = String::new();
    for child in &element.children {
        match child {
            Node::Text(t) => s.push_str(t),
            Node::Element(e) => s.push_str(&all_text(e)),
        }
    }
    s
}

fn endpoint(element: &Element) -> Result<Endpoint, TwimlError> {
    let mut target = element.text();
    let mut parameters = Vec::new();
    for child in element.elements() {
        match child.name.as_str() {
            "Identity" | "Uri" => target = child.text(),
            "Parameter" => {
                let name = child
                    .attr("name")
                    .ok_or_else(|| TwimlError::MissingContent("Parameter".to_owned()))?;
                parameters.push((
                    name.to_owned(),
                    child.attr("value").unwrap_or("").to_owned(),
                ));
            }
            _ => {}
        }
    }
    if target.is_empty() {
        return Err(TwimlError::MissingContent(element.name.clone()));
    }
    Ok(Endpoint {
        target,
        url: url(element, "url"),
        method: method(element, "method")?,
        status_callback: url(element, "statusCallback"),
        status_callback_method: method(element, "statusCallbackMethod")?,
        status_callback_events: list(
            element,
            "statusCallbackEvent",
            vec![CallProgressEvent::Completed],
            CallProgressEvent::parse,
        )?,
        send_digits: element.attr("sendDigits").map(str::to_owned),
        parameters,
    })
}

fn dial(element: &Element) -> Result<Dial, TwimlError> {
    let record = match element.attr("record") {
        None => DialRecord::DoNotRecord,
        Some(v) => DialRecord::parse(v).ok_or_else(|| invalid(element, "record", v))?,
    };
    let mut nouns = Vec::new();
    for child in element.elements() {
        nouns.push(match child.name.as_str() {
            "Number" => DialNoun::Number(endpoint(child)?),
            "Client" => DialNoun::Client(endpoint(child)?),
            "Sip" => DialNoun::Sip(endpoint(child)?),
            "Conference" => DialNoun::Conference(Conference {
                name: child.text(),
                attrs: child.attrs.clone(),
            }),
            _ => DialNoun::Other(child.clone()),
        });
    }
    let text = element.text();
    if nouns.is_empty() {
        if text.is_empty() {
            return Err(TwimlError::MissingContent("Dial".to_owned()));
        }
        // `<Dial>+5511...</Dial>` is shorthand for one <Number> with no callbacks.
        nouns.push(DialNoun::Number(Endpoint {
            target: text,
            url: None,
            method: Method::Post,
            status_callback: None,
            status_callback_method: Method::Post,
            status_callback_events: vec![CallProgressEvent::Completed],
            send_digits: None,
            parameters: Vec::new(),
        }));
    }
    Ok(Dial {
        action: url(element, "action"),
        method: method(element, "method")?,
        timeout: uint(element, "timeout", 30)?,
        time_limit: uint(element, "timeLimit", 14_400)?,
        caller_id: element.attr("callerId").map(str::to_owned),
        record,
        recording_status_callback: url(element, "recordingStatusCallback"),
        recording_status_callback_method: method(element, "recordingStatusCallbackMethod")?,
        recording_status_callback_events: list(
            element,
            "recordingStatusCallbackEvent",
            vec![RecordingEvent::Completed],
            RecordingEvent::parse,
        )?,
        answer_on_bridge: boolean(element, "answerOnBridge", false)?,
        hangup_on_star: boolean(element, "hangupOnStar", false)?,
        nouns,
    })
}

fn verb(element: &Element) -> Result<Verb, TwimlError> {
    Ok(match element.name.as_str() {
        "Say" => Verb::Say(Say {
            text: all_text(element).trim().to_owned(),
            voice: element.attr("voice").map(str::to_owned),
            language: element.attr("language").map(str::to_owned),
            loop_count: uint(element, "loop", 1)?,
        }),
        "Play" => Verb::Play(Play {
            url: element.text(),
            loop_count: uint(element, "loop", 1)?,
            digits: element.attr("digits").map(str::to_owned),
        }),
        "Pause" => Verb::Pause(Pause {
            length: uint(element, "length", 1)?,
        }),
        "Hangup" => Verb::Hangup,
        "Reject" => Verb::Reject(Reject {
            reason: match element.attr("reason") {
                None | Some("rejected") => RejectReason::Rejected,
                Some("busy") => RejectReason::Busy,
                Some(v) => return Err(invalid(element, "reason", v)),
            },
        }),
        "Redirect" => {
            let target = element.text();
            if target.is_empty() {
                return Err(TwimlError::MissingContent("Redirect".to_owned()));
            }
            Verb::Redirect(Redirect {
                url: target,
                method: method(element, "method")?,
            })
        }
        "Dial" => Verb::Dial(dial(element)?),
        "Record" => Verb::Record(Record {
            action: url(element, "action"),
            method: method(element, "method")?,
            timeout: uint(element, "timeout", 5)?,
            finish_on_key: element
                .attr("finishOnKey")
                .unwrap_or("1234567890*#")
                .to_owned(),
            max_length: uint(element, "maxLength", 3600)?,
            play_beep: boolean(element, "playBeep", true)?,
            recording_status_callback: url(element, "recordingStatusCallback"),
            recording_status_callback_method: method(element, "recordingStatusCallbackMethod")?,
            recording_status_callback_events: list(
                element,
                "recordingStatusCallbackEvent",
                vec![RecordingEvent::Completed],
                RecordingEvent::parse,
            )?,
            transcribe: boolean(element, "transcribe", false)?,
        }),
        "Gather" => {
            let mut prompts = Vec::new();
            for child in element.elements() {
                match child.name.as_str() {
                    "Say" | "Play" | "Pause" => prompts.push(verb(child)?),
                    other => {
                        return Err(invalid(element, "child", other));
                    }
                }
            }
            Verb::Gather(Gather {
                action: url(element, "action"),
                method: method(element, "method")?,
                timeout: uint(element, "timeout", 5)?,
                finish_on_key: element.attr("finishOnKey").unwrap_or("#").to_owned(),
                num_digits: match element.attr("numDigits") {
                    None => None,
                    Some(v) => Some(
                        v.trim()
                            .parse()
                            .map_err(|_| invalid(element, "numDigits", v))?,
                    ),
                },
                action_on_empty_result: boolean(element, "actionOnEmptyResult", false)?,
                prompts,
            })
        }
        _ => Verb::Other(element.clone()),
    })
}

pub(super) fn from_root(root: Element) -> Result<Twiml, TwimlError> {
    if root.name != "Response" {
        return Err(TwimlError::NotResponse(root.name));
    }
    let verbs = root.elements().map(verb).collect::<Result<Vec<_>, _>>()?;
    Ok(Twiml { verbs })
}
