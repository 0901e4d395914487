//! Fuzzing of escaping and rendering: random element trees whose names, attribute values and
//! text hold anything (C0 controls, U+FFFE/U+FFFF, characters beside the surrogate gap, `]]>`,
//! quotes, entity look-alikes, runs long enough to cross the scanner's 8-byte words) render byte
//! for byte as a plain character-by-character model of ElementTree's rules says, or fail with
//! the same typed error; whatever renders parses back with quick-xml into the same tree.
//!
//! `properties.rs` checks single values at a fixed case count; this suite works on whole trees
//! and on the typed builders, and scales with `RAMAL_FUZZ_CASES` (`scripts/fuzz` runs it long).
//! Failures proptest finds are kept in `proptest-regressions/fuzz_escaping.txt` (committed).

mod support;

use std::borrow::Cow;
use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use support::xml::{Child, Node, parse};
use twiml_builder::{
    CallProgressEvent, Choice, Client, Dial, Element, Identity, Number, Parameter, Play, Say,
    TwimlError, VoiceResponse,
};

/// Cases per property in the default test run (CI's smoke run).
const SMOKE_CASES: u32 = 256;

fn config() -> ProptestConfig {
    let cases = match std::env::var("RAMAL_FUZZ_CASES") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("RAMAL_FUZZ_CASES={v:?} is not a whole number")),
        Err(_) => SMOKE_CASES,
    };
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/fuzz_escaping.txt"
        )))),
        ..ProptestConfig::default()
    }
}

// ---- The reference model -------------------------------------------------------------------

/// Characters XML 1.0 forbids (Rust strings cannot hold surrogates at all).
fn is_illegal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// XML 1.0 (fifth edition) `NameStartChar`, transcribed from the specification.
fn is_name_start(c: char) -> bool {
    matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start)
        && chars.all(|c| {
            is_name_start(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

/// ElementTree's escaping, one character at a time: `&`, `<`, `>` everywhere; in attributes
/// also `"` and the three whitespace characters an attribute parser would otherwise normalise.
fn escape(value: &str, attribute: bool, out: &mut String) -> Result<(), (char, usize)> {
    for (i, c) in value.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#09;"),
            c if is_illegal(c) => return Err((c, i)),
            c => out.push(c),
        }
    }
    Ok(())
}

/// What a test builds: an element with attribute writes and content in call order.
#[derive(Debug, Clone)]
struct Tree {
    name: String,
    attrs: Vec<(String, String)>,
    content: Vec<Content>,
}

#[derive(Debug, Clone)]
enum Content {
    Text(String),
    Child(Tree),
}

impl Tree {
    fn build(&self) -> Element<'_> {
        let mut el = Element::new(self.name.as_str());
        for (name, value) in &self.attrs {
            el = el.attr(name.as_str(), value.as_str());
        }
        for item in &self.content {
            el = match item {
                Content::Text(text) => el.text(text.as_str()),
                Content::Child(child) => el.child(child.build()),
            };
        }
        el
    }

    /// Attributes as rendered: one per name, the last write wins, sorted by name.
    fn effective_attrs(&self) -> BTreeMap<&str, &str> {
        self.attrs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Content as one XML text node per run of adjacent text; empty text adds nothing.
    fn merged_content(&self) -> Vec<Merged<'_>> {
        let mut out: Vec<Merged<'_>> = Vec::new();
        for item in &self.content {
            match item {
                Content::Text(text) if text.is_empty() => {}
                Content::Text(text) => match out.last_mut() {
                    Some(Merged::Text(previous)) => previous.push_str(text),
                    _ => out.push(Merged::Text(text.clone())),
                },
                Content::Child(child) => out.push(Merged::Child(child)),
            }
        }
        out
    }

    /// The expected rendering (ElementTree's short empty tag included), or the first error in
    /// document order.
    fn render(&self, out: &mut String) -> Result<(), TwimlError> {
        if !is_name(&self.name) {
            return Err(TwimlError::InvalidName {
                name: self.name.clone(),
            });
        }
        let illegal = |(character, byte_offset): (char, usize), attribute: Option<&str>| {
            TwimlError::IllegalCharacter {
                character,
                element: self.name.clone(),
                attribute: attribute.map(str::to_owned),
                byte_offset,
            }
        };
        out.push('<');
        out.push_str(&self.name);
        for (name, value) in self.effective_attrs() {
            if !is_name(name) {
                return Err(TwimlError::InvalidName {
                    name: name.to_owned(),
                });
            }
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape(value, true, out).map_err(|e| illegal(e, Some(name)))?;
            out.push('"');
        }
        let content = self.merged_content();
        if content.is_empty() {
            out.push_str(" />");
            return Ok(());
        }
        out.push('>');
        for item in &content {
            match item {
                Merged::Text(text) => escape(text, false, out).map_err(|e| illegal(e, None))?,
                Merged::Child(child) => child.render(out)?,
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
        Ok(())
    }

    /// What an XML parser reads back from a successful rendering.
    fn parsed(&self) -> Node {
        Node {
            name: self.name.clone(),
            attrs: self
                .effective_attrs()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            children: self
                .merged_content()
                .into_iter()
                .map(|item| match item {
                    Merged::Text(text) => Child::Text(text),
                    Merged::Child(child) => Child::Element(child.parsed()),
                })
                .collect(),
        }
    }
}

enum Merged<'t> {
    Text(String),
    Child(&'t Tree),
}

fn expected_document(tree: &Tree) -> Result<String, TwimlError> {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    tree.render(&mut out).map(|()| out)
}

// ---- Strategies -----------------------------------------------------------------------------

/// Pieces that need care, including the characters around U+FFFE/U+FFFF that share their
/// 0xEF lead byte and the code points beside the surrogate gap.
const TRICKY: &[&str] = &[
    "&",
    "<",
    ">",
    "\"",
    "'",
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "]]>",
    "<![CDATA[",
    "]]",
    "-->",
    "<!--",
    "?>",
    "&amp;",
    "&#10;",
    "&#x26;",
    "&lt",
    "&quot;",
    "\u{D7FF}",
    "\u{E000}",
    "\u{EFFF}",
    "\u{F000}",
    "\u{FEFF}",
    "\u{FFBE}",
    "\u{FFBF}",
    "\u{FFEF}",
    "\u{FFFD}",
    "\u{10000}",
    "\u{10FFFF}",
    "\u{85}",
    "\u{7F}",
    "\u{9F}",
    "\u{2028}",
    "\u{2029}",
    "ç",
    "ã",
    "—",
    "😀",
];

/// Characters XML 1.0 forbids, kept rare so that most trees render.
const ILLEGAL: &[char] = &[
    '\u{0}', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{E}', '\u{1B}', '\u{1F}', '\u{FFFE}',
    '\u{FFFF}',
];

/// Arbitrary text biased towards what needs care; with `illegal`, a few pieces are characters
/// XML 1.0 forbids.
fn value(illegal: bool) -> BoxedStrategy<String> {
    let legal = prop_oneof![
        6 => "[a-zA-Z0-9 ]{0,17}",
        4 => prop::sample::select(TRICKY).prop_map(str::to_owned),
        // Mapped rather than filtered: a long run would exhaust proptest's reject budget.
        3 => any::<char>().prop_map(|c| if is_illegal(c) { '\u{FFFD}' } else { c }).prop_map(String::from),
    ];
    let piece = if illegal {
        prop_oneof![
            40 => legal,
            1 => prop::sample::select(ILLEGAL).prop_map(String::from),
        ]
        .boxed()
    } else {
        legal.boxed()
    };
    prop_oneof![
        40 => prop::collection::vec(piece.clone(), 0..12).prop_map(|p| p.concat()),
        // Long values: the fast scanner's word loop with specials at every alignment.
        1 => (prop::collection::vec(piece, 0..8), 0usize..1500).prop_map(|(p, n)| {
            let mut s = "a".repeat(n);
            for (i, piece) in p.iter().enumerate() {
                let at = (i * 997) % (s.len() + 1);
                let at = (0..=at).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0);
                s.insert_str(at, piece);
            }
            s
        }),
    ]
    .boxed()
}

fn name() -> BoxedStrategy<String> {
    prop_oneof![
        12 => prop::sample::select(&["Say", "Dial", "x", "a-b", "xml:lang", "ä", "_1", "p.q", "Ω", "n\u{B7}"][..])
            .prop_map(str::to_owned),
        2 => "[A-Za-z_:][A-Za-z0-9_.:-]{0,6}",
        1 => "\\PC{0,4}",
        1 => prop::sample::select(&["", "1a", "-a", "a b", "a=b", "a\"", "<a", "a>", "\u{FFFE}"][..])
            .prop_map(str::to_owned),
    ]
    .boxed()
}

fn tree(illegal: bool) -> impl Strategy<Value = Tree> {
    let attrs = prop::collection::vec((name(), value(illegal)), 0..4).boxed();
    let leaf = (
        name(),
        attrs.clone(),
        prop::collection::vec(value(illegal), 0..3),
    )
        .prop_map(|(name, attrs, texts)| Tree {
            name,
            attrs,
            content: texts.into_iter().map(Content::Text).collect(),
        });
    leaf.prop_recursive(4, 40, 5, move |inner| {
        let item = prop_oneof![
            value(illegal).prop_map(Content::Text),
            inner.prop_map(Content::Child),
        ];
        (name(), attrs.clone(), prop::collection::vec(item, 0..6)).prop_map(
            |(name, attrs, content)| Tree {
                name,
                attrs,
                content,
            },
        )
    })
}

/// The same pieces as [`value`] but never an illegal character.
fn legal_value() -> BoxedStrategy<String> {
    value(false)
}

// ---- Properties -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Whatever goes in, rendering equals the model byte for byte, or fails with the model's
    /// error (the first problem in document order, with its element, attribute and offset).
    #[test]
    fn trees_render_exactly_as_the_model_says(tree in tree(true)) {
        let got = tree.build().to_xml();
        let expected = expected_document(&tree);
        prop_assert_eq!(&got, &expected);
        if let Ok(xml) = got {
            let parsed = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
            prop_assert_eq!(parsed, tree.parsed());
        }
    }

    /// With legal names and values every tree renders and round-trips through a real parser.
    #[test]
    fn legal_trees_always_render_and_round_trip(tree in tree(false)) {
        let tree = rename_legally(tree);
        let xml = tree.build().to_xml().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
        prop_assert_eq!(parsed, tree.parsed());
    }

    /// A failed render leaves the caller's buffer exactly as it was, at any depth.
    #[test]
    fn failed_renders_leave_the_buffer_untouched(prefix in "\\PC{0,8}", tree in tree(true)) {
        let mut out = prefix.clone();
        match tree.build().write_fragment_to(&mut out) {
            Ok(()) => {
                let mut expected = prefix.clone();
                tree.render(&mut expected).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(out, expected);
            }
            Err(_) => prop_assert_eq!(out, prefix),
        }
    }

    /// The typed builders escape exactly like the generic element with the same names, text
    /// attributes, raw enum values and list joins, including `<Parameter>` names and values.
    #[test]
    fn typed_builders_escape_like_generic_elements(
        a in value(true),
        b in value(true),
        c in legal_value(),
        events in prop::collection::vec(
            prop_oneof![
                prop::sample::select(CallProgressEvent::ALL).prop_map(Ok),
                value(true).prop_map(Err),
            ],
            0..5,
        ),
    ) {
        // Enum values and raw strings mixed in any order join with single spaces, as
        // twilio-node joins a list and the reference fixtures join it for twilio-python.
        let joined = events
            .iter()
            .map(|e| match e {
                Ok(known) => known.as_str(),
                Err(raw) => raw.as_str(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let events: Vec<Choice<'_, CallProgressEvent>> = events
            .iter()
            .map(|e| match e {
                Ok(known) => Choice::Known(*known),
                Err(raw) => Choice::Raw(Cow::Borrowed(raw.as_str())),
            })
            .collect();
        let typed = VoiceResponse::new()
            .say(Say::new(a.as_str()).voice(b.as_str()).language(c.as_str()))
            .dial(
                Dial::new()
                    .caller_id(b.as_str())
                    .number(Number::new(a.as_str()).status_callback(c.as_str()).status_callback_event(events))
                    .client(Client::empty().identity(Identity::new(c.as_str())).parameter(Parameter::new(a.as_str(), b.as_str()))),
            )
            .play(Play::new(b.as_str()))
            .to_xml();
        let generic = Element::new("Response")
            .child(Element::new("Say").attr("voice", b.as_str()).attr("language", c.as_str()).text(a.as_str()))
            .child(
                Element::new("Dial")
                    .attr("callerId", b.as_str())
                    .child(Element::new("Number").attr("statusCallback", c.as_str()).attr("statusCallbackEvent", joined.as_str()).text(a.as_str()))
                    .child(
                        Element::new("Client")
                            .child(Element::new("Identity").text(c.as_str()))
                            .child(Element::new("Parameter").attr("name", a.as_str()).attr("value", b.as_str())),
                    ),
            )
            .child(Element::new("Play").text(b.as_str()))
            .to_xml();
        prop_assert_eq!(typed, generic);
    }
}

/// Replaces every name the model refuses by a fixed legal one (values are left alone).
fn rename_legally(mut tree: Tree) -> Tree {
    if !is_name(&tree.name) {
        tree.name = "Renamed".into();
    }
    for (name, _) in &mut tree.attrs {
        if !is_name(name) {
            *name = "renamed".into();
        }
    }
    for item in &mut tree.content {
        if let Content::Child(child) = item {
            *child = rename_legally(child.clone());
        }
    }
    tree
}

/// Found by `typed_builders_escape_like_generic_elements`: a list starting with an empty raw
/// value lost that item's separator (`" initiated"` came out as `"initiated"`), unlike the
/// space-join twilio-node and the reference fixtures perform.
#[test]
fn regression_leading_empty_raw_list_item_keeps_its_separator() {
    let number = Number::new("+1").status_callback_event([
        Choice::Raw(Cow::Borrowed("")),
        Choice::Known(CallProgressEvent::Initiated),
        Choice::Raw(Cow::Borrowed("")),
        Choice::Raw(Cow::Borrowed("x")),
    ]);
    let mut xml = String::new();
    number.write_fragment_to(&mut xml).unwrap();
    assert_eq!(
        xml,
        r#"<Number statusCallbackEvent=" initiated  x">+1</Number>"#
    );
}
