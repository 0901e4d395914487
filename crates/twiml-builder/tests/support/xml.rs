//! A conforming XML reader (quick-xml) turned into a small tree, to compare documents by meaning
//! rather than by bytes, and to check that values survive a real parser.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// An element as a parser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    /// In document order, values after XML attribute-value normalisation.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Child {
    Element(Node),
    /// Character data with references resolved and adjacent pieces merged, but WITHOUT the
    /// end-of-line normalisation (`\r\n`/`\r` -> `\n`) a full XML processor applies: see
    /// `normalize_eol`.
    Text(String),
}

impl Node {
    /// Attributes as a sorted map, for comparisons where order does not matter.
    pub fn attr_map(&self) -> std::collections::BTreeMap<&str, &str> {
        self.attrs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// What an XML 1.0 processor reports for text: `\r\n` and lone `\r` become `\n`.
pub fn normalize_eol(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Parses a whole document (declaration allowed) into its root element.
pub fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} at {}", reader.buffer_position()))?;
        match event {
            Event::Decl(_) => {}
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                return Err(format!("content after the root element: {start:?}"));
            }
            Event::Start(start) => stack.push(node(&start)?),
            Event::Empty(start) => push_child(&mut stack, &mut root, node(&start)?),
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                push_child(&mut stack, &mut root, done);
            }
            Event::Text(text) => push_text(&mut stack, &text)?,
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&reference)
                        .ok_or_else(|| format!("unknown entity &{};", &*reference))?
                        .to_owned(),
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            other => return Err(format!("unexpected event {other:?}")),
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn node(start: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let name = start.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = attr.key.as_ref().to_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Node {
        name,
        attrs,
        children: Vec::new(),
    })
}

fn push_child(stack: &mut [Node], root: &mut Option<Node>, done: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Child::Element(done)),
        None => *root = Some(done),
    }
}

fn push_text(stack: &mut [Node], text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let parent = stack.last_mut().ok_or("text outside the root element")?;
    match parent.children.last_mut() {
        Some(Child::Text(previous)) => previous.push_str(text),
        _ => parent.children.push(Child::Text(text.to_owned())),
    }
    Ok(())
}
