//! TwiML parsing of documents as twilio-python prints them (generated with twilio 9.13).

use super::*;
use pretty_assertions::assert_eq;

const OUTBOUND: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+551130001000" record="record-from-answer" recordingStatusCallback="https://ramal.test/api/twilio/recording-status"><Number statusCallback="https://ramal.test/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">+5511999990000</Number></Dial></Response>"#;
const INBOUND: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="pt-BR">Aguarde enquanto conectamos sua ligação.</Say><Dial record="record-from-answer" recordingStatusCallback="https://ramal.test/api/twilio/recording-status" timeout="30"><Client>user_1_Alefe_Lins</Client></Dial><Say language="pt-BR">Desculpe, ninguém está disponível no momento.</Say><Record maxLength="120" playBeep="true" recordingStatusCallback="https://ramal.test/r?a=1&amp;b=2" /></Response>"#;
const MENU: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/menu" method="GET" numDigits="1" timeout="3"><Say>Press 1 &amp; wait &lt;now&gt;</Say></Gather><Redirect method="POST">/voice?again=1</Redirect></Response>"#;
const MISC: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Client><Identity>alice</Identity><Parameter name="ticket" value="42" /></Client></Dial><Reject reason="busy" /><Pause length="2" /><Play digits="ww1" /><Hangup /></Response>"#;

#[test]
fn outbound_dial_number_with_recording_and_callbacks() {
    let doc = parse(OUTBOUND).unwrap();
    assert_eq!(doc.verbs.len(), 1);
    let Verb::Dial(dial) = &doc.verbs[0] else {
        panic!("not a dial: {:?}", doc.verbs[0])
    };
    assert_eq!(dial.caller_id.as_deref(), Some("+551130001000"));
    assert_eq!(dial.record, DialRecord::RecordFromAnswer);
    assert_eq!(dial.record.channels(), 1);
    assert_eq!(
        dial.recording_status_callback.as_deref(),
        Some("https://ramal.test/api/twilio/recording-status")
    );
    assert_eq!(
        dial.recording_status_callback_events,
        vec![RecordingEvent::Completed]
    );
    assert_eq!(dial.timeout, 30);
    assert_eq!(dial.action, None);
    let DialNoun::Number(n) = &dial.nouns[0] else {
        panic!("not a number")
    };
    assert_eq!(n.target, "+5511999990000");
    assert_eq!(
        n.status_callback.as_deref(),
        Some("https://ramal.test/api/twilio/call-status")
    );
    assert_eq!(
        n.status_callback_events,
        vec![
            CallProgressEvent::Initiated,
            CallProgressEvent::Ringing,
            CallProgressEvent::Answered,
            CallProgressEvent::Completed
        ]
    );
}

#[test]
fn inbound_say_dial_client_say_record() {
    let doc = parse(INBOUND).unwrap();
    let names: Vec<&str> = doc.verbs.iter().map(Verb::name).collect();
    assert_eq!(names, ["Say", "Dial", "Say", "Record"]);
    let Verb::Say(say) = &doc.verbs[0] else {
        panic!()
    };
    assert_eq!(say.text, "Aguarde enquanto conectamos sua ligação.");
    assert_eq!(say.language.as_deref(), Some("pt-BR"));
    let Verb::Dial(dial) = &doc.verbs[1] else {
        panic!()
    };
    let DialNoun::Client(c) = &dial.nouns[0] else {
        panic!()
    };
    assert_eq!(c.target, "user_1_Alefe_Lins");
    assert_eq!(c.status_callback, None);
    assert_eq!(c.status_callback_events, vec![CallProgressEvent::Completed]);
    let Verb::Record(rec) = &doc.verbs[3] else {
        panic!()
    };
    assert_eq!(rec.max_length, 120);
    assert_eq!(rec.timeout, 5);
    assert_eq!(rec.finish_on_key, "1234567890*#");
    assert_eq!(
        rec.recording_status_callback.as_deref(),
        Some("https://ramal.test/r?a=1&b=2")
    );
    assert_eq!(rec.action, None);
}

#[test]
fn gather_with_prompt_entities_and_redirect() {
    let doc = parse(MENU).unwrap();
    let Verb::Gather(g) = &doc.verbs[0] else {
        panic!()
    };
    assert_eq!(g.action.as_deref(), Some("/menu"));
    assert_eq!(g.method, Method::Get);
    assert_eq!(g.num_digits, Some(1));
    assert_eq!(g.timeout, 3);
    assert_eq!(g.finish_on_key, "#");
    let Verb::Say(s) = &g.prompts[0] else {
        panic!()
    };
    assert_eq!(s.text, "Press 1 & wait <now>");
    assert_eq!(
        doc.verbs[1],
        Verb::Redirect(Redirect {
            url: "/voice?again=1".into(),
            method: Method::Post
        })
    );
}

#[test]
fn client_identity_form_reject_pause_play_hangup() {
    let doc = parse(MISC).unwrap();
    let Verb::Dial(d) = &doc.verbs[0] else {
        panic!()
    };
    let DialNoun::Client(c) = &d.nouns[0] else {
        panic!()
    };
    assert_eq!(c.target, "alice");
    assert_eq!(c.parameters, vec![("ticket".to_owned(), "42".to_owned())]);
    assert_eq!(
        doc.verbs[1],
        Verb::Reject(Reject {
            reason: RejectReason::Busy
        })
    );
    assert_eq!(doc.verbs[2], Verb::Pause(Pause { length: 2 }));
    assert_eq!(
        doc.verbs[3],
        Verb::Play(Play {
            url: String::new(),
            loop_count: 1,
            digits: Some("ww1".into())
        })
    );
    assert_eq!(doc.verbs[4], Verb::Hangup);
}

#[test]
fn dial_text_shorthand_dual_recording_and_conference() {
    let doc = parse(
        "<Response><Dial record=\"record-from-ringing-dual\" action=\"/after\" timeout=\"12\"> +15551234567 </Dial>\
         <Dial><Conference startConferenceOnEnter=\"true\">room-1</Conference></Dial><Enqueue>q</Enqueue></Response>",
    )
    .unwrap();
    let Verb::Dial(d) = &doc.verbs[0] else {
        panic!()
    };
    assert_eq!(d.record, DialRecord::RecordFromRingingDual);
    assert!(d.record.from_ringing());
    assert_eq!(d.record.channels(), 2);
    assert_eq!(d.timeout, 12);
    let DialNoun::Number(n) = &d.nouns[0] else {
        panic!()
    };
    assert_eq!(n.target, "+15551234567");
    let Verb::Dial(d2) = &doc.verbs[1] else {
        panic!()
    };
    let DialNoun::Conference(c) = &d2.nouns[0] else {
        panic!()
    };
    assert_eq!(c.name, "room-1");
    assert_eq!(doc.verbs[2].name(), "Enqueue");
    assert!(matches!(doc.verbs[2], Verb::Other(_)));
}

#[test]
fn empty_response_forms() {
    assert_eq!(parse("<Response />").unwrap().verbs, vec![]);
    assert_eq!(
        parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")
            .unwrap()
            .verbs,
        vec![]
    );
    assert_eq!(
        parse("<Response>\n  <!-- nothing -->\n</Response>\n")
            .unwrap()
            .verbs,
        vec![]
    );
}

#[test]
fn python_list_repr_in_status_callback_event_is_rejected() {
    // twilio-python prints a Python list if given one: Twilio refuses the document.
    let err = parse(
        "<Response><Dial><Number statusCallback=\"https://x.test/s\" \
         statusCallbackEvent=\"['initiated', 'ringing']\">+1555</Number></Dial></Response>",
    )
    .unwrap_err();
    assert_eq!(err.twilio_code(), 12200);
    assert!(
        matches!(err, TwimlError::InvalidAttribute { ref attribute, .. } if attribute == "statusCallbackEvent")
    );
}

#[test]
fn invalid_documents_are_refused_with_twilio_codes() {
    let cases = [
        ("<Respons><Hangup/></Respons>", 12100),
        ("<Response><Hangup></Response>", 12100),
        ("not xml at all", 12100),
        ("", 12100),
        ("<Response><Dial record=\"yes\">+1</Dial></Response>", 12200),
        (
            "<Response><Dial timeout=\"thirty\">+1</Dial></Response>",
            12200,
        ),
        ("<Response><Dial></Dial></Response>", 12200),
        (
            "<Response><Redirect method=\"PUT\">/x</Redirect></Response>",
            12200,
        ),
        ("<Response><Reject reason=\"nope\"/></Response>", 12200),
        ("<!DOCTYPE x [<!ENTITY a \"b\">]><Response/>", 12100),
    ];
    for (doc, code) in cases {
        let err = parse(doc).expect_err(doc);
        assert_eq!(err.twilio_code(), code, "{doc}: {err}");
    }
}

#[test]
fn attribute_char_refs_are_resolved() {
    let doc = parse("<Response><Say voice=\"a&#10;b\">x&#x41;</Say></Response>").unwrap();
    let Verb::Say(s) = &doc.verbs[0] else {
        panic!()
    };
    assert_eq!(s.voice.as_deref(), Some("a\nb"));
    assert_eq!(s.text, "xA");
}
