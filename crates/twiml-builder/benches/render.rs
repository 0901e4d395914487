//! Build + render benchmarks, compared with twilio-python by `scripts/bench-twiml`.
//!
//! - `render/seed_outbound`: the seed guide's `/voice` answer (section 4.3): `<Dial>` recorded
//!   from answer with a recording status callback and a `<Number>` with call status callbacks.
//! - `render/large_document`: an IVR-sized answer (SSML, `<Gather>`, a `<Dial>` with six nouns,
//!   `<Record>`), about 2 KB.
//!
//! Both are checked against the twilio-python fixtures before timing, so the numbers are for
//! byte-identical output. `tools/reference/twiml_bench.py` times the same two documents in Python.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use twiml_builder::{
    CallProgressEvent, Client, Dial, DialRecord, EmphasisLevel, Gather, GatherInput, Hangup,
    Identity, Number, Parameter, Pause, Play, Record, Say, SsmlBreak, SsmlEmphasis, Trim,
    TwimlError, VoiceResponse,
};

const CALLER_ID: &str = "+553123916801";
const RECORDING_STATUS: &str = "https://seu-dominio.com/api/twilio/recording-status";
const CALL_STATUS: &str = "https://seu-dominio.com/api/twilio/call-status";
const ALL_CALL_EVENTS: [CallProgressEvent; 4] = [
    CallProgressEvent::Initiated,
    CallProgressEvent::Ringing,
    CallProgressEvent::Answered,
    CallProgressEvent::Completed,
];

fn seed_outbound(to: &str) -> Result<String, TwimlError> {
    VoiceResponse::new()
        .dial(
            Dial::new()
                .caller_id(CALLER_ID)
                .record(DialRecord::RecordFromAnswer)
                .recording_status_callback(RECORDING_STATUS)
                .number(
                    Number::new(to)
                        .status_callback(CALL_STATUS)
                        .status_callback_event(ALL_CALL_EVENTS),
                ),
        )
        .to_xml()
}

const AGENT_NUMBERS: [&str; 5] = [
    "+5531999990000",
    "+5531999990001",
    "+5531999990002",
    "+5531999990003",
    "+5531999990004",
];

fn large_document(identity: &str) -> Result<String, TwimlError> {
    let dial = AGENT_NUMBERS.iter().fold(
        Dial::new()
            .caller_id(CALLER_ID)
            .record(DialRecord::RecordFromAnswer)
            .recording_status_callback(RECORDING_STATUS)
            .answer_on_bridge(true)
            .timeout(30),
        |dial, number| {
            dial.number(
                Number::new(*number)
                    .status_callback(CALL_STATUS)
                    .status_callback_event(ALL_CALL_EVENTS),
            )
        },
    );
    VoiceResponse::new()
        .say(
            Say::new("Olá, ligação não atendida — ação")
                .voice("Polly.Camila")
                .language("pt-BR"),
        )
        .gather(
            Gather::new()
                .input([GatherInput::Dtmf, GatherInput::Speech])
                .action("https://seu-dominio.com/api/twilio/menu")
                .num_digits(1)
                .timeout(5)
                .language("pt-BR")
                .hints("vendas, suporte, financeiro")
                .say(
                    Say::new("Para vendas, digite 1. Para suporte & <ajuda>, digite 2.")
                        .language("pt-BR")
                        .break_(SsmlBreak::new().time("500ms"))
                        .emphasis(SsmlEmphasis::new("Obrigado!").level(EmphasisLevel::Strong)),
                )
                .play(Play::new("https://example.com/menu.mp3"))
                .pause(Pause::new().length(2)),
        )
        .dial(
            dial.client(
                Client::empty()
                    .identity(Identity::new(identity))
                    .parameter(Parameter::new("ticket", "42 & \"urgent\"")),
            ),
        )
        .say(Say::new("Desculpe, ninguém está disponível no momento.").language("pt-BR"))
        .record(
            Record::new()
                .max_length(120)
                .finish_on_key("#")
                .recording_status_callback(RECORDING_STATUS)
                .trim(Trim::TrimSilence),
        )
        .hangup(Hangup::new())
        .to_xml()
}

/// The twilio-python rendering of `name`, from the committed fixtures.
fn python_fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/python.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("python.json"))
            .expect("valid JSON");
    json["documents"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no fixture {name}"))
        .to_owned()
}

fn bench(c: &mut Criterion) {
    assert_eq!(
        seed_outbound("+5531999999999").unwrap(),
        python_fixture("seed_outbound_to_phone")
    );
    assert_eq!(
        large_document("user_1_Alefe_Lins").unwrap(),
        python_fixture("bench_large_document")
    );

    let mut group = c.benchmark_group("render");
    group.bench_function("seed_outbound", |b| {
        b.iter(|| seed_outbound(black_box("+5531999999999")))
    });
    group.bench_function("large_document", |b| {
        b.iter(|| large_document(black_box("user_1_Alefe_Lins")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
