//! Every document of `tests/fixtures/` rebuilt with the typed API and compared with what Twilio's
//! own helper libraries rendered (regenerate with `tools/reference/twiml_fixtures.py`).
//!
//! - `python.json` (twilio-python 9.13, the reference): byte-for-byte equality.
//! - `node.json` (twilio-node 6.3): equality of the parsed trees (names, attribute maps, text).
//!   Bytes cannot match: twilio-node keeps attributes in insertion order instead of sorting them,
//!   writes `<Hangup/>` without the space, leaves `>` unescaped in attributes, and writes `\r`,
//!   `\n`, `\t` as hexadecimal references (`&#xD;`, and `&#xD;` in text too). A conforming parser
//!   reads both the same way, which is what Twilio does.
//!
//! Each case is a named function below; a fixture without a case (or a case without a fixture)
//! fails `every_fixture_has_a_rust_case`.

mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use support::xml::{Child, Node, parse};
use twiml_builder::*;

const CALLER_ID: &str = "+553123916801";
const PHONE: &str = "+5531999999999";
const BASE: &str = "https://seu-dominio.com/api/twilio";
const RECORDING_STATUS: &str = "https://seu-dominio.com/api/twilio/recording-status";
const CALL_STATUS: &str = "https://seu-dominio.com/api/twilio/call-status";
const PT_BR: &str = "Olá, ligação não atendida — ação";
const SPECIALS: &str = "& < > \" ' \n \r \t end";
const ALL_CALL_EVENTS: [CallProgressEvent; 4] = [
    CallProgressEvent::Initiated,
    CallProgressEvent::Ringing,
    CallProgressEvent::Answered,
    CallProgressEvent::Completed,
];
const ALL_RECORDING_EVENTS: [RecordingEvent; 3] = [
    RecordingEvent::InProgress,
    RecordingEvent::Completed,
    RecordingEvent::Absent,
];

fn load(file: &str) -> BTreeMap<String, String> {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    json["documents"]
        .as_object()
        .unwrap_or_else(|| panic!("{path}: no `documents` object"))
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("documents are strings").to_owned(),
            )
        })
        .collect()
}

fn python() -> &'static BTreeMap<String, String> {
    static DOCS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    DOCS.get_or_init(|| load("python.json"))
}

fn node() -> &'static BTreeMap<String, String> {
    static DOCS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    DOCS.get_or_init(|| load("node.json"))
}

fn render(name: &str) -> String {
    let case = CASES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .1;
    case().to_xml().unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_python(name: &str) {
    let expected = python()
        .get(name)
        .unwrap_or_else(|| panic!("python.json has no {name}"));
    let actual = render(name);
    assert!(
        actual == *expected,
        "{name} differs from twilio-python\n python: {expected}\n   rust: {actual}"
    );
}

/// Text as a processor reports it (EOL-normalised), attributes as unordered maps.
fn canonical(node: &Node) -> String {
    let mut out = format!("<{} {:?}>", node.name, node.attr_map());
    for child in &node.children {
        match child {
            Child::Element(e) => out.push_str(&canonical(e)),
            Child::Text(t) => out.push_str(&format!("{:?}", support::xml::normalize_eol(t))),
        }
    }
    out + "</>"
}

fn assert_node(name: &str) {
    let expected = node()
        .get(name)
        .unwrap_or_else(|| panic!("node.json has no {name}"));
    let actual = render(name);
    let (expected_tree, actual_tree) = (
        parse(expected).expect("node XML parses"),
        parse(&actual).expect("our XML parses"),
    );
    assert_eq!(
        canonical(&actual_tree),
        canonical(&expected_tree),
        "{name} differs from twilio-node\n node: {expected}\n rust: {actual}"
    );
}

macro_rules! cases {
    ($($name:ident => $body:expr;)+) => {
        /// (fixture name, builder) for every case.
        const CASES: &[(&str, fn() -> VoiceResponse<'static>)] = &[$((stringify!($name), || $body)),+];

        mod python_bytes {
            $( #[test] fn $name() { super::assert_python(stringify!($name)); } )+
        }

        mod node_tree {
            $( #[test] fn $name() { super::assert_node(stringify!($name)); } )+
        }
    };
}

#[test]
fn every_fixture_has_a_rust_case() {
    let cases: std::collections::BTreeSet<&str> = CASES.iter().map(|(n, _)| *n).collect();
    for (file, docs) in [("python.json", python()), ("node.json", node())] {
        let fixtures: std::collections::BTreeSet<&str> = docs.keys().map(String::as_str).collect();
        let missing: Vec<_> = fixtures.difference(&cases).collect();
        let extra: Vec<_> = cases.difference(&fixtures).collect();
        assert!(
            missing.is_empty(),
            "{file} documents without a Rust case: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "Rust cases without a {file} document: {extra:?}"
        );
    }
    assert!(CASES.len() >= 50, "only {} cases", CASES.len());
}

fn ssml_everything() -> Say<'static> {
    Say::new("Início ")
        .break_(SsmlBreak::new().strength(BreakStrength::XStrong).time("1s"))
        .text(" depois da pausa ")
        .emphasis(SsmlEmphasis::new("muito").level(EmphasisLevel::Strong))
        .lang(SsmlLang::new("bonjour").xml_lang("fr-FR"))
        .p(SsmlP::new("Um parágrafo."))
        .phoneme(
            SsmlPhoneme::new("tomato")
                .alphabet(PhonemeAlphabet::Ipa)
                .ph("təˈmeɪtoʊ"),
        )
        .prosody(
            SsmlProsody::new("devagar")
                .volume("x-loud")
                .rate("x-slow")
                .pitch("+10%"),
        )
        .s(SsmlS::new("Uma frase."))
        .say_as(
            SsmlSayAs::new("12/25/2024")
                .interpret_as(InterpretAs::Date)
                .format(SayAsFormat::Mdy),
        )
        .sub(SsmlSub::new("W3C").alias("World Wide Web Consortium"))
        .w(SsmlW::new("read").role("amazon:VBD"))
        .text(" fim.")
        .voice("Polly.Camila")
        .language("pt-BR")
        .loop_(2)
}

/// The leaf SSML elements, in the order the nested case uses them; `$parent` gets each.
macro_rules! ssml_leaves {
    ($parent:expr) => {
        $parent
            .break_(SsmlBreak::new().time("200ms"))
            .emphasis(SsmlEmphasis::new("a").level(EmphasisLevel::Moderate))
            .phoneme(SsmlPhoneme::new("b").ph("bi"))
            .prosody(SsmlProsody::new("c").rate("fast"))
            .say_as(SsmlSayAs::new("d").interpret_as(InterpretAs::Characters))
            .sub(SsmlSub::new("e").alias("ee"))
    };
}

fn ssml_nested() -> Say<'static> {
    Say::empty()
        .prosody(
            ssml_leaves!(SsmlProsody::empty())
                .lang(SsmlLang::new("x").xml_lang("en-US"))
                .p(SsmlP::new("p"))
                .s(SsmlS::new("s"))
                .w(SsmlW::new("w"))
                .pitch("low"),
        )
        .lang(
            ssml_leaves!(SsmlLang::empty())
                .lang(SsmlLang::new("y").xml_lang("es-ES"))
                .p(SsmlP::new("p"))
                .s(SsmlS::new("s"))
                .w(SsmlW::new("w"))
                .xml_lang("en-GB"),
        )
        .p(ssml_leaves!(SsmlP::empty())
            .lang(SsmlLang::new("z").xml_lang("it-IT"))
            .s(SsmlS::new("s"))
            .w(SsmlW::new("w")))
        .s(ssml_leaves!(SsmlS::empty())
            .lang(SsmlLang::new("k").xml_lang("de-DE"))
            .w(SsmlW::new("w")))
        .emphasis(
            ssml_leaves!(SsmlEmphasis::empty())
                .lang(SsmlLang::new("q").xml_lang("ja-JP"))
                .w(SsmlW::new("w"))
                .level(EmphasisLevel::Reduced),
        )
        .w(ssml_leaves!(SsmlW::empty()).role("amazon:NN"))
}

/// `<Say>` holding one element per value of an SSML enum.
fn say_each<T: Copy>(values: &[T], element: impl Fn(T) -> Element<'static>) -> Say<'static> {
    values
        .iter()
        .fold(Say::empty(), |say, v| say.child(element(*v)))
}

cases! {
    seed_outbound_to_phone => VoiceResponse::new().dial(
        Dial::new()
            .caller_id(CALLER_ID)
            .record(DialRecord::RecordFromAnswer)
            .recording_status_callback(RECORDING_STATUS)
            .number(Number::new(PHONE).status_callback(CALL_STATUS).status_callback_event(ALL_CALL_EVENTS)),
    );
    seed_outbound_to_client => VoiceResponse::new().dial(Dial::new().client(Client::new("user_2_Maria")));
    seed_outbound_no_destination =>
        VoiceResponse::new().say(Say::new("Nenhum destino informado.").language("pt-BR"));
    seed_inbound => VoiceResponse::new()
        .say(Say::new("Aguarde enquanto conectamos sua ligação.").language("pt-BR"))
        .dial(
            Dial::new()
                .record(DialRecord::RecordFromAnswer)
                .recording_status_callback(RECORDING_STATUS)
                .timeout(30)
                .client(Client::new("user_1_Alefe_Lins")),
        )
        .say(Say::new("Desculpe, ninguém está disponível no momento.").language("pt-BR"));
    empty_response => VoiceResponse::new();
    hangup => VoiceResponse::new().hangup(Hangup::new());
    hangup_with_parameter =>
        VoiceResponse::new().hangup(Hangup::new().parameter(Parameter::new("reason", "done")));
    reject_reasons => VoiceResponse::new()
        .reject(Reject::new())
        .reject(Reject::new().reason(RejectReason::Rejected))
        .reject(Reject::new().reason(RejectReason::Busy))
        .reject(Reject::new().parameter(Parameter::new("k", "v")).reason(RejectReason::Busy));
    redirect_methods => VoiceResponse::new()
        .redirect(Redirect::new(format!("{BASE}/next")))
        .redirect(Redirect::new(format!("{BASE}/next?a=1&b=2")).method(Method::Get))
        .redirect(Redirect::new(format!("{BASE}/next")).method(Method::Post));
    leave_and_echo => VoiceResponse::new().leave(Leave::new()).echo(Echo::new());
    pause_lengths =>
        VoiceResponse::new().pause(Pause::new()).pause(Pause::new().length(0)).pause(Pause::new().length(5));
    play_variants => VoiceResponse::new()
        .play(Play::new("https://example.com/music.mp3"))
        .play(Play::new("https://example.com/music.mp3").loop_(0))
        .play(Play::empty().digits("ww1234#"))
        .play(Play::new("https://example.com/a.wav?x=1&y=2").loop_(3).digits("9"));
    say_attributes => VoiceResponse::new()
        .say(Say::new("Hello").voice("alice").loop_(3).language("en-US"))
        .say(Say::new("Olá").voice("Google.pt-BR-Standard-A").language("pt-BR").loop_(0));
    say_pt_br_non_ascii =>
        VoiceResponse::new().say(Say::new(PT_BR).voice("Polly.Camila").language("pt-BR"));
    say_empty_text => VoiceResponse::new().say(Say::new("")).say(Say::new("0"));
    unicode_everywhere => VoiceResponse::new()
        .say(
            Say::new("日本語 Ελληνικά עברית 😀 e\u{301} \u{a0}nbsp \u{2028} \u{7f}\u{85}")
                .voice("Polly.Mizuki"),
        )
        .dial(Dial::new().conference(Conference::new("Sala de reunião ção 🎧").participant_label("Zoë 😀")))
        .play(Play::new("https://example.com/ç/ã.mp3"));
    escaping_text => VoiceResponse::new()
        .say(Say::new(SPECIALS))
        .dial(Dial::new().number(Number::new("+1 & <2> \"3\" '4'")))
        .redirect(Redirect::new("https://x.test/a?b=1&c=<2>"));
    escaping_attributes => VoiceResponse::new()
        .say(Say::new("x").voice(SPECIALS).language("a\r\nb\n\nc\t\td"))
        .dial(
            Dial::new()
                .client(Client::empty().identity(Identity::new("id")).parameter(Parameter::new(SPECIALS, SPECIALS)))
                .caller_id("\"quoted\" & 'single'"),
        );
    escaping_entities_look_alike => VoiceResponse::new()
        .say(Say::new("&amp; &lt; &#10; &#x41; ]]> <![CDATA[x]]>").voice("&quot;&amp;"));
    ssml_every_element => VoiceResponse::new().say(ssml_everything());
    ssml_nested_containers => VoiceResponse::new().say(ssml_nested());
    ssml_enum_values => VoiceResponse::new()
        .say(say_each(BreakStrength::ALL, |v| SsmlBreak::new().strength(v).into()))
        .say(say_each(EmphasisLevel::ALL, |v| SsmlEmphasis::new("e").level(v).into()))
        .say(say_each(PhonemeAlphabet::ALL, |v| SsmlPhoneme::new("p").alphabet(v).into()))
        .say(say_each(InterpretAs::ALL, |v| SsmlSayAs::new("s").interpret_as(v).into()))
        .say(say_each(SayAsFormat::ALL, |v| {
            SsmlSayAs::new("s").interpret_as(InterpretAs::Date).format(v).into()
        }));
    gather_nested_say_play_pause => VoiceResponse::new()
        .gather(
            Gather::new()
                .say(Say::new("Digite o número do pedido.").language("pt-BR"))
                .pause(Pause::new().length(1))
                .play(Play::new("https://example.com/beep.mp3"))
                .say(Say::new("Ou fale.").voice("Polly.Camila"))
                .action(format!("{BASE}/gather"))
                .method(Method::Post)
                .num_digits(6)
                .finish_on_key("#")
                .timeout(10),
        )
        .say(Say::new("Não recebemos nada."));
    gather_every_attribute => VoiceResponse::new().gather(
        Gather::new()
            .input([GatherInput::Dtmf, GatherInput::Speech])
            .action("/g")
            .method(Method::Get)
            .timeout(0)
            .speech_timeout(SpeechTimeout::Auto)
            .max_speech_time(60)
            .profanity_filter(false)
            .finish_on_key("")
            .num_digits(1)
            .partial_result_callback("/partial")
            .partial_result_callback_method(Method::Post)
            .language("pt-BR")
            .hints("boleto, segunda via, $OOV_CLASS_DIGIT_SEQUENCE")
            .barge_in(true)
            .debug(false)
            .action_on_empty_result(true)
            .speech_model("phone_call")
            .enhanced(true),
    );
    gather_inputs_and_speech_timeout => VoiceResponse::new()
        .gather(Gather::new().input([GatherInput::Dtmf]))
        .gather(Gather::new().input([GatherInput::Speech]).speech_timeout(SpeechTimeout::Seconds(3)))
        .gather(
            Gather::new()
                .input([GatherInput::Speech, GatherInput::Dtmf])
                .speech_timeout(SpeechTimeout::Seconds(0)),
        );
    record_every_attribute => VoiceResponse::new()
        .record(
            Record::new()
                .action("/recorded")
                .method(Method::Post)
                .timeout(5)
                .finish_on_key("*#")
                .max_length(3600)
                .play_beep(false)
                .trim(Trim::DoNotTrim)
                .recording_status_callback(RECORDING_STATUS)
                .recording_status_callback_method(Method::Get)
                .recording_status_callback_event(ALL_RECORDING_EVENTS)
                .transcribe(true)
                .transcribe_callback("/transcribed")
                .recording_configuration_id("JY123"),
        )
        .record(Record::new().trim(Trim::TrimSilence));
    dial_every_attribute => VoiceResponse::new().dial(
        Dial::new()
            .number(Number::new(PHONE))
            .action("/dial-done")
            .method(Method::Get)
            .timeout(25)
            .hangup_on_star(true)
            .time_limit(14400)
            .caller_id(CALLER_ID)
            .record(DialRecord::RecordFromRingingDual)
            .trim(Trim::TrimSilence)
            .recording_status_callback(RECORDING_STATUS)
            .recording_configuration_id("JY456")
            .recording_status_callback_method(Method::Post)
            .recording_status_callback_event([RecordingEvent::InProgress, RecordingEvent::Completed])
            .answer_on_bridge(true)
            .ring_tone(RingTone::Br)
            .recording_track(RecordingTrack::Inbound)
            .sequential(false)
            .refer_url("/refer")
            .refer_method(Method::Post)
            .events(DialEvents::CallProgressEvent)
            .passports("eyJhbGciOi,eyJzaGFrZW4"),
    );
    dial_record_values => DialRecord::ALL
        .iter()
        .fold(VoiceResponse::new(), |r, v| r.dial(Dial::to(PHONE).record(*v)));
    dial_ring_tones => RingTone::ALL
        .iter()
        .fold(VoiceResponse::new(), |r, v| r.dial(Dial::to(PHONE).ring_tone(*v)));
    dial_recording_tracks_and_trims => {
        let r = RecordingTrack::ALL.iter().fold(VoiceResponse::new(), |r, v| r.dial(Dial::to(PHONE).recording_track(*v)));
        Trim::ALL.iter().fold(r, |r, v| r.dial(Dial::to(PHONE).trim(*v)))
    };
    dial_text_number => VoiceResponse::new().dial(Dial::to(PHONE).timeout(20));
    dial_sequential_numbers => VoiceResponse::new().dial(
        Dial::new()
            .number(Number::new("+5531911111111").send_digits("ww123"))
            .number(Number::new("+5531922222222").status_callback_event([CallProgressEvent::Answered]))
            .number(Number::new("+5531933333333").status_callback_event::<[CallProgressEvent; 0]>([]))
            .sequential(true),
    );
    number_every_attribute => VoiceResponse::new().dial(
        Dial::new()
            .number(
                Number::new(PHONE)
                    .send_digits("wwww1928")
                    .url("/whisper")
                    .method(Method::Get)
                    .status_callback_event(ALL_CALL_EVENTS)
                    .status_callback(CALL_STATUS)
                    .status_callback_method(Method::Post)
                    .byoc("BY0123456789abcdef0123456789abcdef")
                    .machine_detection(MachineDetection::DetectMessageEnd)
                    .amd_status_callback_method(Method::Get)
                    .amd_status_callback("/amd")
                    .machine_detection_timeout(30)
                    .machine_detection_speech_threshold(2400)
                    .machine_detection_speech_end_threshold(1200)
                    .machine_detection_silence_timeout(5000),
            )
            .number(Number::new("+15005550006").machine_detection(MachineDetection::Enable)),
    );
    client_identity_parameters => VoiceResponse::new().dial(
        Dial::new()
            .client(
                Client::empty()
                    .identity(Identity::new("user_1_Alefe_Lins"))
                    .parameter(Parameter::new("FirstName", "Álefe"))
                    .parameter(Parameter::new("Ticket", "#42 & <urgent>"))
                    .url("/client-whisper")
                    .method(Method::Post)
                    .status_callback_event([CallProgressEvent::Initiated, CallProgressEvent::Completed])
                    .status_callback(CALL_STATUS)
                    .status_callback_method(Method::Get),
            )
            .client(Client::new("user_2_Maria").status_callback_event(ALL_CALL_EVENTS)),
    );
    conference_every_attribute => VoiceResponse::new().dial(
        Dial::new().conference(
            Conference::new("Sala 1")
                .muted(false)
                .beep(ConferenceBeep::OnEnter)
                .start_conference_on_enter(true)
                .end_conference_on_exit(false)
                .wait_url("http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical")
                .wait_method(Method::Get)
                .max_participants(10)
                .record(ConferenceRecord::RecordFromStart)
                .recording_configuration_id("JY789")
                .region(ConferenceRegion::Br1)
                .coach("CA0123456789abcdef0123456789abcdef")
                .trim(Trim::DoNotTrim)
                .status_callback_event(ConferenceEvent::ALL.iter().copied())
                .status_callback("/conf-status")
                .status_callback_method(Method::Post)
                .recording_status_callback(RECORDING_STATUS)
                .recording_status_callback_method(Method::Get)
                .recording_status_callback_event(ALL_RECORDING_EVENTS)
                .event_callback_url("/conf-events")
                .jitter_buffer_size(JitterBufferSize::Small)
                .participant_label("agente-1"),
        ),
    );
    conference_enum_values => {
        let conf = |c: Conference<'static>| Dial::new().conference(c);
        let r = ConferenceBeep::ALL.iter().fold(VoiceResponse::new(), |r, v| r.dial(conf(Conference::new("c").beep(*v))));
        let r = JitterBufferSize::ALL.iter().fold(r, |r, v| r.dial(conf(Conference::new("c").jitter_buffer_size(*v))));
        let r = ConferenceRegion::ALL.iter().fold(r, |r, v| r.dial(conf(Conference::new("c").region(*v))));
        ConferenceRecord::ALL.iter().fold(r, |r, v| r.dial(conf(Conference::new("c").record(*v))))
    };
    queue_in_dial => VoiceResponse::new().dial(
        Dial::new().queue(
            Queue::new("suporte")
                .url("/about-to-connect")
                .method(Method::Get)
                .reservation_sid("WR123")
                .post_work_activity_sid("WA456"),
        ),
    );
    queue_top_level => VoiceResponse::new().queue(Queue::new("fila").url("/q"));
    sip_every_attribute => VoiceResponse::new().dial(
        Dial::new().sip(
            Sip::new("sip:agent@example.com;transport=tls?X-Ticket=1&X-Other=2")
                .username("admin")
                .password("p@ss\"word")
                .url("/sip-whisper")
                .method(Method::Post)
                .status_callback_event(ALL_CALL_EVENTS)
                .status_callback(CALL_STATUS)
                .status_callback_method(Method::Get)
                .machine_detection(MachineDetection::Enable)
                .amd_status_callback_method(Method::Post)
                .amd_status_callback("/amd")
                .machine_detection_timeout(10)
                .machine_detection_speech_threshold(1000)
                .machine_detection_speech_end_threshold(500)
                .machine_detection_silence_timeout(3000),
        ),
    );
    sip_uris_and_headers => VoiceResponse::new().dial(
        Dial::new().sip(
            Sip::empty()
                .uri(SipUri::new("sip:a@example.com").priority(1).weight(10).username("u").password("p"))
                .uri(SipUri::new("sip:b@example.com").priority(2))
                .headers(
                    Headers::new()
                        .header(Header::new("X-Ticket", "42"))
                        .header(Header::new("X-Name", "Olá & <bem-vindo>")),
                ),
        ),
    );
    sim => VoiceResponse::new().dial(Dial::new().sim(Sim::new("DE8caa2afb9d5279926619c458dc7098a8")));
    application_sid_and_parameters => VoiceResponse::new()
        .dial(
            Dial::new().application(
                Application::empty()
                    .application_sid(ApplicationSid::new("AP0123456789abcdef0123456789abcdef"))
                    .parameter(Parameter::new("AccountNumber", "12345"))
                    .url("/app")
                    .method(Method::Get)
                    .status_callback_event(ALL_CALL_EVENTS)
                    .status_callback(CALL_STATUS)
                    .status_callback_method(Method::Post)
                    .customer_id("customer-1")
                    .copy_parent_to(true),
            ),
        )
        .dial(Dial::new().application(Application::new("AP0123456789abcdef0123456789abcdef").copy_parent_to(false)));
    whatsapp => VoiceResponse::new().dial(
        Dial::new().whats_app(
            WhatsApp::new("+5531988887777")
                .url("/wa")
                .method(Method::Post)
                .status_callback_event([CallProgressEvent::Ringing, CallProgressEvent::Answered])
                .status_callback(CALL_STATUS)
                .status_callback_method(Method::Get),
        ),
    );
    enqueue_with_task => VoiceResponse::new().enqueue(
        Enqueue::empty()
            .task(Task::new(r#"{"selected_language": "pt-BR", "prioridade": "alta"}"#).priority(5).timeout(200))
            .workflow_sid("WW0123456789abcdef0123456789abcdef"),
    );
    enqueue_every_attribute => VoiceResponse::new().enqueue(
        Enqueue::new("suporte")
            .action("/left-queue")
            .max_queue_size(50)
            .method(Method::Get)
            .wait_url("/wait-music")
            .wait_url_method(Method::Post),
    );
    start_stream_with_parameters => VoiceResponse::new()
        .start(
            Start::new()
                .stream(
                    Stream::new()
                        .parameter(Parameter::new("agent", "user_1"))
                        .parameter(Parameter::new("lang", "pt-BR"))
                        .name("fluxo-1")
                        .connector_name("conn")
                        .url("wss://example.com/audio")
                        .track(StreamTrack::BothTracks)
                        .status_callback("/stream-status")
                        .status_callback_method(Method::Get)
                        .audio_format("audio/x-mulaw")
                        .sample_rate("8000"),
                )
                .action("/started")
                .method(Method::Post),
        )
        .say(Say::new("O fluxo começou."));
    start_siprec_transcription_recording => VoiceResponse::new().start(
        Start::new()
            .siprec(
                Siprec::new()
                    .parameter(Parameter::new("customer", "42"))
                    .name("rec-1")
                    .connector_name("SiprecConnector")
                    .track(StreamTrack::InboundTrack)
                    .status_callback("/siprec")
                    .status_callback_method(Method::Post),
            )
            .transcription(
                Transcription::new()
                    .config(Config::new("model", "long"))
                    .parameter(Parameter::new("agent", "Álefe"))
                    .name("tr-1")
                    .track(StreamTrack::OutboundTrack)
                    .status_callback_url("/transcription")
                    .status_callback_method(Method::Get)
                    .inbound_track_label("cliente")
                    .outbound_track_label("agente")
                    .partial_results(true)
                    .language_code("pt-BR")
                    .transcription_engine("google")
                    .profanity_filter(false)
                    .speech_model("telephony")
                    .hints("boleto, pix")
                    .enable_automatic_punctuation(true)
                    .intelligence_service("GA0123"),
            )
            .recording(
                Recording::new()
                    .recording_status_callback(RECORDING_STATUS)
                    .recording_status_callback_method(Method::Post)
                    .recording_status_callback_event(ALL_RECORDING_EVENTS)
                    .trim(Trim::TrimSilence)
                    .track(RecordingTrack::Both)
                    .channels(RecordingChannels::Dual)
                    .recording_configuration_id("JY000"),
            )
            .recording(Recording::new().track(RecordingTrack::Inbound).channels(RecordingChannels::Mono))
            .recording(Recording::new().track(RecordingTrack::Outbound)),
    );
    stop_everything => VoiceResponse::new().stop(
        Stop::new()
            .stream(Stream::new().name("fluxo-1"))
            .siprec(Siprec::new().name("rec-1"))
            .transcription(Transcription::new().name("tr-1")),
    );
    connect_stream_and_room => VoiceResponse::new()
        .connect(
            Connect::new()
                .stream(Stream::new().parameter(Parameter::new("x", "1")).url("wss://example.com/bi"))
                .action("/after")
                .method(Method::Get),
        )
        .connect(Connect::new().room(Room::new("sala-de-video").participant_identity("alice")));
    connect_autopilot_and_ai => VoiceResponse::new()
        .connect(Connect::new().autopilot(Autopilot::new("UA0123456789abcdef")))
        .connect(Connect::new().ai_session(AiSession::new().ai_connector("connector-1").ai_session_configuration("cfg-1")))
        .connect(Connect::new().conversation_relay_session(
            ConversationRelaySession::new().connector("crs-1").session_configuration("cfg-2"),
        ));
    connect_virtual_agent => VoiceResponse::new().connect(
        Connect::new()
            .virtual_agent(
                VirtualAgent::new()
                    .config(Config::new("language", "pt-br"))
                    .parameter(Parameter::new("customer_name", "Maria"))
                    .connector_name("dialogflow-cx")
                    .language("pt-BR")
                    .sentiment_analysis(true)
                    .status_callback("/va-status")
                    .status_callback_method(Method::Post),
            )
            .action("/va-done"),
    );
    connect_conversation => VoiceResponse::new()
        .connect(
            Connect::new().conversation(
                Conversation::new()
                    .service_instance_sid("IS0123456789abcdef0123456789abcdef")
                    .inbound_autocreation(true)
                    .routing_assignment_timeout(30)
                    .inbound_timeout(60)
                    .url("/conv")
                    .method(Method::Get)
                    .record(ConversationRecord::RecordFromAnswerDual)
                    .trim(Trim::DoNotTrim)
                    .recording_status_callback(RECORDING_STATUS)
                    .recording_status_callback_method(Method::Post)
                    .recording_status_callback_event([RecordingEvent::Completed])
                    .status_callback("/conv-status")
                    .status_callback_method(Method::Get)
                    .status_callback_event(ConversationEvent::ALL.iter().copied()),
            ),
        )
        .connect(Connect::new().conversation(Conversation::new().record(ConversationRecord::True)));
    connect_conversation_relay => VoiceResponse::new().connect(
        Connect::new()
            .conversation_relay(
                ConversationRelay::new()
                    .language_setting(
                        Language::new()
                            .code("pt-BR")
                            .tts_provider("Google")
                            .voice("pt-BR-Chirp3-HD-Aoede")
                            .transcription_provider("Deepgram")
                            .speech_model("nova-3-general")
                            .hints("boleto, pix")
                            .asr_smart_format(true)
                            .tts_text_normalization(TextNormalization::On)
                            .tts_language_text_normalization(false),
                    )
                    .language_setting(Language::new().code("en-US").tts_provider("ElevenLabs"))
                    .parameter(Parameter::new("caller", "+5531999999999"))
                    .url("wss://example.com/relay")
                    .language("pt-BR")
                    .tts_language("pt-BR")
                    .transcription_language("pt-BR")
                    .tts_provider("Google")
                    .voice("pt-BR-Standard-A")
                    .transcription_provider("Google")
                    .speech_model("telephony")
                    .profanity_filter(true)
                    .dtmf_detection(true)
                    .welcome_greeting("Olá! Como posso ajudar?")
                    .partial_prompts(false)
                    .welcome_greeting_interruptible(Interruptible::Speech)
                    .interruptible(Interruptible::Any)
                    .preemptible(true)
                    .hints("segunda via")
                    .intelligence_service("GA123")
                    .report_input_during_agent_speech(false)
                    .elevenlabs_text_normalization(TextNormalization::Auto)
                    .interrupt_sensitivity(InterruptSensitivity::High)
                    .debug("debugging speaker-events tokens-played")
                    .background_noise_reduction(true)
                    .speech_timeout("800")
                    .deepgram_smart_format(false)
                    .ignore_backchannel(true)
                    .events("agent-speech")
                    .partial_prompt_on_hangup(true)
                    .eager_eot_threshold("0.5")
                    .asr_smart_format(true)
                    .tts_text_normalization(TextNormalization::Off)
                    .tts_language_text_normalization(true)
                    .elevenlabs_language_text_normalization(false)
                    .include_in_prompt("turn-state")
                    .customer_name("Maria")
                    .application_reconnect(true)
                    .echo_prompt_filtering(true)
                    .turn_detection(false),
            )
            .action("/relay-done")
            .method(Method::Post),
    );
    conversation_relay_enum_values => {
        let relay = |c: ConversationRelay<'static>| Connect::new().conversation_relay(c.url("wss://x"));
        let r = Interruptible::ALL.iter().fold(VoiceResponse::new(), |r, v| {
            r.connect(relay(ConversationRelay::new().interruptible(*v).welcome_greeting_interruptible(*v)))
        });
        InterruptSensitivity::ALL.iter().zip(TextNormalization::ALL).fold(r, |r, (s, t)| {
            r.connect(relay(ConversationRelay::new().interrupt_sensitivity(*s).tts_text_normalization(*t)))
        })
    };
    pay_every_attribute => VoiceResponse::new().pay(
        Pay::new()
            .prompt(
                Prompt::new()
                    .say(Say::new("Digite o número do cartão.").language("pt-BR"))
                    .pause(Pause::new().length(1))
                    .play(Play::new("https://example.com/card.mp3"))
                    .for_(PromptFor::PaymentCardNumber)
                    .error_type([PromptErrorType::Timeout, PromptErrorType::InvalidCardNumber])
                    .card_type([CardType::Visa, CardType::Amex])
                    .attempt([1, 2])
                    .require_matching_inputs(true),
            )
            .parameter(Parameter::new("invoice", "INV-1"))
            .input(PayInput::Dtmf)
            .action("/paid")
            .status_callback("/pay-status")
            .status_callback_method(Method::Get)
            .timeout(5)
            .max_attempts(3)
            .security_code(true)
            .postal_code(false)
            .min_postal_code_length(5)
            .payment_connector("Default_Stripe")
            .payment_method(PaymentMethod::CreditCard)
            .token_type(TokenType::Reusable)
            .charge_amount("10.50")
            .currency("brl")
            .description("Pedido #42 — ação")
            .valid_card_types(CardType::ALL.iter().copied())
            .language("en-US"),
    );
    pay_ach_and_postal_code_default => {
        let r = VoiceResponse::new().pay(
            Pay::new()
                .payment_method(PaymentMethod::AchDebit)
                .bank_account_type(BankAccountType::ConsumerChecking)
                .token_type(TokenType::OneTime)
                .postal_code_default("94105"),
        );
        BankAccountType::ALL[1..]
            .iter()
            .fold(r, |r, v| r.pay(Pay::new().bank_account_type(*v)))
            .pay(Pay::new().token_type(TokenType::PaymentMethod).postal_code(true))
    };
    prompt_enum_values => VoiceResponse::new()
        .pay(PromptFor::ALL.iter().fold(Pay::new(), |p, v| p.prompt(Prompt::new().for_(*v))))
        .pay(Pay::new().prompt(Prompt::new().error_type(PromptErrorType::ALL.iter().copied()).attempt([3])));
    prompt_top_level =>
        VoiceResponse::new().prompt(Prompt::new().say(Say::new("Olá")).for_(PromptFor::ExpirationDate));
    refer_sip => VoiceResponse::new().refer(
        Refer::new()
            .sip(ReferSip::new("sip:transfer@example.com?X-Reason=busy"))
            .action("/referred")
            .method(Method::Get),
    );
    sms => VoiceResponse::new().sms(
        Sms::new(PT_BR)
            .to("+5531988887777")
            .from(CALLER_ID)
            .action("/sms-done")
            .method(Method::Post)
            .status_callback("/sms-status"),
    );
    methods_everywhere => VoiceResponse::new()
        .dial(
            Dial::new()
                .number(
                    Number::new(PHONE)
                        .method(Method::Post)
                        .status_callback_method(Method::Get)
                        .amd_status_callback_method(Method::Post),
                )
                .method(Method::Get)
                .recording_status_callback_method(Method::Post)
                .refer_method(Method::Get),
        )
        .enqueue(Enqueue::new("q").method(Method::Post).wait_url_method(Method::Get));
    booleans_and_zeros => VoiceResponse::new()
        .dial(Dial::to(PHONE).hangup_on_star(false).answer_on_bridge(false).timeout(0).time_limit(0))
        .record(Record::new().play_beep(true).transcribe(false).max_length(0))
        .gather(Gather::new().barge_in(false).profanity_filter(true).num_digits(0));
    generic_child_and_unknown_attributes => VoiceResponse::new()
        .child(
            Element::new("FutureVerb")
                .text("conteúdo & <mais>")
                .attr("newAttribute", "1")
                .attr("otherAttr", "&\"x\""),
        )
        .say(Say::new("Olá").language("pt-BR").attr("futureAttribute", "x<y"))
        .dial(
            Dial::new()
                .child(
                    Element::new("FutureNoun")
                        .child(Element::new("Deep").text("inner").attr("level", "2"))
                        .attr("kind", "a"),
                )
                .number(Number::new(PHONE).attr("customThing", "yes")),
        );
    raw_enum_values => VoiceResponse::new()
        .dial(Dial::to(PHONE).record(Raw::new("record-from-future-mode")).ring_tone(Raw::new("xx")))
        .dial(Dial::new().number(Number::new(PHONE).status_callback_event([
            Choice::from(CallProgressEvent::Initiated),
            Choice::from(Raw::new("future-event")),
        ])))
        .reject(Reject::new().reason(Raw::new("some-new-reason")));
    browser_to_browser_with_status => VoiceResponse::new().dial(
        Dial::new()
            .client(
                Client::new("user_7_João")
                    .status_callback(CALL_STATUS)
                    .status_callback_event(ALL_CALL_EVENTS)
                    .status_callback_method(Method::Post),
            )
            .caller_id("client:user_1_Alefe_Lins")
            .answer_on_bridge(true)
            .record(DialRecord::RecordFromAnswerDual)
            .recording_status_callback(RECORDING_STATUS)
            .recording_status_callback_event([RecordingEvent::Completed, RecordingEvent::Absent]),
    );
    ivr_menu => VoiceResponse::new()
        .gather(
            Gather::new()
                .say(
                    Say::new("Para vendas, digite 1. Para suporte, digite 2.")
                        .language("pt-BR")
                        .voice("Polly.Camila"),
                )
                .input([GatherInput::Dtmf, GatherInput::Speech])
                .num_digits(1)
                .action("/menu")
                .hints("vendas, suporte")
                .language("pt-BR"),
        )
        .redirect(Redirect::new("/menu?retry=1").method(Method::Post));
    bench_large_document => {
        let dial = (0..5).fold(
            Dial::new()
                .caller_id(CALLER_ID)
                .record(DialRecord::RecordFromAnswer)
                .recording_status_callback(RECORDING_STATUS)
                .answer_on_bridge(true)
                .timeout(30),
            |dial, i| {
                dial.number(
                    Number::new(format!("+553199999000{i}"))
                        .status_callback(CALL_STATUS)
                        .status_callback_event(ALL_CALL_EVENTS),
                )
            },
        );
        VoiceResponse::new()
            .say(Say::new(PT_BR).voice("Polly.Camila").language("pt-BR"))
            .gather(
                Gather::new()
                    .say(
                        Say::new("Para vendas, digite 1. Para suporte & <ajuda>, digite 2.")
                            .break_(SsmlBreak::new().time("500ms"))
                            .emphasis(SsmlEmphasis::new("Obrigado!").level(EmphasisLevel::Strong))
                            .language("pt-BR"),
                    )
                    .play(Play::new("https://example.com/menu.mp3"))
                    .pause(Pause::new().length(2))
                    .input([GatherInput::Dtmf, GatherInput::Speech])
                    .action(format!("{BASE}/menu"))
                    .num_digits(1)
                    .timeout(5)
                    .language("pt-BR")
                    .hints("vendas, suporte, financeiro"),
            )
            .dial(dial.client(
                Client::empty()
                    .identity(Identity::new("user_1_Alefe_Lins"))
                    .parameter(Parameter::new("ticket", "42 & \"urgent\"")),
            ))
            .say(Say::new("Desculpe, ninguém está disponível no momento.").language("pt-BR"))
            .record(
                Record::new()
                    .max_length(120)
                    .finish_on_key("#")
                    .recording_status_callback(RECORDING_STATUS)
                    .trim(Trim::TrimSilence),
            )
            .hangup(Hangup::new())
    };
    voicemail => VoiceResponse::new()
        .say(Say::new("Deixe sua mensagem após o sinal.").language("pt-BR"))
        .record(
            Record::new()
                .max_length(120)
                .finish_on_key("#")
                .play_beep(true)
                .recording_status_callback(RECORDING_STATUS)
                .trim(Trim::TrimSilence),
        )
        .say(Say::new("Nenhuma mensagem gravada. Tchau!").language("pt-BR"))
        .hangup(Hangup::new());
}
