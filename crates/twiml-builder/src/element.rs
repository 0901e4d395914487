//! The untyped element tree every typed builder wraps, and its renderer.

use std::borrow::Cow;

use crate::error::TwimlError;
use crate::escape::{Context, escape_into, is_xml_name};
use crate::value::{AttrValue, itoa};

/// Elements with up to this many attributes sort them on the stack (`<Conference>` has 21
/// typed ones); more fall back to a heap-allocated index.
const MAX_STACK_SORT: usize = 32;

/// Insertion sort of attribute indices by name: n is small and the input often nearly sorted.
fn sort_by_name(order: &mut [u8], attrs: &[Attr<'_>]) {
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && attrs[usize::from(order[j - 1])].name > attrs[usize::from(order[j])].name {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// What twilio-python puts before every document.
pub(crate) const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// A generic XML element: the escape hatch for nouns and verbs this crate does not model yet, and
/// the representation all typed builders share.
///
/// ```
/// use twiml_builder::{Element, VoiceResponse};
/// let xml = VoiceResponse::new()
///     .child(Element::new("NewVerb").attr("someAttribute", "1").text("hello"))
///     .to_xml()?;
/// assert_eq!(
///     xml,
///     r#"<?xml version="1.0" encoding="UTF-8"?><Response><NewVerb someAttribute="1">hello</NewVerb></Response>"#
/// );
/// # Ok::<(), twiml_builder::TwimlError>(())
/// ```
///
/// Names given here are used verbatim (no camel-casing) and checked against the XML `Name`
/// production when rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    name: Cow<'a, str>,
    /// False for names that came from the caller and must be checked when rendering.
    name_checked: bool,
    /// Unique names in first-set order; sorted by name only when rendering (a handful of
    /// comparisons on a stack array), which is cheaper than keeping them sorted on every set.
    attrs: Vec<Attr<'a>>,
    /// Text before the first child element (twilio-python's `value`): kept out of `children` so
    /// the common leaf (`<Number>+55...</Number>`) needs no children vector.
    text: Cow<'a, str>,
    children: Vec<Node<'a>>,
    /// Running upper estimate of this element's rendered size, so rendering allocates once.
    size_hint: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Attr<'a> {
    name: Cow<'a, str>,
    name_checked: bool,
    value: AttrValue<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node<'a> {
    Element(Element<'a>),
    Text(Cow<'a, str>),
}

impl<'a> Element<'a> {
    /// An element called `name`, with no attributes and no content.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        Self::with_name(name.into(), false)
    }

    /// An element of the TwiML vocabulary; its name is a valid literal.
    #[inline]
    pub(crate) fn typed(name: &'static str) -> Self {
        Self::with_name(Cow::Borrowed(name), true)
    }

    #[inline]
    fn with_name(name: Cow<'a, str>, name_checked: bool) -> Self {
        let size_hint = 2 * name.len() + 5;
        Self {
            name,
            name_checked,
            attrs: Vec::new(),
            text: Cow::Borrowed(""),
            children: Vec::new(),
            size_hint,
        }
    }

    /// The element name, e.g. `Dial`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets attribute `name` (verbatim, e.g. `statusCallbackEvent`) to `value`, replacing any
    /// earlier value, typed or not.
    #[must_use]
    pub fn attr(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.set_attr(name.into(), false, AttrValue::Text(value.into()));
        self
    }

    /// Appends text content. Empty text is ignored, as twilio-python ignores an empty value.
    #[must_use]
    pub fn text(mut self, text: impl Into<Cow<'a, str>>) -> Self {
        self.push_text(text.into());
        self
    }

    /// Appends a child element (typed or generic). Nesting is not checked: this is the escape
    /// hatch for combinations the typed methods do not offer.
    #[must_use]
    pub fn child(mut self, child: impl Into<Element<'a>>) -> Self {
        self.push_element(child.into());
        self
    }

    /// Renders `<?xml ...?>` followed by this element, as twilio-python's `to_xml()` does.
    pub fn to_xml(&self) -> Result<String, TwimlError> {
        let mut out = String::with_capacity(DECLARATION.len() + self.size_hint);
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Appends the declaration and this element to `out`. On error `out` is left as it was.
    pub fn write_to(&self, out: &mut String) -> Result<(), TwimlError> {
        let start = out.len();
        out.reserve(DECLARATION.len() + self.size_hint);
        out.push_str(DECLARATION);
        self.render(out).inspect_err(|_| out.truncate(start))
    }

    /// Appends this element alone (no declaration) to `out`, like twilio-python's
    /// `to_xml(xml_declaration=False)`. On error `out` is left as it was.
    pub fn write_fragment_to(&self, out: &mut String) -> Result<(), TwimlError> {
        let start = out.len();
        out.reserve(self.size_hint);
        self.render(out).inspect_err(|_| out.truncate(start))
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, name: &'static str, value: AttrValue<'a>) {
        self.set_attr(Cow::Borrowed(name), true, value);
    }

    #[inline(always)]
    fn set_attr(&mut self, name: Cow<'a, str>, name_checked: bool, value: AttrValue<'a>) {
        self.size_hint += name.len() + value.len_hint() + 4;
        // Setting twice replaces, as in twilio-python's attribute dict. Lengths differ for most
        // pairs, so this scan rarely compares bytes.
        let existing = self
            .attrs
            .iter_mut()
            .find(|attr| attr.name.len() == name.len() && attr.name == name);
        match existing {
            Some(attr) => {
                *attr = Attr {
                    name,
                    name_checked,
                    value,
                }
            }
            None => self.attrs.push(Attr {
                name,
                name_checked,
                value,
            }),
        }
    }

    #[inline(always)]
    pub(crate) fn push_text(&mut self, text: Cow<'a, str>) {
        if text.is_empty() {
            return;
        }
        self.size_hint += text.len();
        // Adjacent text is one XML text node; keep it one node (twilio-python would keep only the
        // last piece, losing the rest).
        match self.children.last_mut() {
            None if self.text.is_empty() => self.text = text,
            None => self.text.to_mut().push_str(&text),
            Some(Node::Text(last)) => last.to_mut().push_str(&text),
            Some(Node::Element(_)) => self.children.push(Node::Text(text)),
        }
    }

    #[inline(always)]
    pub(crate) fn push_element(&mut self, child: Element<'a>) {
        self.size_hint += child.size_hint;
        self.children.push(Node::Element(child));
    }

    fn render(&self, out: &mut String) -> Result<(), TwimlError> {
        if !self.name_checked && !is_xml_name(&self.name) {
            return Err(TwimlError::InvalidName {
                name: self.name.clone().into_owned(),
            });
        }
        out.push('<');
        out.push_str(&self.name);
        match self.attrs.len() {
            0 => {}
            1 => self.render_attr(&self.attrs[0], out)?,
            n if n <= MAX_STACK_SORT => {
                let mut order = [0u8; MAX_STACK_SORT];
                for (slot, index) in order.iter_mut().zip(0u8..) {
                    *slot = index;
                }
                let order = &mut order[..n];
                sort_by_name(order, &self.attrs);
                for &i in order.iter() {
                    self.render_attr(&self.attrs[usize::from(i)], out)?;
                }
            }
            n => {
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_unstable_by(|&a, &b| self.attrs[a].name.cmp(&self.attrs[b].name));
                for i in order {
                    self.render_attr(&self.attrs[i], out)?;
                }
            }
        }
        if self.text.is_empty() && self.children.is_empty() {
            // ElementTree's short empty element, with its space.
            out.push_str(" />");
            return Ok(());
        }
        out.push('>');
        escape_into(&self.text, Context::Text, out).map_err(|e| self.illegal(e, None))?;
        for child in &self.children {
            match child {
                Node::Element(element) => element.render(out)?,
                Node::Text(text) => {
                    escape_into(text, Context::Text, out).map_err(|e| self.illegal(e, None))?;
                }
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
        Ok(())
    }

    fn render_attr(&self, attr: &Attr<'a>, out: &mut String) -> Result<(), TwimlError> {
        if !attr.name_checked && !is_xml_name(&attr.name) {
            return Err(TwimlError::InvalidName {
                name: attr.name.clone().into_owned(),
            });
        }
        out.push(' ');
        out.push_str(&attr.name);
        out.push_str("=\"");
        match &attr.value {
            AttrValue::Text(text) => escape_into(text, Context::Attribute, out)
                .map_err(|e| self.illegal(e, Some(&attr.name)))?,
            AttrValue::Token(token) => out.push_str(token),
            AttrValue::UInt(n) => out.push_str(itoa(*n, &mut [0; 10])),
            AttrValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            AttrValue::Tokens(list) => {
                for (i, token) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(token);
                }
            }
        }
        out.push('"');
        Ok(())
    }

    fn illegal(&self, e: crate::escape::IllegalChar, attribute: Option<&str>) -> TwimlError {
        TwimlError::IllegalCharacter {
            character: e.character,
            element: self.name.clone().into_owned(),
            attribute: attribute.map(str::to_owned),
            byte_offset: e.byte_offset,
        }
    }
}
