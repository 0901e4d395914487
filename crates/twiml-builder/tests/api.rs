//! Behaviour of the public API beyond the reference fixtures: replacement semantics, text
//! handling, errors, enum parsing, the escape hatches.

use std::str::FromStr;

use twiml_builder::*;

const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

fn fragment(el: impl Into<Element<'static>>) -> String {
    let mut out = String::new();
    el.into().write_fragment_to(&mut out).expect("renders");
    out
}

#[test]
fn setting_an_attribute_twice_keeps_the_last_value_typed_or_raw() {
    let dial = Dial::new()
        .timeout(10)
        .attr("timeout", "20")
        .caller_id("a")
        .caller_id("b");
    assert_eq!(fragment(dial), r#"<Dial callerId="b" timeout="20" />"#);
    let dial = Dial::new().attr("timeout", "20").timeout(10);
    assert_eq!(fragment(dial), r#"<Dial timeout="10" />"#);
}

#[test]
fn attribute_names_sort_by_code_point_like_python() {
    let say = Say::new("a")
        .attr("zeta", "1")
        .attr("Alpha", "2")
        .attr("b:c", "6")
        .attr("b-c", "5")
        .attr("ä", "4");
    assert_eq!(
        fragment(say),
        r#"<Say Alpha="2" b-c="5" b:c="6" zeta="1" ä="4">a</Say>"#
    );
}

#[test]
fn empty_text_is_ignored_and_adjacent_text_is_merged() {
    assert_eq!(fragment(Say::new("")), "<Say />");
    assert_eq!(fragment(Say::empty().text("").text("")), "<Say />");
    // twilio-python would keep only the last piece; XML has one text node either way.
    let say = Say::new("a").break_(SsmlBreak::new()).text("b").text("c");
    assert_eq!(fragment(say), "<Say>a<break />bc</Say>");
}

#[test]
fn documents_start_with_pythons_declaration() {
    assert_eq!(
        VoiceResponse::new().to_xml().unwrap(),
        format!("{DECL}<Response />")
    );
    let mut out = String::from("prefix:");
    Hangup::new().write_to(&mut out).unwrap();
    assert_eq!(out, format!("prefix:{DECL}<Hangup />"));
}

#[test]
fn illegal_character_error_names_its_location() {
    let err = VoiceResponse::new()
        .dial(Dial::new().number(Number::new("+1").status_callback("https://x/\u{1}")))
        .to_xml()
        .unwrap_err();
    assert_eq!(
        err,
        TwimlError::IllegalCharacter {
            character: '\u{1}',
            element: "Number".into(),
            attribute: Some("statusCallback".into()),
            byte_offset: 10,
        }
    );
    assert_eq!(
        err.to_string(),
        "character U+0001 is not allowed in XML 1.0 (in attribute `statusCallback` of <Number>, byte 10)"
    );
    let err = Say::new("olá\u{FFFF}").to_xml().unwrap_err();
    assert_eq!(
        err.to_string(),
        "character U+FFFF is not allowed in XML 1.0 (in the text of <Say>, byte 4)"
    );
}

#[test]
fn invalid_generic_names_are_rejected_and_leave_the_buffer_alone() {
    let mut out = String::from("keep");
    let err = VoiceResponse::new()
        .child(Element::new("Bad Name"))
        .write_to(&mut out)
        .unwrap_err();
    assert_eq!(
        err,
        TwimlError::InvalidName {
            name: "Bad Name".into()
        }
    );
    assert_eq!(out, "keep");
    let err = Say::new("x").attr("a=b", "1").to_xml().unwrap_err();
    assert_eq!(err, TwimlError::InvalidName { name: "a=b".into() });
    assert!(Element::new("").to_xml().is_err());
}

#[test]
fn raw_values_are_escaped_like_any_text() {
    let dial = Dial::new()
        .record(Raw::new("a\"b<c"))
        .ring_tone(Raw::new(String::from("zz")));
    assert_eq!(
        fragment(dial),
        r#"<Dial record="a&quot;b&lt;c" ringTone="zz" />"#
    );
}

#[test]
fn lists_join_known_and_raw_values_in_order() {
    let number = Number::new("+1").status_callback_event([
        Choice::from(CallProgressEvent::Completed),
        Choice::from(Raw::new("x&y")),
        Choice::Known(CallProgressEvent::Initiated),
    ]);
    assert_eq!(
        fragment(number),
        r#"<Number statusCallbackEvent="completed x&amp;y initiated">+1</Number>"#
    );
    let many = Gather::new().input(std::iter::repeat_n(GatherInput::Dtmf, 20));
    assert_eq!(
        fragment(many),
        format!(r#"<Gather input="{}" />"#, vec!["dtmf"; 20].join(" "))
    );
    let attempts = Prompt::new().attempt([]);
    assert_eq!(fragment(attempts), r#"<Prompt attempt="" />"#);
}

#[test]
fn enums_parse_their_wire_strings_and_nothing_else() {
    for value in RingTone::ALL {
        assert_eq!(RingTone::from_str(value.as_str()), Ok(*value));
        assert_eq!(value.to_string(), value.as_str());
    }
    for value in DialRecord::ALL {
        assert_eq!(value.as_str().parse::<DialRecord>(), Ok(*value));
    }
    assert_eq!(
        "Record-From-Answer".parse::<DialRecord>(),
        Err(TwimlError::UnknownValue {
            kind: "DialRecord",
            value: "Record-From-Answer".into()
        })
    );
    assert_eq!(Method::Get.wire(), "GET");
    assert_eq!(Choice::<Method>::from(Raw::new("PUT")).as_str(), "PUT");
}

#[test]
fn typed_elements_convert_into_generic_ones() {
    let el: Element<'_> = Number::new("+1").into();
    assert_eq!(el.name(), "Number");
    let same = Number::new("+1").into_element();
    assert_eq!(el, same);
    let dial = Dial::new().child(Say::new("nested anywhere"));
    assert_eq!(fragment(dial), "<Dial><Say>nested anywhere</Say></Dial>");
}

#[test]
fn owned_and_borrowed_inputs_both_work() {
    let owned = String::from("+5531999999999");
    let doc = VoiceResponse::new()
        .dial(Dial::to(owned.clone()))
        .dial(Dial::to(owned.as_str()));
    let xml = doc.to_xml().unwrap();
    assert_eq!(xml.matches("<Dial>+5531999999999</Dial>").count(), 2);
}

#[test]
fn large_documents_render_completely() {
    let doc = (0..1000).fold(VoiceResponse::new(), |r, i| {
        r.say(Say::new(format!("frase {i} & <mais>")))
    });
    let xml = doc.to_xml().unwrap();
    assert_eq!(xml.matches("<Say>").count(), 1000);
    assert!(xml.ends_with("<Say>frase 999 &amp; &lt;mais&gt;</Say></Response>"));
}
