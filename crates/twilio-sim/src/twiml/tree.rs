//! A minimal XML element tree, the first stage of TwiML parsing.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::TwimlError;

/// One XML element of a TwiML document, with its attributes in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Tag name, e.g. `Dial`.
    pub name: String,
    /// Attributes as `(name, unescaped value)`, in document order.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

/// A child of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (entities resolved, CDATA included as text).
    Text(String),
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All text directly inside this element, concatenated and trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for child in &self.children {
            if let Node::Text(t) = child {
                s.push_str(t);
            }
        }
        s.trim().to_owned()
    }

    /// The child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

fn start_element(start: &BytesStart<'_>) -> Result<Element, TwimlError> {
    let name = start.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| TwimlError::Xml(e.to_string()))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| TwimlError::Xml(e.to_string()))?;
        attrs.push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), TwimlError> {
    match stack.last_mut() {
        Some(top) => {
            if let Some(Node::Text(prev)) = top.children.last_mut() {
                prev.push_str(text);
            } else {
                top.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(TwimlError::Xml("text outside the root element".to_owned())),
    }
}

/// Parses `xml` into its root element.
pub(crate) fn parse_tree(xml: &str) -> Result<Element, TwimlError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| TwimlError::Xml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(TwimlError::Xml("more than one root element".to_owned()));
                }
                stack.push(start_element(&start)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(TwimlError::Xml("more than one root element".to_owned()));
                }
                let element = start_element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| TwimlError::Xml("unbalanced end tag".to_owned()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content())?,
            Event::CData(data) => {
                let raw = data.into_inner();
                push_text(&mut stack, &raw)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| TwimlError::Xml(e.to_string()))?
                {
                    Some(ch) => ch.to_string(),
                    None => resolve_predefined_entity(&reference)
                        .ok_or_else(|| {
                            TwimlError::Xml(format!("unknown entity &{};", &*reference))
                        })?
                        .to_owned(),
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) => {
                // Twilio does not accept DTDs; refusing them also rules out entity tricks.
                return Err(TwimlError::Xml("DOCTYPE is not allowed".to_owned()));
            }
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(TwimlError::Xml("unclosed element".to_owned()));
    }
    root.ok_or_else(|| TwimlError::Xml("empty document".to_owned()))
}
