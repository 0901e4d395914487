//! Property tests: whatever strings go in, a real XML parser (quick-xml) reads back exactly those
//! strings, or rendering fails with the typed error, and only for XML-illegal characters.

mod support;

use proptest::prelude::*;
use support::xml::{Child, Node, normalize_eol, parse};
use twiml_builder::{Dial, DialRecord, Element, Say, TwimlError, VoiceResponse};

/// Characters XML 1.0 forbids (Rust strings cannot hold lone surrogates).
fn is_illegal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Strings biased towards everything that needs care: markup characters, whitespace escapes,
/// controls, non-characters, multi-byte text, look-alike entities.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        4 => prop::sample::select(vec!["&", "<", ">", "\"", "'", "\n", "\r", "\t", "\r\n", " "]).prop_map(String::from),
        2 => prop::sample::select(vec!["&amp;", "&#10;", "]]>", "<![CDATA[", "<!--", "?>", "ç", "ã", "—", "😀", "\u{2028}", "\u{85}", "\u{7F}"]).prop_map(String::from),
        1 => prop::sample::select(vec!['\u{0}', '\u{1}', '\u{B}', '\u{C}', '\u{1F}', '\u{FFFE}', '\u{FFFF}', '\u{FFFD}', '\u{EFFF}']).prop_map(String::from),
        3 => "[a-zA-Z0-9 ]{1,6}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn text_of(node: &Node) -> String {
    node.children
        .iter()
        .map(|c| match c {
            Child::Text(t) => t.clone(),
            Child::Element(_) => panic!("unexpected child element"),
        })
        .collect()
}

/// The `<Say>` inside `<Response>`.
fn only_say(root: &Node) -> &Node {
    match root.children.as_slice() {
        [Child::Element(say)] => say,
        other => panic!("expected one <Say>, got {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn text_and_attribute_values_round_trip_or_fail_typed(value in tricky_string()) {
        let doc = VoiceResponse::new().say(Say::new(value.as_str()).voice(value.as_str()).attr("x-raw", value.as_str()));
        let first_illegal = value.char_indices().find(|(_, c)| is_illegal(*c));
        match (doc.to_xml(), first_illegal) {
            (Ok(xml), None) => {
                let root = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
                let say = only_say(&root);
                // Attributes: quote and whitespace are character references, so even a
                // normalising parser returns the exact input.
                let attrs = say.attr_map();
                if value.is_empty() {
                    prop_assert!(say.children.is_empty(), "empty text must self-close: {}", xml);
                }
                prop_assert_eq!(attrs.get("voice").copied(), Some(value.as_str()));
                prop_assert_eq!(attrs.get("x-raw").copied(), Some(value.as_str()));
                // Text: the characters are all there (twilio-python leaves CR raw in text, so an
                // XML processor then reports CR and CRLF as LF, which is what Twilio sees).
                prop_assert_eq!(text_of(say), value.clone());
                prop_assert_eq!(normalize_eol(&text_of(say)), normalize_eol(&value));
            }
            (Err(TwimlError::IllegalCharacter { character, element, byte_offset, .. }), Some((index, c))) => {
                prop_assert_eq!(character, c);
                prop_assert_eq!(element, "Say");
                prop_assert_eq!(byte_offset, index);
            }
            (result, illegal) => prop_assert!(false, "{:?} for input {:?} (illegal: {:?})", result, value, illegal),
        }
    }

    #[test]
    fn attributes_come_out_sorted_unique_and_last_write_wins(
        ops in prop::collection::vec((0usize..12, "[a-z&<\"]{0,4}"), 0..30)
    ) {
        // A mix of typed setters and `.attr()` on overlapping names, in random order.
        const NAMES: [&str; 8] = ["timeout", "callerId", "record", "action", "zeta", "Alpha", "b-c", "xml:lang"];
        let mut dial = Dial::new();
        let mut expected = std::collections::BTreeMap::<&str, String>::new();
        for (op, value) in &ops {
            match op {
                8 => { dial = dial.timeout(7); expected.insert("timeout", "7".into()); }
                9 => { dial = dial.caller_id(value.clone()); expected.insert("callerId", value.clone()); }
                10 => { dial = dial.record(DialRecord::DoNotRecord); expected.insert("record", "do-not-record".into()); }
                11 => { dial = dial.answer_on_bridge(true); expected.insert("answerOnBridge", "true".into()); }
                n => { dial = dial.attr(NAMES[*n], value.clone()); expected.insert(NAMES[*n], value.clone()); }
            }
        }
        let mut xml = String::new();
        dial.write_fragment_to(&mut xml).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let root = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        let names: Vec<&str> = root.attrs.iter().map(|(k, _)| k.as_str()).collect();
        prop_assert!(names.windows(2).all(|w| w[0] < w[1]), "not strictly sorted: {:?}", names);
        let got: std::collections::BTreeMap<&str, String> = root.attrs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn generic_names_are_emitted_only_when_they_parse_back(name in "\\PC{0,6}", attr in "\\PC{0,6}") {
        let el = Element::new(name.as_str()).attr(attr.as_str(), "v");
        match el.to_xml() {
            Ok(xml) => {
                let root = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
                prop_assert_eq!(&root.name, &name);
                prop_assert_eq!(root.attrs, vec![(attr.clone(), "v".to_owned())]);
            }
            Err(TwimlError::InvalidName { name: rejected }) => {
                prop_assert!(rejected == name || rejected == attr);
            }
            Err(other) => prop_assert!(false, "unexpected {}", other),
        }
    }

    #[test]
    fn failed_render_leaves_the_buffer_untouched(prefix in "[a-z]{0,10}", value in tricky_string()) {
        let mut out = prefix.clone();
        let result = VoiceResponse::new().say(Say::new(value.as_str())).write_to(&mut out);
        if result.is_err() {
            prop_assert_eq!(out, prefix);
        } else {
            prop_assert!(out.starts_with(&prefix));
        }
    }
}
